/* io/image.c: the odai_image type: pixel format table, plane layout,
 * refcounting, buffer pools (steady-state zero allocation), wrapping of
 * foreign buffers and zero-copy crop views. Pixel work is in
 * image_convert.c and image_transform.c; codecs in jpeg.c and png.c. */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "image_internal.h"

/* ---- formats ------------------------------------------------------------ */

typedef struct fmt_info {
  const char *name;
  int planes;
  int bpp; /* bytes per pixel of plane 0 */
  int channels;
  bool yuv;
} fmt_info;

static const fmt_info k_formats[ODAI_PIXEL_COUNT] = {
    [ODAI_PIXEL_UNKNOWN] = {"unknown", 0, 0, 0, false},
    [ODAI_PIXEL_RGB8] = {"rgb8", 1, 3, 3, false},
    [ODAI_PIXEL_RGBA8] = {"rgba8", 1, 4, 4, false},
    [ODAI_PIXEL_BGR8] = {"bgr8", 1, 3, 3, false},
    [ODAI_PIXEL_BGRA8] = {"bgra8", 1, 4, 4, false},
    [ODAI_PIXEL_GRAY8] = {"gray8", 1, 1, 1, false},
    [ODAI_PIXEL_YUYV] = {"yuyv", 1, 2, 3, true},
    [ODAI_PIXEL_NV12] = {"nv12", 2, 1, 3, true},
    [ODAI_PIXEL_I420] = {"i420", 3, 1, 3, true},
    [ODAI_PIXEL_F32] = {"f32", 1, 4, 1, false},
    [ODAI_PIXEL_F32C3] = {"f32c3", 1, 12, 3, false},
};

static bool fmt_valid(odai_pixel_format f) { return f > ODAI_PIXEL_UNKNOWN && f < ODAI_PIXEL_COUNT; }

const char *odai_pixel_format_name(odai_pixel_format fmt) {
  return fmt_valid(fmt) ? k_formats[fmt].name : "unknown";
}

odai_pixel_format odai_pixel_format_from_name(const char *name) {
  static const struct {
    const char *alias;
    odai_pixel_format fmt;
  } aliases[] = {{"rgb", ODAI_PIXEL_RGB8},    {"rgba", ODAI_PIXEL_RGBA8}, {"bgr", ODAI_PIXEL_BGR8},
                 {"bgra", ODAI_PIXEL_BGRA8},  {"gray", ODAI_PIXEL_GRAY8}, {"grey", ODAI_PIXEL_GRAY8},
                 {"grey8", ODAI_PIXEL_GRAY8}, {"yuy2", ODAI_PIXEL_YUYV},  {"yu12", ODAI_PIXEL_I420},
                 {"float", ODAI_PIXEL_F32},   {"srgb", ODAI_PIXEL_RGB8},  {"srgba", ODAI_PIXEL_RGBA8}};
  if (!name) return ODAI_PIXEL_UNKNOWN;
  for (int f = 1; f < ODAI_PIXEL_COUNT; f++)
    if (strcasecmp(name, k_formats[f].name) == 0) return (odai_pixel_format)f;
  for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
    if (strcasecmp(name, aliases[i].alias) == 0) return aliases[i].fmt;
  return ODAI_PIXEL_UNKNOWN;
}

int odai_pixel_format_planes(odai_pixel_format fmt) { return fmt_valid(fmt) ? k_formats[fmt].planes : 0; }
int odai_pixel_format_bpp(odai_pixel_format fmt) { return fmt_valid(fmt) ? k_formats[fmt].bpp : 0; }
int odai_pixel_format_channels(odai_pixel_format fmt) {
  return fmt_valid(fmt) ? k_formats[fmt].channels : 0;
}
bool odai_pixel_format_is_yuv(odai_pixel_format fmt) { return fmt_valid(fmt) && k_formats[fmt].yuv; }

