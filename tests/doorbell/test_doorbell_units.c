/* tests/doorbell/test_doorbell_units.c: the doorbell's parts without models:
 * MotionGateCalculator and VisitStateCalculator driven through small graphs
 * with synthetic frames and detections (visit start after N frames, a
 * one-frame detection ignored, identified / unknown_visitor / upgrade, quiet
 * time, best-view snapshot 0600 in 0700, a snapshot that cannot be written
 * gives an error event and the visits go on), DetectionsFillCalculator, and
 * the program's hook worker (failing, slow, bounded queue), retention
 * sweep, command line and event writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "calculators/doorbell/doorbell_util.h"
#include "cli.h"
#include "db_test_util.h"
#include "events.h"
#include "hook.h"
#include "odai/graph.h"
#include "odai/image_io.h"
#include "odai/packet_types.h"
#include "retention.h"

/* ---- helpers ---- */

typedef struct sink {
  pthread_mutex_t mu;
  char text[16384];
  int64_t ts[512];
  int n;
} sink;

static odai_status on_string(void *user, const odai_packet *p) {
  sink *s = user;
  const char *str = NULL;
  pthread_mutex_lock(&s->mu);
  if (odai_packet_get_string(p, &str) == ODAI_OK && str) {
    size_t l = strlen(s->text);
    snprintf(s->text + l, sizeof s->text - l, "%s\n", str);
  }
  if (s->n < 512) s->ts[s->n] = odai_packet_timestamp(p);
  s->n++;
  pthread_mutex_unlock(&s->mu);
  return ODAI_OK;
}

static odai_status on_any(void *user, const odai_packet *p) {
  sink *s = user;
  pthread_mutex_lock(&s->mu);
  if (s->n < 512) s->ts[s->n] = odai_packet_timestamp(p);
  s->n++;
  pthread_mutex_unlock(&s->mu);
  return ODAI_OK;
}

static odai_image *frame(int w, int h, int square_x) {
  odai_image *img = NULL;
  assert_int_equal(odai_image_new(w, h, ODAI_PIXEL_RGB8, &img), ODAI_OK);
  uint8_t *d = odai_image_data(img, 0);
  int stride = odai_image_stride(img, 0);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      uint8_t v = (uint8_t)(((x / 8) ^ (y / 8)) & 1 ? 200 : 40); /* texture: sharp */
      if (square_x >= 0 && x >= square_x && x < square_x + w / 4 && y >= h / 3 && y < h / 3 + h / 4)
        v = 255 - v;
      d[(size_t)y * (size_t)stride + (size_t)x * 3] = v;
      d[(size_t)y * (size_t)stride + (size_t)x * 3 + 1] = v;
      d[(size_t)y * (size_t)stride + (size_t)x * 3 + 2] = v;
    }
  return img;
}

/* ---- MotionGateCalculator ---- */

static const char k_gate[] =
    "input_stream: \"in\"\n"
    "node { calculator: \"MotionGateCalculator\" input_stream: \"IMAGE:in\"\n"
    "  output_stream: \"IMAGE:out\" output_stream: \"ALLOWED:allowed\"\n"
    "  options { [odai.MotionGateOptions.ext] { width: 40 hold_ms: 300 check_interval_ms: 1000 } } }\n";

static void test_doorbell_motion_gate(void **state) {
  (void)state;
  odai_graph *g = NULL;
  odai_error err;
  assert_int_equal(odai_graph_create(k_gate, sizeof k_gate - 1, "gate", &g, &err), ODAI_OK);
  sink out = {.mu = PTHREAD_MUTEX_INITIALIZER}, allowed = {.mu = PTHREAD_MUTEX_INITIALIZER};
  assert_int_equal(odai_graph_observe_output(g, "out", on_any, &out), ODAI_OK);
  assert_int_equal(odai_graph_observe_output(g, "allowed", on_any, &allowed), ODAI_OK);
  assert_int_equal(odai_graph_start(g, &err), ODAI_OK);
  /* 30 still frames at 10 frames/s: the first, then one per second */
  int64_t ts = 0;
  for (int i = 0; i < 30; i++, ts += 100000)
    assert_int_equal(odai_graph_add_packet(g, "in", odai_packet_new_image(frame(160, 120, -1), ts)), ODAI_OK);
  /* a square moves for 5 frames: each passes, and 300 ms of hold after */
  for (int i = 0; i < 5; i++, ts += 100000)
    assert_int_equal(odai_graph_add_packet(g, "in", odai_packet_new_image(frame(160, 120, 10 + 20 * i), ts)), ODAI_OK);
  for (int i = 0; i < 10; i++, ts += 100000)
    assert_int_equal(odai_graph_add_packet(g, "in", odai_packet_new_image(frame(160, 120, 90), ts)), ODAI_OK);
  assert_int_equal(odai_graph_wait_until_done(g, &err), ODAI_OK);
  odai_graph_destroy(g);
  assert_int_equal(allowed.n, 45);
  /* still: t = 0, 1.0, 2.0 s (3); moving: 3.0..3.4 s (5; the square stops
   * at 3.4 s) + hold < 300 ms after the last motion (3.5, 3.6 s); the next
   * check would be at 4.6 s, after the end */
  printf("passed %d of 45 frames:", out.n);
  for (int i = 0; i < out.n && i < 512; i++) printf(" %lld", (long long)out.ts[i]);
  printf("\n");
  assert_int_equal(out.ts[0], 0);
  assert_int_equal(out.ts[1], 1000000);
  assert_int_equal(out.ts[2], 2000000);
  assert_int_equal(out.ts[3], 3000000);
  assert_int_equal(out.n, 3 + 5 + 2);
}

