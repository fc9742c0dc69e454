/* tests/io/test_gst_video.c: odai_video_source/odai_video_sink on generated
 * video (videotestsrc pipelines, files the sink writes and the source reads
 * back): frame counts, formats, sizes, timestamps, EOS, caps changes,
 * timeouts, live frame dropping, and the error paths. */
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

static odai_video_source *open_src(const char *desc, odai_pixel_format fmt) {
  odai_video_source_options o;
  odai_video_source_options_default(&o);
  o.format = fmt;
  odai_video_source *v = NULL;
  odai_error err = {0};
  if (odai_video_source_open(desc, &o, &v, &err) != ODAI_OK) fail_msg("open %s: %s", desc, err.message);
  return v;
}

static void test_gst_videotestsrc_frames(void **state) {
  (void)state;
  odai_video_source *v = open_src(
      "videotestsrc num-buffers=30 pattern=red ! video/x-raw,width=160,height=120,framerate=30/1 ! "
      "videoconvert ! appsink name=sink",
      ODAI_PIXEL_RGB8);
  odai_video_info info;
  assert_int_equal(odai_video_source_info(v, &info, NULL), ODAI_OK);
  assert_int_equal(info.width, 160);
  assert_int_equal(info.height, 120);
  assert_int_equal(info.fps_num, 30);
  assert_int_equal(info.format, ODAI_PIXEL_RGB8);
  int n = 0;
  int64_t prev = -1;
  for (;;) {
    odai_image *img = NULL;
    int64_t pts = 0;
    odai_error err = {0};
    odai_status st = odai_video_source_read(v, 5000, &img, &pts, &err);
    if (st == ODAI_E_EOF) break;
    assert_int_equal(st, ODAI_OK);
    assert_int_equal(odai_image_format(img), ODAI_PIXEL_RGB8);
    assert_int_equal(odai_image_width(img), 160);
    assert_int_equal(odai_image_height(img), 120);
    const uint8_t *p = odai_image_cdata(img, 0) + 60 * odai_image_stride(img, 0) + 80 * 3;
    assert_true(p[0] > 240 && p[1] < 16 && p[2] < 16); /* red */
    assert_int_equal(pts, (int64_t)n * 1000000 / 30);    /* 0, 33333, 66666, ... */
    assert_true(pts > prev);
    prev = pts;
    odai_image_unref(img);
    n++;
  }
  assert_int_equal(n, 30);
  odai_image *img = NULL;
  assert_int_equal(odai_video_source_read(v, 100, &img, NULL, NULL), ODAI_E_EOF); /* stays EOF */
  odai_video_source_close(v);
}

static void test_gst_videotestsrc_formats(void **state) {
  (void)state;
  const odai_pixel_format fmts[] = {ODAI_PIXEL_GRAY8, ODAI_PIXEL_NV12, ODAI_PIXEL_I420,
                                    ODAI_PIXEL_BGR8,  ODAI_PIXEL_RGBA8, ODAI_PIXEL_YUYV};
  for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
    odai_video_source *v = open_src(
        "videotestsrc num-buffers=2 pattern=white ! video/x-raw,width=64,height=48 ! videoconvert ! "
        "appsink name=sink",
        fmts[i]);
    odai_image *img = NULL;
    assert_int_equal(odai_video_source_read(v, 5000, &img, NULL, NULL), ODAI_OK);
    assert_int_equal(odai_image_format(img), fmts[i]);
    assert_int_equal(odai_image_width(img), 64);
    odai_image_planes pl;
    odai_image_get_planes(img, &pl);
    assert_int_equal(pl.num_planes, odai_pixel_format_planes(fmts[i]));
    /* white: first byte is 255 (RGB/BGR/GRAY/RGBA) or luma 235 (YUV) */
    assert_true(pl.data[0][0] >= 235);
    odai_image_unref(img);
    odai_video_source_close(v);
  }
}

/* The frame outlives the source: it wraps the GstBuffer, freed on release. */
static void test_gst_frame_outlives_source(void **state) {
  (void)state;
  odai_video_source *v = open_src(
      "videotestsrc num-buffers=3 pattern=blue ! video/x-raw,width=32,height=32 ! videoconvert ! "
      "appsink name=sink", ODAI_PIXEL_RGB8);
  odai_image *a = NULL, *b = NULL;
  assert_int_equal(odai_video_source_read(v, 5000, &a, NULL, NULL), ODAI_OK);
  assert_int_equal(odai_video_source_read(v, 5000, &b, NULL, NULL), ODAI_OK);
  assert_ptr_not_equal(odai_image_cdata(a, 0), odai_image_cdata(b, 0));
  assert_false(odai_image_is_writable(a));
  odai_video_source_close(v);
  assert_true(odai_image_cdata(a, 0)[2] > 240); /* still readable: blue */
  odai_image_unref(a);
  odai_image_unref(b);
}