odai_status odai_pixel_format_plane_size(odai_pixel_format fmt, int w, int h, int plane, int *plane_w,
                                         int *plane_h, size_t *row_bytes) {
  if (!fmt_valid(fmt) || w < 1 || h < 1 || plane < 0 || plane >= k_formats[fmt].planes)
    return ODAI_E_INVALID;
  int pw = w, ph = h;
  size_t rb = 0;
  if (plane == 0) {
    rb = fmt == ODAI_PIXEL_YUYV ? (size_t)((w + 1) / 2) * 4 : (size_t)w * (size_t)k_formats[fmt].bpp;
  } else {
    pw = (w + 1) / 2;
    ph = (h + 1) / 2;
    rb = fmt == ODAI_PIXEL_NV12 ? (size_t)pw * 2 : (size_t)pw;
  }
  if (plane_w) *plane_w = pw;
  if (plane_h) *plane_h = ph;
  if (row_bytes) *row_bytes = rb;
  return ODAI_OK;
}

#define ALIGN64(x) (((x) + (size_t)63) & ~(size_t)63)

bool odai_image_layout(odai_pixel_format fmt, int w, int h, int stride[ODAI_IMAGE_MAX_PLANES],
                       size_t offset[ODAI_IMAGE_MAX_PLANES], size_t *total) {
  if (!fmt_valid(fmt) || w < 1 || h < 1 || w > ODAI_IMAGE_MAX_DIM || h > ODAI_IMAGE_MAX_DIM) return false;
  size_t off = 0;
  for (int p = 0; p < ODAI_IMAGE_MAX_PLANES; p++) {
    stride[p] = 0;
    offset[p] = 0;
  }
  for (int p = 0; p < k_formats[fmt].planes; p++) {
    int ph = 0;
    size_t rb = 0;
    odai_pixel_format_plane_size(fmt, w, h, p, NULL, &ph, &rb);
    size_t s = ALIGN64(rb);
    stride[p] = (int)s;
    offset[p] = off;
    off += s * (size_t)ph;
  }
  if (off > ODAI_IMAGE_MAX_BYTES) return false;
  *total = off ? off : 64;
  return true;
}

/* ---- pools -------------------------------------------------------------- */

struct odai_image_pool {
  pthread_mutex_t mu; /* guards everything below */
  int refs;           /* 1 for the creator (until destroy) + 1 per image out */
  size_t max_free_bytes;
  size_t free_bytes;
  size_t n_free;
  odai_image *free_list; /* linked through next_free; most recent first */
  uint64_t allocations, reuses;
};

odai_status odai_image_pool_create(size_t max_free_bytes, odai_image_pool **out) {
  if (!out) return ODAI_E_INVALID;
  *out = NULL;
  odai_image_pool *pool = calloc(1, sizeof *pool);
  if (!pool) return ODAI_E_NOMEM;
  if (pthread_mutex_init(&pool->mu, NULL) != 0) {
    free(pool);
    return ODAI_E_NOMEM;
  }
  pool->refs = 1;
  pool->max_free_bytes = max_free_bytes;
  *out = pool;
  return ODAI_OK;
}

static void free_pooled(odai_image *img) {
  free(img->buf);
  free(img);
}

/* Drop one pool reference with pool->mu held; unlocks. Frees the pool when
 * it was the last. */
static void pool_unref_locked(odai_image_pool *pool) {
  int left = --pool->refs;
  odai_image *list = NULL;
  if (left == 0) {
    list = pool->free_list;
    pool->free_list = NULL;
  }
  pthread_mutex_unlock(&pool->mu);
  if (left == 0) {
    while (list) {
      odai_image *n = list->next_free;
      free_pooled(list);
      list = n;
    }
    pthread_mutex_destroy(&pool->mu);
    free(pool);
  }
}

void odai_image_pool_destroy(odai_image_pool *pool) {
  if (!pool) return;
  pthread_mutex_lock(&pool->mu);
  /* Free buffers now; buffers in flight are freed when they come back. */
  odai_image *list = pool->free_list;
  pool->free_list = NULL;
  pool->free_bytes = 0;
  pool->n_free = 0;
  pool->max_free_bytes = 1; /* returning buffers are freed, not kept */
  pthread_mutex_unlock(&pool->mu);
  while (list) {
    odai_image *n = list->next_free;
    free_pooled(list);
    list = n;
  }
  pthread_mutex_lock(&pool->mu);
  pool_unref_locked(pool);
}

void odai_image_pool_stats(odai_image_pool *pool, uint64_t *allocations, size_t *free_buffers,
                           uint64_t *reuses) {
  if (!pool) return;
  pthread_mutex_lock(&pool->mu);
  if (allocations) *allocations = pool->allocations;
  if (free_buffers) *free_buffers = pool->n_free;
  if (reuses) *reuses = pool->reuses;
  pthread_mutex_unlock(&pool->mu);
}

