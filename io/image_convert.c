/* io/image_convert.c: pixel format conversion between every pair of
 * odai_pixel_format values. Direct steps use libyuv (SIMD) where it has the
 * path and small vectorisable loops otherwise; other pairs chain direct
 * steps through an intermediate format, in bands of rows so the
 * intermediate stays in cache and comes from the image pool (no per-frame
 * allocation). YUV is BT.601 limited range, like libyuv's defaults. */
#include <pthread.h>
#include <string.h>

#include <libyuv.h>

#include "image_internal.h"

typedef int (*conv_fn)(const odai_image_planes *s, const odai_image_planes *d);

#define S0 s->data[0], s->stride[0]
#define S1 s->data[1], s->stride[1]
#define S2 s->data[2], s->stride[2]
#define D0 d->data[0], d->stride[0]
#define D1 d->data[1], d->stride[1]
#define D2 d->data[2], d->stride[2]
#define WH s->width, s->height

/* Packed -> packed (and any libyuv call of the same shape). */
#define CV_PP(name, fn) \
  static int name(const odai_image_planes *s, const odai_image_planes *d) { return fn(S0, D0, WH); }
#define CV_P_I420(name, fn) \
  static int name(const odai_image_planes *s, const odai_image_planes *d) { return fn(S0, D0, D1, D2, WH); }
#define CV_P_NV12(name, fn) \
  static int name(const odai_image_planes *s, const odai_image_planes *d) { return fn(S0, D0, D1, WH); }
#define CV_I420_P(name, fn) \
  static int name(const odai_image_planes *s, const odai_image_planes *d) { return fn(S0, S1, S2, D0, WH); }
#define CV_NV12_P(name, fn) \
  static int name(const odai_image_planes *s, const odai_image_planes *d) { return fn(S0, S1, D0, WH); }

/* libyuv "ARGB" = odai BGRA8, "ABGR" = RGBA8, "RAW" = RGB8, "RGB24" = BGR8. */
CV_PP(bgra_to_rgb, ARGBToRAW)
CV_PP(bgra_to_bgr, ARGBToRGB24)
CV_PP(bgra_to_rgba, ARGBToABGR)
CV_PP(bgra_to_gray, ARGBToJ400)
CV_PP(bgra_to_yuyv, ARGBToYUY2)
CV_P_NV12(bgra_to_nv12, ARGBToNV12)
CV_P_I420(bgra_to_i420, ARGBToI420)
CV_PP(rgb_to_bgra, RAWToARGB)
CV_PP(bgr_to_bgra, RGB24ToARGB)
CV_PP(rgba_to_bgra, ABGRToARGB)
CV_PP(gray_to_bgra, J400ToARGB)
CV_PP(yuyv_to_bgra, YUY2ToARGB)
CV_NV12_P(nv12_to_bgra, NV12ToARGB)
CV_I420_P(i420_to_bgra, I420ToARGB)
CV_PP(rgb_bgr_swap, RAWToRGB24) /* swapping bytes 0 and 2 is its own inverse */
CV_P_I420(rgb_to_i420, RAWToI420)
CV_P_I420(bgr_to_i420, RGB24ToI420)
CV_P_I420(rgba_to_i420, ABGRToI420)
CV_P_NV12(rgba_to_nv12, ABGRToNV12)
CV_PP(rgb_to_gray, RAWToJ400)
CV_PP(bgr_to_gray, RGB24ToJ400)
CV_PP(rgba_to_gray, ABGRToJ400)
CV_I420_P(i420_to_rgb, I420ToRAW)
CV_I420_P(i420_to_bgr, I420ToRGB24)
CV_I420_P(i420_to_rgba, I420ToABGR)
CV_I420_P(i420_to_yuyv, I420ToYUY2)
CV_NV12_P(nv12_to_rgb, NV12ToRAW)
CV_NV12_P(nv12_to_bgr, NV12ToRGB24)
CV_NV12_P(nv12_to_rgba, NV12ToABGR)
CV_P_I420(yuyv_to_i420, YUY2ToI420)
CV_P_NV12(yuyv_to_nv12, YUY2ToNV12)

static int i420_to_nv12(const odai_image_planes *s, const odai_image_planes *d) {
  return I420ToNV12(S0, S1, S2, D0, D1, WH);
}
static int nv12_to_i420(const odai_image_planes *s, const odai_image_planes *d) {
  return NV12ToI420(S0, S1, D0, D1, D2, WH);
}

/* ---- own loops ---------------------------------------------------------- */