/* ---- VisitStateCalculator ---- */

static const char k_visit[] =
    "input_stream: \"image\" input_stream: \"faces\" input_stream: \"persons\"\n"
    "input_side_packet: \"snapshot_dir\"\n"
    "node { calculator: \"VisitStateCalculator\" input_stream: \"IMAGE:image\"\n"
    "  input_stream: \"FACES:faces\" input_stream: \"PERSONS:persons\"\n"
    "  input_side_packet: \"SNAPSHOT_DIR:snapshot_dir\"\n"
    "  output_stream: \"EVENTS:events\" output_stream: \"VISIT:visit\"\n"
    "  output_stream: \"RENDER_DATA:render\"\n"
    "  options { [odai.VisitStateOptions.ext] { start_frames: 3 quiet_time_s: 1.0\n"
    "    identify_frames: 3 unknown_frames: 4 } } }\n";

typedef struct face_spec {
  int64_t track;
  const char *name; /* NULL: not evaluated */
  float sim, x;
  float w; /* relative width; 0 = 0.2 */
} face_spec;

static void feed(odai_graph *g, int64_t ts, const face_spec *f, int nf, int persons) {
  assert_int_equal(odai_graph_add_packet(g, "image", odai_packet_new_image(frame(320, 240, -1), ts)), ODAI_OK);
  odai_detections *fd = odai_detections_create(4);
  for (int i = 0; i < nf; i++) {
    odai_detection d;
    odai_detection_init(&d);
    d.score = 0.9f;
    d.xmin = f[i].x;
    d.ymin = 0.3f;
    d.width = f[i].w > 0 ? f[i].w : 0.2f;
    d.height = d.width * 1.25f;
    d.track_id = f[i].track;
    d.num_keypoints = 3;
    d.keypoints[0] = (odai_point2f){f[i].x + 0.05f, 0.4f};
    d.keypoints[1] = (odai_point2f){f[i].x + 0.15f, 0.4f};
    d.keypoints[2] = (odai_point2f){f[i].x + 0.1f, 0.45f};
    if (f[i].name) {
      snprintf(d.identity, sizeof d.identity, "%s", f[i].name);
      d.identity_similarity = f[i].sim;
    }
    assert_int_equal(odai_detections_push(fd, &d, NULL), ODAI_OK);
  }
  assert_int_equal(odai_graph_add_packet(g, "faces", odai_packet_new_detections(fd, ts)), ODAI_OK);
  odai_detections *pd = odai_detections_create(2);
  for (int i = 0; i < persons; i++) {
    odai_detection d;
    odai_detection_init(&d);
    d.score = 0.8f;
    d.xmin = 0.1f;
    d.ymin = 0.1f;
    d.width = 0.3f;
    d.height = 0.8f;
    assert_int_equal(odai_detections_push(pd, &d, NULL), ODAI_OK);
  }
  assert_int_equal(odai_graph_add_packet(g, "persons", odai_packet_new_detections(pd, ts)), ODAI_OK);
}

static int count(const char *text, const char *needle) {
  int n = 0;
  for (const char *p = text; (p = strstr(p, needle)); p++) n++;
  return n;
}

