/* The vision calculators inside real graphs: MediaPipe's face detection
 * structure (ImageToTensor -> Inference -> SsdAnchors/TensorsToDetections ->
 * NonMaxSuppression -> DetectionProjection) on astronaut.png checked against
 * MediaPipe's detections, then tracking, render data and the overlay; and a
 * model-free graph for letterbox removal, rects and the label map. */
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
#include "odai/graph.h"
#include "odai/image.h"
#include "odai/packet_types.h"

#include "mp_ref.h"

static odai_graph *make_graph(const char *text) {
  odai_graph *g = NULL;
  odai_error err = {0};
  odai_status st = odai_graph_create(text, strlen(text), "test.pbtxt", &g, &err);
  if (st) fail_msg("graph create failed: %s", err.message);
  return g;
}

/* MediaPipe's FaceDetection module (face_detection.pbtxt) with the short
 * or full range options, plus label map, tracking, render data, overlay. */
static const char *k_face_graph_fmt =
    "input_stream: \"image\"\n"
    "output_stream: \"detections\"\n"
    "output_stream: \"output_video\"\n"
    "node {\n"
    "  calculator: \"ImageToTensorCalculator\"\n"
    "  input_stream: \"IMAGE:image\"\n"
    "  output_stream: \"TENSORS:input_tensors\"\n"
    "  output_stream: \"MATRIX:transform_matrix\"\n"
    "  options: { [mediapipe.ImageToTensorCalculatorOptions.ext] {\n"
    "    output_tensor_width: %d output_tensor_height: %d keep_aspect_ratio: true\n"
    "    output_tensor_float_range { min: -1.0 max: 1.0 } border_mode: BORDER_ZERO } }\n"
    "}\n"
    "node {\n"
    "  calculator: \"InferenceCalculator\"\n"
    "  input_stream: \"TENSORS:input_tensors\"\n"
    "  output_stream: \"TENSORS:detection_tensors\"\n"
    "  options: { [mediapipe.InferenceCalculatorOptions.ext] {\n"
    "    model_path: \"mediapipe/modules/face_detection/%s\" } }\n"
    "}\n"
    "node {\n"
    "  calculator: \"SsdAnchorsCalculator\"\n"
    "  output_side_packet: \"anchors\"\n"
    "  options: { [mediapipe.SsdAnchorsCalculatorOptions.ext] {\n"
    "    num_layers: %d min_scale: 0.1484375 max_scale: 0.75\n"
    "    input_size_height: %d input_size_width: %d\n"
    "    anchor_offset_x: 0.5 anchor_offset_y: 0.5\n"
    "    %s\n"
    "    aspect_ratios: 1.0 fixed_anchor_size: true interpolated_scale_aspect_ratio: %s } }\n"
    "}\n"
    "node {\n"
    "  calculator: \"TensorsToDetectionsCalculator\"\n"
    "  input_stream: \"TENSORS:detection_tensors\"\n"
    "  input_side_packet: \"ANCHORS:anchors\"\n"
    "  output_stream: \"DETECTIONS:unfiltered_detections\"\n"
    "  options: { [mediapipe.TensorsToDetectionsCalculatorOptions.ext] {\n"
    "    num_classes: 1 num_boxes: %d num_coords: 16 box_coord_offset: 0\n"
    "    keypoint_coord_offset: 4 num_keypoints: 6 num_values_per_keypoint: 2\n"
    "    sigmoid_score: true score_clipping_thresh: 100.0 reverse_output_order: true\n"
    "    x_scale: %d.0 y_scale: %d.0 h_scale: %d.0 w_scale: %d.0\n"
    "    min_score_thresh: %s } }\n"
    "}\n"
    "node {\n"
    "  calculator: \"NonMaxSuppressionCalculator\"\n"
    "  input_stream: \"unfiltered_detections\"\n"
    "  output_stream: \"filtered_detections\"\n"
    "  options: { [mediapipe.NonMaxSuppressionCalculatorOptions.ext] {\n"
    "    min_suppression_threshold: 0.3 overlap_type: INTERSECTION_OVER_UNION\n"
    "    algorithm: WEIGHTED } }\n"
    "}\n"
    "node {\n"
    "  calculator: \"DetectionProjectionCalculator\"\n"
    "  input_stream: \"DETECTIONS:filtered_detections\"\n"
    "  input_stream: \"PROJECTION_MATRIX:transform_matrix\"\n"
    "  output_stream: \"DETECTIONS:projected\"\n"
    "}\n"
    "node {\n"
    "  calculator: \"DetectionLabelIdToTextCalculator\"\n"
    "  input_stream: \"projected\"\n"
    "  output_stream: \"labelled\"\n"
    "  options: { [mediapipe.DetectionLabelIdToTextCalculatorOptions.ext] {\n"
    "    label: \"face\" keep_label_id: true } }\n"
    "}\n"
    "node {\n"
    "  calculator: \"DetectionTrackingCalculator\"\n"
    "  input_stream: \"DETECTIONS:labelled\"\n"
    "  output_stream: \"DETECTIONS:detections\"\n"
    "}\n"
    "node {\n"
    "  calculator: \"DetectionsToRenderDataCalculator\"\n"
    "  input_stream: \"DETECTIONS:detections\"\n"
    "  output_stream: \"RENDER_DATA:render_data\"\n"
    "  options: { [mediapipe.DetectionsToRenderDataCalculatorOptions.ext] {\n"
    "    thickness: 4.0 color { r: 255 g: 0 b: 0 } render_detection_id: true } }\n"
    "}\n"
    "node {\n"
    "  calculator: \"AnnotationOverlayCalculator\"\n"
    "  input_stream: \"IMAGE:image\"\n"
    "  input_stream: \"render_data\"\n"
    "  output_stream: \"IMAGE:output_video\"\n"
    "}\n";

