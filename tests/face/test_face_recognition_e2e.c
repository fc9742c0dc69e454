/* tests/face/test_face_recognition_e2e.c: open-set face recognition on real
 * photos (shared/testdata/faces) through odai's graphs, not the graph-free
 * pipeline: every gallery/<person>/ photo is enrolled with the face graph of
 * odai-faces (FaceDetectionTwoPassCpu -> FaceEmbedderCalculator), every
 * query is named by the same graph plus FaceRecognizerCalculator, and then
 * configs/face_recognition.pbtxt itself runs over the queries directory and
 * its JSON lines must carry the same names. Threshold: the gallery's
 * default, 0.55 (docs/face.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "examples/odai-faces/face_graph.h"
#include "face_test_util.h"
#include "odai/gallery.h"
#include "odai/graph.h"

#define MAXQ 64

static char g_data[1024];

static void need_data(void) {
  const char *sh = getenv("ODAI_SHARED_DIR");
  if (!sh) fail_msg("ODAI_SHARED_DIR is not set (run through ctest)");
  snprintf(g_data, sizeof g_data, "%s/testdata/faces", sh);
  char p[1100];
  snprintf(p, sizeof p, "%s/queries/labels.json", g_data);
  if (access(p, R_OK) != 0) fail_msg("%s missing", p);
  if (!getenv("ODAI_MODEL_DIR")) fail_msg("ODAI_MODEL_DIR is not set (run through ctest)");
}

static int read_labels(const char *path, char names[][32], char labels[][64], int max) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  char line[256];
  int n = 0;
  while (n < max && fgets(line, sizeof line, f))
    if (sscanf(line, " \"%31[^\"]\" : \"%63[^\"]\"", names[n], labels[n]) == 2) n++;
  fclose(f);
  return n;
}

static int cmp_float(const void *a, const void *b) {
  float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

/* Enroll gallery/<person>/<photo> into a fresh gallery at gpath. */
static void enroll_all(const char *gpath) {
  face_graph *fg = NULL;
  odai_error err;
  if (face_graph_open(NULL, NULL, NULL, true, &fg, &err) != ODAI_OK) fail_msg("%s", err.message);
  char dir[1100];
  snprintf(dir, sizeof dir, "%s/gallery", g_data);
  DIR *d = opendir(dir);
  assert_non_null(d);
  odai_gallery *g = NULL;
  struct dirent *de;
  int photos = 0;
  while ((de = readdir(d))) {
    if (de->d_name[0] == '.') continue;
    char pdir[1400];
    snprintf(pdir, sizeof pdir, "%s/%s", dir, de->d_name);
    DIR *pd = opendir(pdir);
    if (!pd) continue;
    struct dirent *fe;
    while ((fe = readdir(pd))) {
      if (!strstr(fe->d_name, ".jpg") && !strstr(fe->d_name, ".png")) continue;
      char path[1700];
      snprintf(path, sizeof path, "%s/%s", pdir, fe->d_name);
      face_result r;
      if (face_graph_run_file(fg, path, &r, &err) != ODAI_OK) fail_msg("%s: %s", path, err.message);
      int k = face_result_largest(&r);
      if (k < 0 || !r.faces[k].embedding) fail_msg("%s: no usable face to enroll", path);
      if (!g) {
        odai_gallery_options o = {.create_if_missing = true,
                                  .model_id = r.faces[k].embedding->model_id,
                                  .dim = r.faces[k].embedding->dim};
        if (odai_gallery_open(gpath, &o, &g, &err) != ODAI_OK) fail_msg("%s", err.message);
      }
      if (odai_gallery_add(g, de->d_name, r.faces[k].embedding, &err) != ODAI_OK)
        fail_msg("%s", err.message);
      photos++;
      face_result_fini(&r);
    }
    closedir(pd);
  }
  closedir(d);
  assert_non_null(g);
  assert_true(photos >= 2);
  assert_int_equal(odai_gallery_save(g, &err), ODAI_OK);
  printf("enrolled %d photos of %zu people\n", photos, odai_gallery_count(g));
  odai_gallery_close(g);
  face_graph_close(fg);
}