static void test_gst_caps_change(void **state) {
  (void)state;
  /* concat plays two streams of different sizes back to back */
  odai_video_source *v = open_src(
      "concat name=c ! videoconvert ! appsink name=sink "
      "videotestsrc num-buffers=5 ! video/x-raw,width=160,height=120,framerate=10/1 ! c. "
      "videotestsrc num-buffers=4 ! video/x-raw,width=320,height=240,framerate=10/1 ! c.",
      ODAI_PIXEL_RGB8);
  int n = 0;
  int64_t prev = -1;
  odai_image *img = NULL;
  int64_t pts;
  odai_status st;
  odai_error err = {0};
  while ((st = odai_video_source_read(v, 5000, &img, &pts, &err)) == ODAI_OK) {
    assert_int_equal(odai_image_width(img), n < 5 ? 160 : 320);
    assert_int_equal(odai_image_height(img), n < 5 ? 120 : 240);
    assert_true(pts > prev);
    prev = pts;
    odai_image_unref(img);
    n++;
  }
  assert_int_equal(st, ODAI_E_EOF);
  assert_int_equal(n, 9);
  odai_video_info info;
  assert_int_equal(odai_video_source_info(v, &info, NULL), ODAI_OK);
  assert_int_equal(info.width, 320);
  odai_video_source_close(v);
}

static void test_gst_timeout_and_drop(void **state) {
  (void)state;
  /* live at 2 fps: the second frame is 500 ms away */
  odai_video_source *v = open_src(
      "videotestsrc is-live=true ! video/x-raw,width=32,height=32,framerate=2/1 ! videoconvert ! "
      "appsink name=sink", ODAI_PIXEL_RGB8);
  odai_image *img = NULL;
  odai_error err = {0};
  assert_int_equal(odai_video_source_read(v, 5000, &img, NULL, &err), ODAI_OK);
  odai_image_unref(img);
  assert_int_equal(odai_video_source_read(v, 50, &img, NULL, &err), ODAI_E_TIMEOUT);
  assert_null(img);
  odai_video_source_close(v);

  /* drop_old_frames: after a pause, the next frame is a recent one */
  odai_video_source_options o;
  odai_video_source_options_default(&o);
  o.drop_old_frames = true;
  assert_int_equal(odai_video_source_open(
                       "videotestsrc is-live=true ! video/x-raw,width=32,height=32,framerate=50/1 ! "
                       "videoconvert ! appsink name=sink", &o, &v, &err), ODAI_OK);
  int64_t t0, t1;
  assert_int_equal(odai_video_source_read(v, 5000, &img, &t0, &err), ODAI_OK);
  odai_image_unref(img);
  usleep(400 * 1000);
  assert_int_equal(odai_video_source_read(v, 5000, &img, &t1, &err), ODAI_OK);
  odai_image_unref(img);
  assert_true(t1 - t0 > 3 * 20000); /* frames in between were dropped */
  odai_video_source_close(v);
}

static void test_gst_source_errors(void **state) {
  (void)state;
  odai_video_source *v = NULL;
  odai_error err = {0};
  assert_int_equal(odai_video_source_open("/nonexistent/odai/missing.avi", NULL, &v, &err),
                   ODAI_E_NOT_FOUND);
  assert_null(v);
  assert_non_null(strstr(err.message, "element '"));
  assert_non_null(strstr(err.message, "missing.avi"));

  assert_int_equal(odai_video_source_open("videotestsrc ! nosuchelement ! appsink name=sink", NULL, &v, &err),
                   ODAI_E_PARSE);
  assert_non_null(strstr(err.message, "nosuchelement"));

  assert_int_equal(odai_video_source_open("videotestsrc ! appsink name=other", NULL, &v, &err),
                   ODAI_E_INVALID);
  assert_non_null(strstr(err.message, "appsink named 'sink'"));

  /* a file that is not a video */
  char path[] = "/tmp/odai-gst-notvideo-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, "this is not a video file at all\n", 32), 32);
  close(fd);
  odai_status st = odai_video_source_open(path, NULL, &v, &err);
  unlink(path);
  if (st != ODAI_E_UNSUPPORTED) fail_msg("expected ODAI_E_UNSUPPORTED, got %d: %s", st, err.message);
  assert_non_null(strstr(err.message, "element '"));
  assert_null(v);
}

/* ---- sink ------------------------------------------------------------- */

