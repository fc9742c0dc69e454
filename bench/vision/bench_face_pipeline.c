/* bench/vision/bench_face_pipeline.c: issue 5's end-to-end benchmark. The
 * face detection graph (FaceDetectionShortRangeCpu fed through a graph input
 * stream) against the same steps called directly in one C loop (image ->
 * tensor, invoke, decode, weighted NMS, projection), on 640x480 RGB frames
 * of Megamind.avi decoded into memory once. Prints latency p50/p99, frames/s,
 * per-node vs per-step time, the graph's overhead, and video decode/encode
 * rates. Never asserts timing.
 *   bench_face_pipeline [runs (default 5)] [frames per run (default 60)]
 *                       [--quick: 3 frames, 1 run, check detections (test)]
 *                       [--no-video] [--dump-frames FILE]
 * ODAI_BENCH_FRAMES=FILE reads the frames from a --dump-frames file instead
 * of decoding the video (a machine without GStreamer's decoders). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "calculators/detection/detection_ops.h"
#include "calculators/inference/image_to_tensor_ops.h"
#include "odai/odai.h"

#define W 640
#define H 480
#define MAX_FRAMES 120
#define MAX_SAMPLES 4096

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Percentile of v[0..n) (sorts a copy). */
static double pct(const double *v, int n, double p) {
  double *c = malloc(sizeof(double) * (size_t)n);
  if (!c) exit(1);
  memcpy(c, v, sizeof(double) * (size_t)n);
  qsort(c, (size_t)n, sizeof *c, cmp_d);
  double r = c[(int)(p * (n - 1) + 0.5)];
  free(c);
  return r;
}
static double median(const double *v, int n) { return pct(v, n, 0.5); }

static void die(const char *what, const odai_error *err) {
  fprintf(stderr, "bench_face_pipeline: %s: %s\n", what, err ? err->message : "failed");
  exit(1);
}

static char g_media[1024];

static void media_path(char *out, size_t n, const char *name) {
  snprintf(out, n, "%s/%s", g_media, name);
}

/* ---- frames ---------------------------------------------------------------- */

/* Decode up to `max` frames of the video, letterboxed to 640x480 RGB8. With
 * `all`, decode the whole file and only time it (frames kept: none). */
static int load_frames(odai_image **frames, int max, int skip) {
  char path[1200];
  media_path(path, sizeof path, "Megamind.avi");
  odai_video_source *src = NULL;
  odai_error err;
  if (odai_video_source_open(path, NULL, &src, &err) != ODAI_OK) die(path, &err);
  int n = 0, seen = 0;
  while (n < max) {
    odai_image *f = NULL;
    odai_status s = odai_video_source_read(src, 5000, &f, NULL, &err);
    if (s == ODAI_E_EOF) break;
    if (s != ODAI_OK) die("reading Megamind.avi", &err);
    if (seen++ % skip == 0) {
      odai_image *lb = NULL;
      if (odai_image_letterbox(f, W, H, 0x000000ff, ODAI_RESIZE_BILINEAR, &lb, NULL, &err))
        die("letterbox", &err);
      frames[n++] = lb;
    }
    odai_image_unref(f);
  }
  odai_video_source_close(src);
  return n;
}

/* Frames from a raw file of 640x480 RGB8 frames (ODAI_BENCH_FRAMES, written
 * by --dump-frames): for a machine without GStreamer's decoders. */
static int load_raw_frames(const char *path, odai_image **frames, int max) {
  FILE *f = fopen(path, "rb");
  if (!f) die(path, NULL);
  int n = 0;
  while (n < max) {
    odai_image *img = NULL;
    if (odai_image_new(W, H, ODAI_PIXEL_RGB8, &img)) die("image", NULL);
    uint8_t *px = odai_image_data(img, 0);
    int stride = odai_image_stride(img, 0), ok = 1;
    for (int y = 0; y < H && ok; y++) ok = fread(px + (size_t)y * stride, 3 * W, 1, f) == 1;
    if (!ok) {
      odai_image_unref(img);
      break;
    }
    frames[n++] = img;
  }
  fclose(f);
  return n;
}

