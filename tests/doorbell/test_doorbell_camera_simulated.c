/* tests/doorbell/test_doorbell_camera_simulated.c: odai-doorbell's run loop
 * (examples/doorbell/app.c, in-process) on a SIMULATED V4L2 webcam
 * (tests/io/v4l2_sim.c) that is unplugged mid-stream and plugged back in
 * (the first two reopen attempts still fail): the events file records
 * camera_lost, then camera_restored after the back-off, frames flow again,
 * and a stop request ends the run cleanly with every line complete; a
 * camera that stalls (no frames, no error) is treated as lost after 10 s.
 * Label media: the doorbell graph loads its models. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "capture.h"
#include "db_test_util.h"
#include "io/v4l2_ops.h"
#include "signals.h"
#include "v4l2_sim.h"

static v4l2_sim *g_sim;
static const char *g_faces;

static odai_status open_sim(const char *path, const odai_camera_options *o, odai_camera **out,
                            odai_error *err) {
  (void)path;
  return odai_camera_open_with_ops(V4L2_SIM_PATH, o, v4l2_sim_ops(g_sim), out, err);
}

typedef struct run_args {
  db_cli cli;
  int rc;
} run_args;

static void *run_thread(void *arg) {
  run_args *a = arg;
  a->rc = db_app_run(&a->cli);
  return NULL;
}

static bool file_has(const char *path, const char *needle) {
  char *all = dbt_read_file(path, NULL);
  bool r = all && strstr(all, needle);
  free(all);
  return r;
}

static bool wait_for(const char *path, const char *needle, int ms) {
  for (int t = 0; t < ms; t += 50) {
    if (file_has(path, needle)) return true;
    struct timespec s = {0, 50 * 1000000};
    nanosleep(&s, NULL);
  }
  return false;
}

static uint64_t sim_frames(void) {
  v4l2_sim_state st;
  v4l2_sim_get_state(g_sim, &st);
  return st.frames;
}

static void test_doorbell_camera_simulated_reconnect(void **state) {
  (void)state;
  const char *models = getenv("ODAI_MODEL_DIR");
  assert_non_null(models);
  char tmp[1024], gal[1200], ev[1200], model[2048];
  assert_true(dbt_tmpdir(tmp, sizeof tmp));
  snprintf(gal, sizeof gal, "%s/faces.gallery", tmp);
  snprintf(ev, sizeof ev, "%s/events.jsonl", tmp);
  snprintf(model, sizeof model, "%s/MobileFaceNet.tflite", models);
  char *create[] = {(char *)g_faces, "create", gal, "--model", model, NULL};
  assert_int_equal(dbt_run(create, NULL), 0);

  g_sim = v4l2_sim_create();
  assert_non_null(g_sim);
  db_capture_set_camera_opener(open_sim);
  run_args a = {.rc = -1};
  char *argv[] = {"odai-doorbell", "--input", "/dev/video0", "--gallery", gal, "--events", ev,
                  "--threads", "2", NULL};
  assert_int_equal(db_cli_parse(9, argv, &a.cli, stderr), 0);
  pthread_t th;
  assert_int_equal(pthread_create(&th, NULL, run_thread, &a), 0);
  assert_true(wait_for(ev, "\"type\":\"started\"", 30000));
  uint64_t f0 = sim_frames();
  for (int t = 0; t < 10000 && sim_frames() < f0 + 10; t += 20) usleep(20000);
  assert_true(sim_frames() >= f0 + 10); /* streaming */

  v4l2_sim_unplug(g_sim, 0);
  assert_true(wait_for(ev, "\"type\":\"camera_lost\"", 10000));
  usleep(300000);
  v4l2_sim_plug(g_sim, 2); /* back; the first two opens still fail */
  assert_true(wait_for(ev, "\"type\":\"camera_restored\"", 20000));
  uint64_t f1 = sim_frames();
  for (int t = 0; t < 10000 && sim_frames() < f1 + 10; t += 20) usleep(20000);
  assert_true(sim_frames() >= f1 + 10); /* frames flow again */

  db_request_stop();
  pthread_join(th, NULL);
  assert_int_equal(a.rc, 0);
  db_capture_set_camera_opener(NULL);

  size_t n = 0;
  char **lines = dbt_read_lines(ev, &n);
  assert_non_null(lines);
  int lost = -1, restored = -1, stopped = -1;
  for (size_t i = 0; i < n; i++) {
    char type[64];
    double ts;
    printf("%s\n", lines[i]);
    assert_true(lines[i][strlen(lines[i]) - 1] == '}');
    assert_true(dbt_json_str(lines[i], "type", type, sizeof type));
    assert_true(dbt_json_num(lines[i], "timestamp_us", &ts));
    if (!strcmp(type, "camera_lost") && lost < 0) lost = (int)i;
    if (!strcmp(type, "camera_restored") && restored < 0) restored = (int)i;
    if (!strcmp(type, "stopped")) stopped = (int)i;
  }
  assert_true(lost >= 0 && restored > lost && stopped > restored);
  double attempts = 0;
  assert_true(dbt_json_num(lines[restored], "attempts", &attempts));
  assert_true(attempts >= 3); /* two failing opens, then success */
  char msg[256];
  assert_true(dbt_json_str(lines[lost], "message", msg, sizeof msg));
  dbt_lines_free(lines);
  v4l2_sim_destroy(g_sim);
  dbt_rmrf(tmp);
}

