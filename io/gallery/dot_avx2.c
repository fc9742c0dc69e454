/* io/gallery/dot_avx2.c: AVX2+FMA dot products (8 floats a step, 4
 * accumulators). Built with a function target attribute so the rest of the
 * library runs on any x86-64; only called after a CPU feature check (dot.c). */
#include "dot.h"

#if defined(ODAI_DOT_HAVE_X86)
#include <immintrin.h>

#define ODAI_AVX2 __attribute__((target("avx2,fma")))

ODAI_AVX2 static inline float hsum256(__m256 v) {
  __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
  lo = _mm_add_ps(lo, hi);
  lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
  lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
  return _mm_cvtss_f32(lo);
}

ODAI_AVX2 static inline float dot_avx2(const float *a, const float *b, size_t n) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  __m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
    s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
    s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
  }
  for (; i + 8 <= n; i += 8)
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
  float s = hsum256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
  for (; i < n; i++) s += a[i] * b[i];
  return s;
}

ODAI_AVX2 float odai_dot_f32_avx2(const float *a, const float *b, size_t n) {
  return dot_avx2(a, b, n);
}

ODAI_AVX2 void odai_dot_rows_f32_avx2(const float *m, size_t rows, size_t dim, const float *x,
                                      float *out) {
  for (size_t r = 0; r < rows; r++) out[r] = dot_avx2(m + r * dim, x, dim);
}
#endif
