/* io/image_transform.c: geometric pixel work on odai_image: resize
 * (bilinear, area, nearest), rotate by multiples of 90 degrees, flips,
 * letterbox/fit, and a PPM/PGM writer for debugging. libyuv does the 8-bit
 * formats it covers; float formats and 3-byte rotations use the tiled loops
 * below. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libyuv.h>
#include <libyuv/scale_rgb.h>

#include "image_internal.h"

static enum FilterMode yuv_filter(odai_resize_filter f) {
  switch (f) {
  case ODAI_RESIZE_AREA: return kFilterBox;
  case ODAI_RESIZE_NEAREST: return kFilterNone;
  default: return kFilterBilinear;
  }
}

/* ---- float resize (F32, F32C3) ----------------------------------------- */

static inline const float *frow(const odai_image_planes *p, int y) {
  return (const float *)(const void *)(p->data[0] + (size_t)y * p->stride[0]);
}

static void resize_float(const odai_image_planes *s, const odai_image_planes *d, int ch,
                         odai_resize_filter filter) {
  const int sw = s->width, sh = s->height, dw = d->width, dh = d->height;
  const float scx = (float)sw / (float)dw, scy = (float)sh / (float)dh;
  if (filter == ODAI_RESIZE_NEAREST) {
    /* 16.16 fixed-point stepping from the centre, exactly as libyuv's
     * point sampling, so every format picks the same source pixels. */
    const int64_t dx = ((int64_t)sw << 16) / dw, dy = ((int64_t)sh << 16) / dh;
    for (int yd = 0; yd < dh; yd++) {
      int ys = (int)(((dy >> 1) + yd * dy) >> 16);
      ys = ys < sh ? ys : sh - 1;
      const float *sr = frow(s, ys);
      float *dr = (float *)(void *)(d->data[0] + (size_t)yd * d->stride[0]);
      for (int xd = 0; xd < dw; xd++) {
        int xs = (int)(((dx >> 1) + xd * dx) >> 16);
        xs = xs < sw ? xs : sw - 1;
        for (int c = 0; c < ch; c++) dr[xd * ch + c] = sr[xs * ch + c];
      }
    }
    return;
  }
  if (filter == ODAI_RESIZE_AREA && scx >= 1.0f && scy >= 1.0f) {
    /* Box average over the exact source footprint, partial pixels weighted. */
    const float inv = 1.0f / (scx * scy);
    for (int yd = 0; yd < dh; yd++) {
      float y0 = (float)yd * scy, y1 = y0 + scy;
      int iy0 = (int)y0, iy1 = (int)y1;
      if (iy1 > sh - 1) iy1 = sh - 1;
      float *dr = (float *)(void *)(d->data[0] + (size_t)yd * d->stride[0]);
      for (int xd = 0; xd < dw; xd++) {
        float x0 = (float)xd * scx, x1 = x0 + scx;
        int ix0 = (int)x0, ix1 = (int)x1;
        if (ix1 > sw - 1) ix1 = sw - 1;
        float acc[4] = {0, 0, 0, 0}; /* ch is 1 or 3 */
        for (int y = iy0; y <= iy1; y++) {
          float wy = (y + 1 < y1 ? (float)(y + 1) : y1) - (y > y0 ? (float)y : y0);
          if (wy <= 0.0f) continue;
          const float *sr = frow(s, y);
          for (int x = ix0; x <= ix1; x++) {
            float wx = (x + 1 < x1 ? (float)(x + 1) : x1) - (x > x0 ? (float)x : x0);
            if (wx <= 0.0f) continue;
            for (int c = 0; c < ch; c++) acc[c] += wx * wy * sr[x * ch + c];
          }
        }
        for (int c = 0; c < ch; c++) dr[xd * ch + c] = acc[c] * inv;
      }
    }
    return;
  }
  /* Bilinear as libyuv does it for the 8-bit formats, per axis: pixel
   * centres aligned when shrinking (OpenCV INTER_LINEAR, TF
   * half_pixel_centers), corners aligned when enlarging. */
  for (int yd = 0; yd < dh; yd++) {
    float fy = dh > sh ? (dh > 1 ? (float)yd * (float)(sh - 1) / (float)(dh - 1) : 0.0f)
                       : ((float)yd + 0.5f) * scy - 0.5f;
    if (fy < 0.0f) fy = 0.0f;
    int y0 = (int)fy;
    if (y0 > sh - 1) y0 = sh - 1;
    int y1 = y0 + 1 < sh ? y0 + 1 : sh - 1;
    float wy = fy - (float)y0;
    if (wy > 1.0f) wy = 1.0f;
    const float *r0 = frow(s, y0), *r1 = frow(s, y1);
    float *dr = (float *)(void *)(d->data[0] + (size_t)yd * d->stride[0]);
    for (int xd = 0; xd < dw; xd++) {
      float fx = dw > sw ? (dw > 1 ? (float)xd * (float)(sw - 1) / (float)(dw - 1) : 0.0f)
                         : ((float)xd + 0.5f) * scx - 0.5f;
      if (fx < 0.0f) fx = 0.0f;
      int x0 = (int)fx;
      if (x0 > sw - 1) x0 = sw - 1;
      int x1 = x0 + 1 < sw ? x0 + 1 : sw - 1;
      float wx = fx - (float)x0;
      if (wx > 1.0f) wx = 1.0f;
      for (int c = 0; c < ch; c++) {
        float top = r0[x0 * ch + c] + wx * (r0[x1 * ch + c] - r0[x0 * ch + c]);
        float bot = r1[x0 * ch + c] + wx * (r1[x1 * ch + c] - r1[x0 * ch + c]);
        dr[xd * ch + c] = top + wy * (bot - top);
      }
    }
  }
}