static uint8_t g_y_to_gray[256], g_gray_to_y[256];
static pthread_once_t g_lut_once = PTHREAD_ONCE_INIT;

static void lut_init(void) {
  for (int i = 0; i < 256; i++) {
    int g = ((i - 16) * 255 * 2 + 219) / (219 * 2); /* round((y-16)*255/219), y >= 16 */
    if (i < 16) g = 0;
    g_y_to_gray[i] = (uint8_t)(g > 255 ? 255 : g);
    g_gray_to_y[i] = (uint8_t)(16 + (i * 219 * 2 + 255) / (255 * 2));
  }
}

static inline uint8_t f_to_u8(float f) {
  float v = f * 255.0f + 0.5f;
  v = v > 0.0f ? v : 0.0f; /* NaN -> 0 */
  v = v < 255.0f ? v : 255.0f;
  return (uint8_t)v;
}

/* 3 bytes -> 4 bytes (same order, alpha 255) and back: RGB8<->RGBA8,
 * BGR8<->BGRA8. */
static int c3_to_c4(const odai_image_planes *s, const odai_image_planes *d) {
  for (int y = 0; y < s->height; y++) {
    const uint8_t *sp = s->data[0] + (size_t)y * s->stride[0];
    uint8_t *dp = d->data[0] + (size_t)y * d->stride[0];
    for (int x = 0; x < s->width; x++) {
      dp[4 * x + 0] = sp[3 * x + 0];
      dp[4 * x + 1] = sp[3 * x + 1];
      dp[4 * x + 2] = sp[3 * x + 2];
      dp[4 * x + 3] = 255;
    }
  }
  return 0;
}

static int c4_to_c3(const odai_image_planes *s, const odai_image_planes *d) {
  for (int y = 0; y < s->height; y++) {
    const uint8_t *sp = s->data[0] + (size_t)y * s->stride[0];
    uint8_t *dp = d->data[0] + (size_t)y * d->stride[0];
    for (int x = 0; x < s->width; x++) {
      dp[3 * x + 0] = sp[4 * x + 0];
      dp[3 * x + 1] = sp[4 * x + 1];
      dp[3 * x + 2] = sp[4 * x + 2];
    }
  }
  return 0;
}

/* Map n bytes per row through a LUT with an input/output step. */
static void lut_rows(const uint8_t *s, int ss, int sstep, uint8_t *d, int ds, int w, int h,
                     const uint8_t *lut) {
  for (int y = 0; y < h; y++) {
    const uint8_t *sp = s + (size_t)y * ss;
    uint8_t *dp = d + (size_t)y * ds;
    for (int x = 0; x < w; x++) dp[x] = lut[sp[x * sstep]];
  }
}

static int planar_to_gray(const odai_image_planes *s, const odai_image_planes *d) {
  pthread_once(&g_lut_once, lut_init);
  lut_rows(s->data[0], s->stride[0], 1, d->data[0], d->stride[0], s->width, s->height, g_y_to_gray);
  return 0;
}

static int yuyv_to_gray(const odai_image_planes *s, const odai_image_planes *d) {
  pthread_once(&g_lut_once, lut_init);
  lut_rows(s->data[0], s->stride[0], 2, d->data[0], d->stride[0], s->width, s->height, g_y_to_gray);
  return 0;
}

static void set_rows(uint8_t *d, int ds, size_t n, int h, uint8_t v) {
  for (int y = 0; y < h; y++) memset(d + (size_t)y * ds, v, n);
}

static int gray_to_i420(const odai_image_planes *s, const odai_image_planes *d) {
  pthread_once(&g_lut_once, lut_init);
  lut_rows(s->data[0], s->stride[0], 1, d->data[0], d->stride[0], s->width, s->height, g_gray_to_y);
  int cw = (s->width + 1) / 2, ch = (s->height + 1) / 2;
  set_rows(d->data[1], d->stride[1], (size_t)cw, ch, 128);
  set_rows(d->data[2], d->stride[2], (size_t)cw, ch, 128);
  return 0;
}

static int gray_to_nv12(const odai_image_planes *s, const odai_image_planes *d) {
  pthread_once(&g_lut_once, lut_init);
  lut_rows(s->data[0], s->stride[0], 1, d->data[0], d->stride[0], s->width, s->height, g_gray_to_y);
  set_rows(d->data[1], d->stride[1], (size_t)((s->width + 1) / 2) * 2, (s->height + 1) / 2, 128);
  return 0;
}

