/* calculators/doorbell/doorbell_util.c: helpers of the doorbell calculators
 * (doorbell_util.h): JSON strings, private files and folders, face
 * pixelation and the face-view measures used to pick a visit's snapshot. */
#include "doorbell_util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>

#include "odai/image_io.h"

static bool grow(db_str *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap) return true;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra + 1) cap *= 2;
  char *n = realloc(b->s, cap);
  if (!n) return false;
  b->s = n;
  b->cap = cap;
  return true;
}

bool db_str_printf(db_str *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char tmp[256];
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0) return false;
  if (!grow(b, (size_t)n)) return false;
  if ((size_t)n < sizeof tmp) {
    memcpy(b->s + b->len, tmp, (size_t)n + 1);
  } else {
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
  }
  b->len += (size_t)n;
  return true;
}

bool db_str_json(db_str *b, const char *v) {
  if (!v) return db_str_printf(b, "null");
  if (!db_str_printf(b, "\"")) return false;
  for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
    bool ok;
    if (*p == '"' || *p == '\\') ok = db_str_printf(b, "\\%c", *p);
    else if (*p == '\n') ok = db_str_printf(b, "\\n");
    else if (*p < 0x20) ok = db_str_printf(b, "\\u%04x", *p);
    else ok = db_str_printf(b, "%c", *p);
    if (!ok) return false;
  }
  return db_str_printf(b, "\"");
}

void db_str_clear(db_str *b) {
  b->len = 0;
  if (b->s) b->s[0] = 0;
}

void db_str_free(db_str *b) {
  free(b->s);
  b->s = NULL;
  b->len = b->cap = 0;
}

odai_status db_private_dir(const char *dir, odai_error *err) {
  char path[4096];
  if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
    return odai_error_set(err, ODAI_E_INVALID, "path too long: %s", dir);
  for (char *p = path + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
      return odai_error_set(err, ODAI_E_IO, "cannot create '%s': %s", path, strerror(errno));
    *p = '/';
  }
  if (mkdir(path, 0700) != 0 && errno != EEXIST)
    return odai_error_set(err, ODAI_E_IO, "cannot create '%s': %s", path, strerror(errno));
  struct stat sb;
  if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
    return odai_error_set(err, ODAI_E_IO, "'%s' is not a folder", path);
  if (chmod(path, 0700) != 0)
    return odai_error_set(err, ODAI_E_IO, "cannot make '%s' private: %s", path, strerror(errno));
  return ODAI_OK;
}

odai_status db_write_private_jpeg(const odai_image *img, const char *path, int quality,
                                  odai_error *err) {
  odai_status st = odai_image_write_file(img, path, quality, err);
  if (st) return st;
  if (chmod(path, 0600) != 0)
    return odai_error_set(err, ODAI_E_IO, "chmod '%s': %s", path, strerror(errno));
  return ODAI_OK;
}

static int channels_of(odai_pixel_format f) {
  switch (f) {
    case ODAI_PIXEL_RGB8:
    case ODAI_PIXEL_BGR8: return 3;
    case ODAI_PIXEL_RGBA8:
    case ODAI_PIXEL_BGRA8: return 4;
    case ODAI_PIXEL_GRAY8: return 1;
    default: return 0;
  }
}

void db_pixelate(odai_image *img, int x0, int y0, int x1, int y1, int cell) {
  int ch = channels_of(odai_image_format(img));
  if (!ch || cell < 1) return;
  int w = odai_image_width(img), h = odai_image_height(img);
  if (x0 < 0) x0 = 0;
  if (y0 < 0) y0 = 0;
  if (x1 > w) x1 = w;
  if (y1 > h) y1 = h;
  uint8_t *base = odai_image_data(img, 0);
  size_t stride = (size_t)odai_image_stride(img, 0);
  for (int cy = y0; cy < y1; cy += cell) {
    int ey = cy + cell < y1 ? cy + cell : y1;
    for (int cx = x0; cx < x1; cx += cell) {
      int ex = cx + cell < x1 ? cx + cell : x1;
      unsigned sum[4] = {0, 0, 0, 0}, n = 0;
      for (int y = cy; y < ey; y++)
        for (int x = cx; x < ex; x++, n++)
          for (int c = 0; c < ch; c++) sum[c] += base[(size_t)y * stride + (size_t)x * (size_t)ch + (size_t)c];
      if (!n) continue;
      for (int y = cy; y < ey; y++)
        for (int x = cx; x < ex; x++)
          for (int c = 0; c < ch; c++)
            base[(size_t)y * stride + (size_t)x * (size_t)ch + (size_t)c] = (uint8_t)(sum[c] / n);
    }
  }
}

