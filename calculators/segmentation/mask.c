/* Segmentation mask maths: tensor activation, region-aware bilinear resize,
 * MediaPipe's temporal smoothing, and mask compositing (tint, background
 * blur with a running-sum box blur, replacement) on 8-bit images. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mask_ops.h"

static bool mask_ok(const odai_mask *m) {
  return m && m->data && m->width > 0 && m->height > 0 && m->stride >= m->width;
}

static bool canvas_ok(const odai_canvas *c) {
  return c && c->data && c->width > 0 && c->height > 0 &&
         (c->channels == 1 || c->channels == 3 || c->channels == 4) &&
         c->stride >= (ptrdiff_t)c->width * c->channels;
}

odai_status odai_mask_from_tensor(const float *t, int w, int h, int ch,
                                  odai_mask_activation act, int layer, const odai_mask *out,
                                  odai_error *err) {
  if (!t || !mask_ok(out) || w <= 0 || h <= 0 || ch <= 0)
    return odai_error_set(err, ODAI_E_INVALID, "segmentation: bad tensor or mask");
  if (out->width != w || out->height != h)
    return odai_error_set(err, ODAI_E_INVALID, "segmentation: mask %dx%d for a %dx%d tensor",
                          out->width, out->height, w, h);
  if (layer < 0 || layer >= ch)
    return odai_error_set(err, ODAI_E_INVALID,
                          "segmentation: output_layer_index %d for %d channels", layer, ch);
  if (act == ODAI_MASK_ACTIVATION_SOFTMAX && ch < 2)
    return odai_error_set(err, ODAI_E_INVALID, "segmentation: softmax needs 2+ channels");
  for (int y = 0; y < h; y++) {
    const float *src = t + (size_t)y * (size_t)w * (size_t)ch;
    float *dst = out->data + (ptrdiff_t)y * out->stride;
    for (int x = 0; x < w; x++, src += ch) {
      float v = src[layer];
      switch (act) {
        case ODAI_MASK_ACTIVATION_SIGMOID:
          v = 1.0f / (1.0f + expf(-v));
          break;
        case ODAI_MASK_ACTIVATION_SOFTMAX: {
          float mx = src[0];
          for (int c = 1; c < ch; c++) mx = fmaxf(mx, src[c]);
          float sum = 0;
          for (int c = 0; c < ch; c++) sum += expf(src[c] - mx);
          v = expf(v - mx) / sum;
          break;
        }
        default:
          break;
      }
      dst[x] = v;
    }
  }
  return ODAI_OK;
}

/* Column sampling table for one chunk of output columns. */
#define RESIZE_CHUNK 256

odai_status odai_mask_resize(const odai_mask *src, float rx0, float ry0, float rx1, float ry1,
                             const odai_mask *dst, odai_error *err) {
  if (!mask_ok(src) || !mask_ok(dst))
    return odai_error_set(err, ODAI_E_INVALID, "mask resize: bad mask");
  if (!(rx1 > rx0) || !(ry1 > ry0) || !isfinite(rx0) || !isfinite(rx1) || !isfinite(ry0) ||
      !isfinite(ry1))
    return odai_error_set(err, ODAI_E_INVALID, "mask resize: empty source region");
  const float sw = (float)src->width, sh = (float)src->height;
  const float x_scale = (rx1 - rx0) * sw / (float)dst->width;
  const float y_scale = (ry1 - ry0) * sh / (float)dst->height;
  const float x_base = rx0 * sw, y_base = ry0 * sh;
  const int wmax = src->width - 1, hmax = src->height - 1;
  int xa[RESIZE_CHUNK], xb[RESIZE_CHUNK];
  float fxs[RESIZE_CHUNK];
  /* Columns in chunks: the horizontal taps are computed once per chunk,
   * then every row reuses them. */
  for (int cx = 0; cx < dst->width; cx += RESIZE_CHUNK) {
    const int n = dst->width - cx < RESIZE_CHUNK ? dst->width - cx : RESIZE_CHUNK;
    for (int i = 0; i < n; i++) {
      float sx = x_base + ((float)(cx + i) + 0.5f) * x_scale - 0.5f;
      if (sx < 0) sx = 0;
      if (sx > (float)wmax) sx = (float)wmax;
      xa[i] = (int)sx;
      xb[i] = xa[i] < wmax ? xa[i] + 1 : wmax;
      fxs[i] = sx - (float)xa[i];
    }
    for (int oy = 0; oy < dst->height; oy++) {
      float sy = y_base + ((float)oy + 0.5f) * y_scale - 0.5f;
      if (sy < 0) sy = 0;
      if (sy > (float)hmax) sy = (float)hmax;
      const int y0 = (int)sy, y1 = y0 < hmax ? y0 + 1 : hmax;
      const float fy = sy - (float)y0;
      const float *r0 = src->data + (ptrdiff_t)y0 * src->stride;
      const float *r1 = src->data + (ptrdiff_t)y1 * src->stride;
      float *out = dst->data + (ptrdiff_t)oy * dst->stride + cx;
      for (int i = 0; i < n; i++) {
        const float a0 = r0[xa[i]], a1 = r0[xb[i]], b0 = r1[xa[i]], b1 = r1[xb[i]];
        const float top = a0 + (a1 - a0) * fxs[i];
        const float bot = b0 + (b1 - b0) * fxs[i];
        out[i] = top + (bot - top) * fy;
      }
    }
  }
  return ODAI_OK;
}

