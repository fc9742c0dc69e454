/* tests/io/test_v4l2_simulated.c: odai_camera against a SIMULATED V4L2 UVC
 * webcam (tests/io/v4l2_sim.c; no real camera on CI machines): enumeration,
 * mode negotiation, YUYV/NV12 zero-copy streaming and requeue on release,
 * a slow consumer holding buffers, MJPEG decode, unplug (ENODEV) and
 * reconnect. One test uses the real libv4l2 table on a missing device. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <linux/videodev2.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "odai/camera.h"
#include "v4l2_sim.h"

typedef struct fixture {
  v4l2_sim *sim;
  odai_camera *cam;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  f->sim = v4l2_sim_create();
  *state = f;
  return f->sim ? 0 : -1;
}

static int teardown(void **state) {
  fixture *f = *state;
  odai_camera_close(f->cam);
  v4l2_sim_state st;
  v4l2_sim_get_state(f->sim, &st);
  assert_int_equal(st.open_fds, 0); /* every frame released, device closed */
  v4l2_sim_destroy(f->sim);
  free(f);
  return 0;
}

static odai_camera *open_cam(fixture *f, uint32_t w, uint32_t h, double fps, uint32_t fourcc) {
  odai_camera_options o;
  odai_camera_options_default(&o);
  o.width = w;
  o.height = h;
  o.fps = fps;
  o.fourcc = fourcc;
  odai_error err = {0};
  odai_status st = odai_camera_open_with_ops(V4L2_SIM_PATH, &o, v4l2_sim_ops(f->sim), &f->cam, &err);
  if (st != ODAI_OK) fail_msg("open: %s", err.message);
  return f->cam;
}

static void test_v4l2_simulated_enumerate(void **state) {
  fixture *f = *state;
  odai_camera *cam = open_cam(f, 0, 0, 0, ODAI_CAMERA_ANY);
  size_t n = 0;
  const odai_camera_mode *m = odai_camera_modes(cam, &n);
  /* YUYV 5, MJPG 4, NV12 1 (size, rate) pairs (see sim_modes), and the GREY
   * ranges: min size, max size and the size nearest the current one, each
   * with the fastest and slowest rate */
  assert_int_equal(n, 16);
  int yuyv15 = 0, mjpg1080 = 0, nv12 = 0;
  for (size_t i = 0; i < n; i++) {
    if (m[i].fourcc == ODAI_CAMERA_YUYV && m[i].width == 640 && m[i].fps_num == 15) yuyv15 = 1;
    if (m[i].fourcc == ODAI_CAMERA_MJPEG && m[i].height == 1080) mjpg1080 = 1;
    if (m[i].fourcc == ODAI_CAMERA_NV12) nv12 = 1;
  }
  assert_true(yuyv15 && mjpg1080 && nv12);
  /* no request: the device's current mode (640x480 YUYV), fastest rate */
  odai_camera_mode g = odai_camera_mode_granted(cam);
  assert_int_equal(g.fourcc, ODAI_CAMERA_YUYV);
  assert_int_equal(g.width, 640);
  assert_int_equal(g.fps_num / g.fps_den, 30);
  assert_string_equal(odai_camera_path(cam), V4L2_SIM_PATH);
}

static void expect_mode(fixture *f, uint32_t w, uint32_t h, double fps, uint32_t fourcc,
                        uint32_t gf, uint32_t gw, uint32_t gh, uint32_t gfps) {
  odai_camera *cam = open_cam(f, w, h, fps, fourcc);
  odai_camera_mode g = odai_camera_mode_granted(cam);
  assert_int_equal(g.fourcc, gf);
  assert_int_equal(g.width, gw);
  assert_int_equal(g.height, gh);
  assert_int_equal(g.fps_num / g.fps_den, gfps);
  v4l2_sim_state st;
  v4l2_sim_get_state(f->sim, &st); /* the "driver" really is in that mode */
  assert_int_equal(st.fourcc, gf);
  assert_int_equal(st.width, gw);
  assert_int_equal(st.fps_num / st.fps_den, gfps);
  assert_true(st.streaming);
  odai_camera_close(cam);
  f->cam = NULL;
}

