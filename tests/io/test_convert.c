/* tests/io/test_convert.c: every pixel format conversion, resize, rotate,
 * flip and letterbox of io/image_*.c held to the plain references in
 * image_ref.c. Tolerances are stated at each check (u8 steps, or
 * float * 255 for F32/F32C3). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image_ref.h"
#include "odai/image.h"

static const odai_pixel_format k_all[] = {ODAI_PIXEL_RGB8, ODAI_PIXEL_RGBA8, ODAI_PIXEL_BGR8, ODAI_PIXEL_BGRA8,
                                          ODAI_PIXEL_GRAY8, ODAI_PIXEL_YUYV, ODAI_PIXEL_NV12, ODAI_PIXEL_I420,
                                          ODAI_PIXEL_F32, ODAI_PIXEL_F32C3};
#define NALL ((int)(sizeof k_all / sizeof k_all[0]))

/* Tolerance of a conversion against the double-precision reference:
 * libyuv's YUV<->RGB use 6-8 bit fixed-point coefficients and round in
 * between steps, so any path touching YUV may be off by up to 2 (measured
 * max 2, mean < 0.45); RGB shuffles are exact; luma (GRAY8/F32) is within
 * 1; float <-> u8 within 0.5. */
static double tolerance(odai_pixel_format s, odai_pixel_format d) {
  bool sy = odai_pixel_format_is_yuv(s), dy = odai_pixel_format_is_yuv(d);
  if (sy || dy) return 2;
  if (d == ODAI_PIXEL_GRAY8 || d == ODAI_PIXEL_F32 || s == ODAI_PIXEL_GRAY8 || s == ODAI_PIXEL_F32) return 1;
  return 0.5;
}

static void check_pairs(int w, int h) {
  int bad = 0;
  for (int i = 0; i < NALL; i++) {
    for (int j = 0; j < NALL; j++) {
      odai_image *src = ref_make(w, h, k_all[i], 7u + (unsigned)i), *got = NULL, *want = NULL;
      assert_non_null(src);
      odai_error err = {0};
      odai_status st = odai_image_convert(src, k_all[j], &got, &err);
      if (st != ODAI_OK) fprintf(stderr, "%s -> %s: %s\n", odai_pixel_format_name(k_all[i]), odai_pixel_format_name(k_all[j]), err.message);
      assert_int_equal(st, ODAI_OK);
      assert_int_equal(odai_image_format(got), k_all[j]);
      assert_int_equal(odai_image_new(w, h, k_all[j], &want), ODAI_OK);
      ref_img r = ref_decode(src);
      ref_encode(&r, want);
      ref_free(&r);
      double md = ref_max_diff(got, want, -1), tol = tolerance(k_all[i], k_all[j]);
      if (getenv("ODAI_TEST_VERBOSE") || md > tol) {
        fprintf(stderr, "%dx%d %-6s -> %-6s max diff %.2f (mean %.3f) tol %.1f%s\n", w, h,
                odai_pixel_format_name(k_all[i]), odai_pixel_format_name(k_all[j]), md, ref_mean_diff(got, want), tol,
                md > tol ? "  FAIL" : "");
      }
      if (md > tol || md < 0) bad++;
      odai_image_unref(src);
      odai_image_unref(got);
      odai_image_unref(want);
    }
  }
  assert_int_equal(bad, 0);
}

static void test_convert_all_pairs_even(void **state) {
  (void)state;
  check_pairs(64, 48);
}

static void test_convert_all_pairs_odd(void **state) {
  (void)state;
  check_pairs(33, 17);
}


/* The luma plane of a YUV image as a GRAY8 wrap (no copy). */
static odai_image *luma_of(odai_image *img) {
  uint8_t *planes[1] = {odai_image_data(img, 0)};
  int strides[1] = {odai_image_stride(img, 0)};
  odai_image *g = NULL;
  if (odai_image_format(img) == ODAI_PIXEL_YUYV) {
    /* YUYV luma is interleaved: copy it out. */
    assert_int_equal(odai_image_new(odai_image_width(img), odai_image_height(img), ODAI_PIXEL_GRAY8, &g), ODAI_OK);
    for (int y = 0; y < odai_image_height(img); y++)
      for (int x = 0; x < odai_image_width(img); x++)
        odai_image_data(g, 0)[y * odai_image_stride(g, 0) + x] = planes[0][y * strides[0] + 2 * x];
    return g;
  }
  assert_int_equal(odai_image_wrap(odai_image_width(img), odai_image_height(img), ODAI_PIXEL_GRAY8, planes, strides,
                                   false, NULL, NULL, &g),
                   ODAI_OK);
  return g;
}