/* ---- packed 8-bit bilinear/nearest (RGB8, BGR8) ------------------------ */

/* libyuv has no 3-byte scaler of its own: RGBScale converts the whole
 * source to ARGB first, which costs more than the resize when shrinking a
 * big frame to a small model input. This path reads only the source rows
 * and columns it samples, with libyuv's conventions (16.16 stepping; centres aligned when
 * shrinking, corners when enlarging; 8-bit weights). Tables come from the
 * pool: no allocation per frame. */
static void axis_table(int s, int d, bool nearest, int32_t *pos, int32_t *frac) {
  int64_t dx, x;
  if (nearest) {
    dx = ((int64_t)s << 16) / d;
    x = dx >> 1;
  } else if (d <= s) {
    dx = ((int64_t)s << 16) / d;
    x = (dx >> 1) - 32768;
  } else {
    dx = d > 1 ? (((int64_t)s << 16) - 0x10001) / (d - 1) : 0;
    x = 0;
  }
  for (int i = 0; i < d; i++, x += dx) {
    int64_t xi = x < 0 ? 0 : x;
    int p = (int)(xi >> 16);
    if (p > s - 1) p = s - 1;
    pos[i] = p;
    frac[i] = nearest ? 0 : (int32_t)((xi >> 8) & 255);
  }
}

/* Horizontal pass for a compile-time channel count (so the channel loop
 * unrolls): t is the vertically blended source row. */
static inline void hfilter_row(const uint8_t *restrict t, uint8_t *restrict o, const int32_t *xp, const int32_t *xf,
                               int dw, int last, const int ch) {
  for (int x = 0; x < dw; x++) {
    const int p0 = xp[x], p1 = p0 < last ? p0 + ch : p0, wx = xf[x], wx0 = 256 - wx;
    for (int c = 0; c < ch; c++) o[x * ch + c] = (uint8_t)((t[p0 + c] * wx0 + t[p1 + c] * wx + 128) >> 8);
  }
}

static odai_status resize_packed_u8(const odai_image_planes *s, const odai_image_planes *d, int ch, bool nearest,
                                    odai_error *err) {
  const int sw = s->width, sh = s->height, dw = d->width, dh = d->height;
  odai_image *tab = NULL;
  /* Four rows of int32: x positions, x weights, y positions, y weights. */
  odai_status st = odai_image_new(dw > dh ? dw : dh, 4, ODAI_PIXEL_F32, &tab);
  if (st != ODAI_OK) return odai_error_set(err, st, "resize: no memory for tables");
#define TAB_ROW(i) ((int32_t *)(void *)(tab->data[0] + (size_t)(i) * tab->stride[0]))
  int32_t *xp = TAB_ROW(0), *xf = TAB_ROW(1), *yp = TAB_ROW(2), *yf = TAB_ROW(3);
#undef TAB_ROW
  odai_image *row = NULL; /* one blended source row */
  st = odai_image_new(sw, 1, ch == 3 ? ODAI_PIXEL_RGB8 : ODAI_PIXEL_BGRA8, &row);
  if (st != ODAI_OK) {
    odai_image_unref(tab);
    return odai_error_set(err, st, "resize: no memory for a row");
  }
  axis_table(sw, dw, nearest, xp, xf);
  axis_table(sh, dh, nearest, yp, yf);
  for (int x = 0; x < dw; x++) xp[x] *= ch; /* byte offsets */
  for (int y = 0; y < dh; y++) {
    const uint8_t *r0 = s->data[0] + (size_t)yp[y] * s->stride[0];
    const uint8_t *r1 = yp[y] + 1 < sh ? r0 + s->stride[0] : r0;
    uint8_t *o = d->data[0] + (size_t)y * d->stride[0];
    const int wy = yf[y];
    if (nearest) {
      for (int x = 0; x < dw; x++)
        for (int c = 0; c < ch; c++) o[x * ch + c] = r0[xp[x] + c];
      continue;
    }
    /* Vertical blend of the two source rows over the span the columns
     * read (libyuv's SIMD row interpolator), then the horizontal taps. */
    const int last = (sw - 1) * ch;
    const int x_lo = xp[0], x_hi = (xp[dw - 1] < last ? xp[dw - 1] + ch : xp[dw - 1]) + ch;
    const uint8_t *t = r0;
    if (wy != 0 && r1 != r0) {
      InterpolatePlane(r0 + x_lo, 0, r1 + x_lo, 0, row->data[0] + x_lo, 0, x_hi - x_lo, 1, wy > 255 ? 255 : wy);
      t = row->data[0];
    }
    if (ch == 3)
      hfilter_row(t, o, xp, xf, dw, last, 3);
    else
      hfilter_row(t, o, xp, xf, dw, last, ch);
  }
  odai_image_unref(row);
  odai_image_unref(tab);
  return ODAI_OK;
}

