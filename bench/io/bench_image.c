/* bench/io/bench_image.c: frames per second of odai's image paths (io/:
 * TurboJPEG decode, libyuv conversion and scaling) at 640x480 and 1280x720,
 * side by side with a straightforward C loop doing the same work and with
 * libjpeg-turbo's own tjbench (when /usr/bin/tjbench exists, Debian package
 * libjpeg-turbo-progs). Median of several timed runs; printed, never
 * asserted. Usage: bench_image [--quick] [--no-tjbench] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "odai/image.h"
#include "odai/image_io.h"

static int g_runs = 7;
static double g_min_time = 0.15;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef void (*op_fn)(void *ctx);

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Median frames/s over g_runs runs of at least g_min_time seconds each. */
static double fps_of(op_fn fn, void *ctx) {
  double r[32];
  fn(ctx); /* warm-up: caches, pools */
  for (int i = 0; i < g_runs; i++) {
    int n = 0;
    double t0 = now(), t;
    do {
      fn(ctx);
      n++;
      t = now() - t0;
    } while (t < g_min_time);
    r[i] = n / t;
  }
  qsort(r, (size_t)g_runs, sizeof r[0], cmp_d);
  return r[g_runs / 2];
}

/* ---- the work --------------------------------------------------------- */

typedef struct ctx {
  const uint8_t *jpeg;
  size_t jpeg_len;
  odai_decode_options dopt;
  odai_image *src, *dst;
  odai_resize_filter filter;
  int w, h, dw, dh;
} ctx;

static void op_jpeg(void *p) {
  ctx *c = p;
  odai_image *img = NULL;
  if (odai_image_decode(c->jpeg, c->jpeg_len, &c->dopt, &img, NULL) != ODAI_OK) abort();
  odai_image_unref(img);
}

static void op_convert(void *p) {
  ctx *c = p;
  if (odai_image_convert_into(c->src, c->dst, NULL) != ODAI_OK) abort();
}

static void op_resize(void *p) {
  ctx *c = p;
  if (odai_image_resize_into(c->src, c->dst, c->filter, NULL) != ODAI_OK) abort();
}

static void op_letterbox(void *p) {
  ctx *c = p;
  if (odai_image_letterbox_into(c->src, c->dst, 0x000000ffu, ODAI_RESIZE_BILINEAR, NULL, NULL) != ODAI_OK) abort();
}

static inline uint8_t clamp8(int v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); }

/* The textbook integer BT.601 limited-range formulas, one pixel at a time. */
static inline void yuv_px(int y, int u, int v, uint8_t *o) {
  int c = 298 * (y - 16), d = u - 128, e = v - 128;
  o[0] = clamp8((c + 409 * e + 128) >> 8);
  o[1] = clamp8((c - 100 * d - 208 * e + 128) >> 8);
  o[2] = clamp8((c + 516 * d + 128) >> 8);
}

static void op_c_yuyv(void *p) {
  ctx *c = p;
  const uint8_t *s = odai_image_cdata(c->src, 0);
  uint8_t *d = odai_image_data(c->dst, 0);
  int ss = odai_image_stride(c->src, 0), ds = odai_image_stride(c->dst, 0);
  for (int y = 0; y < c->h; y++)
    for (int x = 0; x < c->w; x += 2) {
      const uint8_t *q = s + (size_t)y * ss + 2 * x;
      yuv_px(q[0], q[1], q[3], d + (size_t)y * ds + 3 * x);
      yuv_px(q[2], q[1], q[3], d + (size_t)y * ds + 3 * x + 3);
    }
}

static void op_c_nv12(void *p) {
  ctx *c = p;
  const uint8_t *ys = odai_image_cdata(c->src, 0), *uv = odai_image_cdata(c->src, 1);
  uint8_t *d = odai_image_data(c->dst, 0);
  int s0 = odai_image_stride(c->src, 0), s1 = odai_image_stride(c->src, 1), ds = odai_image_stride(c->dst, 0);
  for (int y = 0; y < c->h; y++)
    for (int x = 0; x < c->w; x++) {
      const uint8_t *q = uv + (size_t)(y / 2) * s1 + (x / 2) * 2;
      yuv_px(ys[(size_t)y * s0 + x], q[0], q[1], d + (size_t)y * ds + 3 * x);
    }
}

