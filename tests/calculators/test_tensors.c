/* tests/calculators/test_tensors.c: odai_tensors storage: shapes, zeroing,
 * the recycled-buffer cache behind odai_tensors_alloc_uninit, clone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "odai/tensors.h"

static void test_alloc_shapes_and_zeroing(void **state) {
  (void)state;
  odai_tensors *t = odai_tensors_create(2);
  assert_non_null(t);
  int32_t shape[4] = {1, 128, 128, 3};
  assert_int_equal(odai_tensors_alloc_uninit(t, 0, ODAI_DTYPE_FLOAT32, 4, shape), ODAI_OK);
  assert_int_equal(t->v[0].bytes, 128 * 128 * 3 * sizeof(float));
  assert_int_equal(odai_tensor_elements(&t->v[0]), 128 * 128 * 3);
  assert_int_equal((uintptr_t)t->v[0].data % 64, 0);
  memset(t->v[0].data, 0x7f, t->v[0].bytes);
  void *first = t->v[0].data;
  odai_tensors_free(t);

  /* the same shape again reuses the freed buffer... */
  t = odai_tensors_create(1);
  assert_int_equal(odai_tensors_alloc_uninit(t, 0, ODAI_DTYPE_FLOAT32, 4, shape), ODAI_OK);
  assert_ptr_equal(t->v[0].data, first);
  odai_tensors_free(t);
  /* ...and the zeroing variant zeroes it even then */
  t = odai_tensors_create(1);
  assert_int_equal(odai_tensors_alloc(t, 0, ODAI_DTYPE_FLOAT32, 4, shape), ODAI_OK);
  const float *f = t->v[0].data;
  for (size_t i = 0; i < odai_tensor_elements(&t->v[0]); i++) assert_true(f[i] == 0.0f);
  odai_tensors *c = odai_tensors_clone(t);
  assert_non_null(c);
  assert_int_equal(c->v[0].bytes, t->v[0].bytes);
  assert_ptr_not_equal(c->v[0].data, t->v[0].data);
  odai_tensors_free(c);
  odai_tensors_free(t);
}

static void test_bad_shapes_refused(void **state) {
  (void)state;
  odai_tensors *t = odai_tensors_create(1);
  int32_t neg[2] = {2, -1}, huge[4] = {1 << 30, 1 << 30, 1 << 30, 1 << 30};
  assert_int_equal(odai_tensors_alloc(t, 0, ODAI_DTYPE_FLOAT32, 2, neg), ODAI_E_INVALID);
  assert_int_equal(odai_tensors_alloc(t, 0, ODAI_DTYPE_FLOAT32, 4, huge), ODAI_E_INVALID);
  assert_int_equal(odai_tensors_alloc(t, 1, ODAI_DTYPE_FLOAT32, 2, neg), ODAI_E_INVALID);
  assert_null(odai_tensors_create(-1));
  odai_tensors_free(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_alloc_shapes_and_zeroing),
      cmocka_unit_test(test_bad_shapes_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
