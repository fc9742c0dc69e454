/* bench/tasks: the task layer's cost. Per task (face detector short/full
 * range, person detector, image segmenter, face recognizer with an empty
 * gallery) on 640x480 frames, 1 and 2
 * threads: IMAGE-mode latency p50/p99 through the task vs the same graph
 * config run directly with the graph API (add_packet + wait_until_idle),
 * and LIVE_STREAM throughput (frames offered every millisecond, results
 * delivered per second) vs the graph streaming every frame directly
 * (add_packet with a bounded queue). Prints figures, asserts nothing.
 *   bench_tasks [iterations (default 60)] [live seconds (default 1.5)] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "odai/odai.h"

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p) {
  qsort(v, (size_t)n, sizeof *v, cmp_d);
  int i = (int)(p * (n - 1) + 0.5);
  return v[i];
}

/* ---- one table of function pointers per task ---------------------------- */

typedef struct task_ops {
  const char *name;
  const char *stream[2]; /* output stream: IMAGE mode, VIDEO/LIVE mode */
  char *(*config)(int threads, odai_running_mode mode);
  void *(*create)(int threads, odai_running_mode mode, void *counter);
  odai_status (*detect)(void *t, odai_image *img);
  odai_status (*send)(void *t, odai_image *img, int64_t ts);
  odai_task_stats (*stats)(void *t);
  void (*close)(void *t);
  bool recognizer; /* graph input frame_name + gallery_path side packet */
} task_ops;

static char g_gallery[128]; /* the recognizer's (empty) gallery */

static void count_cb(void *user) { (*(volatile long *)user)++; }

#define DETECTOR_OPS(T, MODEL_SET)                                                                 \
  static void T##_cb(void *u, odai_status s, const odai_##T##_result *r, const odai_image *i,     \
                     int64_t ts) {                                                                 \
    (void)s, (void)r, (void)i, (void)ts;                                                           \
    count_cb(u);                                                                                   \
  }                                                                                                \
  static void T##_opts(odai_##T##_options *o, int threads, odai_running_mode mode) {              \
    odai_##T##_options_init(o);                                                                    \
    MODEL_SET;                                                                                     \
    o->num_threads = threads;                                                                      \
    o->running_mode = mode;                                                                        \
  }                                                                                                \
  static char *T##_config(int threads, odai_running_mode mode) {                                   \
    odai_##T##_options o;                                                                          \
    T##_opts(&o, threads, mode);                                                                   \
    return odai_##T##_graph_config(&o);                                                            \
  }                                                                                                \
  static void *T##_create(int threads, odai_running_mode mode, void *counter) {                   \
    odai_##T##_options o;                                                                          \
    T##_opts(&o, threads, mode);                                                                   \
    o.result_callback = T##_cb;                                                                    \
    o.user_data = counter;                                                                         \
    odai_##T *t = NULL;                                                                            \
    odai_error err;                                                                                \
    if (odai_##T##_create(&o, &t, &err) != ODAI_OK) {                                              \
      fprintf(stderr, #T ": %s\n", err.message);                                                   \
      exit(1);                                                                                     \
    }                                                                                              \
    return t;                                                                                      \
  }                                                                                                \
  static odai_task_stats T##_stats(void *t) { return odai_##T##_stats(t); }                        \
  static void T##_close(void *t) { odai_##T##_close(t); }

DETECTOR_OPS(face_detector, (void)0)
DETECTOR_OPS(person_detector, (void)0)
DETECTOR_OPS(image_segmenter, (void)0)

static odai_status face_detector_detect(void *t, odai_image *img) {
  odai_face_detector_result r;
  odai_status st = odai_face_detector_detect(t, img, &r, NULL);
  if (st == ODAI_OK) odai_face_detector_result_free(&r);
  return st;
}
static odai_status face_detector_send(void *t, odai_image *img, int64_t ts) {
  return odai_face_detector_detect_async(t, img, ts, NULL);
}
static odai_status person_detector_detect(void *t, odai_image *img) {
  odai_person_detector_result r;
  odai_status st = odai_person_detector_detect(t, img, &r, NULL);
  if (st == ODAI_OK) odai_person_detector_result_free(&r);
  return st;
}
static odai_status person_detector_send(void *t, odai_image *img, int64_t ts) {
  return odai_person_detector_detect_async(t, img, ts, NULL);
}
static odai_status image_segmenter_detect(void *t, odai_image *img) {
  odai_image_segmenter_result r;
  odai_status st = odai_image_segmenter_segment(t, img, &r, NULL);
  if (st == ODAI_OK) odai_image_segmenter_result_free(&r);
  return st;
}
static odai_status image_segmenter_send(void *t, odai_image *img, int64_t ts) {
  return odai_image_segmenter_segment_async(t, img, ts, NULL);
}