/* Bilinear RGB8 resize with pixel centres aligned, float, per pixel. */
static void op_c_resize(void *p) {
  ctx *c = p;
  const uint8_t *s = odai_image_cdata(c->src, 0);
  uint8_t *d = odai_image_data(c->dst, 0);
  int ss = odai_image_stride(c->src, 0), ds = odai_image_stride(c->dst, 0);
  float sx = (float)c->w / c->dw, sy = (float)c->h / c->dh;
  for (int y = 0; y < c->dh; y++) {
    float fy = (y + 0.5f) * sy - 0.5f;
    if (fy < 0) fy = 0;
    int y0 = (int)fy, y1 = y0 + 1 < c->h ? y0 + 1 : c->h - 1;
    float ay = fy - y0;
    for (int x = 0; x < c->dw; x++) {
      float fx = (x + 0.5f) * sx - 0.5f;
      if (fx < 0) fx = 0;
      int x0 = (int)fx, x1 = x0 + 1 < c->w ? x0 + 1 : c->w - 1;
      float ax = fx - x0;
      for (int k = 0; k < 3; k++) {
        float a = s[(size_t)y0 * ss + 3 * x0 + k], b = s[(size_t)y0 * ss + 3 * x1 + k];
        float e = s[(size_t)y1 * ss + 3 * x0 + k], f = s[(size_t)y1 * ss + 3 * x1 + k];
        float top = a + ax * (b - a), bot = e + ax * (f - e);
        d[(size_t)y * ds + 3 * x + k] = (uint8_t)(top + ay * (bot - top) + 0.5f);
      }
    }
  }
}

/* ---- tjbench ------------------------------------------------------------ */

/* tjbench to run: $ODAI_TJBENCH, else the Debian one. */
static const char *tjbench_path(void) {
  const char *p = getenv("ODAI_TJBENCH");
  return p && *p ? p : "/usr/bin/tjbench";
}

/* Decompression Mpixels/s that tjbench reports for file (to RGB), or -1. */
static double tjbench_mpix(const char *file, bool fast) {
  if (access(tjbench_path(), X_OK) != 0) return -1;
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "%s '%s' -rgb -quiet -nowrite -benchtime %.1f -warmup 0.2 %s 2>&1", tjbench_path(),
           file, g_runs * g_min_time, fast ? "-fastdct" : "");
  FILE *f = popen(cmd, "r");
  if (!f) return -1;
  char line[512];
  double mp = -1;
  while (fgets(line, sizeof line, f)) {
    char pf[16], tag[16], cs[16], ss[16], xf[16], ratio[16];
    int w, h;
    double dec;
    if (sscanf(line, "%15s %15s %15s %15s %d %d %15s %15s %lf", pf, tag, cs, ss, &w, &h, xf, ratio, &dec) == 9) mp = dec;
  }
  pclose(f);
  return mp;
}

/* ---- main --------------------------------------------------------------- */

static odai_image *source_picture(int w, int h) {
  odai_image *photo = NULL, *out = NULL;
  char path[1024];
  const char *dir = getenv("ODAI_MEDIA_DIR") ? getenv("ODAI_MEDIA_DIR") : ODAI_MEDIA_DIR;
  snprintf(path, sizeof path, "%s/fruits.jpg", dir);
  if (odai_image_read_file(path, ODAI_PIXEL_RGB8, &photo, NULL) != ODAI_OK) {
    fprintf(stderr, "note: %s not found, using a synthetic picture\n", path);
    if (odai_image_new(w, h, ODAI_PIXEL_RGB8, &out) != ODAI_OK) abort();
    uint8_t *d = odai_image_data(out, 0);
    for (int y = 0; y < h; y++)
      for (int x = 0; x < 3 * w; x++) d[(size_t)y * odai_image_stride(out, 0) + x] = (uint8_t)((x * 7 + y * 3) ^ (x / 5));
    return out;
  }
  if (odai_image_resize(photo, w, h, ODAI_RESIZE_BILINEAR, &out, NULL) != ODAI_OK) abort();
  odai_image_unref(photo);
  return out;
}

static void row(const char *op, int w, int h, double odai, double cloop, double tjb) {
  char cl[32] = "-", sp[32] = "-", tj[32] = "-";
  if (cloop > 0) snprintf(cl, sizeof cl, "%.0f", cloop), snprintf(sp, sizeof sp, "%.1fx", odai / cloop);
  if (tjb > 0) snprintf(tj, sizeof tj, "%.0f", tjb);
  printf("| %-30s | %4dx%-4d | %9.0f | %9s | %7s | %9s |\n", op, w, h, odai, cl, sp, tj);
  fflush(stdout);
}

