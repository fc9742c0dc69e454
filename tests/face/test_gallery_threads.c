/* tests/face/test_gallery_threads.c: one gallery handle used from several
 * threads at once (matchers while a writer adds, renames and saves); run
 * under ThreadSanitizer in CI (label "threads"). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "face_test_util.h"
#include "odai/gallery.h"

#define DIM 32

typedef struct shared {
  odai_gallery *g;
  int failures;
  pthread_mutex_t mu;
} shared;

static void *matcher(void *arg) {
  shared *s = arg;
  uint64_t seed = (uint64_t)(uintptr_t)&seed;
  odai_embedding *q = ft_embedding(DIM, 1, NULL, 1, &seed);
  for (int i = 0; i < 300; i++) {
    odai_gallery_result r[3];
    size_t n;
    char name[ODAI_GALLERY_NAME_MAX + 1];
    if (odai_gallery_match(s->g, q, 3, r, &n, NULL) != ODAI_OK ||
        odai_gallery_identify(s->g, q, name, NULL, NULL) != ODAI_OK) {
      pthread_mutex_lock(&s->mu);
      s->failures++;
      pthread_mutex_unlock(&s->mu);
    }
  }
  odai_embedding_free(q);
  return NULL;
}

static void *writer(void *arg) {
  shared *s = arg;
  uint64_t seed = 99;
  for (int i = 0; i < 60; i++) {
    char nm[32];
    snprintf(nm, sizeof nm, "w%d", i);
    odai_embedding *e = ft_embedding(DIM, 1, NULL, 1, &seed);
    odai_status st = odai_gallery_add(s->g, nm, e, NULL);
    odai_embedding_free(e);
    if (st == ODAI_OK && i % 10 == 0) {
      char nn[32];
      snprintf(nn, sizeof nn, "renamed%d", i);
      st = odai_gallery_rename(s->g, nm, nn, NULL);
    }
    if (st == ODAI_OK && i % 20 == 0) st = odai_gallery_save(s->g, NULL);
    if (st != ODAI_OK) {
      pthread_mutex_lock(&s->mu);
      s->failures++;
      pthread_mutex_unlock(&s->mu);
    }
  }
  return NULL;
}

static void test_concurrent_use(void **state) {
  (void)state;
  char *dir = ft_tempdir();
  assert_non_null(dir);
  char path[600];
  snprintf(path, sizeof path, "%s/t.gallery", dir);
  uint8_t model[ODAI_MODEL_ID_SIZE];
  ft_model(model, 1);
  odai_gallery_options o = {.create_if_missing = true, .model_id = model, .dim = DIM};
  shared s = {.failures = 0};
  pthread_mutex_init(&s.mu, NULL);
  assert_int_equal(odai_gallery_open(path, &o, &s.g, NULL), ODAI_OK);
  pthread_t th[4];
  pthread_create(&th[0], NULL, writer, &s);
  for (int i = 1; i < 4; i++) pthread_create(&th[i], NULL, matcher, &s);
  for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
  assert_int_equal(s.failures, 0);
  assert_int_equal(odai_gallery_count(s.g), 60);
  odai_gallery_close(s.g);
  pthread_mutex_destroy(&s.mu);
  ft_rmdir(dir);
  free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_concurrent_use)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
