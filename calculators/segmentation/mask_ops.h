/* Segmentation mask maths behind TensorsToSegmentationCalculator,
 * SegmentationSmoothingCalculator and the mask overlay calculators:
 * activation of a model's output tensor, bilinear resize (with an optional
 * source region, for letterboxed tensors) back to the image size, temporal
 * smoothing, and compositing onto 8-bit images (tint, background blur,
 * background replacement) with a fast separable box blur. Internal to
 * libodai. Masks are float32 in [0,1], one value per pixel, with a stride in
 * floats. No allocation per call once a scratch has grown to the frame size.
 * Thread-safety: reentrant; a scratch belongs to one thread at a time. */
#ifndef ODAI_CALC_MASK_OPS_H
#define ODAI_CALC_MASK_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calculators/render/render_ops.h"
#include "odai/common.h"

/* A borrowed float mask (transfer none). */
typedef struct odai_mask {
  float *data;
  int width, height;
  ptrdiff_t stride; /* floats per row */
} odai_mask;

typedef enum odai_mask_activation {
  ODAI_MASK_ACTIVATION_NONE = 0,
  ODAI_MASK_ACTIVATION_SIGMOID = 1,
  ODAI_MASK_ACTIVATION_SOFTMAX = 2
} odai_mask_activation;

/* One mask from an HxWxC tensor (NHWC, batch 1): channel `layer` of it
 * (MediaPipe's output_layer_index, default 1 for 2-class softmax; with C
 * == 1 it must be 0), after the activation. softmax needs C >= 2. */
odai_status odai_mask_from_tensor(const float *tensor, int width, int height, int channels,
                                  odai_mask_activation activation, int layer, const odai_mask *out,
                                  odai_error *err);

/* Bilinear resize with half-pixel centres (OpenCV INTER_LINEAR / TFLite
 * half_pixel_centers) of the region [rx0,rx1]x[ry0,ry1] (relative to src:
 * 0,0,1,1 for the whole mask; letterbox padding otherwise) onto dst. */
odai_status odai_mask_resize(const odai_mask *src, float rx0, float ry0, float rx1, float ry1,
                             const odai_mask *dst, odai_error *err);

/* SegmentationSmoothingCalculator: out = cur + (prev - cur) *
 * uncertainty(cur) * ratio, uncertainty from MediaPipe's polynomial of the
 * binary entropy (1 at p = 0.5, 0 near 0 and 1). out may alias cur. */
odai_status odai_mask_smooth(const odai_mask *cur, const odai_mask *prev, const odai_mask *out,
                             float combine_with_previous_ratio, odai_error *err);

/* Working memory for blurs (grown on demand, reused). */
typedef struct odai_mask_scratch {
  uint8_t *tmp;
  size_t tmp_cap;
  uint32_t *acc;
  size_t acc_cap;
} odai_mask_scratch;

void odai_mask_scratch_fini(odai_mask_scratch *s);

/* Box blur of radius r (window 2r+1, edges replicated), `passes` times
 * (3 passes approximate a Gaussian), from src into dst (same size and
 * channels; may be the same canvas). Cost per pixel is independent of r. */
odai_status odai_blur_box(const odai_canvas *src, const odai_canvas *dst, int radius, int passes,
                          odai_mask_scratch *scratch, odai_error *err);

/* Tint: pixel = pixel + (color - pixel) * alpha * m, m = mask (or 1 - mask
 * when invert), the mask being the size of the canvas. */
odai_status odai_mask_tint(const odai_canvas *img, const odai_mask *mask, odai_color color,
                           float alpha, bool invert, odai_error *err);

/* MediaPipe's RecolorCalculator blend: w = mask (1 - mask when invert),
 * mix = w * (adjust_with_luminance ? luma(pixel) : 1), pixel = pixel *
 * (1 - mix) + color * mix, rounded. */
odai_status odai_mask_recolor(const odai_canvas *img, const odai_mask *mask, odai_color color,
                              bool invert, bool adjust_with_luminance, odai_error *err);

/* Background blur: the image blurred (radius, 3 passes) where the mask is
 * low, kept sharp where it is high: out = img*m + blurred*(1-m). */
odai_status odai_mask_blur_background(const odai_canvas *img, const odai_mask *mask, int radius,
                                      odai_mask_scratch *scratch, odai_error *err);

/* Background replacement: out = img*m + bg*(1-m); bg is another canvas of
 * the same size and channels, or NULL to use the plain colour. */
odai_status odai_mask_replace_background(const odai_canvas *img, const odai_mask *mask,
                                         const odai_canvas *bg, odai_color color,
                                         odai_error *err);

#endif /* ODAI_CALC_MASK_OPS_H */
