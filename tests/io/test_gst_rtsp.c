/* tests/io/test_gst_rtsp.c: odai_video_source on rtsp:// URIs, served by a
 * GstRTSPServer running in the test process on 127.0.0.1 (a free port, its
 * GMainLoop on a thread; no network needed): MJPEG over RTP (jpegenc !
 * rtpjpegpay) read back through rtspsrc via uridecodebin, over UDP and TCP
 * interleaved, MJPEG and H.264; end of stream; dropping old frames for a
 * slow consumer; the server dropping its client; a missing
 * mount, a closed port and a server that never answers (bounded waits);
 * the stream through VideoSourceCalculator in a graph. Not labelled
 * threads: under TSan, uninstrumented GLib/GStreamer report races. */
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

#include "io/gst_internal.h"
#include "odai/graph.h"
#include "odai/packet_types.h"
#include "odai/video.h"
#include "tests/rtsp_test_server.h"

/* Every wait is bounded so a broken network path fails instead of hanging. */
#define READ_TIMEOUT_MS 10000
#define FRAMES 30

typedef rtsp_test_server rtsp_server;

enum { SERVE_TCP_ONLY = 1, SERVE_H264 = 2 };

/* Start a server on 127.0.0.1 (port chosen by the kernel) with `/test`
 * serving `frames` frames of 320x240 at 30 fps, then EOS: MJPEG, or H.264
 * (x264, as IP cameras send) with SERVE_H264; only over TCP with
 * SERVE_TCP_ONLY. */
static void server_start(rtsp_server *s, int frames, int flags) {
  char launch[512];
  snprintf(launch, sizeof launch,
           "( videotestsrc num-buffers=%d is-live=true pattern=smpte ! "
           "video/x-raw,format=I420,width=320,height=240,framerate=30/1 ! %s )",
           frames,
           (flags & SERVE_H264)
               ? "x264enc speed-preset=ultrafast tune=zerolatency key-int-max=15 ! "
                 "rtph264pay name=pay0 pt=96 config-interval=-1"
               : "jpegenc ! rtpjpegpay name=pay0 pt=26");
  rtsp_test_server_start(s, launch, "/test", (flags & SERVE_TCP_ONLY) != 0, 0);
}

static void server_stop(rtsp_server *s) { rtsp_test_server_stop(s); }

static void stream_uri(char *uri, size_t n, int port, const char *mount) {
  snprintf(uri, n, "rtsp://127.0.0.1:%d%s", port, mount);
}

/* Read until the stream ends; checks size, format and strictly increasing
 * PTS of every frame. Returns the frame count; *end_st / *end_err are what
 * ended it (ODAI_E_EOF expected). */
static int read_all(odai_video_source *v, odai_status *end_st, odai_error *end_err) {
  int n = 0;
  int64_t last = -1, pts = 0;
  odai_image *img = NULL;
  odai_status st;
  while ((st = odai_video_source_read(v, READ_TIMEOUT_MS, &img, &pts, end_err)) == ODAI_OK) {
    assert_int_equal(odai_image_width(img), 320);
    assert_int_equal(odai_image_height(img), 240);
    assert_int_equal(odai_image_format(img), ODAI_PIXEL_RGB8);
    /* SMPTE bars survive MJPEG/H.264 roughly: light grey left, red in the
     * sixth of seven bars (also checks the RGB channel order). */
    const uint8_t *px = odai_image_data(img, 0);
    assert_non_null(px);
    const uint8_t *white = px + 40 * odai_image_stride(img, 0) + 10 * 3;
    const uint8_t *red = px + 40 * odai_image_stride(img, 0) + 251 * 3;
    if (white[0] < 150 || abs(white[0] - white[1]) > 25 || abs(white[0] - white[2]) > 25 ||
        red[0] < 150 || red[1] > 60 || red[2] > 60)
      fail_msg("frame %d: bars look wrong: (%d,%d,%d) (%d,%d,%d)", n, white[0], white[1], white[2], red[0],
               red[1], red[2]);
    if (pts < 0) fail_msg("frame %d without a timestamp", n);
    if (n > 0 && pts <= last) fail_msg("frame %d: pts %lld after %lld", n, (long long)pts, (long long)last);
    last = pts;
    odai_image_unref(img);
    n++;
  }
  *end_st = st;
  return n;
}