typedef struct rs_case {
  int sw, sh, dw, dh;
  odai_resize_filter f;
  double max_tol, mean_tol;
} rs_case;

/* Tolerances against ref_resize (u8 steps; floats *255), measured on the
 * smooth-plus-noise test image (noise +-3.5 per channel, so any sub-pixel
 * position difference shows):
 * - nearest: exact (same 16.16 stepping).
 * - bilinear: libyuv steps in 16.16 and blends with 7-8 bit weights; its
 *   ARGB scaler is the coarsest: within 4, mean within 2 (GRAY8/YUV and
 *   odai's own RGB8 path: within 1; floats: within 0.01).
 * - area at integer ratios: within 2, mean 1.1 (exact box up to rounding).
 * - area at fractional ratios: libyuv's plane box (GRAY8, YUV luma, and
 *   packed formats split into planes) sums whole source pixels, so each box
 *   sits up to half a pixel off the exact one; below 2x every scaler is
 *   bilinear: within 12, mean within 3.5 (measured 12 / 3.4 on RGBA8 at
 *   64x48 -> 24x20; floats use the exact fractional box: within 0.01).
 */
static const rs_case k_rs[] = {
    {64, 48, 16, 12, ODAI_RESIZE_NEAREST, 0, 0},     {64, 48, 16, 12, ODAI_RESIZE_BILINEAR, 4, 2},
    {64, 48, 16, 12, ODAI_RESIZE_AREA, 2, 1.1},      {64, 48, 24, 20, ODAI_RESIZE_BILINEAR, 4, 2},
    {64, 48, 24, 20, ODAI_RESIZE_AREA, 12, 3.5},     {64, 48, 50, 40, ODAI_RESIZE_AREA, 12, 3.5},
    {64, 48, 100, 70, ODAI_RESIZE_BILINEAR, 4, 2},   {33, 17, 128, 128, ODAI_RESIZE_BILINEAR, 4, 2},
    {64, 48, 24, 20, ODAI_RESIZE_NEAREST, 0, 0},
    /* big shrinks: RGB8/BGR8 take odai's own sampled path here */
    {160, 120, 24, 20, ODAI_RESIZE_BILINEAR, 4, 2},  {97, 65, 16, 12, ODAI_RESIZE_BILINEAR, 4, 2},
    {160, 120, 24, 20, ODAI_RESIZE_AREA, 12, 3.5},
};

