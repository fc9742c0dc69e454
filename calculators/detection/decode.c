/* Raw SSD model outputs -> detections, following MediaPipe's
 * TensorsToDetectionsCalculator (CPU path, models without built-in
 * post-processing): score activation and class choice, anchor-relative box
 * and keypoint decoding, score threshold, flips. Feeds nms.c. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "detection_ops.h"

void odai_ssd_decode_options_init(odai_ssd_decode_options *o) {
  memset(o, 0, sizeof(*o));
  o->num_values_per_keypoint = 2;
  o->max_results = -1;
}

static void face_common(odai_ssd_decode_options *o) {
  odai_ssd_decode_options_init(o);
  o->num_classes = 1;
  o->num_coords = 16;
  o->box_coord_offset = 0;
  o->keypoint_coord_offset = 4;
  o->num_keypoints = 6;
  o->num_values_per_keypoint = 2;
  o->sigmoid_score = true;
  o->has_score_clipping_thresh = true;
  o->score_clipping_thresh = 100.0f;
  o->reverse_output_order = true;
  o->has_min_score_thresh = true;
}

void odai_ssd_decode_options_face_short_range(odai_ssd_decode_options *o) {
  face_common(o);
  o->num_boxes = 896;
  o->x_scale = o->y_scale = o->w_scale = o->h_scale = 128.0f;
  o->min_score_thresh = 0.5f;
}

void odai_ssd_decode_options_face_full_range(odai_ssd_decode_options *o) {
  face_common(o);
  o->num_boxes = 2304;
  o->x_scale = o->y_scale = o->w_scale = o->h_scale = 192.0f;
  o->min_score_thresh = 0.6f;
}

void odai_ssd_decode_options_pose_detection(odai_ssd_decode_options *o) {
  face_common(o);
  o->num_boxes = 2254;
  o->num_coords = 12;
  o->num_keypoints = 4;
  o->x_scale = o->y_scale = o->w_scale = o->h_scale = 224.0f;
  o->min_score_thresh = 0.5f;
}

void odai_ssd_decode_options_palm_detection(odai_ssd_decode_options *o) {
  face_common(o);
  o->num_boxes = 2016;
  o->num_coords = 18;
  o->num_keypoints = 7;
  o->x_scale = o->y_scale = o->w_scale = o->h_scale = 192.0f;
  o->min_score_thresh = 0.5f;
}

odai_status odai_ssd_decode_options_check(const odai_ssd_decode_options *o, odai_error *err) {
  if (!o) return odai_error_set(err, ODAI_E_INVALID, "TensorsToDetections: NULL options");
  if (o->num_classes <= 0 || o->num_boxes <= 0 || o->num_coords <= 0)
    return odai_error_set(err, ODAI_E_INVALID,
                          "TensorsToDetections: num_classes (%d), num_boxes (%d) and "
                          "num_coords (%d) must be > 0",
                          o->num_classes, o->num_boxes, o->num_coords);
  if (o->num_values_per_keypoint != 2)
    return odai_error_set(err, ODAI_E_UNSUPPORTED,
                          "TensorsToDetections: num_values_per_keypoint must be 2, got %d",
                          o->num_values_per_keypoint);
  if (o->num_keypoints < 0 || o->num_keypoints > ODAI_DETECTION_MAX_KEYPOINTS)
    return odai_error_set(err, ODAI_E_UNSUPPORTED,
                          "TensorsToDetections: num_keypoints %d (at most %d supported)",
                          o->num_keypoints, ODAI_DETECTION_MAX_KEYPOINTS);
  if (o->num_keypoints * o->num_values_per_keypoint + 4 != o->num_coords)
    return odai_error_set(err, ODAI_E_INVALID,
                          "TensorsToDetections: num_coords %d != 4 + num_keypoints %d * 2",
                          o->num_coords, o->num_keypoints);
  if (o->box_coord_offset < 0 || o->box_coord_offset + 4 > o->num_coords)
    return odai_error_set(err, ODAI_E_INVALID, "TensorsToDetections: box_coord_offset %d out of range",
                          o->box_coord_offset);
  if (o->num_keypoints &&
      (o->keypoint_coord_offset < 0 ||
       o->keypoint_coord_offset + o->num_keypoints * 2 > o->num_coords))
    return odai_error_set(err, ODAI_E_INVALID,
                          "TensorsToDetections: keypoint_coord_offset %d out of range",
                          o->keypoint_coord_offset);
  if (o->x_scale == 0.0f || o->y_scale == 0.0f || o->w_scale == 0.0f || o->h_scale == 0.0f)
    return odai_error_set(err, ODAI_E_INVALID,
                          "TensorsToDetections: x_scale, y_scale, w_scale and h_scale must be set");
  if (o->max_results == 0)
    return odai_error_set(err, ODAI_E_INVALID, "TensorsToDetections: max_results must not be 0");
  if (o->num_allow_classes && o->num_ignore_classes)
    return odai_error_set(err, ODAI_E_INVALID,
                          "TensorsToDetections: allow_classes and ignore_classes are exclusive");
  if (o->num_allow_classes < 0 || o->num_allow_classes > ODAI_MAX_CLASS_FILTER ||
      o->num_ignore_classes < 0 || o->num_ignore_classes > ODAI_MAX_CLASS_FILTER)
    return odai_error_set(err, ODAI_E_INVALID, "TensorsToDetections: too many class filters");
  return ODAI_OK;
}

static bool class_allowed(const odai_ssd_decode_options *o, int c) {
  if (o->num_allow_classes) {
    for (int i = 0; i < o->num_allow_classes; i++)
      if (o->allow_classes[i] == c) return true;
    return false;
  }
  for (int i = 0; i < o->num_ignore_classes; i++)
    if (o->ignore_classes[i] == c) return false;
  return true;
}

static odai_box_format box_format(const odai_ssd_decode_options *o) {
  if (o->has_box_format) return o->box_format;
  return o->reverse_output_order ? ODAI_BOX_FORMAT_XYWH : ODAI_BOX_FORMAT_YXHW;
}

static float activate(const odai_ssd_decode_options *o, float s) {
  if (o->sigmoid_score) {
    if (o->has_score_clipping_thresh) {
      if (s < -o->score_clipping_thresh) s = -o->score_clipping_thresh;
      if (s > o->score_clipping_thresh) s = o->score_clipping_thresh;
    }
    s = 1.0f / (1.0f + expf(-s));
  }
  return s;
}

odai_status odai_decode_detections(const odai_ssd_decode_options *o, const float *raw_boxes,
                                   size_t raw_boxes_len, const float *raw_scores,
                                   size_t raw_scores_len, const odai_anchor *anchors,
                                   size_t num_anchors, odai_detections *out, odai_error *err) {
  odai_status st = odai_ssd_decode_options_check(o, err);
  if (st != ODAI_OK) return st;
  if (!raw_boxes || !raw_scores || !anchors || !out)
    return odai_error_set(err, ODAI_E_INVALID, "TensorsToDetections: NULL input");
  const size_t nb = (size_t)o->num_boxes, nc = (size_t)o->num_classes;
  if (raw_boxes_len != nb * (size_t)o->num_coords)
    return odai_error_set(err, ODAI_E_INVALID,
                          "TensorsToDetections: box tensor has %zu values, expected %zu x %d",
                          raw_boxes_len, nb, o->num_coords);
  if (raw_scores_len != nb * nc)
    return odai_error_set(err, ODAI_E_INVALID,
                          "TensorsToDetections: score tensor has %zu values, expected %zu x %zu",
                          raw_scores_len, nb, nc);
  if (num_anchors != nb)
    return odai_error_set(err, ODAI_E_INVALID,
                          "TensorsToDetections: %zu anchors for %zu boxes", num_anchors, nb);

  const bool filter_classes = o->num_allow_classes || o->num_ignore_classes;
  /* Fast reject: with a sigmoid and a threshold, compare raw logits to the
   * threshold's logit with a margin, so only near/above-threshold boxes pay
   * for expf(); the exact test below decides the rest. */
  bool fast = o->sigmoid_score && o->has_min_score_thresh && o->min_score_thresh > 0.0f &&
              o->min_score_thresh < 1.0f;
  float logit_cut = fast ? logf(o->min_score_thresh / (1.0f - o->min_score_thresh)) - 1e-3f
                         : -FLT_MAX;
  const odai_box_format fmt = box_format(o);
  const size_t start = out->count;

  for (size_t i = 0; i < nb; i++) {
    if (o->max_results > 0 && out->count - start >= (size_t)o->max_results) break;
    const float *sc = raw_scores + i * nc;
    int cls = -1;
    float best = -FLT_MAX;
    if (fast && !filter_classes) {
      float mx = sc[0];
      for (size_t c = 1; c < nc; c++)
        if (sc[c] > mx) mx = sc[c];
      if (!(mx >= logit_cut)) continue;
    }
    for (size_t c = 0; c < nc; c++) {
      if (filter_classes && !class_allowed(o, (int)c)) continue;
      float s = activate(o, sc[c]);
      if (best < s) {
        best = s;
        cls = (int)c;
      }
    }
    if (cls < 0) continue;
    if (o->has_min_score_thresh && best < o->min_score_thresh) continue;

    const float *rb = raw_boxes + i * (size_t)o->num_coords;
    const float *b = rb + o->box_coord_offset;
    const odai_anchor *an = &anchors[i];
    float yc, xc, h, w;
    switch (fmt) {
      case ODAI_BOX_FORMAT_XYWH:
        xc = b[0];
        yc = b[1];
        w = b[2];
        h = b[3];
        break;
      case ODAI_BOX_FORMAT_XYXY:
        xc = (-b[0] + b[2]) / 2;
        yc = (-b[1] + b[3]) / 2;
        w = b[2] + b[0];
        h = b[3] + b[1];
        break;
      default:
        yc = b[0];
        xc = b[1];
        h = b[2];
        w = b[3];
        break;
    }
    xc = xc / o->x_scale * an->w + an->x_center;
    yc = yc / o->y_scale * an->h + an->y_center;
    if (o->apply_exponential_on_box_size) {
      h = expf(h / o->h_scale) * an->h;
      w = expf(w / o->w_scale) * an->w;
    } else {
      h = h / o->h_scale * an->h;
      w = w / o->w_scale * an->w;
    }
    const float ymin = yc - h / 2.f, xmin = xc - w / 2.f;
    const float ymax = yc + h / 2.f, xmax = xc + w / 2.f;
    const float bw = xmax - xmin, bh = ymax - ymin;
    if (bw < 0 || bh < 0 || isnan(bw) || isnan(bh)) continue;

    st = odai_detections_reserve(out, out->count + 1, err);
    if (st != ODAI_OK) return st;
    odai_detection *d = &out->items[out->count++];
    odai_detection_init(d);
    d->score = best;
    d->label_id = cls;
    d->xmin = xmin;
    d->ymin = o->flip_vertically ? 1.f - ymax : ymin;
    d->width = bw;
    d->height = bh;
    d->num_keypoints = o->num_keypoints;
    for (int k = 0; k < o->num_keypoints; k++) {
      const float *kp = rb + o->keypoint_coord_offset + k * o->num_values_per_keypoint;
      float kx, ky;
      if (fmt == ODAI_BOX_FORMAT_XYWH || fmt == ODAI_BOX_FORMAT_XYXY) {
        kx = kp[0];
        ky = kp[1];
      } else {
        ky = kp[0];
        kx = kp[1];
      }
      kx = kx / o->x_scale * an->w + an->x_center;
      ky = ky / o->y_scale * an->h + an->y_center;
      d->keypoints[k].x = kx;
      d->keypoints[k].y = o->flip_vertically ? 1.f - ky : ky;
    }
  }
  return ODAI_OK;
}
