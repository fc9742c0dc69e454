/* calculators/inference/image_to_tensor_ops.h: the pixel work behind
 * ImageToTensorCalculator, as plain functions (no graph types) so tests and
 * tasks can call them directly. Internal header. */
#ifndef ODAI_CALC_IMAGE_TO_TENSOR_OPS_H
#define ODAI_CALC_IMAGE_TO_TENSOR_OPS_H

#include <stdbool.h>

#include "odai/detection.h"
#include "odai/image.h"

/* A region of the image in pixels: centre, size, rotation (radians,
 * clockwise as in MediaPipe's NormalizedRect). */
typedef struct odai_roi {
  float cx, cy, w, h, rotation;
} odai_roi;

typedef struct odai_i2t_params {
  int out_w, out_h;
  bool keep_aspect_ratio;   /* letterbox: grow the roi to the tensor's aspect */
  float range_min, range_max; /* output value range for u8 0..255 */
  bool border_replicate;    /* false: BORDER_ZERO (pixel value 0 = range_min) */
  bool flip_horizontally;
} odai_i2t_params;

/* The roi for a normalised rect (or the whole image when rect == NULL). */
odai_roi odai_roi_from_norm_rect(const odai_norm_rect *rect, int img_w, int img_h);

/* MediaPipe's PadRoi: with keep_aspect_ratio, grow roi to the tensor's
 * aspect ratio and report the letterbox padding (left, top, right, bottom)
 * as fractions of the tensor. Without it, padding is zero. */
void odai_roi_pad(odai_roi *roi, const odai_i2t_params *p, float padding[4]);

/* MediaPipe's GetRotatedSubRectToRectTransformMatrix: the row-major 4x4
 * matrix mapping tensor-relative points ([0,1] x [0,1]) to image-relative
 * points. DetectionProjectionCalculator applies it to detections. */
void odai_roi_to_matrix(const odai_roi *roi, int img_w, int img_h, bool flip, float m[16]);

/* Sample the (rotated) roi of an RGB8/RGBA8/BGR8/GRAY8 image into a float
 * NHWC tensor of out_h x out_w x 3 (RGB order; gray is replicated), with
 * bilinear interpolation at tensor pixel centres (half-pixel convention, as
 * GPU texture sampling and TFLite's resize with half_pixel_centers). Points
 * outside the image read 0 (BORDER_ZERO, i.e. range_min) or the nearest
 * edge pixel (BORDER_REPLICATE). */
void odai_image_to_tensor_f32(const odai_image_planes *src, const odai_roi *roi,
                              const odai_i2t_params *p, float *out);

#endif