static void dump_raw_frames(const char *path, odai_image **frames, int n) {
  FILE *f = fopen(path, "wb");
  if (!f) die(path, NULL);
  for (int i = 0; i < n; i++)
    for (int y = 0; y < H; y++)
      fwrite(odai_image_cdata(frames[i], 0) + (size_t)y * odai_image_stride(frames[i], 0), 3 * W,
             1, f);
  fclose(f);
}

/* ---- the direct loop ------------------------------------------------------- */

typedef struct direct {
  odai_model *model;
  odai_interpreter *interp;
  odai_i2t_params p;
  odai_anchors anchors;
  odai_ssd_decode_options dec;
  odai_nms_options nms;
  odai_nms_scratch scratch;
  odai_detections raw, faces;
  double step_s[4]; /* accumulated: tensor, invoke, decode, nms+projection */
  long frames;
  double samples[4][MAX_SAMPLES]; /* per-frame step times (s), the first MAX_SAMPLES */
} direct;

static void direct_init(direct *d, int infer_threads) {
  memset(d, 0, sizeof *d);
  odai_error err;
  char path[1024];
  if (odai_model_path_resolve("face_detection_short_range.tflite", path, sizeof path, &err))
    die("model", &err);
  if (odai_model_load_file(path, &d->model, &err)) die(path, &err);
  odai_interpreter_options io;
  odai_interpreter_options_init(&io);
  io.num_threads = infer_threads;
  if (odai_interpreter_create(d->model, &io, &d->interp, &err)) die("interpreter", &err);
  /* as face_detection.pbtxt's ImageToTensorCalculator */
  d->p = (odai_i2t_params){.out_w = 128, .out_h = 128, .keep_aspect_ratio = true,
                           .range_min = -1.f, .range_max = 1.f};
  odai_ssd_anchor_options ao;
  odai_ssd_anchor_options_face_short_range(&ao);
  if (odai_ssd_anchors_generate(&ao, &d->anchors, &err)) die("anchors", &err);
  odai_ssd_decode_options_face_short_range(&d->dec);
  odai_nms_options_init(&d->nms);
  d->nms.min_suppression_threshold = 0.3f;
  d->nms.overlap_type = ODAI_OVERLAP_INTERSECTION_OVER_UNION;
  d->nms.algorithm = ODAI_NMS_WEIGHTED;
  odai_detections_init(&d->raw);
  odai_detections_init(&d->faces);
}

static void direct_fini(direct *d) {
  odai_detections_fini(&d->raw);
  odai_detections_fini(&d->faces);
  odai_nms_scratch_fini(&d->scratch);
  odai_anchors_fini(&d->anchors);
  odai_interpreter_free(d->interp);
  odai_model_free(d->model);
}

/* One frame; returns the number of faces. */
static size_t direct_frame(direct *d, const odai_image *img) {
  odai_error err;
  double t0 = now_s();
  odai_image_planes pl;
  odai_image_get_planes(img, &pl);
  odai_roi roi = odai_roi_from_norm_rect(NULL, pl.width, pl.height);
  float pad[4], m[16];
  odai_roi_pad(&roi, &d->p, pad);
  odai_tensor_info in, boxes, scores;
  odai_interpreter_input(d->interp, 0, &in);
  odai_image_to_tensor_f32(&pl, &roi, &d->p, in.data);
  odai_roi_to_matrix(&roi, pl.width, pl.height, false, m);
  double t1 = now_s();
  if (odai_interpreter_invoke(d->interp, &err)) die("invoke", &err);
  double t2 = now_s();
  odai_interpreter_output(d->interp, 0, &boxes);
  odai_interpreter_output(d->interp, 1, &scores);
  d->raw.count = 0;
  if (odai_decode_detections(&d->dec, boxes.data, boxes.bytes / sizeof(float), scores.data,
                             scores.bytes / sizeof(float), d->anchors.items, d->anchors.count,
                             &d->raw, &err))
    die("decode", &err);
  double t3 = now_s();
  d->faces.count = 0;
  if (d->raw.count) {
    if (odai_nms(&d->nms, &d->raw, &d->faces, &d->scratch, &err)) die("nms", &err);
    odai_detections_project(&d->faces, m);
  }
  double t4 = now_s();
  d->step_s[0] += t1 - t0;
  d->step_s[1] += t2 - t1;
  d->step_s[2] += t3 - t2;
  d->step_s[3] += t4 - t3;
  if (d->frames < MAX_SAMPLES) {
    d->samples[0][d->frames] = t1 - t0;
    d->samples[1][d->frames] = t2 - t1;
    d->samples[2][d->frames] = t3 - t2;
    d->samples[3][d->frames] = t4 - t3;
  }
  d->frames++;
  return d->faces.count;
}

