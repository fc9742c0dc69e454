/* Decoding, NMS, letterbox removal, projection, rects, label map and
 * tracking on synthetic inputs with hand-computed expectations. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "calculators/detection/detection_ops.h"

#define NEAR(a, b, tol) assert_true(fabsf((float)(a) - (float)(b)) <= (tol))

static odai_detection box(float x, float y, float w, float h, float score) {
  odai_detection d;
  odai_detection_init(&d);
  d.xmin = x;
  d.ymin = y;
  d.width = w;
  d.height = h;
  d.score = score;
  d.label_id = 0;
  return d;
}

/* ---- decode ---- */

static void test_decode_face_layout(void **state) {
  (void)state;
  odai_ssd_decode_options o;
  odai_ssd_decode_options_face_short_range(&o);
  o.num_boxes = 3;
  odai_anchor anchors[3] = {{0.5f, 0.5f, 1, 1}, {0.25f, 0.25f, 1, 1}, {0.75f, 0.75f, 1, 1}};
  float boxes[3 * 16] = {0};
  /* Box 0 (XYWH, pixels of a 128 input): centre +12.8,-6.4 ; size 25.6 x 12.8. */
  boxes[0] = 12.8f;
  boxes[1] = -6.4f;
  boxes[2] = 25.6f;
  boxes[3] = 12.8f;
  for (int k = 0; k < 6; k++) {
    boxes[4 + 2 * k] = (float)k * 1.28f;     /* x */
    boxes[4 + 2 * k + 1] = -(float)k * 1.28f; /* y */
  }
  boxes[16 + 2] = boxes[16 + 3] = 10; /* box 1 */
  boxes[32 + 2] = boxes[32 + 3] = 10; /* box 2 */
  float scores[3] = {2.0f, -1.0f, 1000.0f};
  odai_detections out;
  odai_detections_init(&out);
  odai_error err;
  assert_int_equal(odai_decode_detections(&o, boxes, 48, scores, 3, anchors, 3, &out, &err),
                   ODAI_OK);
  assert_int_equal(out.count, 2); /* box 1's score 0.27 < 0.5 */
  const odai_detection *d = &out.items[0];
  NEAR(d->score, 1.0f / (1.0f + expf(-2.0f)), 1e-6f);
  assert_int_equal(d->label_id, 0);
  NEAR(d->xmin, 0.5f, 1e-6f);
  NEAR(d->ymin, 0.4f, 1e-6f);
  NEAR(d->width, 0.2f, 1e-6f);
  NEAR(d->height, 0.1f, 1e-6f);
  assert_int_equal(d->num_keypoints, 6);
  NEAR(d->keypoints[3].x, 0.53f, 1e-6f);
  NEAR(d->keypoints[3].y, 0.47f, 1e-6f);
  assert_int_equal(d->track_id, -1);
  /* Score clipped to 100 before the sigmoid: exactly 1. */
  NEAR(out.items[1].score, 1.0f, 0);
  NEAR(out.items[1].xmin, 0.75f - 10.0f / 128 / 2, 1e-6f);

  /* Wrong sizes are errors, not crashes. */
  assert_int_equal(odai_decode_detections(&o, boxes, 47, scores, 3, anchors, 3, &out, &err),
                   ODAI_E_INVALID);
  assert_int_equal(odai_decode_detections(&o, boxes, 48, scores, 3, anchors, 2, &out, &err),
                   ODAI_E_INVALID);
  odai_detections_fini(&out);
}

