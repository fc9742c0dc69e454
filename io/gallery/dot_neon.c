/* io/gallery/dot_neon.c: NEON dot products for arm64 (4 floats a step, 4
 * accumulators). NEON is part of the arm64 baseline: no dispatch check. */
#include "dot.h"

#if defined(ODAI_DOT_HAVE_NEON)
#include <arm_neon.h>

static inline float dot_neon(const float *a, const float *b, size_t n) {
  float32x4_t s0 = vdupq_n_f32(0), s1 = vdupq_n_f32(0), s2 = vdupq_n_f32(0), s3 = vdupq_n_f32(0);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    s0 = vfmaq_f32(s0, vld1q_f32(a + i), vld1q_f32(b + i));
    s1 = vfmaq_f32(s1, vld1q_f32(a + i + 4), vld1q_f32(b + i + 4));
    s2 = vfmaq_f32(s2, vld1q_f32(a + i + 8), vld1q_f32(b + i + 8));
    s3 = vfmaq_f32(s3, vld1q_f32(a + i + 12), vld1q_f32(b + i + 12));
  }
  for (; i + 4 <= n; i += 4) s0 = vfmaq_f32(s0, vld1q_f32(a + i), vld1q_f32(b + i));
  float s = vaddvq_f32(vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3)));
  for (; i < n; i++) s += a[i] * b[i];
  return s;
}

float odai_dot_f32_neon(const float *a, const float *b, size_t n) { return dot_neon(a, b, n); }

void odai_dot_rows_f32_neon(const float *m, size_t rows, size_t dim, const float *x, float *out) {
  for (size_t r = 0; r < rows; r++) out[r] = dot_neon(m + r * dim, x, dim);
}
#endif