/* ---- the graph --------------------------------------------------------------- */

static const char *k_config =
    "input_stream: \"image\"\n"
    "output_stream: \"detections\"\n"
    "node {\n"
    "  calculator: \"FaceDetectionShortRangeCpu\"\n"
    "  input_stream: \"IMAGE:image\"\n"
    "  output_stream: \"DETECTIONS:detections\"\n"
    "}\n";

typedef struct graph_run {
  odai_graph *g;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  long outputs;      /* detections packets seen */
  long faces;        /* detections in them */
  odai_detection first; /* the first detection of the latest packet (--quick) */
  odai_timestamp ts; /* next input timestamp */
} graph_run;

static odai_status on_detections(void *user, const odai_packet *pkt) {
  graph_run *r = user;
  const odai_detections *d = odai_packet_detections(pkt);
  pthread_mutex_lock(&r->mu);
  r->outputs++;
  r->faces += d ? (long)d->count : 0;
  if (d && d->count) r->first = d->items[0];
  pthread_cond_signal(&r->cv);
  pthread_mutex_unlock(&r->mu);
  return ODAI_OK;
}

static void graph_open(graph_run *r, int sched_threads, int infer_threads, int max_queue) {
  memset(r, 0, sizeof *r);
  pthread_mutex_init(&r->mu, NULL);
  pthread_cond_init(&r->cv, NULL);
  odai_error err;
  if (odai_graph_create(k_config, strlen(k_config), "bench_face_pipeline", &r->g, &err))
    die("graph", &err);
  odai_graph_set_num_threads(r->g, sched_threads);
  if (max_queue) odai_graph_set_max_queue_size(r->g, max_queue);
  odai_graph_observe_output(r->g, "detections", on_detections, r);
  char n[16];
  snprintf(n, sizeof n, "%d", infer_threads);
  setenv("ODAI_INFERENCE_THREADS", n, 1); /* read by InferenceCalculator's open */
  if (odai_graph_start(r->g, &err)) die("graph start", &err);
  r->ts = 1;
}

static void graph_close(graph_run *r) {
  odai_graph_wait_until_done(r->g, NULL);
  odai_graph_destroy(r->g);
  pthread_cond_destroy(&r->cv);
  pthread_mutex_destroy(&r->mu);
}

static void graph_send(graph_run *r, odai_image *img) {
  if (odai_graph_add_packet(r->g, "image", odai_packet_new_image(odai_image_ref(img), r->ts++))) {
    odai_error err;
    odai_graph_last_error(r->g, &err);
    die("add_packet", &err);
  }
}

/* Wait until `n` detections packets have been seen in total. The frames
 * all have faces (NonMaxSuppressionCalculator emits nothing for a frame
 * without any), so a long wait means the graph failed. */
static void graph_wait_outputs(graph_run *r, long n) {
  struct timespec dl;
  clock_gettime(CLOCK_REALTIME, &dl);
  dl.tv_sec += 20;
  pthread_mutex_lock(&r->mu);
  int rc = 0;
  while (r->outputs < n && rc == 0) rc = pthread_cond_timedwait(&r->cv, &r->mu, &dl);
  bool ok = r->outputs >= n;
  pthread_mutex_unlock(&r->mu);
  if (!ok) {
    odai_error err = {0};
    odai_graph_last_error(r->g, &err);
    fprintf(stderr, "bench_face_pipeline: no detections from the graph within 20 s (%s)\n",
            err.code ? err.message : "no graph error: a frame without faces?");
    exit(1);
  }
}

