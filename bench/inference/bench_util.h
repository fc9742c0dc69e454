/* bench/inference/bench_util.h: what the inference benchmarks share —
 * a monotonic clock, medians, and the FMA peak of one core measured in the
 * same run (the same method as shared/tools/peak.c). Benchmarks only. */
#ifndef ODAI_BENCH_INFERENCE_UTIL_H
#define ODAI_BENCH_INFERENCE_UTIL_H

#include <stdlib.h>
#include <time.h>

#include "inference/kernels/kernels.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif

static inline double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static inline int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}
static inline double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_d);
  return v[n / 2];
}

#if defined(__x86_64__)
/* 12 independent FMA chains per core: the FP32 peak of one core. */
__attribute__((target("avx512f"))) static double peak_avx512(long iters) {
  __m512 a = _mm512_set1_ps(0.999f), b = _mm512_set1_ps(0.001f);
  __m512 c[12];
  for (int i = 0; i < 12; i++) c[i] = _mm512_set1_ps(0.1f * (float)(i + 1));
  double t = now_s();
  for (long i = 0; i < iters; i++) {
#pragma GCC unroll 12
    for (int j = 0; j < 12; j++) c[j] = _mm512_fmadd_ps(c[j], a, b);
  }
  t = now_s() - t;
  __m512 s = c[0];
  for (int i = 1; i < 12; i++) s = _mm512_add_ps(s, c[i]);
  volatile float sink = _mm512_reduce_add_ps(s);
  (void)sink;
  return (double)iters * 12 * 16 * 2 / t / 1e9;
}
__attribute__((target("avx2,fma"))) static double peak_avx2(long iters) {
  __m256 a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(0.001f);
  __m256 c[12];
  for (int i = 0; i < 12; i++) c[i] = _mm256_set1_ps(0.1f * (float)(i + 1));
  double t = now_s();
  for (long i = 0; i < iters; i++) {
#pragma GCC unroll 12
    for (int j = 0; j < 12; j++) c[j] = _mm256_fmadd_ps(c[j], a, b);
  }
  t = now_s() - t;
  __m256 s = c[0];
  for (int i = 1; i < 12; i++) s = _mm256_add_ps(s, c[i]);
  float o[8];
  _mm256_storeu_ps(o, s);
  volatile float sink = o[0];
  (void)sink;
  return (double)iters * 12 * 8 * 2 / t / 1e9;
}
#endif

static inline double measure_peak(odai_isa isa) {
  double best = 0;
#if defined(__x86_64__)
  for (int r = 0; r < 8; r++) {
    double g = 0;
    if (isa == ODAI_ISA_AVX512) g = peak_avx512(2000000);
    else if (isa == ODAI_ISA_AVX2) g = peak_avx2(2000000);
    if (g > best) best = g;
  }
#else
  (void)isa;
#endif
  return best;
}

#endif