static void test_decode_options(void **state) {
  (void)state;
  /* YXHW, exponential sizes, 3 classes, no sigmoid, flip, allow list. */
  odai_ssd_decode_options o;
  odai_ssd_decode_options_init(&o);
  o.num_classes = 3;
  o.num_boxes = 2;
  o.num_coords = 4;
  o.x_scale = o.y_scale = 10.0f;
  o.w_scale = o.h_scale = 5.0f;
  o.apply_exponential_on_box_size = true;
  o.flip_vertically = true;
  odai_anchor anchors[2] = {{0.5f, 0.5f, 0.2f, 0.4f}, {0.3f, 0.3f, 0.1f, 0.1f}};
  float boxes[8] = {1.0f, 2.0f, 0.0f, 0.0f, 0, 0, 0, 0}; /* yc, xc, h, w */
  float scores[6] = {0.1f, 0.7f, 0.2f, 0.9f, 0.3f, 0.95f};
  odai_detections out;
  odai_detections_init(&out);
  assert_int_equal(odai_decode_detections(&o, boxes, 8, scores, 6, anchors, 2, &out, NULL),
                   ODAI_OK);
  assert_int_equal(out.count, 2);
  const odai_detection *d = &out.items[0];
  assert_int_equal(d->label_id, 1);
  NEAR(d->score, 0.7f, 1e-6f);
  /* xc = 2/10*0.2+0.5 = 0.54, yc = 1/10*0.4+0.5 = 0.54; w = 0.2, h = 0.4. */
  NEAR(d->xmin, 0.44f, 1e-6f);
  NEAR(d->width, 0.2f, 1e-6f);
  NEAR(d->height, 0.4f, 1e-6f);
  NEAR(d->ymin, 1.0f - (0.54f + 0.2f), 1e-6f); /* flipped: 1 - ymax */
  assert_int_equal(out.items[1].label_id, 2);

  /* allow_classes {0, 1}: box 1 picks class 0 (0.9). */
  out.count = 0;
  o.num_allow_classes = 2;
  o.allow_classes[0] = 0;
  o.allow_classes[1] = 1;
  assert_int_equal(odai_decode_detections(&o, boxes, 8, scores, 6, anchors, 2, &out, NULL),
                   ODAI_OK);
  assert_int_equal(out.items[1].label_id, 0);
  NEAR(out.items[1].score, 0.9f, 1e-6f);

  /* max_results = 1 */
  out.count = 0;
  o.max_results = 1;
  assert_int_equal(odai_decode_detections(&o, boxes, 8, scores, 6, anchors, 2, &out, NULL),
                   ODAI_OK);
  assert_int_equal(out.count, 1);

  /* Inconsistent options are refused. */
  o.num_keypoints = 2; /* num_coords would need 8 */
  assert_int_equal(odai_ssd_decode_options_check(&o, NULL), ODAI_E_INVALID);
  odai_ssd_decode_options_init(&o);
  assert_int_equal(odai_ssd_decode_options_check(&o, NULL), ODAI_E_INVALID);
  odai_detections_fini(&out);
}

/* Negative sizes (a model's garbage) are dropped like MediaPipe does. */
static void test_decode_negative_size(void **state) {
  (void)state;
  odai_ssd_decode_options o;
  odai_ssd_decode_options_init(&o);
  o.num_classes = 1;
  o.num_boxes = 1;
  o.num_coords = 4;
  o.x_scale = o.y_scale = o.w_scale = o.h_scale = 1.0f;
  odai_anchor an = {0.5f, 0.5f, 1, 1};
  float boxes[4] = {0, 0, -0.2f, 0.2f};
  float score = 0.9f;
  odai_detections out;
  odai_detections_init(&out);
  assert_int_equal(odai_decode_detections(&o, boxes, 4, &score, 1, &an, 1, &out, NULL), ODAI_OK);
  assert_int_equal(out.count, 0);
  odai_detections_fini(&out);
}

/* ---- NMS ---- */