/* Full range: the same ops with the model switched. */
static void full_opts(odai_face_detector_options *o, int threads, odai_running_mode mode) {
  face_detector_opts(o, threads, mode);
  o->model = ODAI_FACE_DETECTOR_FULL_RANGE;
}
static char *full_config(int threads, odai_running_mode mode) {
  odai_face_detector_options o;
  full_opts(&o, threads, mode);
  return odai_face_detector_graph_config(&o);
}
static void *full_create(int threads, odai_running_mode mode, void *counter) {
  odai_face_detector_options o;
  full_opts(&o, threads, mode);
  o.result_callback = face_detector_cb;
  o.user_data = counter;
  odai_face_detector *t = NULL;
  odai_error err;
  if (odai_face_detector_create(&o, &t, &err) != ODAI_OK) {
    fprintf(stderr, "face_detector (full): %s\n", err.message);
    exit(1);
  }
  return t;
}

static void fr_cb(void *u, odai_status s, const odai_face_recognizer_result *r,
                  const odai_image *i, int64_t ts) {
  (void)s, (void)r, (void)i, (void)ts;
  count_cb(u);
}
static void fr_opts(odai_face_recognizer_options *o, int threads, odai_running_mode mode) {
  odai_face_recognizer_options_init(o);
  o->gallery_path = g_gallery;
  o->num_threads = threads;
  o->running_mode = mode;
}
static char *fr_config(int threads, odai_running_mode mode) {
  odai_face_recognizer_options o;
  fr_opts(&o, threads, mode);
  return odai_face_recognizer_graph_config(&o);
}
static void *fr_create(int threads, odai_running_mode mode, void *counter) {
  odai_face_recognizer_options o;
  fr_opts(&o, threads, mode);
  o.result_callback = fr_cb;
  o.user_data = counter;
  odai_face_recognizer *t = NULL;
  odai_error err;
  if (odai_face_recognizer_create(&o, &t, &err) != ODAI_OK) {
    fprintf(stderr, "face_recognizer: %s\n", err.message);
    exit(1);
  }
  return t;
}
static odai_status fr_detect(void *t, odai_image *img) {
  odai_face_recognizer_result r;
  odai_status st = odai_face_recognizer_recognize(t, img, &r, NULL);
  if (st == ODAI_OK) odai_face_recognizer_result_free(&r);
  return st;
}
static odai_status fr_send(void *t, odai_image *img, int64_t ts) {
  return odai_face_recognizer_recognize_async(t, img, ts, NULL);
}
static odai_task_stats fr_stats(void *t) { return odai_face_recognizer_stats(t); }
static void fr_close(void *t) { odai_face_recognizer_close(t); }

static const task_ops k_tasks[] = {
    {"face_detector short", {"detections", "tracked_detections"}, face_detector_config,
     face_detector_create, face_detector_detect, face_detector_send, face_detector_stats,
     face_detector_close, false},
    {"face_detector full", {"detections", "tracked_detections"}, full_config, full_create,
     face_detector_detect, face_detector_send, face_detector_stats, face_detector_close, false},
    {"person_detector", {"detections", "tracked_detections"}, person_detector_config,
     person_detector_create, person_detector_detect, person_detector_send, person_detector_stats,
     person_detector_close, false},
    {"image_segmenter", {"confidence_mask", "smoothed_mask"}, image_segmenter_config,
     image_segmenter_create, image_segmenter_detect, image_segmenter_send, image_segmenter_stats,
     image_segmenter_close, false},
    {"face_recognizer", {"named_detections", "named_detections"}, fr_config, fr_create, fr_detect,
     fr_send, fr_stats, fr_close, true},
};

/* ---- the graph run directly ---------------------------------------------- */

static odai_status graph_count(void *user, const odai_packet *pkt) {
  (void)pkt;
  (*(long *)user)++;
  return ODAI_OK;
}

static odai_graph *direct_graph(const task_ops *t, int threads, odai_running_mode mode, long *n,
                                int max_queue) {
  char *text = t->config(threads, mode);
  odai_graph *g = NULL;
  odai_error err;
  if (!text || odai_graph_create(text, strlen(text), t->name, &g, &err) != ODAI_OK) {
    fprintf(stderr, "%s: %s\n", t->name, text ? err.message : "no config");
    exit(1);
  }
  odai_task_string_free(text);
  if (t->recognizer)
    odai_graph_set_side_packet(g, "gallery_path", odai_packet_new_string(g_gallery, ODAI_TS_UNSET));
  odai_graph_set_num_threads(g, threads);
  if (max_queue) odai_graph_set_max_queue_size(g, max_queue);
  odai_graph_observe_output(g, t->stream[mode != ODAI_RUNNING_MODE_IMAGE], graph_count, n);
  if (odai_graph_start(g, &err) != ODAI_OK) {
    fprintf(stderr, "%s: %s\n", t->name, err.message);
    exit(1);
  }
  return g;
}

