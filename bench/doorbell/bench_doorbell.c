/* bench/doorbell/bench_doorbell.c: the doorbell graph (configs/doorbell.pbtxt)
 * on 640x480 frames held in memory (decoded once from
 * shared/testdata/doorbell/doorbell.avi), 1 and 2 scheduler threads:
 *  - person present (frames 3-8 s: a visitor sways at the door): frames/s and
 *    per-frame latency p50/p99 (frame in -> visit state out, one frame in
 *    flight as the flow limiter allows);
 *  - empty scene (frames 0-3 s, camera noise only) at 30 frames/s timestamps:
 *    CPU time per frame with the motion gate, and with the gate held open
 *    (check_interval_ms: 0), i.e. the gate's saving.
 * Figures are printed, never asserted.
 *   bench_doorbell [FRAMES_PER_RUN]   (default 150) */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "calculators/face/embedder.h"
#include "odai/gallery.h"
#include "odai/graph.h"
#include "odai/image_io.h"
#include "odai/model_path.h"
#include "odai/packet_types.h"
#include "odai/video.h"

#ifndef ODAI_DEFAULT_SOURCE_DIR
#define ODAI_DEFAULT_SOURCE_DIR "."
#endif
#ifndef ODAI_DEFAULT_SHARED_DIR
#define ODAI_DEFAULT_SHARED_DIR "../shared"
#endif

typedef struct waiter {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int64_t done_ts;
  uint64_t inferred;
  int64_t step;
  double *sent, *lat; /* per frame: when it went in, its latency */
  int n;
} waiter;

static double now_s(void);

static odai_status on_visit(void *user, const odai_packet *p) {
  waiter *w = user;
  pthread_mutex_lock(&w->mu);
  w->done_ts = odai_packet_timestamp(p);
  int64_t i = w->done_ts / w->step;
  if (i >= 0 && i < w->n) w->lat[i] = (now_s() - w->sent[i]) * 1e3;
  pthread_cond_broadcast(&w->cv);
  pthread_mutex_unlock(&w->mu);
  return ODAI_OK;
}