static void read_stream(int flags) {
  rtsp_server s;
  server_start(&s, FRAMES, flags);
  char uri[128];
  stream_uri(uri, sizeof uri, s.port, "/test");
  odai_video_source_options o;
  odai_video_source_options_default(&o);
  o.format = ODAI_PIXEL_RGB8;
  o.open_timeout_ms = READ_TIMEOUT_MS;
  odai_video_source *v = NULL;
  odai_error err = {0};
  if (odai_video_source_open(uri, &o, &v, &err) != ODAI_OK) fail_msg("open %s: %s", uri, err.message);
  odai_status st;
  int n = read_all(v, &st, &err);
  if (st != ODAI_E_EOF) fail_msg("read after %d frames: %s (%s)", n, odai_status_str(st), err.message);
  /* The server sends FRAMES frames from PLAY on; RTP over UDP may lose a
   * packet (and with it a frame) on a loaded machine. */
  if (n < FRAMES / 2 || n > FRAMES) fail_msg("%d frames, expected about %d", n, FRAMES);
  /* Plain end of stream: no warning quoted. */
  assert_null(strstr(err.message, "after warning"));
  odai_video_info info;
  assert_int_equal(odai_video_source_info(v, &info, &err), ODAI_OK);
  assert_int_equal(info.width, 320);
  assert_int_equal(info.height, 240);
  assert_int_equal(info.format, ODAI_PIXEL_RGB8);
  /* EOF is sticky. */
  odai_image *img = NULL;
  assert_int_equal(odai_video_source_read(v, 1000, &img, NULL, &err), ODAI_E_EOF);
  assert_null(img);
  odai_video_source_close(v);
  server_stop(&s);
}

static void test_rtsp_frames_and_eos(void **state) {
  (void)state;
  read_stream(0);
}

/* A server that refuses UDP (461): rtspsrc retries with RTP interleaved on
 * the RTSP TCP connection. */
static void test_rtsp_tcp_interleaved(void **state) {
  (void)state;
  read_stream(SERVE_TCP_ONLY);
}

/* H.264 (rtph264depay ! avdec_h264 behind uridecodebin). */
static void test_rtsp_h264(void **state) {
  (void)state;
  read_stream(SERVE_H264);
}

/* A slow consumer with drop_old_frames (what a live camera wants): after a
 * pause it gets the newest frame, the ones in between are dropped. */
static void test_rtsp_drop_old_frames(void **state) {
  (void)state;
  rtsp_server s;
  server_start(&s, 2 * FRAMES, 0);
  char uri[128];
  stream_uri(uri, sizeof uri, s.port, "/test");
  odai_video_source_options o;
  odai_video_source_options_default(&o);
  o.drop_old_frames = true;
  odai_video_source *v = NULL;
  odai_error err = {0};
  if (odai_video_source_open(uri, &o, &v, &err) != ODAI_OK) fail_msg("open %s: %s", uri, err.message);
  odai_image *img = NULL;
  int64_t pts = 0, last = -1, max_gap = 0;
  int n = 0;
  odai_status st;
  while ((st = odai_video_source_read(v, READ_TIMEOUT_MS, &img, &pts, &err)) == ODAI_OK) {
    odai_image_unref(img);
    if (n > 0 && pts <= last) fail_msg("frame %d: pts %lld after %lld", n, (long long)pts, (long long)last);
    if (n > 0 && pts - last > max_gap) max_gap = pts - last;
    last = pts;
    if (n++ == 0) g_usleep(700 * 1000); /* ~20 frames come meanwhile */
  }
  if (st != ODAI_E_EOF) fail_msg("read after %d frames: %s (%s)", n, odai_status_str(st), err.message);
  if (n >= 2 * FRAMES || max_gap < 100000)
    fail_msg("%d of %d frames, largest PTS step %lld us: nothing was dropped", n, 2 * FRAMES,
             (long long)max_gap);
  odai_video_source_close(v);
  server_stop(&s);
}


/* The server drops its clients mid-stream (a camera going away). Over TCP
 * the stream ends at once: EOF naming rtspsrc's warning. Over UDP frames
 * stop; reads time out quoting the warning (rtpbin's RTCP timeout ends the
 * stream with EOS only ~25 s later). Either way: no hang, the cause given. */
