/* tests/face/test_face_calculators.c: the face calculators in graphs, on
 * MobileFaceNet and real images (ODAI_MODEL_DIR, ODAI_MEDIA_DIR,
 * ODAI_SHARED_DIR): FaceEmbedderCalculator gives one unit 192-d embedding
 * per detection tagged with the model's sha256, equal to the embedder core's,
 * and an empty slot with a reason for a too-small face or a detection
 * without keypoints; flip_sum: false (batch 1) agrees; the two-pass detector
 * finds a close-up (astronaut's face filling the frame) that the full-range
 * detector misses, and adds no face on the 22 photos of
 * shared/testdata/faces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "calculators/face/embedder.h"
#include "face_test_util.h"
#include "odai/graph.h"
#include "odai/image_io.h"
#include "odai/packet_types.h"

static const char *env_dir(const char *name) {
  const char *d = getenv(name);
  if (!d) fail_msg("%s is not set (run through ctest)", name);
  return d;
}

static odai_image *read_media(const char *file) {
  char p[1024];
  snprintf(p, sizeof p, "%s/%s", env_dir("ODAI_MEDIA_DIR"), file);
  odai_image *img = NULL;
  odai_error err;
  if (odai_image_read_file(p, ODAI_PIXEL_RGB8, &img, &err) != ODAI_OK)
    fail_msg("%s: %s (run scripts/fetch-media.sh)", p, err.message);
  return img;
}

/* astronaut.png's face as the full-range detector gives it (relative). */
static void astronaut_face(odai_detection *d) {
  odai_detection_init(d);
  d->score = 0.9f;
  d->xmin = 0.3358f;
  d->ymin = 0.1291f;
  d->width = d->height = 0.208f;
  const float kp[6][2] = {{0.39398f, 0.20050f}, {0.48422f, 0.20742f}, {0.43420f, 0.25943f},
                          {0.43089f, 0.29174f}, {0.34613f, 0.2050f},  {0.52f, 0.21f}};
  d->num_keypoints = 6;
  for (int k = 0; k < 6; k++) {
    d->keypoints[k].x = kp[k][0];
    d->keypoints[k].y = kp[k][1];
  }
}

static const char *k_embed_graph =
    "input_stream: \"image\"\n"
    "input_stream: \"dets\"\n"
    "output_stream: \"embs\"\n"
    "node { calculator: \"FaceEmbedderCalculator\" input_stream: \"IMAGE:image\"\n"
    "  input_stream: \"DETECTIONS:dets\" output_stream: \"EMBEDDINGS:embs\"\n"
    "  options { [odai.FaceEmbedderCalculatorOptions.ext] {\n"
    "    model_path: \"mediapipe/models/MobileFaceNet.tflite\" %s } } }\n";

/* Run the embedder graph once on img + dets; returns the EMBEDDINGS packet. */
static odai_packet *embed_once(const char *extra, odai_image *img, odai_detections *dets) {
  char text[1024];
  snprintf(text, sizeof text, k_embed_graph, extra);
  odai_graph *g;
  odai_poller *p;
  odai_error err;
  if (odai_graph_create(text, strlen(text), "test", &g, &err) != ODAI_OK) fail_msg("%s", err.message);
  assert_int_equal(odai_graph_add_poller(g, "embs", &p, &err), ODAI_OK);
  if (odai_graph_start(g, &err) != ODAI_OK) fail_msg("%s", err.message);
  assert_int_equal(odai_graph_add_packet(g, "image", odai_packet_new_image(img, 0)), ODAI_OK);
  assert_int_equal(odai_graph_add_packet(g, "dets", odai_packet_new_detections(dets, 0)), ODAI_OK);
  odai_packet *out = NULL;
  assert_int_equal(odai_poller_next(p, 60000, &out), ODAI_OK);
  if (odai_graph_wait_until_done(g, &err) != ODAI_OK) fail_msg("%s", err.message);
  odai_graph_destroy(g);
  return out;
}

