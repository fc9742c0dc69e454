/* A small IoU tracker behind DetectionTrackingCalculator: detections of
 * consecutive frames are matched greedily to live tracks by box overlap, so
 * ids stay stable across frames and survive a few missed frames; the track
 * also remembers the last recognised identity. */
#include <stdlib.h>
#include <string.h>

#include "detection_ops.h"

typedef struct track {
  int64_t id;
  int32_t label_id;
  int missed; /* consecutive frames without a match */
  odai_detection last;
} track;

typedef struct pair {
  float iou;
  uint32_t t, d;
} pair;

struct odai_tracker {
  odai_tracker_options opt;
  int64_t next_id;
  track *tracks;
  size_t ntracks, cap_tracks;
  pair *pairs; /* scratch: candidate matches */
  size_t cap_pairs;
  uint8_t *used_t, *used_d;
  size_t cap_t, cap_d;
};

void odai_tracker_options_init(odai_tracker_options *o) {
  o->iou_threshold = 0.3f;
  o->max_missed_frames = 5;
}

odai_tracker *odai_tracker_create(const odai_tracker_options *o, odai_error *err) {
  odai_tracker_options def;
  if (!o) {
    odai_tracker_options_init(&def);
    o = &def;
  }
  if (!(o->iou_threshold >= 0.0f && o->iou_threshold <= 1.0f) || o->max_missed_frames < 0) {
    odai_error_set(err, ODAI_E_INVALID,
                   "tracker: iou_threshold must be in [0,1] and max_missed_frames >= 0");
    return NULL;
  }
  odai_tracker *t = calloc(1, sizeof(*t));
  if (!t) {
    odai_error_set(err, ODAI_E_NOMEM, "tracker: out of memory");
    return NULL;
  }
  t->opt = *o;
  t->next_id = 1;
  return t;
}

void odai_tracker_free(odai_tracker *t) {
  if (!t) return;
  free(t->tracks);
  free(t->pairs);
  free(t->used_t);
  free(t->used_d);
  free(t);
}

size_t odai_tracker_num_tracks(const odai_tracker *t) { return t ? t->ntracks : 0; }

static int grow(void **p, size_t *cap, size_t n, size_t elem) {
  if (n <= *cap) return 0;
  size_t c = *cap ? *cap : 16;
  while (c < n) c *= 2;
  void *q = realloc(*p, c * elem);
  if (!q) return -1;
  *p = q;
  *cap = c;
  return 0;
}

static int cmp_pair(const void *a, const void *b) {
  const pair *x = a, *y = b;
  if (x->iou != y->iou) return x->iou < y->iou ? 1 : -1;
  if (x->t != y->t) return x->t < y->t ? -1 : 1;
  return x->d < y->d ? -1 : (x->d > y->d);
}

static void set_identity(odai_detection *d, const odai_detection *from) {
  memcpy(d->identity, from->identity, sizeof(d->identity));
  d->identity_similarity = from->identity_similarity;
}

odai_status odai_tracker_update(odai_tracker *t, odai_detections *dets, odai_error *err) {
  if (!t || !dets) return odai_error_set(err, ODAI_E_INVALID, "tracker: NULL argument");
  const size_t nt = t->ntracks, nd = dets->count;
  if (grow((void **)&t->used_t, &t->cap_t, nt + 1, 1) ||
      grow((void **)&t->used_d, &t->cap_d, nd + 1, 1) ||
      grow((void **)&t->tracks, &t->cap_tracks, nt + nd + 1, sizeof(track)))
    return odai_error_set(err, ODAI_E_NOMEM, "tracker: out of memory");
  if (nt && nd && nt > SIZE_MAX / nd)
    return odai_error_set(err, ODAI_E_INVALID, "tracker: too many");
  if (grow((void **)&t->pairs, &t->cap_pairs, nt * nd + 1, sizeof(pair)))
    return odai_error_set(err, ODAI_E_NOMEM, "tracker: out of memory");
  memset(t->used_t, 0, nt);
  memset(t->used_d, 0, nd);

  size_t np = 0;
  for (size_t i = 0; i < nt; i++)
    for (size_t j = 0; j < nd; j++) {
      if (t->tracks[i].label_id != dets->items[j].label_id) continue;
      float iou = odai_box_overlap(ODAI_OVERLAP_INTERSECTION_OVER_UNION, &t->tracks[i].last,
                                   &dets->items[j]);
      if (iou >= t->opt.iou_threshold && iou > 0.0f)
        t->pairs[np++] = (pair){iou, (uint32_t)i, (uint32_t)j};
    }
  qsort(t->pairs, np, sizeof(pair), cmp_pair);
  for (size_t p = 0; p < np; p++) {
    pair *pr = &t->pairs[p];
    if (t->used_t[pr->t] || t->used_d[pr->d]) continue;
    t->used_t[pr->t] = t->used_d[pr->d] = 1;
    track *tr = &t->tracks[pr->t];
    odai_detection *d = &dets->items[pr->d];
    d->track_id = tr->id;
    if (d->identity[0] == '\0' && tr->last.identity[0] != '\0') set_identity(d, &tr->last);
    tr->last = *d;
    tr->missed = 0;
  }
  /* Age unmatched tracks, drop the stale ones (compacting in place). */
  size_t w = 0;
  for (size_t i = 0; i < nt; i++) {
    track tr = t->tracks[i];
    if (!t->used_t[i]) tr.missed++;
    if (tr.missed <= t->opt.max_missed_frames) t->tracks[w++] = tr;
  }
  /* New tracks for unmatched detections. */
  for (size_t j = 0; j < nd; j++) {
    if (t->used_d[j]) continue;
    odai_detection *d = &dets->items[j];
    track *tr = &t->tracks[w++];
    tr->id = t->next_id++;
    tr->label_id = d->label_id;
    tr->missed = 0;
    d->track_id = tr->id;
    tr->last = *d;
  }
  t->ntracks = w;
  return ODAI_OK;
}
