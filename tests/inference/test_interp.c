/* tests/inference/test_interp.c: interpreter behaviour on real models:
 * inputs/outputs by index and name, load-time folding/fusion visible in the
 * plan, arena size, MobileFaceNet at batch 1 (each face alone equals its
 * half of the golden batch-2 output), failed resize keeps the interpreter
 * usable, 1 vs 2 threads give identical results, and max_memory_bytes
 * refuses an arena above it. Label media. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "golden_util.h"
#include "odai/inference.h"

static odai_model *load_model(const char *name) {
  const char *dir = golden_env("ODAI_MODEL_DIR");
  if (!dir) fail_msg("ODAI_MODEL_DIR not set (run through ctest)");
  char path[1024];
  snprintf(path, sizeof path, "%s/%s.tflite", dir, name);
  odai_model *m = NULL;
  odai_error err;
  if (odai_model_load_file(path, &m, &err) != ODAI_OK) fail_msg("%s: %s", path, err.message);
  return m;
}

static float *load_case(const char *model, const char *cas, const char *prefix, size_t *n) {
  const char *shared = golden_env("ODAI_SHARED_DIR");
  if (!shared) fail_msg("ODAI_SHARED_DIR not set");
  char dir[1024], path[1200];
  snprintf(dir, sizeof dir, "%s/refdata/tflite/%s/%s", shared, model, cas);
  if (golden_find(dir, prefix, path, sizeof path)) fail_msg("no %s*.f32 in %s", prefix, dir);
  float *d = golden_read_f32(path, n);
  if (!d) fail_msg("cannot read %s", path);
  return d;
}

static void test_io_by_name_and_plan(void **state) {
  (void)state;
  odai_model *m = load_model("face_detection_short_range");
  odai_interpreter *it;
  odai_error err;
  assert_int_equal(odai_interpreter_create(m, NULL, &it, &err), ODAI_OK);
  assert_int_equal(odai_interpreter_input_count(it), 1);
  assert_int_equal(odai_interpreter_output_count(it), 2);
  assert_int_equal(odai_interpreter_input_index(it, "input"), 0);
  assert_int_equal(odai_interpreter_output_index(it, "regressors"), 0);
  assert_int_equal(odai_interpreter_output_index(it, "classificators"), 1);
  odai_tensor_info o;
  assert_int_equal(odai_interpreter_output(it, 0, &o), ODAI_OK);
  assert_int_equal(o.rank, 3);
  assert_int_equal(o.shape[1], 896);
  assert_int_equal(o.shape[2], 16);
  assert_int_equal(odai_interpreter_output(it, 2, &o), ODAI_E_INVALID);
  odai_interpreter_stats st;
  odai_interpreter_get_stats(it, &st);
  printf("  short range: %d ops planned (file %d), arena %zu bytes (lower bound %zu), weights %zu bytes, %.1f MFLOP\n",
         st.op_count, odai_model_op_count(m), st.arena_bytes, st.peak_live_bytes, st.weight_bytes, st.flops / 1e6);
  /* 164 ops in the file; 74 DEQUANTIZE folded, 17 RELU fused, 4 RESHAPE aliased,
   * 11 channel PADs fused into their ADD, the other 5 ADDs fused into the
   * conv that produces one operand (residual) */
  assert_int_equal(st.op_count, 164 - 74 - 17 - 4 - 11 - 5);
  int residual = 0;
  for (int i = 0; i < st.op_count; i++) {
    odai_op_info oi;
    assert_int_equal(odai_interpreter_plan_op(it, i, &oi), ODAI_OK);
    assert_true(oi.code != 6 && oi.code != 19 && oi.code != 22 && oi.code != 34); /* DEQUANTIZE RELU RESHAPE PAD */
    if (oi.code == 3 && strncmp(oi.fused, "ADD", 3) == 0) residual++;
  }
  assert_int_equal(residual, 5);
  /* the first-fit plan stays within 25% of the most bytes live at one op
   * (MODEL_FACTS: 1.38 MB peak; we also keep the 196 KB input alive) */
  assert_true(st.peak_live_bytes > 0);
  assert_true(st.arena_bytes >= st.peak_live_bytes);
  assert_true(st.arena_bytes <= st.peak_live_bytes + st.peak_live_bytes / 4);
  assert_true(st.flops > 55e6 && st.flops < 70e6);
  odai_interpreter_free(it);
  odai_model_free(m);
}

