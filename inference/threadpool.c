/* inference/threadpool.c: persistent worker threads for splitting one op's
 * rows across cores. Workers sleep on a condition variable between jobs;
 * a job is published under the mutex with a generation number. */
#include <pthread.h>
#include <stdlib.h>

#include "threadpool.h"

struct odai_tpool {
  int threads;
  pthread_t *tids;
  pthread_mutex_t mu;    /* guards everything below */
  pthread_cond_t wake;   /* workers wait for a new generation or stop */
  pthread_cond_t done;   /* the caller waits for pending == 0 */
  uint64_t generation;
  int pending;
  int stop;
  odai_tpool_fn fn;
  void *ctx;
  int64_t n;
};

typedef struct worker_arg {
  odai_tpool *pool;
  int index;
} worker_arg;

static void range_of(int64_t n, int parts, int i, int64_t *b, int64_t *e) {
  *b = n * i / parts;
  *e = n * (i + 1) / parts;
}

static void *worker_main(void *p) {
  worker_arg *wa = p;
  odai_tpool *pool = wa->pool;
  int index = wa->index;
  free(wa);
  uint64_t seen = 0;
  pthread_mutex_lock(&pool->mu);
  for (;;) {
    while (!pool->stop && pool->generation == seen) pthread_cond_wait(&pool->wake, &pool->mu);
    if (pool->stop) break;
    seen = pool->generation;
    odai_tpool_fn fn = pool->fn;
    void *ctx = pool->ctx;
    int64_t n = pool->n, b, e;
    pthread_mutex_unlock(&pool->mu);
    range_of(n, pool->threads, index, &b, &e);
    if (b < e) fn(ctx, index, b, e);
    pthread_mutex_lock(&pool->mu);
    if (--pool->pending == 0) pthread_cond_signal(&pool->done);
  }
  pthread_mutex_unlock(&pool->mu);
  return NULL;
}

odai_status odai_tpool_create(int threads, odai_tpool **out, odai_error *err) {
  if (threads < 1) threads = 1;
  if (threads > 256) return odai_error_set(err, ODAI_E_INVALID, "%d threads is too many (max 256)", threads);
  odai_tpool *pool = calloc(1, sizeof *pool);
  if (!pool) return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  pool->threads = threads;
  pthread_mutex_init(&pool->mu, NULL);
  pthread_cond_init(&pool->wake, NULL);
  pthread_cond_init(&pool->done, NULL);
  if (threads > 1) {
    pool->tids = calloc((size_t)threads, sizeof(pthread_t));
    if (!pool->tids) goto nomem;
    for (int i = 1; i < threads; i++) {
      worker_arg *wa = malloc(sizeof *wa);
      if (!wa) goto started;
      wa->pool = pool;
      wa->index = i;
      if (pthread_create(&pool->tids[i], NULL, worker_main, wa) != 0) {
        free(wa);
        goto started;
      }
      continue;
    started:
      pool->threads = i; /* run with the workers we got; stop them and fail */
      odai_tpool_free(pool);
      return odai_error_set(err, ODAI_E_NOMEM, "cannot start inference thread %d", i);
    }
  }
  *out = pool;
  return ODAI_OK;
nomem:
  free(pool);
  return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
}

void odai_tpool_free(odai_tpool *pool) {
  if (!pool) return;
  pthread_mutex_lock(&pool->mu);
  pool->stop = 1;
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->mu);
  for (int i = 1; i < pool->threads; i++) pthread_join(pool->tids[i], NULL);
  pthread_mutex_destroy(&pool->mu);
  pthread_cond_destroy(&pool->wake);
  pthread_cond_destroy(&pool->done);
  free(pool->tids);
  free(pool);
}

int odai_tpool_threads(const odai_tpool *pool) { return pool ? pool->threads : 1; }

void odai_tpool_run(odai_tpool *pool, int64_t n, odai_tpool_fn fn, void *ctx) {
  if (n <= 0) return;
  if (!pool || pool->threads <= 1 || n == 1) {
    fn(ctx, 0, 0, n);
    return;
  }
  pthread_mutex_lock(&pool->mu);
  pool->fn = fn;
  pool->ctx = ctx;
  pool->n = n;
  pool->pending = pool->threads - 1;
  pool->generation++;
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->mu);
  int64_t b, e;
  range_of(n, pool->threads, 0, &b, &e);
  if (b < e) fn(ctx, 0, b, e);
  pthread_mutex_lock(&pool->mu);
  while (pool->pending > 0) pthread_cond_wait(&pool->done, &pool->mu);
  pthread_mutex_unlock(&pool->mu);
}
