/* tests/face/test_face_recognizer.c: the recognizer core and
 * FaceRecognizerCalculator on synthetic embeddings (no model needed): the
 * per-track vote keeps a name when one frame's embedding would flip it and
 * changes it on a majority; untracked faces are decided per frame; a face
 * without an embedding keeps its track's name; enrolment during a run takes
 * effect (gallery refresh); the threshold option overrides the gallery's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "calculators/face/recognizer.h"
#include "face_test_util.h"
#include "odai/gallery.h"
#include "odai/graph.h"
#include "odai/packet_types.h"

enum { DIM = 8 };
static float g_alice[DIM] = {1, 0, 0, 0, 0, 0, 0, 0};
static float g_bob[DIM] = {0, 1, 0, 0, 0, 0, 0, 0};
static float g_carol[DIM] = {0, 0, 1, 0, 0, 0, 0, 0};

static odai_embedding *emb(const float *c, uint64_t *s) { return ft_embedding(DIM, 7, c, 0.05f, s); }

static void test_voter_core(void **state) {
  (void)state;
  odai_face_voter *v = odai_face_voter_create(5);
  assert_non_null(v);
  char name[ODAI_GALLERY_NAME_MAX + 1];
  float sim;
  const char *seq[] = {"alice", "alice", "alice", "bob", "alice", "bob", "bob", "bob", "bob"};
  const char *want[] = {"alice", "alice", "alice", "alice", "alice", "alice", "bob", "bob", "bob"};
  for (int i = 0; i < 9; i++) {
    odai_face_voter_next_frame(v);
    assert_int_equal(odai_face_voter_vote(v, 1, seq[i], 0.8f, name, &sim, NULL), ODAI_OK);
    assert_string_equal(name, want[i]);
  }
  /* A frame without a vote shows the current label; a new track has none. */
  odai_face_voter_next_frame(v);
  assert_int_equal(odai_face_voter_vote(v, 1, NULL, 0, name, &sim, NULL), ODAI_OK);
  assert_string_equal(name, "bob");
  assert_float_equal(sim, 0.8f, 1e-6);
  assert_int_equal(odai_face_voter_vote(v, 2, NULL, 0, name, &sim, NULL), ODAI_OK);
  assert_string_equal(name, "");
  /* A tie keeps the label shown. */
  odai_face_voter *t = odai_face_voter_create(2);
  odai_face_voter_vote(t, 1, "alice", 0.6f, name, &sim, NULL);
  odai_face_voter_vote(t, 1, "bob", 0.9f, name, &sim, NULL);
  assert_string_equal(name, "alice");
  odai_face_voter_free(t);
  /* Tracks unseen for 2 x window frames are forgotten. */
  for (int i = 0; i < 11; i++) odai_face_voter_next_frame(v);
  assert_int_equal(odai_face_voter_tracks(v), 0);
  odai_face_voter_free(v);
  assert_null(odai_face_voter_create(-1));
}

static const char *k_graph =
    "input_stream: \"dets\"\n"
    "input_stream: \"embs\"\n"
    "output_stream: \"out\"\n"
    "input_side_packet: \"gallery_path\"\n"
    "node { calculator: \"FaceRecognizerCalculator\"\n"
    "  input_stream: \"DETECTIONS:dets\" input_stream: \"EMBEDDINGS:embs\"\n"
    "  output_stream: \"DETECTIONS:out\" input_side_packet: \"GALLERY_PATH:gallery_path\"\n"
    "  options { [odai.FaceRecognizerCalculatorOptions.ext] { vote_window: 5 "
    "refresh_interval_ms: 0 %s } } }\n";

typedef struct rig {
  char *dir;
  char gpath[600];
  odai_graph *g;
  odai_poller *poll;
  int64_t ts;
  uint64_t seed;
} rig;

static void rig_open(rig *r, const char *extra_options) {
  memset(r, 0, sizeof *r);
  r->seed = 11;
  r->dir = ft_tempdir();
  assert_non_null(r->dir);
  snprintf(r->gpath, sizeof r->gpath, "%s/g", r->dir);
  uint8_t id[ODAI_MODEL_ID_SIZE];
  ft_model(id, 7);
  odai_gallery_options o = {.create_if_missing = true, .model_id = id, .dim = DIM};
  odai_gallery *g;
  odai_error err;
  assert_int_equal(odai_gallery_open(r->gpath, &o, &g, &err), ODAI_OK);
  for (int i = 0; i < 2; i++) {
    odai_embedding *a = emb(g_alice, &r->seed), *b = emb(g_bob, &r->seed);
    assert_int_equal(odai_gallery_add(g, "alice", a, &err), ODAI_OK);
    assert_int_equal(odai_gallery_add(g, "bob", b, &err), ODAI_OK);
    odai_embedding_free(a);
    odai_embedding_free(b);
  }
  assert_int_equal(odai_gallery_save(g, &err), ODAI_OK);
  odai_gallery_close(g);
  char text[2048];
  snprintf(text, sizeof text, k_graph, extra_options);
  if (odai_graph_create(text, strlen(text), "test", &r->g, &err) != ODAI_OK)
    fail_msg("%s", err.message);
  odai_graph_set_side_packet(r->g, "gallery_path", odai_packet_new_string(r->gpath, ODAI_TS_UNSET));
  assert_int_equal(odai_graph_add_poller(r->g, "out", &r->poll, &err), ODAI_OK);
  if (odai_graph_start(r->g, &err) != ODAI_OK) fail_msg("%s", err.message);
}

