/* io/gallery/dot.c: picks the dot-product kernel once from the CPU's features
 * (x86-64: AVX-512F, else AVX2+FMA, else scalar; arm64: NEON) and exposes
 * odai_dot_f32. */
#include <pthread.h>

#include "dot.h"
#include "odai/embedding.h"

static const odai_dot_kernel k_ref = {"scalar", odai_dot_f32_ref, odai_dot_rows_f32_ref};
#if defined(ODAI_DOT_HAVE_X86)
static const odai_dot_kernel k_avx2 = {"avx2", odai_dot_f32_avx2, odai_dot_rows_f32_avx2};
static const odai_dot_kernel k_avx512 = {"avx512", odai_dot_f32_avx512,
                                         odai_dot_rows_f32_avx512};
#endif
#if defined(ODAI_DOT_HAVE_NEON)
static const odai_dot_kernel k_neon = {"neon", odai_dot_f32_neon, odai_dot_rows_f32_neon};
#endif

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static const odai_dot_kernel *g_kernel = &k_ref;

static void pick(void) {
#if defined(ODAI_DOT_HAVE_NEON)
  g_kernel = &k_neon;
#endif
#if defined(ODAI_DOT_HAVE_X86)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) {
    g_kernel = &k_avx512;
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    g_kernel = &k_avx2;
  }
#endif
}

const odai_dot_kernel *odai_dot_kernel_get(void) {
  pthread_once(&g_once, pick);
  return g_kernel;
}

size_t odai_dot_kernels_available(const odai_dot_kernel **out, size_t max) {
  size_t n = 0;
  if (n < max) out[n++] = &k_ref;
#if defined(ODAI_DOT_HAVE_X86)
  __builtin_cpu_init();
  if (n < max && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    out[n++] = &k_avx2;
  if (n < max && __builtin_cpu_supports("avx512f")) out[n++] = &k_avx512;
#endif
#if defined(ODAI_DOT_HAVE_NEON)
  if (n < max) out[n++] = &k_neon;
#endif
  return n;
}

ODAI_API float odai_dot_f32(const float *a, const float *b, size_t n) {
  return odai_dot_kernel_get()->dot(a, b, n);
}