static long graph_outputs(graph_run *r) {
  pthread_mutex_lock(&r->mu);
  long n = r->outputs;
  pthread_mutex_unlock(&r->mu);
  return n;
}

/* ---- one configuration ------------------------------------------------------ */

#define MAX_RUNS 16

typedef struct config_result {
  int sched, infer;
  /* per run: p50/p99 ms of the graph and the direct loop, fps of graph
   * streaming (throughput) and of the graph fed one at a time */
  double g50[MAX_RUNS], g99[MAX_RUNS], d50[MAX_RUNS], d99[MAX_RUNS], gfps[MAX_RUNS],
      dfps[MAX_RUNS], tfps[MAX_RUNS], ovh[MAX_RUNS], povh[MAX_RUNS];
} config_result;

static odai_image *g_frames[MAX_FRAMES];
static int g_nframes;

/* One latency run: each frame through the graph (fed alone, waiting for its
 * detections) and through the direct loop, back to back in alternating
 * order, so both see the same machine state (a shared or virtual machine's
 * speed drifts within a second). Also the median of the per-frame ratios. */
static void latency_run(graph_run *gr, direct *d, config_result *res, int run, int nframes) {
  double *gl = malloc(sizeof(double) * (size_t)nframes * 3);
  if (!gl) exit(1);
  double *dl = gl + nframes, *ratio = dl + nframes, gsum = 0, dsum = 0;
  for (int i = 0; i < nframes; i++) {
    odai_image *img = g_frames[i % g_nframes];
    for (int pass = 0; pass < 2; pass++) {
      int graph = (pass == 0) ^ ((i + run) & 1);
      double a = now_s();
      if (graph) {
        long want = graph_outputs(gr) + 1;
        graph_send(gr, img);
        graph_wait_outputs(gr, want);
        gl[i] = (now_s() - a) * 1e3;
      } else {
        direct_frame(d, img);
        dl[i] = (now_s() - a) * 1e3;
      }
    }
    gsum += gl[i];
    dsum += dl[i];
    ratio[i] = gl[i] / dl[i];
  }
  res->g50[run] = pct(gl, nframes, 0.5);
  res->g99[run] = pct(gl, nframes, 0.99);
  res->gfps[run] = nframes / (gsum * 1e-3);
  res->d50[run] = pct(dl, nframes, 0.5);
  res->d99[run] = pct(dl, nframes, 0.99);
  res->dfps[run] = nframes / (dsum * 1e-3);
  res->ovh[run] = 100.0 * (res->g50[run] / res->d50[run] - 1.0);
  res->povh[run] = 100.0 * (median(ratio, nframes) - 1.0);
  free(gl);
}

/* Throughput: feed as fast as add_packet allows (bounded queues). */
static double throughput_run(graph_run *gr, int nframes) {
  long base = graph_outputs(gr);
  double t0 = now_s();
  for (int i = 0; i < nframes; i++) graph_send(gr, g_frames[i % g_nframes]);
  graph_wait_outputs(gr, base + nframes);
  return nframes / (now_s() - t0);
}

