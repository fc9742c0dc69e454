/* Task API behaviour: option defaults and checks, the missing-model and
 * wrong-format messages, mode misuse, timestamps, max_results and
 * min_confidence, VIDEO-mode tracking and smoothing, wrapped caller buffers
 * (BGR, NV12) with their release callbacks, graph_config texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tasks_test_util.h"

static odai_face_detector *face(odai_running_mode mode, int max_results, float min_conf) {
  odai_face_detector_options o;
  odai_face_detector_options_init(&o);
  o.running_mode = mode;
  o.max_results = max_results;
  o.min_confidence = min_conf;
  odai_face_detector *fd = NULL;
  odai_error err;
  if (odai_face_detector_create(&o, &fd, &err) != ODAI_OK) fail_msg("%s", err.message);
  return fd;
}

static void test_defaults_and_option_errors(void **state) {
  (void)state;
  odai_face_detector_options o;
  odai_face_detector_options_init(&o);
  assert_null(o.model_path);
  assert_int_equal(o.model, ODAI_FACE_DETECTOR_SHORT_RANGE);
  assert_true(o.min_confidence < 0);
  assert_true(fabsf(o.suppression_threshold - 0.3f) < 1e-6f);
  assert_int_equal(o.max_results, -1);
  assert_int_equal(o.num_threads, 1);
  assert_int_equal(o.running_mode, ODAI_RUNNING_MODE_IMAGE);
  odai_face_detector *fd = (odai_face_detector *)&o; /* must be reset to NULL on failure */
  odai_error err = {0};
  odai_face_detector_options bad = o;
  bad.suppression_threshold = 2.0f;
  assert_int_equal(odai_face_detector_create(&bad, &fd, &err), ODAI_E_INVALID);
  assert_null(fd);
  assert_non_null(strstr(err.message, "suppression_threshold"));
  bad = o;
  bad.num_threads = 0;
  assert_int_equal(odai_face_detector_create(&bad, &fd, &err), ODAI_E_INVALID);
  bad = o;
  bad.max_results = 0;
  assert_int_equal(odai_face_detector_create(&bad, &fd, &err), ODAI_E_INVALID);
  bad = o;
  bad.running_mode = ODAI_RUNNING_MODE_LIVE_STREAM; /* no callback */
  assert_int_equal(odai_face_detector_create(&bad, &fd, &err), ODAI_E_INVALID);
  assert_non_null(strstr(err.message, "result_callback"));
  odai_image_segmenter_options so;
  odai_image_segmenter_options_init(&so);
  assert_true(so.output_confidence_mask && so.output_category_mask);
  so.output_confidence_mask = so.output_category_mask = false;
  odai_image_segmenter *seg = NULL;
  assert_int_equal(odai_image_segmenter_create(&so, &seg, &err), ODAI_E_INVALID);
  assert_null(seg);
}

static void test_missing_model_names_fetch_script(void **state) {
  (void)state;
  odai_error err = {0};
  odai_face_detector_options o;
  odai_face_detector_options_init(&o);
  o.model_path = "/nonexistent/odai_no_such_model.tflite";
  odai_face_detector *fd = NULL;
  assert_int_equal(odai_face_detector_create(&o, &fd, &err), ODAI_E_NOT_FOUND);
  printf("  %s\n", err.message);
  assert_non_null(strstr(err.message, "scripts/fetch-models.sh"));
  assert_non_null(strstr(err.message, "face_detector"));
  odai_person_detector_options po;
  odai_person_detector_options_init(&po);
  po.model_path = "odai_no_such_model.tflite";
  odai_person_detector *pd = NULL;
  assert_int_equal(odai_person_detector_create(&po, &pd, &err), ODAI_E_NOT_FOUND);
  assert_non_null(strstr(err.message, "scripts/fetch-models.sh"));
  odai_image_segmenter_options so;
  odai_image_segmenter_options_init(&so);
  so.model_path = "odai_no_such_model.tflite";
  odai_image_segmenter *seg = NULL;
  assert_int_equal(odai_image_segmenter_create(&so, &seg, &err), ODAI_E_NOT_FOUND);
  assert_non_null(strstr(err.message, "scripts/fetch-models.sh"));
}

