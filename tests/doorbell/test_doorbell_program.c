/* tests/doorbell/test_doorbell_program.c: odai-doorbell as a process:
 * - without --mqtt it opens no network socket (run under
 *   `strace -f -e trace=socket,connect`: no AF_INET/AF_INET6; AF_UNIX from
 *   GLib/GStreamer internals is allowed);
 * - --mqtt publishes to a real local mosquitto broker (started here on
 *   127.0.0.1, a free port): every event on odai/doorbell/<id>/event and
 *   .../event/<type>, availability "online" then "offline", retained;
 *   a doorbell killed with SIGKILL is reported "offline" (the last will);
 * - SIGTERM on a live source (a GStreamer test pattern) stops it cleanly:
 *   exit 0, a final "stopped" event, every line complete;
 * - --config runs another graph file; a missing one fails (exit 1, a fatal
 *   error event); bad options exit 2.
 * Arguments: odai-doorbell, odai-faces. Label media (models). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "db_test_util.h"
#include "odai/image.h"
#include "odai/image_io.h"

static const char *g_doorbell, *g_faces;
static char g_tmp[1024], g_gal[1200], g_frames[1200], g_avi[1200];

/* A gallery (empty is enough here) and a folder of 12 synthetic frames. */
static int setup(void **state) {
  (void)state;
  const char *models = getenv("ODAI_MODEL_DIR");
  if (!models) {
    fprintf(stderr, "ODAI_MODEL_DIR is not set\n");
    return -1;
  }
  if (!dbt_tmpdir(g_tmp, sizeof g_tmp)) return -1;
  snprintf(g_gal, sizeof g_gal, "%s/faces.gallery", g_tmp);
  snprintf(g_frames, sizeof g_frames, "%s/frames", g_tmp);
  char model[2048];
  snprintf(model, sizeof model, "%s/MobileFaceNet.tflite", models);
  char *create[] = {(char *)g_faces, "create", g_gal, "--model", model, NULL};
  if (dbt_run(create, NULL) != 0) return -1;
  char cmd[1400];
  snprintf(cmd, sizeof cmd, "mkdir -p '%s'", g_frames);
  if (system(cmd) != 0) return -1;
  /* and a short MJPEG AVI, read through GStreamer */
  snprintf(g_avi, sizeof g_avi, "%s/test.avi", g_tmp);
  snprintf(cmd, sizeof cmd,
           "gst-launch-1.0 -q videotestsrc num-buffers=20 pattern=ball ! "
           "video/x-raw,width=320,height=240,framerate=10/1 ! jpegenc ! avimux ! filesink location='%s'",
           g_avi);
  if (system(cmd) != 0) return -1;
  for (int i = 0; i < 12; i++) {
    odai_image *img = NULL;
    if (odai_image_new(320, 240, ODAI_PIXEL_RGB8, &img)) return -1;
    uint8_t *d = odai_image_data(img, 0);
    for (int y = 0; y < 240; y++)
      for (int x = 0; x < 320 * 3; x++)
        d[(size_t)y * (size_t)odai_image_stride(img, 0) + (size_t)x] = (uint8_t)((x / 3 + y + i * 7) & 255);
    char p[1400];
    snprintf(p, sizeof p, "%s/f%03d.jpg", g_frames, i);
    odai_status st = odai_image_write_file(img, p, 90, NULL);
    odai_image_unref(img);
    if (st) return -1;
  }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  dbt_rmrf(g_tmp);
  return 0;
}