static odai_image_pool *g_default_pool;
static pthread_once_t g_default_once = PTHREAD_ONCE_INIT;

static void default_pool_init(void) {
  /* Enough for a few dozen HD frames in flight-and-back; see docs/image.md. */
  if (odai_image_pool_create((size_t)192 << 20, &g_default_pool) != ODAI_OK) g_default_pool = NULL;
}

odai_image_pool *odai_image_default_pool(void) {
  pthread_once(&g_default_once, default_pool_init);
  return g_default_pool;
}

static void set_planes(odai_image *img, int w, int h, odai_pixel_format fmt, const int stride[],
                       const size_t offset[]) {
  img->width = w;
  img->height = h;
  img->format = fmt;
  img->num_planes = k_formats[fmt].planes;
  for (int p = 0; p < ODAI_IMAGE_MAX_PLANES; p++) {
    img->data[p] = p < img->num_planes ? img->buf + offset[p] : NULL;
    img->stride[p] = p < img->num_planes ? stride[p] : 0;
  }
}

odai_status odai_image_pool_acquire(odai_image_pool *pool, int w, int h, odai_pixel_format fmt,
                                    odai_image **out) {
  if (!out) return ODAI_E_INVALID;
  *out = NULL;
  if (!pool) return ODAI_E_INVALID;
  int stride[ODAI_IMAGE_MAX_PLANES];
  size_t offset[ODAI_IMAGE_MAX_PLANES], need;
  if (!fmt_valid(fmt) || w < 1 || h < 1) return ODAI_E_INVALID;
  if (!odai_image_layout(fmt, w, h, stride, offset, &need)) return ODAI_E_UNSUPPORTED;

  pthread_mutex_lock(&pool->mu);
  odai_image **best = NULL;
  for (odai_image **pp = &pool->free_list; *pp; pp = &(*pp)->next_free) {
    size_t cap = (*pp)->cap;
    if (cap >= need && cap / 2 <= need && (!best || cap < (*best)->cap)) {
      best = pp;
      if (cap == need) break;
    }
  }
  odai_image *img = NULL;
  if (best) {
    img = *best;
    *best = img->next_free;
    pool->free_bytes -= img->cap;
    pool->n_free--;
    pool->reuses++;
  } else {
    pool->allocations++;
  }
  pool->refs++;
  pthread_mutex_unlock(&pool->mu);

  if (!img) {
    img = calloc(1, sizeof *img);
    if (img) img->buf = aligned_alloc(64, ALIGN64(need));
    if (!img || !img->buf) {
      free(img);
      pthread_mutex_lock(&pool->mu);
      pool_unref_locked(pool);
      return ODAI_E_NOMEM;
    }
    img->cap = ALIGN64(need);
    img->pool = pool;
    img->kind = ODAI_IMAGE_POOLED;
  }
  img->next_free = NULL;
  img->writable = true;
  atomic_init(&img->refs, 1);
  set_planes(img, w, h, fmt, stride, offset);
  *out = img;
  return ODAI_OK;
}

static void pool_release(odai_image *img) {
  odai_image_pool *pool = img->pool;
  pthread_mutex_lock(&pool->mu);
  odai_image *evict = NULL;
  if (pool->max_free_bytes == 0 || pool->free_bytes + img->cap <= pool->max_free_bytes) {
    img->next_free = pool->free_list;
    pool->free_list = img;
    pool->free_bytes += img->cap;
    pool->n_free++;
  } else {
    evict = img;
  }
  pool_unref_locked(pool);
  if (evict) free_pooled(evict);
}

/* ---- headers of wraps and views ---------------------------------------- */

/* Wrapped frames (one per V4L2/GStreamer buffer) and crop views come and go
 * every frame: their headers are recycled through a small free list (a
 * mutex guards it) instead of malloc/free each time. */
#define HEADER_CACHE 64
static pthread_mutex_t g_hdr_mu = PTHREAD_MUTEX_INITIALIZER;
static odai_image *g_hdr_free; /* linked through next_free */
static int g_hdr_count;

