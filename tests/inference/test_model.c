/* tests/inference/test_model.c: the .tflite reader on hand-made files: a
 * valid tiny model loads and runs; each kind of corruption (root offset,
 * vtable, vector length, string terminator, tensor index, buffer size, shape
 * overflow, op order / cycle) gives ODAI_E_CORRUPT with a message naming it;
 * unsupported ops are named with their index. Label unit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "odai/inference.h"
#include "tiny_tflite.h"

static tt_b g_b;

static odai_status load(const tt_b *b, size_t n, odai_error *err, odai_model **out) {
  odai_model *m = NULL;
  odai_status st = odai_model_load_from_memory(b->buf, n, &m, err);
  if (out) *out = m;
  else odai_model_free(m);
  return st;
}

static void expect_corrupt(const tt_b *b, size_t n, const char *needle) {
  odai_error err = {0};
  odai_status st = load(b, n, &err, NULL);
  printf("  -> %s\n", err.message);
  assert_int_equal(st, ODAI_E_CORRUPT);
  assert_int_equal(err.code, ODAI_E_CORRUPT);
  if (!strstr(err.message, needle)) fail_msg("message '%s' lacks '%s'", err.message, needle);
}

static void test_valid_tiny_model_runs(void **state) {
  (void)state;
  tt_spec s;
  tt_pos p;
  tt_spec_add(&s);
  size_t n = tt_build(&s, &g_b, &p);
  odai_model *m;
  odai_error err = {0};
  assert_int_equal(load(&g_b, n, &err, &m), ODAI_OK);
  assert_int_equal(odai_model_op_count(m), 1);
  odai_interpreter *it;
  assert_int_equal(odai_interpreter_create(m, NULL, &it, &err), ODAI_OK);
  odai_tensor_info in, out;
  assert_int_equal(odai_interpreter_input(it, 0, &in), ODAI_OK);
  assert_string_equal(in.name, "x");
  assert_int_equal(in.bytes, 48);
  for (int i = 0; i < 12; i++) ((float *)in.data)[i] = (float)i;
  assert_int_equal(odai_interpreter_invoke(it, &err), ODAI_OK);
  assert_int_equal(odai_interpreter_output(it, 0, &out), ODAI_OK);
  for (int i = 0; i < 12; i++) assert_true(((float *)out.data)[i] == (float)i + (float)(i % 3 + 1));
  assert_int_equal(odai_interpreter_output_index(it, "y"), 0);
  assert_int_equal(odai_interpreter_input_index(it, "nope"), -1);
  odai_interpreter_free(it);
  odai_model_free(m);
}

/* y = x + c; z = y * x; r = RELU(z): the RELU fuses into the MUL; the plan and
 * values are checked without any model file. */
static void test_tiny_fusion_and_values(void **state) {
  (void)state;
  tt_spec s;
  tt_pos p;
  tt_spec_add(&s);
  s.n_tensors = 5;
  s.tensors[3] = (tt_tensor){4, {1, 2, 2, 3}, 0, 0, "z"};
  s.tensors[4] = (tt_tensor){4, {1, 2, 2, 3}, 0, 0, "r"};
  s.n_ops = 3;
  s.ops[1] = (tt_op){18, 2, 1, {2, 0}, {3}}; /* MUL(y, x) */
  s.ops[2] = (tt_op){19, 1, 1, {3}, {4}};    /* RELU */
  s.outputs[0] = 4;
  size_t n = tt_build(&s, &g_b, &p);
  odai_model *m;
  odai_error err = {0};
  assert_int_equal(load(&g_b, n, &err, &m), ODAI_OK);
  odai_interpreter *it;
  assert_int_equal(odai_interpreter_create(m, NULL, &it, &err), ODAI_OK);
  odai_interpreter_stats st;
  odai_interpreter_get_stats(it, &st);
  assert_int_equal(st.op_count, 2);
  odai_op_info oi;
  assert_int_equal(odai_interpreter_plan_op(it, 1, &oi), ODAI_OK);
  assert_string_equal(oi.name, "MUL");
  assert_string_equal(oi.fused, "RELU");
  odai_tensor_info in, out;
  odai_interpreter_input(it, 0, &in);
  for (int i = 0; i < 12; i++) ((float *)in.data)[i] = (float)(i - 6);
  assert_int_equal(odai_interpreter_invoke(it, &err), ODAI_OK);
  odai_interpreter_output(it, 0, &out);
  for (int i = 0; i < 12; i++) {
    float x = (float)(i - 6), y = x + (float)(i % 3 + 1), z = y * x;
    assert_true(((float *)out.data)[i] == (z > 0.f ? z : 0.f));
  }
  /* batch resize: shapes propagate, values still right */
  int32_t shape[4] = {3, 2, 2, 3};
  assert_int_equal(odai_interpreter_resize_input(it, 0, shape, 4, &err), ODAI_OK);
  odai_interpreter_input(it, 0, &in);
  assert_int_equal(in.bytes, 36 * 4);
  for (int i = 0; i < 36; i++) ((float *)in.data)[i] = (float)(i % 12 - 6);
  assert_int_equal(odai_interpreter_invoke(it, &err), ODAI_OK);
  odai_interpreter_output(it, 0, &out);
  assert_int_equal(out.shape[0], 3);
  for (int i = 0; i < 36; i++) {
    float x = (float)(i % 12 - 6), y = x + (float)(i % 3 + 1), z = y * x;
    assert_true(((float *)out.data)[i] == (z > 0.f ? z : 0.f));
  }
  odai_interpreter_free(it);
  odai_model_free(m);
}

