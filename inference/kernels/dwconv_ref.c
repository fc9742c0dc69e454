/* inference/kernels/dwconv_ref.c: the reference DEPTHWISE_CONV_2D kernel
 * (any kernel size, stride, dilation, padding, depth multiplier). Output
 * channel oc = ic * multiplier + m reads input channel ic. One tile = one
 * output row. */
#include "kernels_internal.h"

void odai_dwconv_run_ref(const odai_dwconv_op *op, const float *in, const void *packed, float *out,
                         void *scratch, int tile_begin, int tile_end) {
  (void)scratch;
  const odai_dwconv_params *p = &op->p;
  int C = op->out_c;
  const float *bias = (const float *)packed;
  const float *alpha = bias + C;
  const float *w = alpha + C;
  for (int t = tile_begin; t < tile_end; t++) {
    int b = t / p->out_h, oy = t % p->out_h;
    for (int ox = 0; ox < p->out_w; ox++) {
      float *o = out + ((size_t)(b * p->out_h + oy) * p->out_w + ox) * p->out_pixel_stride;
      for (int oc = 0; oc < C; oc++) {
        int ic = oc / p->multiplier;
        float acc = bias[oc];
        for (int ky = 0; ky < p->k_h; ky++) {
          int iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
          if (iy < 0 || iy >= p->in_h) continue;
          for (int kx = 0; kx < p->k_w; kx++) {
            int ix = ox * p->stride_w - p->pad_left + kx * p->dil_w;
            if (ix < 0 || ix >= p->in_w) continue;
            acc += in[((size_t)(b * p->in_h + iy) * p->in_w + ix) * p->in_pixel_stride + ic] *
                   w[((size_t)ky * p->k_w + kx) * C + oc];
          }
        }
        if (p->prelu && acc < 0.0f) acc *= alpha[oc];
        acc = odai_clampf(acc, p->out_min, p->out_max);
        if (p->hardswish) acc = acc * odai_clampf(acc + 3.0f, 0.0f, 6.0f) * (1.0f / 6.0f);
        o[oc] = acc;
      }
    }
  }
}
