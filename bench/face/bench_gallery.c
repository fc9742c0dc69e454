/* bench/face/bench_gallery.c: face gallery search time (odai_gallery_match,
 * top-5) at 100, 1,000 and 10,000 identities x 5 random 192-d embeddings,
 * the median of many runs, with the dispatched kernel and each dot kernel
 * alone over the same matrix; plus save and open times at 10,000.
 * Usage: bench_gallery [DIR]  (DIR for the temporary gallery file, default /tmp). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "io/gallery/dot.h"
#include "io/gallery/gallery_internal.h"
#include "odai/gallery.h"

#define DIM 192
#define PER_ID 5

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_d);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static uint64_t g_seed = 12345;
static float rnd(void) {
  g_seed = g_seed * 6364136223846793005ull + 1442695040888963407ull;
  return (float)(g_seed >> 40) / 8388608.0f - 1.0f;
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "/tmp";
  uint8_t model[ODAI_MODEL_ID_SIZE];
  for (int i = 0; i < ODAI_MODEL_ID_SIZE; i++) model[i] = (uint8_t)i;
  const odai_dot_kernel *ks[4];
  size_t nk = odai_dot_kernels_available(ks, 4);
  printf("gallery search, %d-d, %d embeddings per identity, top-5, dispatched kernel: %s\n", DIM,
         PER_ID, odai_dot_kernel_get()->name);
  printf("%-11s %-9s %-14s", "identities", "records", "match (median)");
  for (size_t k = 0; k < nk; k++) printf("  %s rows", ks[k]->name);
  printf("\n");
  static const int sizes[] = {100, 1000, 10000};
  odai_embedding *q = NULL;
  odai_embedding_create(DIM, model, NULL, &q, NULL);
  for (int si = 0; si < 3; si++) {
    int nid = sizes[si];
    char path[512];
    snprintf(path, sizeof path, "%s/odai-bench-%d-%d.gallery", dir, (int)getpid(), nid);
    odai_gallery_options o = {.create_if_missing = true, .model_id = model, .dim = DIM};
    odai_gallery *g = NULL;
    odai_error err;
    if (odai_gallery_open(path, &o, &g, &err) != ODAI_OK) {
      fprintf(stderr, "open: %s\n", err.message);
      return 1;
    }
    odai_embedding *e = NULL;
    odai_embedding_create(DIM, model, NULL, &e, NULL);
    for (int id = 0; id < nid; id++) {
      char name[32];
      snprintf(name, sizeof name, "person%05d", id);
      for (int k = 0; k < PER_ID; k++) {
        for (int i = 0; i < DIM; i++) e->values[i] = rnd();
        if (odai_gallery_add(g, name, e, &err) != ODAI_OK) {
          fprintf(stderr, "add: %s\n", err.message);
          return 1;
        }
      }
    }
    odai_embedding_free(e);
    int runs = nid >= 10000 ? 51 : 201;
    double *t = malloc(sizeof(double) * (size_t)runs);
    odai_gallery_result r[5];
    size_t n;
    for (int run = 0; run < runs; run++) {
      for (int i = 0; i < DIM; i++) q->values[i] = rnd();
      double t0 = now_us();
      odai_gallery_match(g, q, 5, r, &n, NULL);
      t[run] = now_us() - t0;
    }
    printf("%-11d %-9zu %9.1f us  ", nid, g->nrec, median(t, runs));
    float *out = malloc(sizeof(float) * g->nrec);
    for (size_t k = 0; k < nk; k++) {
      for (int run = 0; run < runs; run++) {
        double t0 = now_us();
        ks[k]->rows(g->mat, g->nrec, g->dim, q->values, out);
        t[run] = now_us() - t0;
      }
      printf("  %8.1f us", median(t, runs));
    }
    printf("\n");
    free(out);
    if (nid == 10000) {
      double t0 = now_us();
      odai_gallery_save(g, NULL);
      double ts = now_us() - t0;
      odai_gallery_close(g);
      odai_gallery_options ro = {.read_only = true};
      t0 = now_us();
      odai_gallery_open(path, &ro, &g, NULL);
      double tl = now_us() - t0;
      FILE *f = fopen(path, "rb");
      fseek(f, 0, SEEK_END);
      long size = ftell(f);
      fclose(f);
      printf("10,000 identities: save (atomic, fsync) %.1f ms, open %.1f ms, file %.1f MB\n",
             ts / 1e3, tl / 1e3, size / 1e6);
    }
    free(t);
    odai_gallery_close(g);
    unlink(path);
    char lock[600];
    snprintf(lock, sizeof lock, "%s.lock", path);
    unlink(lock);
  }
  odai_embedding_free(q);
  return 0;
}