static int gray_to_yuyv(const odai_image_planes *s, const odai_image_planes *d) {
  pthread_once(&g_lut_once, lut_init);
  for (int y = 0; y < s->height; y++) {
    const uint8_t *sp = s->data[0] + (size_t)y * s->stride[0];
    uint8_t *dp = d->data[0] + (size_t)y * d->stride[0];
    int x = 0;
    for (; x + 1 < s->width; x += 2) {
      dp[2 * x + 0] = g_gray_to_y[sp[x]];
      dp[2 * x + 1] = 128;
      dp[2 * x + 2] = g_gray_to_y[sp[x + 1]];
      dp[2 * x + 3] = 128;
    }
    if (x < s->width) { /* odd width: duplicate the last luma */
      dp[2 * x + 0] = dp[2 * x + 2] = g_gray_to_y[sp[x]];
      dp[2 * x + 1] = dp[2 * x + 3] = 128;
    }
  }
  return 0;
}

static int gray_to_f32(const odai_image_planes *s, const odai_image_planes *d) {
  const float k = 1.0f / 255.0f;
  for (int y = 0; y < s->height; y++) {
    const uint8_t *sp = s->data[0] + (size_t)y * s->stride[0];
    float *dp = (float *)(void *)(d->data[0] + (size_t)y * d->stride[0]);
    for (int x = 0; x < s->width; x++) dp[x] = (float)sp[x] * k;
  }
  return 0;
}

static int f32_to_gray(const odai_image_planes *s, const odai_image_planes *d) {
  for (int y = 0; y < s->height; y++) {
    const float *sp = (const float *)(const void *)(s->data[0] + (size_t)y * s->stride[0]);
    uint8_t *dp = d->data[0] + (size_t)y * d->stride[0];
    for (int x = 0; x < s->width; x++) dp[x] = f_to_u8(sp[x]);
  }
  return 0;
}

static int rgb_to_f32c3(const odai_image_planes *s, const odai_image_planes *d) {
  const float k = 1.0f / 255.0f;
  for (int y = 0; y < s->height; y++) {
    const uint8_t *sp = s->data[0] + (size_t)y * s->stride[0];
    float *dp = (float *)(void *)(d->data[0] + (size_t)y * d->stride[0]);
    for (int x = 0; x < 3 * s->width; x++) dp[x] = (float)sp[x] * k;
  }
  return 0;
}

static int f32c3_to_rgb(const odai_image_planes *s, const odai_image_planes *d) {
  for (int y = 0; y < s->height; y++) {
    const float *sp = (const float *)(const void *)(s->data[0] + (size_t)y * s->stride[0]);
    uint8_t *dp = d->data[0] + (size_t)y * d->stride[0];
    for (int x = 0; x < 3 * s->width; x++) dp[x] = f_to_u8(sp[x]);
  }
  return 0;
}

static int f32_to_f32c3(const odai_image_planes *s, const odai_image_planes *d) {
  for (int y = 0; y < s->height; y++) {
    const float *sp = (const float *)(const void *)(s->data[0] + (size_t)y * s->stride[0]);
    float *dp = (float *)(void *)(d->data[0] + (size_t)y * d->stride[0]);
    for (int x = 0; x < s->width; x++) dp[3 * x] = dp[3 * x + 1] = dp[3 * x + 2] = sp[x];
  }
  return 0;
}

static int f32c3_to_f32(const odai_image_planes *s, const odai_image_planes *d) {
  for (int y = 0; y < s->height; y++) {
    const float *sp = (const float *)(const void *)(s->data[0] + (size_t)y * s->stride[0]);
    float *dp = (float *)(void *)(d->data[0] + (size_t)y * d->stride[0]);
    for (int x = 0; x < s->width; x++)
      dp[x] = 0.299f * sp[3 * x] + 0.587f * sp[3 * x + 1] + 0.114f * sp[3 * x + 2];
  }
  return 0;
}

/* ---- the table of direct steps ------------------------------------------ */

enum { RGB8 = ODAI_PIXEL_RGB8, RGBA8 = ODAI_PIXEL_RGBA8, BGR8 = ODAI_PIXEL_BGR8, BGRA8 = ODAI_PIXEL_BGRA8,
       GRAY8 = ODAI_PIXEL_GRAY8, YUYV = ODAI_PIXEL_YUYV, NV12 = ODAI_PIXEL_NV12, I420 = ODAI_PIXEL_I420,
       F32 = ODAI_PIXEL_F32, F32C3 = ODAI_PIXEL_F32C3, NFMT = ODAI_PIXEL_COUNT };