static void test_mobilefacenet_prelu_fused(void **state) {
  (void)state;
  odai_model *m = load_model("MobileFaceNet");
  odai_interpreter *it;
  odai_error err;
  assert_int_equal(odai_interpreter_create(m, NULL, &it, &err), ODAI_OK);
  odai_interpreter_stats st;
  odai_interpreter_get_stats(it, &st);
  int prelu = 0, other_elem = 0;
  for (int i = 0; i < st.op_count; i++) {
    odai_op_info oi;
    odai_interpreter_plan_op(it, i, &oi);
    if (oi.code == 54 || strcmp(oi.fused, "PRELU") == 0) prelu++; /* standalone or inside a conv */
    if (oi.code == 101 || oi.code == 41 || oi.code == 19) other_elem++; /* ABS SUB RELU */
  }
  printf("  MobileFaceNet: %d ops planned (file %d), %d PReLU (pattern-fused), arena %zu bytes\n", st.op_count,
         odai_model_op_count(m), prelu, st.arena_bytes);
  assert_int_equal(prelu, 33);
  assert_int_equal(other_elem, 0);
  odai_interpreter_free(it);
  odai_model_free(m);
}

/* Glue ops that load-time work removes from the executed plan. */
static void test_glue_folded(void **state) {
  (void)state;
  static const struct {
    const char *model;
    int absent[4];       /* op codes that must not be executed */
    const char *fused;   /* a fused-op label that must appear */
  } cases[] = {
      {"face_detection_full_range_sparse", {34, 124, 6, 19}, "RELU"}, /* PAD DENSIFY DEQUANTIZE RELU */
      {"pose_detection", {124, 6, 22, -1}, "RELU6"},                  /* DENSIFY DEQUANTIZE RESHAPE */
      {"selfie_segmentation", {14 /* final LOGISTIC */, 6, -1, -1}, "LOGISTIC"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    odai_model *m = load_model(cases[c].model);
    odai_interpreter *it;
    odai_error err;
    assert_int_equal(odai_interpreter_create(m, NULL, &it, &err), ODAI_OK);
    odai_interpreter_stats st;
    odai_interpreter_get_stats(it, &st);
    int found = 0, spatial_logistic = 0;
    for (int i = 0; i < st.op_count; i++) {
      odai_op_info oi;
      odai_interpreter_plan_op(it, i, &oi);
      odai_tensor_info y;
      odai_interpreter_tensor(it, oi.outputs[0], &y);
      for (int k = 0; k < 4; k++) {
        if (cases[c].absent[k] == 14) { /* selfie keeps SE-gate LOGISTICs on [1,1,1,C] */
          if (oi.code == 14 && y.rank == 4 && y.shape[1] > 1) spatial_logistic++;
        } else if (cases[c].absent[k] >= 0) {
          assert_int_not_equal(oi.code, cases[c].absent[k]);
        }
      }
      if (strstr(oi.fused, cases[c].fused)) found++;
    }
    printf("  %s: %d ops executed of %d in the file, %d ops with fused %s\n", cases[c].model, st.op_count,
           odai_model_op_count(m), found, cases[c].fused);
    assert_int_equal(spatial_logistic, 0);
    assert_true(found > 0);
    odai_interpreter_free(it);
    odai_model_free(m);
  }
}

static void test_mobilefacenet_batch1(void **state) {
  (void)state;
  odai_model *m = load_model("MobileFaceNet");
  odai_interpreter *it;
  odai_error err;
  assert_int_equal(odai_interpreter_create(m, NULL, &it, &err), ODAI_OK);
  size_t n_in, n_ref;
  float *in = load_case("MobileFaceNet", "img_astronaut", "input_", &n_in);
  float *ref = load_case("MobileFaceNet", "img_astronaut", "output0_", &n_ref);
  assert_int_equal(n_in, 2 * 112 * 112 * 3);
  assert_int_equal(n_ref, 2 * 192);
  /* batch 2 as stored */
  odai_tensor_info ti, to;
  odai_interpreter_input(it, 0, &ti);
  memcpy(ti.data, in, ti.bytes);
  assert_int_equal(odai_interpreter_invoke(it, &err), ODAI_OK);
  odai_interpreter_output(it, 0, &to);
  float b2[384];
  memcpy(b2, to.data, sizeof b2);
  /* batch 1: each face alone */
  int32_t shape[4] = {1, 112, 112, 3};
  assert_int_equal(odai_interpreter_resize_input(it, 0, shape, 4, &err), ODAI_OK);
  odai_interpreter_input(it, 0, &ti);
  assert_int_equal(ti.shape[0], 1);
  assert_int_equal(ti.bytes, 112 * 112 * 3 * 4);
  odai_interpreter_output(it, 0, &to);
  assert_int_equal(to.rank, 2);
  assert_int_equal(to.shape[0], 1);
  assert_int_equal(to.shape[1], 192);
  for (int face = 0; face < 2; face++) {
    odai_interpreter_input(it, 0, &ti);
    memcpy(ti.data, in + (size_t)face * 112 * 112 * 3, ti.bytes);
    assert_int_equal(odai_interpreter_invoke(it, &err), ODAI_OK);
    odai_interpreter_output(it, 0, &to);
    double ma = 0, mr = 0, sa = 0, sr = 0;
    golden_compare(to.data, ref + face * 192, 192, &ma, &mr);
    golden_compare(to.data, b2 + face * 192, 192, &sa, &sr);
    printf("  face %d alone: vs golden max_abs %.3g max_rel %.3g; vs our batch-2 max_abs %.3g\n", face, ma, mr, sa);
    assert_true(mr <= 5e-5);
    assert_true(sa <= 1e-5); /* kernel tiling differs with the batch */
  }
  /* a shape the graph cannot take fails and leaves the interpreter usable */
  int32_t bad[4] = {1, 112, 112, 4};
  assert_int_equal(odai_interpreter_resize_input(it, 0, bad, 4, &err), ODAI_E_INVALID);
  printf("  bad resize: %s\n", err.message);
  odai_interpreter_input(it, 0, &ti);
  assert_int_equal(ti.shape[3], 3);
  memcpy(ti.data, in, ti.bytes);
  assert_int_equal(odai_interpreter_invoke(it, &err), ODAI_OK);
  odai_interpreter_output(it, 0, &to);
  double ma = 0, mr = 0;
  golden_compare(to.data, ref, 192, &ma, &mr);
  assert_true(mr <= 5e-5);
  free(in);
  free(ref);
  odai_interpreter_free(it);
  odai_model_free(m);
}

/* max_memory_bytes: a model whose arena exceeds it is refused at create with
 * the sizes named; a resize that would exceed it fails and the interpreter
 * keeps its shapes and still runs (a hostile model declaring huge tensors
 * cannot make create allocate gigabytes). */
static void test_memory_cap(void **state) {
  (void)state;
  odai_model *m = load_model("face_detection_short_range");
  odai_interpreter *it = NULL;
  odai_error err;
  odai_interpreter_options o;
  odai_interpreter_options_init(&o);
  assert_int_equal(o.max_memory_bytes, 0); /* 0 = the default cap */
  o.max_memory_bytes = 1u << 20;           /* short range needs ~1.5 MB */
  assert_int_equal(odai_interpreter_create(m, &o, &it, &err), ODAI_E_NOMEM);
  assert_null(it);
  printf("  1 MB cap: %s\n", err.message);
  assert_non_null(strstr(err.message, "activation arena"));
  assert_non_null(strstr(err.message, "max_memory_bytes (1048576)"));
  o.max_memory_bytes = 4u << 20;
  assert_int_equal(odai_interpreter_create(m, &o, &it, &err), ODAI_OK);
  int32_t big[4] = {8, 128, 128, 3}; /* batch 8: ~12 MB of activations */
  assert_int_equal(odai_interpreter_resize_input(it, 0, big, 4, &err), ODAI_E_NOMEM);
  printf("  batch 8 under a 4 MB cap: %s\n", err.message);
  odai_tensor_info ti;
  odai_interpreter_input(it, 0, &ti);
  assert_int_equal(ti.shape[0], 1);
  memset(ti.data, 0, ti.bytes);
  assert_int_equal(odai_interpreter_invoke(it, &err), ODAI_OK);
  odai_interpreter_free(it);
  odai_model_free(m);
}

static void test_threads_identical(void **state) {
  (void)state;
  odai_model *m = load_model("face_detection_full_range");
  odai_interpreter *it;
  odai_error err;
  assert_int_equal(odai_interpreter_create(m, NULL, &it, &err), ODAI_OK);
  size_t n_in;
  float *in = load_case("face_detection_full_range", "img_astronaut", "input_", &n_in);
  odai_tensor_info ti, to;
  float *first = NULL;
  for (int threads = 1; threads <= 3; threads++) {
    assert_int_equal(odai_interpreter_set_num_threads(it, threads, &err), ODAI_OK);
    assert_int_equal(odai_interpreter_num_threads(it), threads);
    odai_interpreter_input(it, 0, &ti);
    memcpy(ti.data, in, ti.bytes);
    assert_int_equal(odai_interpreter_invoke(it, &err), ODAI_OK);
    odai_interpreter_output(it, 0, &to);
    if (!first) {
      first = malloc(to.bytes);
      memcpy(first, to.data, to.bytes);
    } else {
      assert_memory_equal(first, to.data, to.bytes); /* rows split, same arithmetic */
    }
  }
  free(first);
  free(in);
  odai_interpreter_free(it);
  odai_model_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_io_by_name_and_plan),
      cmocka_unit_test(test_mobilefacenet_prelu_fused),
      cmocka_unit_test(test_glue_folded),
      cmocka_unit_test(test_mobilefacenet_batch1),
      cmocka_unit_test(test_threads_identical),
      cmocka_unit_test(test_memory_cap),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
