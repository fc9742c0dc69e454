/* inference/kernels/simd_avx512.h: the vector vocabulary (v_*) the SIMD
 * templates (*_simd.inc) are written in, for AVX-512F (16 lanes). Include
 * only from files compiled with -mavx512f -mavx512bw -mavx512vl -mfma. */
#ifndef ODAI_SIMD_AVX512_H
#define ODAI_SIMD_AVX512_H
#include <immintrin.h>
#include <stddef.h>
#include <string.h>

typedef __m512 v_f32;
#define VL 16
/* Pin a vector in a register here: keeps the compiler from re-reading a
 * value that is used several times from memory (folded into each FMA). */
#define V_KEEP(x) __asm__("" : "+v"(x))
#define ODAI_SIMD_FN(name) name##_avx512
#define GEMM_MR2 8  /* 8 rows x 32 channels = 16 zmm accumulators */
#define GEMM_MR1 8  /* 8 rows x 16 channels (more rows run out of GPRs for row pointers) */

static inline v_f32 v_zero(void) { return _mm512_setzero_ps(); }
static inline v_f32 v_set1(float x) { return _mm512_set1_ps(x); }
static inline v_f32 v_load(const float *p) { return _mm512_loadu_ps(p); }
static inline void v_store(float *p, v_f32 v) { _mm512_storeu_ps(p, v); }
static inline __mmask16 v_mask(int n) { return (__mmask16)((1u << n) - 1u); }
static inline v_f32 v_load_n(const float *p, int n) { return _mm512_maskz_loadu_ps(v_mask(n), p); }
static inline void v_store_n(float *p, v_f32 v, int n) { _mm512_mask_storeu_ps(p, v_mask(n), v); }
static inline v_f32 v_add(v_f32 a, v_f32 b) { return _mm512_add_ps(a, b); }
static inline v_f32 v_sub(v_f32 a, v_f32 b) { return _mm512_sub_ps(a, b); }
static inline v_f32 v_mul(v_f32 a, v_f32 b) { return _mm512_mul_ps(a, b); }
static inline v_f32 v_div(v_f32 a, v_f32 b) { return _mm512_div_ps(a, b); }
static inline v_f32 v_fma(v_f32 a, v_f32 b, v_f32 c) { return _mm512_fmadd_ps(a, b, c); }
static inline v_f32 v_max(v_f32 a, v_f32 b) { return _mm512_max_ps(a, b); }
static inline v_f32 v_min(v_f32 a, v_f32 b) { return _mm512_min_ps(a, b); }
static inline v_f32 v_abs(v_f32 a) { return _mm512_abs_ps(a); }
/* x < 0 ? x * a : x */
static inline v_f32 v_prelu(v_f32 x, v_f32 a) {
  __mmask16 m = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
  return _mm512_mask_mul_ps(x, m, x, a);
}
static inline v_f32 v_round(v_f32 x) {
  return _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
/* 2^n for integral n in [-126, 127] */
static inline v_f32 v_exp2i(v_f32 n) {
  __m512i i = _mm512_cvtps_epi32(n);
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(i, _mm512_set1_epi32(127)), 23));
}
static inline float v_hsum(v_f32 a) { return _mm512_reduce_add_ps(a); }

/* ---- k-pair vocabulary (conv2d_simd.inc's narrow panel of <= VL/2
 * channels): a vector holds (k even, k odd) partial sums of VL/2 channels. */
#define V_HAS_PAIR 1
/* [p[0], p[1]] repeated over the vector: one 64-bit broadcast load */
static inline v_f32 v_bcast2(const float *p) {
  double d;
  memcpy(&d, p, sizeof d);
  return _mm512_castpd_ps(_mm512_set1_pd(d));
}
/* lane i < VL/2: a[2i] + a[2i+1]; lane VL/2 + i: b[2i] + b[2i+1] */
static inline v_f32 v_pairsum2(v_f32 a, v_f32 b) {
  const __m512i ie = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
  const __m512i io = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
  return _mm512_add_ps(_mm512_permutex2var_ps(a, ie, b), _mm512_permutex2var_ps(a, io, b));
}
/* the low VL/2 lanes of a in both halves */
static inline v_f32 v_duphalf(v_f32 a) { return _mm512_shuffle_f32x4(a, a, 0x44); }
/* n <= VL/2 floats of p0 in the low half, of p1 in the high half */
static inline v_f32 v_load_halves(const float *p0, const float *p1, int n) {
  __m256 lo = _mm256_maskz_loadu_ps((__mmask8)((1u << n) - 1u), p0);
  __m256 hi = _mm256_maskz_loadu_ps((__mmask8)((1u << n) - 1u), p1);
  return _mm512_castpd_ps(
      _mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(lo)), _mm256_castps_pd(hi), 1));
}
/* the low half's n floats to p0, the high half's to p1 (p1 NULL: skipped) */
static inline void v_store_halves(float *p0, float *p1, v_f32 v, int n) {
  __m256 lo = _mm512_castps512_ps256(v);
  if (n == VL / 2) _mm256_storeu_ps(p0, lo);
  else _mm256_mask_storeu_ps(p0, (__mmask8)((1u << n) - 1u), lo);
  if (!p1) return;
  __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
  if (n == VL / 2) _mm256_storeu_ps(p1, hi);
  else _mm256_mask_storeu_ps(p1, (__mmask8)((1u << n) - 1u), hi);
}
#endif