odai_status odai_mask_smooth(const odai_mask *cur, const odai_mask *prev, const odai_mask *out,
                             float ratio, odai_error *err) {
  if (!mask_ok(cur) || !mask_ok(prev) || !mask_ok(out))
    return odai_error_set(err, ODAI_E_INVALID, "mask smoothing: bad mask");
  if (prev->width != cur->width || prev->height != cur->height || out->width != cur->width ||
      out->height != cur->height)
    return odai_error_set(err, ODAI_E_INVALID, "mask smoothing: masks differ in size");
  /* MediaPipe's polynomial fit of 1 - (1 - H(p))^2, H = binary entropy. */
  const float c1 = 5.68842f, c2 = -0.748699f, c3 = -57.8051f, c4 = 291.309f, c5 = -624.717f;
  for (int y = 0; y < cur->height; y++) {
    const float *c = cur->data + (ptrdiff_t)y * cur->stride;
    const float *p = prev->data + (ptrdiff_t)y * prev->stride;
    float *o = out->data + (ptrdiff_t)y * out->stride;
    for (int x = 0; x < cur->width; x++) {
      const float nv = c[x];
      const float t = nv - 0.5f, s = t * t;
      const float q = s * (c1 + s * (c2 + s * (c3 + s * (c4 + s * c5))));
      const float u = 1.0f - (q < 1.0f ? q : 1.0f); /* not fminf: a libm call at -O2 */
      o[x] = nv + (p[x] - nv) * (u * ratio);
    }
  }
  return ODAI_OK;
}

void odai_mask_scratch_fini(odai_mask_scratch *s) {
  if (!s) return;
  free(s->tmp);
  free(s->acc);
  memset(s, 0, sizeof(*s));
}

static odai_status scratch_grow(odai_mask_scratch *s, size_t tmp, size_t acc, odai_error *err) {
  if (tmp > s->tmp_cap) {
    uint8_t *p = realloc(s->tmp, tmp);
    if (!p) return odai_error_set(err, ODAI_E_NOMEM, "blur: out of memory");
    s->tmp = p;
    s->tmp_cap = tmp;
  }
  if (acc > s->acc_cap) {
    uint32_t *p = realloc(s->acc, acc * sizeof(uint32_t));
    if (!p) return odai_error_set(err, ODAI_E_NOMEM, "blur: out of memory");
    s->acc = p;
    s->acc_cap = acc;
  }
  return ODAI_OK;
}

/* sum / n rounded; inv = 1/n in float (exact enough: sums stay < 2^24). */
static inline uint8_t div_n(uint32_t sum, float inv) {
  return (uint8_t)((float)sum * inv + 0.5f);
}

/* Horizontal box pass over one row with CH channels: the channels' running
 * sums are independent chains, interleaved for instruction-level
 * parallelism; the interior runs without edge clamping. */
