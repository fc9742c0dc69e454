/* bench/inference/bench_models.c: whole-model latency of odai's interpreter
 * (median, p10, p90 of invoke) on 1 and 2 threads for the issue-3 models,
 * next to the roofline bound (the interpreter's FLOP count over the FMA peak
 * of one core measured in the same run) and XNNPACK's whole-model figures
 * measured on this machine kind (shared/tools/README.md; for a same-run
 * comparison use shared/tools/xnnpeer/bench.sh). Prints; asserts nothing.
 * Usage: bench_models [--runs N] [--model NAME] [MODEL_DIR] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "inference/kernels/kernels.h"
#include "odai/inference.h"

#if defined(__x86_64__)
#include <immintrin.h>
__attribute__((target("avx512f"))) static double peak_avx512(long iters, double (*now)(void)) {
  __m512 a = _mm512_set1_ps(0.999f), b = _mm512_set1_ps(0.001f);
  __m512 c[12];
  for (int i = 0; i < 12; i++) c[i] = _mm512_set1_ps(0.1f * (float)(i + 1));
  double t = now();
  for (long i = 0; i < iters; i++) {
#pragma GCC unroll 12
    for (int j = 0; j < 12; j++) c[j] = _mm512_fmadd_ps(c[j], a, b);
  }
  t = now() - t;
  __m512 s = c[0];
  for (int i = 1; i < 12; i++) s = _mm512_add_ps(s, c[i]);
  volatile float sink = _mm512_reduce_add_ps(s);
  (void)sink;
  return (double)iters * 12 * 16 * 2 / t / 1e9;
}
#endif

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}
static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static const struct {
  const char *file;
  double xnn1, xnn2; /* ms, shared/tools/README.md (XNNPACK via xnnpeer, this machine kind) */
  int faces;         /* per-face figure for MobileFaceNet */
} k_models[] = {
    {"face_detection_short_range.tflite", 0.654, 0.392, 0},
    {"face_detection_full_range.tflite", 2.059, 1.183, 0},
    {"selfie_segmentation.tflite", 1.521, 1.000, 0},
    {"MobileFaceNet.tflite", 7.143, 4.519, 2},
};

int main(int argc, char **argv) {
  int runs = 50;
  const char *only = NULL, *dir = getenv("ODAI_MODEL_DIR");
  char defdir[512];
  if (!dir) {
    snprintf(defdir, sizeof defdir, "%s/.cache/odai/models", getenv("HOME") ? getenv("HOME") : ".");
    dir = defdir;
  }
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--runs") && i + 1 < argc) runs = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--model") && i + 1 < argc) only = argv[++i];
    else dir = argv[i];
  }
  if (runs < 3) runs = 3;
  double peak = 0;
#if defined(__x86_64__)
  if (odai_cpu_features_get()->avx512f)
    for (int r = 0; r < 8; r++) {
      double g = peak_avx512(2000000, now_s);
      if (g > peak) peak = g;
    }
#endif
  printf("odai whole-model latency, kernels isa %s, %d runs per figure; FMA peak of one core now: "
         "%.1f GFLOP/s\nXNNPACK column: shared/tools/README.md figures for this machine kind "
         "(not this run); shared machine: numbers are noisy\n\n",
         odai_isa_name(odai_kernels_isa()), runs, peak);
  printf("%-36s %3s | %8s %8s %8s | %9s %9s | %8s\n", "model", "thr", "median", "p10", "p90",
         "roofline", "xnnpack", "xnn/odai");
  double *t = malloc(sizeof(double) * (size_t)runs);
  if (!t) return 1;
  for (size_t mi = 0; mi < sizeof k_models / sizeof k_models[0]; mi++) {
    if (only && !strstr(k_models[mi].file, only)) continue;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, k_models[mi].file);
    odai_error err;
    odai_model *m = NULL;
    if (odai_model_load_file(path, &m, &err) != ODAI_OK) {
      printf("%-36s load failed: %s\n", k_models[mi].file, err.message);
      continue;
    }
    odai_interpreter *it = NULL;
    if (odai_interpreter_create(m, NULL, &it, &err) != ODAI_OK) {
      printf("%-36s create failed: %s\n", k_models[mi].file, err.message);
      odai_model_free(m);
      continue;
    }
    for (int thr = 1; thr <= 2; thr++) {
      if (odai_interpreter_set_num_threads(it, thr, &err) != ODAI_OK) break;
      for (int i = 0; i < odai_interpreter_input_count(it); i++) {
        odai_tensor_info in;
        if (odai_interpreter_input(it, i, &in) == ODAI_OK && in.dtype == ODAI_DTYPE_FLOAT32) {
          float *d = in.data;
          for (size_t k = 0; k < in.bytes / 4; k++) d[k] = (float)((k * 2654435761u) % 2001) / 1000.0f - 1.0f;
        }
      }
      int ok = 1;
      for (int w = 0; w < 3 && ok; w++) ok = odai_interpreter_invoke(it, &err) == ODAI_OK;
      for (int r = 0; r < runs && ok; r++) {
        double t0 = now_s();
        ok = odai_interpreter_invoke(it, &err) == ODAI_OK;
        t[r] = (now_s() - t0) * 1e3;
      }
      if (!ok) {
        printf("%-36s invoke failed: %s\n", k_models[mi].file, err.message);
        break;
      }
      qsort(t, (size_t)runs, sizeof *t, cmp_d);
      odai_interpreter_stats st;
      odai_interpreter_get_stats(it, &st);
      double roof = peak > 0 ? st.flops / (peak * 1e9 * thr) * 1e3 : 0;
      double xnn = thr == 1 ? k_models[mi].xnn1 : k_models[mi].xnn2;
      printf("%-36s %3d | %8.3f %8.3f %8.3f | %9.3f %9.3f | %8.2f", k_models[mi].file, thr,
             t[runs / 2], t[runs / 10], t[runs * 9 / 10], roof, xnn, xnn / t[runs / 2]);
      if (k_models[mi].faces) printf("  (%.3f ms per face)", t[runs / 2] / k_models[mi].faces);
      printf("\n");
    }
    odai_interpreter_free(it);
    odai_model_free(m);
  }
  free(t);
  return 0;
}
