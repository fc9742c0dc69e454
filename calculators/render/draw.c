/* Clipped raster primitives for annotation overlays: spans, rectangles,
 * thick lines (exact capsules), discs, rings, ellipses and bitmap text on
 * 8-bit gray/RGB/RGBA buffers. Every shape is reduced to horizontal spans
 * clipped in put_span(), the only function that writes pixels. */
#include <math.h>
#include <string.h>

#include "odai/image.h"
#include "render_ops.h"

/* Keep float coordinates in a range where int conversion is defined. */
static inline float clampf(float v, float lo, float hi) {
  if (!(v == v)) return lo; /* NaN */
  return v < lo ? lo : (v > hi ? hi : v);
}
#define COORD_LIMIT 1.0e7f

static void put_span(const odai_canvas *c, int y, int x0, int x1, odai_color col) {
  if (y < 0 || y >= c->height) return;
  if (x0 < 0) x0 = 0;
  if (x1 > c->width) x1 = c->width;
  if (x0 >= x1) return;
  uint8_t *row = c->data + (ptrdiff_t)y * c->stride;
  const int ch = c->channels;
  uint8_t v0 = c->bgr ? col.b : col.r, v1 = col.g, v2 = c->bgr ? col.r : col.b;
  if (ch == 1) {
    v0 = (uint8_t)((col.r * 77 + col.g * 150 + col.b * 29 + 128) >> 8);
  }
  const unsigned a = col.a == 0 ? 255u : col.a;
  uint8_t *p = row + (ptrdiff_t)x0 * ch;
  if (a == 255) {
    for (int x = x0; x < x1; x++, p += ch) {
      p[0] = v0;
      if (ch >= 3) {
        p[1] = v1;
        p[2] = v2;
      }
    }
  } else {
    const unsigned ia = 255u - a;
    for (int x = x0; x < x1; x++, p += ch) {
      p[0] = (uint8_t)((v0 * a + p[0] * ia + 127) / 255);
      if (ch >= 3) {
        p[1] = (uint8_t)((v1 * a + p[1] * ia + 127) / 255);
        p[2] = (uint8_t)((v2 * a + p[2] * ia + 127) / 255);
      }
    }
  }
}

static bool canvas_ok(const odai_canvas *c) {
  return c && c->data && c->width > 0 && c->height > 0 &&
         (c->channels == 1 || c->channels == 3 || c->channels == 4) &&
         c->stride >= (ptrdiff_t)c->width * c->channels;
}

void odai_draw_fill_rect(const odai_canvas *c, int x0, int y0, int x1, int y1, odai_color color) {
  if (!canvas_ok(c)) return;
  if (y0 < 0) y0 = 0;
  if (y1 > c->height) y1 = c->height;
  for (int y = y0; y < y1; y++) put_span(c, y, x0, x1, color);
}

/* Pixel range [lo, lo + n) of a band of width t centred on v. */
static void band(float v, float t, int *lo, int *hi) {
  int n = (int)lrintf(t);
  if (n < 1) n = 1;
  v = clampf(v, -COORD_LIMIT, COORD_LIMIT);
  *lo = (int)floorf(v - (float)n / 2.0f + 0.5f);
  *hi = *lo + n;
}

void odai_draw_rect(const odai_canvas *c, float x0, float y0, float x1, float y1,
                    float thickness, odai_color color) {
  if (!canvas_ok(c)) return;
  if (x1 < x0) {
    float t = x0;
    x0 = x1;
    x1 = t;
  }
  if (y1 < y0) {
    float t = y0;
    y0 = y1;
    y1 = t;
  }
  thickness = clampf(thickness, 1.0f, 4096.0f);
  int l0, l1, r0, r1, t0, t1, b0, b1;
  band(x0, thickness, &l0, &l1);
  band(x1, thickness, &r0, &r1);
  band(y0, thickness, &t0, &t1);
  band(y1, thickness, &b0, &b1);
  if (r0 < l1) r0 = l1; /* thin boxes: bands may overlap */
  if (b0 < t1) b0 = t1;
  if (r1 < r0) r1 = r0;
  if (b1 < b0) b1 = b0;
  odai_draw_fill_rect(c, l0, t0, r1, t1, color); /* top */
  odai_draw_fill_rect(c, l0, b0, r1, b1, color); /* bottom */
  odai_draw_fill_rect(c, l0, t1, l1, b0, color); /* left */
  odai_draw_fill_rect(c, r0, t1, r1, b0, color); /* right */
}