static inline __attribute__((always_inline)) void hrow(const uint8_t *s, uint8_t *d, int w,
                                                        const int ch, int r, float inv) {
  uint32_t sum[4] = {0, 0, 0, 0};
  for (int c = 0; c < ch; c++) {
    sum[c] = (uint32_t)(r + 1) * s[c];
    for (int i = 1; i <= r; i++) sum[c] += s[(ptrdiff_t)(i < w ? i : w - 1) * ch + c];
  }
  int x = 0;
  for (; x < w && x - r <= 0; x++) { /* left edge: outgoing pixel clamped to 0 */
    const ptrdiff_t add = (ptrdiff_t)(x + r + 1 < w ? x + r + 1 : w - 1) * ch;
    for (int c = 0; c < ch; c++) {
      d[(ptrdiff_t)x * ch + c] = div_n(sum[c], inv);
      sum[c] += (uint32_t)s[add + c] - s[c];
    }
  }
  for (; x + r + 1 < w; x++) { /* interior */
    const uint8_t *in = s + (ptrdiff_t)(x + r + 1) * ch, *out = s + (ptrdiff_t)(x - r) * ch;
    uint8_t *o = d + (ptrdiff_t)x * ch;
    for (int c = 0; c < ch; c++) {
      o[c] = div_n(sum[c], inv);
      sum[c] += (uint32_t)in[c] - out[c];
    }
  }
  for (; x < w; x++) { /* right edge: incoming pixel clamped to w-1 */
    const ptrdiff_t sub = (ptrdiff_t)(x - r > 0 ? x - r : 0) * ch;
    for (int c = 0; c < ch; c++) {
      d[(ptrdiff_t)x * ch + c] = div_n(sum[c], inv);
      sum[c] += (uint32_t)s[(ptrdiff_t)(w - 1) * ch + c] - s[sub + c];
    }
  }
}

static void hpass(const uint8_t *src, ptrdiff_t ss, uint8_t *dst, ptrdiff_t ds, int w, int h,
                  int ch, int r, float inv) {
  for (int y = 0; y < h; y++) {
    const uint8_t *s = src + (ptrdiff_t)y * ss;
    uint8_t *d = dst + (ptrdiff_t)y * ds;
    /* Literal channel counts let the compiler unroll the channel loop. */
    if (ch == 3)
      hrow(s, d, w, 3, r, inv);
    else if (ch == 4)
      hrow(s, d, w, 4, r, inv);
    else
      hrow(s, d, w, 1, r, inv);
  }
}

/* Vertical box pass with one running sum per column (row-major walks, so
 * the inner loops vectorise). */
static void vpass(const uint8_t *src, ptrdiff_t ss, uint8_t *dst, ptrdiff_t ds, int w, int h,
                  int ch, int r, float inv, uint32_t *acc) {
  const int n = w * ch;
  for (int i = 0; i < n; i++) acc[i] = (uint32_t)(r + 1) * src[i];
  for (int k = 1; k <= r; k++) {
    const uint8_t *row = src + (ptrdiff_t)(k < h ? k : h - 1) * ss;
    for (int i = 0; i < n; i++) acc[i] += row[i];
  }
  for (int y = 0; y < h; y++) {
    uint8_t *d = dst + (ptrdiff_t)y * ds;
    for (int i = 0; i < n; i++) d[i] = div_n(acc[i], inv);
    const uint8_t *add = src + (ptrdiff_t)(y + r + 1 < h ? y + r + 1 : h - 1) * ss;
    const uint8_t *sub = src + (ptrdiff_t)(y - r > 0 ? y - r : 0) * ss;
    for (int i = 0; i < n; i++) acc[i] = acc[i] + add[i] - sub[i];
  }
}

