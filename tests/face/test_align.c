/* tests/face/test_align.c: face alignment: the similarity fit recovers known
 * transforms and is least-squares on noisy points, the warp matches a plain
 * reference warp within +-1, keypoints land on the ArcFace template, the
 * MobileFaceNet input scaling, and the quality measures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "calculators/face/align.h"
#include "face_test_util.h"

static void make_sim(double scale, double theta, double tx, double ty, float m[6]) {
  double a = scale * cos(theta), b = scale * sin(theta);
  m[0] = (float)a;
  m[1] = (float)-b;
  m[2] = (float)tx;
  m[3] = (float)b;
  m[4] = (float)a;
  m[5] = (float)ty;
}

static double residual(const float m[6], const float (*src)[2], const float (*dst)[2], int n) {
  double r = 0;
  for (int i = 0; i < n; i++) {
    double x = (double)m[0] * src[i][0] + (double)m[1] * src[i][1] + m[2] - dst[i][0];
    double y = (double)m[3] * src[i][0] + (double)m[4] * src[i][1] + m[5] - dst[i][1];
    r += x * x + y * y;
  }
  return r;
}

static void test_fit_exact(void **state) {
  (void)state;
  uint64_t s = 42;
  for (int trial = 0; trial < 50; trial++) {
    float truth[6];
    make_sim(0.2 + 3.0 * (ft_uniform(&s) + 1), 3.1 * ft_uniform(&s), 200 * ft_uniform(&s),
             200 * ft_uniform(&s), truth);
    float src[4][2], dst[4][2];
    for (int i = 0; i < 4; i++) {
      src[i][0] = 300 * (ft_uniform(&s) + 1);
      src[i][1] = 300 * (ft_uniform(&s) + 1);
      odai_affine_apply(truth, src[i][0], src[i][1], &dst[i][0], &dst[i][1]);
    }
    float m[6];
    assert_int_equal(odai_similarity_fit(src, dst, 4, m, NULL), ODAI_OK);
    for (int k = 0; k < 6; k++) assert_true(fabsf(m[k] - truth[k]) <= 1e-3f * (1 + fabsf(truth[k])));
    /* Two points determine it too. */
    assert_int_equal(odai_similarity_fit(src, dst, 2, m, NULL), ODAI_OK);
    for (int k = 0; k < 6; k++) assert_true(fabsf(m[k] - truth[k]) <= 1e-2f * (1 + fabsf(truth[k])));
    float inv[6], bx, by;
    assert_int_equal(odai_affine_invert(m, inv, NULL), ODAI_OK);
    odai_affine_apply(inv, dst[2][0], dst[2][1], &bx, &by);
    assert_float_equal(bx, src[2][0], 0.05f);
    assert_float_equal(by, src[2][1], 0.05f);
  }
  /* Degenerate input. */
  float same[3][2] = {{1, 1}, {1, 1}, {1, 1}}, m[6];
  odai_error err;
  assert_int_equal(odai_similarity_fit(same, same, 3, m, &err), ODAI_E_INVALID);
  float nan_pts[2][2] = {{NAN, 0}, {1, 1}};
  assert_int_equal(odai_similarity_fit(nan_pts, same, 2, m, &err), ODAI_E_INVALID);
  assert_int_equal(odai_similarity_fit(same, same, 1, m, &err), ODAI_E_INVALID);
}