void db_blur_unknown_faces(odai_image *img, const odai_detections *faces) {
  if (!faces) return;
  int w = odai_image_width(img), h = odai_image_height(img);
  for (size_t i = 0; i < faces->count; i++) {
    const odai_detection *d = &faces->items[i];
    if (d->identity[0] && strcmp(d->identity, "unknown") != 0) continue;
    /* the detector's box runs brows to chin: widen it to hair and cheeks */
    float cx = d->xmin + d->width / 2, cy = d->ymin + d->height / 2;
    float bw = d->width * 1.5f, bh = d->height * 1.7f;
    int x0 = (int)floorf((cx - bw / 2) * (float)w), x1 = (int)ceilf((cx + bw / 2) * (float)w);
    int y0 = (int)floorf((cy - bh / 2) * (float)h), y1 = (int)ceilf((cy + bh / 2) * (float)h);
    int cell = (x1 - x0) / 8;
    db_pixelate(img, x0, y0, x1, y1, cell < 4 ? 4 : cell);
  }
}

float db_face_sharpness(const odai_image *img, const odai_detection *face) {
  odai_pixel_format f = odai_image_format(img);
  int ch = channels_of(f);
  if (!ch) return 0;
  int w = odai_image_width(img), h = odai_image_height(img);
  int x0 = (int)(face->xmin * (float)w), y0 = (int)(face->ymin * (float)h);
  int bw = (int)(face->width * (float)w), bh = (int)(face->height * (float)h);
  if (x0 < 0) { bw += x0; x0 = 0; }
  if (y0 < 0) { bh += y0; y0 = 0; }
  if (x0 + bw > w) bw = w - x0;
  if (y0 + bh > h) bh = h - y0;
  if (bw < 8 || bh < 8) return 0;
  enum { G = 48 };
  int gw = bw < G ? bw : G, gh = bh < G ? bh : G;
  static _Thread_local float grid[G][G];
  const uint8_t *base = odai_image_cdata(img, 0);
  size_t stride = (size_t)odai_image_stride(img, 0);
  bool bgr = f == ODAI_PIXEL_BGR8 || f == ODAI_PIXEL_BGRA8;
  for (int gy = 0; gy < gh; gy++) {
    const uint8_t *row = base + (size_t)(y0 + gy * bh / gh) * stride;
    for (int gx = 0; gx < gw; gx++) {
      const uint8_t *p = row + (size_t)(x0 + gx * bw / gw) * (size_t)ch;
      grid[gy][gx] = ch == 1 ? p[0]
                             : (bgr ? 0.299f * p[2] + 0.587f * p[1] + 0.114f * p[0]
                                    : 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2]);
    }
  }
  double sum = 0, sum2 = 0;
  int n = 0;
  for (int y = 1; y + 1 < gh; y++)
    for (int x = 1; x + 1 < gw; x++) {
      double l = grid[y - 1][x] + grid[y + 1][x] + grid[y][x - 1] + grid[y][x + 1] - 4 * grid[y][x];
      sum += l;
      sum2 += l * l;
      n++;
    }
  if (!n) return 0;
  double m = sum / n;
  return (float)(sum2 / n - m * m);
}

float db_face_frontalness(const odai_detection *face) {
  if (face->num_keypoints < 3) return 0.5f;
  float ex0 = face->keypoints[0].x, ex1 = face->keypoints[1].x, nx = face->keypoints[2].x;
  float half = fabsf(ex1 - ex0) / 2;
  if (half <= 1e-6f) return 0;
  float off = fabsf(nx - (ex0 + ex1) / 2) / half;
  return off >= 1 ? 0 : 1 - off;
}

void db_time_stamp(char *out, size_t n) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  struct tm tm;
  localtime_r(&tv.tv_sec, &tm);
  char d[32];
  strftime(d, sizeof d, "%Y%m%d-%H%M%S", &tm);
  snprintf(out, n, "%s-%03d", d, (int)(tv.tv_usec / 1000));
}
