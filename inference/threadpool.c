/* inference/threadpool.c: persistent worker threads for splitting one op's
 * work items across cores. The caller always works too, and items are
 * claimed in chunks from one atomic counter, so a worker that is asleep or
 * descheduled never holds the caller up: the caller only waits for chunks a
 * worker has actually started. Idle workers spin briefly, then sleep on a
 * condition variable (woken only when one is asleep). */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "threadpool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define CPU_RELAX() __asm__ __volatile__("yield")
#else
#define CPU_RELAX() ((void)0)
#endif

/* Spin this long (ns) for the next job before sleeping: covers the gap of a
 * few small ops run by the caller alone, not a whole idle frame. */
#define SPIN_NS 50000

/* job state, one 64-bit word so a claim is one CAS that also checks the job:
 * bits 63..32 generation, 31..16 next chunk, 15..0 number of chunks. */
#define ST_GEN(s) ((uint32_t)((s) >> 32))
#define ST_NEXT(s) ((uint32_t)(((s) >> 16) & 0xffff))
#define ST_CHUNKS(s) ((uint32_t)((s) & 0xffff))

struct odai_tpool {
  int threads;
  pthread_t *tids;
  _Atomic uint64_t state;
  _Atomic int active;    /* workers inside a job (between announcing and leaving) */
  _Atomic int sleepers;  /* workers blocked (or about to block) on wake */
  _Atomic int stop;
  /* the job: written by the caller before it publishes a new generation,
   * read by a worker only after it claimed a chunk of that generation */
  odai_tpool_fn fn;
  void *ctx;
  int64_t n;
  pthread_mutex_t mu;
  pthread_cond_t wake;
};

typedef struct worker_arg {
  odai_tpool *pool;
  int index;
} worker_arg;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Claim and run chunks of generation gen until none are left. Returns after
 * the last chunk this thread claimed is done. */
static void work(odai_tpool *pool, uint32_t gen, int tid) {
  uint64_t s = atomic_load(&pool->state);
  for (;;) {
    if (ST_GEN(s) != gen || ST_NEXT(s) >= ST_CHUNKS(s)) return;
    if (!atomic_compare_exchange_weak(&pool->state, &s, s + (1u << 16))) continue;
    uint32_t c = ST_NEXT(s), chunks = ST_CHUNKS(s);
    int64_t n = pool->n;
    int64_t b = n * c / chunks, e = n * (c + 1) / chunks;
    if (b < e) pool->fn(pool->ctx, tid, b, e);
    s = atomic_load(&pool->state);
  }
}

static void *worker_main(void *p) {
#if defined(__x86_64__) || defined(__i386__)
  _mm_setcsr(_mm_getcsr() | 0x8040u); /* FTZ | DAZ, as the interpreter's invoke (interpreter.c) */
#endif
  worker_arg *wa = p;
  odai_tpool *pool = wa->pool;
  int index = wa->index;
  free(wa);
  uint32_t seen = ST_GEN(atomic_load(&pool->state));
  for (;;) {
    /* wait for a generation we have not seen: spin, then sleep */
    uint64_t s = atomic_load(&pool->state);
    if (ST_GEN(s) == seen && !atomic_load(&pool->stop)) {
      uint64_t t0 = now_ns();
      int k = 0;
      while (ST_GEN(s = atomic_load_explicit(&pool->state, memory_order_relaxed)) == seen &&
             !atomic_load_explicit(&pool->stop, memory_order_relaxed)) {
        CPU_RELAX();
        if (++k % 64 == 0 && now_ns() - t0 > SPIN_NS) break;
      }
      if (ST_GEN(s) == seen) {
        pthread_mutex_lock(&pool->mu);
        atomic_fetch_add(&pool->sleepers, 1);
        while (ST_GEN(s = atomic_load(&pool->state)) == seen && !atomic_load(&pool->stop))
          pthread_cond_wait(&pool->wake, &pool->mu);
        atomic_fetch_sub(&pool->sleepers, 1);
        pthread_mutex_unlock(&pool->mu);
      }
    }
    if (atomic_load(&pool->stop)) break;
    seen = ST_GEN(s);
    /* announce, then re-check the job is still open: the caller waits for
     * active == 0 only after it saw every chunk claimed */
    atomic_fetch_add(&pool->active, 1);
    work(pool, seen, index);
    atomic_fetch_sub(&pool->active, 1);
  }
  return NULL;
}

odai_status odai_tpool_create(int threads, odai_tpool **out, odai_error *err) {
  if (threads < 1) threads = 1;
  if (threads > 256) return odai_error_set(err, ODAI_E_INVALID, "%d threads is too many (max 256)", threads);
  odai_tpool *pool = calloc(1, sizeof *pool);
  if (!pool) return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  pool->threads = threads;
  atomic_init(&pool->state, 0);
  atomic_init(&pool->active, 0);
  atomic_init(&pool->sleepers, 0);
  atomic_init(&pool->stop, 0);
  pthread_mutex_init(&pool->mu, NULL);
  pthread_cond_init(&pool->wake, NULL);
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
  pthread_mutex_destroy(&pool->mu);
  pthread_cond_destroy(&pool->wake);
  free(pool);
  return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
}

void odai_tpool_free(odai_tpool *pool) {
  if (!pool) return;
  pthread_mutex_lock(&pool->mu);
  atomic_store(&pool->stop, 1);
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->mu);
  for (int i = 1; i < pool->threads; i++) pthread_join(pool->tids[i], NULL);
  pthread_mutex_destroy(&pool->mu);
  pthread_cond_destroy(&pool->wake);
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
  /* 16 chunks per thread: the caller ends by waiting for the chunks workers
   * hold, and on a loaded machine a worker runs at a fraction of a core, so
   * chunks are kept small (a claim is one CAS, ~20-50 ns) */
  int64_t chunks = (int64_t)pool->threads * 16;
  if (chunks > n) chunks = n;
  if (chunks > 0xffff) chunks = 0xffff;
  /* every worker of the previous job has left (odai_tpool_run waited), so
   * the job fields are ours to rewrite */
  pool->fn = fn;
  pool->ctx = ctx;
  pool->n = n;
  uint32_t gen = ST_GEN(atomic_load(&pool->state)) + 1;
  atomic_store(&pool->state, ((uint64_t)gen << 32) | (uint64_t)chunks);
  if (atomic_load(&pool->sleepers) > 0) {
    pthread_mutex_lock(&pool->mu);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->mu);
  }
  work(pool, gen, 0);
  /* every chunk is claimed; wait for workers still running theirs */
  int k = 0;
  while (atomic_load(&pool->active) > 0) {
    CPU_RELAX();
    if (++k % 256 == 0) sched_yield();
  }
}
