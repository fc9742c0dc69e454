/* tests/inference/golden_util.h: helpers for the golden-model tests: find
 * the case files of /work/shared/refdata/tflite/<model>/<case>/, read raw
 * float32 files, compare outputs (max abs, max rel = |a-b| / max(|b|, 1)). */
#ifndef ODAI_TESTS_GOLDEN_UTIL_H
#define ODAI_TESTS_GOLDEN_UTIL_H

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline float *golden_read_f32(const char *path, size_t *count) {
  FILE *f = fopen(path, "rb");
  *count = 0;
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  float *buf = malloc(n > 0 ? (size_t)n : 1);
  if (buf && n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  *count = n > 0 ? (size_t)n / 4 : 0;
  return buf;
}

/* Find "<prefix>*.f32" in dir; writes the full path. 0 when found. */
static inline int golden_find(const char *dir, const char *prefix, char *path, size_t cap) {
  DIR *d = opendir(dir);
  if (!d) return -1;
  struct dirent *e;
  int rc = -1;
  size_t pl = strlen(prefix);
  while ((e = readdir(d))) {
    size_t l = strlen(e->d_name);
    if (strncmp(e->d_name, prefix, pl) == 0 && l > 4 && strcmp(e->d_name + l - 4, ".f32") == 0) {
      snprintf(path, cap, "%s/%s", dir, e->d_name);
      rc = 0;
      break;
    }
  }
  closedir(d);
  return rc;
}

static inline void golden_compare(const float *got, const float *ref, size_t n, double *max_abs,
                                  double *max_rel) {
  for (size_t i = 0; i < n; i++) {
    double d = fabs((double)got[i] - (double)ref[i]);
    double den = fabs((double)ref[i]) > 1.0 ? fabs((double)ref[i]) : 1.0;
    if (!(d <= *max_abs)) *max_abs = d; /* NaN propagates as a failure */
    if (!(d / den <= *max_rel)) *max_rel = d / den;
  }
}

static inline const char *golden_env(const char *name) {
  const char *v = getenv(name);
  return v && v[0] ? v : NULL;
}

#endif
