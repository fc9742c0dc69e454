/* inference/kernels/conv2d_ref.c: the reference (ground-truth) CONV_2D
 * kernel: a plain loop nest over NHWC / OHWI with float
 * accumulation, any kernel size, stride, dilation and padding. One tile =
 * one output row of one batch item. */
#include "kernels_internal.h"

void odai_conv2d_run_ref(const odai_conv2d_op *op, const float *in, const void *packed,
                         const float *residual, float *out, void *scratch, int tile_begin,
                         int tile_end) {
  (void)scratch;
  const odai_conv2d_params *p = &op->p;
  const float *bias = (const float *)packed;
  const float *alpha = bias + p->out_c;
  const float *w = alpha + p->out_c;
  int K = op->k_total;
  for (int t = tile_begin; t < tile_end; t++) {
    int b = t / p->out_h, oy = t % p->out_h;
    for (int ox = 0; ox < p->out_w; ox++) {
      size_t pix = (size_t)(b * p->out_h + oy) * p->out_w + ox;
      float *o = out + pix * p->out_pixel_stride;
      const float *r = residual ? residual + pix * p->res_pixel_stride : NULL;
      for (int oc = 0; oc < p->out_c; oc++) {
        const float *wo = w + (size_t)oc * K;
        float acc = bias[oc];
        for (int ky = 0; ky < p->k_h; ky++) {
          int iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
          if (iy < 0 || iy >= p->in_h) continue;
          for (int kx = 0; kx < p->k_w; kx++) {
            int ix = ox * p->stride_w - p->pad_left + kx * p->dil_w;
            if (ix < 0 || ix >= p->in_w) continue;
            const float *x = in + ((size_t)(b * p->in_h + iy) * p->in_w + ix) * p->in_pixel_stride;
            const float *wk = wo + ((size_t)ky * p->k_w + kx) * p->in_c;
            for (int c = 0; c < p->in_c; c++) acc += x[c] * wk[c];
          }
        }
        if (p->prelu && acc < 0.0f) acc *= alpha[oc];
        acc = odai_clampf(acc, p->out_min, p->out_max);
        if (p->hardswish) acc = acc * odai_clampf(acc + 3.0f, 0.0f, 6.0f) * (1.0f / 6.0f);
        if (r) acc = odai_clampf(acc + r[oc], p->res_min, p->res_max);
        o[oc] = acc;
      }
    }
  }
}
