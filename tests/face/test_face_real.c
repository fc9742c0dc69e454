/* tests/face/test_face_real.c: real photos (shared/testdata/faces) through
 * detection -> ArcFace alignment -> MobileFaceNet (odai's inference core) ->
 * gallery: enrolled people are named right, the others come out unknown and
 * the photos without faces have none, at the gallery's default threshold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>

#include "face_pipeline.h"

static void test_open_set_identification(void **state) {
  (void)state;
  const char *shared = getenv("ODAI_SHARED_DIR"), *models = getenv("ODAI_MODEL_DIR");
  if (!shared || !models) fail_msg("ODAI_SHARED_DIR / ODAI_MODEL_DIR not set (run through ctest)");
  face_eval_result r;
  odai_error err;
  char dataset[1024];
  snprintf(dataset, sizeof dataset, "%s/testdata/faces", shared);
  if (face_eval_run(dataset, models, 1, &r, &err) != ODAI_OK)
    fail_msg("%s (fetch the models with scripts/fetch-models.sh)", err.message);
  printf("T = %.2f: %d/%d right (enrolled %d/%d, unknown %d/%d, noface %d/%d); rank-1 %d/%d; "
         "false accepts %d, false rejects %d\n",
         (double)r.threshold, r.correct, r.queries, r.enrolled_correct, r.enrolled_queries,
         r.unknown_correct, r.unknown_queries, r.noface_correct, r.noface_queries,
         r.rank1_correct, r.enrolled_queries, r.false_accepts, r.false_rejects);
  printf("genuine %.3f / %.3f / %.3f (n %d), impostor %.3f / %.3f / %.3f (n %d)\n",
         (double)r.genuine_min, (double)r.genuine_median, (double)r.genuine_max, r.genuine_n,
         (double)r.impostor_min, (double)r.impostor_median, (double)r.impostor_max,
         r.impostor_n);
  assert_int_equal(r.queries, 16);
  assert_int_equal(r.enrolled_correct, r.enrolled_queries);
  assert_int_equal(r.unknown_correct, r.unknown_queries);
  assert_int_equal(r.noface_correct, r.noface_queries);
  assert_int_equal(r.false_accepts, 0);
  assert_true(r.genuine_min > r.threshold);
  assert_true(r.impostor_max < r.threshold);
  assert_int_equal(r.skipped_quality, 0); /* these photos are all good enough */
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_open_set_identification)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