int main(int argc, char **argv) {
  bool use_tj = true;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--quick") == 0) g_runs = 3, g_min_time = 0.05;
    if (strcmp(argv[i], "--no-tjbench") == 0) use_tj = false;
  }
  printf("odai image benchmark: frames/s, median of %d runs of >= %.2f s; 'C loop' = the same work in plain C\n"
         "(one pixel at a time), 'tjbench' = libjpeg-turbo's tjbench decompressing the same file to RGB.\n\n",
         g_runs, g_min_time);
  printf("| %-30s | %-9s | %9s | %9s | %7s | %9s |\n", "operation", "size", "odai", "C loop", "speedup", "tjbench");
  printf("|%s|%s|%s|%s|%s|%s|\n", "--------------------------------", "-----------", "-----------", "-----------",
         "---------", "-----------");
  static const int sizes[][2] = {{640, 480}, {1280, 720}};
  for (int si = 0; si < 2; si++) {
    int w = sizes[si][0], h = sizes[si][1];
    odai_image *rgb = source_picture(w, h);
    ctx c = {.w = w, .h = h};
    /* JPEG q90 4:2:0 of the picture, also on disk for tjbench. */
    odai_encode_options eo = {.codec = ODAI_CODEC_JPEG, .quality = 90};
    uint8_t *jpeg = NULL;
    size_t jl = 0;
    if (odai_image_encode(rgb, &eo, &jpeg, &jl, NULL) != ODAI_OK) abort();
    char jpath[256];
    snprintf(jpath, sizeof jpath, "/tmp/odai_bench_%dx%d_%d.jpg", w, h, (int)getpid());
    FILE *f = fopen(jpath, "wb");
    if (f) fwrite(jpeg, 1, jl, f), fclose(f);
    c.jpeg = jpeg;
    c.jpeg_len = jl;
    double px = (double)w * h / 1e6;
    c.dopt = (odai_decode_options){.format = ODAI_PIXEL_RGB8};
    row("JPEG decode -> RGB (q90 4:2:0)", w, h, fps_of(op_jpeg, &c), -1,
        use_tj ? tjbench_mpix(jpath, false) / px : -1);
    c.dopt.fast = true;
    row("JPEG decode, fast DCT+upsample", w, h, fps_of(op_jpeg, &c), -1, use_tj ? tjbench_mpix(jpath, true) / px : -1);
    c.dopt = (odai_decode_options){.format = ODAI_PIXEL_RGB8, .max_width = w / 2, .max_height = h / 2};
    row("JPEG decode at 1/2 scale", w, h, fps_of(op_jpeg, &c), -1, -1);
    unlink(jpath);
    odai_image_buffer_free(jpeg);

    odai_image *yuyv = NULL, *nv12 = NULL, *out = NULL;
    if (odai_image_convert(rgb, ODAI_PIXEL_YUYV, &yuyv, NULL) != ODAI_OK) abort();
    if (odai_image_convert(rgb, ODAI_PIXEL_NV12, &nv12, NULL) != ODAI_OK) abort();
    if (odai_image_new(w, h, ODAI_PIXEL_RGB8, &out) != ODAI_OK) abort();
    c.dst = out;
    c.src = yuyv;
    double o = fps_of(op_convert, &c);
    row("YUYV -> RGB8", w, h, o, fps_of(op_c_yuyv, &c), -1);
    c.src = nv12;
    o = fps_of(op_convert, &c);
    row("NV12 -> RGB8", w, h, o, fps_of(op_c_nv12, &c), -1);
    odai_image_unref(out);

    static const int targets[] = {128, 256};
    for (int t = 0; t < 2; t++) {
      odai_image *small = NULL;
      if (odai_image_new(targets[t], targets[t], ODAI_PIXEL_RGB8, &small) != ODAI_OK) abort();
      c.src = rgb;
      c.dst = small;
      c.dw = c.dh = targets[t];
      char name[64];
      c.filter = ODAI_RESIZE_BILINEAR;
      o = fps_of(op_resize, &c);
      snprintf(name, sizeof name, "resize RGB8 -> %dx%d bilinear", targets[t], targets[t]);
      row(name, w, h, o, fps_of(op_c_resize, &c), -1);
      c.filter = ODAI_RESIZE_AREA;
      snprintf(name, sizeof name, "resize RGB8 -> %dx%d area", targets[t], targets[t]);
      row(name, w, h, fps_of(op_resize, &c), -1, -1);
      odai_image_unref(small);
    }
    /* What an ImageToTensor step does: fit into a square float input. */
    odai_image *tensor = NULL;
    if (odai_image_new(256, 256, ODAI_PIXEL_F32C3, &tensor) != ODAI_OK) abort();
    c.src = rgb;
    c.dst = tensor;
    row("letterbox RGB8 -> 256x256 F32C3", w, h, fps_of(op_letterbox, &c), -1, -1);
    odai_image_unref(tensor);
    odai_image_unref(yuyv);
    odai_image_unref(nv12);
    odai_image_unref(rgb);
  }
  if (use_tj && access(tjbench_path(), X_OK) != 0)
    printf("\n(tjbench not found: apt-get install libjpeg-turbo-progs)\n");
  return 0;
}
