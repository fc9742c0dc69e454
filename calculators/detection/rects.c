/* Detections -> rects (DetectionsToRectsCalculator), rect transformation
 * (RectTransformationCalculator) and label-id -> text
 * (DetectionLabelIdToTextCalculator): small geometric helpers used to crop
 * regions of interest and to name classes. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "detection_ops.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

float odai_normalize_radians(float angle) {
  return angle - 2 * (float)M_PI * floorf((angle - (float)(-M_PI)) / (2 * (float)M_PI));
}

static odai_status rotation_of(const odai_detections_to_rects_options *o, const odai_detection *d,
                               int iw, int ih, float *rot, odai_error *err) {
  int s = o->rotation_vector_start_keypoint_index, e = o->rotation_vector_end_keypoint_index;
  if (iw <= 0 || ih <= 0)
    return odai_error_set(err, ODAI_E_INVALID,
                          "DetectionsToRects: image size is required to compute rotation");
  if (s < 0 || e < 0 || s >= d->num_keypoints || e >= d->num_keypoints)
    return odai_error_set(err, ODAI_E_INVALID,
                          "DetectionsToRects: rotation keypoints %d/%d but detection has %d", s, e,
                          d->num_keypoints);
  const float x0 = d->keypoints[s].x * (float)iw, y0 = d->keypoints[s].y * (float)ih;
  const float x1 = d->keypoints[e].x * (float)iw, y1 = d->keypoints[e].y * (float)ih;
  *rot = odai_normalize_radians(o->rotation_vector_target_angle - atan2f(-(y1 - y0), x1 - x0));
  return ODAI_OK;
}

static odai_status keypoint_bounds(const odai_detection *d, odai_norm_rect *r, odai_error *err) {
  if (d->num_keypoints < 2)
    return odai_error_set(err, ODAI_E_INVALID,
                          "DetectionsToRects: 2 or more key points required to calculate a rect");
  float x0 = FLT_MAX, y0 = FLT_MAX, x1 = -FLT_MAX, y1 = -FLT_MAX;
  for (int i = 0; i < d->num_keypoints; i++) {
    x0 = fminf(x0, d->keypoints[i].x);
    y0 = fminf(y0, d->keypoints[i].y);
    x1 = fmaxf(x1, d->keypoints[i].x);
    y1 = fmaxf(y1, d->keypoints[i].y);
  }
  r->x_center = (x0 + x1) / 2;
  r->y_center = (y0 + y1) / 2;
  r->width = x1 - x0;
  r->height = y1 - y0;
  return ODAI_OK;
}

odai_status odai_detection_to_norm_rect(const odai_detections_to_rects_options *o,
                                        const odai_detection *d, int iw, int ih,
                                        odai_norm_rect *out, odai_error *err) {
  memset(out, 0, sizeof(*out));
  if (o->conversion_mode == ODAI_RECT_CONVERSION_USE_KEYPOINTS) {
    odai_status st = keypoint_bounds(d, out, err);
    if (st != ODAI_OK) return st;
  } else {
    out->x_center = d->xmin + d->width / 2;
    out->y_center = d->ymin + d->height / 2;
    out->width = d->width;
    out->height = d->height;
  }
  if (o->has_rotation_vector) return rotation_of(o, d, iw, ih, &out->rotation, err);
  return ODAI_OK;
}

odai_status odai_detection_to_rect(const odai_detections_to_rects_options *o,
                                   const odai_detection *d, int iw, int ih, odai_rect *out,
                                   odai_error *err) {
  memset(out, 0, sizeof(*out));
  if (iw <= 0 || ih <= 0)
    return odai_error_set(err, ODAI_E_INVALID,
                          "DetectionsToRects: a pixel RECT needs the image size");
  odai_norm_rect n;
  odai_status st = odai_detection_to_norm_rect(o, d, iw, ih, &n, err);
  if (st != ODAI_OK) return st;
  if (o->conversion_mode == ODAI_RECT_CONVERSION_USE_KEYPOINTS) {
    out->x_center = (int32_t)lroundf(n.x_center * (float)iw);
    out->y_center = (int32_t)lroundf(n.y_center * (float)ih);
    out->width = (int32_t)lroundf(n.width * (float)iw);
    out->height = (int32_t)lroundf(n.height * (float)ih);
  } else {
    /* odai detections are relative; scale the box to pixels. */
    float x0 = d->xmin * (float)iw, y0 = d->ymin * (float)ih;
    float w = d->width * (float)iw, h = d->height * (float)ih;
    out->x_center = (int32_t)(x0 + w / 2);
    out->y_center = (int32_t)(y0 + h / 2);
    out->width = (int32_t)w;
    out->height = (int32_t)h;
  }
  out->rotation = n.rotation;
  return ODAI_OK;
}