static void test_v4l2_simulated_negotiate(void **state) {
  fixture *f = *state;
  /* 720p30: only MJPG has it */
  expect_mode(f, 1280, 720, 30, ODAI_CAMERA_ANY, V4L2_PIX_FMT_MJPEG, 1280, 720, 30);
  /* 720p10: YUYV has it exactly */
  expect_mode(f, 1280, 720, 10, ODAI_CAMERA_ANY, V4L2_PIX_FMT_YUYV, 1280, 720, 10);
  /* 640x480@30: YUYV, MJPG and the GREY range all have it; YUYV wins the tie */
  expect_mode(f, 640, 480, 30, ODAI_CAMERA_ANY, V4L2_PIX_FMT_YUYV, 640, 480, 30);
  /* 800x600@25: only the GREY range has that size exactly */
  expect_mode(f, 800, 600, 25, ODAI_CAMERA_ANY, V4L2_PIX_FMT_GREY, 800, 600, 25);
  /* 800x600@25 in YUYV: nearest size 640x480, nearest rate 30 */
  expect_mode(f, 800, 600, 25, ODAI_CAMERA_YUYV, V4L2_PIX_FMT_YUYV, 640, 480, 30);
  /* 640x480@15 */
  expect_mode(f, 640, 480, 14, ODAI_CAMERA_YUYV, V4L2_PIX_FMT_YUYV, 640, 480, 15);
  /* forced format */
  expect_mode(f, 1280, 720, 30, ODAI_CAMERA_NV12, V4L2_PIX_FMT_NV12, 640, 480, 20);
  expect_mode(f, 2000, 1200, 60, ODAI_CAMERA_MJPEG, V4L2_PIX_FMT_MJPEG, 1920, 1080, 30);
}

/* Stepwise sizes and a continuous rate range (GREY), read zero-copy as GRAY8. */
static void test_v4l2_simulated_stepwise_grey(void **state) {
  fixture *f = *state;
  odai_camera *cam = open_cam(f, 405, 301, 25, ODAI_CAMERA_GREY);
  odai_camera_mode g = odai_camera_mode_granted(cam);
  assert_int_equal(g.fourcc, ODAI_CAMERA_GREY);
  assert_int_equal(g.width, 400); /* 160 + 15 * 16 */
  assert_int_equal(g.height, 296); /* 120 + 22 * 8 */
  assert_int_equal(g.fps_num / g.fps_den, 25);
  size_t n = 0;
  const odai_camera_mode *m = odai_camera_modes(cam, &n);
  int lo = 0, hi = 0;
  for (size_t i = 0; i < n; i++) {
    if (m[i].fourcc != ODAI_CAMERA_GREY) continue;
    lo |= m[i].width == 160 && m[i].height == 120 && m[i].fps_num / m[i].fps_den == 60;
    hi |= m[i].width == 1280 && m[i].height == 960 && m[i].fps_num / m[i].fps_den == 1;
  }
  assert_true(lo && hi);
  odai_image *img = NULL;
  int64_t t0, t1;
  assert_int_equal(odai_camera_read(cam, 1000, &img, &t0, NULL), ODAI_OK);
  assert_int_equal(odai_image_format(img), ODAI_PIXEL_GRAY8);
  assert_int_equal(odai_image_width(img), 400);
  assert_int_equal(odai_image_cdata(img, 0)[0], v4l2_sim_marker(0));
  odai_image_unref(img);
  assert_int_equal(odai_camera_read(cam, 1000, &img, &t1, NULL), ODAI_OK);
  assert_int_equal(t1 - t0, 40000); /* 25 fps */
  odai_image_unref(img);
}