static void test_queries_through_graph(void **state) {
  (void)state;
  need_data();
  char *tmp = ft_tempdir();
  assert_non_null(tmp);
  char gpath[600], path[1600];
  snprintf(gpath, sizeof gpath, "%s/faces.gallery", tmp);
  enroll_all(gpath);

  char qn[MAXQ][32], ql[MAXQ][64];
  snprintf(path, sizeof path, "%s/queries/labels.json", g_data);
  int nq = read_labels(path, qn, ql, MAXQ);
  assert_true(nq > 0);

  odai_gallery *g = NULL;
  odai_error err;
  odai_gallery_options ro = {.read_only = true};
  assert_int_equal(odai_gallery_open(gpath, &ro, &g, &err), ODAI_OK);
  const float T = odai_gallery_threshold(g);
  face_graph *fg = NULL;
  if (face_graph_open(NULL, gpath, NULL, true, &fg, &err) != ODAI_OK) fail_msg("%s", err.message);

  int correct = 0, rank1 = 0, enrolled = 0, fa = 0, fr = 0;
  float gen[MAXQ], imp[MAXQ * 16];
  int ngen = 0, nimp = 0;
  char got[MAXQ][ODAI_IDENTITY_MAX];
  for (int i = 0; i < nq; i++) {
    snprintf(path, sizeof path, "%s/queries/%s", g_data, qn[i]);
    face_result r;
    if (face_graph_run_file(fg, path, &r, &err) != ODAI_OK) fail_msg("%s: %s", path, err.message);
    int k = face_result_largest(&r);
    const char *name = k < 0 ? "noface" : r.faces[k].det.identity;
    if (k >= 0 && !r.faces[k].embedding) name = "skipped";
    snprintf(got[i], sizeof got[i], "%s", name);
    bool is_enrolled = strcmp(ql[i], "unknown") && strcmp(ql[i], "noface");
    if (!strcmp(name, ql[i])) correct++;
    if (is_enrolled) {
      enrolled++;
      if (strcmp(name, ql[i])) fr += !strcmp(name, "unknown") || !strcmp(name, "noface");
    }
    if (strcmp(name, ql[i]) && strcmp(name, "unknown") && strcmp(name, "noface")) fa++;
    /* Similarities to every identity: genuine (own name) and impostor. */
    if (k >= 0 && r.faces[k].embedding) {
      odai_gallery_result res[16];
      size_t n = 0;
      assert_int_equal(odai_gallery_match(g, r.faces[k].embedding, 16, res, &n, &err), ODAI_OK);
      if (is_enrolled && n && !strcmp(res[0].name, ql[i])) rank1++;
      for (size_t j = 0; j < n; j++) {
        if (!strcmp(res[j].name, ql[i]))
          gen[ngen++] = res[j].similarity;
        else if (nimp < MAXQ * 16)
          imp[nimp++] = res[j].similarity;
      }
    }
    printf("  %-8s expected %-15s got %-15s %s\n", qn[i], ql[i], name,
           k >= 0 ? "" : "(no face)");
    face_result_fini(&r);
  }
  face_graph_close(fg);
  odai_gallery_close(g);
  qsort(gen, (size_t)ngen, sizeof *gen, cmp_float);
  qsort(imp, (size_t)nimp, sizeof *imp, cmp_float);
  printf("graph path, threshold %.2f: %d/%d right; rank-1 %d/%d; false accepts %d; false "
         "rejects %d\n",
         T, correct, nq, rank1, enrolled, fa, fr);
  if (ngen)
    printf("genuine (%d): min %.3f median %.3f max %.3f\n", ngen, gen[0], gen[ngen / 2],
           gen[ngen - 1]);
  if (nimp)
    printf("impostor (%d): min %.3f median %.3f max %.3f\n", nimp, imp[0], imp[nimp / 2],
           imp[nimp - 1]);
  assert_int_equal(correct, nq);
  assert_int_equal(rank1, enrolled);
  assert_int_equal(fa, 0);
  assert_int_equal(fr, 0);
  assert_true(ngen > 0 && gen[0] >= T);
  assert_true(nimp > 0 && imp[nimp - 1] < T);

  /* The end-to-end config over the queries directory: the JSON lines name
   * the same people (largest face per photo), no face -> empty list. */
  char cfg[1200], jsonl[700], qdir[1100];
  const char *src = getenv("ODAI_SOURCE_DIR");
  if (!src) fail_msg("ODAI_SOURCE_DIR is not set (run through ctest)");
  snprintf(cfg, sizeof cfg, "%s/configs/face_recognition.pbtxt", src);
  snprintf(jsonl, sizeof jsonl, "%s/faces.jsonl", tmp);
  snprintf(qdir, sizeof qdir, "%s/queries", g_data);
  odai_graph *graph = NULL;
  if (odai_graph_create_from_file(cfg, &graph, &err) != ODAI_OK) fail_msg("%s", err.message);
  odai_graph_set_side_packet(graph, "input_video_path", odai_packet_new_string(qdir, ODAI_TS_UNSET));
  odai_graph_set_side_packet(graph, "detections_path", odai_packet_new_string(jsonl, ODAI_TS_UNSET));
  odai_graph_set_side_packet(graph, "gallery_path", odai_packet_new_string(gpath, ODAI_TS_UNSET));
  odai_graph_set_side_packet(graph, "output_video_path", odai_packet_new_string("", ODAI_TS_UNSET));
  if (odai_graph_start(graph, &err) != ODAI_OK) fail_msg("%s", err.message);
  if (odai_graph_wait_until_done(graph, &err) != ODAI_OK) fail_msg("%s", err.message);
  odai_graph_destroy(graph);
  FILE *f = fopen(jsonl, "r");
  assert_non_null(f);
  static char line[1 << 16];
  int lines = 0, agree = 0;
  while (fgets(line, sizeof line, f)) {
    lines++;
    for (int i = 0; i < nq; i++) {
      char key[64];
      snprintf(key, sizeof key, "\"%.40s\"", qn[i]);
      if (!strstr(line, key)) continue;
      /* The largest box's identity; the test photos hold one face each
       * (the others: none), so the first identity field is the one. */
      const char *id = strstr(line, "\"identity\": \"");
      char name[64] = "noface";
      if (id) sscanf(id + 13, "%63[^\"]", name);
      else if (strstr(line, "\"score\"")) snprintf(name, sizeof name, "(no identity)");
      if (!strcmp(name, got[i])) agree++;
      else printf("  config: %s named %s, graph path %s\n", qn[i], name, got[i]);
    }
  }
  fclose(f);
  printf("configs/face_recognition.pbtxt: %d lines, %d/%d photos named as above\n", lines, agree,
         nq);
  assert_int_equal(agree, nq);
  unlink(jsonl);
  unlink(gpath);
  snprintf(path, sizeof path, "%s.lock", gpath);
  unlink(path);
  ft_rmdir(tmp);
  free(tmp);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_queries_through_graph)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
