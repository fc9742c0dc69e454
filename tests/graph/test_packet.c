/* tests/graph/test_packet.c: packets (refcounts, payload ownership, At,
 * typed getters), timestamps and the payload type registry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "odai/packet.h"

static int g_destroyed;
static void count_destroy(void *p) {
  g_destroyed++;
  free(p);
}
static const odai_type k_user_type = {"test.UserType", count_destroy, NULL, NULL};

static void test_scalars(void **state) {
  (void)state;
  odai_packet *p = odai_packet_new_int(42, 7);
  assert_non_null(p);
  int64_t v = 0;
  assert_int_equal(odai_packet_get_int(p, &v), ODAI_OK);
  assert_int_equal(v, 42);
  assert_int_equal(odai_packet_timestamp(p), 7);
  double d;
  assert_int_equal(odai_packet_get_float(p, &d), ODAI_E_INVALID);
  assert_ptr_equal(odai_packet_type(p), ODAI_TYPE_INT);
  assert_null(odai_packet_get(p, ODAI_TYPE_STRING));
  assert_non_null(odai_packet_get(p, ODAI_TYPE_ANY));
  odai_packet *q = odai_packet_at(p, 9);
  odai_packet_unref(p);
  assert_int_equal(odai_packet_get_int(q, &v), ODAI_OK);
  assert_int_equal(v, 42);
  assert_int_equal(odai_packet_timestamp(q), 9);
  odai_packet_unref(q);

  odai_packet *s = odai_packet_new_string("hello", 1);
  const char *str = NULL;
  assert_int_equal(odai_packet_get_string(s, &str), ODAI_OK);
  assert_string_equal(str, "hello");
  char buf[64];
  assert_string_equal(odai_packet_str(s, buf, sizeof buf), "string@1: \"hello\"");
  odai_packet_unref(s);
  odai_packet *b = odai_packet_new_bool(true, ODAI_TS_PRESTREAM);
  bool bv = false;
  assert_int_equal(odai_packet_get_bool(b, &bv), ODAI_OK);
  assert_true(bv);
  odai_packet_unref(b);
  odai_packet *f = odai_packet_new_float(2.5, 0);
  assert_int_equal(odai_packet_get_float(f, &d), ODAI_OK);
  assert_true(d == 2.5);
  odai_packet_unref(f);
}

static void test_user_payload_shared(void **state) {
  (void)state;
  g_destroyed = 0;
  odai_packet *p = NULL;
  assert_int_equal(odai_packet_new(&k_user_type, malloc(16), &p), ODAI_OK);
  odai_packet *a = odai_packet_at(p, 100);
  odai_packet *r = odai_packet_ref(a);
  assert_ptr_equal(odai_packet_get(a, &k_user_type), odai_packet_get(p, &k_user_type));
  odai_packet_unref(p);
  odai_packet_unref(a);
  assert_int_equal(g_destroyed, 0); /* r still shares the payload */
  odai_packet_unref(r);
  assert_int_equal(g_destroyed, 1);
  /* ownership is taken also on failure */
  assert_int_equal(odai_packet_new(ODAI_TYPE_ANY, NULL, &p), ODAI_E_INVALID);
  assert_null(p);
  odai_packet_unref(NULL);
}

static void test_type_registry(void **state) {
  (void)state;
  assert_ptr_equal(odai_type_find("int64"), ODAI_TYPE_INT);
  assert_null(odai_type_find("test.UserType"));
  assert_int_equal(odai_type_register(&k_user_type, NULL), ODAI_OK);
  assert_int_equal(odai_type_register(&k_user_type, NULL), ODAI_OK);
  assert_ptr_equal(odai_type_find("test.UserType"), &k_user_type);
  static const odai_type clash = {"test.UserType", NULL, NULL, NULL};
  odai_error err;
  assert_int_equal(odai_type_register(&clash, &err), ODAI_E_INVALID);
  assert_non_null(strstr(err.message, "already registered"));
  assert_true(odai_type_compatible(ODAI_TYPE_ANY, ODAI_TYPE_INT));
  assert_false(odai_type_compatible(ODAI_TYPE_STRING, ODAI_TYPE_INT));
}

static void test_timestamps(void **state) {
  (void)state;
  assert_true(ODAI_TS_UNSET < ODAI_TS_UNSTARTED && ODAI_TS_UNSTARTED < ODAI_TS_PRESTREAM &&
              ODAI_TS_PRESTREAM < ODAI_TS_MIN && ODAI_TS_MAX < ODAI_TS_POSTSTREAM &&
              ODAI_TS_POSTSTREAM < ODAI_TS_DONE);
  assert_int_equal(odai_ts_next_allowed(5), 6);
  assert_true(odai_ts_next_allowed(ODAI_TS_PRESTREAM) == ODAI_TS_DONE);
  assert_true(odai_ts_next_allowed(ODAI_TS_MAX) == ODAI_TS_DONE);
  assert_true(odai_ts_add(ODAI_TS_MAX, 10) == ODAI_TS_MAX);
  assert_true(odai_ts_add(ODAI_TS_DONE, -10) == ODAI_TS_DONE);
  assert_int_equal(odai_ts_add(10, -3), 7);
  char b[32];
  assert_string_equal(odai_ts_str(ODAI_TS_DONE, b, sizeof b), "DONE");
  assert_string_equal(odai_ts_str(-5, b, sizeof b), "-5");
  assert_false(odai_ts_is_allowed_in_stream(ODAI_TS_DONE));
  assert_true(odai_ts_is_allowed_in_stream(ODAI_TS_POSTSTREAM));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_scalars),
      cmocka_unit_test(test_user_payload_shared),
      cmocka_unit_test(test_type_registry),
      cmocka_unit_test(test_timestamps),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