static void drop_mid_stream(int tcp_only) {
  rtsp_server s;
  server_start(&s, 100000, tcp_only ? SERVE_TCP_ONLY : 0);
  char uri[128];
  stream_uri(uri, sizeof uri, s.port, "/test");
  odai_video_source *v = NULL;
  odai_error err = {0};
  if (odai_video_source_open(uri, NULL, &v, &err) != ODAI_OK) fail_msg("open %s: %s", uri, err.message);
  odai_image *img = NULL;
  for (int i = 0; i < 5; i++) {
    if (odai_video_source_read(v, READ_TIMEOUT_MS, &img, NULL, &err) != ODAI_OK)
      fail_msg("read %d: %s", i, err.message);
    odai_image_unref(img);
  }
  rtsp_test_server_drop_clients(&s);
  odai_status st;
  int n = 0; /* frames already on their way still come */
  while ((st = odai_video_source_read(v, tcp_only ? READ_TIMEOUT_MS : 1000, &img, NULL, &err)) == ODAI_OK) {
    odai_image_unref(img);
    if (++n > 60) fail_msg("frames keep coming after the server dropped the client");
  }
  if (st != (tcp_only ? ODAI_E_EOF : ODAI_E_TIMEOUT))
    fail_msg("after the drop: %s (%s)", odai_status_str(st), err.message);
  if (!strstr(err.message, "server closed the connection"))
    fail_msg("the cause is not given: %s", err.message);
  assert_non_null(strstr(err.message, "element 'source'"));
  odai_video_source_close(v);
  server_stop(&s);
}

static void test_rtsp_server_drops_client_tcp(void **state) {
  (void)state;
  drop_mid_stream(1);
}

static void test_rtsp_server_drops_client_udp(void **state) {
  (void)state;
  drop_mid_stream(0);
}

/* Open `uri` expecting failure within a bounded time (open or first read). */
static odai_status open_fails(const char *uri, int open_timeout_ms, odai_error *err) {
  odai_video_source_options o;
  odai_video_source_options_default(&o);
  o.open_timeout_ms = open_timeout_ms;
  odai_video_source *v = NULL;
  odai_status st = odai_video_source_open(uri, &o, &v, err);
  if (st == ODAI_OK) {
    odai_image *img = NULL;
    st = odai_video_source_read(v, READ_TIMEOUT_MS, &img, NULL, err);
    if (img) odai_image_unref(img);
    odai_video_source_close(v);
    if (st == ODAI_OK) fail_msg("%s: a frame came", uri);
  }
  return st;
}

static void test_rtsp_missing_mount(void **state) {
  (void)state;
  rtsp_server s;
  server_start(&s, FRAMES, 0);
  char uri[128];
  stream_uri(uri, sizeof uri, s.port, "/nothing-here");
  odai_error err = {0};
  odai_status st = open_fails(uri, READ_TIMEOUT_MS, &err);
  if (st != ODAI_E_NOT_FOUND) fail_msg("%s: %s", odai_status_str(st), err.message);
  assert_non_null(strstr(err.message, "element 'source'"));
  assert_non_null(strstr(err.message, "404"));
  assert_non_null(strstr(err.message, "/nothing-here"));
  server_stop(&s);
}

/* A loopback port nobody listens on (bound, noted, closed). */
static int closed_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(fd >= 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
  socklen_t len = sizeof a;
  assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
  close(fd);
  return ntohs(a.sin_port);
}

static void test_rtsp_not_listening(void **state) {
  (void)state;
  char uri[128];
  stream_uri(uri, sizeof uri, closed_port(), "/test");
  odai_error err = {0};
  odai_status st = open_fails(uri, READ_TIMEOUT_MS, &err);
  if (st != ODAI_E_IO) fail_msg("%s: %s", odai_status_str(st), err.message);
  assert_non_null(strstr(err.message, "element 'source'"));
  assert_non_null(strstr(err.message, "Failed to connect"));
  assert_non_null(strstr(err.message, uri));
}

/* A server that accepts the TCP connection (the kernel does, from the
 * listen backlog) but never answers: open() gives up at open_timeout_ms. */
