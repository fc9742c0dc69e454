/* The face recognizer task on shared/testdata/faces: every gallery/<person>
 * photo is enrolled through odai_face_recognizer_enroll into a fresh
 * gallery, every query is recognised in IMAGE mode and must carry its label
 * (person, "unknown" or no face): the accuracy of the face recognition
 * config (16/16 at the default threshold, tests/face). Each query's named
 * faces must also equal those of configs/face_recognition.pbtxt run through
 * the graph API with the same gallery. Plus embed, enrol errors, and
 * LIVE_STREAM on a repeated photo (names = IMAGE mode, drops counted). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <pthread.h>

#include "tasks_test_util.h"

#define MAXQ 64

static char g_data[1024], g_tmp[64], g_gallery[128];

static void need_data(void) {
  snprintf(g_data, sizeof g_data, "%s/testdata/faces", env_dir("ODAI_SHARED_DIR"));
  char p[1100];
  snprintf(p, sizeof p, "%s/queries/labels.json", g_data);
  if (access(p, R_OK) != 0) fail_msg("%s missing", p);
}

static int read_labels(char names[][32], char labels[][64]) {
  char p[1100];
  snprintf(p, sizeof p, "%s/queries/labels.json", g_data);
  FILE *f = fopen(p, "r");
  if (!f) return -1;
  char line[256];
  int n = 0;
  while (n < MAXQ && fgets(line, sizeof line, f))
    if (sscanf(line, " \"%31[^\"]\" : \"%63[^\"]\"", names[n], labels[n]) == 2) n++;
  fclose(f);
  return n;
}

static odai_image *read_file(const char *path) {
  odai_image *img = NULL;
  odai_error err;
  if (odai_image_read_file(path, ODAI_PIXEL_RGB8, &img, &err) != ODAI_OK)
    fail_msg("%s: %s", path, err.message);
  return img;
}

static int largest(const odai_detections *d) {
  int best = -1;
  float area = -1;
  for (size_t i = 0; d && i < d->count; i++)
    if (d->items[i].width * d->items[i].height > area) {
      area = d->items[i].width * d->items[i].height;
      best = (int)i;
    }
  return best;
}

static odai_face_recognizer *make(odai_running_mode mode, odai_face_recognizer_result_fn cb,
                                  void *user) {
  odai_face_recognizer_options o;
  odai_face_recognizer_options_init(&o);
  o.gallery_path = g_gallery;
  o.running_mode = mode;
  o.result_callback = cb;
  o.user_data = user;
  odai_face_recognizer *fr = NULL;
  odai_error err;
  if (odai_face_recognizer_create(&o, &fr, &err) != ODAI_OK) fail_msg("%s", err.message);
  return fr;
}

/* The named faces of configs/face_recognition.pbtxt on one photo. */
static void run_config(const char *photo, collected *out) {
  char cfg[1024];
  snprintf(cfg, sizeof cfg, "%s/configs/face_recognition.pbtxt", env_dir("ODAI_SOURCE_DIR"));
  odai_graph *g = NULL;
  odai_error err;
  if (odai_graph_create_from_file(cfg, &g, &err) != ODAI_OK) fail_msg("%s", err.message);
  odai_graph_set_side_packet(g, "input_video_path", odai_packet_new_string(photo, ODAI_TS_UNSET));
  odai_graph_set_side_packet(g, "gallery_path", odai_packet_new_string(g_gallery, ODAI_TS_UNSET));
  assert_int_equal(odai_graph_observe_output(g, "named_detections", collect_cb, out), ODAI_OK);
  if (odai_graph_start(g, &err) != ODAI_OK || odai_graph_wait_until_done(g, &err) != ODAI_OK)
    fail_msg("face_recognition.pbtxt on %s: %s", photo, err.message);
  odai_graph_destroy(g);
}

typedef struct live {
  pthread_mutex_t mu;
  int n, wrong;
  int64_t last_ts;
  char want[ODAI_IDENTITY_MAX];
} live;

