/* DetectionsToRenderDataCalculator and AnnotationOverlayCalculator with
 * MediaPipe's names, tags and options: detections become render data, and
 * render data is drawn onto a copy of the video frame (or a blank canvas).
 * Graph wrappers over render_ops.h. */
#include <stdio.h>
#include <string.h>

#include "calculators/registry.h"
#include "odai/image.h"
#include "odai/options.h"
#include "odai/packet_types.h"
#include "render_ops.h"

/* A Color message {r g b} (0..255 ints); def when absent. */
static odai_color read_color(const odai_options *m, odai_color def) {
  if (!m) return def;
  odai_color c = {(uint8_t)odai_options_get_int(m, "r", 0), (uint8_t)odai_options_get_int(m, "g", 0),
                  (uint8_t)odai_options_get_int(m, "b", 0), 255};
  return c;
}

/* ==== DetectionsToRenderDataCalculator ================================= */

#define D2RD_OPTS "mediapipe.DetectionsToRenderDataCalculatorOptions"

static odai_status d2rd_contract(odai_contract *c) {
  odai_status st = odai_contract_input(c, "DETECTIONS", ODAI_TYPE_DETECTIONS, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_input(c, "DETECTION", ODAI_TYPE_DETECTIONS, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_input(c, "DETECTION_LIST", ODAI_TYPE_DETECTIONS, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_output(c, "RENDER_DATA", ODAI_TYPE_RENDER_DATA, 0);
  if (st) return st;
  if (!odai_contract_input_count(c, "DETECTIONS") && !odai_contract_input_count(c, "DETECTION") &&
      !odai_contract_input_count(c, "DETECTION_LIST"))
    return odai_contract_error(c, ODAI_E_INVALID, "none of the input streams are provided");
  odai_contract_options(c, D2RD_OPTS);
  odai_contract_timestamp_offset(c, 0);
  return ODAI_OK;
}

static odai_status d2rd_open(odai_calc_ctx *ctx) {
  odai_detections_render_options *o = odai_calc_state(ctx);
  const odai_options *m = odai_calc_options(ctx);
  odai_detections_render_options_init(o);
  o->produce_empty_packet = odai_options_get_bool(m, "produce_empty_packet", true);
  const char *delim = odai_options_get_string(m, "text_delimiter", ",");
  snprintf(o->text_delimiter, sizeof(o->text_delimiter), "%s", delim);
  o->one_label_per_line = odai_options_get_bool(m, "one_label_per_line", false);
  o->thickness = (float)odai_options_get_double(m, "thickness", 1.0);
  o->color = read_color(odai_options_get_message(m, "color"), (odai_color){0, 0, 0, 255});
  const char *scene = odai_options_get_string(m, "scene_class", "DETECTION");
  snprintf(o->scene_class, sizeof(o->scene_class), "%s", scene);
  o->render_detection_id = odai_options_get_bool(m, "render_detection_id", false);
  o->text_font_height =
      (float)odai_options_get_double(odai_options_get_message(m, "text"), "font_height", 8.0);
  /* MediaPipe sizes labels from the box height (tiny on small boxes); an
   * explicit font_height is honoured in pixels, labels above the box. */
  o->text_font_height_set = odai_options_has(odai_options_get_message(m, "text"), "font_height") &&
                            o->text_font_height > 0;
  return ODAI_OK;
}

static odai_status d2rd_process(odai_calc_ctx *ctx) {
  const odai_detections_render_options *o = odai_calc_state(ctx);
  static const char *const tags[3] = {"DETECTION_LIST", "DETECTIONS", "DETECTION"};
  const odai_detections *in[3];
  bool any = false;
  for (int i = 0; i < 3; i++) {
    in[i] = odai_packet_detections(odai_calc_input(ctx, tags[i], 0));
    if (in[i] && in[i]->count) any = true;
  }
  if (!any && !o->produce_empty_packet) return ODAI_OK;
  odai_render_data *rd = odai_render_data_create();
  if (!rd) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  snprintf(rd->scene_class, sizeof(rd->scene_class), "%s", o->scene_class);
  for (int i = 0; i < 3; i++) {
    if (!in[i]) continue;
    odai_detections one = *in[i];
    if (i == 2 && one.count > 1) one.count = 1; /* DETECTION: a single detection */
    odai_error err;
    odai_status st = odai_detections_to_render_data(o, &one, rd, &err);
    if (st != ODAI_OK) {
      odai_render_data_free(rd);
      return odai_calc_error(ctx, st, "%s", err.message);
    }
  }
  odai_packet *p = odai_packet_new_render_data(rd, odai_calc_timestamp(ctx));
  if (!p) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  return odai_calc_output(ctx, "RENDER_DATA", 0, p);
}

const odai_calculator_def odai_calc_detections_to_render_data = {
    "DetectionsToRenderDataCalculator", "detections to boxes, keypoints and label text",
    sizeof(odai_detections_render_options), d2rd_contract, d2rd_open, d2rd_process, NULL};

/* ==== AnnotationOverlayCalculator ====================================== */

#define AO_OPTS "mediapipe.AnnotationOverlayCalculatorOptions"

static odai_status ao_contract(odai_contract *c) {
  odai_status st = odai_contract_input(c, "IMAGE", ODAI_TYPE_IMAGE, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_input(c, "", ODAI_TYPE_RENDER_DATA, ODAI_PORT_MULTIPLE | ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_input(c, "VECTOR", ODAI_TYPE_RENDER_DATA, ODAI_PORT_MULTIPLE | ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_output(c, "IMAGE", ODAI_TYPE_IMAGE, 0);
  if (st) return st;
  if (odai_contract_input_count(c, "IMAGE_GPU") || odai_contract_output_count(c, "IMAGE_GPU"))
    return odai_contract_error(c, ODAI_E_UNSUPPORTED, "IMAGE_GPU is not supported (CPU only)");
  odai_contract_options(c, AO_OPTS);
  odai_contract_timestamp_offset(c, 0);
  return ODAI_OK;
}

static odai_status ao_process(odai_calc_ctx *ctx) {
  const odai_options *o = odai_calc_options(ctx);
  odai_image *out = NULL;
  odai_error err;
  odai_status st;
  const bool has_image = odai_calc_input_count(ctx, "IMAGE") > 0;
  if (has_image) {
    const odai_image *in = odai_packet_image(odai_calc_input(ctx, "IMAGE", 0));
    if (!in) return ODAI_OK;
    /* Draw on a private copy; formats without a direct canvas go to RGB8. */
    odai_pixel_format f = odai_image_format(in);
    if (f == ODAI_PIXEL_RGB8 || f == ODAI_PIXEL_BGR8 || f == ODAI_PIXEL_RGBA8 ||
        f == ODAI_PIXEL_BGRA8 || f == ODAI_PIXEL_GRAY8)
      st = odai_image_copy(in, &out);
    else
      st = odai_image_convert(in, ODAI_PIXEL_RGB8, &out, &err);
    if (st != ODAI_OK) return odai_calc_error(ctx, st, "cannot copy the frame to draw on");
  } else {
    int w = (int)odai_options_get_int(o, "canvas_width_px", 1920);
    int h = (int)odai_options_get_int(o, "canvas_height_px", 1080);
    st = odai_image_new(w, h, ODAI_PIXEL_RGB8, &out);
    if (st != ODAI_OK) return odai_calc_error(ctx, st, "cannot make a %dx%d canvas", w, h);
    odai_color bg = read_color(odai_options_get_message(o, "canvas_color"),
                               (odai_color){255, 255, 255, 255});
    st = odai_image_fill(out, ((uint32_t)bg.r << 24) | ((uint32_t)bg.g << 16) |
                                  ((uint32_t)bg.b << 8) | 0xffu, &err);
    if (st != ODAI_OK) {
      odai_image_unref(out);
      return odai_calc_error(ctx, st, "%s", err.message);
    }
  }
  odai_canvas c;
  st = odai_canvas_from_image(out, &c, &err);
  if (st != ODAI_OK) {
    odai_image_unref(out);
    return odai_calc_error(ctx, st, "%s", err.message);
  }
  static const char *const tags[2] = {"", "VECTOR"};
  for (int t = 0; t < 2; t++) {
    int n = odai_calc_input_count(ctx, tags[t]);
    for (int i = 0; i < n; i++) {
      const odai_render_data *rd = odai_packet_render_data(odai_calc_input(ctx, tags[t], i));
      if (rd) odai_draw_render_data(&c, rd);
    }
  }
  odai_packet *p = odai_packet_new_image(out, odai_calc_timestamp(ctx));
  if (!p) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  return odai_calc_output(ctx, "IMAGE", 0, p);
}

const odai_calculator_def odai_calc_annotation_overlay = {
    "AnnotationOverlayCalculator", "draws render data on a copy of the frame", 0, ao_contract,
    NULL, ao_process, NULL};