static void rig_close(rig *r) {
  odai_error err;
  assert_int_equal(odai_graph_wait_until_done(r->g, &err), ODAI_OK);
  odai_graph_destroy(r->g);
  char p[700];
  snprintf(p, sizeof p, "%s.lock", r->gpath);
  unlink(p);
  ft_rmdir(r->dir);
  free(r->dir);
}

/* One frame: n faces with track ids and embedding centres (NULL centre =
 * skipped face); names/similarities of the output into names/sims. */
static void frame(rig *r, int n, const int64_t *tracks, const float *const *centres,
                  char names[][ODAI_IDENTITY_MAX], float *sims) {
  odai_detections *d = odai_detections_create((size_t)n);
  odai_embeddings *e = odai_embeddings_create((size_t)n);
  for (int i = 0; i < n; i++) {
    odai_detection x;
    odai_detection_init(&x);
    x.xmin = 0.1f * (float)i;
    x.ymin = 0.1f;
    x.width = x.height = 0.1f;
    x.track_id = tracks[i];
    odai_detections_push(d, &x, NULL);
    if (centres[i])
      e->items[i] = emb(centres[i], &r->seed);
    else
      snprintf(e->skip_reasons[i], sizeof e->skip_reasons[i], "too small");
  }
  int64_t ts = r->ts++;
  assert_int_equal(odai_graph_add_packet(r->g, "dets", odai_packet_new_detections(d, ts)), ODAI_OK);
  assert_int_equal(odai_graph_add_packet(r->g, "embs", odai_packet_new_embeddings(e, ts)), ODAI_OK);
  odai_packet *p = NULL;
  assert_int_equal(odai_poller_next(r->poll, 5000, &p), ODAI_OK);
  const odai_detections *out = odai_packet_detections(p);
  assert_non_null(out);
  assert_int_equal(out->count, (size_t)n);
  for (int i = 0; i < n; i++) {
    snprintf(names[i], ODAI_IDENTITY_MAX, "%s", out->items[i].identity);
    sims[i] = out->items[i].identity_similarity;
  }
  odai_packet_unref(p);
}

static void test_vote_keeps_name(void **state) {
  (void)state;
  rig r;
  rig_open(&r, "");
  char names[3][ODAI_IDENTITY_MAX];
  float sims[3];
  const int64_t tr[3] = {1, -1, 1};
  /* Frames 0-3: track 1 is alice; frame 4 one embedding would say bob. */
  for (int f = 0; f < 6; f++) {
    const float *c[2] = {f == 4 ? g_bob : g_alice, g_bob};
    frame(&r, 2, tr, c, names, sims);
    assert_string_equal(names[0], "alice"); /* the vote keeps it */
    assert_true(sims[0] > 0.55f);
    assert_string_equal(names[1], "bob"); /* untracked: per frame */
  }
  /* Frame 4 alone, untracked, would have flipped it: */
  {
    const int64_t un[1] = {-1};
    const float *c[1] = {g_bob};
    frame(&r, 1, un, c, names, sims);
    assert_string_equal(names[0], "bob");
  }
  /* A skipped face (no embedding) keeps its track's name; untracked: none. */
  {
    const int64_t t2[2] = {1, -1};
    const float *c[2] = {NULL, NULL};
    frame(&r, 2, t2, c, names, sims);
    assert_string_equal(names[0], "alice");
    assert_string_equal(names[1], "");
  }
  /* A stranger comes out unknown. */
  {
    const int64_t un[1] = {9};
    const float *c[1] = {g_carol};
    frame(&r, 1, un, c, names, sims);
    assert_string_equal(names[0], ODAI_GALLERY_UNKNOWN);
  }
  /* Enrolment during the run: carol is named once the gallery is saved. */
  odai_gallery *g;
  odai_gallery_options o = {.lock_timeout_ms = 1000};
  odai_error err;
  assert_int_equal(odai_gallery_open(r.gpath, &o, &g, &err), ODAI_OK);
  odai_embedding *c1 = emb(g_carol, &r.seed);
  assert_int_equal(odai_gallery_add(g, "carol", c1, &err), ODAI_OK);
  odai_embedding_free(c1);
  assert_int_equal(odai_gallery_save(g, &err), ODAI_OK);
  odai_gallery_close(g);
  {
    const int64_t un[1] = {9};
    const float *c[1] = {g_carol};
    frame(&r, 1, un, c, names, sims);
    assert_string_equal(names[0], "carol");
  }
  rig_close(&r);
}

