/* tests/io/test_gst_rtsp.c: odai_video_source on rtsp:// URIs, served by a
 * GstRTSPServer running in the test process on 127.0.0.1 (a free port, its
 * GMainLoop on a thread; no network needed): MJPEG over RTP (jpegenc !
 * rtpjpegpay) read back through rtspsrc via uridecodebin, end of stream,
 * a missing mount and a closed port, and the stream through a graph. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gst/rtsp-server/rtsp-server.h>

#include "io/gst_internal.h"
#include "odai/graph.h"
#include "odai/video.h"

/* Every wait is bounded so a broken network path fails instead of hanging. */
#define READ_TIMEOUT_MS 10000
#define FRAMES 30

typedef struct rtsp_server {
  GMainContext *ctx;
  GMainLoop *loop;
  GstRTSPServer *server;
  guint source_id;
  GThread *thread;
  int port;
} rtsp_server;

static gpointer run_loop(gpointer user) {
  rtsp_server *s = user;
  g_main_context_push_thread_default(s->ctx);
  g_main_loop_run(s->loop);
  g_main_context_pop_thread_default(s->ctx);
  return NULL;
}

/* Start a server on 127.0.0.1 (port chosen by the kernel) with `/test`
 * serving `frames` frames of 320x240 MJPEG at 30 fps, then EOS. */
static void server_start(rtsp_server *s, int frames) {
  odai_error err = {0};
  assert_int_equal(odai_gst_init(&err), ODAI_OK);
  memset(s, 0, sizeof *s);
  s->ctx = g_main_context_new();
  s->loop = g_main_loop_new(s->ctx, FALSE);
  s->server = gst_rtsp_server_new();
  g_object_set(s->server, "address", "127.0.0.1", "service", "0", NULL);
  GstRTSPMountPoints *mounts = gst_rtsp_server_get_mount_points(s->server);
  GstRTSPMediaFactory *f = gst_rtsp_media_factory_new();
  char launch[512];
  snprintf(launch, sizeof launch,
           "( videotestsrc num-buffers=%d is-live=true pattern=smpte ! "
           "video/x-raw,format=I420,width=320,height=240,framerate=30/1 ! jpegenc ! "
           "rtpjpegpay name=pay0 pt=26 )",
           frames);
  gst_rtsp_media_factory_set_launch(f, launch);
  gst_rtsp_media_factory_set_shared(f, FALSE);
  gst_rtsp_mount_points_add_factory(mounts, "/test", f); /* takes f */
  g_object_unref(mounts);
  s->source_id = gst_rtsp_server_attach(s->server, s->ctx);
  assert_true(s->source_id != 0);
  s->port = gst_rtsp_server_get_bound_port(s->server);
  assert_true(s->port > 0);
  s->thread = g_thread_new("rtsp-server", run_loop, s);
}

static gboolean quit_loop(gpointer user) {
  g_main_loop_quit(user);
  return G_SOURCE_REMOVE;
}

static void server_stop(rtsp_server *s) {
  /* Quit from inside the loop's own context (thread-safe). */
  GSource *q = g_idle_source_new();
  g_source_set_callback(q, quit_loop, s->loop, NULL);
  g_source_attach(q, s->ctx);
  g_source_unref(q);
  g_thread_join(s->thread);
  GSource *src = g_main_context_find_source_by_id(s->ctx, s->source_id);
  if (src) g_source_destroy(src);
  /* Drop the server's sessions and media (clients are closed by now). */
  GstRTSPSessionPool *pool = gst_rtsp_server_get_session_pool(s->server);
  gst_rtsp_session_pool_cleanup(pool);
  g_object_unref(pool);
  g_object_unref(s->server);
  g_main_loop_unref(s->loop);
  g_main_context_unref(s->ctx);
}