static void test_fit_least_squares(void **state) {
  (void)state;
  uint64_t s = 7;
  for (int trial = 0; trial < 30; trial++) {
    float truth[6];
    make_sim(0.3 + ft_uniform(&s) * 0.1, 0.4 * ft_uniform(&s), 20, -5, truth);
    float src[6][2], dst[6][2];
    for (int i = 0; i < 6; i++) {
      src[i][0] = 100 + 80 * ft_uniform(&s);
      src[i][1] = 100 + 80 * ft_uniform(&s);
      odai_affine_apply(truth, src[i][0], src[i][1], &dst[i][0], &dst[i][1]);
      dst[i][0] += 2.0f * ft_gauss(&s);
      dst[i][1] += 2.0f * ft_gauss(&s);
    }
    float m[6];
    assert_int_equal(odai_similarity_fit(src, dst, 6, m, NULL), ODAI_OK);
    double best = residual(m, src, dst, 6);
    /* Any nudge of the 4 parameters (a, b, tx, ty) makes the fit worse. */
    const float deltas[] = {1e-2f, -1e-2f, 1e-3f, -1e-3f};
    for (int p = 0; p < 4; p++) {
      for (int d = 0; d < 4; d++) {
        float q[6];
        memcpy(q, m, sizeof q);
        float dl = deltas[d];
        if (p == 0) { q[0] += dl; q[4] += dl; }
        if (p == 1) { q[3] += dl; q[1] -= dl; }
        if (p == 2) q[2] += dl * 100;
        if (p == 3) q[5] += dl * 100;
        assert_true(residual(q, src, dst, 6) >= best * (1 - 1e-6));
      }
    }
    /* A similarity: no shear, no reflection. */
    assert_float_equal(m[0], m[4], 1e-6f);
    assert_float_equal(m[1], -m[3], 1e-6f);
  }
  /* Mirrored points: the best similarity still has no reflection (det > 0). */
  float src[3][2] = {{0, 0}, {10, 0}, {0, 10}}, dst[3][2] = {{0, 0}, {-10, 0}, {0, 10}}, m[6];
  assert_int_equal(odai_similarity_fit(src, dst, 3, m, NULL), ODAI_OK);
  assert_true(m[0] * m[4] - m[1] * m[3] >= 0);
}

/* The test's own plain warp: pad with a black ring, bilinear in double. */
static void ref_warp(const uint8_t *img, int w, int h, const float m[6], uint8_t *out, int ow,
                     int oh) {
  for (int v = 0; v < oh; v++) {
    for (int u = 0; u < ow; u++) {
      double sx = m[0] * (u + 0.5) + m[1] * (v + 0.5) + m[2] - 0.5;
      double sy = m[3] * (u + 0.5) + m[4] * (v + 0.5) + m[5] - 0.5;
      double x0 = floor(sx), y0 = floor(sy), fx = sx - x0, fy = sy - y0;
      for (int c = 0; c < 3; c++) {
        double px[2][2];
        for (int dy = 0; dy < 2; dy++) {
          for (int dx = 0; dx < 2; dx++) {
            double xx = x0 + dx, yy = y0 + dy;
            bool in = xx >= 0 && yy >= 0 && xx < w && yy < h;
            px[dy][dx] = in ? img[((size_t)yy * w + (size_t)xx) * 3 + c] : 0;
          }
        }
        double val = (1 - fy) * ((1 - fx) * px[0][0] + fx * px[0][1]) +
                     fy * ((1 - fx) * px[1][0] + fx * px[1][1]);
        out[((size_t)v * ow + u) * 3 + c] = (uint8_t)fmin(255, fmax(0, floor(val + 0.5)));
      }
    }
  }
}

