/* tests/inference/test_threadpool.c: inference/threadpool.c (the interpreter's
 * op splitter): every item of every job runs exactly once, on a valid thread
 * slot, for 1-4 threads and many back-to-back jobs of varied sizes (the
 * chunk-claiming protocol), with workers both spinning and asleep between
 * jobs. Labels unit, threads (also run under ThreadSanitizer). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "inference/threadpool.h"

typedef struct job {
  _Atomic int *hits;
  int threads;
  _Atomic int bad_tid;
} job;

static void count_items(void *ctx, int tid, int64_t b, int64_t e) {
  job *j = ctx;
  if (tid < 0 || tid >= j->threads) atomic_fetch_add(&j->bad_tid, 1);
  for (int64_t i = b; i < e; i++) atomic_fetch_add(&j->hits[i], 1);
}

static void test_every_item_once(void **state) {
  (void)state;
  enum { MAXN = 700 };
  _Atomic int *hits = calloc(MAXN, sizeof *hits);
  assert_non_null(hits);
  for (int threads = 1; threads <= 4; threads++) {
    odai_tpool *pool = NULL;
    odai_error err = {0};
    assert_int_equal(odai_tpool_create(threads, &pool, &err), ODAI_OK);
    assert_int_equal(odai_tpool_threads(pool), threads);
    for (int rep = 0; rep < 300; rep++) {
      int n = 1 + (rep * 37) % MAXN;
      for (int i = 0; i < n; i++) atomic_store(&hits[i], 0);
      job j = {.hits = hits, .threads = threads};
      atomic_init(&j.bad_tid, 0);
      odai_tpool_run(pool, n, count_items, &j);
      for (int i = 0; i < n; i++) assert_int_equal(atomic_load(&hits[i]), 1);
      assert_int_equal(atomic_load(&j.bad_tid), 0);
      if (rep % 50 == 49) { /* let the workers go to sleep, then wake them */
        struct timespec ts = {0, 2000000};
        nanosleep(&ts, NULL);
      }
    }
    odai_tpool_run(pool, 0, count_items, NULL); /* no items: no call */
    odai_tpool_free(pool);
  }
  free(hits);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_every_item_once)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