static void print_node_stats(const char *title, odai_graph *g, const direct *d) {
  printf("\n%s\n", title);
  printf("| node's calculator | calls | mean us/call | direct loop step | mean us | median us |\n"
         "|---|---|---|---|---|---|\n");
  int ns = d->frames < MAX_SAMPLES ? (int)d->frames : MAX_SAMPLES;
  const char *steps[4] = {"image -> tensor (+ matrix)", "invoke", "decode 896 anchors",
                          "weighted NMS + projection"};
  size_t nn = odai_graph_num_nodes(g);
  double sum = 0;
  for (size_t i = 0; i < nn; i++) {
    odai_node_stats s;
    if (odai_graph_node_stats(g, i, &s)) continue;
    double us = s.process_calls ? (double)s.total_ns / 1e3 / (double)s.process_calls : 0;
    sum += us;
    const char *calc = s.calculator;
    /* line the direct loop's steps up against the nodes doing the same work */
    int step = -1;
    if (strstr(calc, "ImageToTensor")) step = 0;
    else if (strstr(calc, "Inference")) step = 1;
    else if (strstr(calc, "TensorsToDetections")) step = 2;
    else if (strstr(calc, "NonMaxSuppression")) step = 3;
    printf("| %s | %llu | %.1f | %s | ", calc, (unsigned long long)s.process_calls, us,
           step >= 0 ? steps[step] : "");
    if (step >= 0 && ns > 0)
      printf("%.1f | %.1f |\n", d->step_s[step] * 1e6 / (double)d->frames,
             median(d->samples[step], ns) * 1e6);
    else
      printf("| |\n");
  }
  double dsum = 0;
  for (int i = 0; i < 4; i++) dsum += d->frames ? d->step_s[i] * 1e6 / (double)d->frames : 0;
  double dmed = 0;
  for (int i = 0; i < 4 && ns > 0; i++) dmed += median(d->samples[i], ns) * 1e6;
  printf("| **sum of process()** | | %.1f | **sum of steps** | %.1f | %.1f |\n", sum, dsum, dmed);
}

/* ---- video decode / encode ------------------------------------------------------ */

static void bench_video(void) {
  char path[1200];
  media_path(path, sizeof path, "Megamind.avi");
  odai_error err;
  odai_video_source *src = NULL;
  double t0 = now_s();
  if (odai_video_source_open(path, NULL, &src, &err)) die(path, &err);
  int n = 0, w = 0, h = 0;
  for (;;) {
    odai_image *f = NULL;
    odai_status s = odai_video_source_read(src, 5000, &f, NULL, &err);
    if (s == ODAI_E_EOF) break;
    if (s) die("decode", &err);
    w = odai_image_width(f), h = odai_image_height(f);
    n++;
    odai_image_unref(f);
  }
  double dec = n / (now_s() - t0);
  odai_video_source_close(src);
  printf("| decode Megamind.avi (%dx%d) to RGB8, incl. open | %d frames | %.0f frames/s |\n", w, h,
         n, dec);

  char out[64];
  snprintf(out, sizeof out, "/tmp/bench_face_pipeline_%d.mp4", (int)getpid());
  odai_video_sink_options so;
  odai_video_sink_options_default(&so);
  so.fps_num = 30, so.fps_den = 1;
  odai_video_sink *sink = NULL;
  const int nenc = 150;
  t0 = now_s();
  if (odai_video_sink_open(out, &so, &sink, &err)) die(out, &err);
  for (int i = 0; i < nenc; i++)
    if (odai_video_sink_write(sink, g_frames[i % g_nframes], (int64_t)i * 33333, &err))
      die("encode", &err);
  if (odai_video_sink_finish(sink, -1, &err)) die("encode finish", &err);
  double enc = nenc / (now_s() - t0);
  odai_video_sink_close(sink);
  unlink(out);
  printf("| encode 640x480 RGB8 to H.264 MP4 (x264enc defaults), incl. open + finish | %d frames | "
         "%.0f frames/s |\n", nenc, enc);
}

/* ---- main ----------------------------------------------------------------------- */