static void test_warp_matches_reference(void **state) {
  (void)state;
  uint64_t s = 3;
  const int w = 203, h = 151;
  uint8_t *img = malloc((size_t)w * h * 3);
  /* Smooth gradients plus noise, so bilinear weights matter. */
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      for (int c = 0; c < 3; c++)
        img[((size_t)y * w + x) * 3 + c] =
            (uint8_t)((x * (c + 1) + y * (3 - c) + (int)(40 * (ft_uniform(&s) + 1))) & 255);
  uint8_t got[112 * 112 * 3], want[112 * 112 * 3];
  int worst = 0;
  for (int trial = 0; trial < 20; trial++) {
    float m[6];
    /* Scales around 0.5..2 source px per crop px, any angle, some partly outside. */
    make_sim(0.5 + 0.75 * (ft_uniform(&s) + 1), 3.1 * ft_uniform(&s), w / 2 + 80 * ft_uniform(&s),
             h / 2 + 60 * ft_uniform(&s), m);
    assert_int_equal(odai_warp_affine_rgb8(img, w, h, (size_t)w * 3, m, got, 112, 112, 112 * 3,
                                           NULL),
                     ODAI_OK);
    ref_warp(img, w, h, m, want, 112, 112);
    for (size_t i = 0; i < sizeof got; i++) {
      int d = abs((int)got[i] - (int)want[i]);
      if (d > worst) worst = d;
    }
  }
  print_message("warp vs reference: max difference %d\n", worst);
  assert_true(worst <= 1);
  /* Identity: an exact copy. */
  float id[6] = {1, 0, 0, 0, 1, 0};
  assert_int_equal(odai_warp_affine_rgb8(img, w, h, (size_t)w * 3, id, got, 112, 112, 112 * 3,
                                         NULL),
                   ODAI_OK);
  for (int y = 0; y < 112; y++) assert_memory_equal(got + y * 336, img + (size_t)y * w * 3, 336);
  /* Bad arguments. */
  odai_error err;
  float bad[6] = {NAN, 0, 0, 0, 1, 0};
  assert_int_equal(odai_warp_affine_rgb8(img, w, h, (size_t)w * 3, bad, got, 112, 112, 336, &err),
                   ODAI_E_INVALID);
  assert_int_equal(odai_warp_affine_rgb8(img, w, h, 10, id, got, 112, 112, 336, &err),
                   ODAI_E_INVALID);
  free(img);
}

static void test_keypoints_land_on_template(void **state) {
  (void)state;
  /* A face 2.3x the template's size, turned 20 degrees, somewhere in a 400x300 image. */
  float place[6], kps[4][2];
  make_sim(2.3, 20 * M_PI / 180, 120, 40, place);
  for (int i = 0; i < 4; i++)
    odai_affine_apply(place, odai_face_template[i][0], odai_face_template[i][1], &kps[i][0],
                      &kps[i][1]);
  float m[6];
  assert_int_equal(odai_face_align_matrix(kps, m, NULL), ODAI_OK);
  for (int i = 0; i < 4; i++) {
    float x, y;
    odai_affine_apply(m, odai_face_template[i][0], odai_face_template[i][1], &x, &y);
    assert_float_equal(x, kps[i][0], 1e-2f);
    assert_float_equal(y, kps[i][1], 1e-2f);
  }
  /* In pixels: bright blobs at the keypoints come out at the template points. */
  const int w = 400, h = 300;
  uint8_t *img = calloc((size_t)w * h * 3, 1);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      double v = 0;
      for (int i = 0; i < 4; i++) {
        double dx = x + 0.5 - kps[i][0], dy = y + 0.5 - kps[i][1];
        v += 250 * exp(-(dx * dx + dy * dy) / (2 * 3.0 * 3.0));
      }
      for (int c = 0; c < 3; c++) img[((size_t)y * w + x) * 3 + c] = (uint8_t)fmin(255, v);
    }
  uint8_t crop[112 * 112 * 3];
  float *input = malloc(sizeof(float) * 112 * 112 * 3);
  assert_int_equal(odai_face_align_rgb8(img, w, h, (size_t)w * 3, kps, crop, input, NULL), ODAI_OK);
  for (int i = 0; i < 4; i++) {
    double sw = 0, sx = 0, sy = 0;
    int cx = (int)odai_face_template[i][0], cy = (int)odai_face_template[i][1];
    for (int y = cy - 4; y <= cy + 4; y++)
      for (int x = cx - 4; x <= cx + 4; x++) {
        double v = crop[(y * 112 + x) * 3];
        sw += v;
        sx += v * (x + 0.5);
        sy += v * (y + 0.5);
      }
    assert_true(sw > 0);
    assert_float_equal(sx / sw, odai_face_template[i][0], 0.35);
    assert_float_equal(sy / sw, odai_face_template[i][1], 0.35);
  }
  /* The float input is the crop scaled by (u8 - 127.5) / 128. */
  for (int i = 0; i < 112 * 112 * 3; i += 97)
    assert_float_equal(input[i], (crop[i] - 127.5f) / 128.0f, 1e-6f);
  free(input);
  free(img);
}

