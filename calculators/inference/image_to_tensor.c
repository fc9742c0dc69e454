/* calculators/inference/image_to_tensor.c: ImageToTensorCalculator, as in
 * MediaPipe: IMAGE (+ optional NORM_RECT roi) -> TENSORS (1 x H x W x 3
 * float), with MATRIX (tensor-to-image projection, 16 floats) and
 * LETTERBOX_PADDING (left, top, right, bottom) outputs.
 * Options: mediapipe.ImageToTensorCalculatorOptions { output_tensor_width
 * output_tensor_height keep_aspect_ratio output_tensor_float_range { min max }
 * output_tensor_uint_range { min max } border_mode gpu_origin }. */
#include <stdlib.h>
#include <string.h>

#include "calculators/registry.h"
#include "image_to_tensor_ops.h"
#include "odai/options.h"
#include "odai/packet_types.h"

typedef struct i2t_state {
  odai_i2t_params p;
} i2t_state;

static odai_status i2t_contract(odai_contract *c) {
  odai_contract_input(c, "IMAGE", ODAI_TYPE_IMAGE, 0);
  odai_contract_input(c, "NORM_RECT", ODAI_TYPE_NORM_RECT, ODAI_PORT_OPTIONAL);
  odai_contract_output(c, "TENSORS", ODAI_TYPE_TENSORS, 0);
  odai_contract_output(c, "MATRIX", ODAI_TYPE_FLOAT_VECTOR, ODAI_PORT_OPTIONAL);
  odai_contract_output(c, "LETTERBOX_PADDING", ODAI_TYPE_FLOAT_VECTOR, ODAI_PORT_OPTIONAL);
  odai_contract_options(c, "mediapipe.ImageToTensorCalculatorOptions");
  odai_contract_timestamp_offset(c, 0);
  const odai_options *o = odai_contract_get_options(c);
  int64_t w = odai_options_get_int(o, "output_tensor_width", 0);
  int64_t h = odai_options_get_int(o, "output_tensor_height", 0);
  if (w <= 0 || h <= 0 || w > 4096 || h > 4096)
    return odai_contract_error(c, ODAI_E_INVALID,
                               "output_tensor_width and output_tensor_height must be set to "
                               "1..4096 (got %lld x %lld)",
                               (long long)w, (long long)h);
  return ODAI_OK;
}

static odai_status i2t_open(odai_calc_ctx *ctx) {
  i2t_state *st = odai_calc_state(ctx);
  const odai_options *o = odai_calc_options(ctx);
  st->p.out_w = (int)odai_options_get_int(o, "output_tensor_width", 0);
  st->p.out_h = (int)odai_options_get_int(o, "output_tensor_height", 0);
  st->p.keep_aspect_ratio = odai_options_get_bool(o, "keep_aspect_ratio", false);
  if (odai_options_has(o, "output_tensor_float_range")) {
    st->p.range_min = odai_options_get_float(o, "output_tensor_float_range.min", 0.f);
    st->p.range_max = odai_options_get_float(o, "output_tensor_float_range.max", 1.f);
  } else if (odai_options_has(o, "output_tensor_uint_range")) {
    st->p.range_min = odai_options_get_float(o, "output_tensor_uint_range.min", 0.f);
    st->p.range_max = odai_options_get_float(o, "output_tensor_uint_range.max", 255.f);
  } else if (odai_options_has(o, "output_tensor_int_range")) {
    st->p.range_min = odai_options_get_float(o, "output_tensor_int_range.min", -128.f);
    st->p.range_max = odai_options_get_float(o, "output_tensor_int_range.max", 127.f);
  } else {
    st->p.range_min = 0.f;
    st->p.range_max = 1.f;
  }
  if (!(st->p.range_max > st->p.range_min))
    return odai_calc_error(ctx, ODAI_E_INVALID, "output tensor range max (%g) must exceed min (%g)",
                           st->p.range_max, st->p.range_min);
  const char *bm = odai_options_get_enum_name(o, "border_mode", "BORDER_ZERO");
  st->p.border_replicate = bm && strcmp(bm, "BORDER_REPLICATE") == 0;
  return ODAI_OK;
}

