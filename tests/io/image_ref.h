/* tests/io/image_ref.h: plain C reference implementations of odai's pixel
 * work (format conversion, resize, rotate, flip), written from the formulas
 * in docs/image.md and nothing else, for the image tests to hold the fast
 * (libyuv) paths to. Slow on purpose: one pixel at a time, in double. */
#ifndef ODAI_TESTS_IMAGE_REF_H
#define ODAI_TESTS_IMAGE_REF_H

#include <stdint.h>

#include "odai/image.h"

/* Canonical pixel: R, G, B, A in 0..255 (double). */
typedef struct ref_px {
  double r, g, b, a;
} ref_px;

/* A canonical image: w*h ref_px, row-major. */
typedef struct ref_img {
  int w, h;
  ref_px *px;
} ref_img;

/* Decode any odai image to canonical RGBA (YUV: BT.601 limited, chroma
 * nearest-upsampled; GRAY8: R=G=B; F32: R=G=B=255*f). Caller frees px. */
ref_img ref_decode(const odai_image *img);
/* Encode canonical pixels into dst's format (dst already allocated at the
 * same size): YUV chroma = average of the 2x2 (I420/NV12) or 2x1 (YUYV)
 * block's RGB, converted; GRAY8 = full-range luma; missing alpha = 255. */
void ref_encode(const ref_img *src, odai_image *dst);
void ref_free(ref_img *r);

/* Max absolute difference between two same-sized same-format images over
 * all meaningful bytes (u8) or floats*255 (F32/F32C3); -1 on a mismatch of
 * size/format. plane >= 0 restricts to one plane. */
double ref_max_diff(const odai_image *a, const odai_image *b, int plane);
/* Mean absolute difference, same rules. */
double ref_mean_diff(const odai_image *a, const odai_image *b);

/* A smooth, colourful test image (values kept within 16..239 so YUV round
 * trips don't clip) with a little deterministic noise, in RGB8. */
odai_image *ref_make_rgb(int w, int h, unsigned seed);
/* The same picture in any format (through ref_encode). */
odai_image *ref_make(int w, int h, odai_pixel_format fmt, unsigned seed);

/* Reference resize of packed formats (all but YUYV/NV12/I420), per
 * channel, per axis: bilinear with centres aligned when shrinking and
 * corners aligned when enlarging; area = exact fractional box average
 * (shrinking); nearest = floor((x + 0.5) * scale) in 16.16 fixed point
 * (libyuv's stepping). */
odai_image *ref_resize(const odai_image *src, int dw, int dh, odai_resize_filter f);
/* Reference rotate (clockwise) / flip of any format without chroma
 * subsampling of pairs (all but YUYV): per element, exact. */
odai_image *ref_rotate(const odai_image *src, int deg);
odai_image *ref_flip(const odai_image *src, odai_flip flip);

#endif
