/* SSD anchor generation against values worked out by hand from MediaPipe's
 * SsdAnchorsCalculator algorithm (face short/full range, SSD MobileNet). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>

#include "calculators/detection/detection_ops.h"

static void expect_anchor(const odai_anchors *a, size_t i, float x, float y, float w, float h) {
  assert_true(i < a->count);
  const odai_anchor *an = &a->items[i];
  if (fabsf(an->x_center - x) > 1e-6f || fabsf(an->y_center - y) > 1e-6f ||
      fabsf(an->w - w) > 1e-5f || fabsf(an->h - h) > 1e-5f)
    fail_msg("anchor %zu = (%g %g %g %g), expected (%g %g %g %g)", i, an->x_center, an->y_center,
             an->w, an->h, x, y, w, h);
}

static void test_short_range(void **state) {
  (void)state;
  odai_ssd_anchor_options o;
  odai_ssd_anchor_options_face_short_range(&o);
  odai_anchors a = {0};
  odai_error err;
  assert_int_equal(odai_ssd_anchors_generate(&o, &a, &err), ODAI_OK);
  assert_int_equal(a.count, 896);
  /* Stride 8: 16x16 cells x 2 anchors (aspect 1 + interpolated). */
  expect_anchor(&a, 0, 0.03125f, 0.03125f, 1, 1);
  expect_anchor(&a, 1, 0.03125f, 0.03125f, 1, 1);
  expect_anchor(&a, 2, 0.09375f, 0.03125f, 1, 1);
  expect_anchor(&a, 32, 0.03125f, 0.09375f, 1, 1);
  expect_anchor(&a, 511, 0.96875f, 0.96875f, 1, 1);
  /* Three stride-16 layers merged: 8x8 cells x 6 anchors. */
  expect_anchor(&a, 512, 0.0625f, 0.0625f, 1, 1);
  expect_anchor(&a, 517, 0.0625f, 0.0625f, 1, 1);
  expect_anchor(&a, 518, 0.1875f, 0.0625f, 1, 1);
  expect_anchor(&a, 512 + 8 * 6, 0.0625f, 0.1875f, 1, 1);
  expect_anchor(&a, 895, 0.9375f, 0.9375f, 1, 1);
  odai_anchors_fini(&a);
}

static void test_full_range(void **state) {
  (void)state;
  odai_ssd_anchor_options o;
  odai_ssd_anchor_options_face_full_range(&o);
  odai_anchors a = {0};
  assert_int_equal(odai_ssd_anchors_generate(&o, &a, NULL), ODAI_OK);
  assert_int_equal(a.count, 2304);
  expect_anchor(&a, 0, 0.5f / 48, 0.5f / 48, 1, 1);
  expect_anchor(&a, 1, 1.5f / 48, 0.5f / 48, 1, 1);
  expect_anchor(&a, 48, 0.5f / 48, 1.5f / 48, 1, 1);
  expect_anchor(&a, 48 * 20 + 7, 7.5f / 48, 20.5f / 48, 1, 1);
  expect_anchor(&a, 2303, 47.5f / 48, 47.5f / 48, 1, 1);
  odai_anchors_fini(&a);
}

/* Pose and palm detection: the counts equal the models' output rows
 * (refdata model.json: [1,2254,12] and [1,2016,18]); the decode presets
 * agree with them. */
static void test_pose_palm(void **state) {
  (void)state;
  odai_ssd_anchor_options o;
  odai_ssd_decode_options d;
  odai_anchors a = {0};
  odai_ssd_anchor_options_pose_detection(&o);
  odai_ssd_decode_options_pose_detection(&d);
  assert_int_equal(odai_ssd_anchors_generate(&o, &a, NULL), ODAI_OK);
  assert_int_equal(a.count, 28 * 28 * 2 + 14 * 14 * 2 + 7 * 7 * 6);
  assert_int_equal(a.count, 2254);
  assert_int_equal(d.num_boxes, 2254);
  assert_int_equal(odai_ssd_decode_options_check(&d, NULL), ODAI_OK);
  expect_anchor(&a, 2254 - 1, 6.5f / 7, 6.5f / 7, 1, 1);
  odai_ssd_anchor_options_palm_detection(&o);
  odai_ssd_decode_options_palm_detection(&d);
  assert_int_equal(odai_ssd_anchors_generate(&o, &a, NULL), ODAI_OK);
  assert_int_equal(a.count, 2016);
  assert_int_equal(d.num_boxes, 2016);
  assert_int_equal(odai_ssd_decode_options_check(&d, NULL), ODAI_OK);
  expect_anchor(&a, 0, 0.5f / 24, 0.5f / 24, 1, 1);
  odai_anchors_fini(&a);
}

