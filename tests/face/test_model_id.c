/* tests/face/test_model_id.c: the model identity of the real MobileFaceNet
 * file (ODAI_MODEL_DIR) is the sha256 listed in shared/MODELS.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>

#include "odai/embedding.h"

static void test_mobilefacenet_id(void **state) {
  (void)state;
  const char *dir = getenv("ODAI_MODEL_DIR");
  if (!dir) fail_msg("ODAI_MODEL_DIR is not set (run through ctest)");
  char path[1024];
  snprintf(path, sizeof path, "%s/MobileFaceNet.tflite", dir);
  uint8_t id[ODAI_MODEL_ID_SIZE];
  odai_error err;
  if (odai_model_id_of_file(path, id, &err) != ODAI_OK)
    fail_msg("%s (fetch the models with scripts/fetch-models.sh)", err.message);
  char hex[65];
  odai_model_id_to_hex(id, hex);
  assert_string_equal(hex, "d8ba40c0127fb8ca9917e8fddc79bbbda063657bc92a496d34da0bc8a760443b");
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_mobilefacenet_id)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