static void bench(const task_ops *t, int threads, odai_image *frame, int iters, double live_s) {
  double *lat = malloc(sizeof(double) * (size_t)iters);
  if (!lat) exit(1);
  /* IMAGE mode through the task */
  void *task = t->create(threads, ODAI_RUNNING_MODE_IMAGE, NULL);
  for (int i = 0; i < 5; i++) t->detect(task, frame);
  for (int i = 0; i < iters; i++) {
    double t0 = now_s();
    t->detect(task, frame);
    lat[i] = (now_s() - t0) * 1e3;
  }
  t->close(task);
  double tp50 = pct(lat, iters, 0.5), tp99 = pct(lat, iters, 0.99);
  /* the same config through the graph API */
  long n = 0;
  odai_graph *g = direct_graph(t, threads, ODAI_RUNNING_MODE_IMAGE, &n, 0);
  for (int i = 0; i < iters + 5; i++) {
    double t0 = now_s();
    if (t->recognizer) odai_graph_add_packet(g, "frame_name", odai_packet_new_string("f", i));
    odai_graph_add_packet(g, "image", odai_packet_new_image(odai_image_ref(frame), i));
    odai_graph_wait_until_idle(g, NULL);
    if (i >= 5) lat[i - 5] = (now_s() - t0) * 1e3;
  }
  odai_graph_wait_until_done(g, NULL);
  odai_graph_destroy(g);
  double gp50 = pct(lat, iters, 0.5), gp99 = pct(lat, iters, 0.99);
  /* LIVE_STREAM: a frame offered every millisecond */
  volatile long delivered = 0;
  task = t->create(threads, ODAI_RUNNING_MODE_LIVE_STREAM, (void *)&delivered);
  double t0 = now_s();
  int64_t ts = 0;
  while (now_s() - t0 < live_s) {
    t->send(task, frame, ts += 1000);
    struct timespec d = {0, 1000000};
    nanosleep(&d, NULL);
  }
  odai_task_stats st = t->stats(task);
  t->close(task);
  double live_fps = (double)st.processed / (now_s() - t0);
  /* the graph streaming every frame (bounded queue: add_packet blocks) */
  n = 0;
  g = direct_graph(t, threads, ODAI_RUNNING_MODE_LIVE_STREAM, &n, 2);
  t0 = now_s();
  long sent = 0;
  while (now_s() - t0 < live_s) {
    ++sent;
    if (t->recognizer) odai_graph_add_packet(g, "frame_name", odai_packet_new_string("f", sent));
    odai_graph_add_packet(g, "image", odai_packet_new_image(odai_image_ref(frame), sent));
  }
  odai_graph_wait_until_done(g, NULL);
  double graph_fps = (double)n / (now_s() - t0);
  odai_graph_destroy(g);
  printf("| %-19s | %d | %6.2f / %6.2f | %6.2f / %6.2f | %5.3f | %6.1f (%3.0f%% dropped) | %6.1f | %5.3f |\n",
         t->name, threads, tp50, tp99, gp50, gp99, tp50 / gp50, live_fps,
         st.offered ? 100.0 * (double)st.dropped / (double)st.offered : 0.0, graph_fps,
         graph_fps > 0 ? live_fps / graph_fps : 0.0);
  fflush(stdout);
  free(lat);
}

int main(int argc, char **argv) {
  int iters = argc > 1 ? atoi(argv[1]) : 60;
  double live_s = argc > 2 ? atof(argv[2]) : 1.5;
  if (iters < 2) iters = 2;
  const char *media = getenv("ODAI_MEDIA_DIR");
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", media ? media : ".", "messi5.jpg");
  if (!media) {
    const char *home = getenv("HOME");
    snprintf(path, sizeof path, "%s/.cache/odai/media/messi5.jpg", home ? home : ".");
  }
  odai_image *src = NULL, *frame = NULL;
  odai_error err;
  if (odai_image_read_file(path, ODAI_PIXEL_RGB8, &src, &err) != ODAI_OK ||
      odai_image_resize(src, 640, 480, ODAI_RESIZE_BILINEAR, &frame, &err) != ODAI_OK) {
    fprintf(stderr, "%s: %s\n", path, err.message);
    return 1;
  }
  snprintf(g_gallery, sizeof g_gallery, "/tmp/odai_bench_tasks_%d.gallery", (int)getpid());
  printf("bench_tasks: 640x480 RGB8 frame (messi5.jpg), %d iterations, LIVE_STREAM %.1f s "
         "(a frame offered every 1 ms)\n\n", iters, live_s);
  printf("| task                | threads | task IMAGE p50 / p99 ms | graph p50 / p99 ms | "
         "task/graph p50 | task LIVE_STREAM results/s | graph streaming frames/s | live/graph |\n"
         "|---|---|---|---|---|---|---|---|\n");
  for (size_t i = 0; i < sizeof k_tasks / sizeof *k_tasks; i++)
    for (int threads = 1; threads <= 2; threads++) bench(&k_tasks[i], threads, frame, iters, live_s);
  odai_image_unref(frame);
  odai_image_unref(src);
  char lock[160];
  snprintf(lock, sizeof lock, "%s.lock", g_gallery);
  unlink(g_gallery);
  unlink(lock);
  return 0;
}