static odai_graph *face_graph(bool full) {
  static char text[8192];
  if (full)
    snprintf(text, sizeof text, k_face_graph_fmt, 192, 192, "face_detection_full_range_sparse.tflite",
             1, 192, 192, "strides: 4", "0.0", 2304, 192, 192, 192, 192, "0.6");
  else
    snprintf(text, sizeof text, k_face_graph_fmt, 128, 128, "face_detection_short_range.tflite", 4,
             128, 128, "strides: 8 strides: 16 strides: 16 strides: 16", "1.0", 896, 128, 128,
             128, 128, "0.5");
  return make_graph(text);
}

/* Run the face graph on one reference image (frames times) and compare
 * every frame's faces with MediaPipe's: same count, IoU >= 0.9, keypoints
 * within 2% of the width; ids stable across frames; boxes drawn. */
static void run_face_case(bool full, const char *img_name, int w, int h, int frames) {
  if (!getenv("ODAI_MODEL_DIR")) fail_msg("ODAI_MODEL_DIR not set (run through ctest)");
  char path[1024];
  snprintf(path, sizeof path, "%s/refdata/images/%s.rgb", shared_dir(), img_name);
  size_t n = 0;
  uint8_t *rgb = (uint8_t *)read_file(path, &n);
  if (!rgb || n != (size_t)w * h * 3) fail_msg("cannot read %s", path);
  char file[64];
  snprintf(file, sizeof file, "%s.%s", img_name, strcmp(img_name, "astronaut") ? "jpg" : "png");
  ref_det ref[8];
  int ref_w = 0;
  int nref = load_ref(full ? "full" : "short", file, ref, 8, &ref_w);
  assert_int_equal(ref_w, w);

  odai_graph *g = face_graph(full);
  odai_poller *pd = NULL, *pv = NULL;
  odai_error err = {0};
  assert_int_equal(odai_graph_add_poller(g, "detections", &pd, &err), ODAI_OK);
  assert_int_equal(odai_graph_add_poller(g, "output_video", &pv, &err), ODAI_OK);
  if (odai_graph_start(g, &err) != ODAI_OK) fail_msg("start: %s", err.message);
  for (int frame = 0; frame < frames; frame++) {
    odai_image *img = NULL;
    assert_int_equal(odai_image_new(w, h, ODAI_PIXEL_RGB8, &img), ODAI_OK);
    uint8_t *d = odai_image_data(img, 0);
    int stride = odai_image_stride(img, 0);
    for (int y = 0; y < h; y++)
      memcpy(d + (size_t)y * stride, rgb + (size_t)y * w * 3, (size_t)w * 3);
    assert_int_equal(odai_graph_add_packet(g, "image", odai_packet_new_image(img, frame * 33333)),
                     ODAI_OK);
  }
  if (odai_graph_wait_until_done(g, &err) != ODAI_OK) fail_msg("run: %s", err.message);

  int64_t first_track = -1;
  for (int frame = 0; frame < frames; frame++) {
    odai_packet *p = NULL;
    odai_status pst = odai_poller_next(pd, 1000, &p);
    odai_detections none = {0};
    const odai_detections *dets = &none;
    if (nref == 0 && pst == ODAI_E_EOF) {
      /* As in MediaPipe, NMS emits no packet when nothing was detected. */
    } else {
      assert_int_equal(pst, ODAI_OK);
      dets = odai_packet_detections(p);
      assert_non_null(dets);
    }
    if (frame == 0)
      printf("# %s %s: %zu faces (MediaPipe %d)\n", full ? "full" : "short", img_name,
             dets->count, nref);
    assert_int_equal((int)dets->count, nref);
    for (int i = 0; i < nref; i++) {
      const odai_detection *f = &dets->items[i];
      odai_detection r;
      odai_detection_init(&r);
      r.xmin = ref[i].xmin;
      r.ymin = ref[i].ymin;
      r.width = ref[i].width;
      r.height = ref[i].height;
      float iou = odai_box_overlap(ODAI_OVERLAP_INTERSECTION_OVER_UNION, f, &r);
      float kmax = 0;
      for (int k = 0; k < 6; k++)
        kmax = fmaxf(kmax, hypotf(f->keypoints[k].x - ref[i].kp[k][0],
                                  (f->keypoints[k].y - ref[i].kp[k][1]) * (float)h / (float)w));
      if (frame == 0)
        printf("#   score %.4f (MediaPipe %.4f) IoU %.4f, max keypoint error %.4f of width\n",
               f->score, ref[i].score, iou, kmax);
      assert_true(iou >= 0.9f);
      assert_true(kmax <= 0.02f);
      assert_string_equal(f->label, "face");
      assert_true(f->track_id > 0);
      if (frame == 0 && i == 0) first_track = f->track_id;
      if (i == 0) assert_int_equal(f->track_id, first_track); /* same face, same id */
    }
    const odai_detection first = dets->count ? dets->items[0] : (odai_detection){0};
    const size_t count = dets->count;
    odai_packet_unref(p);

    assert_int_equal(odai_poller_next(pv, 1000, &p), ODAI_OK);
    const odai_image *out = odai_packet_image(p);
    assert_non_null(out);
    assert_int_equal(odai_image_width(out), w);
    const uint8_t *o = odai_image_cdata(out, 0);
    int os = odai_image_stride(out, 0);
    if (count) {
      /* The box's left edge is red, mid-height. */
      int x = (int)lrintf(first.xmin * (float)w), y = (int)lrintf((first.ymin + first.height / 2) * (float)h);
      const uint8_t *px = o + (size_t)y * os + (size_t)x * 3;
      assert_int_equal(px[0], 255);
      assert_int_equal(px[1], 0);
      assert_int_equal(px[2], 0);
    } else {
      /* Nothing detected: the frame is unchanged. */
      for (int y = 0; y < h; y++) assert_memory_equal(o + (size_t)y * os, rgb + (size_t)y * w * 3, (size_t)w * 3);
    }
    odai_packet_unref(p);
  }
  odai_graph_destroy(g);
  free(rgb);
}

