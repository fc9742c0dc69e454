/* Face detection post-processing on golden TFLite outputs: the raw
 * regressors/classificators of face_detection_short_range and
 * face_detection_full_range_sparse for astronaut.png (refdata/tflite), put
 * through odai's anchors + decoding + weighted NMS, must match MediaPipe's
 * own detections (refdata/mediapipe/face_detection_solution_cpu.json):
 * IoU >= 0.9, keypoints within 2% of the image width, same face count. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calculators/detection/detection_ops.h"

#include "mp_ref.h"

static float iou(const odai_detection *d, const ref_det *r) {
  odai_detection b;
  odai_detection_init(&b);
  b.xmin = r->xmin;
  b.ymin = r->ymin;
  b.width = r->width;
  b.height = r->height;
  return odai_box_overlap(ODAI_OVERLAP_INTERSECTION_OVER_UNION, d, &b);
}

static void run_case(const char *tflite_dir, const char *reg_file, const char *cls_file,
                     const char *mp_model, int full_range) {
  odai_ssd_anchor_options ao;
  odai_ssd_decode_options dopt;
  if (full_range) {
    odai_ssd_anchor_options_face_full_range(&ao);
    odai_ssd_decode_options_face_full_range(&dopt);
  } else {
    odai_ssd_anchor_options_face_short_range(&ao);
    odai_ssd_decode_options_face_short_range(&dopt);
  }
  const size_t nb = (size_t)dopt.num_boxes;
  char rel[512];
  snprintf(rel, sizeof(rel), "refdata/tflite/%s/img_astronaut/%s", tflite_dir, reg_file);
  float *reg = read_f32(rel, nb * 16);
  snprintf(rel, sizeof(rel), "refdata/tflite/%s/img_astronaut/%s", tflite_dir, cls_file);
  float *cls = read_f32(rel, nb);

  odai_anchors anchors = {0};
  odai_error err;
  assert_int_equal(odai_ssd_anchors_generate(&ao, &anchors, &err), ODAI_OK);
  odai_detections raw, faces;
  odai_detections_init(&raw);
  odai_detections_init(&faces);
  if (odai_decode_detections(&dopt, reg, nb * 16, cls, nb, anchors.items, anchors.count, &raw,
                             &err) != ODAI_OK)
    fail_msg("decode: %s", err.message);
  odai_nms_options no;
  odai_nms_options_init(&no);
  no.min_suppression_threshold = 0.3f;
  no.overlap_type = ODAI_OVERLAP_INTERSECTION_OVER_UNION;
  no.algorithm = ODAI_NMS_WEIGHTED;
  odai_nms_scratch scratch = {0};
  assert_int_equal(odai_nms(&no, &raw, &faces, &scratch, &err), ODAI_OK);
  /* The golden input is the 512x512 image stretched to the model size;
   * for a square image that equals MediaPipe's letterbox, whose padding is
   * therefore zero (removing it must be the identity). */
  const float pad[4] = {0, 0, 0, 0};
  assert_int_equal(odai_detections_remove_letterbox(&faces, pad, &err), ODAI_OK);

  ref_det ref[8];
  int img_w = 0;
  int nref = load_ref(mp_model, "astronaut.png", ref, 8, &img_w);
  assert_int_equal(img_w, 512);
  printf("%s: %zu raw candidates, %zu faces (MediaPipe: %d)\n", tflite_dir, raw.count,
         faces.count, nref);
  assert_int_equal((int)faces.count, nref);
  for (int i = 0; i < nref; i++) {
    const odai_detection *d = &faces.items[i];
    float o = iou(d, &ref[i]);
    float kmax = 0;
    for (int k = 0; k < 6; k++) {
      float dx = d->keypoints[k].x - ref[i].kp[k][0], dy = d->keypoints[k].y - ref[i].kp[k][1];
      float e = sqrtf(dx * dx + dy * dy);
      if (e > kmax) kmax = e;
    }
    printf("  face %d: score %.4f (ref %.4f) box %.4f %.4f %.4f %.4f IoU %.4f, max keypoint "
           "error %.4f of width\n",
           i, d->score, ref[i].score, d->xmin, d->ymin, d->width, d->height, o, kmax);
    assert_true(o >= 0.9f);
    assert_true(kmax <= 0.02f);
    assert_true(fabsf(d->score - ref[i].score) < 0.05f);
  }
  odai_nms_scratch_fini(&scratch);
  odai_detections_fini(&raw);
  odai_detections_fini(&faces);
  odai_anchors_fini(&anchors);
  free(reg);
  free(cls);
}

static void test_short_range_astronaut(void **state) {
  (void)state;
  run_case("face_detection_short_range", "output0_regressors.f32", "output1_classificators.f32",
           "short", 0);
}

static void test_full_range_sparse_astronaut(void **state) {
  (void)state;
  run_case("face_detection_full_range_sparse", "output0_Identity.f32", "output1_Identity_1.f32",
           "full", 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_short_range_astronaut),
      cmocka_unit_test(test_full_range_sparse_astronaut),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
