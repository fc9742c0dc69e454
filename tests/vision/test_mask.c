/* Segmentation mask maths against simple reference implementations:
 * activation, bilinear resize (whole and region), MediaPipe's smoothing
 * formula, box blur vs a naive blur, tint/blur/replace compositing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calculators/segmentation/mask_ops.h"

static void test_activation(void **state) {
  (void)state;
  float t[2 * 3 * 2]; /* H=2, W=3, C=2 */
  for (int i = 0; i < 12; i++) t[i] = (float)i * 0.5f - 3.0f;
  float buf[6];
  odai_mask m = {buf, 3, 2, 3};
  assert_int_equal(odai_mask_from_tensor(t, 3, 2, 2, ODAI_MASK_ACTIVATION_SOFTMAX, 1, &m, NULL),
                   ODAI_OK);
  for (int i = 0; i < 6; i++) {
    float a = t[2 * i], b = t[2 * i + 1];
    float ref = expf(b) / (expf(a) + expf(b));
    assert_true(fabsf(buf[i] - ref) < 1e-6f);
  }
  assert_int_equal(odai_mask_from_tensor(t, 3, 2, 2, ODAI_MASK_ACTIVATION_SIGMOID, 0, &m, NULL),
                   ODAI_OK);
  assert_true(fabsf(buf[1] - 1.0f / (1.0f + expf(-t[2]))) < 1e-6f);
  assert_int_equal(odai_mask_from_tensor(t, 3, 2, 2, ODAI_MASK_ACTIVATION_NONE, 1, &m, NULL),
                   ODAI_OK);
  assert_true(buf[5] == t[11]);
  assert_int_equal(odai_mask_from_tensor(t, 3, 2, 2, ODAI_MASK_ACTIVATION_NONE, 2, &m, NULL),
                   ODAI_E_INVALID);
  assert_int_equal(odai_mask_from_tensor(t, 3, 2, 1, ODAI_MASK_ACTIVATION_SOFTMAX, 0, &m, NULL),
                   ODAI_E_INVALID);
}

/* Reference bilinear (half-pixel, clamped) in double. */
static double ref_sample(const float *s, int w, int h, double sx, double sy) {
  if (sx < 0) sx = 0;
  if (sy < 0) sy = 0;
  if (sx > w - 1) sx = w - 1;
  if (sy > h - 1) sy = h - 1;
  int x0 = (int)floor(sx), y0 = (int)floor(sy);
  int x1 = x0 + 1 < w ? x0 + 1 : w - 1, y1 = y0 + 1 < h ? y0 + 1 : h - 1;
  double fx = sx - x0, fy = sy - y0;
  return (1 - fy) * ((1 - fx) * s[y0 * w + x0] + fx * s[y0 * w + x1]) +
         fy * ((1 - fx) * s[y1 * w + x0] + fx * s[y1 * w + x1]);
}

static void test_resize(void **state) {
  (void)state;
  enum { SW = 7, SH = 5, DW = 23, DH = 11 };
  float src[SW * SH], dst[DW * DH];
  for (int i = 0; i < SW * SH; i++) src[i] = (float)((i * 37) % 11) / 10.0f;
  odai_mask s = {src, SW, SH, SW}, d = {dst, DW, DH, DW};
  assert_int_equal(odai_mask_resize(&s, 0, 0, 1, 1, &d, NULL), ODAI_OK);
  for (int y = 0; y < DH; y++)
    for (int x = 0; x < DW; x++) {
      double r = ref_sample(src, SW, SH, (x + 0.5) * SW / DW - 0.5, (y + 0.5) * SH / DH - 0.5);
      assert_true(fabs(dst[y * DW + x] - r) < 1e-5);
    }
  /* Region: the middle half of the rows (a letterboxed tensor). */
  assert_int_equal(odai_mask_resize(&s, 0, 0.2f, 1, 0.8f, &d, NULL), ODAI_OK);
  for (int y = 0; y < DH; y++)
    for (int x = 0; x < DW; x++) {
      double sy = 0.2 * SH + (y + 0.5) * (0.6 * SH) / DH - 0.5;
      double r = ref_sample(src, SW, SH, (x + 0.5) * SW / DW - 0.5, sy);
      assert_true(fabs(dst[y * DW + x] - r) < 1e-5);
    }
  /* Same size: identity. */
  float same[SW * SH];
  odai_mask sm = {same, SW, SH, SW};
  assert_int_equal(odai_mask_resize(&s, 0, 0, 1, 1, &sm, NULL), ODAI_OK);
  assert_memory_equal(same, src, sizeof(src));
  assert_int_equal(odai_mask_resize(&s, 0.5f, 0, 0.5f, 1, &d, NULL), ODAI_E_INVALID);
}