static void test_wrong_format_and_mode(void **state) {
  (void)state;
  odai_face_detector *fd = face(ODAI_RUNNING_MODE_IMAGE, -1, -1);
  odai_image *f32 = NULL;
  assert_int_equal(odai_image_new_zeroed(64, 64, ODAI_PIXEL_F32, &f32), ODAI_OK);
  odai_face_detector_result r;
  odai_error err = {0};
  assert_int_equal(odai_face_detector_detect(fd, f32, &r, &err), ODAI_E_UNSUPPORTED);
  printf("  %s\n", err.message);
  assert_non_null(strstr(err.message, "RGB8"));
  assert_non_null(strstr(err.message, "NV12"));
  assert_int_equal(r.detections.count, 0);
  assert_int_equal(odai_face_detector_detect(fd, NULL, &r, &err), ODAI_E_INVALID);
  odai_image *img = read_media("astronaut.png", ODAI_PIXEL_RGB8);
  assert_int_equal(odai_face_detector_detect_for_video(fd, img, 10, &r, &err), ODAI_E_INVALID);
  assert_non_null(strstr(err.message, "IMAGE mode"));
  assert_int_equal(odai_face_detector_detect_async(fd, img, 10, &err), ODAI_E_INVALID);
  /* still usable after the errors */
  assert_int_equal(odai_face_detector_detect(fd, img, &r, &err), ODAI_OK);
  assert_int_equal(r.detections.count, 1);
  odai_face_detector_result_free(&r);
  odai_task_stats s = odai_face_detector_stats(fd);
  assert_int_equal(s.offered, 1);
  assert_int_equal(s.processed, 1);
  odai_face_detector_close(fd);
  odai_image_unref(img);
  odai_image_unref(f32);
}

static void test_video_timestamps_and_tracking(void **state) {
  (void)state;
  odai_face_detector *fd = face(ODAI_RUNNING_MODE_VIDEO, -1, -1);
  odai_image *img = read_media("astronaut.png", ODAI_PIXEL_RGB8);
  odai_face_detector_result r;
  odai_error err = {0};
  int64_t track = -2;
  for (int i = 0; i < 5; i++) {
    assert_int_equal(odai_face_detector_detect_for_video(fd, img, 1000 + 33333 * i, &r, &err),
                     ODAI_OK);
    assert_int_equal(r.detections.count, 1);
    assert_int_equal(r.timestamp_us, 1000 + 33333 * i);
    assert_true(r.detections.items[0].track_id >= 0);
    if (i) assert_int_equal(r.detections.items[0].track_id, track); /* stable id */
    track = r.detections.items[0].track_id;
    odai_face_detector_result_free(&r);
  }
  int64_t last = 1000 + 33333 * 4;
  assert_int_equal(odai_face_detector_detect_for_video(fd, img, last, &r, &err), ODAI_E_INVALID);
  printf("  %s\n", err.message);
  assert_non_null(strstr(err.message, "does not increase"));
  assert_int_equal(odai_face_detector_detect_for_video(fd, img, last - 5, &r, &err), ODAI_E_INVALID);
  assert_int_equal(odai_face_detector_detect_for_video(fd, img, -1, &r, &err), ODAI_E_INVALID);
  assert_int_equal(odai_face_detector_detect(fd, img, &r, &err), ODAI_E_INVALID);
  assert_int_equal(odai_face_detector_detect_for_video(fd, img, last + 1, &r, &err), ODAI_OK);
  assert_int_equal(r.detections.items[0].track_id, track);
  odai_face_detector_result_free(&r);
  odai_face_detector_close(fd);
  odai_image_unref(img);
}