static void no_network(const char *input) {
  char ev[1200], trace[1200], snaps[1200], clips[1200];
  snprintf(ev, sizeof ev, "%s/nonet.jsonl", g_tmp);
  snprintf(trace, sizeof trace, "%s/strace.log", g_tmp);
  snprintf(snaps, sizeof snaps, "%s/nonet-snaps", g_tmp);
  snprintf(clips, sizeof clips, "%s/nonet-clips", g_tmp);
  remove(ev);
  char *argv[] = {"/usr/bin/strace", "-f", "-qq", "-e", "trace=socket,connect", "-o", trace,
                  (char *)g_doorbell, "--input", (char *)input, "--gallery", g_gal, "--events", ev,
                  "--snapshots", snaps, "--clips", clips, "--on-event", "cat > /dev/null", NULL};
  /* LeakSanitizer cannot run under ptrace (ASan builds) */
  char *env[] = {"ASAN_OPTIONS=detect_leaks=0", NULL};
  assert_int_equal(dbt_run(argv, env), 0);
  char *all = dbt_read_file(ev, NULL);
  assert_non_null(all);
  assert_non_null(strstr(all, "\"reason\":\"end of input\""));
  free(all);
  size_t n = 0;
  char **lines = dbt_read_lines(trace, &n);
  assert_non_null(lines);
  int sockets = 0;
  for (size_t i = 0; i < n; i++) {
    if (strstr(lines[i], "socket(")) sockets++;
    if (strstr(lines[i], "AF_INET") || strstr(lines[i], "AF_INET6") ||
        strstr(lines[i], "AF_PACKET") || strstr(lines[i], "AF_NETLINK"))
      fail_msg("network socket: %s", lines[i]);
  }
  printf("%s: %d socket() calls, none AF_INET/AF_INET6\n", input, sockets);
  dbt_lines_free(lines);
}

static void test_doorbell_program_no_network(void **state) {
  (void)state;
  no_network(g_frames); /* an image folder */
  no_network(g_avi);    /* a video file through GStreamer */
}

/* ---- MQTT ---- */

typedef struct msgs {
  pthread_mutex_t mu;
  char topic[64][160];
  char payload[64][512];
  bool retained[64];
  int n;
  bool subscribed;
} msgs;

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg) {
  (void)m;
  msgs *s = obj;
  pthread_mutex_lock(&s->mu);
  if (s->n < 64) {
    snprintf(s->topic[s->n], 160, "%s", msg->topic);
    snprintf(s->payload[s->n], 512, "%.*s", msg->payloadlen, (const char *)msg->payload);
    s->retained[s->n] = msg->retain;
    s->n++;
  }
  pthread_mutex_unlock(&s->mu);
}

static void on_subscribe(struct mosquitto *m, void *obj, int mid, int qos_count, const int *granted) {
  (void)m;
  (void)mid;
  (void)qos_count;
  (void)granted;
  msgs *s = obj;
  pthread_mutex_lock(&s->mu);
  s->subscribed = true;
  pthread_mutex_unlock(&s->mu);
}

static void on_connect(struct mosquitto *m, void *obj, int rc) {
  (void)obj;
  if (rc == 0) mosquitto_subscribe(m, NULL, "odai/doorbell/#", 1);
}

static int free_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) || getsockname(fd, (struct sockaddr *)&a, &len))
    return -1;
  close(fd);
  return ntohs(a.sin_port);
}

static struct mosquitto *subscriber(msgs *s, int port) {
  struct mosquitto *m = mosquitto_new(NULL, true, s);
  assert_non_null(m);
  mosquitto_connect_callback_set(m, on_connect);
  mosquitto_message_callback_set(m, on_message);
  mosquitto_subscribe_callback_set(m, on_subscribe);
  int rc = MOSQ_ERR_UNKNOWN;
  for (int i = 0; i < 100 && rc != MOSQ_ERR_SUCCESS; i++) { /* the broker may still start */
    rc = mosquitto_connect(m, "127.0.0.1", port, 30);
    if (rc != MOSQ_ERR_SUCCESS) usleep(50000);
  }
  assert_int_equal(rc, MOSQ_ERR_SUCCESS);
  assert_int_equal(mosquitto_loop_start(m), MOSQ_ERR_SUCCESS);
  for (int i = 0; i < 200; i++) {
    pthread_mutex_lock(&s->mu);
    bool ok = s->subscribed;
    pthread_mutex_unlock(&s->mu);
    if (ok) break;
    usleep(20000);
  }
  return m;
}

