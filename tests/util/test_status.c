/* tests/util/test_status.c: status strings and error formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "odai/common.h"

static void test_status_names(void **state) {
  (void)state;
  assert_string_equal(odai_status_str(ODAI_OK), "ODAI_OK: success");
  assert_non_null(strstr(odai_status_str(ODAI_E_CORRUPT), "corrupt"));
  assert_string_equal(odai_status_str((odai_status)-999), "unknown status");
}

static void test_error_set_and_prefix(void **state) {
  (void)state;
  odai_error err;
  assert_int_equal(odai_error_set(&err, ODAI_E_PARSE, "%s:%d:%d: expected '}'", "a.pbtxt", 3, 7),
                   ODAI_E_PARSE);
  assert_string_equal(err.message, "a.pbtxt:3:7: expected '}'");
  odai_error_prefix(&err, "node '%s': ", "detector");
  assert_string_equal(err.message, "node 'detector': a.pbtxt:3:7: expected '}'");
  assert_int_equal(err.code, ODAI_E_PARSE);
  assert_int_equal(odai_error_set(NULL, ODAI_E_IO, "x"), ODAI_E_IO);
}

static void test_long_message_truncated(void **state) {
  (void)state;
  odai_error err;
  char big[2000];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  odai_error_set(&err, ODAI_E_IO, "%s", big);
  assert_int_equal(strlen(err.message), ODAI_ERROR_MESSAGE_MAX - 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_status_names),
      cmocka_unit_test(test_error_set_and_prefix),
      cmocka_unit_test(test_long_message_truncated),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