static void test_threshold_option(void **state) {
  (void)state;
  rig r;
  rig_open(&r, "threshold: 0.999");
  char names[1][ODAI_IDENTITY_MAX];
  float sims[1];
  const int64_t un[1] = {-1};
  const float *c[1] = {g_alice};
  frame(&r, 1, un, c, names, sims);
  assert_string_equal(names[0], ODAI_GALLERY_UNKNOWN);
  assert_true(sims[0] > 0.9f && sims[0] < 0.999f);
  rig_close(&r);
}

/* A 127-byte gallery name is cut to the detection's 63 bytes at a UTF-8
 * character boundary. */
static void test_long_name_cut_at_character(void **state) {
  (void)state;
  rig r;
  rig_open(&r, "");
  char name[128] = "";
  for (int i = 0; i < 40; i++) strcat(name, "\xc3\xa9"); /* 'e acute' x 40 = 80 bytes */
  odai_gallery *g;
  odai_gallery_options o = {.lock_timeout_ms = 1000};
  odai_error err;
  assert_int_equal(odai_gallery_open(r.gpath, &o, &g, &err), ODAI_OK);
  odai_embedding *c1 = emb(g_carol, &r.seed);
  assert_int_equal(odai_gallery_add(g, name, c1, &err), ODAI_OK);
  odai_embedding_free(c1);
  assert_int_equal(odai_gallery_save(g, &err), ODAI_OK);
  odai_gallery_close(g);
  char names[1][ODAI_IDENTITY_MAX];
  float sims[1];
  const int64_t un[1] = {-1};
  const float *c[1] = {g_carol};
  frame(&r, 1, un, c, names, sims);
  assert_int_equal(strlen(names[0]), 62); /* 31 whole characters */
  assert_memory_equal(names[0], name, 62);
  rig_close(&r);
}

/* allow_missing: no gallery yet -> "unknown"; once enrolled -> the name. */
static void test_allow_missing(void **state) {
  (void)state;
  rig r;
  rig_open(&r, "allow_missing: true");
  /* Replace the rig's gallery by a path that does not exist yet. */
  odai_error err;
  assert_int_equal(odai_graph_wait_until_done(r.g, &err), ODAI_OK);
  odai_graph_destroy(r.g);
  char later[700];
  snprintf(later, sizeof later, "%s/later", r.dir);
  char text[2048];
  snprintf(text, sizeof text, k_graph, "allow_missing: true");
  assert_int_equal(odai_graph_create(text, strlen(text), "test", &r.g, &err), ODAI_OK);
  odai_graph_set_side_packet(r.g, "gallery_path", odai_packet_new_string(later, ODAI_TS_UNSET));
  assert_int_equal(odai_graph_add_poller(r.g, "out", &r.poll, &err), ODAI_OK);
  if (odai_graph_start(r.g, &err) != ODAI_OK) fail_msg("%s", err.message);
  char names[1][ODAI_IDENTITY_MAX];
  float sims[1];
  const int64_t un[1] = {-1};
  const float *c[1] = {g_alice};
  frame(&r, 1, un, c, names, sims);
  assert_string_equal(names[0], ODAI_GALLERY_UNKNOWN);
  uint8_t id[ODAI_MODEL_ID_SIZE];
  ft_model(id, 7);
  odai_gallery_options o = {.create_if_missing = true, .model_id = id, .dim = DIM};
  odai_gallery *g;
  assert_int_equal(odai_gallery_open(later, &o, &g, &err), ODAI_OK);
  odai_embedding *a = emb(g_alice, &r.seed);
  assert_int_equal(odai_gallery_add(g, "alice", a, &err), ODAI_OK);
  odai_embedding_free(a);
  assert_int_equal(odai_gallery_save(g, &err), ODAI_OK);
  odai_gallery_close(g);
  frame(&r, 1, un, c, names, sims);
  assert_string_equal(names[0], "alice");
  char lock[800];
  snprintf(lock, sizeof lock, "%s.lock", later);
  unlink(lock);
  unlink(later);
  rig_close(&r);
}

static void test_missing_gallery_refused(void **state) {
  (void)state;
  char text[2048];
  snprintf(text, sizeof text, k_graph, "");
  odai_graph *g;
  odai_error err;
  assert_int_equal(odai_graph_create(text, strlen(text), "test", &g, &err), ODAI_OK);
  odai_graph_set_side_packet(g, "gallery_path",
                             odai_packet_new_string("/nonexistent/odai.gallery", ODAI_TS_UNSET));
  assert_int_not_equal(odai_graph_start(g, &err), ODAI_OK);
  assert_non_null(strstr(err.message, "FaceRecognizer"));
  odai_graph_destroy(g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_voter_core),
      cmocka_unit_test(test_vote_keeps_name),
      cmocka_unit_test(test_threshold_option),
      cmocka_unit_test(test_long_name_cut_at_character),
      cmocka_unit_test(test_allow_missing),
      cmocka_unit_test(test_missing_gallery_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