static odai_image *header_alloc(void) {
  pthread_mutex_lock(&g_hdr_mu);
  odai_image *h = g_hdr_free;
  if (h) {
    g_hdr_free = h->next_free;
    g_hdr_count--;
  }
  pthread_mutex_unlock(&g_hdr_mu);
  if (h)
    memset(h, 0, sizeof *h);
  else
    h = calloc(1, sizeof *h);
  return h;
}

static void header_free(odai_image *h) {
  pthread_mutex_lock(&g_hdr_mu);
  if (g_hdr_count < HEADER_CACHE) {
    h->next_free = g_hdr_free;
    g_hdr_free = h;
    g_hdr_count++;
    h = NULL;
  }
  pthread_mutex_unlock(&g_hdr_mu);
  free(h);
}

/* ---- creation, refs ----------------------------------------------------- */

odai_status odai_image_new(int w, int h, odai_pixel_format fmt, odai_image **out) {
  odai_image_pool *pool = odai_image_default_pool();
  if (!pool) {
    if (out) *out = NULL;
    return ODAI_E_NOMEM;
  }
  return odai_image_pool_acquire(pool, w, h, fmt, out);
}

odai_status odai_image_new_zeroed(int w, int h, odai_pixel_format fmt, odai_image **out) {
  odai_status st = odai_image_new(w, h, fmt, out);
  if (st == ODAI_OK) {
    odai_image *img = *out;
    for (int p = 0; p < img->num_planes; p++) {
      int ph = 0;
      odai_pixel_format_plane_size(fmt, w, h, p, NULL, &ph, NULL);
      memset(img->data[p], 0, (size_t)img->stride[p] * (size_t)ph);
    }
  }
  return st;
}

odai_status odai_image_wrap(int w, int h, odai_pixel_format fmt, uint8_t *const planes[],
                            const int strides[], bool writable, odai_image_release_fn release, void *user,
                            odai_image **out) {
  odai_status st = ODAI_E_INVALID;
  odai_image *img = NULL;
  if (out) *out = NULL;
  if (!out || !planes || !strides || !fmt_valid(fmt) || w < 1 || h < 1 || w > ODAI_IMAGE_MAX_DIM ||
      h > ODAI_IMAGE_MAX_DIM)
    goto fail;
  for (int p = 0; p < k_formats[fmt].planes; p++) {
    size_t rb = 0;
    odai_pixel_format_plane_size(fmt, w, h, p, NULL, NULL, &rb);
    if (!planes[p] || strides[p] < 0 || (size_t)strides[p] < rb) goto fail;
  }
  img = header_alloc();
  if (!img) {
    st = ODAI_E_NOMEM;
    goto fail;
  }
  atomic_init(&img->refs, 1);
  img->kind = ODAI_IMAGE_WRAPPED;
  img->writable = writable;
  img->release = release;
  img->user = user;
  img->width = w;
  img->height = h;
  img->format = fmt;
  img->num_planes = k_formats[fmt].planes;
  for (int p = 0; p < img->num_planes; p++) {
    img->data[p] = planes[p];
    img->stride[p] = strides[p];
  }
  *out = img;
  return ODAI_OK;
fail:
  if (release) release(user);
  return st;
}

odai_image *odai_image_ref(odai_image *img) {
  if (img) atomic_fetch_add_explicit(&img->refs, 1, memory_order_relaxed);
  return img;
}

void odai_image_unref(odai_image *img) {
  while (img) {
    if (atomic_fetch_sub_explicit(&img->refs, 1, memory_order_acq_rel) != 1) return;
    odai_image *parent = NULL;
    switch (img->kind) {
    case ODAI_IMAGE_POOLED:
      pool_release(img);
      break;
    case ODAI_IMAGE_WRAPPED:
      if (img->release) img->release(img->user);
      header_free(img);
      break;
    case ODAI_IMAGE_VIEW:
      parent = img->parent;
      header_free(img);
      break;
    }
    img = parent; /* iterate instead of recursing through view chains */
  }
}

bool odai_image_is_writable(const odai_image *img) {
  return img && img->writable && atomic_load_explicit(&img->refs, memory_order_acquire) == 1;
}

int odai_image_refcount(const odai_image *img) {
  return img ? atomic_load_explicit(&img->refs, memory_order_relaxed) : 0;
}

/* ---- accessors ---------------------------------------------------------- */

