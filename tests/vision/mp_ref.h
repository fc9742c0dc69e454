/* Test helpers shared by the vision tests: file reading and MediaPipe's
 * reference face detections from
 * shared/refdata/mediapipe/face_detection_solution_cpu.json (a small
 * scanner for that file's fixed layout). Header-only, test code. */
#ifndef ODAI_TEST_MP_REF_H
#define ODAI_TEST_MP_REF_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  if (buf) {
    buf[n] = '\0';
    if (len) *len = (size_t)n;
  }
  return buf;
}

static inline const char *shared_dir(void) {
  const char *d = getenv("ODAI_SHARED_DIR");
  if (!d || !*d) fail_msg("ODAI_SHARED_DIR is not set (run through ctest)");
  return d;
}

static inline float *read_f32(const char *rel, size_t expect) {
  char path[1024];
  snprintf(path, sizeof(path), "%s/%s", shared_dir(), rel);
  size_t len = 0;
  char *buf = read_file(path, &len);
  if (!buf) fail_msg("cannot read golden file %s", path);
  if (len != expect * 4) fail_msg("%s: %zu bytes, expected %zu floats", path, len, expect);
  return (float *)buf; /* little-endian host assumed (x86-64, arm64) */
}

/* MediaPipe's reference: detections for (model, image) from the solution
 * JSON. A small scanner, enough for this file's fixed layout. */
typedef struct ref_det {
  float score, xmin, ymin, width, height;
  float kp[6][2];
} ref_det;

static inline float num_after(const char *s, const char *key, const char **end) {
  const char *p = strstr(s, key);
  if (!p) fail_msg("reference JSON: no %s", key);
  p += strlen(key);
  while (*p == ' ' || *p == ':') p++;
  char *e;
  float v = strtof(p, &e);
  if (end) *end = e;
  return v;
}

static inline int load_ref(const char *model, const char *image, ref_det *out, int max, int *img_w) {
  char path[1024];
  snprintf(path, sizeof(path), "%s/refdata/mediapipe/face_detection_solution_cpu.json",
           shared_dir());
  char *json = read_file(path, NULL);
  if (!json) fail_msg("cannot read %s", path);
  char mkey[64], ikey[128];
  snprintf(mkey, sizeof(mkey), "\"model\": \"%s\"", model);
  snprintf(ikey, sizeof(ikey), "\"image\": \"%s\"", image);
  const char *p = json, *block = NULL;
  while ((p = strstr(p, mkey)) != NULL) {
    const char *im = strstr(p, "\"image\"");
    if (im && strncmp(im, ikey, strlen(ikey)) == 0) {
      block = im;
      break;
    }
    p += strlen(mkey);
  }
  if (!block) fail_msg("no reference for %s / %s", model, image);
  const char *next = strstr(block, "\"model\"");
  *img_w = (int)num_after(block, "\"image_size_wh\": [", NULL);
  const char *dets = strstr(block, "\"detections\": [");
  int n = 0;
  const char *q = dets + strlen("\"detections\": [");
  while (n < max) {
    const char *sc = strstr(q, "\"score\"");
    if (!sc || (next && sc > next)) break;
    ref_det *r = &out[n++];
    r->score = num_after(sc, "\"score\"", NULL);
    r->xmin = num_after(sc, "\"xmin\"", NULL);
    r->ymin = num_after(sc, "\"ymin\"", NULL);
    r->width = num_after(sc, "\"width\"", NULL);
    r->height = num_after(sc, "\"height\"", NULL);
    const char *k = strstr(sc, "\"keypoints\"");
    k = strchr(k, '[') + 1;
    for (int i = 0; i < 6; i++) {
      k = strchr(k, '[') + 1;
      char *e;
      r->kp[i][0] = strtof(k, &e);
      k = strchr(e, ',') + 1;
      r->kp[i][1] = strtof(k, &e);
      k = e;
    }
    q = k;
  }
  free(json);
  return n;
}

#endif /* ODAI_TEST_MP_REF_H */
