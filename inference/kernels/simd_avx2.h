/* inference/kernels/simd_avx2.h: the v_* vector vocabulary for AVX2 + FMA
 * (8 lanes). Include only from files compiled with -mavx2 -mfma. */
#ifndef ODAI_SIMD_AVX2_H
#define ODAI_SIMD_AVX2_H
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef __m256 v_f32;
#define VL 8
/* Pin a vector in a register here: keeps the compiler from re-reading a
 * value that is used several times from memory (folded into each FMA). */
#define V_KEEP(x) __asm__("" : "+x"(x))
#define ODAI_SIMD_FN(name) name##_avx2
#define GEMM_MR2 6  /* 6 rows x 16 channels = 12 ymm accumulators */
#define GEMM_MR1 8  /* 8 rows x 8 channels */

static const int32_t odai_avx2_mask_tab[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                               0,  0,  0,  0,  0,  0,  0,  0};
static inline v_f32 v_zero(void) { return _mm256_setzero_ps(); }
static inline v_f32 v_set1(float x) { return _mm256_set1_ps(x); }
static inline v_f32 v_load(const float *p) { return _mm256_loadu_ps(p); }
static inline void v_store(float *p, v_f32 v) { _mm256_storeu_ps(p, v); }
static inline __m256i v_mask(int n) {
  return _mm256_loadu_si256((const __m256i *)(odai_avx2_mask_tab + 8 - n));
}
static inline v_f32 v_load_n(const float *p, int n) { return _mm256_maskload_ps(p, v_mask(n)); }
static inline void v_store_n(float *p, v_f32 v, int n) { _mm256_maskstore_ps(p, v_mask(n), v); }
static inline v_f32 v_add(v_f32 a, v_f32 b) { return _mm256_add_ps(a, b); }
static inline v_f32 v_sub(v_f32 a, v_f32 b) { return _mm256_sub_ps(a, b); }
static inline v_f32 v_mul(v_f32 a, v_f32 b) { return _mm256_mul_ps(a, b); }
static inline v_f32 v_div(v_f32 a, v_f32 b) { return _mm256_div_ps(a, b); }
static inline v_f32 v_fma(v_f32 a, v_f32 b, v_f32 c) { return _mm256_fmadd_ps(a, b, c); }
static inline v_f32 v_max(v_f32 a, v_f32 b) { return _mm256_max_ps(a, b); }
static inline v_f32 v_min(v_f32 a, v_f32 b) { return _mm256_min_ps(a, b); }
static inline v_f32 v_abs(v_f32 a) {
  return _mm256_and_ps(a, _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff)));
}
static inline v_f32 v_prelu(v_f32 x, v_f32 a) {
  return _mm256_blendv_ps(x, _mm256_mul_ps(x, a), x); /* sign bit selects */
}
static inline v_f32 v_round(v_f32 x) {
  return _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
static inline v_f32 v_exp2i(v_f32 n) {
  __m256i i = _mm256_cvtps_epi32(n);
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(i, _mm256_set1_epi32(127)), 23));
}
static inline float v_hsum(v_f32 a) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

/* ---- k-pair vocabulary (see simd_avx512.h) */
#define V_HAS_PAIR 1
static inline v_f32 v_bcast2(const float *p) {
  double d;
  memcpy(&d, p, sizeof d);
  return _mm256_castpd_ps(_mm256_set1_pd(d));
}
/* lane i < 4: a[2i] + a[2i+1]; lane 4 + i: b[2i] + b[2i+1] */
static inline v_f32 v_pairsum2(v_f32 a, v_f32 b) {
  /* hadd: [a01 a23 b01 b23 | a45 a67 b45 b67] -> 64-bit lanes 0 2 1 3 */
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_hadd_ps(a, b)), 0xD8));
}
static inline v_f32 v_duphalf(v_f32 a) { return _mm256_permute2f128_ps(a, a, 0x00); }
static inline __m128i v_mask4(int n) {
  return _mm_loadu_si128((const __m128i *)(odai_avx2_mask_tab + 8 - n));
}
static inline v_f32 v_load_halves(const float *p0, const float *p1, int n) {
  return _mm256_set_m128(_mm_maskload_ps(p1, v_mask4(n)), _mm_maskload_ps(p0, v_mask4(n)));
}
static inline void v_store_halves(float *p0, float *p1, v_f32 v, int n) {
  if (n == 4) _mm_storeu_ps(p0, _mm256_castps256_ps128(v));
  else _mm_maskstore_ps(p0, v_mask4(n), _mm256_castps256_ps128(v));
  if (!p1) return;
  if (n == 4) _mm_storeu_ps(p1, _mm256_extractf128_ps(v, 1));
  else _mm_maskstore_ps(p1, v_mask4(n), _mm256_extractf128_ps(v, 1));
}
#endif