static void test_bad_identifier_and_truncation(void **state) {
  (void)state;
  tt_spec s;
  tt_pos p;
  tt_spec_add(&s);
  size_t n = tt_build(&s, &g_b, &p);
  expect_corrupt(&g_b, 5, "too small");
  for (size_t cut = 8; cut < n; cut += 7) {
    odai_error err = {0};
    odai_status st = load(&g_b, cut, &err, NULL);
    assert_int_equal(st, ODAI_E_CORRUPT); /* every truncation is caught */
  }
  g_b.buf[4] = 'X';
  expect_corrupt(&g_b, n, "TFL3");
}

static void test_bad_root_offset(void **state) {
  (void)state;
  tt_spec s;
  tt_pos p;
  tt_spec_add(&s);
  size_t n = tt_build(&s, &g_b, &p);
  tt_u32(&g_b, 0, 0x7ffffff0u);
  expect_corrupt(&g_b, n, "root (Model) table");
}

static void test_vtable_out_of_range(void **state) {
  (void)state;
  tt_spec s;
  tt_pos p;
  tt_spec_add(&s);
  size_t n = tt_build(&s, &g_b, &p);
  tt_u32(&g_b, p.root_table, (uint32_t)(-100000)); /* vtable far past the end */
  expect_corrupt(&g_b, n, "vtable");
  tt_build(&s, &g_b, &p);
  size_t vt = p.root_table - 16; /* vtable_bytes of the Model vtable -> huge */
  (void)vt;
  int32_t so;
  memcpy(&so, g_b.buf + p.root_table, 4);
  tt_u16(&g_b, p.root_table - (size_t)so, 0xfffe);
  expect_corrupt(&g_b, n, "vtable size");
}

static void test_vector_length_overflow(void **state) {
  (void)state;
  tt_spec s;
  tt_pos p;
  tt_spec_add(&s);
  size_t n = tt_build(&s, &g_b, &p);
  tt_u32(&g_b, p.tensors_vec, 0x40000001u); /* count * 4 overflows 32 bits */
  expect_corrupt(&g_b, n, "vector tensors length");
}

static void test_string_without_nul(void **state) {
  (void)state;
  tt_spec s;
  tt_pos p;
  tt_spec_add(&s);
  size_t n = tt_build(&s, &g_b, &p);
  g_b.buf[p.first_tensor_name_nul] = 'z';
  expect_corrupt(&g_b, n, "no NUL terminator");
}

static void test_tensor_index_out_of_range(void **state) {
  (void)state;
  tt_spec s;
  tt_pos p;
  tt_spec_add(&s);
  s.ops[0].in[1] = 99;
  size_t n = tt_build(&s, &g_b, &p);
  expect_corrupt(&g_b, n, "tensor index 99 out of range");
  tt_spec_add(&s);
  s.outputs[0] = -5;
  n = tt_build(&s, &g_b, &p);
  expect_corrupt(&g_b, n, "graph output tensor index");
}

static void test_buffer_too_small_for_shape(void **state) {
  (void)state;
  tt_spec s;
  tt_pos p;
  tt_spec_add(&s);
  s.tensors[1].shape[0] = 4; /* 16 bytes needed, buffer has 12 */
  size_t n = tt_build(&s, &g_b, &p);
  expect_corrupt(&g_b, n, "constant data has 12 bytes but the shape needs 16");
  tt_spec_add(&s);
  s.tensors[1].buffer = 7; /* no such buffer */
  n = tt_build(&s, &g_b, &p);
  expect_corrupt(&g_b, n, "buffer index 7 out of range");
}

static void test_shape_product_overflow(void **state) {
  (void)state;
  tt_spec s;
  tt_pos p;
  tt_spec_add(&s);
  s.tensors[2] = (tt_tensor){5, {65536, 65536, 65536, 65536, 65536}, 0, 0, "big"};
  size_t n = tt_build(&s, &g_b, &p);
  expect_corrupt(&g_b, n, "product overflows");
  tt_spec_add(&s);
  s.tensors[0].shape[1] = -3;
  n = tt_build(&s, &g_b, &p);
  expect_corrupt(&g_b, n, "negative");
}

