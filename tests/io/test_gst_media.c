/* tests/io/test_gst_media.c: odai_video_source on real video files (label
 * media): vtest.avi from opencv-doc (MS-MPEG4 v3 via gstreamer1.0-libav,
 * 768x576, 10 fps, 795 frames; ODAI_MEDIA_DIR) and the shared doorbell.avi
 * (MJPEG, 640x480, 10 fps, 250 frames; ODAI_SHARED_DIR). Missing files fail
 * the test with a message: CI fetches them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/gst_internal.h"
#include "odai/video.h"

static void media_path(const char *env, const char *rel, char *out, size_t n) {
  const char *dir = getenv(env);
  if (!dir || !*dir) fail_msg("%s is not set (run through ctest, or export it)", env);
  snprintf(out, n, "%s/%s", dir, rel);
  if (access(out, R_OK) != 0)
    fail_msg("test media %s is missing: run scripts/fetch-media.sh (or see shared/testdata)", out);
}

static void check_file(const char *path, odai_pixel_format fmt, int w, int h, int fps, int frames,
                       int64_t duration_us) {
  odai_video_source_options o;
  odai_video_source_options_default(&o);
  o.format = fmt;
  odai_video_source *v = NULL;
  odai_error err = {0};
  if (odai_video_source_open(path, &o, &v, &err) != ODAI_OK) fail_msg("open: %s", err.message);
  odai_video_info info;
  assert_int_equal(odai_video_source_info(v, &info, &err), ODAI_OK);
  assert_int_equal(info.width, w);
  assert_int_equal(info.height, h);
  assert_int_equal(info.fps_num / info.fps_den, fps);
  assert_in_range(info.duration_us, duration_us - 200000, duration_us + 200000);
  int n = 0;
  int64_t prev = -1;
  odai_image *img = NULL;
  int64_t pts;
  odai_status st;
  while ((st = odai_video_source_read(v, 10000, &img, &pts, &err)) == ODAI_OK) {
    assert_int_equal(odai_image_width(img), w);
    assert_int_equal(odai_image_height(img), h);
    assert_int_equal(odai_image_format(img), fmt);
    assert_true(pts > prev);
    /* 10 fps: 100 ms apart, within a millisecond of rounding */
    if (prev >= 0) assert_in_range(pts - prev, 99000, 101000);
    prev = pts;
    odai_image_unref(img);
    n++;
  }
  if (st != ODAI_E_EOF) fail_msg("frame %d: %s", n, err.message);
  assert_int_equal(n, frames);
  odai_video_source_close(v);
}

static void test_gst_media_vtest_avi(void **state) {
  (void)state;
  char path[4096];
  media_path("ODAI_MEDIA_DIR", "vtest.avi", path, sizeof path);
  check_file(path, ODAI_PIXEL_I420, 768, 576, 10, 795, 79500000);
}

static void test_gst_media_doorbell_avi(void **state) {
  (void)state;
  char path[4096];
  media_path("ODAI_SHARED_DIR", "testdata/doorbell/doorbell.avi", path, sizeof path);
  check_file(path, ODAI_PIXEL_RGB8, 640, 480, 10, 250, 25000000);
}

/* file:// URI form and a first frame with real content. */
static void test_gst_media_uri_and_pixels(void **state) {
  (void)state;
  char path[4096];
  media_path("ODAI_MEDIA_DIR", "vtest.avi", path, sizeof path);
  char uri[4200];
  snprintf(uri, sizeof uri, "file://%s", path);
  odai_video_source *v = NULL;
  odai_error err = {0};
  if (odai_video_source_open(uri, NULL, &v, &err) != ODAI_OK) fail_msg("open: %s", err.message);
  odai_image *img = NULL;
  assert_int_equal(odai_video_source_read(v, 10000, &img, NULL, &err), ODAI_OK);
  assert_int_equal(odai_image_format(img), ODAI_PIXEL_RGB8);
  /* a street scene, not a flat frame: the luma spread is wide */
  int lo = 255, hi = 0;
  for (int y = 0; y < 576; y += 16)
    for (int x = 0; x < 768; x += 16) {
      const uint8_t *p = odai_image_cdata(img, 0) + (size_t)y * odai_image_stride(img, 0) + 3 * x;
      int l = (p[0] + p[1] + p[2]) / 3;
      lo = l < lo ? l : lo;
      hi = l > hi ? l : hi;
    }
  assert_true(hi - lo > 100);
  odai_image_unref(img);
  odai_video_source_close(v);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_gst_media_vtest_avi),
      cmocka_unit_test(test_gst_media_doorbell_avi),
      cmocka_unit_test(test_gst_media_uri_and_pixels),
  };
  int r = cmocka_run_group_tests(tests, NULL, NULL);
  odai_gst_shutdown();
  return r;
}