/* ---- packed 8-bit area (RGB8, BGR8, RGBA8, BGRA8) ---------------------- */

/* libyuv's ARGB "box" mode samples from the left edge of each box at
 * fractional ratios (measured: 160x120 -> 24x20 off by 11 on average), and
 * RGBScale goes through it. Its plane box scaler is right (and SIMD), so
 * packed images are split into planes (SIMD), box-scaled plane by plane
 * and merged back. Scratch planes come from the pool. */
static odai_status area_packed_u8(const odai_image_planes *s, const odai_image_planes *d, int ch, odai_error *err) {
  const int sw = s->width, sh = s->height, dw = d->width, dh = d->height;
  odai_image *sp[4] = {NULL}, *dp[4] = {NULL};
  odai_status st = ODAI_OK;
  for (int c = 0; c < ch && st == ODAI_OK; c++) {
    st = odai_image_new(sw, sh, ODAI_PIXEL_GRAY8, &sp[c]);
    if (st == ODAI_OK) st = odai_image_new(dw, dh, ODAI_PIXEL_GRAY8, &dp[c]);
  }
  if (st != ODAI_OK) {
    odai_error_set(err, st, "resize: no memory for scratch planes");
    goto done;
  }
#define P(a, i) (a)[i]->data[0], (a)[i]->stride[0]
  if (ch == 3)
    SplitRGBPlane(s->data[0], s->stride[0], P(sp, 0), P(sp, 1), P(sp, 2), sw, sh);
  else
    SplitARGBPlane(s->data[0], s->stride[0], P(sp, 0), P(sp, 1), P(sp, 2), P(sp, 3), sw, sh);
  for (int c = 0; c < ch; c++) ScalePlane(P(sp, c), sw, sh, P(dp, c), dw, dh, kFilterBox);
  if (ch == 3)
    MergeRGBPlane(P(dp, 0), P(dp, 1), P(dp, 2), d->data[0], d->stride[0], dw, dh);
  else
    MergeARGBPlane(P(dp, 0), P(dp, 1), P(dp, 2), P(dp, 3), d->data[0], d->stride[0], dw, dh);
#undef P
done:
  for (int c = 0; c < 4; c++) {
    odai_image_unref(sp[c]);
    odai_image_unref(dp[c]);
  }
  return st;
}

/* YUYV has no libyuv scaler, rotator or odd-width mirror: convert into a
 * pooled I420 scratch of the source size, apply op into one of the
 * destination size, convert back. arg is op's own parameter. */
typedef odai_status (*planes_op)(const odai_image_planes *s, const odai_image_planes *d,
                                 int arg, odai_error *err);

static odai_status via_i420(const odai_image_planes *s, const odai_image_planes *d, planes_op op,
                            int arg, const char *what, odai_error *err) {
  odai_image *a = NULL, *b = NULL;
  odai_image_planes pa, pb;
  odai_status st = odai_image_new(s->width, s->height, ODAI_PIXEL_I420, &a);
  if (st == ODAI_OK) st = odai_image_new(d->width, d->height, ODAI_PIXEL_I420, &b);
  if (st == ODAI_OK) {
    odai_image_get_planes(a, &pa);
    odai_image_get_planes(b, &pb);
    st = odai_convert_planes(s, &pa, err);
    if (st == ODAI_OK) st = op(&pa, &pb, arg, err);
    if (st == ODAI_OK) st = odai_convert_planes(&pb, d, err);
  } else {
    odai_error_set(err, st, "%s: no memory for scratch", what);
  }
  odai_image_unref(a);
  odai_image_unref(b);
  return st;
}

