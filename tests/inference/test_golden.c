/* tests/inference/test_golden.c: every supported model against the golden
 * outputs of the real TFLite runtime (shared/refdata/tflite), on all cases.
 * Prints max abs and max relative error (|a-b| / max(|b|,1)) per model and
 * holds them to per-model tolerances. Label media (needs fetched models). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "golden_util.h"
#include "inference/kernels/kernels.h"
#include "odai/inference.h"

typedef struct golden_model {
  const char *name;
  double tol_rel; /* on every output of every case */
} golden_model;

/* Tolerances hold for every kernel ISA (ref, avx2, avx512 measured; each
 * model runs once per ISA the CPU supports). The face detectors are held
 * under 1e-4 relative (issue 3; we measure <= 4.4e-5 on any ISA). The others are held to about 2x what we measure; for
 * scale, TFLite's own non-SIMD build differs from the reference by similar
 * amounts (refdata/README.md: pose_detection 3.1e-4, palm 7.2e-4 abs,
 * pose_landmark_lite 0.0755 abs on logits of magnitude ~485). Selfie masks
 * are sigmoid outputs of logits up to ~800, so 1e-4 there is already tight. */
static const golden_model k_models[] = {
    {"face_detection_short_range", 8e-5},
    {"face_detection_full_range", 8e-5},
    {"face_detection_full_range_sparse", 8e-5},
    {"selfie_segmentation", 3e-4},
    {"selfie_segmentation_landscape", 3e-4},
    {"MobileFaceNet", 5e-5},
    {"pose_detection", 5e-4},
    {"hand_landmark_lite", 2e-5},
    {"palm_detection_full", 5e-4},
    {"pose_landmark_lite", 3e-2},
};

static int run_model(const golden_model *gm, int threads) {
  const char *shared = golden_env("ODAI_SHARED_DIR"), *models = golden_env("ODAI_MODEL_DIR");
  if (!shared || !models) {
    fprintf(stderr, "ODAI_SHARED_DIR / ODAI_MODEL_DIR not set: run through ctest\n");
    return -1;
  }
  char path[1024], dir[1024];
  snprintf(path, sizeof path, "%s/%s.tflite", models, gm->name);
  odai_model *m = NULL;
  odai_interpreter *it = NULL;
  odai_error err;
  if (odai_model_load_file(path, &m, &err) != ODAI_OK) {
    fprintf(stderr, "%s: %s (fetch models with scripts/fetch-models.sh)\n", gm->name, err.message);
    return -1;
  }
  odai_interpreter_options opt;
  odai_interpreter_options_init(&opt);
  opt.num_threads = threads;
  if (odai_interpreter_create(m, &opt, &it, &err) != ODAI_OK) {
    fprintf(stderr, "%s: interpreter: %s\n", gm->name, err.message);
    odai_model_free(m);
    return -1;
  }
  snprintf(dir, sizeof dir, "%s/refdata/tflite/%s", shared, gm->name);
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "%s: no golden data in %s\n", gm->name, dir);
    odai_interpreter_free(it);
    odai_model_free(m);
    return -1;
  }
  int cases = 0, failures = 0;
  double model_abs = 0, model_rel = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.' || strstr(e->d_name, ".json")) continue;
    char cdir[1300];
    snprintf(cdir, sizeof cdir, "%s/%s", dir, e->d_name);
    char ipath[1600];
    if (golden_find(cdir, "input_", ipath, sizeof ipath) != 0) continue;
    size_t n_in = 0;
    float *in = golden_read_f32(ipath, &n_in);
    odai_tensor_info ti;
    odai_interpreter_input(it, 0, &ti);
    if (!in || n_in * 4 != ti.bytes) {
      fprintf(stderr, "%s/%s: input size %zu floats, model wants %zu bytes\n", gm->name, e->d_name, n_in, ti.bytes);
      free(in);
      failures++;
      continue;
    }
    memcpy(ti.data, in, ti.bytes);
    free(in);
    if (odai_interpreter_invoke(it, &err) != ODAI_OK) {
      fprintf(stderr, "%s/%s: invoke: %s\n", gm->name, e->d_name, err.message);
      failures++;
      continue;
    }
    cases++;
    for (int k = 0; k < odai_interpreter_output_count(it); k++) {
      char prefix[32], opath[1600];
      snprintf(prefix, sizeof prefix, "output%d_", k);
      if (golden_find(cdir, prefix, opath, sizeof opath) != 0) {
        fprintf(stderr, "%s/%s: missing %s*.f32\n", gm->name, e->d_name, prefix);
        failures++;
        continue;
      }
      size_t n_ref = 0;
      float *ref = golden_read_f32(opath, &n_ref);
      odai_tensor_info to;
      odai_interpreter_output(it, k, &to);
      if (!ref || n_ref * 4 != to.bytes) {
        fprintf(stderr, "%s/%s: output %d size mismatch (%zu floats vs %zu bytes)\n", gm->name, e->d_name, k,
                n_ref, to.bytes);
        free(ref);
        failures++;
        continue;
      }
      double ma = 0, mr = 0;
      golden_compare(to.data, ref, n_ref, &ma, &mr);
      free(ref);
      printf("  %-32s %-14s out%d %-28s max_abs %.3g max_rel %.3g\n", gm->name, e->d_name, k, to.name, ma, mr);
      if (ma > model_abs || ma != ma) model_abs = ma;
      if (mr > model_rel || mr != mr) model_rel = mr;
      if (!(mr <= gm->tol_rel)) failures++;
    }
  }
  closedir(d);
  printf("GOLDEN %-32s threads %d cases %d max_abs %.3g max_rel %.3g (tolerance %.0e) %s\n", gm->name, threads,
         cases, model_abs, model_rel, gm->tol_rel, failures ? "FAIL" : "ok");
  odai_interpreter_free(it);
  odai_model_free(m);
  return cases > 0 && failures == 0 ? 0 : -1;
}

