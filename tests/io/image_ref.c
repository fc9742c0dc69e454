/* tests/io/image_ref.c: the plain reference implementations declared in
 * image_ref.h (format decode/encode through canonical RGBA in double,
 * resize, rotate, flip). Test code only. */
#include "image_ref.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double clampd(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }
static uint8_t u8(double v) { return (uint8_t)lrint(clampd(v, 0, 255)); }

static void yuv_to_rgb(double y, double u, double v, ref_px *p) {
  double c = 1.164383 * (y - 16);
  p->r = clampd(c + 1.596027 * (v - 128), 0, 255);
  p->g = clampd(c - 0.391762 * (u - 128) - 0.812968 * (v - 128), 0, 255);
  p->b = clampd(c + 2.017232 * (u - 128), 0, 255);
  p->a = 255;
}

static double luma601(const ref_px *p) { return 16 + (65.481 * p->r + 128.553 * p->g + 24.966 * p->b) / 255; }
static double cb601(double r, double g, double b) { return 128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255; }
static double cr601(double r, double g, double b) { return 128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255; }
static double gray(const ref_px *p) { return 0.299 * p->r + 0.587 * p->g + 0.114 * p->b; }

ref_img ref_decode(const odai_image *img) {
  ref_img r = {odai_image_width(img), odai_image_height(img), NULL};
  r.px = calloc((size_t)r.w * r.h, sizeof(ref_px));
  odai_image_planes p;
  odai_image_get_planes(img, &p);
  for (int y = 0; y < r.h; y++) {
    const uint8_t *row = p.data[0] + (size_t)y * p.stride[0];
    const float *frow = (const float *)(const void *)row;
    for (int x = 0; x < r.w; x++) {
      ref_px *o = &r.px[(size_t)y * r.w + x];
      o->a = 255;
      switch (p.format) {
      case ODAI_PIXEL_RGB8: o->r = row[3 * x], o->g = row[3 * x + 1], o->b = row[3 * x + 2]; break;
      case ODAI_PIXEL_BGR8: o->b = row[3 * x], o->g = row[3 * x + 1], o->r = row[3 * x + 2]; break;
      case ODAI_PIXEL_RGBA8:
        o->r = row[4 * x], o->g = row[4 * x + 1], o->b = row[4 * x + 2], o->a = row[4 * x + 3];
        break;
      case ODAI_PIXEL_BGRA8:
        o->b = row[4 * x], o->g = row[4 * x + 1], o->r = row[4 * x + 2], o->a = row[4 * x + 3];
        break;
      case ODAI_PIXEL_GRAY8: o->r = o->g = o->b = row[x]; break;
      case ODAI_PIXEL_F32: o->r = o->g = o->b = 255.0 * frow[x]; break;
      case ODAI_PIXEL_F32C3:
        o->r = 255.0 * frow[3 * x], o->g = 255.0 * frow[3 * x + 1], o->b = 255.0 * frow[3 * x + 2];
        break;
      case ODAI_PIXEL_YUYV: {
        const uint8_t *q = row + (x / 2) * 4;
        yuv_to_rgb(q[(x & 1) ? 2 : 0], q[1], q[3], o);
        break;
      }
      case ODAI_PIXEL_NV12: {
        const uint8_t *uv = p.data[1] + (size_t)(y / 2) * p.stride[1] + (x / 2) * 2;
        yuv_to_rgb(row[x], uv[0], uv[1], o);
        break;
      }
      case ODAI_PIXEL_I420: {
        const uint8_t *u = p.data[1] + (size_t)(y / 2) * p.stride[1] + x / 2;
        const uint8_t *v = p.data[2] + (size_t)(y / 2) * p.stride[2] + x / 2;
        yuv_to_rgb(row[x], *u, *v, o);
        break;
      }
      default: break;
      }
    }
  }
  return r;
}

void ref_free(ref_img *r) {
  free(r->px);
  r->px = NULL;
}

/* Average RGB over the block (bx, by, bw, bh) clipped to the image. */
static void block_avg(const ref_img *s, int bx, int by, int bw, int bh, double *r, double *g, double *b) {
  double sr = 0, sg = 0, sb = 0;
  int n = 0;
  for (int y = by; y < by + bh && y < s->h; y++)
    for (int x = bx; x < bx + bw && x < s->w; x++) {
      const ref_px *p = &s->px[(size_t)y * s->w + x];
      sr += p->r, sg += p->g, sb += p->b, n++;
    }
  *r = sr / n, *g = sg / n, *b = sb / n;
}