static void run_visits(const char *snapdir, bool break_dir, sink *ev) {
  odai_graph *g = NULL;
  odai_error err;
  assert_int_equal(odai_graph_create(k_visit, sizeof k_visit - 1, "visit", &g, &err), ODAI_OK);
  assert_int_equal(odai_graph_set_side_packet(g, "snapshot_dir", odai_packet_new_string(snapdir, ODAI_TS_UNSET)), ODAI_OK);
  assert_int_equal(odai_graph_observe_output(g, "events", on_string, ev), ODAI_OK);
  assert_int_equal(odai_graph_start(g, &err), ODAI_OK);
  if (break_dir) {
    /* the folder disappears and a file takes its place: writes fail */
    dbt_rmrf(snapdir);
    FILE *f = fopen(snapdir, "w");
    assert_non_null(f);
    fclose(f);
  }
  int64_t ts = 0, step = 100000;
  for (int i = 0; i < 5; i++, ts += step) feed(g, ts, NULL, 0, 0);
  /* a one-frame detection: no visit */
  face_spec spur = {9, "unknown", 0.05f, 0.7f, 0};
  feed(g, ts, &spur, 1, 0);
  ts += step;
  for (int i = 0; i < 5; i++, ts += step) feed(g, ts, NULL, 0, 0);
  /* visit 1 starts at 1.1 s: alice, and someone unknown who is later named bob */
  for (int i = 0; i < 12; i++, ts += step) {
    face_spec f[2] = {{1, i < 1 ? NULL : "alice", 0.8f, 0.1f, 0},
                      {2, i < 7 ? "unknown" : "bob", i < 7 ? 0.2f : 0.7f, 0.6f, 0}};
    feed(g, ts, f, 2, 1);
  }
  /* a person without a face keeps the visit open */
  for (int i = 0; i < 5; i++, ts += step) feed(g, ts, NULL, 0, 1);
  /* quiet: the visit ends 1 s after the last person */
  for (int i = 0; i < 15; i++, ts += step) feed(g, ts, NULL, 0, 0);
  /* visit 2: only a person (no face) */
  for (int i = 0; i < 4; i++, ts += step) feed(g, ts, NULL, 0, 1);
  assert_int_equal(odai_graph_wait_until_done(g, &err), ODAI_OK);
  odai_graph_destroy(g);
}

static void test_doorbell_visit_state(void **state) {
  (void)state;
  char tmp[1024], snap[1200];
  assert_true(dbt_tmpdir(tmp, sizeof tmp));
  snprintf(snap, sizeof snap, "%s/a/snapshots", tmp);
  sink ev = {.mu = PTHREAD_MUTEX_INITIALIZER};
  run_visits(snap, false, &ev);
  printf("%s", ev.text);
  assert_int_equal(count(ev.text, "\"type\":\"visit_start\""), 2);
  assert_non_null(strstr(ev.text, "{\"type\":\"visit_start\",\"visit\":1,\"timestamp_us\":1100000}"));
  assert_int_equal(count(ev.text, "\"type\":\"identified\""), 2);
  assert_non_null(strstr(ev.text, "\"name\":\"alice\",\"similarity\":0.800,\"track\":1}"));
  assert_non_null(strstr(ev.text, "\"name\":\"bob\",\"similarity\":0.700,\"track\":2,\"upgraded\":true"));
  assert_int_equal(count(ev.text, "\"type\":\"unknown_visitor\""), 1);
  assert_int_equal(count(ev.text, "\"track\":9"), 0); /* the one-frame detection */
  assert_int_equal(count(ev.text, "\"type\":\"visit_end\""), 2); /* the second at close */
  /* visit 1: last person at 2.7 s, ended on the first frame > 1 s later */
  assert_non_null(strstr(ev.text, "\"type\":\"visit_end\",\"visit\":1,\"timestamp_us\":3800000,"
                                  "\"duration_s\":1.60,\"snapshot\":\""));
  assert_non_null(strstr(ev.text, "\"reason\":\"stopped\""));
  /* the snapshot: 0600 in a 0700 folder */
  const char *p = strstr(ev.text, "\"snapshot\":\"");
  assert_non_null(p);
  char path[2048];
  p += 12;
  snprintf(path, sizeof path, "%.*s", (int)(strchr(p, '"') - p), p);
  struct stat sb;
  assert_int_equal(stat(path, &sb), 0);
  assert_int_equal(sb.st_mode & 0777, 0600);
  assert_int_equal(stat(snap, &sb), 0);
  assert_int_equal(sb.st_mode & 0777, 0700);
  odai_image *img = NULL;
  assert_int_equal(odai_image_read_file(path, ODAI_PIXEL_RGB8, &img, NULL), ODAI_OK);
  assert_true(odai_image_width(img) > 64);
  odai_image_unref(img);

  /* snapshots that cannot be written: error events, the visits go on */
  sink ev2 = {.mu = PTHREAD_MUTEX_INITIALIZER};
  snprintf(snap, sizeof snap, "%s/b/snapshots", tmp);
  run_visits(snap, true, &ev2);
  assert_int_equal(count(ev2.text, "\"type\":\"visit_start\""), 2);
  assert_int_equal(count(ev2.text, "\"type\":\"identified\""), 2);
  assert_int_equal(count(ev2.text, "\"what\":\"snapshot\""), 1); /* visit 1 had a face */
  assert_int_equal(count(ev2.text, "\"snapshot\":null"), 2);
  dbt_rmrf(tmp);
}

