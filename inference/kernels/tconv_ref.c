/* inference/kernels/tconv_ref.c: transpose convolution (MediaPipe's
 * Convolution2DTransposeBias custom op): plan (picks the SIMD kernel of
 * eltwise_simd.inc when kernel == stride, i.e. taps never overlap) and the
 * reference kernel. Each output row gathers the input rows and taps that
 * reach it, so tiles (output rows) are independent. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels_internal.h"

static size_t align_up(size_t v, size_t a) { return (v + a - 1) / a * a; }

static void odai_tconv_run_gemm(const odai_tconv_op *op, const float *in, const void *packed,
                                float *out, int tile_begin, int tile_end) {
  const odai_tconv_params *p = &op->p;
  for (int t = tile_begin; t < tile_end; t++) {
    int b = t / p->out_h, y = t % p->out_h;
    int iy = y / p->stride_h, ky = y % p->stride_h;
    odai_conv2d_run(&op->row_op, in + (size_t)(b * p->in_h + iy) * p->in_w * p->in_c,
                    (const char *)packed + (size_t)ky * op->row_op.packed_size,
                    out + (size_t)t * p->out_w * p->out_c, NULL, 0, op->row_op.num_tiles);
  }
}

odai_status odai_tconv_plan(const odai_tconv_params *p, odai_tconv_op *op, odai_error *err) {
  memset(op, 0, sizeof *op);
  if (p->batch <= 0 || p->in_h <= 0 || p->in_w <= 0 || p->in_c <= 0 || p->out_h <= 0 ||
      p->out_w <= 0 || p->out_c <= 0 || p->k_h <= 0 || p->k_w <= 0 || p->stride_h <= 0 ||
      p->stride_w <= 0 || p->pad_top < 0 || p->pad_left < 0 || isnan(p->out_min) ||
      isnan(p->out_max) || p->out_min > p->out_max ||
      (double)p->out_c * p->k_h * p->k_w * p->in_c > (double)0x7fffffff / 8 ||
      (double)p->batch * p->out_h * p->out_w * p->out_c > (double)(1ull << 40) ||
      (double)p->batch * p->in_h * p->in_w * p->in_c > (double)(1ull << 40) ||
      (double)p->batch * p->out_h > 0x7fffffff)
    return odai_error_set(err, ODAI_E_INVALID, "tconv: bad params");
  op->p = *p;
  op->num_tiles = p->batch * p->out_h;
  op->packed_size = align_up(((size_t)p->out_c + (size_t)p->out_c * p->k_h * p->k_w * p->in_c) *
                                 sizeof(float),
                             ODAI_KERNEL_ALIGN);
  op->isa = ODAI_ISA_REF;
  op->run = odai_tconv_run_ref;
  const odai_isa_table *t = odai_isa_table_get(odai_kernels_isa());
  if (t && t->tconv && p->k_h == p->stride_h && p->k_w == p->stride_w) {
    op->isa = odai_kernels_isa();
    op->run = t->tconv;
    if (t->tconv_small && p->out_c == 1 && p->k_w <= 4 && p->in_c % t->tconv_small_c == 0 &&
        p->in_c <= 256 && p->pad_top == 0 && p->pad_left == 0 && p->out_h == p->in_h * p->stride_h &&
        p->out_w == p->in_w * p->stride_w) {
      op->run = t->tconv_small;
      return ODAI_OK;
    }
    /* No padding and an exact-size output: output row y = (iy, ky) is the
     * 1x1 conv of input row iy with N = k_w * out_c (the k_w output pixels
     * of one input pixel are contiguous): the GEMM kernels do it. */
    if (p->pad_top == 0 && p->pad_left == 0 && p->out_h == p->in_h * p->stride_h &&
        p->out_w == p->in_w * p->stride_w) {
      odai_conv2d_params c = {0};
      c.batch = 1;
      c.in_h = c.out_h = 1;
      c.in_w = c.out_w = p->in_w;
      c.in_c = p->in_c;
      c.out_c = p->k_w * p->out_c;
      c.k_h = c.k_w = 1;
      c.stride_h = c.stride_w = 1;
      c.out_min = p->out_min;
      c.out_max = p->out_max;
      if (odai_conv2d_plan(&c, &op->row_op, NULL) == ODAI_OK &&
          (op->row_op.kind == ODAI_CONV_KIND_DIRECT1X1 || op->row_op.kind == ODAI_CONV_KIND_ROW1) &&
          op->row_op.scratch_size == 0) {
        op->gemm = 1;
        op->run = odai_tconv_run_gemm;
        op->packed_size = (size_t)p->k_h * op->row_op.packed_size;
      }
    }
  }

  return ODAI_OK;
}