/* Intersect [*lo, *hi] with the interval where a*x + b lies in [mn, mx]. */
static bool linear_range(float a, float b, float mn, float mx, float *lo, float *hi) {
  if (fabsf(a) < 1e-12f) return b >= mn && b <= mx;
  float u = (mn - b) / a, v = (mx - b) / a;
  if (u > v) {
    float t = u;
    u = v;
    v = t;
  }
  if (u > *lo) *lo = u;
  if (v < *hi) *hi = v;
  return *lo <= *hi;
}

static void disc_range(float cx, float cy, float r, float py, float *lo, float *hi, bool *any) {
  float dy = py - cy;
  float q = r * r - dy * dy;
  if (q < 0) return;
  float h = sqrtf(q);
  if (!*any || cx - h < *lo) *lo = cx - h;
  if (!*any || cx + h > *hi) *hi = cx + h;
  *any = true;
}

static void span_f(const odai_canvas *c, int y, float lo, float hi, odai_color col) {
  /* Pixels whose centres fall in [lo, hi] (pixel x is centred on x, as in
   * OpenCV and MediaPipe's renderer). */
  lo = clampf(lo, -COORD_LIMIT, COORD_LIMIT);
  hi = clampf(hi, -COORD_LIMIT, COORD_LIMIT);
  int a = (int)ceilf(lo), b = (int)floorf(hi);
  if (a <= b) put_span(c, y, a, b + 1, col);
}

void odai_draw_line(const odai_canvas *c, float x0, float y0, float x1, float y1,
                    float thickness, odai_color color) {
  if (!canvas_ok(c)) return;
  x0 = clampf(x0, -COORD_LIMIT, COORD_LIMIT);
  y0 = clampf(y0, -COORD_LIMIT, COORD_LIMIT);
  x1 = clampf(x1, -COORD_LIMIT, COORD_LIMIT);
  y1 = clampf(y1, -COORD_LIMIT, COORD_LIMIT);
  float r = clampf(thickness, 1.0f, 4096.0f) / 2.0f;
  const float dx = x1 - x0, dy = y1 - y0, len = sqrtf(dx * dx + dy * dy);
  int ya = (int)floorf(fminf(y0, y1) - r), yb = (int)ceilf(fmaxf(y0, y1) + r);
  if (ya < 0) ya = 0;
  if (yb > c->height - 1) yb = c->height - 1;
  for (int y = ya; y <= yb; y++) {
    const float py = (float)y;
    float lo = 0, hi = 0;
    bool any = false;
    /* The capsule's row slice: the swept rectangle plus the end discs. */
    if (len > 0) {
      float rl = -COORD_LIMIT * 4, rh = COORD_LIMIT * 4;
      /* |(px-x0)*dy - (py-y0)*dx| <= r*len  and  0 <= (px-x0)*dx + (py-y0)*dy <= len^2 */
      if (linear_range(dy, -x0 * dy - (py - y0) * dx, -r * len, r * len, &rl, &rh) &&
          linear_range(dx, -x0 * dx + (py - y0) * dy, 0, len * len, &rl, &rh)) {
        lo = rl;
        hi = rh;
        any = true;
      }
    }
    disc_range(x0, y0, r, py, &lo, &hi, &any);
    disc_range(x1, y1, r, py, &lo, &hi, &any);
    if (any) span_f(c, y, lo, hi, color);
  }
}