static void test_rtsp_stalled_server(void **state) {
  (void)state;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(fd >= 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
  socklen_t len = sizeof a;
  assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
  assert_int_equal(listen(fd, 4), 0);
  char uri[128];
  stream_uri(uri, sizeof uri, ntohs(a.sin_port), "/test");
  odai_error err = {0};
  odai_status st = open_fails(uri, 1500, &err);
  if (st != ODAI_E_TIMEOUT) fail_msg("%s: %s", odai_status_str(st), err.message);
  assert_non_null(strstr(err.message, "did not start within 1500 ms"));
  close(fd);
}

/* The stream through VideoSourceCalculator in a graph: every frame comes
 * out with increasing timestamps and the graph finishes at the stream's
 * end; a missing mount fails the graph's start naming the node. */
static void test_rtsp_graph(void **state) {
  (void)state;
  rtsp_server s;
  server_start(&s, FRAMES, 0);
  char uri[128], text[1024];
  stream_uri(uri, sizeof uri, s.port, "/test");
  snprintf(text, sizeof text,
           "node { calculator: 'VideoSourceCalculator' output_stream: 'VIDEO:v'\n"
           "       options { path: '%s' } }\n"
           "output_stream: 'v'\n",
           uri);
  odai_graph *g = NULL;
  odai_error e = {0};
  if (odai_graph_create(text, strlen(text), "rtsp", &g, &e) != ODAI_OK) fail_msg("graph: %s", e.message);
  odai_poller *frames = NULL;
  assert_int_equal(odai_graph_add_poller(g, "v", &frames, &e), ODAI_OK);
  if (odai_graph_start(g, &e) != ODAI_OK) fail_msg("start: %s", e.message);
  int n = 0;
  int64_t last = -1;
  odai_packet *p = NULL;
  odai_status st;
  while ((st = odai_poller_next(frames, READ_TIMEOUT_MS, &p)) == ODAI_OK) {
    const odai_image *img = odai_packet_image(p);
    assert_non_null(img);
    assert_int_equal(odai_image_width(img), 320);
    assert_int_equal(odai_image_height(img), 240);
    int64_t ts = odai_packet_timestamp(p);
    if (n > 0 && ts <= last) fail_msg("packet %d: timestamp %lld after %lld", n, (long long)ts, (long long)last);
    last = ts;
    odai_packet_unref(p);
    n++;
  }
  if (st != ODAI_E_EOF) {
    odai_graph_cancel(g);
    fail_msg("poller: %s after %d frames", odai_status_str(st), n);
  }
  if (n < FRAMES / 2 || n > FRAMES) fail_msg("%d frames, expected about %d", n, FRAMES);
  if (odai_graph_wait_until_done(g, &e) != ODAI_OK) fail_msg("run: %s", e.message);
  odai_graph_destroy(g);

  stream_uri(uri, sizeof uri, s.port, "/nothing-here");
  snprintf(text, sizeof text,
           "node { calculator: 'VideoSourceCalculator' output_stream: 'VIDEO:v'\n"
           "       options { path: '%s' } }\n"
           "output_stream: 'v'\n",
           uri);
  if (odai_graph_create(text, strlen(text), "rtsp", &g, &e) != ODAI_OK) fail_msg("graph: %s", e.message);
  st = odai_graph_start(g, &e);
  if (st == ODAI_OK) st = odai_graph_wait_until_done(g, &e);
  assert_int_not_equal(st, ODAI_OK);
  assert_non_null(strstr(e.message, "VideoSourceCalculator"));
  assert_non_null(strstr(e.message, "404"));
  odai_graph_destroy(g);
  server_stop(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rtsp_frames_and_eos),
      cmocka_unit_test(test_rtsp_tcp_interleaved),
      cmocka_unit_test(test_rtsp_h264),
      cmocka_unit_test(test_rtsp_drop_old_frames),
      cmocka_unit_test(test_rtsp_server_drops_client_tcp),
      cmocka_unit_test(test_rtsp_server_drops_client_udp),
      cmocka_unit_test(test_rtsp_missing_mount),
      cmocka_unit_test(test_rtsp_not_listening),
      cmocka_unit_test(test_rtsp_stalled_server),
      cmocka_unit_test(test_rtsp_graph),
  };
  int r = cmocka_run_group_tests(tests, NULL, NULL);
  gst_rtsp_thread_pool_cleanup(); /* joins the server's client threads */
  odai_gst_shutdown();
  return r;
}