odai_status odai_blur_box(const odai_canvas *src, const odai_canvas *dst, int radius, int passes,
                          odai_mask_scratch *s, odai_error *err) {
  if (!canvas_ok(src) || !canvas_ok(dst) || !s)
    return odai_error_set(err, ODAI_E_INVALID, "blur: bad image");
  if (src->width != dst->width || src->height != dst->height || src->channels != dst->channels)
    return odai_error_set(err, ODAI_E_INVALID, "blur: source and destination differ");
  if (radius < 0 || radius > 4096 || passes < 1 || passes > 8)
    return odai_error_set(err, ODAI_E_INVALID, "blur: radius %d / passes %d out of range",
                          radius, passes);
  const int w = src->width, h = src->height, ch = src->channels;
  const ptrdiff_t ts = (ptrdiff_t)w * ch;
  if (radius == 0) {
    if (src->data != dst->data)
      for (int y = 0; y < h; y++)
        memmove(dst->data + (ptrdiff_t)y * dst->stride, src->data + (ptrdiff_t)y * src->stride,
                (size_t)ts);
    return ODAI_OK;
  }
  odai_status st = scratch_grow(s, (size_t)ts * (size_t)h, (size_t)ts, err);
  if (st != ODAI_OK) return st;
  const float inv = 1.0f / (float)(2 * radius + 1);
  const uint8_t *in = src->data;
  ptrdiff_t in_stride = src->stride;
  for (int p = 0; p < passes; p++) {
    /* tmp holds the horizontal result; the vertical pass writes dst, which
     * then feeds the next pass (in place is safe: hpass reads all of a row
     * of dst before tmp is read back). */
    hpass(in, in_stride, s->tmp, ts, w, h, ch, radius, inv);
    vpass(s->tmp, ts, dst->data, dst->stride, w, h, ch, radius, inv, s->acc);
    in = dst->data;
    in_stride = dst->stride;
  }
  return ODAI_OK;
}

static odai_status check_pair(const odai_canvas *img, const odai_mask *m, odai_error *err) {
  if (!canvas_ok(img) || !mask_ok(m))
    return odai_error_set(err, ODAI_E_INVALID, "mask overlay: bad image or mask");
  if (img->width != m->width || img->height != m->height)
    return odai_error_set(err, ODAI_E_INVALID, "mask overlay: mask %dx%d for a %dx%d image",
                          m->width, m->height, img->width, img->height);
  return ODAI_OK;
}

/* Weight in [0,256] from a mask value (NaN and out of range clamped). */
static inline uint32_t weight(float v) {
  if (!(v > 0.0f)) return 0;
  if (v >= 1.0f) return 256;
  return (uint32_t)(v * 256.0f + 0.5f);
}

odai_status odai_mask_tint(const odai_canvas *img, const odai_mask *m, odai_color color,
                           float alpha, bool invert, odai_error *err) {
  odai_status st = check_pair(img, m, err);
  if (st != ODAI_OK) return st;
  uint8_t col[4] = {img->bgr ? color.b : color.r, color.g, img->bgr ? color.r : color.b, 255};
  if (img->channels == 1) col[0] = (uint8_t)((color.r * 77 + color.g * 150 + color.b * 29) >> 8);
  const int cc = img->channels == 4 ? 3 : img->channels;
  for (int y = 0; y < img->height; y++) {
    uint8_t *p = img->data + (ptrdiff_t)y * img->stride;
    const float *mv = m->data + (ptrdiff_t)y * m->stride;
    for (int x = 0; x < img->width; x++, p += img->channels) {
      float v = invert ? 1.0f - mv[x] : mv[x];
      uint32_t a = weight(v * alpha);
      if (!a) continue;
      for (int c = 0; c < cc; c++) p[c] = (uint8_t)((p[c] * (256 - a) + col[c] * a + 128) >> 8);
    }
  }
  return ODAI_OK;
}

odai_status odai_mask_recolor(const odai_canvas *img, const odai_mask *m, odai_color color,
                              bool invert, bool adjust_with_luminance, odai_error *err) {
  odai_status st = check_pair(img, m, err);
  if (st != ODAI_OK) return st;
  const float cr = color.r, cg = color.g, cb = color.b;
  const int ch = img->channels;
  for (int y = 0; y < img->height; y++) {
    uint8_t *p = img->data + (ptrdiff_t)y * img->stride;
    const float *mv = m->data + (ptrdiff_t)y * m->stride;
    for (int x = 0; x < img->width; x++, p += ch) {
      float w = mv[x];
      if (!(w == w)) w = 0; /* NaN */
      if (invert) w = 1.0f - w;
      if (ch == 1) {
        float lum = adjust_with_luminance ? p[0] / 255.0f : 1.0f;
        float mix = w * lum;
        float g = 0.299f * cr + 0.587f * cg + 0.114f * cb;
        float v = p[0] * (1.0f - mix) + g * mix;
        p[0] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v + 0.5f);
        continue;
      }
      const int ri = img->bgr ? 2 : 0, bi = img->bgr ? 0 : 2;
      float r = p[ri], g = p[1], b = p[bi];
      float lum = adjust_with_luminance ? (0.299f * r + 0.587f * g + 0.114f * b) / 255.0f : 1.0f;
      float mix = w * lum;
      float nr = r * (1.0f - mix) + cr * mix, ng = g * (1.0f - mix) + cg * mix;
      float nb = b * (1.0f - mix) + cb * mix;
      p[ri] = (uint8_t)(nr < 0 ? 0 : nr > 255 ? 255 : nr + 0.5f);
      p[1] = (uint8_t)(ng < 0 ? 0 : ng > 255 ? 255 : ng + 0.5f);
      p[bi] = (uint8_t)(nb < 0 ? 0 : nb > 255 ? 255 : nb + 0.5f);
    }
  }
  return ODAI_OK;
}