/* The odai_image entry point gives the same crop for RGB8, RGBA8, BGR8 and BGRA8. */
static void test_align_image_formats(void **state) {
  (void)state;
  const int w = 160, h = 120;
  uint64_t s = 11;
  uint8_t *rgb = malloc((size_t)w * h * 3), *rgba = malloc((size_t)w * h * 4);
  uint8_t *bgr = malloc((size_t)w * h * 3), *bgra = malloc((size_t)w * h * 4);
  for (int i = 0; i < w * h; i++) {
    uint8_t r = (uint8_t)(ft_rand(&s) & 255), g = (uint8_t)(ft_rand(&s) & 255),
            b = (uint8_t)(ft_rand(&s) & 255);
    rgb[3 * i] = r, rgb[3 * i + 1] = g, rgb[3 * i + 2] = b;
    bgr[3 * i] = b, bgr[3 * i + 1] = g, bgr[3 * i + 2] = r;
    rgba[4 * i] = r, rgba[4 * i + 1] = g, rgba[4 * i + 2] = b, rgba[4 * i + 3] = 7;
    bgra[4 * i] = b, bgra[4 * i + 1] = g, bgra[4 * i + 2] = r, bgra[4 * i + 3] = 7;
  }
  float kps[4][2], place[6];
  make_sim(0.9, -0.2, 30, 10, place);
  for (int i = 0; i < 4; i++)
    odai_affine_apply(place, odai_face_template[i][0], odai_face_template[i][1], &kps[i][0],
                      &kps[i][1]);
  static uint8_t want[112 * 112 * 3], got[112 * 112 * 3];
  assert_int_equal(odai_face_align_rgb8(rgb, w, h, (size_t)w * 3, kps, want, NULL, NULL), ODAI_OK);
  struct {
    odai_pixel_format f;
    uint8_t *p;
    int bpp;
  } cases[] = {{ODAI_PIXEL_RGB8, rgb, 3}, {ODAI_PIXEL_RGBA8, rgba, 4}, {ODAI_PIXEL_BGR8, bgr, 3},
               {ODAI_PIXEL_BGRA8, bgra, 4}};
  for (int c = 0; c < 4; c++) {
    odai_image *img = NULL;
    uint8_t *planes[1] = {cases[c].p};
    int strides[1] = {w * cases[c].bpp};
    assert_int_equal(odai_image_wrap(w, h, cases[c].f, planes, strides, false, NULL, NULL, &img),
                     ODAI_OK);
    memset(got, 0xee, sizeof got);
    assert_int_equal(odai_face_align_image(img, kps, got, NULL, NULL), ODAI_OK);
    assert_memory_equal(got, want, sizeof want);
    odai_image_unref(img);
  }
  odai_image *gray = NULL;
  uint8_t *planes[1] = {rgb};
  int strides[1] = {w};
  assert_int_equal(odai_image_wrap(w, h, ODAI_PIXEL_GRAY8, planes, strides, false, NULL, NULL,
                                   &gray),
                   ODAI_OK);
  odai_error err;
  assert_int_equal(odai_face_align_image(gray, kps, got, NULL, &err), ODAI_E_UNSUPPORTED);
  odai_image_unref(gray);
  free(rgb);
  free(rgba);
  free(bgr);
  free(bgra);
}

