/* calculators/common/payload_types.c: the packet payload types of the
 * built-in calculators (odai/packet_types.h) and odai_tensors. graph/ knows
 * none of these; they live here, above graph, inference and io. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "odai/packet_types.h"

/* ---- odai_tensors ---- */

odai_tensors *odai_tensors_create(int count) {
  if (count < 0 || count > 4096) return NULL;
  odai_tensors *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  if (count > 0) {
    t->v = calloc((size_t)count, sizeof *t->v);
    if (!t->v) {
      free(t);
      return NULL;
    }
  }
  t->count = count;
  return t;
}

size_t odai_tensor_elements(const odai_tensor *t) {
  size_t n = 1;
  for (int i = 0; i < t->rank; i++) n *= (size_t)(t->shape[i] > 0 ? t->shape[i] : 0);
  return n;
}

/* A small cache of freed tensor buffers (by exact size), so per-frame
 * tensors of a steady stream reuse memory instead of paying malloc,
 * page faults and munmap each frame (glibc serves >128 KiB with mmap).
 * Bounded: at most k_cache_slots buffers of at most k_cache_max bytes. */
enum { k_cache_slots = 8 };
static const size_t k_cache_max = 8u << 20;
static pthread_mutex_t g_cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
  void *p;
  size_t size;
} g_cache[k_cache_slots]; /* guarded by g_cache_mu */

static void *buf_get(size_t alloc) {
  void *p = NULL;
  pthread_mutex_lock(&g_cache_mu);
  for (int i = 0; i < k_cache_slots; i++) {
    if (g_cache[i].p && g_cache[i].size == alloc) {
      p = g_cache[i].p;
      g_cache[i].p = NULL;
      break;
    }
  }
  pthread_mutex_unlock(&g_cache_mu);
  return p ? p : aligned_alloc(64, alloc);
}

static void buf_put(void *p, size_t alloc) {
  if (!p) return;
  if (alloc >= 4096 && alloc <= k_cache_max) {
    pthread_mutex_lock(&g_cache_mu);
    for (int i = 0; i < k_cache_slots; i++) {
      if (!g_cache[i].p) {
        g_cache[i].p = p;
        g_cache[i].size = alloc;
        p = NULL;
        break;
      }
    }
    pthread_mutex_unlock(&g_cache_mu);
  }
  free(p);
}

static size_t alloc_size(size_t bytes) {
  size_t a = (bytes + 63) & ~(size_t)63;
  return a ? a : 64;
}

static odai_status tensor_alloc(odai_tensors *t, int i, odai_dtype dtype, int rank,
                                const int32_t *shape, bool zero) {
  if (!t || i < 0 || i >= t->count || rank < 0 || rank > ODAI_TENSOR_MAX_DIMS) return ODAI_E_INVALID;
  size_t esz = odai_dtype_size(dtype);
  if (!esz) return ODAI_E_INVALID;
  odai_tensor *x = &t->v[i];
  size_t n = 1;
  for (int d = 0; d < rank; d++) {
    if (shape[d] < 0 || (shape[d] > 0 && n > SIZE_MAX / 64 / (size_t)shape[d])) return ODAI_E_INVALID;
    n *= (size_t)shape[d];
  }
  size_t bytes = n * esz;
  void *data = buf_get(alloc_size(bytes));
  if (!data) return ODAI_E_NOMEM;
  if (zero) memset(data, 0, alloc_size(bytes));
  if (x->data) buf_put(x->data, alloc_size(x->bytes));
  x->data = data;
  x->dtype = dtype;
  x->rank = rank;
  for (int d = 0; d < rank; d++) x->shape[d] = shape[d];
  x->bytes = bytes;
  return ODAI_OK;
}

odai_status odai_tensors_alloc(odai_tensors *t, int i, odai_dtype dtype, int rank,
                               const int32_t *shape) {
  return tensor_alloc(t, i, dtype, rank, shape, true);
}

odai_status odai_tensors_alloc_uninit(odai_tensors *t, int i, odai_dtype dtype, int rank,
                                      const int32_t *shape) {
  return tensor_alloc(t, i, dtype, rank, shape, false);
}

void odai_tensors_free(odai_tensors *t) {
  if (!t) return;
  for (int i = 0; i < t->count; i++)
    if (t->v[i].data) buf_put(t->v[i].data, alloc_size(t->v[i].bytes));
  free(t->v);
  free(t);
}