void ref_encode(const ref_img *s, odai_image *dst) {
  odai_image_planes p;
  odai_image_get_planes(dst, &p);
  for (int y = 0; y < s->h; y++) {
    uint8_t *row = p.data[0] + (size_t)y * p.stride[0];
    float *frow = (float *)(void *)row;
    for (int x = 0; x < s->w; x++) {
      const ref_px *o = &s->px[(size_t)y * s->w + x];
      switch (p.format) {
      case ODAI_PIXEL_RGB8: row[3 * x] = u8(o->r), row[3 * x + 1] = u8(o->g), row[3 * x + 2] = u8(o->b); break;
      case ODAI_PIXEL_BGR8: row[3 * x] = u8(o->b), row[3 * x + 1] = u8(o->g), row[3 * x + 2] = u8(o->r); break;
      case ODAI_PIXEL_RGBA8:
        row[4 * x] = u8(o->r), row[4 * x + 1] = u8(o->g), row[4 * x + 2] = u8(o->b), row[4 * x + 3] = u8(o->a);
        break;
      case ODAI_PIXEL_BGRA8:
        row[4 * x] = u8(o->b), row[4 * x + 1] = u8(o->g), row[4 * x + 2] = u8(o->r), row[4 * x + 3] = u8(o->a);
        break;
      case ODAI_PIXEL_GRAY8: row[x] = u8(gray(o)); break;
      case ODAI_PIXEL_F32: frow[x] = (float)(gray(o) / 255.0); break;
      case ODAI_PIXEL_F32C3:
        frow[3 * x] = (float)(o->r / 255), frow[3 * x + 1] = (float)(o->g / 255), frow[3 * x + 2] = (float)(o->b / 255);
        break;
      case ODAI_PIXEL_YUYV: {
        uint8_t *q = row + (x / 2) * 4;
        q[(x & 1) ? 2 : 0] = u8(luma601(o));
        if ((x & 1) == 0) {
          double r, g, b;
          block_avg(s, x, y, 2, 1, &r, &g, &b);
          q[1] = u8(cb601(r, g, b));
          q[3] = u8(cr601(r, g, b));
          if (x + 1 == s->w) q[2] = q[0]; /* odd width: the phantom pixel */
        }
        break;
      }
      case ODAI_PIXEL_NV12:
      case ODAI_PIXEL_I420: {
        row[x] = u8(luma601(o));
        if ((x & 1) == 0 && (y & 1) == 0) {
          double r, g, b;
          block_avg(s, x, y, 2, 2, &r, &g, &b);
          if (p.format == ODAI_PIXEL_NV12) {
            uint8_t *uv = p.data[1] + (size_t)(y / 2) * p.stride[1] + (x / 2) * 2;
            uv[0] = u8(cb601(r, g, b));
            uv[1] = u8(cr601(r, g, b));
          } else {
            p.data[1][(size_t)(y / 2) * p.stride[1] + x / 2] = u8(cb601(r, g, b));
            p.data[2][(size_t)(y / 2) * p.stride[2] + x / 2] = u8(cr601(r, g, b));
          }
        }
        break;
      }
      default: break;
      }
    }
  }
}

static double cmp(const odai_image *a, const odai_image *b, int plane, double *sum, long *count) {
  if (odai_image_width(a) != odai_image_width(b) || odai_image_height(a) != odai_image_height(b) ||
      odai_image_format(a) != odai_image_format(b))
    return -1;
  odai_image_planes pa, pb;
  odai_image_get_planes(a, &pa);
  odai_image_get_planes(b, &pb);
  double mx = 0;
  *sum = 0;
  *count = 0;
  for (int pl = 0; pl < pa.num_planes; pl++) {
    if (plane >= 0 && pl != plane) continue;
    int ph;
    size_t rb;
    odai_pixel_format_plane_size(pa.format, pa.width, pa.height, pl, NULL, &ph, &rb);
    for (int y = 0; y < ph; y++) {
      const uint8_t *ra = pa.data[pl] + (size_t)y * pa.stride[pl];
      const uint8_t *rb_ = pb.data[pl] + (size_t)y * pb.stride[pl];
      if (pa.format == ODAI_PIXEL_F32 || pa.format == ODAI_PIXEL_F32C3) {
        const float *fa = (const float *)(const void *)ra, *fb = (const float *)(const void *)rb_;
        for (size_t i = 0; i < rb / 4; i++) {
          double d = fabs((double)fa[i] - fb[i]) * 255.0;
          if (!(d <= mx)) mx = d; /* NaN counts as huge */
          *sum += d, (*count)++;
        }
        continue;
      }
      for (size_t i = 0; i < rb; i++) {
        if (pa.format == ODAI_PIXEL_YUYV && (i & 3) == 2 && (int)(i / 2) >= pa.width) continue;
        double d = abs((int)ra[i] - (int)rb_[i]);
        if (d > mx) mx = d;
        *sum += d, (*count)++;
      }
    }
  }
  return mx;
}