/* A small face (16 px wide, far away) judged unknown is not called a
 * stranger; once it comes close (64 px) it is. */
static void test_doorbell_visit_small_unknown(void **state) {
  (void)state;
  odai_graph *g = NULL;
  odai_error err;
  assert_int_equal(odai_graph_create(k_visit, sizeof k_visit - 1, "visit", &g, &err), ODAI_OK);
  assert_int_equal(odai_graph_set_side_packet(g, "snapshot_dir", odai_packet_new_string("", ODAI_TS_UNSET)), ODAI_OK);
  sink ev = {.mu = PTHREAD_MUTEX_INITIALIZER};
  assert_int_equal(odai_graph_observe_output(g, "events", on_string, &ev), ODAI_OK);
  assert_int_equal(odai_graph_start(g, &err), ODAI_OK);
  int64_t ts = 0;
  for (int i = 0; i < 10; i++, ts += 100000) {
    face_spec f = {1, "unknown", 0.1f, 0.4f, 0.05f};
    feed(g, ts, &f, 1, 1);
  }
  assert_int_equal(odai_graph_wait_until_idle(g, &err), ODAI_OK);
  pthread_mutex_lock(&ev.mu);
  assert_int_equal(count(ev.text, "unknown_visitor"), 0);
  assert_int_equal(count(ev.text, "visit_start"), 1);
  pthread_mutex_unlock(&ev.mu);
  for (int i = 0; i < 6; i++, ts += 100000) {
    face_spec f = {1, "unknown", 0.1f, 0.4f, 0.2f};
    feed(g, ts, &f, 1, 1);
  }
  assert_int_equal(odai_graph_wait_until_done(g, &err), ODAI_OK);
  odai_graph_destroy(g);
  assert_int_equal(count(ev.text, "unknown_visitor"), 1);
}

/* ---- DetectionsFillCalculator ---- */

static const char k_fill[] =
    "input_stream: \"tick\" input_stream: \"dets\"\n"
    "node { calculator: \"DetectionsFillCalculator\" input_stream: \"TICK:tick\"\n"
    "  input_stream: \"DETECTIONS:dets\" output_stream: \"DETECTIONS:out\" }\n";

static void test_doorbell_detections_fill(void **state) {
  (void)state;
  odai_graph *g = NULL;
  odai_error err;
  assert_int_equal(odai_graph_create(k_fill, sizeof k_fill - 1, "fill", &g, &err), ODAI_OK);
  sink out = {.mu = PTHREAD_MUTEX_INITIALIZER};
  assert_int_equal(odai_graph_observe_output(g, "out", on_any, &out), ODAI_OK);
  assert_int_equal(odai_graph_start(g, &err), ODAI_OK);
  for (int64_t t = 0; t < 4; t++) {
    assert_int_equal(odai_graph_add_packet(g, "tick", odai_packet_new_int(t, t)), ODAI_OK);
    if (t == 2) {
      assert_int_equal(odai_graph_add_packet(g, "dets", odai_packet_new_detections(odai_detections_create(1), t)), ODAI_OK);
    }
  }
  assert_int_equal(odai_graph_wait_until_done(g, &err), ODAI_OK);
  odai_graph_destroy(g);
  assert_int_equal(out.n, 4); /* one per tick, detections or not */
}

/* ---- --blur-unknown ---- */