size_t odai_tconv_packed_size(const odai_tconv_op *op) { return op->packed_size; }
int odai_tconv_num_tiles(const odai_tconv_op *op) { return op->num_tiles; }

void odai_tconv_pack(const odai_tconv_op *op, const float *w, const float *bias, void *packed) {
  const odai_tconv_params *p = &op->p;
  float *dst = (float *)packed;
  if (op->gemm) {
    /* kernel row ky: W[kx * O + o][c] = w[o][ky][kx][c], bias[kx * O + o] = bias[o] */
    int N = p->k_w * p->out_c, C = p->in_c;
    float *wk = malloc((size_t)N * C * sizeof(float)), *bk = malloc((size_t)N * sizeof(float));
    if (!wk || !bk) { /* cannot happen for sane sizes; leave zeros */
      free(wk);
      free(bk);
      memset(packed, 0, op->packed_size);
      return;
    }
    for (int ky = 0; ky < p->k_h; ky++) {
      for (int kx = 0; kx < p->k_w; kx++)
        for (int o = 0; o < p->out_c; o++) {
          bk[kx * p->out_c + o] = bias ? bias[o] : 0.0f;
          memcpy(wk + (size_t)(kx * p->out_c + o) * C,
                 w + (((size_t)o * p->k_h + ky) * p->k_w + kx) * C, (size_t)C * sizeof(float));
        }
      odai_conv2d_pack(&op->row_op, wk, bk, NULL, (char *)packed + (size_t)ky * op->row_op.packed_size);
    }
    free(wk);
    free(bk);
    return;
  }
  for (int o = 0; o < p->out_c; o++) dst[o] = bias ? bias[o] : 0.0f;
  memcpy(dst + p->out_c, w, (size_t)p->out_c * p->k_h * p->k_w * p->in_c * sizeof(float));
}

void odai_tconv_run(const odai_tconv_op *op, const float *in, const void *packed, float *out,
                    int tile_begin, int tile_end) {
  if (tile_begin < 0) tile_begin = 0;
  if (tile_end > op->num_tiles) tile_end = op->num_tiles;
  if (tile_begin >= tile_end) return;
  op->run(op, in, packed, out, tile_begin, tile_end);
}

void odai_tconv_run_ref(const odai_tconv_op *op, const float *in, const void *packed, float *out,
                        int tile_begin, int tile_end) {
  const odai_tconv_params *p = &op->p;
  const float *bias = (const float *)packed;
  const float *w = bias + p->out_c;
  for (int t = tile_begin; t < tile_end; t++) {
    int b = t / p->out_h, y = t % p->out_h;
    float *orow = out + (size_t)t * p->out_w * p->out_c;
    for (int x = 0; x < p->out_w; x++)
      for (int o = 0; o < p->out_c; o++) orow[(size_t)x * p->out_c + o] = bias[o];
    for (int ky = 0; ky < p->k_h; ky++) {
      int ny = y + p->pad_top - ky; /* = iy * stride_h */
      if (ny < 0 || ny % p->stride_h) continue;
      int iy = ny / p->stride_h;
      if (iy >= p->in_h) continue;
      for (int x = 0; x < p->out_w; x++) {
        float *o = orow + (size_t)x * p->out_c;
        for (int kx = 0; kx < p->k_w; kx++) {
          int nx = x + p->pad_left - kx;
          if (nx < 0 || nx % p->stride_w) continue;
          int ix = nx / p->stride_w;
          if (ix >= p->in_w) continue;
          const float *xi = in + ((size_t)(b * p->in_h + iy) * p->in_w + ix) * p->in_c;
          for (int oc = 0; oc < p->out_c; oc++) {
            const float *wk = w + (((size_t)oc * p->k_h + ky) * p->k_w + kx) * p->in_c;
            float acc = 0.0f;
            for (int c = 0; c < p->in_c; c++) acc += xi[c] * wk[c];
            o[oc] += acc;
          }
        }
      }
    }
    for (size_t i = 0; i < (size_t)p->out_w * p->out_c; i++)
      orow[i] = odai_clampf(orow[i], p->out_min, p->out_max);
  }
}