static void test_embedder_calculator(void **state) {
  (void)state;
  odai_image *img = read_media("astronaut.png");
  odai_detections *dets = odai_detections_create(3);
  odai_detection d, tiny, nokp;
  astronaut_face(&d);
  odai_detections_push(dets, &d, NULL);
  /* The same face shrunk 20x around its centre: eyes ~2 px apart. */
  tiny = d;
  for (int k = 0; k < tiny.num_keypoints; k++) {
    tiny.keypoints[k].x = 0.5f + (d.keypoints[k].x - 0.44f) * 0.05f;
    tiny.keypoints[k].y = 0.5f + (d.keypoints[k].y - 0.24f) * 0.05f;
  }
  odai_detections_push(dets, &tiny, NULL);
  nokp = d;
  nokp.num_keypoints = 0;
  odai_detections_push(dets, &nokp, NULL);
  odai_packet *pk = embed_once("", odai_image_ref(img), odai_detections_clone(dets));
  const odai_embeddings *e = odai_packet_embeddings(pk);
  assert_non_null(e);
  assert_int_equal(e->count, 3);
  /* slot 0: a unit 192-d embedding of MobileFaceNet */
  assert_non_null(e->items[0]);
  assert_int_equal(e->items[0]->dim, 192);
  assert_float_equal(odai_embedding_norm(e->items[0]), 1.0f, 1e-4);
  assert_string_equal(e->skip_reasons[0], "");
  char mp[1024];
  snprintf(mp, sizeof mp, "%s/MobileFaceNet.tflite", env_dir("ODAI_MODEL_DIR"));
  uint8_t id[ODAI_MODEL_ID_SIZE];
  assert_int_equal(odai_model_id_of_file(mp, id, NULL), ODAI_OK);
  assert_memory_equal(e->items[0]->model_id, id, ODAI_MODEL_ID_SIZE);
  /* slots 1, 2: skipped, with the reason recorded */
  assert_null(e->items[1]);
  assert_non_null(strstr(e->skip_reasons[1], "too small"));
  assert_null(e->items[2]);
  assert_non_null(strstr(e->skip_reasons[2], "keypoints"));
  printf("skipped: \"%s\", \"%s\"\n", e->skip_reasons[1], e->skip_reasons[2]);
  /* The calculator and the embedder core agree exactly. */
  odai_face_embedder_options o;
  odai_face_embedder_options_init(&o);
  o.model_path = mp;
  odai_face_embedder *core;
  odai_error err;
  assert_int_equal(odai_face_embedder_create(&o, &core, &err), ODAI_OK);
  odai_face_embed_result *r = malloc(sizeof *r);
  assert_int_equal(odai_face_embedder_embed(core, img, &d, r, &err), ODAI_OK);
  float cos;
  assert_int_equal(odai_embedding_cosine(r->embedding, e->items[0], &cos, NULL), ODAI_OK);
  assert_float_equal(cos, 1.0f, 1e-5);
  odai_embedding_free(r->embedding);
  free(r);
  odai_face_embedder_free(core);
  /* Batch-1 mode (no mirror row) gives nearly the same embedding. */
  odai_packet *p1 = embed_once("flip_sum: false", odai_image_ref(img), odai_detections_clone(dets));
  const odai_embeddings *e1 = odai_packet_embeddings(p1);
  assert_non_null(e1->items[0]);
  assert_int_equal(odai_embedding_cosine(e1->items[0], e->items[0], &cos, NULL), ODAI_OK);
  printf("batch 1 vs flip-sum embedding: cosine %.4f\n", cos);
  assert_true(cos > 0.95f);
  odai_packet_unref(p1);
  /* A camera's I420 frame is converted: nearly the same embedding. */
  odai_image *yuv = NULL;
  assert_int_equal(odai_image_convert(img, ODAI_PIXEL_I420, &yuv, NULL), ODAI_OK);
  odai_packet *py = embed_once("", yuv, odai_detections_clone(dets));
  const odai_embeddings *ey = odai_packet_embeddings(py);
  assert_non_null(ey->items[0]);
  assert_int_equal(odai_embedding_cosine(ey->items[0], e->items[0], &cos, NULL), ODAI_OK);
  printf("I420 frame vs RGB frame embedding: cosine %.4f\n", cos);
  assert_true(cos > 0.95f);
  odai_packet_unref(py);
  odai_packet_unref(pk);
  odai_detections_free(dets);
  odai_image_unref(img);
}

/* ---- detection: full range alone vs two passes ---- */

static const char *k_det_graph =
    "input_stream: \"image\"\n"
    "output_stream: \"far\"\n"
    "output_stream: \"both\"\n"
    "node { calculator: \"FaceDetectionFullRangeCpu\" input_stream: \"IMAGE:image\"\n"
    "  output_stream: \"DETECTIONS:far\" }\n"
    "node { calculator: \"FaceDetectionTwoPassCpu\" input_stream: \"IMAGE:image\"\n"
    "  output_stream: \"DETECTIONS:both\" }\n";

typedef struct det_rig {
  odai_graph *g;
  int64_t ts;
  size_t far, both;
  odai_detection both0;
} det_rig;

static odai_status on_far(void *u, const odai_packet *p) {
  ((det_rig *)u)->far = odai_packet_detections(p)->count;
  return ODAI_OK;
}
static odai_status on_both(void *u, const odai_packet *p) {
  det_rig *r = u;
  const odai_detections *d = odai_packet_detections(p);
  r->both = d->count;
  if (d->count) r->both0 = d->items[0];
  return ODAI_OK;
}

static void det_open(det_rig *r) {
  memset(r, 0, sizeof *r);
  odai_error err;
  if (odai_graph_create(k_det_graph, strlen(k_det_graph), "test", &r->g, &err) != ODAI_OK)
    fail_msg("%s", err.message);
  odai_graph_observe_output(r->g, "far", on_far, r);
  odai_graph_observe_output(r->g, "both", on_both, r);
  if (odai_graph_start(r->g, &err) != ODAI_OK) fail_msg("%s", err.message);
}

