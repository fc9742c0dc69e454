/* bench/face/bench_embed.c: per-face latency of ArcFace alignment (warp into
 * the 112x112 crop + MobileFaceNet input) and of the MobileFaceNet embedding
 * through odai's inference core, batch 2 (face + mirrored face, the file's
 * batch) and batch 1, on 1 and 2 threads; medians, with the model's FLOPs
 * and the achieved GFLOP/s; then the whole per-face path of
 * FaceEmbedderCalculator (the embedder core: alignment + quality + model +
 * normalisation) next to the model's roofline time (shared/MODEL_FACTS.md:
 * ~219 GFLOP/s per core with AVX-512, ~109 with AVX2; 469 MFLOP per face,
 * 959 MFLOP for the flip-sum batch of 2); last, 1, 2 and 4 faces of a frame
 * embedded in one call (batched), per face. Usage: bench_embed [MODEL_DIR]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calculators/face/align.h"
#include "calculators/face/embedder.h"
#include "odai/inference.h"

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}
static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : getenv("ODAI_MODEL_DIR");
  char path[1024];
  if (!dir) {
    snprintf(path, sizeof path, "%s/.cache/odai/models", getenv("HOME") ? getenv("HOME") : ".");
    dir = path;
  }
  char model_path[1200];
  snprintf(model_path, sizeof model_path, "%s/MobileFaceNet.tflite", dir);
  odai_error err;
  odai_model *model = NULL;
  if (odai_model_load_file(model_path, &model, &err) != ODAI_OK) {
    fprintf(stderr, "%s\n", err.message);
    return 1;
  }
  /* A 640x480 frame with a face of eye distance ~70 px, turned 10 degrees. */
  const int w = 640, h = 480;
  uint8_t *img = malloc((size_t)w * h * 3);
  for (size_t i = 0; i < (size_t)w * h * 3; i++) img[i] = (uint8_t)(i * 2654435761u >> 24);
  float kps[4][2];
  const float c = 0.98481f, s = 0.17365f, k = 2.0f;
  for (int i = 0; i < 4; i++) {
    float x = odai_face_template[i][0], y = odai_face_template[i][1];
    kps[i][0] = 200 + k * (c * x - s * y);
    kps[i][1] = 100 + k * (s * x + c * y);
  }
  enum { RUNS = 41 };
  double t[RUNS * 5];
  uint8_t crop[112 * 112 * 3];
  float *input = malloc(sizeof(float) * 112 * 112 * 3 * 2);
  for (int r = 0; r < RUNS * 5; r++) {
    double t0 = now_ms();
    odai_face_align_rgb8(img, w, h, (size_t)w * 3, kps, crop, input, NULL);
    t[r] = now_ms() - t0;
  }
  qsort(t, RUNS * 5, sizeof *t, cmp_d);
  printf("alignment (fit + bilinear warp 112x112 + float input): %.3f ms median\n",
         t[RUNS * 5 / 2]);
  printf("MobileFaceNet embedding (odai inference core):\n");
  printf("%-7s %-8s %-14s %-12s %s\n", "batch", "threads", "invoke median", "per face", "GFLOP/s");
  for (int batch = 2; batch >= 1; batch--) {
    odai_interpreter *it = NULL;
    if (odai_interpreter_create(model, NULL, &it, &err) != ODAI_OK) {
      fprintf(stderr, "%s\n", err.message);
      return 1;
    }
    odai_tensor_info in;
    odai_interpreter_input(it, 0, &in);
    if (in.shape[0] != batch) {
      int32_t shape[4] = {batch, in.shape[1], in.shape[2], in.shape[3]};
      if (odai_interpreter_resize_input(it, 0, shape, in.rank, &err) != ODAI_OK) {
        printf("%-7d (resize refused: %s)\n", batch, err.message);
        odai_interpreter_free(it);
        continue;
      }
      odai_interpreter_input(it, 0, &in);
    }
    odai_interpreter_stats st;
    odai_interpreter_get_stats(it, &st);
    for (int threads = 1; threads <= 2; threads++) {
      if (odai_interpreter_set_num_threads(it, threads, &err) != ODAI_OK) break;
      for (int b = 0; b < batch; b++)
        odai_face_crop_to_input(crop, 112, 112, 336, b == 1, (float *)in.data + b * 112 * 112 * 3);
      odai_interpreter_invoke(it, NULL); /* warm-up */
      for (int r = 0; r < RUNS; r++) {
        double t0 = now_ms();
        odai_interpreter_invoke(it, NULL);
        t[r] = now_ms() - t0;
      }
      qsort(t, RUNS, sizeof *t, cmp_d);
      double med = t[RUNS / 2];
      printf("%-7d %-8d %9.2f ms   %7.2f ms   %.1f\n", batch, threads, med, med / batch,
             st.flops / (med * 1e6));
    }
    printf("        (%.1f MFLOP per invoke)\n", st.flops / 1e6);
    odai_interpreter_free(it);
  }
  odai_model_free(model);

  /* The embedder core per face, as FaceEmbedderCalculator runs it. */
  printf("\nper face through the embedder core (align + quality + MobileFaceNet + normalise):\n");
  printf("%-22s %-8s %-12s %-26s %s\n", "mode", "threads", "median", "roofline AVX-512 / AVX2",
         "of AVX-512 peak");
  odai_image *im = NULL;
  uint8_t *planes[1] = {img};
  int strides[1] = {w * 3};
  if (odai_image_wrap(w, h, ODAI_PIXEL_RGB8, planes, strides, false, NULL, NULL, &im) != ODAI_OK)
    return 1;
  odai_detection det;
  odai_detection_init(&det);
  det.num_keypoints = 4;
  for (int i = 0; i < 4; i++) {
    det.keypoints[i].x = kps[i][0] / (float)w;
    det.keypoints[i].y = kps[i][1] / (float)h;
  }
  odai_face_embed_result *res = malloc(sizeof *res);
  for (int flip = 1; flip >= 0; flip--) {
    for (int threads = 1; threads <= 2; threads++) {
      odai_face_embedder_options eo;
      odai_face_embedder_options_init(&eo);
      eo.model_path = model_path;
      eo.flip_sum = flip;
      eo.num_threads = threads;
      eo.skip_low_quality = false;
      odai_face_embedder *e = NULL;
      if (odai_face_embedder_create(&eo, &e, &err) != ODAI_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
      }
      odai_face_embedder_embed(e, im, &det, res, NULL); /* warm-up */
      odai_embedding_free(res->embedding);
      for (int r = 0; r < RUNS; r++) {
        double t0 = now_ms();
        odai_face_embedder_embed(e, im, &det, res, NULL);
        t[r] = now_ms() - t0;
        odai_embedding_free(res->embedding);
      }
      qsort(t, RUNS, sizeof *t, cmp_d);
      double mflop = flip ? 959.0 : 469.0;
      double roof512 = mflop / (219.0 * threads), roof2 = mflop / (109.0 * threads);
      printf("%-22s %-8d %7.2f ms   %5.2f / %5.2f ms          %4.0f%%\n",
             flip ? "flip-sum (batch 2)" : "one face (batch 1)", threads, t[RUNS / 2], roof512,
             roof2, 100.0 * roof512 / t[RUNS / 2]);
      odai_face_embedder_free(e);
    }
  }
  /* Several faces of one frame in one call (odai_face_embedder_embed_batch:
   * one invoke of batch 2 x faces with flip-sum): time per face. */
  enum { MAXF = 4 };
  odai_face_embed_result *many = malloc(MAXF * sizeof *many);
  odai_detection dets[MAXF];
  for (int i = 0; i < MAXF; i++) dets[i] = det;
  for (int threads = 1; threads <= 2; threads++) {
    odai_face_embedder_options eo;
    odai_face_embedder_options_init(&eo);
    eo.model_path = model_path;
    eo.num_threads = threads;
    eo.skip_low_quality = false;
    eo.max_batch_faces = MAXF; /* batch whatever the thread count (the automatic rule's data) */
    odai_face_embedder *e = NULL;
    if (odai_face_embedder_create(&eo, &e, &err) != ODAI_OK) {
      fprintf(stderr, "%s\n", err.message);
      return 1;
    }
    for (int nf = 1; nf <= MAXF; nf *= 2) {
      for (int r = -1; r < RUNS; r++) { /* r = -1: warm-up (re-plans the batch) */
        double t0 = now_ms();
        odai_face_embedder_embed_batch(e, im, dets, (size_t)nf, many, NULL);
        if (r >= 0) t[r] = (now_ms() - t0) / nf;
        for (int i = 0; i < nf; i++) odai_embedding_free(many[i].embedding);
      }
      qsort(t, RUNS, sizeof *t, cmp_d);
      char mode[40];
      snprintf(mode, sizeof mode, "%d face%s per call", nf, nf > 1 ? "s" : "");
      printf("%-22s %-8d %7.2f ms/face (flip-sum, model batch %d)\n", mode, threads, t[RUNS / 2], 2 * nf);
    }
    odai_face_embedder_free(e);
  }
  free(many);
  free(res);
  odai_image_unref(im);
  free(input);
  free(img);
  return 0;
}
