/* tests/face/test_embedding.c: the embedding type (create, normalise, cosine,
 * refusing other models, hex ids) and the SIMD dot kernels against the
 * scalar reference on odd sizes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "face_test_util.h"
#include "io/gallery/dot.h"
#include "odai/embedding.h"

static void test_create_normalize(void **state) {
  (void)state;
  uint8_t id[ODAI_MODEL_ID_SIZE];
  ft_model(id, 1);
  float v[4] = {3, 0, 4, 0};
  odai_embedding *e = NULL;
  assert_int_equal(odai_embedding_create(4, id, v, &e, NULL), ODAI_OK);
  assert_float_equal(odai_embedding_norm(e), 5.0f, 1e-5f);
  assert_int_equal(odai_embedding_normalize(e, NULL), ODAI_OK);
  assert_float_equal(e->values[0], 0.6f, 1e-6f);
  assert_float_equal(e->values[2], 0.8f, 1e-6f);
  assert_float_equal(odai_embedding_norm(e), 1.0f, 1e-6f);
  odai_embedding *c = NULL;
  assert_int_equal(odai_embedding_copy(e, &c, NULL), ODAI_OK);
  assert_ptr_not_equal(c->values, e->values);
  assert_memory_equal(c->values, e->values, 4 * sizeof(float));
  assert_memory_equal(c->model_id, id, ODAI_MODEL_ID_SIZE);
  odai_embedding_free(c);
  odai_embedding_free(e);

  odai_error err;
  odai_embedding *z = NULL;
  assert_int_equal(odai_embedding_create(3, id, NULL, &z, NULL), ODAI_OK);
  assert_int_equal(odai_embedding_normalize(z, &err), ODAI_E_INVALID);
  assert_non_null(strstr(err.message, "zero"));
  z->values[1] = NAN;
  assert_int_equal(odai_embedding_normalize(z, &err), ODAI_E_INVALID);
  odai_embedding_free(z);
  assert_int_equal(odai_embedding_create(0, id, NULL, &z, &err), ODAI_E_INVALID);
  assert_int_equal(odai_embedding_create(ODAI_EMBEDDING_MAX_DIM + 1, id, NULL, &z, &err),
                   ODAI_E_INVALID);
  assert_null(z);
}

static void test_cosine_and_models(void **state) {
  (void)state;
  uint8_t a_id[ODAI_MODEL_ID_SIZE], b_id[ODAI_MODEL_ID_SIZE];
  ft_model(a_id, 1);
  ft_model(b_id, 2);
  float x[3] = {1, 0, 0}, y[3] = {1, 1, 0}, z[3] = {-2, 0, 0};
  odai_embedding *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL;
  assert_int_equal(odai_embedding_create(3, a_id, x, &a, NULL), ODAI_OK);
  assert_int_equal(odai_embedding_create(3, a_id, y, &b, NULL), ODAI_OK);
  assert_int_equal(odai_embedding_create(3, a_id, z, &c, NULL), ODAI_OK);
  assert_int_equal(odai_embedding_create(3, b_id, x, &d, NULL), ODAI_OK);
  assert_int_equal(odai_embedding_create(2, a_id, x, &e, NULL), ODAI_OK);
  float s = 0;
  assert_int_equal(odai_embedding_cosine(a, b, &s, NULL), ODAI_OK);
  assert_float_equal(s, 0.70710678f, 1e-6f);
  assert_int_equal(odai_embedding_cosine(a, c, &s, NULL), ODAI_OK);
  assert_float_equal(s, -1.0f, 1e-6f);
  assert_true(odai_embedding_compatible(a, b));
  assert_false(odai_embedding_compatible(a, d));
  assert_false(odai_embedding_compatible(a, e));
  odai_error err;
  s = 42;
  assert_int_equal(odai_embedding_cosine(a, d, &s, &err), ODAI_E_INVALID);
  assert_non_null(strstr(err.message, "different models"));
  assert_float_equal(s, 42, 0);
  assert_int_equal(odai_embedding_cosine(a, e, &s, &err), ODAI_E_INVALID);
  odai_embedding_free(a);
  odai_embedding_free(b);
  odai_embedding_free(c);
  odai_embedding_free(d);
  odai_embedding_free(e);
}

static void test_from_rows(void **state) {
  (void)state;
  uint8_t id[ODAI_MODEL_ID_SIZE];
  ft_model(id, 3);
  float r0[3] = {3, 4, 0}, r1[3] = {0, 0, 10}, zero[3] = {0, 0, 0};
  odai_embedding *e = NULL;
  assert_int_equal(odai_embedding_from_rows(3, id, r0, NULL, &e, NULL), ODAI_OK);
  assert_float_equal(e->values[0], 0.6f, 1e-6f);
  assert_float_equal(e->values[1], 0.8f, 1e-6f);
  assert_memory_equal(e->model_id, id, ODAI_MODEL_ID_SIZE);
  odai_embedding_free(e);
  /* (0.6, 0.8, 0) + (0, 0, 1), normalised. */
  assert_int_equal(odai_embedding_from_rows(3, id, r0, r1, &e, NULL), ODAI_OK);
  float k = 1.0f / sqrtf(2.0f);
  assert_float_equal(e->values[0], 0.6f * k, 1e-6f);
  assert_float_equal(e->values[1], 0.8f * k, 1e-6f);
  assert_float_equal(e->values[2], k, 1e-6f);
  assert_float_equal(odai_embedding_norm(e), 1.0f, 1e-6f);
  odai_embedding_free(e);
  odai_error err;
  assert_int_equal(odai_embedding_from_rows(3, id, zero, NULL, &e, &err), ODAI_E_INVALID);
  assert_null(e);
  float neg[3] = {-3, -4, 0};
  assert_int_equal(odai_embedding_from_rows(3, id, r0, neg, &e, &err), ODAI_E_INVALID);
}