static void test_smoothing(void **state) {
  (void)state;
  float cur[4] = {0.5f, 0.0f, 1.0f, 0.7f}, prev[4] = {1.0f, 1.0f, 0.0f, 0.2f}, out[4];
  odai_mask c = {cur, 4, 1, 4}, p = {prev, 4, 1, 4}, o = {out, 4, 1, 4};
  assert_int_equal(odai_mask_smooth(&c, &p, &o, 0.7f, NULL), ODAI_OK);
  /* p = 0.5: full uncertainty -> 0.5 + 0.5 * 0.7 */
  assert_true(fabsf(out[0] - 0.85f) < 1e-6f);
  /* certain values (0, 1) keep their value */
  assert_true(fabsf(out[1]) < 1e-3f); /* the polynomial is ~1 at the ends */
  assert_true(fabsf(out[2] - 1.0f) < 1e-3f);
  /* 0.7: MediaPipe's polynomial */
  float t = 0.2f, x = t * t;
  float u = 1.0f - fminf(1.0f, x * (5.68842f + x * (-0.748699f + x * (-57.8051f + x * (291.309f + x * -624.717f)))));
  assert_true(fabsf(out[3] - (0.7f + (0.2f - 0.7f) * u * 0.7f)) < 1e-6f);
  /* ratio 0 passes the current mask through */
  assert_int_equal(odai_mask_smooth(&c, &p, &o, 0.0f, NULL), ODAI_OK);
  assert_memory_equal(out, cur, sizeof(cur));
}

static int clampi(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

/* Naive separable box blur, replicated edges, rounded like odai's. */
static void ref_blur(const uint8_t *src, uint8_t *dst, int w, int h, int ch, int r) {
  uint8_t *tmp = malloc((size_t)w * h * ch);
  const int n = 2 * r + 1;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      for (int c = 0; c < ch; c++) {
        int s = 0;
        for (int k = -r; k <= r; k++) s += src[(y * w + clampi(x + k, 0, w - 1)) * ch + c];
        tmp[(y * w + x) * ch + c] = (uint8_t)((s + n / 2) / n);
      }
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      for (int c = 0; c < ch; c++) {
        int s = 0;
        for (int k = -r; k <= r; k++) s += tmp[(clampi(y + k, 0, h - 1) * w + x) * ch + c];
        dst[(y * w + x) * ch + c] = (uint8_t)((s + n / 2) / n);
      }
  free(tmp);
}

static void test_box_blur(void **state) {
  (void)state;
  enum { W = 37, H = 23, CH = 3 };
  uint8_t src[W * H * CH], ref[W * H * CH], out[W * H * CH];
  for (int i = 0; i < W * H * CH; i++) src[i] = (uint8_t)((i * 131 + (i / 7) * 17) & 255);
  odai_mask_scratch s = {0};
  const int radii[] = {1, 2, 5, 30};
  for (int k = 0; k < 4; k++) {
    ref_blur(src, ref, W, H, CH, radii[k]);
    odai_canvas a = {src, W, H, W * CH, CH, false}, b = {out, W, H, W * CH, CH, false};
    assert_int_equal(odai_blur_box(&a, &b, radii[k], 1, &s, NULL), ODAI_OK);
    int maxd = 0;
    for (int i = 0; i < W * H * CH; i++) maxd = abs(out[i] - ref[i]) > maxd ? abs(out[i] - ref[i]) : maxd;
    assert_true(maxd <= 1);
  }
  /* In place, 3 passes, on a flat image stays flat. */
  uint8_t flat[W * H * CH];
  memset(flat, 77, sizeof flat);
  odai_canvas f = {flat, W, H, W * CH, CH, false};
  assert_int_equal(odai_blur_box(&f, &f, 4, 3, &s, NULL), ODAI_OK);
  for (int i = 0; i < W * H * CH; i++) assert_int_equal(flat[i], 77);
  odai_canvas a = {src, W, H, W * CH, CH, false};
  assert_int_equal(odai_blur_box(&a, &a, -1, 1, &s, NULL), ODAI_E_INVALID);
  odai_mask_scratch_fini(&s);
}

static void test_overlays(void **state) {
  (void)state;
  enum { W = 16, H = 8 };
  uint8_t img[W * H * 3];
  float mk[W * H];
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      mk[y * W + x] = x < W / 2 ? 1.0f : 0.0f; /* person on the left */
      for (int c = 0; c < 3; c++) img[(y * W + x) * 3 + c] = (uint8_t)(((x + y) & 1) ? 200 : 0);
    }
  uint8_t orig[sizeof img];
  memcpy(orig, img, sizeof img);
  odai_canvas cv = {img, W, H, W * 3, 3, false};
  odai_mask m = {mk, W, H, W};
  odai_mask_scratch s = {0};
  assert_int_equal(odai_mask_blur_background(&cv, &m, 2, &s, NULL), ODAI_OK);
  /* Foreground untouched, background smoothed towards the mean (100). */
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W / 2; x++) assert_int_equal(img[(y * W + x) * 3], orig[(y * W + x) * 3]);
  for (int y = 2; y < H - 2; y++)
    for (int x = W / 2 + 3; x < W - 3; x++) assert_true(abs(img[(y * W + x) * 3] - 100) <= 20);

  memcpy(img, orig, sizeof img);
  assert_int_equal(odai_mask_replace_background(&cv, &m, NULL, (odai_color){0, 255, 0, 255}, NULL),
                   ODAI_OK);
  assert_int_equal(img[(3 * W + 12) * 3 + 1], 255);
  assert_int_equal(img[(3 * W + 12) * 3 + 0], 0);
  assert_int_equal(img[(3 * W + 3) * 3 + 0], orig[(3 * W + 3) * 3]);

  memcpy(img, orig, sizeof img);
  assert_int_equal(odai_mask_tint(&cv, &m, (odai_color){255, 0, 0, 255}, 0.5f, false, NULL), ODAI_OK);
  /* left half: halfway to red; right half unchanged */
  assert_true(abs(img[(0 * W + 0) * 3 + 0] - 128) <= 1);
  assert_int_equal(img[(0 * W + 12) * 3], orig[(0 * W + 12) * 3]);
  /* MediaPipe's recolor: inverted mask recolours the background fully,
   * and with adjust_with_luminance a black pixel stays black. */
  memcpy(img, orig, sizeof img);
  assert_int_equal(odai_mask_recolor(&cv, &m, (odai_color){0, 0, 255, 255}, true, false, NULL),
                   ODAI_OK);
  assert_int_equal(img[(0 * W + 12) * 3 + 2], 255);
  assert_int_equal(img[(0 * W + 12) * 3 + 0], 0);
  assert_int_equal(img[(1 * W + 1) * 3 + 0], orig[(1 * W + 1) * 3 + 0]); /* person kept */
  memcpy(img, orig, sizeof img);
  assert_int_equal(odai_mask_recolor(&cv, &m, (odai_color){0, 0, 255, 255}, true, true, NULL),
                   ODAI_OK);
  assert_int_equal(img[(0 * W + 12) * 3 + 2], 0);                  /* black stays black */
  /* 200-grey: mix = 200/255, b = 200 * (1 - mix) + 255 * mix */
  {
    float mix = 200.0f / 255.0f;
    int expect = (int)(200.0f * (1 - mix) + 255.0f * mix + 0.5f);
    assert_int_equal(img[(0 * W + 13) * 3 + 2], expect);
  }
  /* mismatched sizes are refused */
  odai_mask small = {mk, W - 1, H, W};
  assert_int_equal(odai_mask_tint(&cv, &small, (odai_color){0}, 1, false, NULL), ODAI_E_INVALID);
  odai_mask_scratch_fini(&s);
}

