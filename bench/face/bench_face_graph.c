/* bench/face/bench_face_graph.c: per-frame latency of the face graphs on a
 * real photo: detection alone (full range, and the two-pass module that adds
 * the short-range close-up pass), and the whole recognition path of
 * configs/face_recognition.pbtxt without video I/O (two-pass detection ->
 * FaceEmbedderCalculator -> FaceRecognizerCalculator against a gallery of
 * 1,000 identities), as odai-faces runs it. Medians, printed, never asserted.
 * Usage: bench_face_graph [PHOTO] (default shared/testdata/faces/queries/q11.jpg). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "examples/odai-faces/face_graph.h"
#include "odai/gallery.h"
#include "odai/graph.h"
#include "odai/image_io.h"

enum { RUNS = 31 };

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}
static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double detect_ms(const char *module, odai_image *img) {
  char text[512];
  snprintf(text, sizeof text,
           "input_stream: \"image\"\noutput_stream: \"faces\"\n"
           "node { calculator: \"%s\" input_stream: \"IMAGE:image\" "
           "output_stream: \"DETECTIONS:faces\" }\n",
           module);
  odai_graph *g;
  odai_error err;
  if (odai_graph_create(text, strlen(text), "bench", &g, &err) != ODAI_OK ||
      odai_graph_start(g, &err) != ODAI_OK) {
    fprintf(stderr, "%s\n", err.message);
    exit(1);
  }
  double t[RUNS];
  for (int r = -2; r < RUNS; r++) {
    double t0 = now_ms();
    odai_graph_add_packet(g, "image", odai_packet_new_image(odai_image_ref(img), r + 2));
    odai_graph_wait_until_idle(g, NULL);
    if (r >= 0) t[r] = now_ms() - t0;
  }
  odai_graph_wait_until_done(g, NULL);
  odai_graph_destroy(g);
  qsort(t, RUNS, sizeof *t, cmp_d);
  return t[RUNS / 2];
}

int main(int argc, char **argv) {
  char def[1024];
  snprintf(def, sizeof def, "%s/testdata/faces/queries/q11.jpg",
           getenv("ODAI_SHARED_DIR") ? getenv("ODAI_SHARED_DIR") : "/work/shared");
  const char *photo = argc > 1 ? argv[1] : def;
  odai_image *img = NULL;
  odai_error err;
  if (odai_image_read_file(photo, ODAI_PIXEL_RGB8, &img, &err) != ODAI_OK) {
    fprintf(stderr, "%s: %s\n", photo, err.message);
    return 1;
  }
  printf("photo %s (%dx%d), 1 inference thread, medians of %d\n", photo, odai_image_width(img),
         odai_image_height(img), RUNS);
  double far = detect_ms("FaceDetectionFullRangeCpu", img);
  double both = detect_ms("FaceDetectionTwoPassCpu", img);
  printf("detection, full range only      %7.2f ms\n", far);
  printf("detection, two passes           %7.2f ms  (close-up pass costs %.2f ms)\n", both,
         both - far);

  /* A gallery of 1,000 identities x 5: the photo's own face + random ones. */
  char dir[] = "/tmp/odai-bench-XXXXXX";
  if (!mkdtemp(dir)) return 1;
  char gpath[600];
  snprintf(gpath, sizeof gpath, "%s/g", dir);
  face_graph *fg = NULL;
  if (face_graph_open(NULL, NULL, NULL, true, &fg, &err) != ODAI_OK) {
    fprintf(stderr, "%s\n", err.message);
    return 1;
  }
  face_result fr;
  if (face_graph_run_image(fg, img, &fr, &err) != ODAI_OK || fr.count == 0 ||
      !fr.faces[0].embedding) {
    fprintf(stderr, "no usable face in %s\n", photo);
    return 1;
  }
  face_graph_close(fg);
  const odai_embedding *me = fr.faces[0].embedding;
  odai_gallery_options go = {.create_if_missing = true, .model_id = me->model_id, .dim = me->dim};
  odai_gallery *g;
  if (odai_gallery_open(gpath, &go, &g, &err) != ODAI_OK) return 1;
  odai_gallery_add(g, "me", me, NULL);
  uint64_t s = 1;
  odai_embedding *x = NULL;
  odai_embedding_copy(me, &x, NULL);
  for (int i = 1; i < 1000; i++) {
    char name[32];
    snprintf(name, sizeof name, "person%04d", i);
    for (int k = 0; k < 5; k++) {
      for (size_t d = 0; d < x->dim; d++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        x->values[d] = (float)(s >> 40) / (float)(1 << 24) - 0.5f;
      }
      odai_gallery_add(g, name, x, NULL);
    }
  }
  odai_embedding_free(x);
  face_result_fini(&fr);
  odai_gallery_save(g, NULL);
  odai_gallery_close(g);

  if (face_graph_open(NULL, gpath, NULL, true, &fg, &err) != ODAI_OK) {
    fprintf(stderr, "%s\n", err.message);
    return 1;
  }
  double t[RUNS];
  char who[64] = "";
  for (int r = -2; r < RUNS; r++) {
    double t0 = now_ms();
    face_graph_run_image(fg, img, &fr, NULL);
    if (r >= 0) t[r] = now_ms() - t0;
    if (fr.count) snprintf(who, sizeof who, "%s", fr.faces[0].det.identity);
    face_result_fini(&fr);
  }
  face_graph_close(fg);
  qsort(t, RUNS, sizeof *t, cmp_d);
  printf("recognition (two-pass detect + embed + name, 1,000 identities x 5): %.2f ms per "
         "frame, 1 face (named \"%s\")\n",
         t[RUNS / 2], who);
  unlink(gpath);
  char lock[700];
  snprintf(lock, sizeof lock, "%s.lock", gpath);
  unlink(lock);
  rmdir(dir);
  odai_image_unref(img);
  return 0;
}