int odai_image_width(const odai_image *img) { return img ? img->width : 0; }
int odai_image_height(const odai_image *img) { return img ? img->height : 0; }
odai_pixel_format odai_image_format(const odai_image *img) { return img ? img->format : ODAI_PIXEL_UNKNOWN; }

uint8_t *odai_image_data(odai_image *img, int plane) {
  if (!img || plane < 0 || plane >= img->num_planes) return NULL;
  return img->data[plane];
}

const uint8_t *odai_image_cdata(const odai_image *img, int plane) {
  if (!img || plane < 0 || plane >= img->num_planes) return NULL;
  return img->data[plane];
}

int odai_image_stride(const odai_image *img, int plane) {
  if (!img || plane < 0 || plane >= img->num_planes) return 0;
  return img->stride[plane];
}

void odai_image_get_planes(const odai_image *img, odai_image_planes *out) {
  memset(out, 0, sizeof *out);
  if (!img) return;
  out->width = img->width;
  out->height = img->height;
  out->format = img->format;
  out->num_planes = img->num_planes;
  for (int p = 0; p < img->num_planes; p++) {
    out->data[p] = img->data[p];
    out->stride[p] = img->stride[p];
  }
}

/* ---- plane windows ------------------------------------------------------ */

void odai_planes_rows(const odai_image_planes *p, int y0, int rows, odai_image_planes *out) {
  odai_planes_rect(p, 0, y0, p->width, rows, out);
}

void odai_planes_rect(const odai_image_planes *p, int x, int y, int w, int h, odai_image_planes *out) {
  *out = *p;
  out->width = w;
  out->height = h;
  switch (p->format) {
  case ODAI_PIXEL_NV12:
    out->data[0] = p->data[0] + (size_t)y * p->stride[0] + x;
    out->data[1] = p->data[1] + (size_t)(y / 2) * p->stride[1] + (size_t)(x / 2) * 2;
    break;
  case ODAI_PIXEL_I420:
    out->data[0] = p->data[0] + (size_t)y * p->stride[0] + x;
    out->data[1] = p->data[1] + (size_t)(y / 2) * p->stride[1] + x / 2;
    out->data[2] = p->data[2] + (size_t)(y / 2) * p->stride[2] + x / 2;
    break;
  case ODAI_PIXEL_YUYV:
    out->data[0] = p->data[0] + (size_t)y * p->stride[0] + (size_t)(x / 2) * 4;
    break;
  default:
    out->data[0] = p->data[0] + (size_t)y * p->stride[0] + (size_t)x * (size_t)k_formats[p->format].bpp;
    break;
  }
}

void odai_copy_planes(const odai_image_planes *src, const odai_image_planes *dst) {
  for (int p = 0; p < src->num_planes; p++) {
    int ph = 0;
    size_t rb = 0;
    odai_pixel_format_plane_size(src->format, src->width, src->height, p, NULL, &ph, &rb);
    const uint8_t *s = src->data[p];
    uint8_t *d = dst->data[p];
    if (src->stride[p] == dst->stride[p] && (size_t)src->stride[p] == rb) {
      memcpy(d, s, rb * (size_t)ph);
      continue;
    }
    for (int y = 0; y < ph; y++) memcpy(d + (size_t)y * dst->stride[p], s + (size_t)y * src->stride[p], rb);
  }
}

odai_status odai_image_copy(const odai_image *src, odai_image **out) {
  if (!out) return ODAI_E_INVALID;
  *out = NULL;
  if (!src) return ODAI_E_INVALID;
  odai_image *dst;
  odai_status st = odai_image_new(src->width, src->height, src->format, &dst);
  if (st != ODAI_OK) return st;
  odai_image_planes s, d;
  odai_image_get_planes(src, &s);
  odai_image_get_planes(dst, &d);
  odai_copy_planes(&s, &d);
  *out = dst;
  return ODAI_OK;
}

odai_status odai_image_copy_into(const odai_image *src, odai_image *dst) {
  if (!src || !dst || src->width != dst->width || src->height != dst->height || src->format != dst->format ||
      !dst->writable)
    return ODAI_E_INVALID;
  odai_image_planes s, d;
  odai_image_get_planes(src, &s);
  odai_image_get_planes(dst, &d);
  odai_copy_planes(&s, &d);
  return ODAI_OK;
}