/* A wide background blur runs on a downsampled copy: it must stay close to
 * the full-resolution 3-pass box blur. */
static void test_wide_blur_matches_full_resolution(void **state) {
  (void)state;
  enum { W = 203, H = 121, CH = 3 };
  uint8_t *img = malloc(W * H * CH), *ref = malloc(W * H * CH);
  float *mk = calloc(W * H, sizeof(float)); /* all background */
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      for (int c = 0; c < CH; c++)
        img[(y * W + x) * CH + c] =
            (uint8_t)(127 + 60 * sin(x * 0.07 + c) + 60 * cos(y * 0.05) + ((x * 7 + y * 13) % 9));
  memcpy(ref, img, W * H * CH);
  odai_mask_scratch s = {0};
  odai_canvas rc = {ref, W, H, W * CH, CH, false}, ic = {img, W, H, W * CH, CH, false};
  odai_mask m = {mk, W, H, W};
  assert_int_equal(odai_blur_box(&rc, &rc, 16, 3, &s, NULL), ODAI_OK);
  assert_int_equal(odai_mask_blur_background(&ic, &m, 16, &s, NULL), ODAI_OK);
  double sum = 0;
  int maxd = 0;
  for (int i = 0; i < W * H * CH; i++) {
    int d = abs(img[i] - ref[i]);
    sum += d;
    if (d > maxd) maxd = d;
  }
  printf("# wide blur vs full resolution: mean |diff| %.2f, max %d\n", sum / (W * H * CH), maxd);
  assert_true(sum / (W * H * CH) < 4.0);
  assert_true(maxd < 24);
  odai_mask_scratch_fini(&s);
  free(img);
  free(ref);
  free(mk);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_activation), cmocka_unit_test(test_resize),
      cmocka_unit_test(test_smoothing),  cmocka_unit_test(test_box_blur),
      cmocka_unit_test(test_overlays), cmocka_unit_test(test_wide_blur_matches_full_resolution),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