/* Ellipse (centre, radii) filled, or a ring between outer and inner radii. */
static void ellipse_rows(const odai_canvas *c, float cx, float cy, float rx, float ry, float irx,
                         float iry, bool ring, odai_color color) {
  int ya = (int)floorf(cy - ry), yb = (int)ceilf(cy + ry);
  if (ya < 0) ya = 0;
  if (yb > c->height - 1) yb = c->height - 1;
  for (int y = ya; y <= yb; y++) {
    const float dy = (float)y - cy;
    float q = 1.0f - (dy * dy) / (ry * ry);
    if (q < 0) continue;
    float h = rx * sqrtf(q);
    if (!ring || irx <= 0 || iry <= 0) {
      span_f(c, y, cx - h, cx + h, color);
      continue;
    }
    float qi = 1.0f - (dy * dy) / (iry * iry);
    if (qi <= 0) {
      span_f(c, y, cx - h, cx + h, color);
    } else {
      float hi = irx * sqrtf(qi);
      span_f(c, y, cx - h, cx - hi, color);
      span_f(c, y, cx + hi, cx + h, color);
    }
  }
}

void odai_draw_oval(const odai_canvas *c, float x0, float y0, float x1, float y1, bool filled,
                    float thickness, odai_color color) {
  if (!canvas_ok(c)) return;
  x0 = clampf(x0, -COORD_LIMIT, COORD_LIMIT);
  y0 = clampf(y0, -COORD_LIMIT, COORD_LIMIT);
  x1 = clampf(x1, -COORD_LIMIT, COORD_LIMIT);
  y1 = clampf(y1, -COORD_LIMIT, COORD_LIMIT);
  float cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  float rx = fabsf(x1 - x0) / 2, ry = fabsf(y1 - y0) / 2;
  float t = clampf(thickness, 1.0f, 4096.0f) / 2;
  if (filled) {
    if (rx < 0.5f) rx = 0.5f;
    if (ry < 0.5f) ry = 0.5f;
    ellipse_rows(c, cx, cy, rx, ry, 0, 0, false, color);
  } else {
    ellipse_rows(c, cx, cy, rx + t, ry + t, rx - t, ry - t, true, color);
  }
}

void odai_draw_circle(const odai_canvas *c, float cx, float cy, float radius, bool filled,
                      float thickness, odai_color color) {
  radius = clampf(radius, 0.0f, COORD_LIMIT);
  odai_draw_oval(c, cx - radius, cy - radius, cx + radius, cy + radius, filled || thickness <= 0,
                 thickness, color);
}

int odai_draw_text(const odai_canvas *c, int x, int y, const char *text, int scale,
                   odai_color color, odai_color bg) {
  if (!text) return 0;
  if (scale < 1) scale = 1;
  if (scale > 64) scale = 64;
  const int w = odai_text_width(text, scale);
  if (!canvas_ok(c)) return w;
  /* Beyond +-2^24 nothing can be visible (w < 2^21); also keeps x + w and
   * y +- glyph sizes far from int overflow. */
  if (x < -(1 << 24) || x > (1 << 24) || y < -(1 << 24) || y > (1 << 24)) return w;
  const int top = y - ODAI_FONT_ASCENT * scale;
  if (bg.a != 0)
    odai_draw_fill_rect(c, x - scale, top - scale, x + w + scale,
                        y + (ODAI_FONT_GLYPH_H - ODAI_FONT_ASCENT) * scale + scale, bg);
  /* Skip glyphs wholly outside the canvas without walking their pixels. */
  if (top >= c->height || y + (ODAI_FONT_GLYPH_H - ODAI_FONT_ASCENT) * scale < 0) return w;
  int gx = x, nchars = 0;
  for (const unsigned char *p = (const unsigned char *)text; *p && nchars < ODAI_TEXT_MAX_CHARS;
       p++, nchars++) {
    if (gx >= c->width) break;
    if (gx + ODAI_FONT_GLYPH_W * scale > 0) {
      const uint8_t *g = odai_font_glyph(*p);
      for (int row = 0; row < ODAI_FONT_GLYPH_H; row++) {
        const uint8_t bits = g[row];
        if (!bits) continue;
        for (int col = 0; col < ODAI_FONT_GLYPH_W;) {
          if (!(bits & (0x10 >> col))) {
            col++;
            continue;
          }
          int run = col;
          while (run < ODAI_FONT_GLYPH_W && (bits & (0x10 >> run))) run++;
          for (int sy = 0; sy < scale; sy++)
            put_span(c, top + row * scale + sy, gx + col * scale, gx + run * scale, color);
          col = run;
        }
      }
    }
    if (gx > c->width) break;
    gx += ODAI_FONT_ADVANCE * scale;
  }
  return w;
}

