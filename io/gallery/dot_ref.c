/* io/gallery/dot_ref.c: the portable scalar dot product, the reference twin of
 * the SIMD kernels (dot_avx2.c, dot_avx512.c). Accumulates in double. */
#include "dot.h"

float odai_dot_f32_ref(const float *a, const float *b, size_t n) {
  double s = 0.0;
  for (size_t i = 0; i < n; i++) s += (double)a[i] * (double)b[i];
  return (float)s;
}

void odai_dot_rows_f32_ref(const float *m, size_t rows, size_t dim, const float *x, float *out) {
  for (size_t r = 0; r < rows; r++) out[r] = odai_dot_f32_ref(m + r * dim, x, dim);
}
