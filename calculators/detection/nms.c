/* Non-maximum suppression over relative boxes, following MediaPipe's
 * NonMaxSuppressionCalculator: DEFAULT (keep the best of each overlapping
 * group) and WEIGHTED (score-weighted average of the group), with
 * MediaPipe's three overlap measures. Consumes decode.c's output. */
#include <stdlib.h>
#include <string.h>

#include "detection_ops.h"

void odai_nms_options_init(odai_nms_options *o) {
  memset(o, 0, sizeof(*o));
  o->num_detection_streams = 1;
  o->max_num_detections = -1;
  o->min_score_threshold = -1.0f;
  o->min_suppression_threshold = 1.0f;
  o->overlap_type = ODAI_OVERLAP_JACCARD;
  o->algorithm = ODAI_NMS_DEFAULT;
}

void odai_nms_scratch_fini(odai_nms_scratch *s) {
  if (!s) return;
  free(s->order);
  free(s->remained);
  free(s->candidates);
  memset(s, 0, sizeof(*s));
}

static odai_status scratch_reserve(odai_nms_scratch *s, size_t n, odai_error *err) {
  if (n <= s->capacity) return ODAI_OK;
  size_t cap = s->capacity ? s->capacity : 64;
  while (cap < n) cap *= 2;
  uint32_t *a = realloc(s->order, cap * sizeof(uint32_t));
  if (!a) goto fail;
  s->order = a;
  a = realloc(s->remained, cap * sizeof(uint32_t));
  if (!a) goto fail;
  s->remained = a;
  a = realloc(s->candidates, cap * sizeof(uint32_t));
  if (!a) goto fail;
  s->candidates = a;
  s->capacity = cap;
  return ODAI_OK;
fail:
  return odai_error_set(err, ODAI_E_NOMEM, "NonMaxSuppression: out of memory");
}

float odai_box_overlap(odai_overlap_type type, const odai_detection *a, const odai_detection *b) {
  const float ax0 = a->xmin, ay0 = a->ymin, ax1 = a->xmin + a->width, ay1 = a->ymin + a->height;
  const float bx0 = b->xmin, by0 = b->ymin, bx1 = b->xmin + b->width, by1 = b->ymin + b->height;
  /* Rectangle_f::Intersects: empty (inverted) boxes and disjoint ones give 0;
   * touching edges count as intersecting with zero area. */
  if (ax0 > ax1 || ay0 > ay1 || bx0 > bx1 || by0 > by1) return 0.0f;
  if (bx1 < ax0 || ax1 < bx0 || by1 < ay0 || ay1 < by0) return 0.0f;
  const float ix0 = ax0 > bx0 ? ax0 : bx0, iy0 = ay0 > by0 ? ay0 : by0;
  const float ix1 = ax1 < bx1 ? ax1 : bx1, iy1 = ay1 < by1 ? ay1 : by1;
  const float inter = (ix1 - ix0) * (iy1 - iy0);
  const float area_a = (ax1 - ax0) * (ay1 - ay0), area_b = (bx1 - bx0) * (by1 - by0);
  float norm;
  switch (type) {
    case ODAI_OVERLAP_MODIFIED_JACCARD:
      norm = area_b;
      break;
    case ODAI_OVERLAP_INTERSECTION_OVER_UNION:
      norm = area_a + area_b - inter;
      break;
    case ODAI_OVERLAP_INTERSECTION_OVER_MIN:
      norm = area_a < area_b ? area_a : area_b;
      break;
    case ODAI_OVERLAP_JACCARD:
    default: {
      /* MediaPipe's Rectangle::Union is the enclosing box, not the set union. */
      const float ux0 = ax0 < bx0 ? ax0 : bx0, uy0 = ay0 < by0 ? ay0 : by0;
      const float ux1 = ax1 > bx1 ? ax1 : bx1, uy1 = ay1 > by1 ? ay1 : by1;
      norm = (ux1 - ux0) * (uy1 - uy0);
      break;
    }
  }
  return norm > 0.0f ? inter / norm : 0.0f;
}

/* Sort indices by decreasing score; ties keep input order (insertion sort is
 * stable and fast for the few hundred candidates NMS sees after the score
 * threshold; a merge pass keeps big inputs O(n log n)). */
static void merge_sort(uint32_t *v, uint32_t *tmp, size_t n, const odai_detection *it) {
  if (n < 24) {
    for (size_t i = 1; i < n; i++) {
      uint32_t x = v[i];
      size_t j = i;
      while (j > 0 && it[v[j - 1]].score < it[x].score) {
        v[j] = v[j - 1];
        j--;
      }
      v[j] = x;
    }
    return;
  }
  size_t h = n / 2;
  merge_sort(v, tmp, h, it);
  merge_sort(v + h, tmp, n - h, it);
  size_t i = 0, j = h, k = 0;
  while (i < h && j < n) tmp[k++] = (it[v[j]].score > it[v[i]].score) ? v[j++] : v[i++];
  while (i < h) tmp[k++] = v[i++];
  while (j < n) tmp[k++] = v[j++];
  memcpy(v, tmp, n * sizeof(*v));
}