static void test_rtsp_frames_and_eos(void **state) {
  (void)state;
  rtsp_server s;
  server_start(&s, FRAMES);
  char uri[128];
  snprintf(uri, sizeof uri, "rtsp://127.0.0.1:%d/test", s.port);
  odai_video_source_options o;
  odai_video_source_options_default(&o);
  o.format = ODAI_PIXEL_RGB8;
  odai_video_source *v = NULL;
  odai_error err = {0};
  if (odai_video_source_open(uri, &o, &v, &err) != ODAI_OK) fail_msg("open %s: %s", uri, err.message);
  int n = 0;
  int64_t last = -1;
  odai_image *img = NULL;
  odai_status st;
  int64_t pts = 0;
  while ((st = odai_video_source_read(v, READ_TIMEOUT_MS, &img, &pts, &err)) == ODAI_OK) {
    assert_int_equal(odai_image_width(img), 320);
    assert_int_equal(odai_image_height(img), 240);
    assert_int_equal(odai_image_format(img), ODAI_PIXEL_RGB8);
    assert_true(pts >= 0);
    if (n < 3) fprintf(stderr, "pts %lld\n", (long long)pts);
    if (n > 0 && pts <= last) fail_msg("frame %d: pts %lld after %lld", n, (long long)pts, (long long)last);
    last = pts;
    odai_image_unref(img);
    n++;
  }
  if (st != ODAI_E_EOF) fail_msg("read after %d frames: %s (%s)", n, odai_status_str(st), err.message);
  fprintf(stderr, "frames %d last pts %lld\n", n, (long long)last);
  odai_video_source_close(v);
  server_stop(&s);
}

static int64_t now_ms(void) { return g_get_monotonic_time() / 1000; }

/* Open `uri` expecting failure: either open() or the first read must fail
 * within the bounded time; returns the status, message in *err. */
static odai_status open_and_read_fails(const char *uri, odai_error *err) {
  odai_video_source_options o;
  odai_video_source_options_default(&o);
  o.open_timeout_ms = READ_TIMEOUT_MS;
  odai_video_source *v = NULL;
  int64_t t0 = now_ms();
  odai_status st = odai_video_source_open(uri, &o, &v, err);
  fprintf(stderr, "open: %s after %lld ms\n", odai_status_str(st), (long long)(now_ms() - t0));
  if (st == ODAI_OK) {
    odai_image *img = NULL;
    st = odai_video_source_read(v, READ_TIMEOUT_MS, &img, NULL, err);
    fprintf(stderr, "read: %s after %lld ms\n", odai_status_str(st), (long long)(now_ms() - t0));
    if (img) odai_image_unref(img);
    odai_video_source_close(v);
  }
  fprintf(stderr, "%s\n", err->message);
  return st;
}

static void test_rtsp_missing_mount(void **state) {
  (void)state;
  rtsp_server s;
  server_start(&s, FRAMES);
  char uri[128];
  snprintf(uri, sizeof uri, "rtsp://127.0.0.1:%d/nothing-here", s.port);
  odai_error err = {0};
  odai_status st = open_and_read_fails(uri, &err);
  assert_int_equal(st, ODAI_E_NOT_FOUND);
  server_stop(&s);
}

static void test_rtsp_not_listening(void **state) {
  (void)state;
  /* A port nobody listens on: bind one, note it, close it. */
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(fd >= 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
  socklen_t len = sizeof a;
  assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
  int port = ntohs(a.sin_port);
  close(fd);
  char uri[128];
  snprintf(uri, sizeof uri, "rtsp://127.0.0.1:%d/test", port);
  odai_error err = {0};
  odai_status st = open_and_read_fails(uri, &err);
  assert_int_equal(st, ODAI_E_IO);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rtsp_frames_and_eos),
      cmocka_unit_test(test_rtsp_missing_mount),
      cmocka_unit_test(test_rtsp_not_listening),
  };
  int r = cmocka_run_group_tests(tests, NULL, NULL);
  odai_gst_shutdown();
  return r;
}