static void test_doorbell_blur_unknown(void **state) {
  (void)state;
  odai_image *img = frame(320, 240, -1);
  odai_image *orig = NULL;
  assert_int_equal(odai_image_copy(img, &orig), ODAI_OK);
  odai_detections *faces = odai_detections_create(2);
  odai_detection d;
  odai_detection_init(&d);
  d.xmin = 0.1f; /* unknown: pixelated */
  d.ymin = 0.3f;
  d.width = 0.2f;
  d.height = 0.25f;
  assert_int_equal(odai_detections_push(faces, &d, NULL), ODAI_OK);
  d.xmin = 0.6f; /* known: kept */
  snprintf(d.identity, sizeof d.identity, "alice");
  d.identity_similarity = 0.8f;
  assert_int_equal(odai_detections_push(faces, &d, NULL), ODAI_OK);
  db_blur_unknown_faces(img, faces);
  const uint8_t *a = odai_image_cdata(img, 0), *b = odai_image_cdata(orig, 0);
  size_t stride = (size_t)odai_image_stride(img, 0);
  int changed_unknown = 0, changed_known = 0, changed_elsewhere = 0;
  for (int y = 0; y < 240; y++)
    for (int x = 0; x < 320; x++) {
      bool diff = a[(size_t)y * stride + (size_t)x * 3] != b[(size_t)y * stride + (size_t)x * 3];
      if (x >= 32 && x < 96 && y >= 72 && y < 132) changed_unknown += diff;
      else if (x >= 192 && x < 256 && y >= 72 && y < 132) changed_known += diff;
      else if (x > 130 && x < 170) changed_elsewhere += diff;
    }
  printf("pixels changed: unknown face %d, known face %d, between %d\n", changed_unknown,
         changed_known, changed_elsewhere);
  assert_true(changed_unknown > 64 * 60 / 3); /* the 8x8 checkerboard is averaged away */
  assert_int_equal(changed_known, 0);
  assert_int_equal(changed_elsewhere, 0);
  odai_detections_free(faces);
  odai_image_unref(img);
  odai_image_unref(orig);
}

/* ---- the program's parts ---- */

typedef struct reports {
  pthread_mutex_t mu;
  char text[8192];
} reports;

static void on_report(void *user, const char *json) {
  reports *r = user;
  pthread_mutex_lock(&r->mu);
  size_t l = strlen(r->text);
  snprintf(r->text + l, sizeof r->text - l, "%s\n", json);
  pthread_mutex_unlock(&r->mu);
}

static void test_doorbell_hook(void **state) {
  (void)state;
  char tmp[1024], cmd[2800], out[1200];
  assert_true(dbt_tmpdir(tmp, sizeof tmp));
  snprintf(out, sizeof out, "%s/got.jsonl", tmp);
  snprintf(cmd, sizeof cmd, "cat >> '%s'; echo \"$ODAI_EVENT_TYPE $ODAI_EVENT_VISIT\" >> '%s'", out, out);
  /* events arrive on standard input, in order */
  reports r = {.mu = PTHREAD_MUTEX_INITIALIZER};
  db_hook *h = db_hook_start(cmd, 8, 5000, on_report, &r);
  assert_non_null(h);
  assert_true(db_hook_push(h, "{\"type\":\"a\",\"visit\":3}"));
  assert_true(db_hook_push(h, "{\"type\":\"b\",\"visit\":0}"));
  db_hook_stop(h, 5000);
  char *got = dbt_read_file(out, NULL);
  assert_non_null(got);
  assert_string_equal(got, "{\"type\":\"a\",\"visit\":3}\na 3\n{\"type\":\"b\",\"visit\":0}\nb 0\n");
  free(got);
  assert_string_equal(r.text, "");
  /* a failing command is reported, not fatal */
  h = db_hook_start("exit 3", 8, 5000, on_report, &r);
  assert_true(db_hook_push(h, "{}"));
  db_hook_stop(h, 5000);
  assert_non_null(strstr(r.text, "hook failed: exit status 3"));
  /* a slow command is killed after its timeout; a full queue drops events
   * at once instead of blocking the caller */
  r.text[0] = 0;
  h = db_hook_start("sleep 10", 2, 200, on_report, &r);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int accepted = 0;
  for (int i = 0; i < 10; i++) accepted += db_hook_push(h, "{}");
  clock_gettime(CLOCK_MONOTONIC, &t1);
  assert_true(accepted >= 2 && accepted <= 3);
  assert_true(t1.tv_sec - t0.tv_sec < 2); /* never waits for the command */
  db_hook_stop(h, 1000);
  assert_non_null(strstr(r.text, "hook timed out after 200 ms"));
  dbt_rmrf(tmp);
}

