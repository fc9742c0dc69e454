/* tests/doorbell/test_doorbell_rtsp.c: odai-doorbell's run loop
 * (examples/doorbell/app.c, in-process) on an rtsp:// camera served by a
 * GstRTSPServer inside the test (127.0.0.1, a free port, the test video
 * shared/testdata/doorbell/doorbell.avi as MJPEG over RTP, TCP only;
 * tests/rtsp_test_server.h). Mid-visit the camera goes away
 * (its client dropped: EOF at once over TCP; its mount removed, or the
 * whole server stopped) and comes back 3 s later (the mount re-added, or a
 * new server on the same port): the events file records camera_lost,
 * camera_restored after failing reopens, a visit before the loss and one
 * after (frames are analysed again), and a clean stop. Label media: the
 * doorbell graph loads its models and the video is the shared test video. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "db_test_util.h"
#include "io/gst_internal.h"
#include "signals.h"
#include "tests/rtsp_test_server.h"

static const char *g_faces;

/* --- the RTSP camera (tests/rtsp_test_server.h) --- */

typedef rtsp_test_server rtsp_cam;

#define MOUNT "/door"

/* Serve `video` (MJPEG AVI, sent as it is at its own pace: each client gets
 * its own media from the first frame) at MOUNT, over TCP only, on `port`
 * (0: a free one). */
static void cam_start(rtsp_cam *s, const char *video, int port) {
  char launch[1536];
  snprintf(launch, sizeof launch,
           "( filesrc location=\"%s\" ! avidemux ! jpegparse ! rtpjpegpay name=pay0 pt=26 )", video);
  rtsp_test_server_start(s, launch, MOUNT, true, port);
}

/* The camera goes away: its mount is removed (reconnects get 404) and its
 * clients are dropped (over TCP the stream ends at once). */
static void cam_down(rtsp_cam *s) {
  rtsp_test_server_unmount(s);
  rtsp_test_server_drop_clients(s);
}

static void cam_up(rtsp_cam *s) { rtsp_test_server_remount(s); }

static void cam_stop(rtsp_cam *s) { rtsp_test_server_stop(s); }

