/* Detection, rect, landmark, anchor and render-data list helpers
 * (include/odai/detection.h). Plain growable arrays of inline values: one
 * allocation per list, none per item, so per-frame reuse allocates nothing. */
#include <stdlib.h>
#include <string.h>

#include "odai/detection.h"

/* Grow *items (element size `elem`) to hold at least n; doubling. */
static odai_status grow(void **items, size_t *capacity, size_t n, size_t elem, odai_error *err) {
  if (n <= *capacity) return ODAI_OK;
  size_t cap = *capacity ? *capacity : 8;
  while (cap < n) {
    if (cap > SIZE_MAX / 2 / elem) return odai_error_set(err, ODAI_E_NOMEM, "list too large");
    cap *= 2;
  }
  void *p = realloc(*items, cap * elem);
  if (!p) return odai_error_set(err, ODAI_E_NOMEM, "out of memory growing a list to %zu", cap);
  *items = p;
  *capacity = cap;
  return ODAI_OK;
}

void odai_detection_init(odai_detection *d) {
  memset(d, 0, sizeof(*d));
  d->label_id = -1;
  d->track_id = -1;
}

void odai_detection_set_label(odai_detection *d, const char *label) {
  if (!label) label = "";
  size_t n = strlen(label);
  if (n >= sizeof(d->label)) n = sizeof(d->label) - 1;
  memcpy(d->label, label, n);
  d->label[n] = '\0';
}

void odai_detections_init(odai_detections *list) { memset(list, 0, sizeof(*list)); }

void odai_detections_fini(odai_detections *list) {
  if (!list) return;
  free(list->items);
  memset(list, 0, sizeof(*list));
}

odai_detections *odai_detections_create(size_t capacity) {
  odai_detections *l = calloc(1, sizeof(*l));
  if (!l) return NULL;
  if (capacity && odai_detections_reserve(l, capacity, NULL) != ODAI_OK) {
    free(l);
    return NULL;
  }
  return l;
}

void odai_detections_free(odai_detections *list) {
  if (!list) return;
  free(list->items);
  free(list);
}

odai_status odai_detections_reserve(odai_detections *list, size_t n, odai_error *err) {
  if (!list) return odai_error_set(err, ODAI_E_INVALID, "NULL detections list");
  return grow((void **)&list->items, &list->capacity, n, sizeof(odai_detection), err);
}

odai_status odai_detections_push(odai_detections *list, const odai_detection *d,
                                 odai_error *err) {
  if (!list || !d) return odai_error_set(err, ODAI_E_INVALID, "NULL detections list or item");
  odai_status st = odai_detections_reserve(list, list->count + 1, err);
  if (st != ODAI_OK) return st;
  list->items[list->count++] = *d;
  return ODAI_OK;
}

void odai_detections_clear(odai_detections *list) {
  if (list) list->count = 0;
}

odai_status odai_detections_copy(odai_detections *dst, const odai_detections *src,
                                 odai_error *err) {
  if (!dst || !src) return odai_error_set(err, ODAI_E_INVALID, "NULL detections list");
  if (dst == src) return ODAI_OK;
  odai_status st = odai_detections_reserve(dst, src->count, err);
  if (st != ODAI_OK) return st;
  if (src->count) memcpy(dst->items, src->items, src->count * sizeof(odai_detection));
  dst->count = src->count;
  return ODAI_OK;
}

odai_detections *odai_detections_clone(const odai_detections *src) {
  if (!src) return NULL;
  odai_detections *l = odai_detections_create(src->count);
  if (!l) return NULL;
  if (src->count) memcpy(l->items, src->items, src->count * sizeof(odai_detection));
  l->count = src->count;
  return l;
}

void odai_norm_rects_fini(odai_norm_rects *list) {
  if (!list) return;
  free(list->items);
  memset(list, 0, sizeof(*list));
}

odai_status odai_norm_rects_push(odai_norm_rects *list, const odai_norm_rect *r, odai_error *err) {
  if (!list || !r) return odai_error_set(err, ODAI_E_INVALID, "NULL rect list or rect");
  odai_status st =
      grow((void **)&list->items, &list->capacity, list->count + 1, sizeof(*r), err);
  if (st != ODAI_OK) return st;
  list->items[list->count++] = *r;
  return ODAI_OK;
}

void odai_landmarks_fini(odai_landmarks *list) {
  if (!list) return;
  free(list->items);
  list->items = NULL;
  list->count = list->capacity = 0;
}

odai_status odai_landmarks_push(odai_landmarks *list, const odai_landmark *l, odai_error *err) {
  if (!list || !l) return odai_error_set(err, ODAI_E_INVALID, "NULL landmark list or landmark");
  odai_status st =
      grow((void **)&list->items, &list->capacity, list->count + 1, sizeof(*l), err);
  if (st != ODAI_OK) return st;
  list->items[list->count++] = *l;
  return ODAI_OK;
}

void odai_anchors_fini(odai_anchors *anchors) {
  if (!anchors) return;
  free(anchors->items);
  anchors->items = NULL;
  anchors->count = 0;
}

void odai_render_data_init(odai_render_data *rd) { memset(rd, 0, sizeof(*rd)); }

void odai_render_data_fini(odai_render_data *rd) {
  if (!rd) return;
  free(rd->items);
  memset(rd, 0, sizeof(*rd));
}

odai_render_data *odai_render_data_create(void) { return calloc(1, sizeof(odai_render_data)); }

void odai_render_data_free(odai_render_data *rd) {
  if (!rd) return;
  free(rd->items);
  free(rd);
}

odai_render_annotation *odai_render_data_add(odai_render_data *rd) {
  if (!rd) return NULL;
  if (grow((void **)&rd->items, &rd->capacity, rd->count + 1, sizeof(odai_render_annotation),
           NULL) != ODAI_OK)
    return NULL;
  odai_render_annotation *a = &rd->items[rd->count++];
  memset(a, 0, sizeof(*a));
  a->thickness = 1.0f;
  return a;
}

odai_status odai_render_data_copy(odai_render_data *dst, const odai_render_data *src,
                                  odai_error *err) {
  if (!dst || !src) return odai_error_set(err, ODAI_E_INVALID, "NULL render data");
  if (dst == src) return ODAI_OK;
  odai_status st = grow((void **)&dst->items, &dst->capacity, src->count,
                        sizeof(odai_render_annotation), err);
  if (st != ODAI_OK) return st;
  if (src->count) memcpy(dst->items, src->items, src->count * sizeof(odai_render_annotation));
  dst->count = src->count;
  memcpy(dst->scene_class, src->scene_class, sizeof(dst->scene_class));
  return ODAI_OK;
}