static void test_v4l2_simulated_stream_yuyv(void **state) {
  fixture *f = *state;
  odai_camera *cam = open_cam(f, 320, 240, 30, ODAI_CAMERA_YUYV);
  int64_t prev = -1;
  for (uint64_t i = 0; i < 20; i++) {
    odai_image *img = NULL;
    int64_t ts = 0;
    odai_error err = {0};
    assert_int_equal(odai_camera_read(cam, 1000, &img, &ts, &err), ODAI_OK);
    assert_int_equal(odai_image_format(img), ODAI_PIXEL_YUYV);
    assert_int_equal(odai_image_width(img), 320);
    assert_int_equal(odai_image_height(img), 240);
    const uint8_t *p = odai_image_cdata(img, 0);
    assert_int_equal(p[0], v4l2_sim_marker(i));    /* Y of pixel (0,0) */
    assert_int_equal(p[1], 128);                    /* U */
    uint32_t bar = (uint32_t)(i * 8) % 320;         /* the moving bar */
    assert_int_equal(p[(size_t)100 * odai_image_stride(img, 0) + 2 * (bar + 1)], 235);
    if (prev >= 0) assert_in_range(ts - prev, 33333, 33334); /* 30 fps */
    prev = ts;
    odai_image_unref(img);
  }
  odai_camera_stats s;
  odai_camera_get_stats(cam, &s);
  assert_int_equal(s.frames, 20);
  assert_int_equal(s.copied, 0);
  /* a frame cut short is dropped: the next read gets the frame after it */
  v4l2_sim_corrupt_next(f->sim);
  odai_image *img = NULL;
  assert_int_equal(odai_camera_read(cam, 1000, &img, NULL, NULL), ODAI_OK);
  assert_int_equal(odai_image_cdata(img, 0)[0], v4l2_sim_marker(21));
  odai_image_unref(img);
  odai_camera_get_stats(cam, &s);
  assert_int_equal(s.corrupt_dropped, 1);
}

static void test_v4l2_simulated_zero_copy_requeue(void **state) {
  fixture *f = *state;
  odai_camera *cam = open_cam(f, 640, 480, 30, ODAI_CAMERA_YUYV);
  v4l2_sim_state st;
  v4l2_sim_get_state(f->sim, &st);
  assert_int_equal(st.nbuf, 4);
  assert_int_equal(st.queued, 4);
  odai_image *a = NULL, *b = NULL;
  assert_int_equal(odai_camera_read(cam, 1000, &a, NULL, NULL), ODAI_OK);
  assert_int_equal(odai_camera_read(cam, 1000, &b, NULL, NULL), ODAI_OK);
  v4l2_sim_get_state(f->sim, &st);
  assert_int_equal(st.queued, 2); /* two buffers are out with the consumer */
  assert_false(odai_image_is_writable(a));
  odai_image *a2 = odai_image_ref(a);
  odai_image_unref(a);
  v4l2_sim_get_state(f->sim, &st);
  assert_int_equal(st.queued, 2); /* still referenced */
  odai_image_unref(a2);
  v4l2_sim_get_state(f->sim, &st);
  assert_int_equal(st.queued, 3); /* last reference dropped: re-queued */
  odai_image_unref(b);
  v4l2_sim_get_state(f->sim, &st);
  assert_int_equal(st.queued, 4);
}

