/* tests/face/test_face_embedder.c: the embedder core on MobileFaceNet
 * (ODAI_MODEL_DIR): unit-length 192-d embeddings tagged with the model's
 * sha256, deterministic, the mirror image gives the same flip-sum embedding,
 * too-small faces skipped with a reason, bad detections refused, batch-1
 * mode, several faces batched in one call. Real-photo accuracy is in test_face_real.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "calculators/face/embedder.h"
#include "face_test_util.h"

static const char *model_path(void) {
  static char p[1024];
  const char *dir = getenv("ODAI_MODEL_DIR");
  if (!dir) fail_msg("ODAI_MODEL_DIR is not set (run through ctest)");
  snprintf(p, sizeof p, "%s/MobileFaceNet.tflite", dir);
  if (access(p, R_OK) != 0) fail_msg("%s missing: run scripts/fetch-models.sh", p);
  return p;
}

/* A textured 320x240 RGB8 image, its mirror, and a face detection on it. */
static uint8_t *g_img, *g_mir;
enum { W = 320, H = 240 };

static void make_images(void) {
  uint64_t s = 5;
  g_img = malloc(W * H * 3);
  g_mir = malloc(W * H * 3);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      for (int c = 0; c < 3; c++)
        g_img[(y * W + x) * 3 + c] =
            (uint8_t)(128 + 60 * sinf(x * 0.11f + c) * cosf(y * 0.07f) + 30 * ft_uniform(&s));
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) memcpy(g_mir + (y * W + x) * 3, g_img + (y * W + (W - 1 - x)) * 3, 3);
}

static odai_image *wrap(uint8_t *p) {
  odai_image *img = NULL;
  uint8_t *planes[1] = {p};
  int strides[1] = {W * 3};
  assert_int_equal(odai_image_wrap(W, H, ODAI_PIXEL_RGB8, planes, strides, false, NULL, NULL, &img),
                   ODAI_OK);
  return img;
}

/* The template scaled by k around (ox, oy), relative to the image. */
static void face_det(odai_detection *d, float k, float ox, float oy, bool mirror) {
  odai_detection_init(d);
  d->num_keypoints = 6;
  for (int i = 0; i < 4; i++) {
    /* Mirroring swaps the eyes: the subject's right eye stays keypoint 0. */
    int src = mirror && i < 2 ? 1 - i : i;
    float x = ox + k * odai_face_template[src][0], y = oy + k * odai_face_template[src][1];
    if (mirror) x = W - x;
    d->keypoints[i].x = x / W;
    d->keypoints[i].y = y / H;
  }
  d->xmin = ox / W;
  d->ymin = oy / H;
  d->width = d->height = 112 * k / W;
}

static void test_embed(void **state) {
  (void)state;
  make_images();
  odai_face_embedder_options o;
  odai_face_embedder_options_init(&o);
  o.model_path = model_path();
  odai_face_embedder *e = NULL;
  odai_error err;
  if (odai_face_embedder_create(&o, &e, &err) != ODAI_OK) fail_msg("%s", err.message);
  assert_int_equal(odai_face_embedder_dim(e), 192);
  char hex[65];
  odai_model_id_to_hex(odai_face_embedder_model_id(e), hex);
  assert_string_equal(hex, "d8ba40c0127fb8ca9917e8fddc79bbbda063657bc92a496d34da0bc8a760443b");
  odai_image *img = wrap(g_img), *mir = wrap(g_mir);
  static odai_face_embed_result a, b, c;
  odai_detection d, dm;
  face_det(&d, 1.6f, 90, 30, false);
  face_det(&dm, 1.6f, 90, 30, true);
  assert_int_equal(odai_face_embedder_embed(e, img, &d, &a, &err), ODAI_OK);
  assert_non_null(a.embedding);
  assert_string_equal(a.skip_reason, "");
  assert_float_equal(odai_embedding_norm(a.embedding), 1.0f, 1e-5f);
  assert_int_equal(a.embedding->dim, 192);
  /* Deterministic. */
  assert_int_equal(odai_face_embedder_embed(e, img, &d, &b, &err), ODAI_OK);
  assert_memory_equal(a.embedding->values, b.embedding->values, 192 * sizeof(float));
  /* The mirror image (keypoints mirrored, eyes swapped): the same flip-sum embedding. */
  assert_int_equal(odai_face_embedder_embed(e, mir, &dm, &c, &err), ODAI_OK);
  float sim = 0;
  assert_int_equal(odai_embedding_cosine(a.embedding, c.embedding, &sim, NULL), ODAI_OK);
  print_message("original vs mirror image: cosine %.4f\n", (double)sim);
  assert_true(sim > 0.98f);
  odai_embedding_free(b.embedding);
  odai_embedding_free(c.embedding);
  /* Too small a face: skipped with a reason, not embedded. */
  face_det(&d, 0.2f, 150, 100, false);
  assert_int_equal(odai_face_embedder_embed(e, img, &d, &b, &err), ODAI_OK);
  assert_null(b.embedding);
  assert_non_null(strstr(b.skip_reason, "too small"));
  /* A detection without keypoints is refused. */
  d.num_keypoints = 2;
  assert_int_equal(odai_face_embedder_embed(e, img, &d, &b, &err), ODAI_E_INVALID);
  odai_face_embedder_free(e);
  /* Batch-1 mode (no mirror row): a unit vector close to the flip-sum one. */
  o.flip_sum = false;
  if (odai_face_embedder_create(&o, &e, &err) != ODAI_OK) fail_msg("%s", err.message);
  face_det(&d, 1.6f, 90, 30, false);
  assert_int_equal(odai_face_embedder_embed(e, img, &d, &b, &err), ODAI_OK);
  assert_float_equal(odai_embedding_norm(b.embedding), 1.0f, 1e-5f);
  assert_int_equal(odai_embedding_cosine(a.embedding, b.embedding, &sim, NULL), ODAI_OK);
  print_message("flip-sum vs single row: cosine %.4f\n", (double)sim);
  assert_true(sim > 0.8f);
  odai_embedding_free(a.embedding);
  odai_embedding_free(b.embedding);
  odai_face_embedder_free(e);
  odai_image_unref(img);
  odai_image_unref(mir);
  free(g_img);
  free(g_mir);
}