static void test_overlap_measures(void **state) {
  (void)state;
  odai_detection a = box(0, 0, 2, 2, 1), b = box(1, 0, 2, 1, 1);
  /* intersection 1 (1x1); areas 4 and 2; enclosing box 3x2 = 6. */
  NEAR(odai_box_overlap(ODAI_OVERLAP_INTERSECTION_OVER_UNION, &a, &b), 1.0f / 5, 1e-6f);
  NEAR(odai_box_overlap(ODAI_OVERLAP_JACCARD, &a, &b), 1.0f / 6, 1e-6f);
  NEAR(odai_box_overlap(ODAI_OVERLAP_MODIFIED_JACCARD, &a, &b), 1.0f / 2, 1e-6f);
  NEAR(odai_box_overlap(ODAI_OVERLAP_MODIFIED_JACCARD, &b, &a), 1.0f / 4, 1e-6f);
  NEAR(odai_box_overlap(ODAI_OVERLAP_INTERSECTION_OVER_MIN, &a, &b), 1.0f / 2, 1e-6f);
  NEAR(odai_box_overlap(ODAI_OVERLAP_INTERSECTION_OVER_MIN, &b, &a), 1.0f / 2, 1e-6f);
  /* A small box inside a big one: IoU is small, IoM is 1. */
  odai_detection big = box(0, 0, 1, 1, 1), in = box(0.4f, 0.4f, 0.1f, 0.1f, 1);
  NEAR(odai_box_overlap(ODAI_OVERLAP_INTERSECTION_OVER_UNION, &big, &in), 0.01f, 1e-6f);
  NEAR(odai_box_overlap(ODAI_OVERLAP_INTERSECTION_OVER_MIN, &big, &in), 1.0f, 1e-6f);
  odai_detection c = box(5, 5, 1, 1, 1);
  NEAR(odai_box_overlap(ODAI_OVERLAP_INTERSECTION_OVER_UNION, &a, &c), 0, 0);
}

static void test_nms_default(void **state) {
  (void)state;
  odai_detections in, out;
  odai_detections_init(&in);
  odai_detections_init(&out);
  odai_detection ds[] = {
      box(0.10f, 0.10f, 0.2f, 0.2f, 0.8f),  /* A */
      box(0.11f, 0.10f, 0.2f, 0.2f, 0.9f),  /* overlaps A, better */
      box(0.60f, 0.60f, 0.2f, 0.2f, 0.7f),  /* separate */
      box(0.60f, 0.62f, 0.2f, 0.2f, 0.75f), /* overlaps previous, better */
      box(0.40f, 0.10f, 0.1f, 0.1f, 0.2f),  /* separate, low score */
  };
  for (size_t i = 0; i < 5; i++) assert_int_equal(odai_detections_push(&in, &ds[i], NULL), 0);
  odai_nms_options o;
  odai_nms_options_init(&o);
  o.min_suppression_threshold = 0.3f;
  o.overlap_type = ODAI_OVERLAP_INTERSECTION_OVER_UNION;
  odai_nms_scratch s = {0};
  assert_int_equal(odai_nms(&o, &in, &out, &s, NULL), ODAI_OK);
  assert_int_equal(out.count, 3);
  NEAR(out.items[0].score, 0.9f, 0);
  NEAR(out.items[0].xmin, 0.11f, 0);
  NEAR(out.items[1].score, 0.75f, 0);
  NEAR(out.items[2].score, 0.2f, 0);
  /* Score floor and count limit. */
  o.min_score_threshold = 0.5f;
  assert_int_equal(odai_nms(&o, &in, &out, &s, NULL), ODAI_OK);
  assert_int_equal(out.count, 2);
  o.max_num_detections = 1;
  assert_int_equal(odai_nms(&o, &in, &out, &s, NULL), ODAI_OK);
  assert_int_equal(out.count, 1);
  o.max_num_detections = 0;
  assert_int_equal(odai_nms(&o, &in, &out, &s, NULL), ODAI_E_INVALID);
  odai_nms_scratch_fini(&s);
  odai_detections_fini(&in);
  odai_detections_fini(&out);
}