static void test_model(void **state) {
  const golden_model *gm = *state;
  /* every kernel level this CPU runs, then back to the default */
  odai_isa def = odai_kernels_isa();
  int rc = 0;
  for (int isa = ODAI_ISA_REF; isa <= ODAI_ISA_NEON; isa++) {
    if (!odai_isa_supported((odai_isa)isa)) continue;
    odai_kernels_set_isa((odai_isa)isa);
    printf("[isa %s]\n", odai_isa_name((odai_isa)isa));
    if (run_model(gm, 1) != 0) rc = -1;
  }
  odai_kernels_set_isa(def);
  assert_int_equal(rc, 0);
}

static void test_model_threads(void **state) {
  const golden_model *gm = *state;
  assert_int_equal(run_model(gm, 2), 0);
}

int main(int argc, char **argv) {
  /* optional argv[1]: run only models whose name contains it */
  struct CMUnitTest tests[2 * sizeof k_models / sizeof k_models[0]];
  size_t n = 0;
  for (size_t i = 0; i < sizeof k_models / sizeof k_models[0]; i++) {
    if (argc > 1 && !strstr(k_models[i].name, argv[1])) continue;
    tests[n++] = (struct CMUnitTest){k_models[i].name, test_model, NULL, NULL, (void *)&k_models[i]};
  }
  /* two-thread run on the two face detectors (threads split op rows) */
  tests[n++] = (struct CMUnitTest){"face_detection_short_range_2threads", test_model_threads, NULL, NULL,
                                   (void *)&k_models[0]};
  tests[n++] = (struct CMUnitTest){"selfie_segmentation_2threads", test_model_threads, NULL, NULL,
                                   (void *)&k_models[3]};
  return _cmocka_run_group_tests("golden", tests, n, NULL, NULL);
}