static void stop_sub(struct mosquitto *m) {
  mosquitto_disconnect(m);
  mosquitto_loop_stop(m, false);
  mosquitto_destroy(m);
}

static int find(msgs *s, const char *topic, const char *payload_part, int from) {
  for (int i = from; i < s->n; i++)
    if (!strcmp(s->topic[i], topic) && (!payload_part || strstr(s->payload[i], payload_part))) return i;
  return -1;
}

static void test_doorbell_program_mqtt(void **state) {
  (void)state;
  int port = free_port();
  assert_true(port > 0);
  char conf[1200], ev[1200], hp[64];
  snprintf(conf, sizeof conf, "%s/mosquitto.conf", g_tmp);
  FILE *f = fopen(conf, "w");
  assert_non_null(f);
  fprintf(f, "listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n", port);
  fclose(f);
  char *broker_argv[] = {"/usr/sbin/mosquitto", "-c", conf, NULL};
  int broker = dbt_spawn(broker_argv, NULL);
  assert_true(broker > 0);
  mosquitto_lib_init();
  msgs s = {.mu = PTHREAD_MUTEX_INITIALIZER};
  struct mosquitto *sub = subscriber(&s, port);

  snprintf(ev, sizeof ev, "%s/mqtt.jsonl", g_tmp);
  snprintf(hp, sizeof hp, "127.0.0.1:%d", port);
  char *argv[] = {(char *)g_doorbell, "--input", g_frames, "--gallery", g_gal, "--events", ev,
                  "--mqtt", hp, "--id", "frontdoor", NULL};
  assert_int_equal(dbt_run(argv, NULL), 0);
  usleep(300000);
  stop_sub(sub);
  pthread_mutex_lock(&s.mu);
  for (int i = 0; i < s.n; i++) printf("%s%s %s\n", s.topic[i], s.retained[i] ? " (retained)" : "", s.payload[i]);
  int online = find(&s, "odai/doorbell/frontdoor/availability", "online", 0);
  int started = find(&s, "odai/doorbell/frontdoor/event", "\"type\":\"started\"", 0);
  int started_t = find(&s, "odai/doorbell/frontdoor/event/started", "\"type\":\"started\"", 0);
  int stopped = find(&s, "odai/doorbell/frontdoor/event", "\"type\":\"stopped\"", 0);
  int offline = find(&s, "odai/doorbell/frontdoor/availability", "offline", 0);
  pthread_mutex_unlock(&s.mu);
  assert_true(online >= 0 && started > online && started_t >= 0 && stopped > started && offline > stopped);
  /* the same events went to the file */
  char *all = dbt_read_file(ev, NULL);
  assert_non_null(strstr(all, "\"type\":\"started\""));
  free(all);

  /* a late subscriber sees the retained availability: offline */
  msgs late = {.mu = PTHREAD_MUTEX_INITIALIZER};
  sub = subscriber(&late, port);
  for (int i = 0; i < 100 && find(&late, "odai/doorbell/frontdoor/availability", NULL, 0) < 0; i++) usleep(20000);
  stop_sub(sub);
  int r = find(&late, "odai/doorbell/frontdoor/availability", "offline", 0);
  assert_true(r >= 0);
  assert_true(late.retained[r]);

  /* the last will: a doorbell that dies (SIGKILL) is reported offline by
   * the broker */
  msgs lw = {.mu = PTHREAD_MUTEX_INITIALIZER};
  sub = subscriber(&lw, port);
  char *live[] = {(char *)g_doorbell, "--input",
                  "videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=10/1 ! "
                  "videoconvert ! appsink name=sink",
                  "--gallery", g_gal, "--events", ev, "--mqtt", hp, "--id", "backdoor", NULL};
  int pid = dbt_spawn(live, NULL);
  assert_true(pid > 0);
  int on = -1;
  for (int i = 0; i < 600 && on < 0; i++) {
    pthread_mutex_lock(&lw.mu);
    on = find(&lw, "odai/doorbell/backdoor/availability", "online", 0);
    pthread_mutex_unlock(&lw.mu);
    usleep(50000);
  }
  assert_true(on >= 0);
  kill(pid, SIGKILL);
  dbt_wait(pid);
  int off = -1;
  for (int i = 0; i < 200 && off < 0; i++) {
    pthread_mutex_lock(&lw.mu);
    off = find(&lw, "odai/doorbell/backdoor/availability", "offline", on);
    pthread_mutex_unlock(&lw.mu);
    usleep(50000);
  }
  stop_sub(sub);
  assert_true(off > on);
  mosquitto_lib_cleanup();
  kill(broker, SIGTERM);
  dbt_wait(broker);
}

