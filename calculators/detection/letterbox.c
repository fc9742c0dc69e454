/* Coordinate mapping of detections back to the source image: letterbox
 * padding removal (DetectionLetterboxRemovalCalculator) and projection by
 * ImageToTensorCalculator's transform matrix (DetectionProjectionCalculator). */
#include <float.h>

#include "detection_ops.h"

odai_status odai_detections_remove_letterbox(odai_detections *dets, const float padding[4],
                                             odai_error *err) {
  if (!dets || !padding) return odai_error_set(err, ODAI_E_INVALID, "letterbox: NULL argument");
  const float left = padding[0], top = padding[1];
  const float lr = padding[0] + padding[2], tb = padding[1] + padding[3];
  if (!(lr < 1.0f) || !(tb < 1.0f))
    return odai_error_set(err, ODAI_E_INVALID,
                          "letterbox: padding (%g, %g, %g, %g) leaves no image", padding[0],
                          padding[1], padding[2], padding[3]);
  const float sx = 1.0f - lr, sy = 1.0f - tb;
  for (size_t i = 0; i < dets->count; i++) {
    odai_detection *d = &dets->items[i];
    d->xmin = (d->xmin - left) / sx;
    d->ymin = (d->ymin - top) / sy;
    d->width = d->width / sx;
    d->height = d->height / sy;
    for (int k = 0; k < d->num_keypoints; k++) {
      d->keypoints[k].x = (d->keypoints[k].x - left) / sx;
      d->keypoints[k].y = (d->keypoints[k].y - top) / sy;
    }
  }
  return ODAI_OK;
}

static inline odai_point2f project(const float m[16], float x, float y) {
  odai_point2f p = {x * m[0] + y * m[1] + m[3], x * m[4] + y * m[5] + m[7]};
  return p;
}

void odai_detections_project(odai_detections *dets, const float m[16]) {
  if (!dets || !m) return;
  for (size_t i = 0; i < dets->count; i++) {
    odai_detection *d = &dets->items[i];
    for (int k = 0; k < d->num_keypoints; k++)
      d->keypoints[k] = project(m, d->keypoints[k].x, d->keypoints[k].y);
    const float x0 = d->xmin, y0 = d->ymin, x1 = d->xmin + d->width, y1 = d->ymin + d->height;
    odai_point2f c[4] = {project(m, x0, y0), project(m, x1, y0), project(m, x1, y1),
                         project(m, x0, y1)};
    float lx = FLT_MAX, ly = FLT_MAX, hx = -FLT_MAX, hy = -FLT_MAX;
    for (int k = 0; k < 4; k++) {
      if (c[k].x < lx) lx = c[k].x;
      if (c[k].y < ly) ly = c[k].y;
      if (c[k].x > hx) hx = c[k].x;
      if (c[k].y > hy) hy = c[k].y;
    }
    d->xmin = lx;
    d->ymin = ly;
    d->width = hx - lx;
    d->height = hy - ly;
  }
}
