/* inference/kernels/eltwise_avx512.c: binary/unary elementwise, pooling and
 * resize kernels for avx512 (template: eltwise_simd.inc), and the avx512 entry of
 * the dispatch table (dispatch.c), which also names conv2d_avx512.c and
 * dwconv_avx512.c. */
#include <math.h>
#include <string.h>

#include "kernels_internal.h"
#include "simd_avx512.h"

#include "eltwise_simd.inc"

void ODAI_SIMD_FN(odai_conv2d_run)(const odai_conv2d_op *op, const float *in, const void *packed,
                                   const float *residual, float *out, void *scratch,
                                   int tile_begin, int tile_end);
odai_conv2d_fn ODAI_SIMD_FN(odai_conv2d_smallc_get)(const odai_conv2d_params *p);
void ODAI_SIMD_FN(odai_dwconv_run)(const odai_dwconv_op *op, const float *in, const void *packed,
                                   float *out, void *scratch, int tile_begin, int tile_end);

/* In-register 16x16 transpose: r[j] = row j in, r[c] = column c out. */
static inline void transpose16(__m512 r[16]) {
  __m512 s[16], u[16];
  for (int g = 0; g < 4; g++) {
    __m512 a = _mm512_unpacklo_ps(r[4 * g], r[4 * g + 1]), b = _mm512_unpackhi_ps(r[4 * g], r[4 * g + 1]);
    __m512 c = _mm512_unpacklo_ps(r[4 * g + 2], r[4 * g + 3]), d = _mm512_unpackhi_ps(r[4 * g + 2], r[4 * g + 3]);
    s[4 * g + 0] = _mm512_shuffle_ps(a, c, _MM_SHUFFLE(1, 0, 1, 0)); /* cols 0,4,8,12 of the 4 rows */
    s[4 * g + 1] = _mm512_shuffle_ps(a, c, _MM_SHUFFLE(3, 2, 3, 2)); /* cols 1,5,9,13 */
    s[4 * g + 2] = _mm512_shuffle_ps(b, d, _MM_SHUFFLE(1, 0, 1, 0)); /* cols 2,6,10,14 */
    s[4 * g + 3] = _mm512_shuffle_ps(b, d, _MM_SHUFFLE(3, 2, 3, 2)); /* cols 3,7,11,15 */
  }
  for (int m = 0; m < 4; m++) {
    u[m] = _mm512_shuffle_f32x4(s[m], s[4 + m], 0x88);      /* cols m, m+8 of rows 0-7 */
    u[4 + m] = _mm512_shuffle_f32x4(s[m], s[4 + m], 0xdd);  /* cols m+4, m+12 */
    u[8 + m] = _mm512_shuffle_f32x4(s[8 + m], s[12 + m], 0x88);
    u[12 + m] = _mm512_shuffle_f32x4(s[8 + m], s[12 + m], 0xdd);
  }
  for (int k = 0; k < 8; k++) {
    r[k] = _mm512_shuffle_f32x4(u[k], u[8 + k], 0x88);
    r[k + 8] = _mm512_shuffle_f32x4(u[k], u[8 + k], 0xdd);
  }
}

/* tconv_small (kernels_internal.h): one tile = one output row y, i.e. input
 * row y / k_h and kernel row y % k_h; 16 input pixels at a time are
 * transposed so each of the k_w outputs is 16 FMAs per 16 channels. */
static void tconv_small_avx512(const odai_tconv_op *op, const float *in, const void *packed, float *out,
                               int tile_begin, int tile_end) {
  const odai_tconv_params *p = &op->p;
  const float *bias = (const float *)packed, *w = bias + 1;
  const int C = p->in_c, KW = p->k_w, W = p->in_w;
  const __m512 lo = _mm512_set1_ps(p->out_min), hi = _mm512_set1_ps(p->out_max);
  const __m512i il = _mm512_set_epi32(23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
  const __m512i ih = _mm512_set_epi32(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8);
  for (int t = tile_begin; t < tile_end; t++) {
    int b = t / p->out_h, y = t % p->out_h, iy = y / p->stride_h, ky = y % p->stride_h;
    const float *irow = in + (size_t)(b * p->in_h + iy) * W * C;
    const float *wk = w + (size_t)ky * KW * C; /* wk[kx * C + c] */
    float *orow = out + (size_t)t * p->out_w;
    int ix = 0;
    for (; ix + 16 <= W; ix += 16) {
      __m512 acc[4];
      for (int kx = 0; kx < KW; kx++) acc[kx] = _mm512_set1_ps(bias[0]);
      for (int c0 = 0; c0 < C; c0 += 16) {
        __m512 r[16];
        for (int j = 0; j < 16; j++) r[j] = _mm512_loadu_ps(irow + (size_t)(ix + j) * C + c0);
        transpose16(r);
        for (int kx = 0; kx < KW; kx++) {
          const float *wc = wk + (size_t)kx * C + c0;
          __m512 a = acc[kx];
          for (int c = 0; c < 16; c++) a = _mm512_fmadd_ps(r[c], _mm512_set1_ps(wc[c]), a);
          acc[kx] = a;
        }
      }
      for (int kx = 0; kx < KW; kx++) acc[kx] = _mm512_min_ps(_mm512_max_ps(acc[kx], lo), hi);
      float *o = orow + (size_t)ix * KW;
      if (KW == 2) {
        _mm512_storeu_ps(o, _mm512_permutex2var_ps(acc[0], il, acc[1]));
        _mm512_storeu_ps(o + 16, _mm512_permutex2var_ps(acc[0], ih, acc[1]));
      } else if (KW == 1) {
        _mm512_storeu_ps(o, acc[0]);
      } else {
        float tmp[4][16];
        for (int kx = 0; kx < KW; kx++) _mm512_storeu_ps(tmp[kx], acc[kx]);
        for (int j = 0; j < 16; j++)
          for (int kx = 0; kx < KW; kx++) o[j * KW + kx] = tmp[kx][j];
      }
    }
    for (; ix < W; ix++) { /* tail pixels: one vector dot product per output */
      for (int kx = 0; kx < KW; kx++) {
        __m512 a = _mm512_setzero_ps();
        for (int c0 = 0; c0 < C; c0 += 16)
          a = _mm512_fmadd_ps(_mm512_loadu_ps(irow + (size_t)ix * C + c0), _mm512_loadu_ps(wk + (size_t)kx * C + c0), a);
        orow[(size_t)ix * KW + kx] = odai_clampf(bias[0] + _mm512_reduce_add_ps(a), p->out_min, p->out_max);
      }
    }
  }
}

const odai_isa_table odai_isa_table_avx512 = {
    .vl = VL,
    .gemm_mr2 = GEMM_MR2,
    .gemm_mr1 = GEMM_MR1,
    .gemm_pair = 1,
    .conv2d = ODAI_SIMD_FN(odai_conv2d_run),
    .conv2d_smallc = ODAI_SIMD_FN(odai_conv2d_smallc_get),
    .dwconv = ODAI_SIMD_FN(odai_dwconv_run),
    .binary_get = ODAI_SIMD_FN(odai_binary_get),
    .unary = ODAI_SIMD_FN(odai_unary),
    .pool = ODAI_SIMD_FN(odai_pool_run),
    .resize = ODAI_SIMD_FN(odai_resize_run),
    .tconv = ODAI_SIMD_FN(odai_tconv_run),
    .tconv_small = tconv_small_avx512,
    .tconv_small_c = 16,
};