/* Several faces of one image in one call (batched through the model, more
 * than ODAI_FACE_EMBED_MAX_BATCH so it takes two invokes, skipped faces in
 * between): each embedding equals the one-face call's, skips keep their
 * reason, and a face without keypoints is skipped here instead of refused. */
static void test_embed_batch(void **state) {
  (void)state;
  make_images();
  odai_face_embedder_options o;
  odai_face_embedder_options_init(&o);
  o.model_path = model_path();
  odai_face_embedder *e = NULL;
  odai_error err;
  o.max_batch_faces = ODAI_FACE_EMBED_MAX_BATCH + 1;
  assert_int_equal(odai_face_embedder_create(&o, &e, &err), ODAI_E_INVALID);
  assert_non_null(strstr(err.message, "max_batch_faces"));
  o.max_batch_faces = ODAI_FACE_EMBED_MAX_BATCH;
  if (odai_face_embedder_create(&o, &e, &err) != ODAI_OK) fail_msg("%s", err.message);
  odai_image *img = wrap(g_img);
  enum { N = 8 };
  odai_detection d[N];
  const float k[N] = {1.6f, 1.2f, 0.2f, 1.4f, 1.0f, 1.1f, 1.5f, 1.3f};
  const float ox[N] = {90, 20, 150, 140, 60, 180, 10, 110};
  for (int i = 0; i < N; i++) face_det(&d[i], k[i], ox[i], 20 + 3 * i, false);
  d[5].num_keypoints = 2;
  static odai_face_embed_result many[N], one;
  assert_int_equal(odai_face_embedder_embed_batch(e, img, d, N, many, &err), ODAI_OK);
  int embedded = 0;
  for (int i = 0; i < N; i++) {
    if (i == 2) {
      assert_null(many[i].embedding);
      assert_non_null(strstr(many[i].skip_reason, "too small"));
      continue;
    }
    if (i == 5) {
      assert_null(many[i].embedding);
      assert_non_null(strstr(many[i].skip_reason, "no face keypoints"));
      continue;
    }
    assert_non_null(many[i].embedding);
    embedded++;
    assert_int_equal(odai_face_embedder_embed(e, img, &d[i], &one, &err), ODAI_OK);
    assert_non_null(one.embedding);
    float sim = 0, maxd = 0;
    assert_int_equal(odai_embedding_cosine(many[i].embedding, one.embedding, &sim, NULL), ODAI_OK);
    for (int j = 0; j < 192; j++) {
      float dd = fabsf(many[i].embedding->values[j] - one.embedding->values[j]);
      if (dd > maxd) maxd = dd;
    }
    print_message("face %d: batched vs alone: cosine %.7f, max |diff| %.2e\n", i, (double)sim, (double)maxd);
    assert_true(maxd < 1e-5f);
    odai_embedding_free(one.embedding);
  }
  assert_int_equal(embedded, 6); /* 6 faces -> invokes of 4 + 2 */
  for (int i = 0; i < N; i++) odai_embedding_free(many[i].embedding);
  /* nothing to embed: no invoke, no error */
  assert_int_equal(odai_face_embedder_embed_batch(e, img, d, 0, many, &err), ODAI_OK);
  odai_face_embedder_free(e);
  odai_image_unref(img);
  free(g_img);
  free(g_mir);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_embed), cmocka_unit_test(test_embed_batch)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