static void test_max_results_and_min_confidence(void **state) {
  (void)state;
  odai_image *one = read_media("astronaut.png", ODAI_PIXEL_RGB8);
  odai_image *two = side_by_side(one, 100, 20, 256, 256); /* the face, twice */
  odai_face_detector_result r;
  odai_error err = {0};
  odai_face_detector *all = face(ODAI_RUNNING_MODE_IMAGE, -1, -1);
  assert_int_equal(odai_face_detector_detect(all, two, &r, &err), ODAI_OK);
  assert_int_equal(r.detections.count, 2);
  float best = fmaxf(r.detections.items[0].score, r.detections.items[1].score);
  odai_face_detector_result_free(&r);
  odai_face_detector_close(all);
  odai_face_detector *max1 = face(ODAI_RUNNING_MODE_IMAGE, 1, -1);
  assert_int_equal(odai_face_detector_detect(max1, two, &r, &err), ODAI_OK);
  assert_int_equal(r.detections.count, 1);
  assert_true(fabsf(r.detections.items[0].score - best) < 1e-6f);
  odai_face_detector_result_free(&r);
  odai_face_detector_close(max1);
  odai_face_detector *strict = face(ODAI_RUNNING_MODE_IMAGE, -1, 0.97f); /* astronaut: 0.92 */
  assert_int_equal(odai_face_detector_detect(strict, one, &r, &err), ODAI_OK);
  assert_int_equal(r.detections.count, 0);
  odai_face_detector_close(strict);
  odai_image_unref(two);
  odai_image_unref(one);
}

static int g_released;
static void on_release(void *user) {
  (void)user;
  g_released++;
}

/* Wrap a converted copy's pixels without copying (a product's camera
 * buffer); `keep` holds the owner of the memory. */
static odai_image *wrap_as(odai_image *src, odai_pixel_format fmt, odai_image **keep) {
  odai_error err;
  assert_int_equal(odai_image_convert(src, fmt, keep, &err), ODAI_OK);
  odai_image_planes p;
  odai_image_get_planes(*keep, &p);
  odai_image *w = NULL;
  assert_int_equal(odai_image_wrap(p.width, p.height, fmt, p.data, p.stride, false, on_release,
                                   NULL, &w),
                   ODAI_OK);
  return w;
}

static void test_wrapped_buffers(void **state) {
  (void)state;
  odai_image *rgb = read_media("astronaut.png", ODAI_PIXEL_RGB8);
  odai_face_detector *fd = face(ODAI_RUNNING_MODE_IMAGE, -1, -1);
  odai_face_detector_result ref, r;
  odai_error err = {0};
  assert_int_equal(odai_face_detector_detect(fd, rgb, &ref, &err), ODAI_OK);
  assert_int_equal(ref.detections.count, 1);
  g_released = 0;
  odai_image *keep = NULL;
  odai_image *bgr = wrap_as(rgb, ODAI_PIXEL_BGR8, &keep);
  assert_int_equal(odai_face_detector_detect(fd, bgr, &r, &err), ODAI_OK);
  assert_int_equal(g_released, 0); /* the caller still holds its reference */
  odai_image_unref(bgr);
  assert_int_equal(g_released, 1); /* the task kept none */
  assert_true(detections_diff(&r.detections, &ref.detections) < 1e-6);
  odai_face_detector_result_free(&r);
  odai_image_unref(keep);
  odai_image *nv12 = wrap_as(rgb, ODAI_PIXEL_NV12, &keep);
  assert_int_equal(odai_face_detector_detect(fd, nv12, &r, &err), ODAI_OK);
  odai_image_unref(nv12);
  assert_int_equal(g_released, 2);
  assert_int_equal(r.detections.count, 1);
  double d = detections_diff(&r.detections, &ref.detections);
  printf("  NV12 vs RGB: max diff %.4f\n", d);
  assert_true(d < 0.02); /* 4:2:0 chroma changes the pixels a little */
  odai_face_detector_result_free(&r);
  odai_image_unref(keep);
  /* RGBA (exact) and YUYV (4:2:2 chroma: close) camera-style buffers */
  odai_image *rgba = wrap_as(rgb, ODAI_PIXEL_RGBA8, &keep);
  assert_int_equal(odai_face_detector_detect(fd, rgba, &r, &err), ODAI_OK);
  odai_image_unref(rgba);
  assert_int_equal(g_released, 3);
  assert_true(detections_diff(&r.detections, &ref.detections) < 1e-6);
  odai_face_detector_result_free(&r);
  odai_image_unref(keep);
  odai_image *yuyv = wrap_as(rgb, ODAI_PIXEL_YUYV, &keep);
  assert_int_equal(odai_face_detector_detect(fd, yuyv, &r, &err), ODAI_OK);
  odai_image_unref(yuyv);
  assert_int_equal(g_released, 4);
  assert_int_equal(r.detections.count, 1);
  d = detections_diff(&r.detections, &ref.detections);
  printf("  YUYV vs RGB: max diff %.4f\n", d);
  assert_true(d < 0.02);
  odai_face_detector_result_free(&r);
  odai_image_unref(keep);
  odai_face_detector_result_free(&ref);
  odai_face_detector_close(fd);
  odai_image_unref(rgb);
}