static void test_resize_vs_reference(void **state) {
  (void)state;
  static const odai_pixel_format fmts[] = {ODAI_PIXEL_RGB8, ODAI_PIXEL_RGBA8, ODAI_PIXEL_BGR8, ODAI_PIXEL_BGRA8,
                                           ODAI_PIXEL_GRAY8, ODAI_PIXEL_F32, ODAI_PIXEL_F32C3, ODAI_PIXEL_I420,
                                           ODAI_PIXEL_NV12, ODAI_PIXEL_YUYV};
  int bad = 0;
  for (size_t c = 0; c < sizeof k_rs / sizeof k_rs[0]; c++) {
    const rs_case *k = &k_rs[c];
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
      odai_image *src = ref_make(k->sw, k->sh, fmts[i], 3), *got = NULL, *want = NULL, *cmp_got = NULL;
      odai_error err = {0};
      assert_int_equal(odai_image_resize(src, k->dw, k->dh, k->f, &got, &err), ODAI_OK);
      assert_int_equal(odai_image_width(got), k->dw);
      assert_int_equal(odai_image_height(got), k->dh);
      double max_tol = k->max_tol, mean_tol = k->mean_tol;
      bool fl = fmts[i] == ODAI_PIXEL_F32 || fmts[i] == ODAI_PIXEL_F32C3;
      if (fl) max_tol = 0.01, mean_tol = 0.01;
      if (odai_pixel_format_is_yuv(fmts[i])) {
        /* Luma plane against the reference on the source luma. */
        odai_image *sl = luma_of(src);
        want = ref_resize(sl, k->dw, k->dh, k->f);
        cmp_got = luma_of(got);
        odai_image_unref(sl);
        if (fmts[i] == ODAI_PIXEL_YUYV) max_tol += 1, mean_tol += 0.2; /* through I420 */
      } else {
        want = ref_resize(src, k->dw, k->dh, k->f);
        cmp_got = odai_image_ref(got);
      }
      double md = ref_max_diff(cmp_got, want, -1), mn = ref_mean_diff(cmp_got, want);
      bool fail = md > max_tol || mn > mean_tol || md < 0;
      if (fail || getenv("ODAI_TEST_VERBOSE"))
        fprintf(stderr, "resize %-6s %dx%d -> %dx%d filter %d: max %.2f mean %.3f (tol %.2f/%.2f)%s\n",
                odai_pixel_format_name(fmts[i]), k->sw, k->sh, k->dw, k->dh, (int)k->f, md, mn, max_tol, mean_tol,
                fail ? "  FAIL" : "");
      bad += fail;
      odai_image_unref(src);
      odai_image_unref(got);
      odai_image_unref(want);
      odai_image_unref(cmp_got);
    }
  }
  assert_int_equal(bad, 0);
}

static void test_rotate_flip_exact(void **state) {
  (void)state;
  static const int sizes[][2] = {{64, 48}, {37, 21}, {1, 5}};
  int bad = 0;
  for (size_t z = 0; z < 3; z++) {
    int w = sizes[z][0], h = sizes[z][1];
    for (int i = 0; i < NALL; i++) {
      odai_pixel_format f = k_all[i];
      odai_image *src = ref_make(w, h, f, 11);
      for (int deg = 0; deg < 360; deg += 90) {
        odai_image *got = NULL, *want;
        odai_error err = {0};
        assert_int_equal(odai_image_rotate(src, deg, &got, &err), ODAI_OK);
        bool yuyv = f == ODAI_PIXEL_YUYV;
        /* YUYV shares chroma between horizontal pairs, so it rotates through
         * I420: luma exact, chroma within 2 (re-subsampled). */
        odai_image *s2 = yuyv ? luma_of(src) : odai_image_ref(src);
        odai_image *g2 = yuyv ? luma_of(got) : odai_image_ref(got);
        want = ref_rotate(s2, deg);
        double md = ref_max_diff(g2, want, -1);
        if (md != 0 || (deg != 0 && yuyv && (w % 2 == 0 && h % 2 == 0))) {
          if (md != 0) {
            fprintf(stderr, "rotate %s %dx%d by %d: max diff %.2f\n", odai_pixel_format_name(f), w, h, deg, md);
            bad++;
          }
        }
        odai_image_unref(s2);
        odai_image_unref(g2);
        odai_image_unref(want);
        odai_image_unref(got);
      }
      for (int fl = 1; fl <= 3; fl++) {
        odai_image *got = NULL, *want;
        assert_int_equal(odai_image_flip(src, (odai_flip)fl, &got, NULL), ODAI_OK);
        bool yuyv = f == ODAI_PIXEL_YUYV;
        odai_image *s2 = yuyv ? luma_of(src) : odai_image_ref(src);
        odai_image *g2 = yuyv ? luma_of(got) : odai_image_ref(got);
        want = ref_flip(s2, (odai_flip)fl);
        double md = ref_max_diff(g2, want, -1);
        if (md != 0) {
          fprintf(stderr, "flip %s %dx%d mode %d: max diff %.2f\n", odai_pixel_format_name(f), w, h, fl, md);
          bad++;
        }
        odai_image_unref(s2);
        odai_image_unref(g2);
        odai_image_unref(want);
        odai_image_unref(got);
      }
      odai_image_unref(src);
    }
  }
  assert_int_equal(bad, 0);
}