int main(int argc, char **argv) {
  int runs = 5, nframes = 60;
  bool quick = false, video = true;
  const char *dump = NULL;
  int pos = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--quick") == 0) quick = true;
    else if (strcmp(argv[i], "--no-video") == 0) video = false;
    else if (strcmp(argv[i], "--dump-frames") == 0 && i + 1 < argc) dump = argv[++i];
    else if (pos++ == 0) runs = atoi(argv[i]);
    else nframes = atoi(argv[i]);
  }
  if (runs < 1) runs = 1;
  if (runs > MAX_RUNS) runs = MAX_RUNS;
  if (nframes < 3) nframes = 3;
  const char *media = getenv("ODAI_MEDIA_DIR");
  const char *home = getenv("HOME");
  if (media && *media) snprintf(g_media, sizeof g_media, "%s", media);
  else snprintf(g_media, sizeof g_media, "%s/.cache/odai/media", home ? home : ".");

  if (quick) {
    /* A test of this benchmark's code path: 3 frames through both, same faces. */
    odai_image *all[40];
    int nall = load_frames(all, 40, 10);
    direct d;
    direct_init(&d, 1);
    for (int i = 0; i < nall; i++) {
      if (g_nframes < 3 && direct_frame(&d, all[i]) > 0) g_frames[g_nframes++] = all[i];
      else odai_image_unref(all[i]);
    }
    if (g_nframes < 3) die("fewer than 3 Megamind.avi frames with faces", NULL);
    graph_run gr;
    graph_open(&gr, 2, 1, 2);
    long direct_faces = 0;
    float worst = 0; /* largest box difference, graph vs direct */
    for (int i = 0; i < 3; i++) {
      direct_faces += (long)direct_frame(&d, g_frames[i]);
      long want = graph_outputs(&gr) + 1;
      graph_send(&gr, g_frames[i]);
      graph_wait_outputs(&gr, want);
      pthread_mutex_lock(&gr.mu);
      const odai_detection *a = &gr.first, *b = &d.faces.items[0];
      float diff[4] = {a->xmin - b->xmin, a->ymin - b->ymin, a->width - b->width,
                       a->height - b->height};
      pthread_mutex_unlock(&gr.mu);
      for (int k = 0; k < 4; k++) {
        float v = diff[k] < 0 ? -diff[k] : diff[k];
        if (!(v <= worst)) worst = v; /* NaN propagates */
      }
    }
    graph_close(&gr);
    direct_fini(&d);
    printf("quick: direct loop %ld faces, graph %ld faces in 3 frames; first box differs by %g\n",
           direct_faces, gr.faces, worst);
    for (int i = 0; i < g_nframes; i++) odai_image_unref(g_frames[i]);
    return direct_faces > 0 && direct_faces == gr.faces && worst < 1e-4f ? 0 : 2;
  }

  /* frames: every 4th of the first ~400 decoded, keep those with faces */
  odai_image *all[MAX_FRAMES];
  const char *raw = getenv("ODAI_BENCH_FRAMES");
  int nall = raw && *raw ? load_raw_frames(raw, all, MAX_FRAMES) : load_frames(all, MAX_FRAMES, 4);
  {
    direct d;
    direct_init(&d, 1);
    for (int i = 0; i < nall; i++) {
      if (direct_frame(&d, all[i]) > 0 && g_nframes < nframes) g_frames[g_nframes++] = all[i];
      else odai_image_unref(all[i]);
    }
    direct_fini(&d);
  }
  if (g_nframes < 3) die("fewer than 3 Megamind.avi frames with faces", NULL);
  if (dump) {
    dump_raw_frames(dump, g_frames, g_nframes);
    printf("wrote %d frames to %s\n", g_nframes, dump);
    return 0;
  }

  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  double la[3] = {0};
  FILE *lf = fopen("/proc/loadavg", "r");
  if (lf) {
    if (fscanf(lf, "%lf %lf %lf", &la[0], &la[1], &la[2]) != 3) la[0] = -1;
    fclose(lf);
  }
  printf("bench_face_pipeline: FaceDetectionShortRangeCpu (BlazeFace short range, 128x128) on "
         "%d distinct 640x480 RGB8 frames of Megamind.avi (letterboxed, all with faces), "
         "%d frames per run, median of %d runs, graph and direct runs interleaved.\n"
         "machine: %ld cores online, load average %.2f %.2f %.2f at start\n\n",
         g_nframes, nframes, runs, cores, la[0], la[1], la[2]);

  /* configurations: scheduler threads x inference threads */
  const int cfg[][2] = {{1, 1}, {2, 1}, {2, 2}};
  const int ncfg = (int)(sizeof cfg / sizeof cfg[0]);
  config_result res[3];
  graph_run lat_g[3], thr_g[3];
  direct dir[3];
  for (int c = 0; c < ncfg; c++) {
    memset(&res[c], 0, sizeof res[c]);
    res[c].sched = cfg[c][0];
    res[c].infer = cfg[c][1];
    graph_open(&lat_g[c], cfg[c][0], cfg[c][1], 0);
    graph_open(&thr_g[c], cfg[c][0], cfg[c][1], 2);
    direct_init(&dir[c], cfg[c][1]);
    /* warm up: caches, thread pools, allocator */
    for (int i = 0; i < 10; i++) {
      long want = graph_outputs(&lat_g[c]) + 1;
      graph_send(&lat_g[c], g_frames[i % g_nframes]);
      graph_wait_outputs(&lat_g[c], want);
      direct_frame(&dir[c], g_frames[i % g_nframes]);
    }
    throughput_run(&thr_g[c], 10);
    memset(dir[c].step_s, 0, sizeof dir[c].step_s);
    dir[c].frames = 0;
  }
  for (int r = 0; r < runs; r++)
    for (int c = 0; c < ncfg; c++) {
      latency_run(&lat_g[c], &dir[c], &res[c], r, nframes);
      res[c].tfps[r] = throughput_run(&thr_g[c], nframes * 2);
    }

  printf("| sched threads | inference threads | graph p50 / p99 ms | direct p50 / p99 ms | "
         "graph overhead (p50 / per-frame pairs) | graph fps, one at a time | direct fps | "
         "graph fps, streaming (max_queue_size 2) |\n|---|---|---|---|---|---|---|---|\n");
  for (int c = 0; c < ncfg; c++) {
    config_result *x = &res[c];
    printf("| %d | %d | %.3f / %.3f | %.3f / %.3f | %+.1f%% / %+.1f%% | %.0f | %.0f | %.0f |\n",
           x->sched, x->infer, median(x->g50, runs), median(x->g99, runs), median(x->d50, runs),
           median(x->d99, runs), median(x->ovh, runs), median(x->povh, runs), median(x->gfps, runs),
           median(x->dfps, runs), median(x->tfps, runs));
  }
  printf("\ngraph overhead per run (%%, p50 graph / p50 direct - 1 | median of per-frame "
         "graph/direct - 1):\n");
  for (int c = 0; c < ncfg; c++) {
    printf("  %d sched / %d infer:", res[c].sched, res[c].infer);
    for (int r = 0; r < runs; r++) printf(" %+.1f", res[c].ovh[r]);
    printf(" |");
    for (int r = 0; r < runs; r++) printf(" %+.1f", res[c].povh[r]);
    printf("\n");
  }
  printf("streaming fps per run:\n");
  for (int c = 0; c < ncfg; c++) {
    printf("  %d sched / %d infer:", res[c].sched, res[c].infer);
    for (int r = 0; r < runs; r++) printf(" %.0f", res[c].tfps[r]);
    printf("\n");
  }

  for (int c = 0; c < ncfg; c++) {
    char title[160];
    snprintf(title, sizeof title,
             "time per node, one frame at a time (%d sched / %d inference threads; all calls "
             "incl. warm-up) vs the direct loop's steps:",
             res[c].sched, res[c].infer);
    print_node_stats(title, lat_g[c].g, &dir[c]);
  }
  printf("\nframes/s vs the target (>= 300 on 2 cores): best streaming %.0f, best direct %.0f\n",
         median(res[2].tfps, runs) > median(res[1].tfps, runs) ? median(res[2].tfps, runs)
                                                               : median(res[1].tfps, runs),
         median(res[2].dfps, runs));
  if (video) {
    printf("\nvideo I/O, measured separately:\n| what | frames | rate |\n|---|---|---|\n");
    bench_video();
  }

  for (int c = 0; c < ncfg; c++) {
    graph_close(&lat_g[c]);
    graph_close(&thr_g[c]);
    direct_fini(&dir[c]);
  }
  for (int i = 0; i < g_nframes; i++) odai_image_unref(g_frames[i]);
  return 0;
}