static void composite(const odai_canvas *img, const odai_mask *m, const uint8_t *bg,
                      ptrdiff_t bg_stride, const uint8_t *color) {
  const int ch = img->channels;
  for (int y = 0; y < img->height; y++) {
    uint8_t *p = img->data + (ptrdiff_t)y * img->stride;
    const uint8_t *b = bg ? bg + (ptrdiff_t)y * bg_stride : NULL;
    const float *mv = m->data + (ptrdiff_t)y * m->stride;
    for (int x = 0; x < img->width; x++, p += ch) {
      const uint32_t a = weight(mv[x]);
      if (a == 256) continue;
      const uint8_t *q = b ? b + (ptrdiff_t)x * ch : color;
      for (int c = 0; c < ch; c++) p[c] = (uint8_t)((p[c] * a + q[c] * (256 - a) + 128) >> 8);
    }
  }
}

/* Average f x f blocks of img into small (sw x sh, edge blocks clipped). */
static void downsample(const odai_canvas *img, uint8_t *small, int sw, int sh, int f) {
  const int ch = img->channels;
  for (int by = 0; by < sh; by++) {
    const int y0 = by * f, y1 = y0 + f < img->height ? y0 + f : img->height;
    for (int bx = 0; bx < sw; bx++) {
      const int x0 = bx * f, x1 = x0 + f < img->width ? x0 + f : img->width;
      uint32_t sum[4] = {0, 0, 0, 0};
      for (int y = y0; y < y1; y++) {
        const uint8_t *p = img->data + (ptrdiff_t)y * img->stride + (ptrdiff_t)x0 * ch;
        for (int x = x0; x < x1; x++, p += ch)
          for (int c = 0; c < ch; c++) sum[c] += p[c];
      }
      const uint32_t n = (uint32_t)((y1 - y0) * (x1 - x0));
      uint8_t *o = small + ((ptrdiff_t)by * sw + bx) * ch;
      for (int c = 0; c < ch; c++) o[c] = (uint8_t)((sum[c] + n / 2) / n);
    }
  }
}

/* out = img*m + up(small)*(1-m), where up() samples the small blurred
 * image bilinearly (half-pixel centres) at the full resolution. */