void odai_draw_render_data(const odai_canvas *c, const odai_render_data *rd) {
  if (!canvas_ok(c) || !rd) return;
  for (size_t i = 0; i < rd->count; i++) {
    const odai_render_annotation *a = &rd->items[i];
    const float sx = a->normalized ? (float)c->width : 1.0f;
    const float sy = a->normalized ? (float)c->height : 1.0f;
    const float x0 = a->x0 * sx, y0 = a->y0 * sy, x1 = a->x1 * sx, y1 = a->y1 * sy;
    const float t = a->thickness > 0 ? a->thickness : 1.0f;
    switch (a->kind) {
      case ODAI_RENDER_RECTANGLE:
        odai_draw_rect(c, x0, y0, x1, y1, t, a->color);
        break;
      case ODAI_RENDER_FILLED_RECTANGLE: {
        float l = clampf(fminf(x0, x1), -COORD_LIMIT, COORD_LIMIT);
        float r = clampf(fmaxf(x0, x1), -COORD_LIMIT, COORD_LIMIT);
        float tp = clampf(fminf(y0, y1), -COORD_LIMIT, COORD_LIMIT);
        float b = clampf(fmaxf(y0, y1), -COORD_LIMIT, COORD_LIMIT);
        odai_draw_fill_rect(c, (int)lrintf(l), (int)lrintf(tp), (int)lrintf(r), (int)lrintf(b),
                            a->color);
        break;
      }
      case ODAI_RENDER_LINE:
        odai_draw_line(c, x0, y0, x1, y1, t, a->color);
        break;
      case ODAI_RENDER_POINT:
        odai_draw_circle(c, x0, y0, t, true, 0, a->color);
        break;
      case ODAI_RENDER_OVAL:
      case ODAI_RENDER_FILLED_OVAL:
        odai_draw_oval(c, x0, y0, x1, y1, a->kind == ODAI_RENDER_FILLED_OVAL, t, a->color);
        break;
      case ODAI_RENDER_TEXT: {
        float fh = a->font_height > 0 ? a->font_height * (a->font_height_px ? 1.0f : sy)
                                      : (float)ODAI_FONT_LINE_H;
        int scale = odai_font_scale_for_height(fh);
        float lx = clampf(x0, -COORD_LIMIT, COORD_LIMIT);
        float by = clampf(y0 + (a->font_height_px ? a->line_offset * (float)(ODAI_FONT_LINE_H * scale) : 0.0f),
                          -COORD_LIMIT, COORD_LIMIT);
        int w = odai_text_width(a->text, scale);
        int xi = (int)lrintf(lx) - (a->center_horizontally ? w / 2 : 0);
        odai_draw_text(c, xi, (int)lrintf(by), a->text, scale, a->color, a->fill_color);
        break;
      }
    }
  }
}

odai_status odai_canvas_from_image(odai_image *img, odai_canvas *out, odai_error *err) {
  if (!img || !out) return odai_error_set(err, ODAI_E_INVALID, "canvas: NULL image");
  int ch = 0;
  bool bgr = false;
  switch (odai_image_format(img)) {
    case ODAI_PIXEL_RGB8: ch = 3; break;
    case ODAI_PIXEL_BGR8: ch = 3; bgr = true; break;
    case ODAI_PIXEL_RGBA8: ch = 4; break;
    case ODAI_PIXEL_BGRA8: ch = 4; bgr = true; break;
    case ODAI_PIXEL_GRAY8: ch = 1; break;
    default:
      return odai_error_set(err, ODAI_E_UNSUPPORTED, "canvas: cannot draw on %s images",
                            odai_pixel_format_name(odai_image_format(img)));
  }
  if (!odai_image_is_writable(img))
    return odai_error_set(err, ODAI_E_INVALID, "canvas: image is shared or read-only");
  *out = (odai_canvas){odai_image_data(img, 0), odai_image_width(img), odai_image_height(img),
                       odai_image_stride(img, 0), ch, bgr};
  return ODAI_OK;
}