void odai_rect_transform_options_init(odai_rect_transform_options *o) {
  memset(o, 0, sizeof(*o));
  o->scale_x = 1.0f;
  o->scale_y = 1.0f;
}

void odai_norm_rect_transform(const odai_rect_transform_options *o, odai_norm_rect *r, int iw,
                              int ih) {
  float width = r->width, height = r->height, rotation = r->rotation;
  if (o->has_rotation) rotation = odai_normalize_radians(rotation + o->rotation);
  if (rotation == 0.f || iw <= 0 || ih <= 0) {
    r->x_center += width * o->shift_x;
    r->y_center += height * o->shift_y;
  } else {
    const float fw = (float)iw, fh = (float)ih;
    const float xs = (fw * width * o->shift_x * cosf(rotation) -
                      fh * height * o->shift_y * sinf(rotation)) /
                     fw;
    const float ys = (fw * width * o->shift_x * sinf(rotation) +
                      fh * height * o->shift_y * cosf(rotation)) /
                     fh;
    r->x_center += xs;
    r->y_center += ys;
  }
  if ((o->square_long || o->square_short) && iw > 0 && ih > 0) {
    const float a = width * (float)iw, b = height * (float)ih;
    const float side = o->square_long ? fmaxf(a, b) : fminf(a, b);
    width = side / (float)iw;
    height = side / (float)ih;
  }
  r->width = width * o->scale_x;
  r->height = height * o->scale_y;
}

void odai_rect_transform(const odai_rect_transform_options *o, odai_rect *r) {
  float width = (float)r->width, height = (float)r->height, rotation = r->rotation;
  if (o->has_rotation) rotation = odai_normalize_radians(rotation + o->rotation);
  if (rotation == 0.f) {
    r->x_center = (int32_t)((float)r->x_center + width * o->shift_x);
    r->y_center = (int32_t)((float)r->y_center + height * o->shift_y);
  } else {
    const float xs = width * o->shift_x * cosf(rotation) - height * o->shift_y * sinf(rotation);
    const float ys = width * o->shift_x * sinf(rotation) + height * o->shift_y * cosf(rotation);
    r->x_center = (int32_t)((float)r->x_center + xs);
    r->y_center = (int32_t)((float)r->y_center + ys);
  }
  if (o->square_long) {
    width = height = fmaxf(width, height);
  } else if (o->square_short) {
    width = height = fminf(width, height);
  }
  r->width = (int32_t)(width * o->scale_x);
  r->height = (int32_t)(height * o->scale_y);
}

void odai_detections_label_id_to_text(odai_detections *dets, const char *const *labels,
                                      size_t num_labels, bool keep_label_id) {
  if (!dets) return;
  for (size_t i = 0; i < dets->count; i++) {
    odai_detection *d = &dets->items[i];
    if (d->label_id >= 0 && (size_t)d->label_id < num_labels && labels && labels[d->label_id]) {
      odai_detection_set_label(d, labels[d->label_id]);
    }
    if (!keep_label_id) d->label_id = -1;
  }
}