/* MediaPipe's documented SSD MobileNet example: 1917 anchors. */
static void test_ssd_mobilenet(void **state) {
  (void)state;
  odai_ssd_anchor_options o;
  odai_ssd_anchor_options_init(&o);
  o.num_layers = 6;
  o.min_scale = 0.2f;
  o.max_scale = 0.95f;
  o.input_size_width = o.input_size_height = 300;
  o.num_strides = 6;
  int strides[6] = {16, 32, 64, 128, 256, 512};
  for (int i = 0; i < 6; i++) o.strides[i] = strides[i];
  float ars[5] = {1.0f, 2.0f, 0.5f, 3.0f, 0.3333f};
  o.num_aspect_ratios = 5;
  for (int i = 0; i < 5; i++) o.aspect_ratios[i] = ars[i];
  o.reduce_boxes_in_lowest_layer = true;
  odai_anchors a = {0};
  assert_int_equal(odai_ssd_anchors_generate(&o, &a, NULL), ODAI_OK);
  assert_int_equal(a.count, 19 * 19 * 3 + 10 * 10 * 6 + 5 * 5 * 6 + 3 * 3 * 6 + 2 * 2 * 6 + 6);
  const float c19 = 0.5f / 19, r2 = sqrtf(2.0f);
  expect_anchor(&a, 0, c19, c19, 0.1f, 0.1f);
  expect_anchor(&a, 1, c19, c19, 0.2f * r2, 0.2f / r2);
  expect_anchor(&a, 2, c19, c19, 0.2f / r2, 0.2f * r2);
  /* Layer 1 (scale 0.35, next 0.5): 6th anchor is the interpolated one. */
  const size_t l1 = 19 * 19 * 3;
  expect_anchor(&a, l1, 0.05f, 0.05f, 0.35f, 0.35f);
  expect_anchor(&a, l1 + 3, 0.05f, 0.05f, 0.35f * sqrtf(3.0f), 0.35f / sqrtf(3.0f));
  expect_anchor(&a, l1 + 5, 0.05f, 0.05f, sqrtf(0.35f * 0.5f), sqrtf(0.35f * 0.5f));
  /* Last layer: one cell, scale 0.95, interpolated with 1.0. */
  expect_anchor(&a, a.count - 1, 0.5f, 0.5f, sqrtf(0.95f), sqrtf(0.95f));
  odai_anchors_fini(&a);
}

static void test_bad_options(void **state) {
  (void)state;
  odai_ssd_anchor_options o;
  odai_ssd_anchor_options_face_short_range(&o);
  odai_anchors a = {0};
  odai_error err;
  o.num_strides = 3; /* 4 layers */
  assert_int_equal(odai_ssd_anchors_generate(&o, &a, &err), ODAI_E_INVALID);
  odai_ssd_anchor_options_face_short_range(&o);
  o.strides[1] = 0;
  assert_int_equal(odai_ssd_anchors_generate(&o, &a, &err), ODAI_E_INVALID);
  odai_ssd_anchor_options_init(&o);
  assert_int_equal(odai_ssd_anchors_generate(&o, &a, &err), ODAI_E_INVALID);
  /* Feature maps given instead of strides. */
  odai_ssd_anchor_options_init(&o);
  o.num_layers = 2;
  o.min_scale = 0.2f;
  o.max_scale = 0.8f;
  o.num_feature_map_height = o.num_feature_map_width = 2;
  o.feature_map_height[0] = o.feature_map_width[0] = 4;
  o.feature_map_height[1] = o.feature_map_width[1] = 2;
  o.num_aspect_ratios = 1;
  o.aspect_ratios[0] = 1.0f;
  o.interpolated_scale_aspect_ratio = 0.0f;
  assert_int_equal(odai_ssd_anchors_generate(&o, &a, &err), ODAI_OK);
  assert_int_equal(a.count, 16 + 4);
  expect_anchor(&a, 0, 0.125f, 0.125f, 0.2f, 0.2f);
  expect_anchor(&a, 16, 0.25f, 0.25f, 0.8f, 0.8f);
  odai_anchors_fini(&a);
}

static void test_multiscale(void **state) {
  (void)state;
  odai_ssd_anchor_options o;
  odai_ssd_anchor_options_init(&o);
  o.multiscale_anchor_generation = true;
  o.min_level = 3;
  o.max_level = 4;
  o.input_size_width = o.input_size_height = 64;
  o.num_strides = 2;
  o.strides[0] = 8;
  o.strides[1] = 16;
  o.num_aspect_ratios = 1;
  o.aspect_ratios[0] = 1.0f;
  o.scales_per_octave = 1;
  odai_anchors a = {0};
  assert_int_equal(odai_ssd_anchors_generate(&o, &a, NULL), ODAI_OK);
  assert_int_equal(a.count, 8 * 8 + 4 * 4);
  /* Level 3: stride 8, offset 4 px, size 8*4 = 32 px; normalised by 64. */
  expect_anchor(&a, 0, 4.0f / 64, 4.0f / 64, 0.5f, 0.5f);
  expect_anchor(&a, 1, 12.0f / 64, 4.0f / 64, 0.5f, 0.5f);
  expect_anchor(&a, 64, 8.0f / 64, 8.0f / 64, 1.0f, 1.0f);
  odai_anchors_fini(&a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_short_range), cmocka_unit_test(test_full_range),
      cmocka_unit_test(test_ssd_mobilenet), cmocka_unit_test(test_bad_options),
      cmocka_unit_test(test_multiscale), cmocka_unit_test(test_pose_palm),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