static odai_status resize_op(const odai_image_planes *s, const odai_image_planes *d, int filter,
                             odai_error *err) {
  return odai_resize_planes(s, d, (odai_resize_filter)filter, err);
}

odai_status odai_resize_planes(const odai_image_planes *s, const odai_image_planes *d,
                               odai_resize_filter filter, odai_error *err) {
  if (s->format != d->format)
    return odai_error_set(err, ODAI_E_INVALID, "resize: formats differ (%s -> %s)",
                          odai_pixel_format_name(s->format), odai_pixel_format_name(d->format));
  if (s->width == d->width && s->height == d->height) {
    odai_copy_planes(s, d);
    return ODAI_OK;
  }
  enum FilterMode fm = yuv_filter(filter);
  int r = 0;
  switch (s->format) {
  case ODAI_PIXEL_BGRA8:
  case ODAI_PIXEL_RGBA8:
    if (filter == ODAI_RESIZE_AREA && d->width <= s->width && d->height <= s->height &&
        (d->width * 2 <= s->width || d->height * 2 <= s->height))
      return area_packed_u8(s, d, 4, err);
    r = ARGBScale(s->data[0], s->stride[0], s->width, s->height, d->data[0], d->stride[0], d->width, d->height,
                  fm);
    break;
  case ODAI_PIXEL_RGB8:
  case ODAI_PIXEL_BGR8:
    /* Own path for point sampling, and for bilinear when shrinking a lot
     * (libyuv's RGBScale converts the whole frame to ARGB first: measured
     * 1280x720 -> 128x128 in 72 us vs 114 us; for milder ratios its SIMD
     * column filter wins, e.g. 640x480 -> 256x256: 112 us vs 306 us). */
    if (filter == ODAI_RESIZE_NEAREST ||
        (filter == ODAI_RESIZE_BILINEAR && (int64_t)s->width * s->height >= (int64_t)24 * d->width * d->height))
      return resize_packed_u8(s, d, 3, filter == ODAI_RESIZE_NEAREST, err);
    if (filter == ODAI_RESIZE_AREA && d->width <= s->width && d->height <= s->height &&
        (d->width * 2 <= s->width || d->height * 2 <= s->height))
      return area_packed_u8(s, d, 3, err);
    r = RGBScale(s->data[0], s->stride[0], s->width, s->height, d->data[0], d->stride[0], d->width, d->height,
                 fm);
    break;
  case ODAI_PIXEL_GRAY8:
    ScalePlane(s->data[0], s->stride[0], s->width, s->height, d->data[0], d->stride[0], d->width, d->height, fm);
    break;
  case ODAI_PIXEL_I420:
    r = I420Scale(s->data[0], s->stride[0], s->data[1], s->stride[1], s->data[2], s->stride[2], s->width,
                  s->height, d->data[0], d->stride[0], d->data[1], d->stride[1], d->data[2], d->stride[2],
                  d->width, d->height, fm);
    break;
  case ODAI_PIXEL_NV12:
    r = NV12Scale(s->data[0], s->stride[0], s->data[1], s->stride[1], s->width, s->height, d->data[0],
                  d->stride[0], d->data[1], d->stride[1], d->width, d->height, fm);
    break;
  case ODAI_PIXEL_YUYV:
    return via_i420(s, d, resize_op, (int)filter, "resize", err);
  case ODAI_PIXEL_F32:
    resize_float(s, d, 1, filter);
    break;
  case ODAI_PIXEL_F32C3:
    resize_float(s, d, 3, filter);
    break;
  default:
    return odai_error_set(err, ODAI_E_INVALID, "resize: bad format");
  }
  if (r != 0) return odai_error_set(err, ODAI_E_INTERNAL, "resize: libyuv failed (%d)", r);
  return ODAI_OK;
}

odai_status odai_image_resize_into(const odai_image *src, odai_image *dst, odai_resize_filter filter,
                                   odai_error *err) {
  if (!src || !dst) return odai_error_set(err, ODAI_E_INVALID, "resize: NULL image");
  if (!dst->writable) return odai_error_set(err, ODAI_E_INVALID, "resize: destination is read-only");
  if (src == dst) return odai_error_set(err, ODAI_E_INVALID, "resize: in place is not supported");
  odai_image_planes s, d;
  odai_image_get_planes(src, &s);
  odai_image_get_planes(dst, &d);
  return odai_resize_planes(&s, &d, filter, err);
}

