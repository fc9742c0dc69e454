/* bench/inference/bench_models.c: whole-model latency of odai's interpreter
 * (median, p10, p90 of invoke) on 1 and 2 threads for the issue-3 models,
 * next to the roofline bound (the interpreter's FLOP count over the FMA peak
 * of one core measured in the same run) and XNNPACK's whole-model figures
 * measured on this machine kind (shared/tools/README.md; for a same-run
 * comparison use shared/tools/xnnpeer/bench.sh). Prints; asserts nothing.
 * Rows: thr 1; 2 (adaptive threading, the default); 2s (every large op split,
 * ODAI_INFERENCE_ADAPTIVE=0); MobileFaceNet also at batch 1 (one face per call).
 * Usage: bench_models [--runs N] [--model NAME] [--tsv] [--profile] [MODEL_DIR]
 * (--profile: 1-thread time per op kind)
 * (--tsv: machine-readable lines for bench/inference/compare_peer.sh) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "inference/kernels/kernels.h"
#include "odai/inference.h"

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
  int runs = 50, tsv = 0, profile = 0;
  const char *only = NULL, *dir = getenv("ODAI_MODEL_DIR");
  char defdir[512];
  if (!dir) {
    snprintf(defdir, sizeof defdir, "%s/.cache/odai/models", getenv("HOME") ? getenv("HOME") : ".");
    dir = defdir;
  }
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--runs") && i + 1 < argc) runs = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--model") && i + 1 < argc) only = argv[++i];
    else if (!strcmp(argv[i], "--tsv")) tsv = 1;
    else if (!strcmp(argv[i], "--profile")) profile = 1;
    else dir = argv[i];
  }
  if (runs < 3) runs = 3;
  double peak = odai_cpu_features_get()->avx512f ? measure_peak(ODAI_ISA_AVX512) : 0;
  if (!tsv) printf("odai whole-model latency, kernels isa %s, %d runs per figure; FMA peak of one core now: "
         "%.1f GFLOP/s\nXNNPACK column: shared/tools/README.md figures for this machine kind "
         "(not this run); shared machine: numbers are noisy\n\n",
         odai_isa_name(odai_kernels_isa()), runs, peak);
  if (!tsv) printf("%-36s %3s | %8s %8s %8s | %9s %9s | %8s\n", "model", "thr", "median", "p10", "p90",
         "roofline", "xnnpack", "xnn/odai");
  double *t = malloc(sizeof(double) * (size_t)runs * 3);
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
    /* modes: 1 thread; 2 threads (adaptive, the default); 2 threads with
     * every large op split (ODAI_INFERENCE_ADAPTIVE=0, a second
     * interpreter). Samples are taken in interleaved blocks of 10 invokes so
     * drifting background load hits every mode alike. */
    odai_interpreter *it2 = NULL;
    setenv("ODAI_INFERENCE_ADAPTIVE", "0", 1);
    odai_status cst = odai_interpreter_create(m, NULL, &it2, &err);
    unsetenv("ODAI_INFERENCE_ADAPTIVE");
    if (cst != ODAI_OK) it2 = NULL;
    for (int batch1 = 0; batch1 <= (k_models[mi].faces > 1 ? 1 : 0); batch1++) {
      odai_interpreter *its[3] = {it, it, it2};
      int thr_of[3] = {1, 2, 2};
      int nmodes = it2 ? 3 : 2, ok = 1;
      if (batch1) { /* MobileFaceNet one face per call */
        odai_tensor_info in0;
        for (int k = 0; k < 2 && ok; k++) {
          odai_interpreter *x = k ? it2 : it;
          if (!x || odai_interpreter_input(x, 0, &in0) != ODAI_OK) continue;
          int32_t shp[4];
          for (int d = 0; d < in0.rank && d < 4; d++) shp[d] = in0.shape[d];
          shp[0] = 1;
          ok = odai_interpreter_resize_input(x, 0, shp, in0.rank, &err) == ODAI_OK;
        }
      }
      for (int k = 0; k < nmodes && ok; k++) {
        odai_interpreter *x = its[k];
        for (int i = 0; i < odai_interpreter_input_count(x); i++) {
          odai_tensor_info in;
          if (odai_interpreter_input(x, i, &in) == ODAI_OK && in.dtype == ODAI_DTYPE_FLOAT32) {
            float *d = in.data;
            for (size_t q = 0; q < in.bytes / 4; q++) d[q] = (float)((q * 2654435761u) % 2001) / 1000.0f - 1.0f;
          }
        }
      }
      double *tm[3] = {t, t + runs, t + 2 * runs};
      for (int done = 0; done < runs && ok; done += 10) {
        for (int k = 0; k < nmodes && ok; k++) {
          odai_interpreter *x = its[k];
          ok = odai_interpreter_set_num_threads(x, thr_of[k], &err) == ODAI_OK;
          for (int w = 0; w < 3 && ok; w++) ok = odai_interpreter_invoke(x, &err) == ODAI_OK;
          for (int r = done; r < done + 10 && r < runs && ok; r++) {
            double t0 = now_s();
            ok = odai_interpreter_invoke(x, &err) == ODAI_OK;
            tm[k][r] = (now_s() - t0) * 1e3;
          }
        }
      }
      if (!ok) {
        printf("%-36s invoke failed: %s\n", k_models[mi].file, err.message);
        break;
      }
      static const char *mode_name[3] = {"1", "2", "2s"};
      for (int k = 0; k < nmodes; k++) {
        int thr = thr_of[k];
        qsort(tm[k], (size_t)runs, sizeof(double), cmp_d);
        odai_interpreter_stats st;
        odai_interpreter_get_stats(its[k], &st);
        double roof = peak > 0 ? st.flops / (peak * 1e9 * thr) * 1e3 : 0;
        double xnn = thr == 1 ? k_models[mi].xnn1 : k_models[mi].xnn2;
        int faces = batch1 ? 1 : k_models[mi].faces;
        char name[64];
        snprintf(name, sizeof name, "%s%s", k_models[mi].file, batch1 ? " (batch 1)" : "");
        double med = tm[k][runs / 2];
        if (tsv) {
          printf("odai\t%s\t%s\t%.4f\t%.4f\t%.4f\t%.4f\n", name, mode_name[k], med, tm[k][runs / 10],
                 tm[k][runs * 9 / 10], roof);
          continue;
        }
        printf("%-36s %3s | %8.3f %8.3f %8.3f | %9.3f %9.3f | %8.2f", name, mode_name[k], med,
               tm[k][runs / 10], tm[k][runs * 9 / 10], roof, batch1 ? 0.0 : xnn, batch1 ? 0.0 : xnn / med);
        if (faces) printf("  (%.3f ms per face)", med / faces);
        printf("\n");
      }
    }
    if (profile && odai_interpreter_set_num_threads(it, 1, &err) == ODAI_OK) {
      /* 1 thread, per op the fastest of the runs, summed per op kind */
      odai_interpreter_stats st;
      odai_interpreter_get_stats(it, &st);
      double *best = calloc((size_t)st.op_count + 1, sizeof *best), *one = calloc((size_t)st.op_count + 1, sizeof *one);
      if (best && one) {
        for (int r = 0; r < runs; r++) {
          if (odai_interpreter_invoke_timed(it, one, &err) != ODAI_OK) break;
          for (int i = 0; i < st.op_count; i++) best[i] = r == 0 || one[i] < best[i] ? one[i] : best[i];
        }
        char kinds[48][48];
        double kms[48] = {0};
        int nk = 0;
        double total = 0;
        for (int i = 0; i < st.op_count; i++) {
          odai_op_info oi;
          if (odai_interpreter_plan_op(it, i, &oi) != ODAI_OK) continue;
          char key[48];
          snprintf(key, sizeof key, "%s%s%s", oi.name, oi.fused && *oi.fused ? "+" : "", oi.fused ? oi.fused : "");
          int k = 0;
          while (k < nk && strcmp(kinds[k], key)) k++;
          if (k == nk && nk < 48) snprintf(kinds[nk++], sizeof kinds[0], "%s", key);
          if (k < 48) kms[k] += best[i];
          total += best[i];
        }
        printf("  profile %s (1 thread, fastest per op, sum %.3f ms):", k_models[mi].file, total);
        for (int k = 0; k < nk; k++) printf(" %s %.3f;", kinds[k], kms[k]);
        printf("\n");
      }
      free(best);
      free(one);
    }
    odai_interpreter_free(it2);
    odai_interpreter_free(it);
    odai_model_free(m);
  }
  free(t);
  return 0;
}