static void test_nms_weighted(void **state) {
  (void)state;
  odai_detections in, out;
  odai_detections_init(&in);
  odai_detections_init(&out);
  odai_detection a = box(0.10f, 0.10f, 0.2f, 0.2f, 0.6f);
  odai_detection b = box(0.12f, 0.14f, 0.2f, 0.2f, 0.3f);
  odai_detection c = box(0.70f, 0.70f, 0.1f, 0.1f, 0.5f);
  a.num_keypoints = b.num_keypoints = 1;
  a.keypoints[0] = (odai_point2f){0.2f, 0.2f};
  b.keypoints[0] = (odai_point2f){0.5f, 0.5f};
  odai_detections_push(&in, &b, NULL);
  odai_detections_push(&in, &c, NULL);
  odai_detections_push(&in, &a, NULL);
  odai_nms_options o;
  odai_nms_options_init(&o);
  o.min_suppression_threshold = 0.3f;
  o.overlap_type = ODAI_OVERLAP_INTERSECTION_OVER_UNION;
  o.algorithm = ODAI_NMS_WEIGHTED;
  odai_nms_scratch s = {0};
  assert_int_equal(odai_nms(&o, &in, &out, &s, NULL), ODAI_OK);
  assert_int_equal(out.count, 2);
  /* Weighted mean of a (0.6) and b (0.3): weights 2/3, 1/3. */
  const odai_detection *w = &out.items[0];
  NEAR(w->score, 0.6f, 0);
  NEAR(w->xmin, 0.10f * 2 / 3 + 0.12f / 3, 1e-6f);
  NEAR(w->ymin, 0.10f * 2 / 3 + 0.14f / 3, 1e-6f);
  NEAR(w->width, 0.2f, 1e-6f);
  NEAR(w->keypoints[0].x, 0.2f * 2 / 3 + 0.5f / 3, 1e-6f);
  NEAR(out.items[1].xmin, 0.70f, 0);
  NEAR(out.items[1].score, 0.5f, 0);
  odai_nms_scratch_fini(&s);
  odai_detections_fini(&in);
  odai_detections_fini(&out);
}

/* Many boxes exercise the merge sort; output must be by decreasing score. */
static void test_nms_many(void **state) {
  (void)state;
  odai_detections in, out;
  odai_detections_init(&in);
  odai_detections_init(&out);
  for (int i = 0; i < 500; i++) {
    odai_detection d = box((float)(i % 25) / 25, (float)(i / 25) / 20, 0.03f, 0.03f,
                           (float)((i * 37) % 101) / 100.0f);
    odai_detections_push(&in, &d, NULL);
  }
  odai_nms_options o;
  odai_nms_options_init(&o);
  o.min_suppression_threshold = 0.3f;
  odai_nms_scratch s = {0};
  assert_int_equal(odai_nms(&o, &in, &out, &s, NULL), ODAI_OK);
  assert_int_equal(out.count, 500); /* disjoint boxes: none suppressed */
  for (size_t i = 1; i < out.count; i++) assert_true(out.items[i - 1].score >= out.items[i].score);
  odai_nms_scratch_fini(&s);
  odai_detections_fini(&in);
  odai_detections_fini(&out);
}

/* ---- letterbox, projection ---- */