static void test_graph_config_text(void **state) {
  (void)state;
  char *t = odai_face_detector_graph_config(NULL);
  assert_non_null(t);
  assert_non_null(strstr(t, "face_detection_short_range.tflite"));
  assert_non_null(strstr(t, "min_score_thresh: 0.5"));
  odai_graph *g = NULL;
  odai_error err = {0};
  if (odai_graph_create(t, strlen(t), "face_detector", &g, &err) != ODAI_OK)
    fail_msg("built-in config does not parse: %s", err.message);
  odai_graph_destroy(g);
  odai_task_string_free(t);
  odai_face_detector_options o;
  odai_face_detector_options_init(&o);
  o.model = ODAI_FACE_DETECTOR_FULL_RANGE;
  o.min_confidence = 0.7f;
  o.max_results = 3;
  t = odai_face_detector_graph_config(&o);
  assert_non_null(t);
  assert_non_null(strstr(t, "face_detection_full_range_sparse.tflite"));
  assert_non_null(strstr(t, "min_score_thresh: 0.699999988"));
  assert_non_null(strstr(t, "max_num_detections: 3"));
  odai_task_string_free(t);
  o.suppression_threshold = -1;
  assert_null(odai_face_detector_graph_config(&o));
  t = odai_person_detector_graph_config(NULL);
  assert_non_null(t);
  assert_non_null(strstr(t, "pose_detection.tflite"));
  assert_int_equal(odai_graph_create(t, strlen(t), "person_detector", &g, &err), ODAI_OK);
  odai_graph_destroy(g);
  odai_task_string_free(t);
  odai_image_segmenter_options so;
  odai_image_segmenter_options_init(&so);
  so.model = ODAI_IMAGE_SEGMENTER_LANDSCAPE;
  so.running_mode = ODAI_RUNNING_MODE_VIDEO;
  t = odai_image_segmenter_graph_config(&so);
  assert_non_null(t);
  assert_non_null(strstr(t, "selfie_segmentation_landscape.tflite"));
  assert_non_null(strstr(t, "output_tensor_height: 144"));
  assert_non_null(strstr(t, "SegmentationSmoothingCalculator"));
  assert_int_equal(odai_graph_create(t, strlen(t), "image_segmenter", &g, &err), ODAI_OK);
  odai_graph_destroy(g);
  odai_task_string_free(t);
}

/* What docs/tasks.md tells users: save graph_config()'s text, give it a
 * VideoSourceCalculator instead of the image input, run it: the same faces
 * as the task. */
static void test_graph_config_runs_on_a_file(void **state) {
  (void)state;
  char *t = odai_face_detector_graph_config(NULL);
  assert_non_null(t);
  const char *line = "input_stream: \"IMAGE:image\"";
  char *at = strstr(t, line);
  assert_non_null(at);
  const char *src = "input_side_packet: \"input_video_path\"\n"
                    "node { calculator: \"VideoSourceCalculator\" "
                    "input_side_packet: \"INPUT_VIDEO_PATH:input_video_path\" "
                    "output_stream: \"VIDEO:image\" }";
  size_t n = strlen(t) - strlen(line) + strlen(src) + 1;
  char *text = malloc(n);
  assert_non_null(text);
  snprintf(text, n, "%.*s%s%s", (int)(at - t), t, src, at + strlen(line));
  odai_task_string_free(t);
  char photo[1024];
  media_path(photo, sizeof photo, "astronaut.png");
  odai_graph *g = NULL;
  odai_error err = {0};
  if (odai_graph_create(text, strlen(text), "face_file.pbtxt", &g, &err) != ODAI_OK)
    fail_msg("%s", err.message);
  free(text);
  collected got = {.n = 0};
  assert_int_equal(odai_graph_set_side_packet(g, "input_video_path",
                                              odai_packet_new_string(photo, ODAI_TS_UNSET)),
                   ODAI_OK);
  assert_int_equal(odai_graph_observe_output(g, "detections", collect_cb, &got), ODAI_OK);
  if (odai_graph_start(g, &err) != ODAI_OK || odai_graph_wait_until_done(g, &err) != ODAI_OK)
    fail_msg("%s", err.message);
  odai_graph_destroy(g);
  assert_int_equal(got.n, 1);
  odai_face_detector *fd = face(ODAI_RUNNING_MODE_IMAGE, -1, -1);
  odai_image *img = read_media("astronaut.png", ODAI_PIXEL_RGB8);
  odai_face_detector_result r;
  assert_int_equal(odai_face_detector_detect(fd, img, &r, &err), ODAI_OK);
  assert_int_equal(r.detections.count, 1);
  assert_true(detections_diff(&r.detections, odai_packet_detections(got.pkts[0])) < 1e-6);
  odai_face_detector_result_free(&r);
  odai_face_detector_close(fd);
  odai_image_unref(img);
  collected_free(&got);
}