/* ---- crop --------------------------------------------------------------- */

static odai_status check_rect(const odai_image *src, int x, int y, int w, int h, odai_error *err) {
  if (!src) return odai_error_set(err, ODAI_E_INVALID, "crop: no source image");
  if (w < 1 || h < 1 || x < 0 || y < 0 || x > src->width - w || y > src->height - h)
    return odai_error_set(err, ODAI_E_INVALID, "crop: rectangle (%d,%d %dx%d) outside the %dx%d image", x, y,
                          w, h, src->width, src->height);
  return ODAI_OK;
}

odai_status odai_image_crop_copy(const odai_image *src, int x, int y, int w, int h, odai_image **out,
                                 odai_error *err) {
  if (!out) return odai_error_set(err, ODAI_E_INVALID, "crop: out is NULL");
  *out = NULL;
  odai_status st = check_rect(src, x, y, w, h, err);
  if (st != ODAI_OK) return st;
  odai_image_planes s, win, d;
  odai_image_get_planes(src, &s);
  bool yuv = k_formats[src->format].yuv;
  if (yuv && ((x & 1) || ((y & 1) && src->format != ODAI_PIXEL_YUYV))) {
    /* Chroma is shared between pixel pairs: take the even-aligned window
     * around the rectangle (a view), crop it in an unsubsampled format,
     * convert back (luma within 2, chroma resampled). */
    int ex = x & ~1, ey = src->format == ODAI_PIXEL_YUYV ? y : y & ~1;
    int ew = x + w - ex + 1, eh = y + h - ey + 1;
    if (ew > src->width - ex) ew = src->width - ex;
    if (eh > src->height - ey) eh = src->height - ey;
    odai_image_planes ewin;
    odai_planes_rect(&s, ex, ey, ew, eh, &ewin);
    odai_image *tmp = NULL, *tc = NULL;
    st = odai_image_new(ew, eh, ODAI_PIXEL_BGRA8, &tmp);
    if (st == ODAI_OK) {
      odai_image_planes tp;
      odai_image_get_planes(tmp, &tp);
      st = odai_convert_planes(&ewin, &tp, err);
    } else {
      odai_error_set(err, st, "crop: cannot allocate %dx%d", ew, eh);
    }
    if (st == ODAI_OK) st = odai_image_crop_copy(tmp, x - ex, y - ey, w, h, &tc, err);
    if (st == ODAI_OK) st = odai_image_convert(tc, src->format, out, err);
    odai_image_unref(tc);
    odai_image_unref(tmp);
    return st;
  }
  odai_image *dst;
  st = odai_image_new(w, h, src->format, &dst);
  if (st != ODAI_OK) return odai_error_set(err, st, "crop: cannot allocate %dx%d", w, h);
  odai_planes_rect(&s, x, y, w, h, &win);
  odai_image_get_planes(dst, &d);
  odai_copy_planes(&win, &d);
  *out = dst;
  return ODAI_OK;
}

odai_status odai_image_crop(odai_image *src, int x, int y, int w, int h, odai_image **out, odai_error *err) {
  if (!out) return odai_error_set(err, ODAI_E_INVALID, "crop: out is NULL");
  *out = NULL;
  odai_status st = check_rect(src, x, y, w, h, err);
  if (st != ODAI_OK) return st;
  bool yuv = k_formats[src->format].yuv;
  if (yuv && ((x & 1) || ((y & 1) && src->format != ODAI_PIXEL_YUYV)))
    return odai_image_crop_copy(src, x, y, w, h, out, err);
  odai_image *v = header_alloc();
  if (!v) return odai_error_set(err, ODAI_E_NOMEM, "crop: out of memory");
  odai_image_planes s, win;
  odai_image_get_planes(src, &s);
  odai_planes_rect(&s, x, y, w, h, &win);
  atomic_init(&v->refs, 1);
  v->kind = ODAI_IMAGE_VIEW;
  v->writable = false;
  v->width = w;
  v->height = h;
  v->format = src->format;
  v->num_planes = src->num_planes;
  for (int p = 0; p < v->num_planes; p++) {
    v->data[p] = win.data[p];
    v->stride[p] = win.stride[p];
  }
  v->parent = odai_image_ref(src);
  *out = v;
  return ODAI_OK;
}