/* A camera that stops delivering frames without an error (a hung driver) is
 * treated as lost after 10 s, reopened, and recorded as restored. */
static void test_doorbell_camera_simulated_stall(void **state) {
  (void)state;
  const char *models = getenv("ODAI_MODEL_DIR");
  assert_non_null(models);
  char tmp[1024], gal[1200], ev[1200], model[2048];
  assert_true(dbt_tmpdir(tmp, sizeof tmp));
  snprintf(gal, sizeof gal, "%s/faces.gallery", tmp);
  snprintf(ev, sizeof ev, "%s/events.jsonl", tmp);
  snprintf(model, sizeof model, "%s/MobileFaceNet.tflite", models);
  char *create[] = {(char *)g_faces, "create", gal, "--model", model, NULL};
  assert_int_equal(dbt_run(create, NULL), 0);
  g_sim = v4l2_sim_create();
  db_capture_set_camera_opener(open_sim);
  db_stop_reset();
  run_args a = {.rc = -1};
  char *argv[] = {"odai-doorbell", "--input", "/dev/video0", "--gallery", gal, "--events", ev, NULL};
  assert_int_equal(db_cli_parse(7, argv, &a.cli, stderr), 0);
  pthread_t th;
  assert_int_equal(pthread_create(&th, NULL, run_thread, &a), 0);
  assert_true(wait_for(ev, "\"type\":\"started\"", 30000));
  v4l2_sim_stall(g_sim, 1);
  assert_true(wait_for(ev, "no frame for 10 s", 20000));
  v4l2_sim_stall(g_sim, 0);
  assert_true(wait_for(ev, "\"type\":\"camera_restored\"", 20000));
  uint64_t f1 = sim_frames();
  for (int t = 0; t < 10000 && sim_frames() < f1 + 10; t += 20) usleep(20000);
  assert_true(sim_frames() >= f1 + 10);
  db_request_stop();
  pthread_join(th, NULL);
  assert_int_equal(a.rc, 0);
  db_capture_set_camera_opener(NULL);
  v4l2_sim_destroy(g_sim);
  dbt_rmrf(tmp);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s ODAI_FACES\n", argv[0]);
    return 2;
  }
  g_faces = argv[1];
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_doorbell_camera_simulated_reconnect),
                                     cmocka_unit_test(test_doorbell_camera_simulated_stall)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