static void test_rotate_errors(void **state) {
  (void)state;
  odai_image *src = ref_make(8, 6, ODAI_PIXEL_RGB8, 1), *out = (odai_image *)1, *dst = NULL;
  odai_error err = {0};
  assert_int_equal(odai_image_rotate(src, 45, &out, &err), ODAI_E_INVALID);
  assert_null(out);
  assert_non_null(strstr(err.message, "45"));
  assert_int_equal(odai_image_new(8, 6, ODAI_PIXEL_RGB8, &dst), ODAI_OK);
  assert_int_equal(odai_image_rotate_into(src, 90, dst, &err), ODAI_E_INVALID); /* needs 6x8 */
  assert_int_equal(odai_image_rotate_into(src, -270, dst, &err), ODAI_E_INVALID);
  assert_int_equal(odai_image_rotate_into(src, -180, dst, &err), ODAI_OK);
  odai_image_unref(dst);
  odai_image_unref(src);
}

static void test_letterbox(void **state) {
  (void)state;
  /* 64x32 into 32x32: content 32x16 centred vertically, 8 rows of pad. */
  static const odai_pixel_format fmts[] = {ODAI_PIXEL_RGB8, ODAI_PIXEL_BGRA8, ODAI_PIXEL_GRAY8, ODAI_PIXEL_I420,
                                           ODAI_PIXEL_F32C3};
  for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
    odai_image *src = ref_make(64, 32, fmts[i], 5), *lb = NULL, *plain = NULL, *win = NULL;
    odai_letterbox box;
    odai_error err = {0};
    assert_int_equal(odai_image_letterbox(src, 32, 32, 0x102030ffu, ODAI_RESIZE_BILINEAR, &lb, &box, &err), ODAI_OK);
    assert_int_equal(box.content_w, 32);
    assert_int_equal(box.content_h, 16);
    assert_int_equal(box.pad_left, 0);
    assert_int_equal(box.pad_top, 8);
    assert_int_equal(box.pad_bottom, 8);
    assert_int_equal(box.pad_right, 0);
    assert_true(box.scale_x == 0.5f && box.scale_y == 0.5f);
    /* The content equals a plain resize; the padding has the colour. */
    assert_int_equal(odai_image_resize(src, 32, 16, ODAI_RESIZE_BILINEAR, &plain, &err), ODAI_OK);
    assert_int_equal(odai_image_crop(lb, 0, 8, 32, 16, &win, &err), ODAI_OK);
    assert_true(ref_max_diff(win, plain, -1) == 0);
    odai_image *rgb = NULL;
    assert_int_equal(odai_image_convert(lb, ODAI_PIXEL_RGB8, &rgb, &err), ODAI_OK);
    const uint8_t *p = odai_image_cdata(rgb, 0);
    if (fmts[i] == ODAI_PIXEL_GRAY8) {
      int l = (299 * 0x10 + 587 * 0x20 + 114 * 0x30 + 500) / 1000;
      assert_int_equal(p[0], l);
    } else {
      /* through YUV: within 2 */
      assert_true(abs(p[0] - 0x10) <= 2 && abs(p[1] - 0x20) <= 2 && abs(p[2] - 0x30) <= 2);
    }
    odai_image_unref(rgb);
    odai_image_unref(win);
    odai_image_unref(plain);
    odai_image_unref(lb);
    odai_image_unref(src);
  }
  /* Tall into wide: pads left/right; odd leftovers go right/bottom. */
  odai_image *src = ref_make(10, 40, ODAI_PIXEL_RGB8, 1), *lb = NULL;
  odai_letterbox box;
  assert_int_equal(odai_image_letterbox(src, 33, 20, 0, ODAI_RESIZE_AREA, &lb, &box, NULL), ODAI_OK);
  assert_int_equal(box.content_h, 20);
  assert_int_equal(box.content_w, 5);
  assert_int_equal(box.pad_left, 14);
  assert_int_equal(box.pad_right, 14);
  assert_int_equal(odai_image_cdata(lb, 0)[0], 0);
  odai_image_unref(lb);
  odai_image_unref(src);
}


