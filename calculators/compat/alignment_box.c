/* calculators/compat/alignment_box.c: AlignmentPointsToDetectionsCalculator
 * (odai): replaces each detection's box by the box that MediaPipe's
 * AlignmentPointsRectsCalculator derives from two keypoints (centre at the
 * start keypoint, half-size = distance to the end keypoint, in pixels).
 * Used by configs/person_detection.pbtxt: the pose detector's own box is a
 * fixed-size face box; its keypoints 0 (hips centre) and 1 (above the head)
 * span the whole body. */
#include <math.h>
#include <string.h>

#include "calculators/registry.h"
#include "odai/detection.h"
#include "odai/options.h"
#include "odai/packet_types.h"

#define AP_OPTIONS "odai.AlignmentPointsToDetectionsOptions"

typedef struct ap_state {
  int start, end;
  float scale, aspect;
} ap_state;

static odai_status ap_contract(odai_contract *c) {
  odai_status st = odai_contract_input(c, "DETECTIONS", ODAI_TYPE_DETECTIONS, 0);
  if (!st) st = odai_contract_input(c, "IMAGE", ODAI_TYPE_IMAGE, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_input(c, "SIZE", ODAI_TYPE_IMAGE_SIZE, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_output(c, "DETECTIONS", ODAI_TYPE_DETECTIONS, 0);
  odai_contract_options(c, AP_OPTIONS);
  odai_contract_timestamp_offset(c, 0);
  if (!st && odai_contract_input_count(c, "IMAGE") + odai_contract_input_count(c, "SIZE") != 1)
    return odai_contract_error(c, ODAI_E_INVALID, "connect IMAGE or SIZE (the frame's size, for pixel distances)");
  return st;
}

static odai_status ap_open(odai_calc_ctx *ctx) {
  ap_state *s = odai_calc_state(ctx);
  const odai_options *o = odai_calc_options(ctx);
  s->start = (int)odai_options_get_int(o, "rotation_vector_start_keypoint_index", 0);
  s->end = (int)odai_options_get_int(o, "rotation_vector_end_keypoint_index", 1);
  s->scale = odai_options_get_float(o, "scale", 1.0f);
  s->aspect = odai_options_get_float(o, "aspect_ratio", 1.0f);
  if (s->start < 0 || s->end < 0 || s->start >= ODAI_DETECTION_MAX_KEYPOINTS ||
      s->end >= ODAI_DETECTION_MAX_KEYPOINTS || s->start == s->end)
    return odai_calc_error(ctx, ODAI_E_INVALID, "keypoint indices %d and %d: need two different indices below %d",
                           s->start, s->end, ODAI_DETECTION_MAX_KEYPOINTS);
  if (!(s->scale > 0) || !(s->aspect > 0))
    return odai_calc_error(ctx, ODAI_E_INVALID, "scale and aspect_ratio must be positive");
  return ODAI_OK;
}

static float clamp01(float v) { return v < 0 ? 0 : v > 1 ? 1 : v; }

static odai_status ap_process(odai_calc_ctx *ctx) {
  ap_state *s = odai_calc_state(ctx);
  const odai_detections *in = odai_packet_detections(odai_calc_input(ctx, "DETECTIONS", 0));
  if (!in) return ODAI_OK;
  int w = 0, h = 0;
  const odai_packet *ip = odai_calc_input(ctx, "IMAGE", 0);
  if (ip) {
    const odai_image *img = odai_packet_image(ip);
    if (img) {
      w = odai_image_width(img);
      h = odai_image_height(img);
    }
  } else {
    const odai_image_size *sz = odai_packet_get(odai_calc_input(ctx, "SIZE", 0), ODAI_TYPE_IMAGE_SIZE);
    if (sz) {
      w = sz->width;
      h = sz->height;
    }
  }
  if (w <= 0 || h <= 0) return odai_calc_error(ctx, ODAI_E_INVALID, "no frame size at this timestamp");
  odai_detections *out = odai_detections_clone(in);
  if (!out) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  for (size_t i = 0; i < out->count; i++) {
    odai_detection *d = &out->items[i];
    if (d->num_keypoints <= s->start || d->num_keypoints <= s->end) {
      odai_detections_free(out);
      return odai_calc_error(ctx, ODAI_E_INVALID, "detection %zu has %d keypoints, needs %d", i, d->num_keypoints,
                             (s->start > s->end ? s->start : s->end) + 1);
    }
    float cx = d->keypoints[s->start].x * (float)w, cy = d->keypoints[s->start].y * (float)h;
    float ex = d->keypoints[s->end].x * (float)w, ey = d->keypoints[s->end].y * (float)h;
    float half_h = sqrtf((ex - cx) * (ex - cx) + (ey - cy) * (ey - cy)) * s->scale;
    float half_w = half_h * s->aspect;
    float x0 = clamp01((cx - half_w) / (float)w), x1 = clamp01((cx + half_w) / (float)w);
    float y0 = clamp01((cy - half_h) / (float)h), y1 = clamp01((cy + half_h) / (float)h);
    d->xmin = x0;
    d->ymin = y0;
    d->width = x1 - x0;
    d->height = y1 - y0;
  }
  return odai_calc_output(ctx, "DETECTIONS", 0, odai_packet_new_detections(out, odai_calc_timestamp(ctx)));
}

const odai_calculator_def odai_calc_alignment_points_to_detections = {
    .name = "AlignmentPointsToDetectionsCalculator",
    .description = "odai: box from two keypoints (centre, scale point) as MediaPipe's alignment-points ROI",
    .state_size = sizeof(ap_state),
    .contract = ap_contract,
    .open = ap_open,
    .process = ap_process,
};