static void test_hex(void **state) {
  (void)state;
  uint8_t id[ODAI_MODEL_ID_SIZE], back[ODAI_MODEL_ID_SIZE];
  ft_model(id, 0xf0);
  char hex[65];
  odai_model_id_to_hex(id, hex);
  assert_int_equal(strlen(hex), 64);
  assert_memory_equal(hex, "f0f1f2f3", 8);
  assert_int_equal(odai_model_id_from_hex(hex, back, NULL), ODAI_OK);
  assert_memory_equal(id, back, ODAI_MODEL_ID_SIZE);
  hex[5] = 'g';
  assert_int_equal(odai_model_id_from_hex(hex, back, NULL), ODAI_E_PARSE);
  assert_int_equal(odai_model_id_from_hex("abcd", back, NULL), ODAI_E_PARSE);
}

static void test_simd_dot_vs_scalar(void **state) {
  (void)state;
  const odai_dot_kernel *ks[4];
  size_t nk = odai_dot_kernels_available(ks, 4);
  assert_true(nk >= 1);
  assert_string_equal(ks[0]->name, "scalar");
  print_message("dot kernels: %zu, dispatched: %s\n", nk, odai_dot_kernel_get()->name);
  uint64_t s = 7;
  static const size_t sizes[] = {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 63, 65, 127, 129, 191, 192,
                                 193, 257, 511, 1023};
  float *a = malloc(1024 * sizeof(float)), *b = malloc(1024 * sizeof(float));
  float *m = malloc(5 * 1024 * sizeof(float)), out_ref[5], out[5];
  for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
    size_t n = sizes[si];
    /* Unaligned on purpose: start one float in. */
    for (size_t i = 0; i < n + 1; i++) {
      a[i] = ft_uniform(&s);
      b[i] = ft_uniform(&s);
    }
    for (size_t i = 0; i < 5 * n; i++) m[i] = ft_uniform(&s);
    float ref = odai_dot_f32_ref(a + 1, b + 1, n);
    double mag = 0;
    for (size_t i = 0; i < n; i++) mag += fabs((double)a[i + 1] * b[i + 1]);
    odai_dot_rows_f32_ref(m, 5, n, a + 1, out_ref);
    for (size_t k = 0; k < nk; k++) {
      float got = ks[k]->dot(a + 1, b + 1, n);
      assert_true(fabs(got - ref) <= 1e-5 * mag + 1e-6);
      ks[k]->rows(m, 5, n, a + 1, out);
      for (int r = 0; r < 5; r++) assert_true(fabsf(out[r] - out_ref[r]) <= 1e-4f);
    }
    assert_true(fabs(odai_dot_f32(a + 1, b + 1, n) - ref) <= 1e-5 * mag + 1e-6);
  }
  free(a);
  free(b);
  free(m);
}

static void test_sha256(void **state) {
  (void)state;
  static const struct {
    const char *msg, *hex;
  } v[] = {{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
           {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
           {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"}};
  char *dir = ft_tempdir();
  char path[600];
  snprintf(path, sizeof path, "%s/m.bin", dir);
  for (size_t i = 0; i < 3; i++) {
    assert_int_equal(ft_write(path, v[i].msg, strlen(v[i].msg)), 0);
    uint8_t id[ODAI_MODEL_ID_SIZE];
    char hex[65];
    assert_int_equal(odai_model_id_of_file(path, id, NULL), ODAI_OK);
    odai_model_id_to_hex(id, hex);
    assert_string_equal(hex, v[i].hex);
  }
  /* A million 'a's: many blocks, odd buffer boundaries. */
  FILE *f = fopen(path, "wb");
  for (int i = 0; i < 1000; i++) {
    char a[1000];
    memset(a, 'a', sizeof a);
    fwrite(a, 1, sizeof a, f);
  }
  fclose(f);
  uint8_t id[ODAI_MODEL_ID_SIZE];
  char hex[65];
  assert_int_equal(odai_model_id_of_file(path, id, NULL), ODAI_OK);
  odai_model_id_to_hex(id, hex);
  assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  odai_error err;
  snprintf(path, sizeof path, "%s/missing", dir);
  assert_int_equal(odai_model_id_of_file(path, id, &err), ODAI_E_NOT_FOUND);
  ft_rmdir(dir);
  free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_create_normalize),
      cmocka_unit_test(test_cosine_and_models),
      cmocka_unit_test(test_from_rows),
      cmocka_unit_test(test_hex),
      cmocka_unit_test(test_simd_dot_vs_scalar),
      cmocka_unit_test(test_sha256),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