static void test_argument_errors(void **state) {
  (void)state;
  odai_image *a = ref_make(16, 8, ODAI_PIXEL_RGB8, 1), *b = NULL, *out = (odai_image *)1;
  odai_error err = {0};
  /* Sizes and formats that do not fit are refused with a message. */
  assert_int_equal(odai_image_new(15, 8, ODAI_PIXEL_BGR8, &b), ODAI_OK);
  assert_int_equal(odai_image_convert_into(a, b, &err), ODAI_E_INVALID);
  assert_non_null(strstr(err.message, "16x8"));
  assert_int_equal(odai_image_flip_into(a, ODAI_FLIP_VERTICAL, b, &err), ODAI_E_INVALID);
  assert_int_equal(odai_image_resize_into(a, b, ODAI_RESIZE_BILINEAR, &err), ODAI_E_INVALID); /* format differs */
  odai_image_unref(b);
  assert_int_equal(odai_image_resize(a, 0, 5, ODAI_RESIZE_BILINEAR, &out, &err), ODAI_E_INVALID);
  assert_null(out);
  assert_int_equal(odai_image_resize(a, ODAI_IMAGE_MAX_DIM + 1, 5, ODAI_RESIZE_BILINEAR, &out, &err), ODAI_E_INVALID);
  assert_int_equal(odai_image_letterbox(a, 0, 0, 0, ODAI_RESIZE_AREA, &out, NULL, &err), ODAI_E_INVALID);
  assert_int_equal(odai_image_flip(a, (odai_flip)7, &out, &err), ODAI_E_INVALID);
  assert_null(out);
  assert_int_equal(odai_image_resize_into(a, a, ODAI_RESIZE_BILINEAR, &err), ODAI_E_INVALID); /* in place */
  assert_int_equal(odai_image_convert(NULL, ODAI_PIXEL_RGB8, &out, &err), ODAI_E_INVALID);
  odai_image_unref(a);
}

/* Letterbox into a destination of another format converts on the way. */
static void test_letterbox_into_other_format(void **state) {
  (void)state;
  odai_image *src = ref_make(40, 20, ODAI_PIXEL_RGB8, 2), *dst = NULL, *want = NULL;
  odai_letterbox box;
  assert_int_equal(odai_image_new(20, 20, ODAI_PIXEL_F32C3, &dst), ODAI_OK);
  assert_int_equal(odai_image_letterbox_into(src, dst, 0x000000ffu, ODAI_RESIZE_BILINEAR, &box, NULL), ODAI_OK);
  assert_int_equal(box.pad_top, 5);
  assert_int_equal(box.content_h, 10);
  const float *row0 = (const float *)(const void *)odai_image_cdata(dst, 0);
  assert_true(row0[0] == 0.0f && row0[1] == 0.0f);
  /* content = resized in RGB8 (8-bit, SIMD), then converted to floats */
  odai_image *small = NULL;
  assert_int_equal(odai_image_resize(src, 20, 10, ODAI_RESIZE_BILINEAR, &small, NULL), ODAI_OK);
  assert_int_equal(odai_image_convert(small, ODAI_PIXEL_F32C3, &want, NULL), ODAI_OK);
  odai_image_unref(small);
  small = odai_image_ref(want);
  odai_image *win = NULL;
  assert_int_equal(odai_image_crop(dst, 0, 5, 20, 10, &win, NULL), ODAI_OK);
  assert_true(ref_max_diff(win, small, -1) == 0);
  odai_image_unref(win);
  odai_image_unref(small);
  odai_image_unref(want);
  odai_image_unref(dst);
  odai_image_unref(src);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_convert_all_pairs_even),
      cmocka_unit_test(test_convert_all_pairs_odd),
      cmocka_unit_test(test_resize_vs_reference),
      cmocka_unit_test(test_rotate_flip_exact),
      cmocka_unit_test(test_rotate_errors),
      cmocka_unit_test(test_letterbox),
      cmocka_unit_test(test_argument_errors),
      cmocka_unit_test(test_letterbox_into_other_format),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