static odai_status nms_default(const odai_nms_options *o, const odai_detections *in,
                               const uint32_t *order, size_t n, size_t max_out,
                               odai_detections *out, odai_error *err) {
  for (size_t r = 0; r < n; r++) {
    const odai_detection *d = &in->items[order[r]];
    if (o->min_score_threshold > 0 && d->score < o->min_score_threshold) break;
    bool suppressed = false;
    for (size_t k = 0; k < out->count; k++) {
      if (odai_box_overlap(o->overlap_type, &out->items[k], d) > o->min_suppression_threshold) {
        suppressed = true;
        break;
      }
    }
    if (!suppressed) {
      odai_status st = odai_detections_push(out, d, err);
      if (st != ODAI_OK) return st;
    }
    if (out->count >= max_out) break;
  }
  return ODAI_OK;
}

static odai_status nms_weighted(const odai_nms_options *o, const odai_detections *in,
                                odai_nms_scratch *s, size_t n, odai_detections *out,
                                odai_error *err) {
  uint32_t *rem = s->order; /* the ordered list shrinks in place */
  size_t nrem = n;
  while (nrem > 0) {
    const odai_detection *top = &in->items[rem[0]];
    if (o->min_score_threshold > 0 && top->score < o->min_score_threshold) break;
    size_t nkeep = 0, ncand = 0;
    for (size_t r = 0; r < nrem; r++) {
      const odai_detection *d = &in->items[rem[r]];
      if (odai_box_overlap(o->overlap_type, d, top) > o->min_suppression_threshold)
        s->candidates[ncand++] = rem[r];
      else
        s->remained[nkeep++] = rem[r];
    }
    odai_detection w = *top;
    if (ncand > 0) {
      float x0 = 0, y0 = 0, x1 = 0, y1 = 0, total = 0;
      float kp[2 * ODAI_DETECTION_MAX_KEYPOINTS] = {0};
      int nk = top->num_keypoints;
      for (size_t c = 0; c < ncand; c++) {
        const odai_detection *d = &in->items[s->candidates[c]];
        const float sc = d->score;
        total += sc;
        x0 += d->xmin * sc;
        y0 += d->ymin * sc;
        x1 += (d->xmin + d->width) * sc;
        y1 += (d->ymin + d->height) * sc;
        for (int k = 0; k < nk; k++) {
          /* MediaPipe reads the same keypoint index from every candidate;
           * a candidate with fewer keypoints contributes (0, 0). */
          if (k < d->num_keypoints) {
            kp[2 * k] += d->keypoints[k].x * sc;
            kp[2 * k + 1] += d->keypoints[k].y * sc;
          }
        }
      }
      w.xmin = x0 / total;
      w.ymin = y0 / total;
      w.width = x1 / total - w.xmin;
      w.height = y1 / total - w.ymin;
      for (int k = 0; k < nk; k++) {
        w.keypoints[k].x = kp[2 * k] / total;
        w.keypoints[k].y = kp[2 * k + 1] / total;
      }
    }
    odai_status st = odai_detections_push(out, &w, err);
    if (st != ODAI_OK) return st;
    if (nkeep == nrem) break; /* nothing was absorbed: MediaPipe stops here */
    memcpy(rem, s->remained, nkeep * sizeof(*rem));
    nrem = nkeep;
  }
  return ODAI_OK;
}

odai_status odai_nms(const odai_nms_options *o, const odai_detections *in, odai_detections *out,
                     odai_nms_scratch *scratch, odai_error *err) {
  if (!o || !in || !out || !scratch || in == out)
    return odai_error_set(err, ODAI_E_INVALID, "NonMaxSuppression: bad arguments");
  if (o->max_num_detections == 0)
    return odai_error_set(err, ODAI_E_INVALID,
                          "NonMaxSuppression: max_num_detections=0 is not valid (use -1 for "
                          "no limit)");
  out->count = 0;
  const size_t n = in->count;
  if (n == 0) return ODAI_OK;
  if (n > UINT32_MAX) return odai_error_set(err, ODAI_E_INVALID, "NonMaxSuppression: too many");
  odai_status st = scratch_reserve(scratch, n, err);
  if (st != ODAI_OK) return st;
  for (size_t i = 0; i < n; i++) scratch->order[i] = (uint32_t)i;
  merge_sort(scratch->order, scratch->remained, n, in->items);
  size_t max_out = o->max_num_detections > -1 ? (size_t)o->max_num_detections : n;
  st = odai_detections_reserve(out, max_out < n ? max_out : n, err);
  if (st != ODAI_OK) return st;
  if (o->algorithm == ODAI_NMS_WEIGHTED) return nms_weighted(o, in, scratch, n, out, err);
  return nms_default(o, in, scratch->order, n, max_out, out, err);
}