static void test_face_short_astronaut(void **state) {
  (void)state;
  run_face_case(false, "astronaut", 512, 512, 3);
}
static void test_face_short_messi5(void **state) {
  (void)state;
  run_face_case(false, "messi5", 548, 342, 1);
}
static void test_face_short_fruits(void **state) {
  (void)state;
  run_face_case(false, "fruits", 512, 480, 1);
}
static void test_face_full_astronaut(void **state) {
  (void)state;
  run_face_case(true, "astronaut", 512, 512, 2);
}
static void test_face_full_messi5(void **state) {
  (void)state;
  run_face_case(true, "messi5", 548, 342, 2);
}
static void test_face_full_fruits(void **state) {
  (void)state;
  run_face_case(true, "fruits", 512, 480, 1);
}

static const char *k_geom_graph =
    "input_stream: \"dets\"\n"
    "input_stream: \"padding\"\n"
    "input_stream: \"size\"\n"
    "output_stream: \"unboxed\"\n"
    "output_stream: \"rects\"\n"
    "node {\n"
    "  calculator: \"DetectionLetterboxRemovalCalculator\"\n"
    "  input_stream: \"DETECTIONS:dets\"\n"
    "  input_stream: \"LETTERBOX_PADDING:padding\"\n"
    "  output_stream: \"DETECTIONS:unboxed\"\n"
    "}\n"
    "node {\n"
    "  calculator: \"DetectionsToRectsCalculator\"\n"
    "  input_stream: \"DETECTIONS:unboxed\"\n"
    "  input_stream: \"IMAGE_SIZE:size\"\n"
    "  output_stream: \"NORM_RECTS:raw_rects\"\n"
    "  options: { [mediapipe.DetectionsToRectsCalculatorOptions.ext] {\n"
    "    rotation_vector_start_keypoint_index: 0 rotation_vector_end_keypoint_index: 1\n"
    "    rotation_vector_target_angle_degrees: 0 } }\n"
    "}\n"
    "node {\n"
    "  calculator: \"RectTransformationCalculator\"\n"
    "  input_stream: \"NORM_RECTS:raw_rects\"\n"
    "  input_stream: \"IMAGE_SIZE:size\"\n"
    "  output_stream: \"rects\"\n"
    "  options: { [mediapipe.RectTransformationCalculatorOptions.ext] {\n"
    "    scale_x: 2.0 scale_y: 2.0 square_long: true } }\n"
    "}\n";