double ref_max_diff(const odai_image *a, const odai_image *b, int plane) {
  double s;
  long n;
  return cmp(a, b, plane, &s, &n);
}

double ref_mean_diff(const odai_image *a, const odai_image *b) {
  double s;
  long n;
  if (cmp(a, b, -1, &s, &n) < 0) return -1;
  return n ? s / n : 0;
}

odai_image *ref_make_rgb(int w, int h, unsigned seed) {
  odai_image *img = NULL;
  if (odai_image_new(w, h, ODAI_PIXEL_RGB8, &img) != ODAI_OK) return NULL;
  uint8_t *d = odai_image_data(img, 0);
  int st = odai_image_stride(img, 0);
  unsigned s = seed * 2654435761u + 1;
  double ph = seed * 0.37;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      double v[3] = {128 + 90 * sin(x * 0.071 + y * 0.033 + ph), 128 + 90 * cos(x * 0.029 - y * 0.061 + ph),
                     128 + 90 * sin((x + y) * 0.047 + 2 * ph)};
      for (int c = 0; c < 3; c++) {
        s = s * 1664525u + 1013904223u;
        double n = (double)((s >> 24) & 7) - 3.5;
        d[(size_t)y * st + 3 * x + c] = (uint8_t)lrint(clampd(v[c] + n, 16, 239));
      }
    }
  return img;
}

odai_image *ref_make(int w, int h, odai_pixel_format fmt, unsigned seed) {
  odai_image *rgb = ref_make_rgb(w, h, seed), *out = NULL;
  if (!rgb) return NULL;
  if (fmt == ODAI_PIXEL_RGB8) return rgb;
  ref_img r = ref_decode(rgb);
  /* Give alpha formats a varying alpha so it is checked too. */
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) r.px[y * w + x].a = 128 + 100 * sin(x * 0.05 + y * 0.09);
  if (odai_image_new(w, h, fmt, &out) == ODAI_OK) ref_encode(&r, out);
  ref_free(&r);
  odai_image_unref(rgb);
  return out;
}

/* ---- geometry ----------------------------------------------------------- */

static int elem_size(odai_pixel_format f) { return odai_pixel_format_bpp(f); }

static double sample(const odai_image_planes *p, int x, int y, int c, int ch) {
  const uint8_t *row = p->data[0] + (size_t)y * p->stride[0];
  if (p->format == ODAI_PIXEL_F32 || p->format == ODAI_PIXEL_F32C3)
    return ((const float *)(const void *)row)[x * ch + c];
  return row[x * ch + c];
}

static void store(odai_image_planes *p, int x, int y, int c, int ch, double v) {
  uint8_t *row = p->data[0] + (size_t)y * p->stride[0];
  if (p->format == ODAI_PIXEL_F32 || p->format == ODAI_PIXEL_F32C3)
    ((float *)(void *)row)[x * ch + c] = (float)v;
  else
    row[x * ch + c] = u8(v);
}

/* Source coordinate of destination index i on one axis (bilinear). */
static double bl_coord(int i, int s, int d) {
  if (d > s) return d > 1 ? (double)i * (s - 1) / (d - 1) : 0;
  double f = (i + 0.5) * s / d - 0.5;
  return clampd(f, 0, s - 1);
}