odai_tensors *odai_tensors_clone(const odai_tensors *t) {
  if (!t) return NULL;
  odai_tensors *c = odai_tensors_create(t->count);
  if (!c) return NULL;
  for (int i = 0; i < t->count; i++) {
    if (!t->v[i].data) continue;
    if (odai_tensors_alloc(c, i, t->v[i].dtype, t->v[i].rank, t->v[i].shape) != ODAI_OK) {
      odai_tensors_free(c);
      return NULL;
    }
    memcpy(c->v[i].data, t->v[i].data, t->v[i].bytes);
  }
  return c;
}

/* ---- payload types ---- */

static void image_destroy(void *p) { odai_image_unref(p); }
static void *image_clone(const void *p) {
  odai_image *c = NULL;
  return odai_image_copy(p, &c) == ODAI_OK ? c : NULL;
}
static int image_print(const void *p, char *buf, size_t n) {
  const odai_image *img = p;
  return snprintf(buf, n, "%dx%d %s", odai_image_width(img), odai_image_height(img),
                  odai_pixel_format_name(odai_image_format(img)));
}

static void tensors_destroy(void *p) { odai_tensors_free(p); }
static void *tensors_clone(const void *p) { return odai_tensors_clone(p); }
static int tensors_print(const void *p, char *buf, size_t n) {
  const odai_tensors *t = p;
  return snprintf(buf, n, "%d tensors", t->count);
}

static void detections_destroy(void *p) { odai_detections_free(p); }
static void *detections_clone(const void *p) { return odai_detections_clone(p); }
static int detections_print(const void *p, char *buf, size_t n) {
  const odai_detections *d = p;
  return snprintf(buf, n, "%zu detections", d->count);
}

static void render_destroy(void *p) { odai_render_data_free(p); }

static void norm_rect_destroy(void *p) { free(p); }
static void *norm_rect_clone(const void *p) {
  odai_norm_rect *c = malloc(sizeof *c);
  if (c) memcpy(c, p, sizeof *c);
  return c;
}

static void *rect_clone(const void *p) {
  odai_rect *c = malloc(sizeof *c);
  if (c) memcpy(c, p, sizeof *c);
  return c;
}

static void norm_rects_destroy(void *p) {
  odai_norm_rects_fini(p);
  free(p);
}

static void landmarks_destroy(void *p) {
  odai_landmarks_fini(p);
  free(p);
}

static void float_vector_destroy(void *p) {
  odai_float_vector *v = p;
  free(v->v);
  free(v);
}

static void plain_free(void *p) { free(p); }

odai_embeddings *odai_embeddings_create(size_t count) {
  odai_embeddings *e = calloc(1, sizeof *e);
  if (!e) return NULL;
  size_t n = count ? count : 1;
  e->items = calloc(n, sizeof *e->items);
  e->skip_reasons = calloc(n, sizeof *e->skip_reasons);
  if (!e->items || !e->skip_reasons) {
    free(e->items);
    free(e->skip_reasons);
    free(e);
    return NULL;
  }
  e->count = count;
  return e;
}

void odai_embeddings_free(odai_embeddings *e) {
  if (!e) return;
  for (size_t i = 0; i < e->count; i++) odai_embedding_free(e->items[i]);
  free(e->items);
  free(e->skip_reasons);
  free(e);
}

static void embeddings_destroy(void *p) { odai_embeddings_free(p); }

const odai_type odai_type_image = {"odai.Image", image_destroy, image_clone, image_print};
const odai_type odai_type_tensors = {"odai.Tensors", tensors_destroy, tensors_clone, tensors_print};
const odai_type odai_type_detections = {"odai.Detections", detections_destroy, detections_clone,
                                        detections_print};
const odai_type odai_type_rect = {"odai.Rect", plain_free, rect_clone, NULL};
const odai_type odai_type_norm_rect = {"odai.NormalizedRect", norm_rect_destroy, norm_rect_clone,
                                       NULL};