odai_status odai_image_resize(const odai_image *src, int dst_w, int dst_h, odai_resize_filter filter,
                              odai_image **out, odai_error *err) {
  if (!out) return odai_error_set(err, ODAI_E_INVALID, "resize: out is NULL");
  *out = NULL;
  if (!src) return odai_error_set(err, ODAI_E_INVALID, "resize: NULL image");
  if (dst_w < 1 || dst_h < 1 || dst_w > ODAI_IMAGE_MAX_DIM || dst_h > ODAI_IMAGE_MAX_DIM)
    return odai_error_set(err, ODAI_E_INVALID, "resize: bad target size %dx%d", dst_w, dst_h);
  odai_image *dst;
  odai_status st = odai_image_new(dst_w, dst_h, src->format, &dst);
  if (st != ODAI_OK) return odai_error_set(err, st, "resize: cannot allocate %dx%d", dst_w, dst_h);
  st = odai_image_resize_into(src, dst, filter, err);
  if (st != ODAI_OK) {
    odai_image_unref(dst);
    return st;
  }
  *out = dst;
  return ODAI_OK;
}

/* ---- rotate ------------------------------------------------------------- */

#define TILE 32

/* Rotate a plane of esz-byte elements clockwise by deg (90/180/270).
 * esz is a small constant at each call site so memcpy becomes moves. */
static inline void rotate_elems(const uint8_t *src, int ss, uint8_t *dst, int ds, int w, int h, int esz,
                                int deg) {
  if (deg == 180) {
    for (int yd = 0; yd < h; yd++) {
      const uint8_t *sr = src + (size_t)(h - 1 - yd) * ss;
      uint8_t *dr = dst + (size_t)yd * ds;
      for (int xd = 0; xd < w; xd++) memcpy(dr + (size_t)xd * esz, sr + (size_t)(w - 1 - xd) * esz, esz);
    }
    return;
  }
  /* dst is h wide, w tall. 90: dst(xd, yd) = src(yd, h-1-xd);
   * 270: dst(xd, yd) = src(w-1-yd, xd). Tiled for cache locality. */
  const int dw = h, dh = w;
  for (int ty = 0; ty < dh; ty += TILE) {
    int ey = ty + TILE < dh ? ty + TILE : dh;
    for (int tx = 0; tx < dw; tx += TILE) {
      int ex = tx + TILE < dw ? tx + TILE : dw;
      for (int yd = ty; yd < ey; yd++) {
        uint8_t *dr = dst + (size_t)yd * ds;
        if (deg == 90) {
          for (int xd = tx; xd < ex; xd++)
            memcpy(dr + (size_t)xd * esz, src + (size_t)(h - 1 - xd) * ss + (size_t)yd * esz, esz);
        } else {
          for (int xd = tx; xd < ex; xd++)
            memcpy(dr + (size_t)xd * esz, src + (size_t)xd * ss + (size_t)(w - 1 - yd) * esz, esz);
        }
      }
    }
  }
}

static void rotate_plane_any(const uint8_t *src, int ss, uint8_t *dst, int ds, int w, int h, int esz, int deg) {
  switch (esz) {
  case 1: rotate_elems(src, ss, dst, ds, w, h, 1, deg); break;
  case 2: rotate_elems(src, ss, dst, ds, w, h, 2, deg); break;
  case 3: rotate_elems(src, ss, dst, ds, w, h, 3, deg); break;
  case 4: rotate_elems(src, ss, dst, ds, w, h, 4, deg); break;
  default: rotate_elems(src, ss, dst, ds, w, h, 12, deg); break;
  }
}

static odai_status rotate_planes(const odai_image_planes *s, const odai_image_planes *d, int deg,
                                 odai_error *err) {
  enum RotationMode m = deg == 90 ? kRotate90 : deg == 180 ? kRotate180 : kRotate270;
  int r = 0;
  switch (s->format) {
  case ODAI_PIXEL_BGRA8:
  case ODAI_PIXEL_RGBA8:
  case ODAI_PIXEL_F32:
    r = ARGBRotate(s->data[0], s->stride[0], d->data[0], d->stride[0], s->width, s->height, m);
    break;
  case ODAI_PIXEL_GRAY8:
    r = RotatePlane(s->data[0], s->stride[0], d->data[0], d->stride[0], s->width, s->height, m);
    break;
  case ODAI_PIXEL_I420:
    r = I420Rotate(s->data[0], s->stride[0], s->data[1], s->stride[1], s->data[2], s->stride[2], d->data[0],
                   d->stride[0], d->data[1], d->stride[1], d->data[2], d->stride[2], s->width, s->height, m);
    break;
  case ODAI_PIXEL_NV12:
    r = RotatePlane(s->data[0], s->stride[0], d->data[0], d->stride[0], s->width, s->height, m);
    rotate_plane_any(s->data[1], s->stride[1], d->data[1], d->stride[1], (s->width + 1) / 2,
                     (s->height + 1) / 2, 2, deg);
    break;
  case ODAI_PIXEL_RGB8:
  case ODAI_PIXEL_BGR8:
    rotate_plane_any(s->data[0], s->stride[0], d->data[0], d->stride[0], s->width, s->height, 3, deg);
    break;
  case ODAI_PIXEL_F32C3:
    rotate_plane_any(s->data[0], s->stride[0], d->data[0], d->stride[0], s->width, s->height, 12, deg);
    break;
  case ODAI_PIXEL_YUYV: /* chroma is shared by horizontal pairs: rotate as I420 */
    return via_i420(s, d, rotate_planes, deg, "rotate", err);
  default:
    return odai_error_set(err, ODAI_E_INVALID, "rotate: bad format");
  }
  if (r != 0) return odai_error_set(err, ODAI_E_INTERNAL, "rotate: libyuv failed (%d)", r);
  return ODAI_OK;
}

