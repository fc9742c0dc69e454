/* bench/face/eval_faces.c: open-set identification figures on a face set laid
 * out like shared/testdata/faces (gallery/PERSON/PHOTO.jpg, queries/ with
 * labels.json): per-query answers, rank-1, false accepts/rejects, genuine and
 * impostor similarity ranges, at the gallery's default threshold. The same
 * pipeline as tests/face/test_face_real.c (which asserts on the dev set).
 * Usage: eval_faces [DATASET_DIR [MODEL_DIR]]. */
#include <stdio.h>
#include <stdlib.h>

#include "face_pipeline.h"

int main(int argc, char **argv) {
  char def_data[1024], def_models[1024];
  snprintf(def_data, sizeof def_data, "%s/testdata/faces",
           getenv("ODAI_SHARED_DIR") ? getenv("ODAI_SHARED_DIR") : ODAI_DEFAULT_SHARED_DIR);
  snprintf(def_models, sizeof def_models, "%s",
           getenv("ODAI_MODEL_DIR") ? getenv("ODAI_MODEL_DIR") : ODAI_DEFAULT_MODEL_DIR);
  const char *data = argc > 1 ? argv[1] : def_data, *models = argc > 2 ? argv[2] : def_models;
  face_eval_result r;
  odai_error err;
  if (face_eval_run(data, models, 1, &r, &err) != ODAI_OK) {
    fprintf(stderr, "eval_faces: %s\n", err.message);
    return 1;
  }
  printf("\n%s at T = %.2f\n", data, (double)r.threshold);
  printf("open-set right    %d/%d (enrolled %d/%d, unknown %d/%d, no face %d/%d)\n", r.correct,
         r.queries, r.enrolled_correct, r.enrolled_queries, r.unknown_correct, r.unknown_queries,
         r.noface_correct, r.noface_queries);
  printf("rank-1            %d/%d\n", r.rank1_correct, r.enrolled_queries);
  printf("false accepts     %d\nfalse rejects     %d\n", r.false_accepts, r.false_rejects);
  printf("genuine           %.3f / %.3f / %.3f (min / median / max, %d)\n",
         (double)r.genuine_min, (double)r.genuine_median, (double)r.genuine_max, r.genuine_n);
  printf("impostor          %.3f / %.3f / %.3f (min / median / max, %d)\n",
         (double)r.impostor_min, (double)r.impostor_median, (double)r.impostor_max, r.impostor_n);
  printf("per image         %.1f ms median (decode + detect + align + embed)\n", r.embed_ms_median);
  printf("quality-skippable %d\n", r.skipped_quality);
  return 0;
}