static void test_crop_to_input(void **state) {
  (void)state;
  uint8_t crop[2 * 3 * 3] = {0, 255, 128, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  float out[18], mir[18];
  odai_face_crop_to_input(crop, 3, 2, 9, false, out);
  odai_face_crop_to_input(crop, 3, 2, 9, true, mir);
  assert_float_equal(out[0], -0.99609375f, 1e-7f);
  assert_float_equal(out[1], 0.99609375f, 1e-7f);
  assert_float_equal(out[2], 0.00390625f, 1e-7f);
  /* Mirrored: pixel (0, y) is pixel (2, y). */
  assert_memory_equal(mir, out + 6, 3 * sizeof(float));
  assert_memory_equal(mir + 6, out, 3 * sizeof(float));
  assert_memory_equal(mir + 9, out + 15, 3 * sizeof(float));
}

static void test_quality(void **state) {
  (void)state;
  uint64_t s = 5;
  static uint8_t sharp[112 * 112 * 3], blurred[112 * 112 * 3];
  for (size_t i = 0; i < sizeof sharp; i += 3) {
    uint8_t v = (uint8_t)(128 + 100 * ft_uniform(&s));
    sharp[i] = sharp[i + 1] = sharp[i + 2] = v;
  }
  /* A 7x7 box blur of it. */
  for (int y = 0; y < 112; y++)
    for (int x = 0; x < 112; x++) {
      int sum = 0, n = 0;
      for (int dy = -3; dy <= 3; dy++)
        for (int dx = -3; dx <= 3; dx++) {
          int yy = y + dy, xx = x + dx;
          if (yy < 0 || xx < 0 || yy >= 112 || xx >= 112) continue;
          sum += sharp[(yy * 112 + xx) * 3];
          n++;
        }
      for (int c = 0; c < 3; c++) blurred[(y * 112 + x) * 3 + c] = (uint8_t)(sum / n);
    }
  float frontal[4][2], turned[4][2], tiny[4][2];
  for (int i = 0; i < 4; i++) {
    frontal[i][0] = 2 * odai_face_template[i][0];
    frontal[i][1] = 2 * odai_face_template[i][1];
    tiny[i][0] = 0.2f * odai_face_template[i][0];
    tiny[i][1] = 0.2f * odai_face_template[i][1];
    turned[i][0] = frontal[i][0];
    turned[i][1] = frontal[i][1];
  }
  turned[2][0] = frontal[1][0] + 5; /* nose beyond the left eye: a profile */
  odai_face_quality q;
  char why[96];
  odai_face_quality_measure(frontal, sharp, 336, &q);
  assert_float_equal(q.eye_distance_px, 2 * 35.2378f, 0.01f);
  assert_true(q.frontalness > 0.95f);
  float sharp_score = q.sharpness;
  assert_null(odai_face_quality_check(&q, NULL, why, sizeof why));
  odai_face_quality_measure(frontal, blurred, 336, &q);
  print_message("sharpness: noise %.1f, blurred %.1f\n", sharp_score, q.sharpness);
  assert_true(q.sharpness < sharp_score / 20);
  const odai_face_quality_limits strict = {10.0f, 1000.0f, 0.3f};
  assert_non_null(odai_face_quality_check(&q, &strict, why, sizeof why));
  assert_non_null(strstr(why, "too blurred"));
  odai_face_quality_measure(tiny, sharp, 336, &q);
  assert_non_null(odai_face_quality_check(&q, NULL, why, sizeof why));
  assert_non_null(strstr(why, "too small"));
  odai_face_quality_measure(turned, sharp, 336, &q);
  assert_true(q.frontalness < 0.1f);
  assert_non_null(odai_face_quality_check(&q, NULL, why, sizeof why));
  assert_non_null(strstr(why, "turned"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fit_exact),
      cmocka_unit_test(test_fit_least_squares),
      cmocka_unit_test(test_warp_matches_reference),
      cmocka_unit_test(test_keypoints_land_on_template),
      cmocka_unit_test(test_align_image_formats),
      cmocka_unit_test(test_crop_to_input),
      cmocka_unit_test(test_quality),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