static void test_op_reads_tensor_not_yet_produced(void **state) {
  (void)state;
  tt_spec s;
  tt_pos p;
  tt_spec_add(&s);
  /* t3 = t2 + c is listed before t2 = x + c: wrong order / cycle */
  s.n_tensors = 4;
  s.tensors[3] = (tt_tensor){4, {1, 2, 2, 3}, 0, 0, "z"};
  s.n_ops = 2;
  s.ops[0] = (tt_op){0, 2, 1, {2, 1}, {3}};
  s.ops[1] = (tt_op){0, 2, 1, {0, 1}, {2}};
  s.outputs[0] = 3;
  size_t n = tt_build(&s, &g_b, &p);
  expect_corrupt(&g_b, n, "before any op produces it");
  /* a true cycle: op0 reads its own output */
  tt_spec_add(&s);
  s.ops[0].in[0] = 2;
  n = tt_build(&s, &g_b, &p);
  expect_corrupt(&g_b, n, "before any op produces it");
  /* an op writing a constant */
  tt_spec_add(&s);
  s.ops[0].out[0] = 1;
  s.outputs[0] = 1;
  n = tt_build(&s, &g_b, &p);
  expect_corrupt(&g_b, n, "writes tensor 1");
}

static void test_shape_mismatch_caught_at_create(void **state) {
  (void)state;
  tt_spec s;
  tt_pos p;
  tt_spec_add(&s);
  s.tensors[2].shape[3] = 5; /* ADD of [..,3] + [3] cannot give [..,5] */
  size_t n = tt_build(&s, &g_b, &p);
  odai_model *m;
  odai_error err = {0};
  assert_int_equal(load(&g_b, n, &err, &m), ODAI_OK);
  odai_interpreter *it = NULL;
  assert_int_equal(odai_interpreter_create(m, NULL, &it, &err), ODAI_E_CORRUPT);
  printf("  -> %s\n", err.message);
  assert_non_null(strstr(err.message, "declared [1,2,2,5] but the op computes [1,2,2,3]"));
  odai_model_free(m);
}

static void test_unsupported_op_named(void **state) {
  (void)state;
  tt_spec s;
  tt_pos p;
  tt_spec_add(&s);
  s.n_ops = 2;
  s.n_tensors = 4;
  s.tensors[3] = (tt_tensor){4, {1, 2, 2, 3}, 0, 0, "sm"};
  s.ops[1] = (tt_op){25, 1, 1, {2}, {3}}; /* SOFTMAX */
  s.outputs[0] = 3;
  size_t n = tt_build(&s, &g_b, &p);
  odai_error err = {0};
  assert_int_equal(load(&g_b, n, &err, NULL), ODAI_E_UNSUPPORTED);
  printf("  -> %s\n", err.message);
  assert_non_null(strstr(err.message, "operator 1"));
  assert_non_null(strstr(err.message, "SOFTMAX"));
  /* codes above 127 are read from builtin_code (max of both fields) */
  s.ops[1].code = 150; /* GELU */
  n = tt_build(&s, &g_b, &p);
  assert_int_equal(load(&g_b, n, &err, NULL), ODAI_E_UNSUPPORTED);
  assert_non_null(strstr(err.message, "GELU"));
}

static void test_bit_flips_never_crash(void **state) {
  (void)state;
  tt_spec s;
  tt_pos p;
  tt_spec_add(&s);
  size_t n = tt_build(&s, &g_b, &p);
  tt_b copy;
  for (size_t i = 0; i < n; i++)
    for (int bit = 0; bit < 8; bit += 3) {
      copy = g_b;
      copy.buf[i] ^= (uint8_t)(1u << bit);
      odai_model *m = NULL;
      odai_error err;
      if (odai_model_load_from_memory(copy.buf, n, &m, &err) == ODAI_OK) {
        odai_interpreter *it = NULL;
        if (odai_interpreter_create(m, NULL, &it, &err) == ODAI_OK) {
          assert_int_equal(odai_interpreter_invoke(it, &err), ODAI_OK);
          odai_interpreter_free(it);
        }
        odai_model_free(m);
      }
    }
}

static void test_load_file_errors_name_the_problem(void **state) {
  (void)state;
  odai_model *m = NULL;
  odai_error err;
  /* a directory is refused as such, not as "out of memory" */
  assert_int_equal(odai_model_load_file("/tmp", &m, &err), ODAI_E_INVALID);
  assert_null(m);
  assert_non_null(strstr(err.message, "a directory"));
  assert_int_equal(odai_model_load_file("/nonexistent/odai/model.tflite", &m, &err),
                   ODAI_E_NOT_FOUND);
  assert_non_null(strstr(err.message, "/nonexistent/odai/model.tflite"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_valid_tiny_model_runs),
      cmocka_unit_test(test_tiny_fusion_and_values),
      cmocka_unit_test(test_bad_identifier_and_truncation),
      cmocka_unit_test(test_bad_root_offset),
      cmocka_unit_test(test_vtable_out_of_range),
      cmocka_unit_test(test_vector_length_overflow),
      cmocka_unit_test(test_string_without_nul),
      cmocka_unit_test(test_tensor_index_out_of_range),
      cmocka_unit_test(test_buffer_too_small_for_shape),
      cmocka_unit_test(test_shape_product_overflow),
      cmocka_unit_test(test_op_reads_tensor_not_yet_produced),
      cmocka_unit_test(test_shape_mismatch_caught_at_create),
      cmocka_unit_test(test_unsupported_op_named),
      cmocka_unit_test(test_bit_flips_never_crash),
      cmocka_unit_test(test_load_file_errors_name_the_problem),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