static const conv_fn k_direct[NFMT][NFMT] = {
    [BGRA8] = {[RGB8] = bgra_to_rgb, [BGR8] = bgra_to_bgr, [RGBA8] = bgra_to_rgba, [GRAY8] = bgra_to_gray,
               [YUYV] = bgra_to_yuyv, [NV12] = bgra_to_nv12, [I420] = bgra_to_i420},
    [RGBA8] = {[BGRA8] = rgba_to_bgra, [RGB8] = c4_to_c3, [I420] = rgba_to_i420, [NV12] = rgba_to_nv12,
               [GRAY8] = rgba_to_gray},
    [RGB8] = {[BGRA8] = rgb_to_bgra, [BGR8] = rgb_bgr_swap, [RGBA8] = c3_to_c4, [I420] = rgb_to_i420,
              [GRAY8] = rgb_to_gray, [F32C3] = rgb_to_f32c3},
    [BGR8] = {[BGRA8] = bgr_to_bgra, [RGB8] = rgb_bgr_swap, [I420] = bgr_to_i420, [GRAY8] = bgr_to_gray},
    [GRAY8] = {[BGRA8] = gray_to_bgra, [I420] = gray_to_i420, [NV12] = gray_to_nv12, [YUYV] = gray_to_yuyv,
               [F32] = gray_to_f32},
    [YUYV] = {[BGRA8] = yuyv_to_bgra, [I420] = yuyv_to_i420, [NV12] = yuyv_to_nv12, [GRAY8] = yuyv_to_gray},
    [NV12] = {[BGRA8] = nv12_to_bgra, [RGB8] = nv12_to_rgb, [BGR8] = nv12_to_bgr, [RGBA8] = nv12_to_rgba,
              [I420] = nv12_to_i420, [GRAY8] = planar_to_gray},
    [I420] = {[BGRA8] = i420_to_bgra, [RGB8] = i420_to_rgb, [BGR8] = i420_to_bgr, [RGBA8] = i420_to_rgba,
              [NV12] = i420_to_nv12, [YUYV] = i420_to_yuyv, [GRAY8] = planar_to_gray},
    [F32] = {[GRAY8] = f32_to_gray, [F32C3] = f32_to_f32c3},
    [F32C3] = {[RGB8] = f32c3_to_rgb, [F32] = f32c3_to_f32},
};

/* Intermediate formats a chain may pass through, best first. Gray mids
 * lose colour, so they are only used when an end is single-channel; YUV
 * mids lose chroma resolution, so only when an end is YUV. */
static bool mid_allowed(int mid, int src, int dst) {
  switch (mid) {
  case BGRA8:
  case RGB8:
    return true;
  case I420:
    return odai_pixel_format_is_yuv((odai_pixel_format)src) || odai_pixel_format_is_yuv((odai_pixel_format)dst);
  case GRAY8:
    return odai_pixel_format_channels((odai_pixel_format)src) == 1 ||
           odai_pixel_format_channels((odai_pixel_format)dst) == 1;
  default:
    return false;
  }
}

#define MAX_STEPS 4

/* Shortest chain src -> ... -> dst through allowed mids (BFS, mids tried
 * in preference order). Returns the number of formats in path (>= 2) or 0. */
static int find_path(int src, int dst, int path[MAX_STEPS + 1]) {
  static const int order_rgb[] = {BGRA8, RGB8, I420, GRAY8};
  static const int order_yuv[] = {I420, BGRA8, RGB8, GRAY8}; /* keeps 4:2:0 chroma as is */
  const int *order = odai_pixel_format_is_yuv((odai_pixel_format)src) &&
                             odai_pixel_format_is_yuv((odai_pixel_format)dst)
                         ? order_yuv
                         : order_rgb;
  int prev[NFMT], seen[NFMT] = {0}, queue[NFMT], qh = 0, qt = 0;
  queue[qt++] = src;
  seen[src] = 1;
  prev[src] = -1;
  while (qh < qt) {
    int f = queue[qh++];
    if (k_direct[f][dst]) {
      int rev[MAX_STEPS + 1], n = 0;
      rev[n++] = dst;
      for (int g = f; g >= 0 && n <= MAX_STEPS; g = prev[g]) rev[n++] = g;
      if (n > MAX_STEPS + 1 || rev[n - 1] != src) return 0;
      for (int i = 0; i < n; i++) path[i] = rev[n - 1 - i];
      return n;
    }
    for (size_t i = 0; i < 4; i++) {
      int m = order[i];
      if (!seen[m] && k_direct[f][m] && mid_allowed(m, src, dst)) {
        seen[m] = 1;
        prev[m] = f;
        queue[qt++] = m;
      }
    }
  }
  return 0;
}