static void test_v4l2_simulated_slow_consumer(void **state) {
  fixture *f = *state;
  odai_camera *cam = open_cam(f, 640, 480, 30, ODAI_CAMERA_YUYV);
  odai_image *held[3], *more[5];
  for (int i = 0; i < 3; i++) assert_int_equal(odai_camera_read(cam, 1000, &held[i], NULL, NULL), ODAI_OK);
  v4l2_sim_state st;
  v4l2_sim_get_state(f->sim, &st);
  assert_int_equal(st.queued, 1); /* N-1 held: one buffer left to the driver */
  for (int i = 0; i < 5; i++) {
    odai_error err = {0};
    assert_int_equal(odai_camera_read(cam, 1000, &more[i], NULL, &err), ODAI_OK);
    assert_int_equal(odai_image_cdata(more[i], 0)[0], v4l2_sim_marker(3 + (uint64_t)i));
    v4l2_sim_get_state(f->sim, &st);
    assert_int_equal(st.queued, 1); /* copied, buffer back at once */
  }
  odai_camera_stats s;
  odai_camera_get_stats(cam, &s);
  assert_int_equal(s.copied, 5);
  assert_int_equal(s.outstanding, 3);
  for (int i = 0; i < 3; i++) assert_int_equal(odai_image_cdata(held[i], 0)[0], v4l2_sim_marker((uint64_t)i));
  for (int i = 0; i < 5; i++) odai_image_unref(more[i]);
  for (int i = 0; i < 3; i++) odai_image_unref(held[i]);
  v4l2_sim_get_state(f->sim, &st);
  assert_int_equal(st.queued, 4);
  odai_camera_get_stats(cam, &s);
  assert_int_equal(s.outstanding, 0);
}

static void test_v4l2_simulated_mjpeg(void **state) {
  fixture *f = *state;
  odai_camera *cam = open_cam(f, 1280, 720, 30, ODAI_CAMERA_ANY);
  for (uint64_t i = 0; i < 6; i++) {
    if (i == 3) v4l2_sim_corrupt_next(f->sim);
    odai_image *img = NULL;
    odai_error err = {0};
    assert_int_equal(odai_camera_read(cam, 1000, &img, NULL, &err), ODAI_OK);
    assert_int_equal(odai_image_format(img), ODAI_PIXEL_RGB8);
    assert_int_equal(odai_image_width(img), 1280);
    assert_int_equal(odai_image_height(img), 720);
    uint64_t seq = i < 3 ? i : i + 1; /* frame 3 was corrupt and skipped */
    const uint8_t *px = odai_image_cdata(img, 0) + (size_t)8 * odai_image_stride(img, 0) + 8 * 3;
    assert_in_range(px[0], v4l2_sim_marker(seq) - 6, v4l2_sim_marker(seq) + 6);
    assert_in_range(px[1], 58, 70);
    odai_image_unref(img);
  }
  odai_camera_stats s;
  odai_camera_get_stats(cam, &s);
  assert_int_equal(s.corrupt_dropped, 1);
  v4l2_sim_state st;
  v4l2_sim_get_state(f->sim, &st);
  assert_int_equal(st.queued, 4); /* MJPEG buffers go back right after decode */
}

static void test_v4l2_simulated_nv12(void **state) {
  fixture *f = *state;
  odai_camera *cam = open_cam(f, 640, 480, 20, ODAI_CAMERA_NV12);
  odai_image *img = NULL;
  assert_int_equal(odai_camera_read(cam, 1000, &img, NULL, NULL), ODAI_OK);
  assert_int_equal(odai_image_format(img), ODAI_PIXEL_NV12);
  assert_int_equal(odai_image_cdata(img, 0)[0], v4l2_sim_marker(0));
  assert_int_equal(odai_image_cdata(img, 1)[0], 128);
  assert_int_equal(odai_image_cdata(img, 1) - odai_image_cdata(img, 0), 640 * 480);
  odai_image_unref(img);
}

