/* tests/calculators/test_image_to_tensor.c: ImageToTensor's sampling against
 * the TFLite reference inputs in shared/refdata (which were made by a
 * half-pixel bilinear stretch, rounded to u8), plus letterbox padding and
 * the tensor-to-image matrix. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calculators/inference/image_to_tensor_ops.h"

static void *read_all(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  void *buf = malloc((size_t)len);
  if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  *n = (size_t)len;
  return buf;
}

static const char *shared_dir(void) {
  const char *d = getenv("ODAI_SHARED_DIR");
  return d ? d : "../shared";
}

static void check_against_ref(const char *img, int w, int h, const char *model, int tw, int th,
                              float lo, float hi) {
  char path[1024];
  size_t n = 0;
  snprintf(path, sizeof path, "%s/refdata/images/%s.rgb", shared_dir(), img);
  uint8_t *rgb = read_all(path, &n);
  if (!rgb) fail_msg("missing %s (shared/refdata)", path);
  assert_int_equal(n, (size_t)w * h * 3);
  snprintf(path, sizeof path, "%s/refdata/tflite/%s/img_%s/input_input.f32", shared_dir(), model,
           img);
  float *ref = read_all(path, &n);
  if (!ref) {
    snprintf(path, sizeof path, "%s/refdata/tflite/%s/img_%s/input_input_1.f32", shared_dir(),
             model, img);
    ref = read_all(path, &n);
  }
  if (!ref) fail_msg("missing reference input for %s/%s", model, img);
  assert_int_equal(n, (size_t)tw * th * 3 * sizeof(float));

  odai_image_planes pl = {.width = w, .height = h, .format = ODAI_PIXEL_RGB8, .num_planes = 1};
  pl.data[0] = rgb;
  pl.stride[0] = w * 3;
  odai_i2t_params p = {.out_w = tw, .out_h = th, .range_min = lo, .range_max = hi};
  odai_roi roi = odai_roi_from_norm_rect(NULL, w, h);
  float pad[4];
  odai_roi_pad(&roi, &p, pad);
  float *out = malloc(n);
  odai_image_to_tensor_f32(&pl, &roi, &p, out);
  double maxd = 0;
  for (size_t i = 0; i < n / sizeof(float); i++) maxd = fmax(maxd, fabs(out[i] - ref[i]));
  /* The reference rounds the resized pixel to u8 (half a level), and
   * computes in float64 (odai in float32: ~1% of a level more). */
  double tol = 0.51 * (hi - lo) / 255.0;
  printf("# %s %s %dx%d: max |odai - ref| = %.6f (tolerance %.6f)\n", model, img, tw, th, maxd, tol);
  assert_true(maxd <= tol);
  free(out);
  free(ref);
  free(rgb);
}

static void test_matches_reference_inputs(void **state) {
  (void)state;
  check_against_ref("astronaut", 512, 512, "face_detection_short_range", 128, 128, -1, 1);
  check_against_ref("messi5", 548, 342, "face_detection_short_range", 128, 128, -1, 1);
  check_against_ref("fruits", 512, 480, "face_detection_full_range", 192, 192, -1, 1);
  check_against_ref("messi5", 548, 342, "selfie_segmentation", 256, 256, 0, 1);
}

static void test_letterbox_padding_and_matrix(void **state) {
  (void)state;
  /* 640x480 into 128x128 keeping aspect: the roi grows vertically to
   * 640x640, content occupies the middle 480/640 of the tensor. */
  odai_i2t_params p = {.out_w = 128, .out_h = 128, .keep_aspect_ratio = true, .range_min = -1,
                       .range_max = 1};
  odai_roi roi = odai_roi_from_norm_rect(NULL, 640, 480);
  float pad[4];
  odai_roi_pad(&roi, &p, pad);
  assert_float_equal(roi.w, 640, 1e-3);
  assert_float_equal(roi.h, 640, 1e-3);
  assert_float_equal(pad[0], 0, 1e-6);
  assert_float_equal(pad[1], 0.125, 1e-6);
  assert_float_equal(pad[3], 0.125, 1e-6);
  float m[16];
  odai_roi_to_matrix(&roi, 640, 480, false, m);
  /* tensor (0.5, 0.125) is the top edge of the image, centre column. */
  float x = m[0] * 0.5f + m[1] * 0.125f + m[3];
  float y = m[4] * 0.5f + m[5] * 0.125f + m[7];
  assert_float_equal(x, 0.5, 1e-5);
  assert_float_equal(y, 0.0, 1e-5);
  /* tensor (1, 0.875) is the bottom-right corner. */
  x = m[0] * 1.f + m[1] * 0.875f + m[3];
  y = m[4] * 1.f + m[5] * 0.875f + m[7];
  assert_float_equal(x, 1.0, 1e-5);
  assert_float_equal(y, 1.0, 1e-5);
}

static void test_zero_border_and_rotation(void **state) {
  (void)state;
  /* A 4x2 white image letterboxed into 4x4: top and bottom rows are the
   * border (range_min), the middle rows white (range_max). */
  uint8_t img[2 * 4 * 3];
  memset(img, 255, sizeof img);
  odai_image_planes pl = {.width = 4, .height = 2, .format = ODAI_PIXEL_RGB8, .num_planes = 1};
  pl.data[0] = img;
  pl.stride[0] = 12;
  odai_i2t_params p = {.out_w = 4, .out_h = 4, .keep_aspect_ratio = true, .range_min = -1,
                       .range_max = 1};
  odai_roi roi = odai_roi_from_norm_rect(NULL, 4, 2);
  float pad[4], out[4 * 4 * 3];
  odai_roi_pad(&roi, &p, pad);
  odai_image_to_tensor_f32(&pl, &roi, &p, out);
  assert_float_equal(out[0], -1, 1e-6);            /* row 0: border */
  assert_float_equal(out[1 * 12 + 3], 1, 1e-6);    /* row 1: image */
  assert_float_equal(out[2 * 12 + 6], 1, 1e-6);    /* row 2: image */
  assert_float_equal(out[3 * 12 + 9], -1, 1e-6);   /* row 3: border */

  /* Rotating a horizontal gradient by 90 degrees turns it vertical. */
  uint8_t g[8 * 8 * 3];
  for (int y = 0; y < 8; y++)
    for (int x = 0; x < 8; x++) g[(y * 8 + x) * 3] = g[(y * 8 + x) * 3 + 1] = g[(y * 8 + x) * 3 + 2] = (uint8_t)(x * 32);
  odai_image_planes gp = {.width = 8, .height = 8, .format = ODAI_PIXEL_RGB8, .num_planes = 1};
  gp.data[0] = g;
  gp.stride[0] = 24;
  odai_i2t_params q = {.out_w = 8, .out_h = 8, .range_min = 0, .range_max = 255};
  odai_roi r = {4, 4, 8, 8, (float)(M_PI / 2)};
  float o2[8 * 8 * 3];
  odai_image_to_tensor_f32(&gp, &r, &q, o2);
  /* rows now vary, columns don't */
  assert_float_equal(o2[(0 * 8 + 1) * 3], o2[(0 * 8 + 6) * 3], 1e-3);
  assert_true(fabsf(o2[(1 * 8 + 3) * 3] - o2[(6 * 8 + 3) * 3]) > 100);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_matches_reference_inputs),
      cmocka_unit_test(test_letterbox_padding_and_matrix),
      cmocka_unit_test(test_zero_border_and_rotation),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