static void test_segmenter_masks(void **state) {
  (void)state;
  odai_image *img = read_media("messi5.jpg", ODAI_PIXEL_RGB8);
  odai_image_segmenter_options o;
  odai_image_segmenter_options_init(&o);
  odai_image_segmenter *s = NULL;
  odai_error err = {0};
  assert_int_equal(odai_image_segmenter_create(&o, &s, &err), ODAI_OK);
  odai_image_segmenter_result r;
  assert_int_equal(odai_image_segmenter_segment(s, img, &r, &err), ODAI_OK);
  assert_int_equal(odai_image_format(r.confidence_mask), ODAI_PIXEL_F32);
  assert_int_equal(odai_image_format(r.category_mask), ODAI_PIXEL_GRAY8);
  assert_int_equal(odai_image_width(r.category_mask), 548);
  assert_int_equal(odai_image_height(r.category_mask), 342);
  long person = 0;
  for (int y = 0; y < 342; y++) {
    const float *m = (const float *)(const void *)(odai_image_cdata(r.confidence_mask, 0) +
                                                   y * odai_image_stride(r.confidence_mask, 0));
    const uint8_t *c = odai_image_cdata(r.category_mask, 0) + y * odai_image_stride(r.category_mask, 0);
    for (int x = 0; x < 548; x++) {
      assert_true(m[x] >= 0.0f && m[x] <= 1.0f);
      assert_int_equal(c[x], m[x] > 0.5f ? 1 : 0);
      person += c[x];
    }
  }
  assert_true(person > 548 * 342 / 20 && person < 548 * 342 / 2);
  /* VIDEO mode, the same frame again and again: smoothing keeps the mask */
  odai_image_segmenter_options vo = o;
  vo.running_mode = ODAI_RUNNING_MODE_VIDEO;
  vo.output_category_mask = false;
  odai_image_segmenter *v = NULL;
  assert_int_equal(odai_image_segmenter_create(&vo, &v, &err), ODAI_OK);
  for (int i = 0; i < 3; i++) {
    odai_image_segmenter_result vr;
    assert_int_equal(odai_image_segmenter_segment_for_video(v, img, i * 40000, &vr, &err), ODAI_OK);
    assert_null(vr.category_mask);
    assert_true(mask_diff(vr.confidence_mask, r.confidence_mask) < 1e-5);
    odai_image_segmenter_result_free(&vr);
  }
  odai_image_segmenter_close(v);
  odai_image_segmenter_result_free(&r);
  odai_image_segmenter_close(s);
  odai_image_unref(img);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_defaults_and_option_errors),
      cmocka_unit_test(test_missing_model_names_fetch_script),
      cmocka_unit_test(test_wrong_format_and_mode),
      cmocka_unit_test(test_video_timestamps_and_tracking),
      cmocka_unit_test(test_max_results_and_min_confidence),
      cmocka_unit_test(test_wrapped_buffers),
      cmocka_unit_test(test_graph_config_text),
      cmocka_unit_test(test_graph_config_runs_on_a_file),
      cmocka_unit_test(test_segmenter_masks),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
