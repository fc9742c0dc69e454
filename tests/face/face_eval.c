/* tests/face/face_eval.c: open-set identification on shared/testdata/faces
 * through face_pipeline.c and the gallery (see face_pipeline.h). */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "face_pipeline.h"
#include "odai/gallery.h"

static int cmp_f(const void *a, const void *b) {
  float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}
static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}
static int cmp_s(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void stats(float *v, int n, float *mn, float *med, float *mx) {
  if (!n) {
    *mn = *med = *mx = NAN;
    return;
  }
  qsort(v, (size_t)n, sizeof *v, cmp_f);
  *mn = v[0];
  *mx = v[n - 1];
  *med = n % 2 ? v[n / 2] : 0.5f * (v[n / 2 - 1] + v[n / 2]);
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Sorted entry names of a directory (skipping dot files). */
static int list_dir(const char *dir, char ***names) {
  DIR *d = opendir(dir);
  if (!d) return -1;
  int n = 0, cap = 16;
  char **v = malloc(sizeof *v * (size_t)cap);
  struct dirent *de;
  while ((de = readdir(d))) {
    if (de->d_name[0] == '.') continue;
    if (n == cap) v = realloc(v, sizeof *v * (size_t)(cap *= 2));
    v[n++] = strdup(de->d_name);
  }
  closedir(d);
  qsort(v, (size_t)n, sizeof *v, cmp_s);
  *names = v;
  return n;
}

static void free_list(char **v, int n) {
  for (int i = 0; i < n; i++) free(v[i]);
  free(v);
}

/* labels.json is a flat {"q01.jpg": "biden", ...} object. */
static int read_labels(const char *path, char names[][32], char labels[][64], int max) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  char line[256];
  int n = 0;
  while (fgets(line, sizeof line, f) && n < max) {
    if (sscanf(line, " \"%31[^\"]\" : \"%63[^\"]\"", names[n], labels[n]) == 2) n++;
  }
  fclose(f);
  return n;
}

odai_status face_eval_run(const char *dataset_dir, const char *model_dir, int verbose,
                          face_eval_result *r, odai_error *err) {
  memset(r, 0, sizeof *r);
  face_pipeline *fp = NULL;
  odai_status st = face_pipeline_open(model_dir, &fp, err);
  if (st != ODAI_OK) return st;
  char base[1024], path[4400], gpath[256];
  snprintf(base, sizeof base, "%s", dataset_dir);
  snprintf(gpath, sizeof gpath, "/tmp/odai-face-eval-%d.gallery", (int)getpid());
  odai_gallery *g = NULL;
  odai_embedding *e = NULL;
  char **people = NULL;
  int npeople = 0;
  float *gen = NULL, *imp = NULL;
  double times[64];
  int ntimes = 0;
  /* Enrol. */
  snprintf(path, sizeof path, "%s/gallery", base);
  npeople = list_dir(path, &people);
  if (npeople <= 0) {
    st = odai_error_set(err, ODAI_E_NOT_FOUND, "%s: no people", path);
    goto done;
  }
  for (int p = 0; p < npeople; p++) {
    char **photos;
    snprintf(path, sizeof path, "%s/gallery/%s", base, people[p]);
    int nph = list_dir(path, &photos);
    for (int i = 0; i < nph; i++) {
      snprintf(path, sizeof path, "%s/gallery/%s/%s", base, people[p], photos[i]);
      int nf = 0;
      char why[96];
      st = face_pipeline_embed_file(fp, path, &e, &nf, why, err);
      if (st == ODAI_OK && !e) st = odai_error_set(err, ODAI_E_NOT_FOUND, "%s: no face", path);
      if (st == ODAI_OK && !g) {
        odai_gallery_options o = {.create_if_missing = true, .model_id = e ? e->model_id : NULL,
                                  .dim = e ? e->dim : 0};
        unlink(gpath);
        st = odai_gallery_open(gpath, &o, &g, err);
      }
      if (st == ODAI_OK) st = odai_gallery_add(g, people[p], e, err);
      if (verbose) printf("enrol %-40s %s %s\n", path + strlen(base) + 1, people[p], why);
      odai_embedding_free(e);
      e = NULL;
      if (st != ODAI_OK) {
        free_list(photos, nph);
        goto done;
      }
    }
    free_list(photos, nph);
  }
  r->threshold = odai_gallery_threshold(g);
  /* Query. */
  char qn[64][32], ql[64][64];
  snprintf(path, sizeof path, "%s/queries/labels.json", base);
  int nq = read_labels(path, qn, ql, 64);
  if (nq <= 0) {
    st = odai_error_set(err, ODAI_E_NOT_FOUND, "%s: no labels", path);
    goto done;
  }
  gen = malloc(sizeof *gen * (size_t)nq);
  imp = malloc(sizeof *imp * (size_t)nq * (size_t)npeople);
  for (int q = 0; q < nq; q++) {
    snprintf(path, sizeof path, "%s/queries/%s", base, qn[q]);
    int nf = 0;
    char why[96];
    double t0 = now_ms();
    st = face_pipeline_embed_file(fp, path, &e, &nf, why, err);
    if (ntimes < 64 && e) times[ntimes++] = now_ms() - t0;
    if (st != ODAI_OK) goto done;
    const char *label = ql[q];
    bool is_noface = !strcmp(label, "noface"), is_unknown = !strcmp(label, "unknown");
    bool enrolled = !is_noface && !is_unknown;
    r->queries++;
    r->noface_queries += is_noface;
    r->unknown_queries += is_unknown;
    r->enrolled_queries += enrolled;
    char name[ODAI_GALLERY_NAME_MAX + 1] = "noface";
    float sim = NAN;
    odai_gallery_result res[16];
    size_t nres = 0;
    if (e) {
      if (strncmp(why, "ok:", 3) != 0) r->skipped_quality++;
      if ((st = odai_gallery_identify(g, e, name, &sim, err)) != ODAI_OK) goto done;
      if ((st = odai_gallery_match(g, e, 16, res, &nres, err)) != ODAI_OK) goto done;
      for (size_t i = 0; i < nres; i++) {
        if (enrolled && !strcmp(res[i].name, label))
          gen[r->genuine_n++] = res[i].similarity;
        else
          imp[r->impostor_n++] = res[i].similarity;
      }
      if (enrolled && nres && !strcmp(res[0].name, label)) r->rank1_correct++;
    }
    bool ok = !strcmp(name, label);
    r->correct += ok;
    if (enrolled) {
      r->enrolled_correct += ok;
      if (!ok && (!strcmp(name, ODAI_GALLERY_UNKNOWN) || !strcmp(name, "noface")))
        r->false_rejects++;
      else if (!ok)
        r->false_accepts++;
    } else {
      if (is_unknown) r->unknown_correct += ok;
      if (is_noface) r->noface_correct += ok;
      if (strcmp(name, ODAI_GALLERY_UNKNOWN) && strcmp(name, "noface")) r->false_accepts++;
    }
    if (verbose)
      printf("query %s  want %-15s got %-15s sim %6.3f faces %d %-5s %s\n", qn[q], label, name,
             (double)sim, nf, ok ? "ok" : "WRONG", e || nf ? why : "");
    odai_embedding_free(e);
    e = NULL;
  }
  stats(gen, r->genuine_n, &r->genuine_min, &r->genuine_median, &r->genuine_max);
  stats(imp, r->impostor_n, &r->impostor_min, &r->impostor_median, &r->impostor_max);
  if (ntimes) {
    qsort(times, (size_t)ntimes, sizeof *times, cmp_d);
    r->embed_ms_median = times[ntimes / 2];
  }
done:
  odai_embedding_free(e);
  free(gen);
  free(imp);
  if (people) free_list(people, npeople);
  odai_gallery_close(g);
  unlink(gpath);
  char lock[300];
  snprintf(lock, sizeof lock, "%s.lock", gpath);
  unlink(lock);
  face_pipeline_close(fp);
  return st;
}