odai_status odai_image_rotate_into(const odai_image *src, int degrees, odai_image *dst, odai_error *err) {
  if (!src || !dst || src == dst) return odai_error_set(err, ODAI_E_INVALID, "rotate: bad images");
  if (!dst->writable) return odai_error_set(err, ODAI_E_INVALID, "rotate: destination is read-only");
  int deg = ((degrees % 360) + 360) % 360;
  if (deg % 90 != 0) return odai_error_set(err, ODAI_E_INVALID, "rotate: %d is not a multiple of 90", degrees);
  bool swap = deg == 90 || deg == 270;
  int ew = swap ? src->height : src->width, eh = swap ? src->width : src->height;
  if (dst->width != ew || dst->height != eh || dst->format != src->format)
    return odai_error_set(err, ODAI_E_INVALID, "rotate: destination must be %dx%d %s", ew, eh,
                          odai_pixel_format_name(src->format));
  odai_image_planes s, d;
  odai_image_get_planes(src, &s);
  odai_image_get_planes(dst, &d);
  if (deg == 0) {
    odai_copy_planes(&s, &d);
    return ODAI_OK;
  }
  return rotate_planes(&s, &d, deg, err);
}

odai_status odai_image_rotate(const odai_image *src, int degrees, odai_image **out, odai_error *err) {
  if (!out) return odai_error_set(err, ODAI_E_INVALID, "rotate: out is NULL");
  *out = NULL;
  if (!src) return odai_error_set(err, ODAI_E_INVALID, "rotate: NULL image");
  int deg = ((degrees % 360) + 360) % 360;
  bool swap = deg == 90 || deg == 270;
  odai_image *dst;
  odai_status st =
      odai_image_new(swap ? src->height : src->width, swap ? src->width : src->height, src->format, &dst);
  if (st != ODAI_OK) return odai_error_set(err, st, "rotate: cannot allocate");
  st = odai_image_rotate_into(src, degrees, dst, err);
  if (st != ODAI_OK) {
    odai_image_unref(dst);
    return st;
  }
  *out = dst;
  return ODAI_OK;
}

/* ---- flip --------------------------------------------------------------- */

static inline void mirror_elems(const uint8_t *src, int ss, uint8_t *dst, int ds, int w, int h, int esz) {
  for (int y = 0; y < h; y++) {
    const uint8_t *sr = src + (size_t)y * ss;
    uint8_t *dr = dst + (size_t)y * ds;
    for (int x = 0; x < w; x++) memcpy(dr + (size_t)x * esz, sr + (size_t)(w - 1 - x) * esz, esz);
  }
}

static void mirror_yuyv(const uint8_t *src, int ss, uint8_t *dst, int ds, int w, int h) {
  int pairs = w / 2; /* even width only */
  for (int y = 0; y < h; y++) {
    const uint8_t *sr = src + (size_t)y * ss;
    uint8_t *dr = dst + (size_t)y * ds;
    for (int k = 0; k < pairs; k++) {
      const uint8_t *sp = sr + (size_t)(pairs - 1 - k) * 4;
      dr[4 * k + 0] = sp[2];
      dr[4 * k + 1] = sp[1];
      dr[4 * k + 2] = sp[0];
      dr[4 * k + 3] = sp[3];
    }
  }
}

static void flip_vertical_planes(const odai_image_planes *s, const odai_image_planes *d) {
  for (int p = 0; p < s->num_planes; p++) {
    int ph = 0;
    size_t rb = 0;
    odai_pixel_format_plane_size(s->format, s->width, s->height, p, NULL, &ph, &rb);
    for (int y = 0; y < ph; y++)
      memcpy(d->data[p] + (size_t)y * d->stride[p], s->data[p] + (size_t)(ph - 1 - y) * s->stride[p], rb);
  }
}

static odai_status mirror_planes(const odai_image_planes *s, const odai_image_planes *d, odai_error *err);