/* --config: another graph file; a missing one is a fatal error event */
static void test_doorbell_program_config(void **state) {
  (void)state;
  const char *src = getenv("ODAI_SOURCE_DIR");
  assert_non_null(src);
  char cfg[2048], ev[1200];
  snprintf(cfg, sizeof cfg, "%s/configs/doorbell.pbtxt", src);
  snprintf(ev, sizeof ev, "%s/config.jsonl", g_tmp);
  char *ok[] = {(char *)g_doorbell, "--input", g_frames, "--gallery", g_gal, "--events", ev,
                "--config", cfg, NULL};
  assert_int_equal(dbt_run(ok, NULL), 0);
  char *bad[] = {(char *)g_doorbell, "--input", g_frames, "--gallery", g_gal, "--events", ev,
                 "--config", "/nonexistent/doorbell.pbtxt", NULL};
  assert_int_equal(dbt_run(bad, NULL), 1);
  char *all = dbt_read_file(ev, NULL);
  assert_non_null(all);
  assert_non_null(strstr(all, "\"what\":\"fatal\""));
  free(all);
  char *usage[] = {(char *)g_doorbell, "--input", g_frames, NULL};
  assert_int_equal(dbt_run(usage, NULL), 2);
}

static void test_doorbell_program_sigterm(void **state) {
  (void)state;
  char ev[1200];
  snprintf(ev, sizeof ev, "%s/sigterm.jsonl", g_tmp);
  char *argv[] = {(char *)g_doorbell, "--input",
                  "videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,"
                  "framerate=15/1 ! videoconvert ! appsink name=sink",
                  "--gallery", g_gal, "--events", ev, NULL};
  int pid = dbt_spawn(argv, NULL);
  assert_true(pid > 0);
  bool started = false;
  for (int i = 0; i < 600 && !started; i++) {
    char *all = dbt_read_file(ev, NULL);
    started = all && strstr(all, "\"type\":\"started\"");
    free(all);
    usleep(50000);
  }
  assert_true(started);
  usleep(1000000); /* frames flow through the graph for a second */
  kill(pid, SIGTERM);
  assert_int_equal(dbt_wait(pid), 0);
  size_t n = 0;
  char **lines = dbt_read_lines(ev, &n);
  assert_non_null(lines);
  assert_true(n >= 2);
  for (size_t i = 0; i < n; i++) assert_true(lines[i][strlen(lines[i]) - 1] == '}');
  assert_non_null(strstr(lines[n - 1], "\"type\":\"stopped\""));
  assert_non_null(strstr(lines[n - 1], "\"reason\":\"SIGTERM\""));
  dbt_lines_free(lines);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s ODAI_DOORBELL ODAI_FACES\n", argv[0]);
    return 2;
  }
  g_doorbell = argv[1];
  g_faces = argv[2];
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_doorbell_program_no_network),
      cmocka_unit_test(test_doorbell_program_mqtt),
      cmocka_unit_test(test_doorbell_program_sigterm),
      cmocka_unit_test(test_doorbell_program_config),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
