/* io/gallery/dot_avx512.c: AVX-512F dot products (16 floats a step, masked
 * tail). Function target attribute only; dispatched from dot.c after a CPU
 * feature check. */
#include "dot.h"

#if defined(ODAI_DOT_HAVE_X86)
#include <immintrin.h>

#define ODAI_AVX512 __attribute__((target("avx512f")))

ODAI_AVX512 static inline float dot_avx512(const float *a, const float *b, size_t n) {
  __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
  __m512 s2 = _mm512_setzero_ps(), s3 = _mm512_setzero_ps();
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
    s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
    s2 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32), s2);
    s3 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48), s3);
  }
  for (; i + 16 <= n; i += 16)
    s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
  if (i < n) {
    __mmask16 k = (__mmask16)((1u << (n - i)) - 1u);
    s1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(k, a + i), _mm512_maskz_loadu_ps(k, b + i), s1);
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

ODAI_AVX512 float odai_dot_f32_avx512(const float *a, const float *b, size_t n) {
  return dot_avx512(a, b, n);
}

ODAI_AVX512 void odai_dot_rows_f32_avx512(const float *m, size_t rows, size_t dim,
                                          const float *x, float *out) {
  for (size_t r = 0; r < rows; r++) out[r] = dot_avx512(m + r * dim, x, dim);
}
#endif