odai_image *ref_resize(const odai_image *src, int dw, int dh, odai_resize_filter f) {
  odai_image_planes s, d;
  odai_image_get_planes(src, &s);
  int ch = odai_pixel_format_channels(s.format);
  if (s.format == ODAI_PIXEL_F32C3) ch = 3;
  odai_image *out = NULL;
  if (odai_image_new(dw, dh, s.format, &out) != ODAI_OK) return NULL;
  odai_image_get_planes(out, &d);
  double sx = (double)s.width / dw, sy = (double)s.height / dh;
  for (int y = 0; y < dh; y++)
    for (int x = 0; x < dw; x++)
      for (int c = 0; c < ch; c++) {
        double v;
        if (f == ODAI_RESIZE_NEAREST) {
          /* 16.16 fixed point, as libyuv and odai's float path step. */
          int64_t ddx = ((int64_t)s.width << 16) / dw, ddy = ((int64_t)s.height << 16) / dh;
          int xs = (int)(((ddx >> 1) + x * ddx) >> 16), ys = (int)(((ddy >> 1) + y * ddy) >> 16);
          v = sample(&s, xs < s.width ? xs : s.width - 1, ys < s.height ? ys : s.height - 1, c, ch);
        } else if (f == ODAI_RESIZE_AREA && sx >= 1 && sy >= 1) {
          double x0 = x * sx, x1 = x0 + sx, y0 = y * sy, y1 = y0 + sy, acc = 0;
          for (int yy = (int)y0; yy < s.height && yy < y1; yy++)
            for (int xx = (int)x0; xx < s.width && xx < x1; xx++) {
              double wx = fmin(xx + 1, x1) - fmax(xx, x0), wy = fmin(yy + 1, y1) - fmax(yy, y0);
              if (wx > 0 && wy > 0) acc += wx * wy * sample(&s, xx, yy, c, ch);
            }
          v = acc / (sx * sy);
        } else {
          double fx = bl_coord(x, s.width, dw), fy = bl_coord(y, s.height, dh);
          int x0 = (int)fx, y0 = (int)fy;
          int x1 = x0 + 1 < s.width ? x0 + 1 : x0, y1 = y0 + 1 < s.height ? y0 + 1 : y0;
          double ax = fx - x0, ay = fy - y0;
          double top = sample(&s, x0, y0, c, ch) * (1 - ax) + sample(&s, x1, y0, c, ch) * ax;
          double bot = sample(&s, x0, y1, c, ch) * (1 - ax) + sample(&s, x1, y1, c, ch) * ax;
          v = top * (1 - ay) + bot * ay;
        }
        store(&d, x, y, c, ch, v);
      }
  return out;
}

static void copy_elem(const odai_image_planes *s, int pl, int sx, int sy, odai_image_planes *d, int dx, int dy,
                      int esz) {
  memcpy(d->data[pl] + (size_t)dy * d->stride[pl] + (size_t)dx * esz,
         s->data[pl] + (size_t)sy * s->stride[pl] + (size_t)sx * esz, esz);
}

/* Plane pl's element size and size. */
static void plane_geom(const odai_image_planes *p, int pl, int *esz, int *pw, int *ph) {
  odai_pixel_format_plane_size(p->format, p->width, p->height, pl, pw, ph, NULL);
  *esz = pl == 0 ? elem_size(p->format) : (p->format == ODAI_PIXEL_NV12 ? 2 : 1);
}

odai_image *ref_rotate(const odai_image *src, int deg) {
  odai_image_planes s, d;
  odai_image_get_planes(src, &s);
  bool swap = deg == 90 || deg == 270;
  odai_image *out = NULL;
  if (odai_image_new(swap ? s.height : s.width, swap ? s.width : s.height, s.format, &out) != ODAI_OK) return NULL;
  odai_image_get_planes(out, &d);
  for (int pl = 0; pl < s.num_planes; pl++) {
    int esz, pw, ph;
    plane_geom(&s, pl, &esz, &pw, &ph);
    for (int y = 0; y < ph; y++)
      for (int x = 0; x < pw; x++) {
        int dx, dy;
        if (deg == 90) dx = ph - 1 - y, dy = x;
        else if (deg == 180) dx = pw - 1 - x, dy = ph - 1 - y;
        else if (deg == 270) dx = y, dy = pw - 1 - x;
        else dx = x, dy = y;
        copy_elem(&s, pl, x, y, &d, dx, dy, esz);
      }
  }
  return out;
}

odai_image *ref_flip(const odai_image *src, odai_flip flip) {
  odai_image_planes s, d;
  odai_image_get_planes(src, &s);
  odai_image *out = NULL;
  if (odai_image_new(s.width, s.height, s.format, &out) != ODAI_OK) return NULL;
  odai_image_get_planes(out, &d);
  for (int pl = 0; pl < s.num_planes; pl++) {
    int esz, pw, ph;
    plane_geom(&s, pl, &esz, &pw, &ph);
    for (int y = 0; y < ph; y++)
      for (int x = 0; x < pw; x++) {
        int dx = (flip & ODAI_FLIP_HORIZONTAL) ? pw - 1 - x : x;
        int dy = (flip & ODAI_FLIP_VERTICAL) ? ph - 1 - y : y;
        copy_elem(&s, pl, x, y, &d, dx, dy, esz);
      }
  }
  return out;
}
