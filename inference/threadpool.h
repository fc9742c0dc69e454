/* inference/threadpool.h: a small persistent pthread pool used inside
 * inference ops (internal). The caller's thread takes part in every job;
 * a job splits [0, n) into one contiguous range per thread. */
#ifndef ODAI_INFERENCE_THREADPOOL_H
#define ODAI_INFERENCE_THREADPOOL_H

#include <stdint.h>

#include "odai/common.h"

typedef struct odai_tpool odai_tpool;
/* tid: 0 for the caller, 1..threads-1 for workers (index per-thread scratch). */
typedef void (*odai_tpool_fn)(void *ctx, int tid, int64_t begin, int64_t end);

/* A pool of `threads` workers in total (the caller counts as one, so
 * threads - 1 pthreads are started). threads <= 1 gives a pool that runs
 * everything inline. */
odai_status odai_tpool_create(int threads, odai_tpool **out, odai_error *err);
void odai_tpool_free(odai_tpool *pool);
int odai_tpool_threads(const odai_tpool *pool);
/* Run fn over [0, n) split across the threads; returns when all are done.
 * Not reentrant: one job at a time per pool. */
void odai_tpool_run(odai_tpool *pool, int64_t n, odai_tpool_fn fn, void *ctx);

#endif