const odai_type odai_type_norm_rects = {"odai.NormalizedRects", norm_rects_destroy, NULL, NULL};
const odai_type odai_type_landmarks = {"odai.Landmarks", landmarks_destroy, NULL, NULL};
const odai_type odai_type_render_data = {"odai.RenderData", render_destroy, NULL, NULL};
const odai_type odai_type_float_vector = {"odai.FloatVector", float_vector_destroy, NULL, NULL};
const odai_type odai_type_image_size = {"odai.ImageSize", plain_free, NULL, NULL};
const odai_type odai_type_embeddings = {"odai.Embeddings", embeddings_destroy, NULL, NULL};

static odai_packet *make(const odai_type *type, void *payload, odai_timestamp ts) {
  if (!payload) return NULL;
  odai_packet *p = NULL;
  if (odai_packet_new(type, payload, &p) != ODAI_OK) return NULL; /* payload freed by type */
  odai_packet *q = odai_packet_at(p, ts);
  odai_packet_unref(p);
  return q;
}

odai_packet *odai_packet_new_image(odai_image *img, odai_timestamp ts) {
  return make(&odai_type_image, img, ts);
}
odai_packet *odai_packet_new_tensors(odai_tensors *t, odai_timestamp ts) {
  return make(&odai_type_tensors, t, ts);
}
odai_packet *odai_packet_new_detections(odai_detections *d, odai_timestamp ts) {
  return make(&odai_type_detections, d, ts);
}
odai_packet *odai_packet_new_render_data(odai_render_data *rd, odai_timestamp ts) {
  return make(&odai_type_render_data, rd, ts);
}
odai_packet *odai_packet_new_rect(odai_rect *r, odai_timestamp ts) {
  return make(&odai_type_rect, r, ts);
}
odai_packet *odai_packet_new_norm_rect(odai_norm_rect *r, odai_timestamp ts) {
  return make(&odai_type_norm_rect, r, ts);
}
odai_packet *odai_packet_new_norm_rects(odai_norm_rects *r, odai_timestamp ts) {
  return make(&odai_type_norm_rects, r, ts);
}
odai_packet *odai_packet_new_float_vector(odai_float_vector *v, odai_timestamp ts) {
  return make(&odai_type_float_vector, v, ts);
}
odai_packet *odai_packet_new_embeddings(odai_embeddings *e, odai_timestamp ts) {
  return make(&odai_type_embeddings, e, ts);
}
odai_packet *odai_packet_new_image_size(int width, int height, odai_timestamp ts) {
  odai_image_size *s = malloc(sizeof *s);
  if (!s) return NULL;
  s->width = width;
  s->height = height;
  return make(&odai_type_image_size, s, ts);
}

const odai_image *odai_packet_image(const odai_packet *pkt) {
  return pkt ? odai_packet_get(pkt, &odai_type_image) : NULL;
}
const odai_tensors *odai_packet_tensors(const odai_packet *pkt) {
  return pkt ? odai_packet_get(pkt, &odai_type_tensors) : NULL;
}
const odai_detections *odai_packet_detections(const odai_packet *pkt) {
  return pkt ? odai_packet_get(pkt, &odai_type_detections) : NULL;
}
const odai_render_data *odai_packet_render_data(const odai_packet *pkt) {
  return pkt ? odai_packet_get(pkt, &odai_type_render_data) : NULL;
}
const odai_rect *odai_packet_rect(const odai_packet *pkt) {
  return pkt ? odai_packet_get(pkt, &odai_type_rect) : NULL;
}
const odai_norm_rect *odai_packet_norm_rect(const odai_packet *pkt) {
  return pkt ? odai_packet_get(pkt, &odai_type_norm_rect) : NULL;
}
const odai_norm_rects *odai_packet_norm_rects(const odai_packet *pkt) {
  return pkt ? odai_packet_get(pkt, &odai_type_norm_rects) : NULL;
}
const odai_embeddings *odai_packet_embeddings(const odai_packet *pkt) {
  return pkt ? odai_packet_get(pkt, &odai_type_embeddings) : NULL;
}

void odai_packet_types_register(void) {
  static atomic_int done;
  if (atomic_exchange(&done, 1)) return;
  const odai_type *all[] = {&odai_type_image,      &odai_type_tensors,     &odai_type_detections,
                            &odai_type_rect, &odai_type_norm_rect,  &odai_type_norm_rects,  &odai_type_landmarks,
                            &odai_type_render_data, &odai_type_float_vector, &odai_type_image_size,
                            &odai_type_embeddings};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) odai_type_register(all[i], NULL);
}