/* Whether a TCP connection to 127.0.0.1:port is refused (nobody listens). */
static bool port_refused(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(fd >= 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool refused = connect(fd, (struct sockaddr *)&a, sizeof a) != 0 && errno == ECONNREFUSED;
  close(fd);
  return refused;
}

/* --- the doorbell on a thread --- */

typedef struct run_args {
  db_cli cli;
  int rc;
} run_args;

static void *run_thread(void *arg) {
  run_args *a = arg;
  a->rc = db_app_run(&a->cli);
  return NULL;
}

/* Whether the events file has `needle` after the first `after` (or
 * anywhere when after is NULL). */
static bool file_has_after(const char *path, const char *after, const char *needle) {
  char *all = dbt_read_file(path, NULL);
  const char *from = all;
  if (from && after) from = strstr(from, after);
  bool r = from && strstr(from, needle);
  free(all);
  return r;
}

/* Bounded wait for file_has_after. */
static bool wait_for(const char *path, const char *after, const char *needle, int ms) {
  for (int t = 0; t < ms; t += 50) {
    if (file_has_after(path, after, needle)) return true;
    struct timespec s = {0, 50 * 1000000};
    nanosleep(&s, NULL);
  }
  return false;
}

static void stop_run(pthread_t th) {
  db_request_stop();
  pthread_join(th, NULL);
}

#define WAIT(ev, after, needle, ms)                                                     \
  do {                                                                                  \
    if (!wait_for(ev, after, needle, ms)) {                                             \
      stop_run(th);                                                                 \
      char *all_ = dbt_read_file(ev, NULL);                                             \
      fail_msg("no %s%s%s within %d ms; events:\n%s", needle, (after) ? " after " : "", \
               (after) ? (const char *)(after) : "", ms, all_ ? all_ : "(none)");       \
    }                                                                                   \
  } while (0)

/* The doorbell on the camera; mid-visit the camera goes away for 3 s:
 * its mount removed (reconnects get 404), or with `restart` the whole
 * server stopped (reconnects are refused) and started again on its port. */
static void lost_and_restored(bool restart) {
  const char *models = getenv("ODAI_MODEL_DIR"), *shared = getenv("ODAI_SHARED_DIR");
  if (!models || !shared) fail_msg("ODAI_MODEL_DIR and ODAI_SHARED_DIR must be set");
  char video[1024];
  snprintf(video, sizeof video, "%s/testdata/doorbell/doorbell.avi", shared);
  if (access(video, R_OK) != 0) fail_msg("the test video %s is missing", video);
  char tmp[1024], gal[1200], ev[1200], model[2048], uri[128];
  assert_true(dbt_tmpdir(tmp, sizeof tmp));
  snprintf(gal, sizeof gal, "%s/faces.gallery", tmp);
  snprintf(ev, sizeof ev, "%s/events.jsonl", tmp);
  snprintf(model, sizeof model, "%s/MobileFaceNet.tflite", models);
  char *create[] = {(char *)g_faces, "create", gal, "--model", model, NULL};
  assert_int_equal(dbt_run(create, NULL), 0);

  rtsp_cam cam;
  cam_start(&cam, video, 0);
  snprintf(uri, sizeof uri, "rtsp://127.0.0.1:%d" MOUNT, cam.port);
  db_stop_reset();
  run_args a = {.rc = -1};
  char *argv[] = {"odai-doorbell", "--input", uri, "--gallery", gal, "--events", ev, "--threads", "2", NULL};
  assert_int_equal(db_cli_parse(9, argv, &a.cli, stderr), 0);
  pthread_t th;
  assert_int_equal(pthread_create(&th, NULL, run_thread, &a), 0);

  /* The video has a visitor from 3 s to 8 s: seen before the loss. */
  WAIT(ev, NULL, "\"type\":\"started\"", 30000);
  WAIT(ev, NULL, "\"type\":\"visit_start\"", 20000);
  if (restart)
    cam_stop(&cam);
  else
    cam_down(&cam);
  WAIT(ev, NULL, "\"type\":\"camera_lost\"", 10000);
  if (restart && !port_refused(cam.port)) {
    stop_run(th);
    fail_msg("port %d still accepts connections after the server stopped", cam.port);
  }
  sleep(3); /* reopens meanwhile fail (404, or connection refused) */
  if (restart)
    cam_start(&cam, video, cam.port);
  else
    cam_up(&cam);
  WAIT(ev, "\"type\":\"camera_lost\"", "\"type\":\"camera_restored\"", 15000);
  /* The reconnected stream starts again from the video's beginning: the
   * open visit ends (nobody for 3 s) and the visitor comes again at 3 s. */
  WAIT(ev, "\"type\":\"camera_restored\"", "\"type\":\"visit_start\"", 20000);
  stop_run(th);
  assert_int_equal(a.rc, 0);
  cam_stop(&cam);

  size_t n = 0;
  char **lines = dbt_read_lines(ev, &n);
  assert_non_null(lines);
  int started = -1, visit1 = -1, lost = -1, restored = -1, end1 = -1, visit2 = -1, stopped = -1;
  double restored_ts = -1, visit2_ts = -1, lost_ts = -1, visit1_ts = -1;
  for (size_t i = 0; i < n; i++) {
    char type[64];
    double ts;
    printf("%s\n", lines[i]);
    assert_true(lines[i][strlen(lines[i]) - 1] == '}');
    assert_true(dbt_json_str(lines[i], "type", type, sizeof type));
    assert_true(dbt_json_num(lines[i], "timestamp_us", &ts));
    int idx = (int)i;
    if (!strcmp(type, "started") && started < 0) started = idx;
    if (!strcmp(type, "visit_start") && visit1 < 0) visit1 = idx, visit1_ts = ts;
    if (!strcmp(type, "camera_lost") && lost < 0) lost = idx, lost_ts = ts;
    if (!strcmp(type, "camera_restored") && restored < 0) restored = idx, restored_ts = ts;
    if (!strcmp(type, "visit_end") && end1 < 0) end1 = idx;
    if (!strcmp(type, "visit_start") && restored >= 0 && visit2 < 0) visit2 = idx, visit2_ts = ts;
    if (!strcmp(type, "stopped")) stopped = idx;
  }
  /* One loss, one restore, the first visit closed after it, a new one. */
  assert_true(started == 0);
  assert_true(visit1 > started && lost > visit1 && restored > lost);
  assert_true(end1 > restored && visit2 > end1 && stopped == (int)n - 1);
  for (size_t i = 0; i < n; i++)
    if ((int)i != lost) assert_null(strstr(lines[i], "\"type\":\"camera_lost\""));
  char msg[512], field[128];
  assert_true(dbt_json_str(lines[lost], "message", msg, sizeof msg));
  if (!strstr(msg, uri) || !strstr(msg, "stream ended")) fail_msg("camera_lost message: %s", msg);
  double down = 0, attempts = 0;
  assert_true(dbt_json_num(lines[restored], "down_s", &down));
  assert_true(dbt_json_num(lines[restored], "attempts", &attempts));
  /* Down for the 3 s the mount was missing, several 404s in between. */
  if (down < 2.5 || attempts < 2) fail_msg("down_s %.2f, attempts %.0f", down, attempts);
  /* Source timestamps keep increasing across the reopen even though the
   * reconnected stream starts its clock again. */
  assert_true(lost_ts >= visit1_ts && restored_ts == lost_ts && visit2_ts > restored_ts);
  assert_true(dbt_json_str(lines[stopped], "reason", field, sizeof field));
  assert_string_equal(field, "stop requested");
  assert_non_null(strstr(lines[started], "\"live\":true"));
  dbt_lines_free(lines);
  dbt_rmrf(tmp);
}

static void test_doorbell_rtsp_mount_removed(void **state) {
  (void)state;
  lost_and_restored(false);
}

static void test_doorbell_rtsp_server_restarted(void **state) {
  (void)state;
  lost_and_restored(true);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s ODAI_FACES\n", argv[0]);
    return 2;
  }
  g_faces = argv[1];
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_doorbell_rtsp_mount_removed),
                                     cmocka_unit_test(test_doorbell_rtsp_server_restarted)};
  int r = cmocka_run_group_tests(tests, NULL, NULL);
  gst_rtsp_thread_pool_cleanup(); /* joins the server's client threads */
  odai_gst_shutdown();
  return r;
}