static odai_image *pattern_frame(int w, int h, int i) {
  odai_image *img = NULL;
  assert_int_equal(odai_image_new(w, h, ODAI_PIXEL_RGB8, &img), ODAI_OK);
  uint8_t *d = odai_image_data(img, 0);
  int s = odai_image_stride(img, 0);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      uint8_t *p = d + (size_t)y * s + 3 * x;
      int left = x < w / 2; /* left half green, right half a moving gradient */
      p[0] = left ? 0 : (uint8_t)(x + i * 4);
      p[1] = left ? 200 : (uint8_t)y;
      p[2] = left ? 0 : 128;
    }
  return img;
}

static void roundtrip(const char *ext, int frames) {
  char path[128];
  snprintf(path, sizeof path, "/tmp/odai-gst-sink-%d%s", (int)getpid(), ext);
  odai_video_sink_options o;
  odai_video_sink_options_default(&o);
  if (strcmp(ext, ".mkv") == 0) { /* explicit rate; the others measure it from the timestamps */
    o.fps_num = 10;
    o.fps_den = 1;
  }
  odai_video_sink *s = NULL;
  odai_error err = {0};
  assert_int_equal(odai_video_sink_open(path, &o, &s, &err), ODAI_OK);
  for (int i = 0; i < frames; i++) {
    odai_image *img = pattern_frame(320, 240, i);
    odai_status st = odai_video_sink_write(s, img, (int64_t)i * 100000, &err);
    odai_image_unref(img);
    if (st != ODAI_OK) fail_msg("write %d: %s", i, err.message);
  }
  if (odai_video_sink_finish(s, 20000, &err) != ODAI_OK) fail_msg("finish: %s", err.message);
  assert_int_equal(odai_video_sink_frames(s), frames);
  odai_video_sink_close(s);

  odai_video_source *v = open_src(path, ODAI_PIXEL_RGB8);
  odai_video_info info;
  assert_int_equal(odai_video_source_info(v, &info, NULL), ODAI_OK);
  assert_int_equal(info.fps_num, 10); /* frames were written 100 ms apart */
  assert_int_equal(info.fps_den, 1);
  assert_in_range(info.duration_us, frames * 100000 - 1000, frames * 100000 + 1000);
  int n = 0;
  odai_image *img = NULL;
  odai_status st;
  while ((st = odai_video_source_read(v, 5000, &img, NULL, &err)) == ODAI_OK) {
    assert_int_equal(odai_image_width(img), 320);
    assert_int_equal(odai_image_height(img), 240);
    const uint8_t *p = odai_image_cdata(img, 0) + 120 * odai_image_stride(img, 0) + 40 * 3;
    assert_in_range(p[1], 180, 220); /* the green half survived encoding */
    assert_in_range(p[0], 0, 30);
    odai_image_unref(img);
    n++;
  }
  assert_int_equal(st, ODAI_E_EOF);
  assert_int_equal(n, frames);
  odai_video_source_close(v);
  unlink(path);
}

static void test_gst_sink_mp4_roundtrip(void **state) { (void)state; roundtrip(".mp4", 25); }
static void test_gst_sink_avi_roundtrip(void **state) { (void)state; roundtrip(".avi", 12); }
static void test_gst_sink_mkv_roundtrip(void **state) { (void)state; roundtrip(".mkv", 12); }

/* 4:2:0 H.264 needs even sizes: the last column and row of a 161x121 frame
 * are cropped. */
static void test_gst_sink_odd_size_h264(void **state) {
  (void)state;
  char path[128];
  snprintf(path, sizeof path, "/tmp/odai-gst-sink-odd-%d.mp4", (int)getpid());
  odai_video_sink *s = NULL;
  odai_error err = {0};
  assert_int_equal(odai_video_sink_open(path, NULL, &s, &err), ODAI_OK);
  for (int i = 0; i < 10; i++) { /* no timestamps: 30 fps */
    odai_image *img = pattern_frame(161, 121, i);
    assert_int_equal(odai_video_sink_write(s, img, -1, &err), ODAI_OK);
    odai_image_unref(img);
  }
  if (odai_video_sink_finish(s, 20000, &err) != ODAI_OK) fail_msg("finish: %s", err.message);
  odai_video_sink_close(s);
  odai_video_source *v = open_src(path, ODAI_PIXEL_GRAY8);
  odai_video_info info;
  assert_int_equal(odai_video_source_info(v, &info, NULL), ODAI_OK);
  assert_int_equal(info.fps_num / info.fps_den, 30);
  int n = 0;
  odai_image *img = NULL;
  while (odai_video_source_read(v, 5000, &img, NULL, &err) == ODAI_OK) {
    assert_int_equal(odai_image_width(img), 160);
    assert_int_equal(odai_image_height(img), 120);
    odai_image_unref(img);
    n++;
  }
  assert_int_equal(n, 10);
  odai_video_source_close(v);
  unlink(path);
}