#define BAND_ROWS 16 /* even, so 4:2:0 chroma rows stay aligned */

odai_status odai_convert_planes(const odai_image_planes *src, const odai_image_planes *dst, odai_error *err) {
  if (src->width != dst->width || src->height != dst->height)
    return odai_error_set(err, ODAI_E_INVALID, "convert: size %dx%d != %dx%d", src->width, src->height,
                          dst->width, dst->height);
  int sf = src->format, df = dst->format;
  if (sf <= 0 || sf >= NFMT || df <= 0 || df >= NFMT)
    return odai_error_set(err, ODAI_E_INVALID, "convert: bad pixel format");
  if (sf == df) {
    odai_copy_planes(src, dst);
    return ODAI_OK;
  }
  if (k_direct[sf][df]) {
    if (k_direct[sf][df](src, dst) != 0)
      return odai_error_set(err, ODAI_E_INTERNAL, "convert %s -> %s failed", odai_pixel_format_name(src->format),
                            odai_pixel_format_name(dst->format));
    return ODAI_OK;
  }
  int path[MAX_STEPS + 1];
  int n = find_path(sf, df, path);
  if (n < 3)
    return odai_error_set(err, ODAI_E_UNSUPPORTED, "convert: no path %s -> %s",
                          odai_pixel_format_name(src->format), odai_pixel_format_name(dst->format));
  odai_image *tmp[MAX_STEPS] = {NULL};
  odai_status st = ODAI_OK;
  int band = src->height < BAND_ROWS ? src->height : BAND_ROWS;
  for (int i = 1; i < n - 1; i++) {
    st = odai_image_new(src->width, band, (odai_pixel_format)path[i], &tmp[i]);
    if (st != ODAI_OK) {
      odai_error_set(err, st, "convert: no memory for a %dx%d scratch band", src->width, band);
      goto done;
    }
  }
  for (int y0 = 0; y0 < src->height; y0 += band) {
    int rows = src->height - y0 < band ? src->height - y0 : band;
    odai_image_planes a, b;
    odai_planes_rows(src, y0, rows, &a);
    for (int i = 1; i < n; i++) {
      if (i == n - 1) {
        odai_planes_rows(dst, y0, rows, &b);
      } else {
        odai_image_planes t;
        odai_image_get_planes(tmp[i], &t);
        odai_planes_rows(&t, 0, rows, &b);
      }
      if (k_direct[path[i - 1]][path[i]](&a, &b) != 0) {
        st = odai_error_set(err, ODAI_E_INTERNAL, "convert step %s -> %s failed",
                            odai_pixel_format_name((odai_pixel_format)path[i - 1]),
                            odai_pixel_format_name((odai_pixel_format)path[i]));
        goto done;
      }
      a = b;
    }
  }
done:
  for (int i = 0; i < MAX_STEPS; i++) odai_image_unref(tmp[i]);
  return st;
}

odai_status odai_image_convert_into(const odai_image *src, odai_image *dst, odai_error *err) {
  if (!src || !dst) return odai_error_set(err, ODAI_E_INVALID, "convert: NULL image");
  if (!dst->writable) return odai_error_set(err, ODAI_E_INVALID, "convert: destination is read-only");
  odai_image_planes s, d;
  odai_image_get_planes(src, &s);
  odai_image_get_planes(dst, &d);
  return odai_convert_planes(&s, &d, err);
}

odai_status odai_image_convert(const odai_image *src, odai_pixel_format dst_format, odai_image **out,
                               odai_error *err) {
  if (!out) return odai_error_set(err, ODAI_E_INVALID, "convert: out is NULL");
  *out = NULL;
  if (!src) return odai_error_set(err, ODAI_E_INVALID, "convert: NULL image");
  if (dst_format <= ODAI_PIXEL_UNKNOWN || dst_format >= ODAI_PIXEL_COUNT)
    return odai_error_set(err, ODAI_E_INVALID, "convert: bad destination format %d", (int)dst_format);
  if (src->format == dst_format) {
    *out = odai_image_ref((odai_image *)src);
    return ODAI_OK;
  }
  odai_image *dst;
  odai_status st = odai_image_new(src->width, src->height, dst_format, &dst);
  if (st != ODAI_OK) return odai_error_set(err, st, "convert: cannot allocate %dx%d", src->width, src->height);
  st = odai_image_convert_into(src, dst, err);
  if (st != ODAI_OK) {
    odai_image_unref(dst);
    return st;
  }
  *out = dst;
  return ODAI_OK;
}