static void on_result(void *user, odai_status st, const odai_face_recognizer_result *r,
                      const odai_image *image, int64_t ts) {
  live *l = user;
  pthread_mutex_lock(&l->mu);
  int k = r ? largest(&r->faces) : -1;
  if (st != ODAI_OK || !image || ts <= l->last_ts || k < 0 ||
      strcmp(r->faces.items[k].identity, l->want) != 0)
    l->wrong++;
  l->last_ts = ts;
  l->n++;
  pthread_mutex_unlock(&l->mu);
}

static void test_faces(void **state) {
  (void)state;
  need_data();
  snprintf(g_tmp, sizeof g_tmp, "/tmp/odai_task_faces_XXXXXX");
  assert_non_null(mkdtemp(g_tmp));
  snprintf(g_gallery, sizeof g_gallery, "%s/faces.gallery", g_tmp);
  odai_error err = {0};
  /* options errors */
  odai_face_recognizer_options o;
  odai_face_recognizer_options_init(&o);
  odai_face_recognizer *bad = NULL;
  assert_int_equal(odai_face_recognizer_create(&o, &bad, &err), ODAI_E_INVALID);
  assert_non_null(strstr(err.message, "gallery_path"));
  o.gallery_path = g_gallery;
  o.model_path = "odai_no_such_embedder.tflite";
  assert_int_equal(odai_face_recognizer_create(&o, &bad, &err), ODAI_E_NOT_FOUND);
  assert_non_null(strstr(err.message, "scripts/fetch-models.sh"));

  odai_face_recognizer *fr = make(ODAI_RUNNING_MODE_IMAGE, NULL, NULL); /* creates the gallery */
  /* enrol gallery/<person>/<photo> */
  char dir[1100], path[4096];
  snprintf(dir, sizeof dir, "%s/gallery", g_data);
  DIR *d = opendir(dir);
  assert_non_null(d);
  struct dirent *de;
  int enrolled = 0;
  while ((de = readdir(d))) {
    if (de->d_name[0] == '.') continue;
    char pdir[2200];
    snprintf(pdir, sizeof pdir, "%s/%s", dir, de->d_name);
    DIR *pd = opendir(pdir);
    if (!pd) continue;
    struct dirent *fe;
    while ((fe = readdir(pd))) {
      if (fe->d_name[0] == '.') continue;
      snprintf(path, sizeof path, "%s/%s", pdir, fe->d_name);
      odai_image *img = read_file(path);
      if (odai_face_recognizer_enroll(fr, de->d_name, img, &err) != ODAI_OK)
        fail_msg("enroll %s: %s", path, err.message);
      odai_image_unref(img);
      enrolled++;
    }
    closedir(pd);
  }
  closedir(d);
  assert_true(enrolled >= 6);
  /* queries */
  char qn[MAXQ][32], ql[MAXQ][64];
  int nq = read_labels(qn, ql);
  assert_true(nq >= 16);
  int correct = 0, agree = 0;
  char live_photo[4096] = "", live_name[64] = "";
  for (int i = 0; i < nq; i++) {
    snprintf(path, sizeof path, "%s/queries/%s", g_data, qn[i]);
    odai_image *img = read_file(path);
    odai_face_recognizer_result r;
    if (odai_face_recognizer_recognize(fr, img, &r, &err) != ODAI_OK) fail_msg("%s", err.message);
    int k = largest(&r.faces);
    const char *got = k < 0 ? "noface" : r.faces.items[k].identity;
    if (!strcmp(got, ql[i])) correct++;
    if (k >= 0) {
      assert_int_equal(r.faces.items[k].track_id, -1);
      if (r.embeddings[k]) {
        assert_int_equal(r.embeddings[k]->dim, 192);
        assert_true(fabsf(odai_embedding_norm(r.embeddings[k]) - 1.0f) < 1e-3f);
      }
      if (!live_photo[0] && strcmp(got, "unknown") != 0) {
        snprintf(live_photo, sizeof live_photo, "%s", path);
        snprintf(live_name, sizeof live_name, "%s", got);
      }
    }
    /* the same photo through configs/face_recognition.pbtxt */
    collected ref = {.n = 0};
    run_config(path, &ref);
    const odai_detections *want = ref.n ? odai_packet_detections(ref.pkts[0]) : NULL;
    bool same = detections_diff(&r.faces, want) <= 1e-5;
    for (size_t j = 0; same && j < r.faces.count; j++)
      same = strcmp(r.faces.items[j].identity, want->items[j].identity) == 0 &&
             fabsf(r.faces.items[j].identity_similarity - want->items[j].identity_similarity) < 1e-5f;
    agree += same;
    printf("  %-8s expected %-15s task %-15s config %s\n", qn[i], ql[i], got,
           same ? "agrees" : "DIFFERS");
    collected_free(&ref);
    odai_face_recognizer_result_free(&r);
    odai_image_unref(img);
  }
  printf("face recognizer task: %d/%d right (config: %d/%d photos the same)\n", correct, nq, agree,
         nq);
  assert_int_equal(correct, nq);
  assert_int_equal(agree, nq);
  /* enrol errors: no face; a reserved name */
  odai_image *blank = NULL;
  assert_int_equal(odai_image_new_zeroed(320, 240, ODAI_PIXEL_RGB8, &blank), ODAI_OK);
  assert_int_equal(odai_face_recognizer_enroll(fr, "nobody", blank, &err), ODAI_E_NOT_FOUND);
  assert_non_null(strstr(err.message, "no face"));
  odai_image_unref(blank);
  assert_true(live_photo[0]);
  odai_image *img = read_file(live_photo);
  assert_int_equal(odai_face_recognizer_enroll(fr, "unknown", img, &err), ODAI_E_INVALID);
  odai_face_recognizer_close(fr);

  /* VIDEO mode: the photo as a still video: tracked (one id), named alike */
  fr = make(ODAI_RUNNING_MODE_VIDEO, NULL, NULL);
  int64_t track = -2;
  for (int k = 0; k < 4; k++) {
    odai_face_recognizer_result r;
    assert_int_equal(odai_face_recognizer_recognize_for_video(fr, img, 1000 + 33333 * k, &r, &err),
                     ODAI_OK);
    int j = largest(&r.faces);
    assert_true(j >= 0);
    assert_string_equal(r.faces.items[j].identity, live_name);
    assert_true(r.faces.items[j].track_id >= 0);
    if (k) assert_int_equal(r.faces.items[j].track_id, track);
    track = r.faces.items[j].track_id;
    odai_face_recognizer_result_free(&r);
  }
  odai_face_recognizer_result rr;
  assert_int_equal(odai_face_recognizer_recognize_for_video(fr, img, 1000, &rr, &err), ODAI_E_INVALID);
  assert_int_equal(odai_face_recognizer_enroll(fr, "x", img, &err), ODAI_E_INVALID); /* IMAGE mode only */
  odai_face_recognizer_close(fr);

  /* LIVE_STREAM: one photo offered 12 times back to back */
  live l = {.last_ts = -1};
  pthread_mutex_init(&l.mu, NULL);
  snprintf(l.want, sizeof l.want, "%s", live_name);
  fr = make(ODAI_RUNNING_MODE_LIVE_STREAM, on_result, &l);
  for (int k = 0; k < 12; k++)
    assert_int_equal(odai_face_recognizer_recognize_async(fr, img, 1000 + 33333 * k, &err), ODAI_OK);
  assert_int_equal(odai_face_recognizer_recognize_async(fr, img, 5, &err), ODAI_E_INVALID);
  odai_task_stats s = odai_face_recognizer_stats(fr);
  odai_face_recognizer_close(fr);
  printf("LIVE_STREAM: 12 offered, %d delivered (all '%s': %s), %llu dropped\n", l.n, live_name,
         l.wrong ? "NO" : "yes", (unsigned long long)s.dropped);
  assert_int_equal((uint64_t)l.n + s.dropped, 12);
  assert_true(l.n >= 1);
  assert_int_equal(l.wrong, 0);
  pthread_mutex_destroy(&l.mu);
  odai_image_unref(img);
  char *text = odai_face_recognizer_graph_config(NULL);
  assert_non_null(text);
  assert_non_null(strstr(text, "FaceRecognizerCalculator"));
  odai_task_string_free(text);
  unlink(g_gallery);
  snprintf(path, sizeof path, "%s.lock", g_gallery);
  unlink(path);
  rmdir(g_tmp);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_faces)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