static void test_doorbell_retention(void **state) {
  (void)state;
  char tmp[1024], p[1400];
  assert_true(dbt_tmpdir(tmp, sizeof tmp));
  const char *names[] = {"visit-old.jpg", "visit-new.jpg", "other-old.jpg", "visit-old.mp4"};
  int old[] = {1, 0, 1, 1};
  time_t now = time(NULL);
  for (int i = 0; i < 4; i++) {
    snprintf(p, sizeof p, "%s/%s", tmp, names[i]);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fclose(f);
    struct timespec ts[2] = {{now - (old[i] ? 8 * 86400 : 3600), 0}, {now - (old[i] ? 8 * 86400 : 3600), 0}};
    assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
  }
  assert_int_equal(db_retention_sweep(tmp, 7, now), 2);
  struct stat sb;
  snprintf(p, sizeof p, "%s/visit-new.jpg", tmp);
  assert_int_equal(stat(p, &sb), 0);
  snprintf(p, sizeof p, "%s/other-old.jpg", tmp);
  assert_int_equal(stat(p, &sb), 0); /* not ours */
  snprintf(p, sizeof p, "%s/visit-old.jpg", tmp);
  assert_int_not_equal(stat(p, &sb), 0);
  assert_int_equal(db_retention_sweep("/nonexistent-odai", 7, now), -1);
  dbt_rmrf(tmp);
}

static void test_doorbell_cli(void **state) {
  (void)state;
  db_cli o;
  FILE *devnull = fopen("/dev/null", "w");
  char *ok[] = {"odai-doorbell", "--input", "/dev/video0", "--gallery", "g", "--events", "e",
                "--snapshots", "s", "--clips", "c", "--preview", "--mqtt", "localhost:1883",
                "--on-event", "cat", "--config", "x.pbtxt", "--retain-days", "7", "--blur-unknown",
                "--threads", "2", NULL};
  assert_int_equal(db_cli_parse(23, ok, &o, devnull), 0);
  assert_string_equal(o.input, "/dev/video0");
  assert_string_equal(o.mqtt, "localhost:1883");
  assert_int_equal(o.retain_days, 7);
  assert_true(o.preview && o.blur_unknown);
  assert_int_equal(o.threads, 2);
  char *no_gallery[] = {"odai-doorbell", "--input", "x", NULL};
  assert_int_equal(db_cli_parse(3, no_gallery, &o, devnull), -1);
  char *bad_days[] = {"odai-doorbell", "--input", "x", "--gallery", "g", "--retain-days", "-1", NULL};
  assert_int_equal(db_cli_parse(7, bad_days, &o, devnull), -1);
  char *unknown[] = {"odai-doorbell", "--input", "x", "--gallery", "g", "--bogus", NULL};
  assert_int_equal(db_cli_parse(6, unknown, &o, devnull), -1);
  fclose(devnull);
}

static void test_doorbell_events_file(void **state) {
  (void)state;
  char tmp[1024], p[1400];
  assert_true(dbt_tmpdir(tmp, sizeof tmp));
  snprintf(p, sizeof p, "%s/events.jsonl", tmp);
  db_events *ev = NULL;
  assert_int_equal(db_events_open(p, &ev, NULL), ODAI_OK);
  db_events_emitf(ev, "camera_lost", 1234, "\"message\":%s", "\"gone\"");
  db_events_emit(ev, "{\"type\":\"visit_start\",\"visit\":1,\"timestamp_us\":5}");
  db_events_close(ev);
  size_t n = 0;
  char **lines = dbt_read_lines(p, &n);
  assert_int_equal(n, 2);
  char buf[64];
  assert_true(dbt_json_str(lines[0], "time", buf, sizeof buf));
  assert_true(dbt_json_str(lines[0], "type", buf, sizeof buf));
  assert_string_equal(buf, "camera_lost");
  assert_true(dbt_json_str(lines[0], "message", buf, sizeof buf));
  assert_string_equal(buf, "gone");
  double ts;
  assert_true(dbt_json_num(lines[1], "timestamp_us", &ts));
  assert_true(ts == 5);
  dbt_lines_free(lines);
  dbt_rmrf(tmp);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_doorbell_motion_gate),   cmocka_unit_test(test_doorbell_visit_state),
      cmocka_unit_test(test_doorbell_visit_small_unknown),
      cmocka_unit_test(test_doorbell_detections_fill), cmocka_unit_test(test_doorbell_blur_unknown),
      cmocka_unit_test(test_doorbell_hook),
      cmocka_unit_test(test_doorbell_retention),     cmocka_unit_test(test_doorbell_cli),
      cmocka_unit_test(test_doorbell_events_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
