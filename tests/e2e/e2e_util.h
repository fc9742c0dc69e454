/* Helpers of the end-to-end tests (tests/e2e): paths from the test
 * environment, running a config with string side packets, reading the
 * DetectionsJsonWriter's JSON Lines, IoU and keypoint errors against
 * MediaPipe's reference detections (tests/vision/mp_ref.h). Test code. */
#ifndef ODAI_TEST_E2E_UTIL_H
#define ODAI_TEST_E2E_UTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "odai/graph.h"
#include "odai/packet.h"

#include "../vision/mp_ref.h"

static inline const char *env_dir(const char *var) {
  const char *d = getenv(var);
  if (!d || !*d) fail_msg("%s is not set (run through ctest)", var);
  return d;
}

/* $ODAI_MEDIA_DIR/name, failing clearly when the file is missing. */
static inline void media_path(char *out, size_t n, const char *name) {
  snprintf(out, n, "%s/%s", env_dir("ODAI_MEDIA_DIR"), name);
  if (access(out, R_OK) != 0) fail_msg("missing media file %s (run scripts/fetch-media.sh)", out);
}

/* Run a config file (or text when `text` is set) with NAME=VALUE string side
 * packets (NULL-terminated list of pairs) until done. */
static inline void run_config(const char *path, const char *text, const char *const *sides) {
  odai_graph *g = NULL;
  odai_error err = {0};
  odai_status st = text ? odai_graph_create(text, strlen(text), path, &g, &err)
                        : odai_graph_create_from_file(path, &g, &err);
  if (st) fail_msg("%s: %s", path, err.message);
  for (int i = 0; sides && sides[i]; i += 2)
    assert_int_equal(odai_graph_set_side_packet(g, sides[i], odai_packet_new_string(sides[i + 1], ODAI_TS_UNSET)),
                     ODAI_OK);
  if (odai_graph_start(g, &err) || odai_graph_wait_until_done(g, &err)) {
    odai_graph_destroy(g);
    fail_msg("%s: %s", path, err.message);
  }
  odai_graph_destroy(g);
}

/* One detection as written by DetectionsJsonWriterCalculator. */
typedef struct jdet {
  float score, xmin, ymin, width, height;
  float kp[8][2];
  int n_kp;
  char label[32];
} jdet;

typedef struct jframe {
  char source[128];
  long long ts;
  jdet d[32];
  int n;
} jframe;

/* Parse one JSON line (the writer's fixed layout); false at a malformed line. */
static inline bool parse_jline(const char *line, jframe *f) {
  memset(f, 0, sizeof *f);
  const char *p = strstr(line, "\"timestamp_us\":");
  if (!p) return false;
  f->ts = strtoll(p + 15, NULL, 10);
  const char *s = strstr(line, "\"source\": \"");
  if (s) {
    s += 11;
    size_t k = 0;
    while (s[k] && s[k] != '"' && k + 1 < sizeof f->source) {
      f->source[k] = s[k];
      k++;
    }
    f->source[k] = 0;
  }
  const char *q = strstr(line, "\"detections\": [");
  if (!q) return false;
  while ((q = strstr(q, "\"score\":")) && f->n < 32) {
    jdet *d = &f->d[f->n++];
    d->score = strtof(q + 8, NULL);
    const char *lb = strstr(q, "\"label\": \"");
    const char *next = strstr(q + 8, "\"score\":");
    if (lb && (!next || lb < next)) sscanf(lb + 10, "%31[^\"]", d->label);
    d->xmin = num_after(q, "\"xmin\":", NULL);
    d->ymin = num_after(q, "\"ymin\":", NULL);
    d->width = num_after(q, "\"width\":", NULL);
    d->height = num_after(q, "\"height\":", NULL);
    const char *k = strstr(q, "\"keypoints\": [");
    if (k && (!next || k < next)) {
      k += 14;
      while (*k == '[' && d->n_kp < 8) {
        char *e;
        d->kp[d->n_kp][0] = strtof(k + 1, &e);
        d->kp[d->n_kp][1] = strtof(e + 1, &e);
        d->n_kp++;
        k = e + 1; /* past ']' */
        if (*k == ',') k++;
        while (*k == ' ') k++;
      }
    }
    q += 8;
  }
  return true;
}

/* All frames of a JSON Lines file (at most max). */
static inline int read_jsonl(const char *path, jframe *frames, int max) {
  char *txt = read_file(path, NULL);
  if (!txt) fail_msg("no detections file %s", path);
  int n = 0;
  for (char *line = strtok(txt, "\n"); line && n < max; line = strtok(NULL, "\n")) {
    if (!parse_jline(line, &frames[n])) fail_msg("%s: malformed line: %.200s", path, line);
    n++;
  }
  free(txt);
  return n;
}

static inline float box_iou(float ax, float ay, float aw, float ah, float bx, float by, float bw, float bh) {
  float x0 = fmaxf(ax, bx), y0 = fmaxf(ay, by);
  float x1 = fminf(ax + aw, bx + bw), y1 = fminf(ay + ah, by + bh);
  float i = fmaxf(0, x1 - x0) * fmaxf(0, y1 - y0);
  float u = aw * ah + bw * bh - i;
  return u > 0 ? i / u : 0;
}

#endif