static void test_geometry_graph(void **state) {
  (void)state;
  odai_graph *g = make_graph(k_geom_graph);
  odai_poller *pu = NULL, *pr = NULL;
  odai_error err = {0};
  assert_int_equal(odai_graph_add_poller(g, "unboxed", &pu, &err), ODAI_OK);
  assert_int_equal(odai_graph_add_poller(g, "rects", &pr, &err), ODAI_OK);
  if (odai_graph_start(g, &err) != ODAI_OK) fail_msg("start: %s", err.message);
  odai_detections *d = odai_detections_create(1);
  odai_detection det;
  odai_detection_init(&det);
  det.score = 0.9f;
  det.xmin = 0.4f;
  det.ymin = 0.4f;
  det.width = 0.2f;
  det.height = 0.1f;
  det.num_keypoints = 2;
  det.keypoints[0] = (odai_point2f){0.45f, 0.45f};
  det.keypoints[1] = (odai_point2f){0.55f, 0.45f};
  odai_detections_push(d, &det, NULL);
  odai_float_vector *pad = malloc(sizeof(*pad));
  pad->n = 4;
  pad->v = malloc(4 * sizeof(float));
  pad->v[0] = 0;
  pad->v[1] = 0.25f;
  pad->v[2] = 0;
  pad->v[3] = 0.25f;
  assert_int_equal(odai_graph_add_packet(g, "dets", odai_packet_new_detections(d, 1000)), ODAI_OK);
  assert_int_equal(odai_graph_add_packet(g, "padding", odai_packet_new_float_vector(pad, 1000)),
                   ODAI_OK);
  assert_int_equal(odai_graph_add_packet(g, "size", odai_packet_new_image_size(200, 100, 1000)),
                   ODAI_OK);
  if (odai_graph_wait_until_done(g, &err) != ODAI_OK) fail_msg("run: %s", err.message);
  odai_packet *p = NULL;
  assert_int_equal(odai_poller_next(pu, 1000, &p), ODAI_OK);
  const odai_detections *u = odai_packet_detections(p);
  assert_int_equal(u->count, 1);
  assert_true(fabsf(u->items[0].ymin - 0.3f) < 1e-6f);
  assert_true(fabsf(u->items[0].height - 0.2f) < 1e-6f);
  odai_packet_unref(p);
  assert_int_equal(odai_poller_next(pr, 1000, &p), ODAI_OK);
  const odai_norm_rects *r = odai_packet_norm_rects(p);
  assert_non_null(r);
  assert_int_equal(r->count, 1);
  /* Box 0.2 x 0.2 of 200x100 = 40 x 20 px -> square 40 px -> x2: 0.4 x 0.8 */
  assert_true(fabsf(r->items[0].x_center - 0.5f) < 1e-6f);
  assert_true(fabsf(r->items[0].y_center - 0.4f) < 1e-6f);
  assert_true(fabsf(r->items[0].width - 0.4f) < 1e-6f);
  assert_true(fabsf(r->items[0].height - 0.8f) < 1e-6f);
  assert_true(fabsf(r->items[0].rotation) < 1e-6f);
  odai_packet_unref(p);
  odai_graph_destroy(g);
}

/* A wiring mistake is a validation error naming the problem, not a crash. */
static void test_bad_wiring(void **state) {
  (void)state;
  const char *cfg =
      "input_stream: \"d\"\n"
      "node { calculator: \"DetectionsToRectsCalculator\" input_stream: \"DETECTIONS:d\"\n"
      "  output_stream: \"NORM_RECT:a\" output_stream: \"NORM_RECTS:b\" }\n";
  odai_graph *g = NULL;
  odai_error err = {0};
  odai_status st = odai_graph_create(cfg, strlen(cfg), "bad.pbtxt", &g, &err);
  if (st == ODAI_OK) st = odai_graph_start(g, &err);
  assert_int_not_equal(st, ODAI_OK);
  assert_non_null(strstr(err.message, "NORM_RECT"));
  odai_graph_destroy(g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_face_short_astronaut), cmocka_unit_test(test_face_short_messi5),
      cmocka_unit_test(test_face_short_fruits),    cmocka_unit_test(test_face_full_astronaut),
      cmocka_unit_test(test_face_full_messi5),     cmocka_unit_test(test_face_full_fruits),
      cmocka_unit_test(test_geometry_graph),
      cmocka_unit_test(test_bad_wiring),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
