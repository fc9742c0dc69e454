/* inference/kernels/pool_ref.c: reference MAX/AVERAGE pooling and
 * RESIZE_BILINEAR (TFLite semantics: average over in-bounds taps; resize with
 * align_corners / half_pixel_centers as in TFLite's reference op). */
#include <math.h>

#include "kernels_internal.h"

void odai_pool_run_ref(const odai_pool_op *op, const float *in, float *out, int tile_begin,
                       int tile_end) {
  const odai_pool_params *p = &op->p;
  for (int t = tile_begin; t < tile_end; t++) {
    int b = t / p->out_h, oy = t % p->out_h;
    for (int ox = 0; ox < p->out_w; ox++) {
      float *o = out + ((size_t)(b * p->out_h + oy) * p->out_w + ox) * p->out_pixel_stride;
      for (int c = 0; c < p->c; c++) {
        float acc = p->kind == ODAI_POOL_MAX ? -INFINITY : 0.0f;
        int count = 0;
        for (int ky = 0; ky < p->k_h; ky++) {
          int iy = oy * p->stride_h - p->pad_top + ky;
          if (iy < 0 || iy >= p->in_h) continue;
          for (int kx = 0; kx < p->k_w; kx++) {
            int ix = ox * p->stride_w - p->pad_left + kx;
            if (ix < 0 || ix >= p->in_w) continue;
            float v = in[((size_t)(b * p->in_h + iy) * p->in_w + ix) * p->in_pixel_stride + c];
            if (p->kind == ODAI_POOL_MAX) acc = v > acc ? v : acc;
            else acc += v;
            count++;
          }
        }
        if (p->kind == ODAI_POOL_AVG) acc = count > 0 ? acc / (float)count : 0.0f;
        else if (count == 0) acc = 0.0f;
        o[c] = odai_clampf(acc, p->out_min, p->out_max);
      }
    }
  }
}

void odai_resize_run_ref(const odai_resize_op *op, const float *in, float *out, int tile_begin,
                         int tile_end) {
  const odai_resize_params *p = &op->p;
  for (int t = tile_begin; t < tile_end; t++) {
    int b = t / p->out_h, y = t % p->out_h;
    float fy = p->half_pixel_centers ? ((float)y + 0.5f) * op->scale_h - 0.5f : (float)y * op->scale_h;
    int y0 = (int)floorf(fy);
    int y1 = (int)ceilf(fy);
    if (y0 < 0) y0 = 0;
    if (y1 > p->in_h - 1) y1 = p->in_h - 1;
    if (y0 > p->in_h - 1) y0 = p->in_h - 1;
    float dy = fy - (float)y0;
    for (int x = 0; x < p->out_w; x++) {
      float fx = p->half_pixel_centers ? ((float)x + 0.5f) * op->scale_w - 0.5f : (float)x * op->scale_w;
      int x0 = (int)floorf(fx);
      int x1 = (int)ceilf(fx);
      if (x0 < 0) x0 = 0;
      if (x1 > p->in_w - 1) x1 = p->in_w - 1;
      if (x0 > p->in_w - 1) x0 = p->in_w - 1;
      float dx = fx - (float)x0;
      const float *r0 = in + (size_t)(b * p->in_h + y0) * p->in_w * p->c;
      const float *r1 = in + (size_t)(b * p->in_h + y1) * p->in_w * p->c;
      float *o = out + ((size_t)(b * p->out_h + y) * p->out_w + x) * p->c;
      for (int c = 0; c < p->c; c++) {
        float v00 = r0[(size_t)x0 * p->c + c], v01 = r0[(size_t)x1 * p->c + c];
        float v10 = r1[(size_t)x0 * p->c + c], v11 = r1[(size_t)x1 * p->c + c];
        o[c] = v00 * (1.0f - dy) * (1.0f - dx) + v10 * dy * (1.0f - dx) +
               v01 * (1.0f - dy) * dx + v11 * dy * dx;
      }
    }
  }
}
