/* Task results vs the shipped configs: each task in IMAGE mode gives the
 * same detections / masks (float tolerance) as the matching config in configs/
 * run through the graph API (what odai-run runs) on the same photos. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tasks_test_util.h"

static const char *k_photos[] = {"astronaut.png", "messi5.jpg", "fruits.jpg", "chelsea.png",
                                 "coffee.png"};
#define N_PHOTOS (sizeof k_photos / sizeof *k_photos)
#define TOL 1e-5

typedef odai_status (*detect_fn)(void *task, odai_image *img, odai_detections *out);

static odai_status face_detect(void *t, odai_image *img, odai_detections *out) {
  odai_face_detector_result r;
  odai_error err;
  odai_status st = odai_face_detector_detect(t, img, &r, &err);
  if (st != ODAI_OK) fail_msg("detect: %s", err.message);
  *out = r.detections; /* ownership moves to out */
  return st;
}

static odai_status person_detect(void *t, odai_image *img, odai_detections *out) {
  odai_person_detector_result r;
  odai_error err;
  odai_status st = odai_person_detector_detect(t, img, &r, &err);
  if (st != ODAI_OK) fail_msg("detect: %s", err.message);
  *out = r.detections;
  return st;
}

static void compare_detections(void *task, detect_fn detect, const char *config,
                               const char *stream, const char *label) {
  int total = 0;
  for (size_t i = 0; i < N_PHOTOS; i++) {
    collected ref = {.n = 0};
    run_shipped_config(config, k_photos[i], stream, &ref);
    assert_true(ref.n <= 1);
    const odai_detections *want = ref.n ? odai_packet_detections(ref.pkts[0]) : NULL;
    odai_image *img = read_media(k_photos[i], ODAI_PIXEL_RGB8);
    odai_detections got;
    assert_int_equal(detect(task, img, &got), ODAI_OK);
    double d = detections_diff(&got, want);
    printf("  %-28s %-14s %zu detections, max diff %.2g\n", config, k_photos[i], got.count, d);
    if (!(d <= TOL)) fail_msg("%s on %s: task differs from the config (max diff %g)", config,
                              k_photos[i], d);
    for (size_t k = 0; k < got.count; k++) {
      assert_string_equal(got.items[k].label, label);
      assert_int_equal(got.items[k].track_id, -1);
    }
    total += (int)got.count;
    odai_detections_fini(&got);
    odai_image_unref(img);
    collected_free(&ref);
  }
  assert_true(total > 0); /* the photos do hold faces / people */
}

static void test_face_short_range(void **state) {
  (void)state;
  odai_face_detector_options o;
  odai_face_detector_options_init(&o);
  odai_face_detector *fd = NULL;
  odai_error err;
  if (odai_face_detector_create(&o, &fd, &err) != ODAI_OK) fail_msg("%s", err.message);
  compare_detections(fd, face_detect, "face_detection_short_range.pbtxt", "face_detections", "face");
  odai_face_detector_close(fd);
}

static void test_face_full_range(void **state) {
  (void)state;
  odai_face_detector_options o;
  odai_face_detector_options_init(&o);
  o.model = ODAI_FACE_DETECTOR_FULL_RANGE;
  odai_face_detector *fd = NULL;
  odai_error err;
  if (odai_face_detector_create(&o, &fd, &err) != ODAI_OK) fail_msg("%s", err.message);
  compare_detections(fd, face_detect, "face_detection_full_range.pbtxt", "face_detections", "face");
  odai_face_detector_close(fd);
}

static void test_person(void **state) {
  (void)state;
  odai_person_detector_options o;
  odai_person_detector_options_init(&o);
  odai_person_detector *pd = NULL;
  odai_error err;
  if (odai_person_detector_create(&o, &pd, &err) != ODAI_OK) fail_msg("%s", err.message);
  compare_detections(pd, person_detect, "person_detection.pbtxt", "person_boxes", "person");
  odai_person_detector_close(pd);
}

static void test_segmenter(void **state) {
  (void)state;
  odai_image_segmenter_options o;
  odai_image_segmenter_options_init(&o);
  odai_image_segmenter *s = NULL;
  odai_error err;
  if (odai_image_segmenter_create(&o, &s, &err) != ODAI_OK) fail_msg("%s", err.message);
  for (size_t i = 0; i < N_PHOTOS; i++) {
    collected ref = {.n = 0};
    run_shipped_config("selfie_segmentation.pbtxt", k_photos[i], "segmentation_mask", &ref);
    assert_int_equal(ref.n, 1);
    odai_image *img = read_media(k_photos[i], ODAI_PIXEL_RGB8);
    odai_image_segmenter_result r;
    if (odai_image_segmenter_segment(s, img, &r, &err) != ODAI_OK) fail_msg("%s", err.message);
    assert_int_equal(odai_image_width(r.confidence_mask), odai_image_width(img));
    assert_int_equal(odai_image_height(r.confidence_mask), odai_image_height(img));
    double d = mask_diff(r.confidence_mask, odai_packet_image(ref.pkts[0]));
    printf("  selfie_segmentation.pbtxt    %-14s %dx%d mask, max diff %.2g\n", k_photos[i],
           odai_image_width(img), odai_image_height(img), d);
    if (!(d <= TOL)) fail_msg("%s: mask differs from the config's (max diff %g)", k_photos[i], d);
    odai_image_segmenter_result_free(&r);
    odai_image_unref(img);
    collected_free(&ref);
  }
  odai_image_segmenter_close(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_face_short_range),
      cmocka_unit_test(test_face_full_range),
      cmocka_unit_test(test_person),
      cmocka_unit_test(test_segmenter),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