static void composite_upsampled(const odai_canvas *img, const odai_mask *m, const uint8_t *small,
                                int sw, int sh, int f) {
  const int ch = img->channels;
  int xa[256], xb[256];
  uint32_t fx[256];
  for (int cx = 0; cx < img->width; cx += 256) {
    const int n = img->width - cx < 256 ? img->width - cx : 256;
    for (int i = 0; i < n; i++) {
      float sx = ((float)(cx + i) + 0.5f) / (float)f - 0.5f;
      if (sx < 0) sx = 0;
      if (sx > (float)(sw - 1)) sx = (float)(sw - 1);
      xa[i] = (int)sx;
      xb[i] = xa[i] + 1 < sw ? xa[i] + 1 : sw - 1;
      fx[i] = (uint32_t)((sx - (float)xa[i]) * 256.0f + 0.5f);
    }
    for (int y = 0; y < img->height; y++) {
      float sy = ((float)y + 0.5f) / (float)f - 0.5f;
      if (sy < 0) sy = 0;
      if (sy > (float)(sh - 1)) sy = (float)(sh - 1);
      const int y0 = (int)sy, y1 = y0 + 1 < sh ? y0 + 1 : sh - 1;
      const uint32_t fy = (uint32_t)((sy - (float)y0) * 256.0f + 0.5f);
      const uint8_t *r0 = small + (ptrdiff_t)y0 * sw * ch, *r1 = small + (ptrdiff_t)y1 * sw * ch;
      uint8_t *p = img->data + (ptrdiff_t)y * img->stride + (ptrdiff_t)cx * ch;
      const float *mv = m->data + (ptrdiff_t)y * m->stride + cx;
      for (int i = 0; i < n; i++, p += ch) {
        const uint32_t a = weight(mv[i]);
        if (a == 256) continue;
        const uint8_t *q00 = r0 + (ptrdiff_t)xa[i] * ch, *q01 = r0 + (ptrdiff_t)xb[i] * ch;
        const uint8_t *q10 = r1 + (ptrdiff_t)xa[i] * ch, *q11 = r1 + (ptrdiff_t)xb[i] * ch;
        const uint32_t wx = fx[i];
        for (int c = 0; c < ch; c++) {
          const uint32_t top = q00[c] * (256 - wx) + q01[c] * wx;
          const uint32_t bot = q10[c] * (256 - wx) + q11[c] * wx;
          const uint32_t v = (top * (256 - fy) + bot * fy + 32768) >> 16;
          p[c] = (uint8_t)((p[c] * a + v * (256 - a) + 128) >> 8);
        }
      }
    }
  }
}

odai_status odai_mask_blur_background(const odai_canvas *img, const odai_mask *m, int radius,
                                      odai_mask_scratch *s, odai_error *err) {
  odai_status st = check_pair(img, m, err);
  if (st != ODAI_OK) return st;
  if (!s) return odai_error_set(err, ODAI_E_INVALID, "background blur: NULL scratch");
  if (radius < 0 || radius > 4096)
    return odai_error_set(err, ODAI_E_INVALID, "background blur: radius %d out of range", radius);
  const int ch = img->channels;
  /* A wide blur loses nothing by running on a smaller copy: average f x f
   * blocks (f ~ radius / 4), blur that with radius / f, and upsample it
   * bilinearly while compositing. Cuts the work by about f^2. */
  int f = radius / 4;
  if (f < 1) f = 1;
  if (f > 16) f = 16;
  const int sw = (img->width + f - 1) / f, sh = (img->height + f - 1) / f;
  int r = (radius + f / 2) / f;
  if (r < 1 && radius > 0) r = 1;
  const size_t small = (size_t)sw * (size_t)sh * (size_t)ch;
  /* Scratch: [blur temporary | small image]. */
  st = scratch_grow(s, small * 2, (size_t)sw * (size_t)ch, err);
  if (st != ODAI_OK) return st;
  uint8_t *sm = s->tmp + small;
  downsample(img, sm, sw, sh, f);
  odai_canvas sc = {sm, sw, sh, (ptrdiff_t)sw * ch, ch, img->bgr};
  odai_mask_scratch inner = {s->tmp, small, s->acc, s->acc_cap};
  st = odai_blur_box(&sc, &sc, r, 3, &inner, err);
  if (st != ODAI_OK) return st;
  composite_upsampled(img, m, sm, sw, sh, f);
  return ODAI_OK;
}

odai_status odai_mask_replace_background(const odai_canvas *img, const odai_mask *m,
                                         const odai_canvas *bg, odai_color color,
                                         odai_error *err) {
  odai_status st = check_pair(img, m, err);
  if (st != ODAI_OK) return st;
  if (bg && (!canvas_ok(bg) || bg->width != img->width || bg->height != img->height ||
             bg->channels != img->channels))
    return odai_error_set(err, ODAI_E_INVALID, "background replace: background differs in size");
  uint8_t col[4] = {img->bgr ? color.b : color.r, color.g, img->bgr ? color.r : color.b, 255};
  if (img->channels == 1) col[0] = (uint8_t)((color.r * 77 + color.g * 150 + color.b * 29) >> 8);
  composite(img, m, bg ? bg->data : NULL, bg ? bg->stride : 0, col);
  return ODAI_OK;
}