static void test_letterbox(void **state) {
  (void)state;
  /* A 200x100 image letterboxed into a square: 25% padding top and bottom. */
  odai_detections l;
  odai_detections_init(&l);
  odai_detection d = box(0.5f, 0.5f, 0.2f, 0.25f, 1);
  d.num_keypoints = 1;
  d.keypoints[0] = (odai_point2f){0.25f, 0.375f};
  odai_detections_push(&l, &d, NULL);
  const float pad[4] = {0.0f, 0.25f, 0.0f, 0.25f};
  assert_int_equal(odai_detections_remove_letterbox(&l, pad, NULL), ODAI_OK);
  NEAR(l.items[0].xmin, 0.5f, 1e-6f);
  NEAR(l.items[0].ymin, 0.5f, 1e-6f);
  NEAR(l.items[0].width, 0.2f, 1e-6f);
  NEAR(l.items[0].height, 0.5f, 1e-6f);
  NEAR(l.items[0].keypoints[0].x, 0.25f, 1e-6f);
  NEAR(l.items[0].keypoints[0].y, 0.25f, 1e-6f);
  const float bad[4] = {0.5f, 0, 0.5f, 0};
  assert_int_equal(odai_detections_remove_letterbox(&l, bad, NULL), ODAI_E_INVALID);

  /* Projection: the same letterbox as a matrix (y' = 2y - 0.5), then a
   * 90-degree rotation (x' = 1 - y, y' = x). */
  l.items[0] = box(0.5f, 0.5f, 0.2f, 0.25f, 1);
  float m[16] = {1, 0, 0, 0, 0, 2, 0, -0.5f, 0, 0, 1, 0, 0, 0, 0, 1};
  odai_detections_project(&l, m);
  NEAR(l.items[0].ymin, 0.5f, 1e-6f);
  NEAR(l.items[0].height, 0.5f, 1e-6f);
  l.items[0] = box(0.1f, 0.2f, 0.3f, 0.1f, 1);
  float r[16] = {0, -1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
  odai_detections_project(&l, r);
  NEAR(l.items[0].xmin, 0.7f, 1e-6f);
  NEAR(l.items[0].ymin, 0.1f, 1e-6f);
  NEAR(l.items[0].width, 0.1f, 1e-6f);
  NEAR(l.items[0].height, 0.3f, 1e-6f);
  odai_detections_fini(&l);
}

/* ---- rects ---- */

static void test_rects(void **state) {
  (void)state;
  odai_detections_to_rects_options o = {0};
  odai_detection d = box(0.2f, 0.3f, 0.4f, 0.2f, 1);
  d.num_keypoints = 2;
  d.keypoints[0] = (odai_point2f){0.3f, 0.4f}; /* right eye (image left) */
  d.keypoints[1] = (odai_point2f){0.5f, 0.4f};
  odai_norm_rect r;
  assert_int_equal(odai_detection_to_norm_rect(&o, &d, 0, 0, &r, NULL), ODAI_OK);
  NEAR(r.x_center, 0.4f, 1e-6f);
  NEAR(r.y_center, 0.4f, 1e-6f);
  NEAR(r.width, 0.4f, 1e-6f);
  NEAR(r.rotation, 0, 0);
  /* Keypoint mode, and rotation: eyes level => 0; eye line 45 deg down => +pi/4. */
  o.conversion_mode = ODAI_RECT_CONVERSION_USE_KEYPOINTS;
  o.has_rotation_vector = true;
  o.rotation_vector_start_keypoint_index = 0;
  o.rotation_vector_end_keypoint_index = 1;
  o.rotation_vector_target_angle = 0;
  assert_int_equal(odai_detection_to_norm_rect(&o, &d, 100, 100, &r, NULL), ODAI_OK);
  NEAR(r.x_center, 0.4f, 1e-6f);
  NEAR(r.width, 0.2f, 1e-6f);
  NEAR(r.height, 0.0f, 1e-6f);
  NEAR(r.rotation, 0.0f, 1e-6f);
  d.keypoints[1] = (odai_point2f){0.5f, 0.6f};
  assert_int_equal(odai_detection_to_norm_rect(&o, &d, 100, 100, &r, NULL), ODAI_OK);
  NEAR(r.rotation, (float)M_PI / 4, 1e-5f); /* clockwise tilt on screen */
  assert_int_equal(odai_detection_to_norm_rect(&o, &d, 0, 0, &r, NULL), ODAI_E_INVALID);
  odai_rect pr;
  assert_int_equal(odai_detection_to_rect(&o, &d, 200, 100, &pr, NULL), ODAI_OK);
  assert_int_equal(pr.x_center, 80);
  assert_int_equal(pr.y_center, 50);
  assert_int_equal(pr.width, 40);
  assert_int_equal(pr.height, 20);

  NEAR(odai_normalize_radians(3 * (float)M_PI / 2), -(float)M_PI / 2, 1e-6f);
  NEAR(odai_normalize_radians(0.5f), 0.5f, 1e-7f);

  /* RectTransformation: face-mesh style square_long + scale 1.5 + shift. */
  odai_rect_transform_options t;
  odai_rect_transform_options_init(&t);
  t.scale_x = t.scale_y = 1.5f;
  t.square_long = true;
  t.shift_y = 0.1f;
  odai_norm_rect n = {0.5f, 0.5f, 0.2f, 0.1f, 0, 0};
  odai_norm_rect_transform(&t, &n, 200, 100); /* 40x10 px -> 40x40 px */
  NEAR(n.y_center, 0.51f, 1e-6f);
  NEAR(n.width, 0.2f * 1.5f, 1e-6f);
  NEAR(n.height, 0.4f * 1.5f, 1e-6f);
  /* With a rotation of pi/2, shift_y moves along -x. */
  odai_rect_transform_options_init(&t);
  t.shift_y = 0.5f;
  odai_norm_rect q = {0.5f, 0.5f, 0.2f, 0.2f, (float)M_PI / 2, 0};
  odai_norm_rect_transform(&t, &q, 100, 100);
  NEAR(q.x_center, 0.4f, 1e-6f);
  NEAR(q.y_center, 0.5f, 1e-6f);
  odai_rect pq = {100, 100, 40, 20, 0, 0};
  odai_rect_transform_options_init(&t);
  t.square_short = true;
  t.scale_x = 2;
  odai_rect_transform(&t, &pq);
  assert_int_equal(pq.width, 40);
  assert_int_equal(pq.height, 20);
}

static void test_label_map(void **state) {
  (void)state;
  odai_detections l;
  odai_detections_init(&l);
  odai_detection d = box(0, 0, 1, 1, 1);
  d.label_id = 1;
  odai_detections_push(&l, &d, NULL);
  d.label_id = 7;
  odai_detections_push(&l, &d, NULL);
  const char *labels[] = {"background", "face"};
  odai_detections_label_id_to_text(&l, labels, 2, true);
  assert_string_equal(l.items[0].label, "face");
  assert_int_equal(l.items[0].label_id, 1);
  assert_string_equal(l.items[1].label, "");
  odai_detections_label_id_to_text(&l, labels, 2, false);
  assert_int_equal(l.items[0].label_id, -1);
  odai_detections_fini(&l);
}

/* ---- tracking ---- */

static void frame(odai_detections *l, int n, const float *xs) {
  l->count = 0;
  for (int i = 0; i < n; i++) {
    odai_detection d = box(xs[i], 0.4f, 0.1f, 0.1f, 0.9f);
    odai_detections_push(l, &d, NULL);
  }
}

static void test_tracking(void **state) {
  (void)state;
  odai_tracker_options o;
  odai_tracker_options_init(&o);
  o.max_missed_frames = 2;
  odai_tracker *t = odai_tracker_create(&o, NULL);
  assert_non_null(t);
  odai_detections l;
  odai_detections_init(&l);
  float f0[2] = {0.1f, 0.5f};
  frame(&l, 2, f0);
  assert_int_equal(odai_tracker_update(t, &l, NULL), ODAI_OK);
  int64_t a = l.items[0].track_id, b = l.items[1].track_id;
  assert_true(a > 0 && b > 0 && a != b);
  strcpy(l.items[1].identity, "ada");

  /* Objects move a little and come in the other order. */
  float f1[2] = {0.52f, 0.11f};
  frame(&l, 2, f1);
  assert_int_equal(odai_tracker_update(t, &l, NULL), ODAI_OK);
  assert_int_equal(l.items[0].track_id, b);
  assert_int_equal(l.items[1].track_id, a);

  /* b's identity was set after update, so give it now and check it sticks. */
  strcpy(l.items[0].identity, "ada");
  l.items[0].identity_similarity = 0.8f;
  frame(&l, 0, NULL);
  /* Two missed frames: tracks survive. */
  assert_int_equal(odai_tracker_update(t, &l, NULL), ODAI_OK);
  assert_int_equal(odai_tracker_num_tracks(t), 2);
  assert_int_equal(odai_tracker_update(t, &l, NULL), ODAI_OK);
  assert_int_equal(odai_tracker_num_tracks(t), 2);
  float f2[3] = {0.12f, 0.53f, 0.8f};
  frame(&l, 3, f2);
  assert_int_equal(odai_tracker_update(t, &l, NULL), ODAI_OK);
  assert_int_equal(l.items[0].track_id, a);
  assert_int_equal(l.items[1].track_id, b);
  assert_true(l.items[2].track_id != a && l.items[2].track_id != b);
  assert_int_equal(odai_tracker_num_tracks(t), 3);

  /* Three missed frames: gone; the object then gets a new id. */
  frame(&l, 0, NULL);
  for (int i = 0; i < 3; i++) assert_int_equal(odai_tracker_update(t, &l, NULL), ODAI_OK);
  assert_int_equal(odai_tracker_num_tracks(t), 0);
  frame(&l, 1, f2);
  assert_int_equal(odai_tracker_update(t, &l, NULL), ODAI_OK);
  assert_true(l.items[0].track_id > 3);
  odai_detections_fini(&l);
  odai_tracker_free(t);
}

static void test_tracking_identity(void **state) {
  (void)state;
  odai_tracker *t = odai_tracker_create(NULL, NULL);
  odai_detections l;
  odai_detections_init(&l);
  float x[1] = {0.3f};
  frame(&l, 1, x);
  strcpy(l.items[0].identity, "grace");
  l.items[0].identity_similarity = 0.7f;
  assert_int_equal(odai_tracker_update(t, &l, NULL), ODAI_OK);
  frame(&l, 1, x);
  assert_int_equal(odai_tracker_update(t, &l, NULL), ODAI_OK);
  assert_string_equal(l.items[0].identity, "grace");
  NEAR(l.items[0].identity_similarity, 0.7f, 0);
  odai_detections_fini(&l);
  odai_tracker_free(t);
  odai_tracker_options bad = {2.0f, 1};
  odai_error err;
  assert_null(odai_tracker_create(&bad, &err));
  assert_int_equal(err.code, ODAI_E_INVALID);
}

static void test_lists(void **state) {
  (void)state;
  odai_detections *l = odai_detections_create(0);
  assert_non_null(l);
  for (int i = 0; i < 100; i++) {
    odai_detection d = box(0, 0, 1, 1, (float)i);
    assert_int_equal(odai_detections_push(l, &d, NULL), ODAI_OK);
  }
  odai_detection_set_label(&l->items[3], "a-very-long-label-that-is-longer-than-the-slot-allows");
  assert_int_equal(strlen(l->items[3].label), ODAI_LABEL_MAX - 1);
  odai_detections *c = odai_detections_clone(l);
  assert_int_equal(c->count, 100);
  NEAR(c->items[99].score, 99, 0);
  odai_detections d2;
  odai_detections_init(&d2);
  assert_int_equal(odai_detections_copy(&d2, c, NULL), ODAI_OK);
  assert_int_equal(d2.count, 100);
  odai_detections_fini(&d2);
  odai_detections_free(c);
  odai_detections_free(l);
  odai_render_data rd;
  odai_render_data_init(&rd);
  for (int i = 0; i < 20; i++) assert_non_null(odai_render_data_add(&rd));
  assert_int_equal(rd.count, 20);
  odai_render_data_fini(&rd);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_decode_face_layout), cmocka_unit_test(test_decode_options),
      cmocka_unit_test(test_decode_negative_size), cmocka_unit_test(test_overlap_measures),
      cmocka_unit_test(test_nms_default),        cmocka_unit_test(test_nms_weighted),
      cmocka_unit_test(test_nms_many),           cmocka_unit_test(test_letterbox),
      cmocka_unit_test(test_rects),              cmocka_unit_test(test_label_map),
      cmocka_unit_test(test_tracking),           cmocka_unit_test(test_tracking_identity),
      cmocka_unit_test(test_lists),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