static void unplug_case(fixture *f, int poll_still_ready) {
  odai_camera *cam = open_cam(f, 640, 480, 30, ODAI_CAMERA_YUYV);
  odai_image *kept = NULL;
  assert_int_equal(odai_camera_read(cam, 1000, &kept, NULL, NULL), ODAI_OK);
  v4l2_sim_unplug(f->sim, poll_still_ready);
  odai_image *img = NULL;
  odai_error err = {0};
  assert_int_equal(odai_camera_read(cam, 1000, &img, NULL, &err), ODAI_E_DEVICE_LOST);
  assert_null(img);
  assert_non_null(strstr(err.message, V4L2_SIM_PATH));
  assert_non_null(strstr(err.message, poll_still_ready ? "DQBUF" : "poll"));
  /* the frame taken before the loss is still readable and releasable */
  assert_int_equal(odai_image_cdata(kept, 0)[0], v4l2_sim_marker(0));
  odai_image_unref(kept);
  /* later reads keep saying so, without reconnect */
  assert_int_equal(odai_camera_read(cam, 10, &img, NULL, &err), ODAI_E_DEVICE_LOST);
  /* explicit reopen fails while unplugged, works once plugged back */
  assert_int_not_equal(odai_camera_reopen(cam, &err), ODAI_OK);
  v4l2_sim_plug(f->sim, 0);
  assert_int_equal(odai_camera_reopen(cam, &err), ODAI_OK);
  assert_int_equal(odai_camera_read(cam, 1000, &img, NULL, &err), ODAI_OK);
  odai_image_unref(img);
  odai_camera_stats s;
  odai_camera_get_stats(cam, &s);
  assert_int_equal(s.reconnects, 1);
}

static void test_v4l2_simulated_unplug_poll_error(void **state) { unplug_case(*state, 0); }
static void test_v4l2_simulated_unplug_dqbuf_enodev(void **state) { unplug_case(*state, 1); }

static void test_v4l2_simulated_reconnect_backoff(void **state) {
  fixture *f = *state;
  odai_camera_options o;
  odai_camera_options_default(&o);
  o.width = 320;
  o.height = 240;
  o.reconnect = 1;
  o.reconnect_timeout_ms = 5000;
  odai_error err = {0};
  assert_int_equal(odai_camera_open_with_ops(V4L2_SIM_PATH, &o, v4l2_sim_ops(f->sim), &f->cam, &err),
                   ODAI_OK);
  odai_image *img = NULL;
  assert_int_equal(odai_camera_read(f->cam, 1000, &img, NULL, &err), ODAI_OK);
  odai_image_unref(img);
  v4l2_sim_unplug(f->sim, 0);
  v4l2_sim_plug(f->sim, 2); /* back, but the first two opens fail (still enumerating) */
  assert_int_equal(odai_camera_read(f->cam, 1000, &img, NULL, &err), ODAI_OK);
  assert_int_equal(odai_image_width(img), 320); /* same mode again */
  odai_image_unref(img);
  odai_camera_stats s;
  odai_camera_get_stats(f->cam, &s);
  assert_int_equal(s.reconnects, 1);
  v4l2_sim_state st;
  v4l2_sim_get_state(f->sim, &st);
  assert_int_equal(st.opens, 2);
}

static void test_v4l2_simulated_reconnect_gives_up(void **state) {
  fixture *f = *state;
  odai_camera_options o;
  odai_camera_options_default(&o);
  o.reconnect = 1;
  o.reconnect_timeout_ms = 300;
  odai_error err = {0};
  assert_int_equal(odai_camera_open_with_ops(V4L2_SIM_PATH, &o, v4l2_sim_ops(f->sim), &f->cam, &err),
                   ODAI_OK);
  v4l2_sim_unplug(f->sim, 0);
  odai_image *img = NULL;
  assert_int_equal(odai_camera_read(f->cam, 1000, &img, NULL, &err), ODAI_E_DEVICE_LOST);
  assert_non_null(strstr(err.message, "no reconnect within 300 ms"));
}

static void *release_later(void *arg) {
  odai_image_unref(arg);
  return NULL;
}

static void test_v4l2_simulated_close_with_frames_out(void **state) {
  fixture *f = *state;
  odai_camera *cam = open_cam(f, 640, 480, 30, ODAI_CAMERA_YUYV);
  odai_image *img = NULL;
  assert_int_equal(odai_camera_read(cam, 1000, &img, NULL, NULL), ODAI_OK);
  odai_camera_close(cam);
  f->cam = NULL;
  v4l2_sim_state st;
  v4l2_sim_get_state(f->sim, &st);
  assert_int_equal(st.open_fds, 1); /* the frame keeps the device mapping alive */
  assert_int_equal(odai_image_cdata(img, 0)[0], v4l2_sim_marker(0));
  pthread_t t; /* released on another thread, as a graph worker would */
  assert_int_equal(pthread_create(&t, NULL, release_later, img), 0);
  pthread_join(t, NULL);
  v4l2_sim_get_state(f->sim, &st);
  assert_int_equal(st.open_fds, 0);
}