static odai_status mirror_op(const odai_image_planes *s, const odai_image_planes *d, int unused,
                             odai_error *err) {
  (void)unused;
  return mirror_planes(s, d, err);
}

static odai_status mirror_planes(const odai_image_planes *s, const odai_image_planes *d, odai_error *err) {
  int w = s->width, h = s->height, r = 0;
  switch (s->format) {
  case ODAI_PIXEL_BGRA8:
  case ODAI_PIXEL_RGBA8:
  case ODAI_PIXEL_F32:
    r = ARGBMirror(s->data[0], s->stride[0], d->data[0], d->stride[0], w, h);
    break;
  case ODAI_PIXEL_RGB8:
  case ODAI_PIXEL_BGR8:
    r = RGB24Mirror(s->data[0], s->stride[0], d->data[0], d->stride[0], w, h);
    break;
  case ODAI_PIXEL_GRAY8:
    MirrorPlane(s->data[0], s->stride[0], d->data[0], d->stride[0], w, h);
    break;
  case ODAI_PIXEL_I420:
    r = I420Mirror(s->data[0], s->stride[0], s->data[1], s->stride[1], s->data[2], s->stride[2], d->data[0],
                   d->stride[0], d->data[1], d->stride[1], d->data[2], d->stride[2], w, h);
    break;
  case ODAI_PIXEL_NV12:
    MirrorPlane(s->data[0], s->stride[0], d->data[0], d->stride[0], w, h);
    mirror_elems(s->data[1], s->stride[1], d->data[1], d->stride[1], (w + 1) / 2, (h + 1) / 2, 2);
    break;
  case ODAI_PIXEL_F32C3:
    mirror_elems(s->data[0], s->stride[0], d->data[0], d->stride[0], w, h, 12);
    break;
  case ODAI_PIXEL_YUYV:
    if (w % 2 == 0) {
      mirror_yuyv(s->data[0], s->stride[0], d->data[0], d->stride[0], w, h);
    } else {
      return via_i420(s, d, mirror_op, 0, "flip", err);
    }
    break;
  default:
    return odai_error_set(err, ODAI_E_INVALID, "flip: bad format");
  }
  if (r != 0) return odai_error_set(err, ODAI_E_INTERNAL, "flip: libyuv failed (%d)", r);
  return ODAI_OK;
}

odai_status odai_image_flip_into(const odai_image *src, odai_flip flip, odai_image *dst, odai_error *err) {
  if (!src || !dst || src == dst) return odai_error_set(err, ODAI_E_INVALID, "flip: bad images");
  if (!dst->writable) return odai_error_set(err, ODAI_E_INVALID, "flip: destination is read-only");
  if (dst->width != src->width || dst->height != src->height || dst->format != src->format)
    return odai_error_set(err, ODAI_E_INVALID, "flip: destination must match the source");
  odai_image_planes s, d;
  odai_image_get_planes(src, &s);
  odai_image_get_planes(dst, &d);
  switch (flip) {
  case ODAI_FLIP_VERTICAL: flip_vertical_planes(&s, &d); return ODAI_OK;
  case ODAI_FLIP_HORIZONTAL: return mirror_planes(&s, &d, err);
  case ODAI_FLIP_BOTH: return rotate_planes(&s, &d, 180, err);
  default: return odai_error_set(err, ODAI_E_INVALID, "flip: bad mode %d", (int)flip);
  }
}

odai_status odai_image_flip(const odai_image *src, odai_flip flip, odai_image **out, odai_error *err) {
  if (!out) return odai_error_set(err, ODAI_E_INVALID, "flip: out is NULL");
  *out = NULL;
  if (!src) return odai_error_set(err, ODAI_E_INVALID, "flip: NULL image");
  odai_image *dst;
  odai_status st = odai_image_new(src->width, src->height, src->format, &dst);
  if (st != ODAI_OK) return odai_error_set(err, st, "flip: cannot allocate");
  st = odai_image_flip_into(src, flip, dst, err);
  if (st != ODAI_OK) {
    odai_image_unref(dst);
    return st;
  }
  *out = dst;
  return ODAI_OK;
}

/* ---- letterbox ---------------------------------------------------------- */