static void det_run(det_rig *r, odai_image *img) {
  r->far = r->both = 0;
  odai_error err;
  assert_int_equal(odai_graph_add_packet(r->g, "image", odai_packet_new_image(img, r->ts++)),
                   ODAI_OK);
  if (odai_graph_wait_until_idle(r->g, &err) != ODAI_OK) fail_msg("%s", err.message);
}

/* src region (x, y, side) scaled into an out x out RGB8 image. */
static odai_image *crop_scale(const odai_image *src, float x, float y, float side, int out) {
  odai_image *dst = NULL;
  assert_int_equal(odai_image_new(out, out, ODAI_PIXEL_RGB8, &dst), ODAI_OK);
  float s = side / (float)out;
  float m[6] = {s, 0, x, 0, s, y};
  assert_int_equal(odai_warp_affine_rgb8(odai_image_cdata(src, 0), odai_image_width(src),
                                         odai_image_height(src),
                                         (size_t)odai_image_stride(src, 0), m,
                                         odai_image_data(dst, 0), out, out,
                                         (size_t)odai_image_stride(dst, 0), NULL),
                   ODAI_OK);
  return dst;
}

static void test_close_up_two_pass(void **state) {
  (void)state;
  det_rig r;
  det_open(&r);
  odai_image *img = read_media("astronaut.png");
  det_run(&r, odai_image_ref(img));
  assert_int_equal(r.far, 1);
  assert_int_equal(r.both, 1);
  /* The face box (172..278 x 66..172 px of 512) filling a 480x480 frame. */
  odai_image *close = crop_scale(img, 172, 66, 106, 480);
  det_run(&r, odai_image_ref(close));
  printf("close-up: full range %zu face(s), two passes %zu (box height %.2f, score %.2f)\n",
         r.far, r.both, r.both0.height, r.both0.score);
  assert_int_equal(r.both, 1);
  assert_true(r.both0.height > 0.6f);
  /* ... and it is the astronaut: the embeddings agree. */
  odai_detections *d1 = odai_detections_create(1), *d2 = odai_detections_create(1);
  odai_detection a;
  astronaut_face(&a);
  odai_detections_push(d1, &a, NULL);
  odai_detections_push(d2, &r.both0, NULL);
  odai_packet *p1 = embed_once("", odai_image_ref(img), d1);
  odai_packet *p2 = embed_once("", odai_image_ref(close), d2);
  const odai_embeddings *e1 = odai_packet_embeddings(p1), *e2 = odai_packet_embeddings(p2);
  assert_non_null(e1->items[0]);
  if (!e2->items[0]) fail_msg("close-up face skipped: %s", e2->skip_reasons[0]);
  float cos;
  assert_int_equal(odai_embedding_cosine(e1->items[0], e2->items[0], &cos, NULL), ODAI_OK);
  printf("close-up vs full photo: cosine %.3f (threshold 0.55)\n", cos);
  assert_true(cos >= 0.55f);
  odai_packet_unref(p1);
  odai_packet_unref(p2);
  odai_image_unref(close);
  odai_image_unref(img);

  /* No new false faces: every photo of shared/testdata/faces has as many
   * faces with two passes as with the full-range pass alone. */
  const char *sub[] = {"queries", "gallery/alex_lacamoire", "gallery/biden",
                       "gallery/kit_harington", "gallery/obama", "gallery/rose_leslie"};
  int photos = 0, same = 0;
  for (size_t s = 0; s < sizeof sub / sizeof *sub; s++) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/testdata/faces/%s", env_dir("ODAI_SHARED_DIR"), sub[s]);
    DIR *dd = opendir(dir);
    if (!dd) fail_msg("%s missing", dir);
    struct dirent *de;
    while ((de = readdir(dd))) {
      if (!strstr(de->d_name, ".jpg")) continue;
      char p[1400];
      snprintf(p, sizeof p, "%s/%.255s", dir, de->d_name);
      odai_image *q = NULL;
      assert_int_equal(odai_image_read_file(p, ODAI_PIXEL_RGB8, &q, NULL), ODAI_OK);
      det_run(&r, q);
      photos++;
      if (r.far == r.both) same++;
      else printf("  %s: full range %zu, two passes %zu\n", p, r.far, r.both);
    }
    closedir(dd);
  }
  printf("two passes vs full range: same face count on %d/%d photos\n", same, photos);
  assert_true(photos >= 22);
  assert_int_equal(same, photos);
  odai_error err;
  assert_int_equal(odai_graph_wait_until_done(r.g, &err), ODAI_OK);
  odai_graph_destroy(r.g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_embedder_calculator),
      cmocka_unit_test(test_close_up_two_pass),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