/* ---- colours ------------------------------------------------------------ */

void odai_rgb_to_yuv601(int r, int g, int b, uint8_t *y, uint8_t *u, uint8_t *v) {
  *y = (uint8_t)(((66 * r + 129 * g + 25 * b + 128) >> 8) + 16);
  *u = (uint8_t)(((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128);
  *v = (uint8_t)(((112 * r - 94 * g - 18 * b + 128) >> 8) + 128);
}

static void fill_packed(const odai_image_planes *d, const uint8_t *px, int bpp) {
  size_t rb = (size_t)d->width * (size_t)bpp;
  uint8_t *row0 = d->data[0];
  for (size_t i = 0; i < rb; i += (size_t)bpp) memcpy(row0 + i, px, (size_t)bpp);
  for (int y = 1; y < d->height; y++) memcpy(d->data[0] + (size_t)y * d->stride[0], row0, rb);
}

odai_status odai_fill_planes(const odai_image_planes *d, uint32_t rgba) {
  int r = (int)(rgba >> 24), g = (int)(rgba >> 16) & 255, b = (int)(rgba >> 8) & 255, a = (int)rgba & 255;
  uint8_t yy, uu, vv;
  odai_rgb_to_yuv601(r, g, b, &yy, &uu, &vv);
  switch (d->format) {
  case ODAI_PIXEL_RGB8: fill_packed(d, (const uint8_t[]){(uint8_t)r, (uint8_t)g, (uint8_t)b}, 3); break;
  case ODAI_PIXEL_BGR8: fill_packed(d, (const uint8_t[]){(uint8_t)b, (uint8_t)g, (uint8_t)r}, 3); break;
  case ODAI_PIXEL_RGBA8:
    fill_packed(d, (const uint8_t[]){(uint8_t)r, (uint8_t)g, (uint8_t)b, (uint8_t)a}, 4);
    break;
  case ODAI_PIXEL_BGRA8:
    fill_packed(d, (const uint8_t[]){(uint8_t)b, (uint8_t)g, (uint8_t)r, (uint8_t)a}, 4);
    break;
  case ODAI_PIXEL_GRAY8: {
    uint8_t l = (uint8_t)((299 * r + 587 * g + 114 * b + 500) / 1000);
    fill_packed(d, &l, 1);
    break;
  }
  case ODAI_PIXEL_F32: {
    float f = (float)r / 255.0f;
    uint8_t px[4];
    memcpy(px, &f, 4);
    fill_packed(d, px, 4);
    break;
  }
  case ODAI_PIXEL_F32C3: {
    float f[3] = {(float)r / 255.0f, (float)g / 255.0f, (float)b / 255.0f};
    uint8_t px[12];
    memcpy(px, f, 12);
    fill_packed(d, px, 12);
    break;
  }
  case ODAI_PIXEL_YUYV: {
    odai_image_planes t = *d;
    t.width = (d->width + 1) / 2;
    fill_packed(&t, (const uint8_t[]){yy, uu, yy, vv}, 4);
    break;
  }
  case ODAI_PIXEL_NV12: {
    int cw = (d->width + 1) / 2, ch = (d->height + 1) / 2;
    set_rows(d->data[0], d->stride[0], (size_t)d->width, d->height, yy);
    odai_image_planes t = {.width = cw, .height = ch, .data = {d->data[1]}, .stride = {d->stride[1]}};
    fill_packed(&t, (const uint8_t[]){uu, vv}, 2);
    break;
  }
  case ODAI_PIXEL_I420: {
    int cw = (d->width + 1) / 2, ch = (d->height + 1) / 2;
    set_rows(d->data[0], d->stride[0], (size_t)d->width, d->height, yy);
    set_rows(d->data[1], d->stride[1], (size_t)cw, ch, uu);
    set_rows(d->data[2], d->stride[2], (size_t)cw, ch, vv);
    break;
  }
  default:
    return ODAI_E_INVALID;
  }
  return ODAI_OK;
}

odai_status odai_image_fill(odai_image *dst, uint32_t rgba, odai_error *err) {
  if (!dst || !dst->writable) return odai_error_set(err, ODAI_E_INVALID, "fill: no writable image");
  odai_image_planes d;
  odai_image_get_planes(dst, &d);
  return odai_fill_planes(&d, rgba);
}