odai_status odai_image_letterbox_into(const odai_image *src, odai_image *dst, uint32_t pad_rgba,
                                      odai_resize_filter filter, odai_letterbox *box, odai_error *err) {
  if (!src || !dst || src == dst) return odai_error_set(err, ODAI_E_INVALID, "letterbox: bad images");
  if (!dst->writable) return odai_error_set(err, ODAI_E_INVALID, "letterbox: destination is read-only");
  odai_status st = ODAI_OK;
  const int sw = src->width, sh = src->height, dw = dst->width, dh = dst->height;
  /* scale = min(dw/sw, dh/sh) without float rounding surprises. */
  int cw, ch;
  if ((int64_t)dw * sh <= (int64_t)dh * sw) {
    cw = dw;
    ch = (int)(((int64_t)sh * dw * 2 + sw) / (2 * (int64_t)sw));
  } else {
    ch = dh;
    cw = (int)(((int64_t)sw * dh * 2 + sh) / (2 * (int64_t)sh));
  }
  if (cw < 1) cw = 1;
  if (ch < 1) ch = 1;
  if (cw > dw) cw = dw;
  if (ch > dh) ch = dh;
  int left = (dw - cw) / 2, top = (dh - ch) / 2;
  if (odai_pixel_format_is_yuv(dst->format)) { /* chroma sits on even positions */
    left &= ~1;
    if (dst->format != ODAI_PIXEL_YUYV) top &= ~1;
  }
  odai_image_planes d, win, s;
  odai_image_get_planes(dst, &d);
  odai_image_get_planes(src, &s);
  odai_fill_planes(&d, pad_rgba);
  odai_planes_rect(&d, left, top, cw, ch, &win);
  if (src->format == dst->format) {
    st = odai_resize_planes(&s, &win, filter, err);
  } else {
    /* Resize in the source format (8-bit, SIMD) to the content size, then
     * convert only those pixels into the window: a camera frame going to
     * a float tensor never becomes a full-size float image. */
    odai_image *tmp = NULL;
    st = odai_image_new(cw, ch, src->format, &tmp);
    if (st != ODAI_OK) return odai_error_set(err, st, "letterbox: no memory for %dx%d", cw, ch);
    odai_image_planes t;
    odai_image_get_planes(tmp, &t);
    st = odai_resize_planes(&s, &t, filter, err);
    if (st == ODAI_OK) st = odai_convert_planes(&t, &win, err);
    odai_image_unref(tmp);
  }
  if (st == ODAI_OK && box) {
    box->pad_left = left;
    box->pad_top = top;
    box->pad_right = dw - cw - left;
    box->pad_bottom = dh - ch - top;
    box->content_w = cw;
    box->content_h = ch;
    box->scale_x = (float)cw / (float)sw;
    box->scale_y = (float)ch / (float)sh;
  }
  return st;
}

odai_status odai_image_letterbox(const odai_image *src, int dst_w, int dst_h, uint32_t pad_rgba,
                                 odai_resize_filter filter, odai_image **out, odai_letterbox *box,
                                 odai_error *err) {
  if (!out) return odai_error_set(err, ODAI_E_INVALID, "letterbox: out is NULL");
  *out = NULL;
  if (!src) return odai_error_set(err, ODAI_E_INVALID, "letterbox: NULL image");
  if (dst_w < 1 || dst_h < 1 || dst_w > ODAI_IMAGE_MAX_DIM || dst_h > ODAI_IMAGE_MAX_DIM)
    return odai_error_set(err, ODAI_E_INVALID, "letterbox: bad target size %dx%d", dst_w, dst_h);
  odai_image *dst;
  odai_status st = odai_image_new(dst_w, dst_h, src->format, &dst);
  if (st != ODAI_OK) return odai_error_set(err, st, "letterbox: cannot allocate");
  st = odai_image_letterbox_into(src, dst, pad_rgba, filter, box, err);
  if (st != ODAI_OK) {
    odai_image_unref(dst);
    return st;
  }
  *out = dst;
  return ODAI_OK;
}

/* ---- PPM for debugging -------------------------------------------------- */

odai_status odai_image_write_ppm(const odai_image *img, const char *path, odai_error *err) {
  if (!img || !path) return odai_error_set(err, ODAI_E_INVALID, "write_ppm: bad arguments");
  bool gray = img->format == ODAI_PIXEL_GRAY8 || img->format == ODAI_PIXEL_F32;
  odai_image *c = NULL;
  odai_status st = odai_image_convert(img, gray ? ODAI_PIXEL_GRAY8 : ODAI_PIXEL_RGB8, &c, err);
  if (st != ODAI_OK) return st;
  FILE *f = fopen(path, "wb");
  if (!f) {
    st = odai_error_set(err, ODAI_E_IO, "write_ppm: %s: %s", path, strerror(errno));
    goto done;
  }
  fprintf(f, "P%c\n%d %d\n255\n", gray ? '5' : '6', c->width, c->height);
  size_t rb = (size_t)c->width * (gray ? 1 : 3);
  for (int y = 0; y < c->height; y++)
    if (fwrite(c->data[0] + (size_t)y * c->stride[0], 1, rb, f) != rb) break;
  if (ferror(f) | (fclose(f) != 0)) st = odai_error_set(err, ODAI_E_IO, "write_ppm: %s: write failed", path);
done:
  odai_image_unref(c);
  return st;
}