static odai_status i2t_process(odai_calc_ctx *ctx) {
  i2t_state *st = odai_calc_state(ctx);
  const odai_packet *ip = odai_calc_input(ctx, "IMAGE", 0);
  if (!ip) return ODAI_OK; /* no image at this timestamp: nothing to do */
  const odai_image *img = odai_packet_image(ip);
  if (!img) return odai_calc_error(ctx, ODAI_E_INVALID, "IMAGE packet is not an odai.Image");
  odai_timestamp ts = odai_calc_timestamp(ctx);

  odai_image *conv = NULL;
  odai_pixel_format f = odai_image_format(img);
  if (f != ODAI_PIXEL_RGB8 && f != ODAI_PIXEL_RGBA8 && f != ODAI_PIXEL_BGR8 &&
      f != ODAI_PIXEL_BGRA8 && f != ODAI_PIXEL_GRAY8) {
    odai_error e;
    if (odai_image_convert(img, ODAI_PIXEL_RGB8, &conv, &e) != ODAI_OK)
      return odai_calc_error(ctx, e.code, "converting %s to RGB8: %s", odai_pixel_format_name(f),
                             e.message);
    img = conv;
  }
  odai_image_planes planes;
  odai_image_get_planes(img, &planes);

  const odai_norm_rect *rect = NULL;
  const odai_packet *rp = odai_calc_input(ctx, "NORM_RECT", 0);
  if (rp) rect = odai_packet_norm_rect(rp);
  odai_roi roi = odai_roi_from_norm_rect(rect, planes.width, planes.height);
  if (roi.w <= 0 || roi.h <= 0) {
    odai_image_unref(conv);
    return ODAI_OK; /* empty roi: MediaPipe emits nothing either */
  }
  float pad[4];
  odai_roi_pad(&roi, &st->p, pad);

  odai_tensors *t = odai_tensors_create(1);
  int32_t shape[4] = {1, st->p.out_h, st->p.out_w, 3};
  if (!t || odai_tensors_alloc_uninit(t, 0, ODAI_DTYPE_FLOAT32, 4, shape) != ODAI_OK) {
    odai_tensors_free(t);
    odai_image_unref(conv);
    return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory for a %dx%d tensor", st->p.out_w,
                           st->p.out_h);
  }
  odai_image_to_tensor_f32(&planes, &roi, &st->p, t->v[0].data);
  int iw = planes.width, ih = planes.height;
  odai_image_unref(conv);

  odai_status s = odai_calc_output(ctx, "TENSORS", 0, odai_packet_new_tensors(t, ts));
  if (s != ODAI_OK) return s;
  if (odai_calc_output_count(ctx, "MATRIX") > 0) {
    odai_float_vector *m = calloc(1, sizeof *m);
    if (m) m->v = malloc(16 * sizeof(float));
    if (!m || !m->v) {
      free(m);
      return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
    }
    m->n = 16;
    odai_roi_to_matrix(&roi, iw, ih, st->p.flip_horizontally, m->v);
    s = odai_calc_output(ctx, "MATRIX", 0, odai_packet_new_float_vector(m, ts));
    if (s != ODAI_OK) return s;
  }
  if (odai_calc_output_count(ctx, "LETTERBOX_PADDING") > 0) {
    odai_float_vector *v = calloc(1, sizeof *v);
    if (v) v->v = malloc(4 * sizeof(float));
    if (!v || !v->v) {
      free(v);
      return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
    }
    v->n = 4;
    memcpy(v->v, pad, sizeof pad);
    s = odai_calc_output(ctx, "LETTERBOX_PADDING", 0, odai_packet_new_float_vector(v, ts));
  }
  return s;
}

const odai_calculator_def odai_calc_image_to_tensor = {
    .name = "ImageToTensorCalculator",
    .description = "image (+ roi) -> float tensor with letterbox, rotation and value range",
    .state_size = sizeof(i2t_state),
    .contract = i2t_contract,
    .open = i2t_open,
    .process = i2t_process,
};