static void test_v4l2_simulated_timeout(void **state) {
  fixture *f = *state;
  odai_camera *cam = open_cam(f, 320, 240, 30, ODAI_CAMERA_YUYV);
  v4l2_sim_stall(f->sim, 1);
  odai_image *img = NULL;
  odai_error err = {0};
  assert_int_equal(odai_camera_read(cam, 30, &img, NULL, &err), ODAI_E_TIMEOUT);
  assert_null(img);
  assert_non_null(strstr(err.message, "no frame within 30 ms"));
  assert_int_equal(odai_camera_read(cam, 0, &img, NULL, &err), ODAI_E_TIMEOUT); /* poll once */
  v4l2_sim_stall(f->sim, 0);
  assert_int_equal(odai_camera_read(cam, 0, &img, NULL, &err), ODAI_OK);
  assert_int_equal(odai_image_cdata(img, 0)[0], v4l2_sim_marker(0));
  odai_image_unref(img);
}

static void test_v4l2_simulated_errors(void **state) {
  fixture *f = *state;
  odai_error err = {0};
  odai_camera *cam = NULL;
  assert_int_equal(odai_camera_open_with_ops("/dev/video-none", NULL, v4l2_sim_ops(f->sim), &cam, &err),
                   ODAI_E_NOT_FOUND);
  assert_null(cam);
  assert_non_null(strstr(err.message, "/dev/video-none"));
  /* the real libv4l2 table on a device that does not exist */
  assert_int_equal(odai_camera_open("/dev/odai-no-such-video", NULL, &cam, &err), ODAI_E_NOT_FOUND);
  assert_non_null(strstr(err.message, "/dev/odai-no-such-video"));
  /* a file that is not a V4L2 device */
  assert_int_not_equal(odai_camera_open("/dev/null", NULL, &cam, &err), ODAI_OK);
  assert_null(cam);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_v4l2_simulated_enumerate, setup, teardown),
      cmocka_unit_test_setup_teardown(test_v4l2_simulated_negotiate, setup, teardown),
      cmocka_unit_test_setup_teardown(test_v4l2_simulated_stepwise_grey, setup, teardown),
      cmocka_unit_test_setup_teardown(test_v4l2_simulated_stream_yuyv, setup, teardown),
      cmocka_unit_test_setup_teardown(test_v4l2_simulated_zero_copy_requeue, setup, teardown),
      cmocka_unit_test_setup_teardown(test_v4l2_simulated_slow_consumer, setup, teardown),
      cmocka_unit_test_setup_teardown(test_v4l2_simulated_mjpeg, setup, teardown),
      cmocka_unit_test_setup_teardown(test_v4l2_simulated_nv12, setup, teardown),
      cmocka_unit_test_setup_teardown(test_v4l2_simulated_unplug_poll_error, setup, teardown),
      cmocka_unit_test_setup_teardown(test_v4l2_simulated_unplug_dqbuf_enodev, setup, teardown),
      cmocka_unit_test_setup_teardown(test_v4l2_simulated_reconnect_backoff, setup, teardown),
      cmocka_unit_test_setup_teardown(test_v4l2_simulated_reconnect_gives_up, setup, teardown),
      cmocka_unit_test_setup_teardown(test_v4l2_simulated_close_with_frames_out, setup, teardown),
      cmocka_unit_test_setup_teardown(test_v4l2_simulated_timeout, setup, teardown),
      cmocka_unit_test_setup_teardown(test_v4l2_simulated_errors, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
