/* tests/face/face_test_util.h: shared helpers of the face tests: a seeded
 * RNG, random and clustered embeddings, a private temp directory. */
#ifndef ODAI_TESTS_FACE_UTIL_H
#define ODAI_TESTS_FACE_UTIL_H

#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "odai/embedding.h"

static inline uint32_t ft_rand(uint64_t *s) {
  *s = *s * 6364136223846793005ull + 1442695040888963407ull;
  return (uint32_t)(*s >> 33);
}
/* Uniform in [-1, 1). */
static inline float ft_uniform(uint64_t *s) { return (float)ft_rand(s) / 1073741824.0f - 1.0f; }
/* Roughly Gaussian (sum of uniforms). */
static inline float ft_gauss(uint64_t *s) {
  float a = 0;
  for (int i = 0; i < 6; i++) a += ft_uniform(s);
  return a / 1.41421356f;
}

static inline void ft_model(uint8_t id[ODAI_MODEL_ID_SIZE], uint8_t fill) {
  for (int i = 0; i < ODAI_MODEL_ID_SIZE; i++) id[i] = (uint8_t)(fill + i);
}

/* A unit embedding: center (dim floats, may be NULL) + noise * gaussian. */
static inline odai_embedding *ft_embedding(size_t dim, uint8_t model_fill, const float *center,
                                           float noise, uint64_t *s) {
  uint8_t id[ODAI_MODEL_ID_SIZE];
  ft_model(id, model_fill);
  odai_embedding *e = NULL;
  if (odai_embedding_create(dim, id, NULL, &e, NULL) != ODAI_OK) return NULL;
  for (size_t i = 0; i < dim; i++) e->values[i] = (center ? center[i] : 0.0f) + noise * ft_gauss(s);
  odai_embedding_normalize(e, NULL);
  return e;
}

/* A fresh directory under $TMPDIR or /tmp; the caller frees the string. */
static inline char *ft_tempdir(void) {
  const char *base = getenv("TMPDIR");
  char tmpl[512];
  snprintf(tmpl, sizeof tmpl, "%s/odai-face-XXXXXX", base && *base ? base : "/tmp");
  char *d = mkdtemp(tmpl);
  return d ? strdup(d) : NULL;
}

/* Remove every entry of dir (flat) and dir itself. */
static inline void ft_rmdir(const char *dir) {
  DIR *d = opendir(dir);
  if (d) {
    struct dirent *de;
    char p[1024];
    while ((de = readdir(d))) {
      if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
      snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
      unlink(p);
    }
    closedir(d);
  }
  rmdir(dir);
}

/* Number of entries in dir whose name contains `part`. */
static inline int ft_count_files(const char *dir, const char *part) {
  DIR *d = opendir(dir);
  int n = 0;
  if (!d) return -1;
  struct dirent *de;
  while ((de = readdir(d)))
    if (strstr(de->d_name, part)) n++;
  closedir(d);
  return n;
}

static inline uint8_t *ft_read(const char *path, size_t *n) {
  *n = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *b = malloc(len > 0 ? (size_t)len : 1);
  *n = fread(b, 1, (size_t)len, f);
  fclose(f);
  return b;
}

static inline int ft_write(const char *path, const void *data, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t w = fwrite(data, 1, n, f);
  fclose(f);
  return w == n ? 0 : -1;
}

#endif