/* A file whose name looks like a pipeline is still a file. */
static void test_gst_path_that_looks_like_a_pipeline(void **state) {
  (void)state;
  char path[128];
  snprintf(path, sizeof path, "/tmp/odai appsink ! %d.avi", (int)getpid());
  odai_video_sink *s = NULL;
  odai_error err = {0};
  if (odai_video_sink_open(path, NULL, &s, &err) != ODAI_OK) fail_msg("sink: %s", err.message);
  odai_image *img = pattern_frame(32, 32, 0);
  assert_int_equal(odai_video_sink_write(s, img, -1, &err), ODAI_OK);
  odai_image_unref(img);
  assert_int_equal(odai_video_sink_finish(s, 10000, &err), ODAI_OK);
  odai_video_sink_close(s);
  odai_video_source *v = open_src(path, ODAI_PIXEL_RGB8);
  assert_int_equal(odai_video_source_read(v, 5000, &img, NULL, &err), ODAI_OK);
  assert_int_equal(odai_image_width(img), 32);
  odai_image_unref(img);
  odai_video_source_close(v);
  unlink(path);
}

static void test_gst_sink_errors(void **state) {
  (void)state;
  odai_video_sink *s = NULL;
  odai_error err = {0};
  /* unwritable directory: fails at open, naming the file sink and the path */
  odai_status st = odai_video_sink_open("/nonexistent-odai-dir/out.mp4", NULL, &s, &err);
  assert_int_not_equal(st, ODAI_OK);
  assert_null(s);
  assert_non_null(strstr(err.message, "nonexistent-odai-dir/out.mp4"));
  assert_non_null(strstr(err.message, "element 'odai_out'"));

  assert_int_equal(odai_video_sink_open("/tmp/out.xyz", NULL, &s, &err), ODAI_E_UNSUPPORTED);
  assert_int_equal(odai_video_sink_open("appsrc name=x ! fakesink", NULL, &s, &err), ODAI_E_INVALID);

  /* a full disk: /dev/full fails every write with ENOSPC */
  assert_int_equal(odai_video_sink_open("appsrc name=src ! videoconvert ! jpegenc ! avimux ! "
                                        "filesink location=/dev/full", NULL, &s, &err), ODAI_OK);
  st = ODAI_OK;
  for (int i = 0; i < 40 && st == ODAI_OK; i++) {
    odai_image *img = pattern_frame(160, 120, i);
    st = odai_video_sink_write(s, img, -1, &err);
    odai_image_unref(img);
  }
  if (st == ODAI_OK) st = odai_video_sink_finish(s, 10000, &err);
  assert_int_equal(st, ODAI_E_IO);
  assert_non_null(strstr(err.message, "space"));
  odai_video_sink_close(s);

  /* frame size changes are refused */
  char path[128];
  snprintf(path, sizeof path, "/tmp/odai-gst-sink-size-%d.avi", (int)getpid());
  assert_int_equal(odai_video_sink_open(path, NULL, &s, &err), ODAI_OK);
  odai_image *a = pattern_frame(64, 48, 0), *b = pattern_frame(32, 48, 0);
  assert_int_equal(odai_video_sink_write(s, a, 0, &err), ODAI_OK);
  assert_int_equal(odai_video_sink_write(s, b, 100000, &err), ODAI_E_INVALID);
  odai_image_unref(a);
  odai_image_unref(b);
  assert_int_equal(odai_video_sink_finish(s, 10000, &err), ODAI_OK);
  odai_video_sink_close(s);
  unlink(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_gst_videotestsrc_frames), cmocka_unit_test(test_gst_videotestsrc_formats),
      cmocka_unit_test(test_gst_frame_outlives_source), cmocka_unit_test(test_gst_caps_change),
      cmocka_unit_test(test_gst_timeout_and_drop),    cmocka_unit_test(test_gst_source_errors),
      cmocka_unit_test(test_gst_sink_mp4_roundtrip),  cmocka_unit_test(test_gst_sink_avi_roundtrip),
      cmocka_unit_test(test_gst_sink_mkv_roundtrip),  cmocka_unit_test(test_gst_sink_odd_size_h264),
      cmocka_unit_test(test_gst_path_that_looks_like_a_pipeline),
      cmocka_unit_test(test_gst_sink_errors),
  };
  int r = cmocka_run_group_tests(tests, NULL, NULL);
  odai_gst_shutdown();
  return r;
}