static odai_status on_allowed(void *user, const odai_packet *p) {
  waiter *w = user;
  bool b = false;
  odai_packet_get_bool(p, &b);
  pthread_mutex_lock(&w->mu);
  w->inferred += b;
  pthread_mutex_unlock(&w->mu);
  return ODAI_OK;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu_s(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
         (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static char *read_text(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
    free(s);
    s = NULL;
  }
  if (s) s[n] = 0;
  fclose(f);
  return s;
}

typedef struct result {
  double fps, p50_ms, p99_ms, cpu_ms_per_frame, inferred_frac;
} result;

/* Run `n` frames (cycling frames[0..nf)) through the graph with at most
 * `inflight` frames in it at a time (the config's flow limiter must allow
 * as many). */
static int run(const char *config, const char *gallery, int threads, int inflight,
               odai_image **frames, int nf, int n, int64_t step_us, result *r) {
  odai_graph *g = NULL;
  odai_error err;
  if (odai_graph_create(config, strlen(config), "doorbell.pbtxt", &g, &err)) {
    fprintf(stderr, "config: %s\n", err.message);
    return -1;
  }
  int warm = 5, total = n + warm;
  waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, -1, 0, step_us,
              calloc((size_t)total, sizeof(double)), calloc((size_t)total, sizeof(double)), total};
  odai_graph_set_num_threads(g, threads);
  odai_graph_set_side_packet(g, "gallery_path", odai_packet_new_string(gallery, ODAI_TS_UNSET));
  odai_graph_set_side_packet(g, "snapshot_dir", odai_packet_new_string("", ODAI_TS_UNSET));
  odai_graph_set_side_packet(g, "clip_dir", odai_packet_new_string("", ODAI_TS_UNSET));
  odai_graph_set_side_packet(g, "blur_unknown", odai_packet_new_bool(false, ODAI_TS_UNSET));
  odai_graph_observe_output(g, "visit", on_visit, &w);
  odai_graph_observe_output(g, "inferred", on_allowed, &w);
  if (odai_graph_start(g, &err)) {
    fprintf(stderr, "start: %s\n", err.message);
    odai_graph_destroy(g);
    return -1;
  }
  /* warm-up: a few frames not counted */
  double t0 = 0, c0 = 0;
  for (int i = 0; i < total; i++) {
    if (i == warm) {
      t0 = now_s();
      c0 = cpu_s();
      pthread_mutex_lock(&w.mu);
      w.inferred = 0;
      pthread_mutex_unlock(&w.mu);
    }
    int64_t ts = (int64_t)i * step_us;
    pthread_mutex_lock(&w.mu);
    while (w.done_ts < ts - (int64_t)inflight * step_us) pthread_cond_wait(&w.cv, &w.mu);
    w.sent[i] = now_s();
    pthread_mutex_unlock(&w.mu);
    odai_graph_add_packet(g, "input_video", odai_packet_new_image(odai_image_ref(frames[i % nf]), ts));
  }
  pthread_mutex_lock(&w.mu);
  while (w.done_ts < (int64_t)(total - 1) * step_us) pthread_cond_wait(&w.cv, &w.mu);
  pthread_mutex_unlock(&w.mu);
  double wall = now_s() - t0, cpu = cpu_s() - c0;
  double *lat = w.lat + warm;
  odai_graph_wait_until_done(g, NULL);
  if (getenv("BENCH_STATS")) odai_graph_stats_table(g, stdout);
  odai_graph_destroy(g);
  qsort(lat, (size_t)n, sizeof *lat, cmp_d);
  r->fps = n / wall;
  r->p50_ms = lat[n / 2];
  r->p99_ms = lat[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1];
  r->cpu_ms_per_frame = cpu / n * 1e3;
  r->inferred_frac = (double)w.inferred / n;
  free(w.sent);
  free(w.lat);
  return 0;
}

static char *replace(const char *s, const char *from, const char *to) {
  const char *p = strstr(s, from);
  if (!p) return NULL;
  size_t n = strlen(s) - strlen(from) + strlen(to) + 1;
  char *out = malloc(n);
  snprintf(out, n, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
  return out;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 150;
  if (n < 10) n = 10;
  const char *src = getenv("ODAI_SOURCE_DIR") ? getenv("ODAI_SOURCE_DIR") : ODAI_DEFAULT_SOURCE_DIR;
  const char *shared = getenv("ODAI_SHARED_DIR") ? getenv("ODAI_SHARED_DIR") : ODAI_DEFAULT_SHARED_DIR;
  char path[4096];
  snprintf(path, sizeof path, "%s/configs/doorbell.pbtxt", src);
  char *config = read_text(path);
  if (!config) {
    fprintf(stderr, "cannot read %s (set ODAI_SOURCE_DIR)\n", path);
    return 1;
  }
  /* an empty gallery of the embedder's model: recognition costs the same */
  odai_face_embedder_options eo;
  odai_face_embedder_options_init(&eo);
  char model[4096];
  odai_error err;
  if (odai_model_path_resolve("MobileFaceNet.tflite", model, sizeof model, &err)) {
    fprintf(stderr, "%s\n", err.message);
    return 1;
  }
  eo.model_path = model;
  odai_face_embedder *emb = NULL;
  if (odai_face_embedder_create(&eo, &emb, &err)) {
    fprintf(stderr, "%s\n", err.message);
    return 1;
  }
  char gallery[] = "/tmp/bench-doorbell-XXXXXX.gallery";
  int fd = mkstemps(gallery, 8);
  if (fd < 0) return 1;
  close(fd);
  remove(gallery);
  odai_gallery_options go = {.create_if_missing = true, .model_id = odai_face_embedder_model_id(emb),
                             .dim = odai_face_embedder_dim(emb)};
  odai_gallery *gal = NULL;
  if (odai_gallery_open(gallery, &go, &gal, &err) || odai_gallery_save(gal, &err)) {
    fprintf(stderr, "gallery: %s\n", err.message);
    return 1;
  }
  odai_gallery_close(gal);
  odai_face_embedder_free(emb);

  /* frames 0-29: empty; 30-79: a visitor (obama) sways at the door. From
   * testdata/doorbell/frames/frame_%05d.jpg when that folder exists (the
   * AVI's frames, demuxed: no GStreamer needed), else from the AVI. */
  odai_image *all[80];
  int nall = 0;
  for (; nall < 80; nall++) {
    snprintf(path, sizeof path, "%s/testdata/doorbell/frames/frame_%05d.jpg", shared, nall);
    if (odai_image_read_file(path, ODAI_PIXEL_RGB8, &all[nall], NULL) != ODAI_OK) break;
  }
  snprintf(path, sizeof path, "%s/testdata/doorbell/doorbell.avi", shared);
  odai_video_source_options vo;
  odai_video_source_options_default(&vo);
  vo.format = ODAI_PIXEL_RGB8;
  odai_video_source *vs = NULL;
  if (nall < 80 && odai_video_source_open(path, &vo, &vs, &err)) {
    fprintf(stderr, "%s: %s (set ODAI_SHARED_DIR)\n", path, err.message);
    return 1;
  }
  while (vs && nall < 80) {
    odai_image *f = NULL;
    if (odai_video_source_read(vs, 5000, &f, NULL, &err)) break;
    odai_image *copy = NULL; /* own the pixels: GStreamer buffers go back */
    odai_image_copy(f, &copy);
    odai_image_unref(f);
    all[nall++] = copy;
  }
  odai_video_source_close(vs);
  if (nall < 80) {
    fprintf(stderr, "only %d frames decoded\n", nall);
    return 1;
  }
  char *open_gate = replace(config, "check_interval_ms: 500", "check_interval_ms: 0");
  /* the config lets 2 frames in; the 1-in-flight runs lower that */
  char *one = replace(config, "max_in_flight: 2", "max_in_flight: 1");
  char *two = replace(config, "max_in_flight: 1", "max_in_flight: 2");
  if (!two) two = strdup(config);
  if (!one) one = strdup(config);
  printf("doorbell graph, 640x480 frames in memory, %d frames per run (after 5 warm-up)\n", n);
  printf("%-34s %7s %9s %9s %12s %9s\n", "run", "threads", "frames/s", "p50 ms", "p99 ms", "CPU ms/f");
  for (int threads = 1; threads <= 2; threads++) {
    result r;
    if (run(one, gallery, threads, 1, all + 30, 50, n, 100000, &r) == 0)
      printf("%-34s %7d %9.1f %9.2f %12.2f %9.2f   (inferred %.0f%%)\n", "person present, 1 in flight",
             threads, r.fps, r.p50_ms, r.p99_ms, r.cpu_ms_per_frame, r.inferred_frac * 100);
    if (two && run(two, gallery, threads, 2, all + 30, 50, n, 100000, &r) == 0)
      printf("%-34s %7d %9.1f %9.2f %12.2f %9.2f   (inferred %.0f%%)\n", "person present, 2 in flight",
             threads, r.fps, r.p50_ms, r.p99_ms, r.cpu_ms_per_frame, r.inferred_frac * 100);
    result e, o;
    if (run(config, gallery, threads, 1, all, 30, n, 33333, &e) == 0)
      printf("%-34s %7d %9.1f %9.2f %12.2f %9.2f   (inferred %.0f%%)\n", "empty scene, motion gate", threads,
             e.fps, e.p50_ms, e.p99_ms, e.cpu_ms_per_frame, e.inferred_frac * 100);
    if (open_gate && run(open_gate, gallery, threads, 1, all, 30, n, 33333, &o) == 0) {
      printf("%-34s %7d %9.1f %9.2f %12.2f %9.2f   (inferred %.0f%%)\n", "empty scene, gate held open", threads,
             o.fps, o.p50_ms, o.p99_ms, o.cpu_ms_per_frame, o.inferred_frac * 100);
      printf("  motion gate saving on an empty scene (%d threads): %.1fx less CPU per frame\n", threads,
             o.cpu_ms_per_frame / (e.cpu_ms_per_frame > 1e-6 ? e.cpu_ms_per_frame : 1e-6));
    }
  }
  for (int i = 0; i < nall; i++) odai_image_unref(all[i]);
  free(open_gate);
  free(two);
  free(one);
  free(config);
  remove(gallery);
  char lock[sizeof gallery + 8];
  snprintf(lock, sizeof lock, "%s.lock", gallery);
  remove(lock);
  return 0;
}
