/* Helpers of the task tests (tests/tasks): media paths from the test
 * environment, reading photos, comparing detection lists and masks, and
 * running a shipped config (configs/) through the graph API to collect one
 * stream's packets. Test code. */
#ifndef ODAI_TEST_TASKS_UTIL_H
#define ODAI_TEST_TASKS_UTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "odai/odai.h"

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

static inline odai_image *read_media(const char *name, odai_pixel_format fmt) {
  char p[1024];
  media_path(p, sizeof p, name);
  odai_image *img = NULL;
  odai_error err;
  if (odai_image_read_file(p, fmt, &img, &err) != ODAI_OK) fail_msg("%s: %s", p, err.message);
  return img;
}

/* Two copies of a w x h crop of src at x, y side by side (two faces for
 * max_results tests). */
static inline odai_image *side_by_side(const odai_image *src, int x0, int y0, int w, int h) {
  odai_image *img = NULL, *out = NULL;
  assert_int_equal(odai_image_crop_copy(src, x0, y0, w, h, &img, NULL), ODAI_OK);
  assert_int_equal(odai_image_new(2 * w, h, ODAI_PIXEL_RGB8, &out), ODAI_OK);
  for (int y = 0; y < h; y++) {
    const uint8_t *s = odai_image_cdata(img, 0) + (size_t)y * (size_t)odai_image_stride(img, 0);
    uint8_t *d = odai_image_data(out, 0) + (size_t)y * (size_t)odai_image_stride(out, 0);
    memcpy(d, s, (size_t)w * 3);
    memcpy(d + (size_t)w * 3, s, (size_t)w * 3);
  }
  odai_image_unref(img);
  return out;
}

/* Largest absolute difference between two detection lists' boxes, scores
 * and keypoints (lists in the same order); INFINITY when counts differ. */
static inline double detections_diff(const odai_detections *a, const odai_detections *b) {
  size_t na = a ? a->count : 0, nb = b ? b->count : 0;
  if (na != nb) return INFINITY;
  double m = 0;
  for (size_t i = 0; i < na; i++) {
    const odai_detection *x = &a->items[i], *y = &b->items[i];
    double v[5] = {x->score - y->score, x->xmin - y->xmin, x->ymin - y->ymin,
                   x->width - y->width, x->height - y->height};
    for (int k = 0; k < 5; k++) m = fmax(m, fabs(v[k]));
    if (x->num_keypoints != y->num_keypoints) return INFINITY;
    for (int k = 0; k < x->num_keypoints; k++) {
      m = fmax(m, fabs(x->keypoints[k].x - y->keypoints[k].x));
      m = fmax(m, fabs(x->keypoints[k].y - y->keypoints[k].y));
    }
  }
  return m;
}

/* Largest absolute difference of two F32 masks of one size (INFINITY if
 * sizes or formats differ). */
static inline double mask_diff(const odai_image *a, const odai_image *b) {
  if (!a || !b || odai_image_width(a) != odai_image_width(b) ||
      odai_image_height(a) != odai_image_height(b) || odai_image_format(a) != ODAI_PIXEL_F32 ||
      odai_image_format(b) != ODAI_PIXEL_F32)
    return INFINITY;
  double m = 0;
  for (int y = 0; y < odai_image_height(a); y++) {
    const float *p = (const float *)(const void *)(odai_image_cdata(a, 0) +
                                                   (size_t)y * (size_t)odai_image_stride(a, 0));
    const float *q = (const float *)(const void *)(odai_image_cdata(b, 0) +
                                                   (size_t)y * (size_t)odai_image_stride(b, 0));
    for (int x = 0; x < odai_image_width(a); x++) m = fmax(m, fabs((double)p[x] - q[x]));
  }
  return m;
}

/* Packets of one stream, collected by an observer. */
typedef struct collected {
  odai_packet *pkts[64];
  int n;
} collected;

static inline odai_status collect_cb(void *user, const odai_packet *pkt) {
  collected *c = user;
  if (c->n < 64) c->pkts[c->n++] = odai_packet_ref(pkt);
  return ODAI_OK;
}

static inline void collected_free(collected *c) {
  for (int i = 0; i < c->n; i++) odai_packet_unref(c->pkts[i]);
  c->n = 0;
}

/* Run $ODAI_SOURCE_DIR/configs/<config> (what odai-run runs) on one media
 * file (input_video_path) and collect `stream`. */
static inline void run_shipped_config(const char *config, const char *media, const char *stream,
                                      collected *out) {
  char path[1024], in[1024];
  snprintf(path, sizeof path, "%s/configs/%s", env_dir("ODAI_SOURCE_DIR"), config);
  media_path(in, sizeof in, media);
  odai_graph *g = NULL;
  odai_error err = {0};
  if (odai_graph_create_from_file(path, &g, &err) != ODAI_OK) fail_msg("%s: %s", path, err.message);
  assert_int_equal(odai_graph_set_side_packet(g, "input_video_path",
                                              odai_packet_new_string(in, ODAI_TS_UNSET)),
                   ODAI_OK);
  assert_int_equal(odai_graph_observe_output(g, stream, collect_cb, out), ODAI_OK);
  if (odai_graph_start(g, &err) != ODAI_OK || odai_graph_wait_until_done(g, &err) != ODAI_OK) {
    odai_graph_destroy(g);
    fail_msg("%s on %s: %s", config, media, err.message);
  }
  odai_graph_destroy(g);
}

#endif /* ODAI_TEST_TASKS_UTIL_H */
