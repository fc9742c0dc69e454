/* tests/io/test_codec.c: JPEG and PNG codecs of io/ (jpeg.c, png.c,
 * image_io.c): round trips, output formats, scaled and fast decode,
 * truncated/corrupt/oversized input (ODAI_E_CORRUPT/UNSUPPORTED with a
 * message, never a crash), atomic file writes and their failures. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image_ref.h"
#include "odai/image.h"
#include "odai/image_io.h"

static uint8_t *encode(const odai_image *img, odai_image_codec c, int q, size_t *len) {
  odai_encode_options o = {.codec = c, .quality = q};
  uint8_t *data = NULL;
  odai_error err = {0};
  odai_status st = odai_image_encode(img, &o, &data, len, &err);
  if (st != ODAI_OK) fprintf(stderr, "encode: %s\n", err.message);
  assert_int_equal(st, ODAI_OK);
  assert_non_null(data);
  return data;
}

static odai_image *decode_fmt(const uint8_t *d, size_t n, odai_pixel_format f) {
  odai_decode_options o = {.format = f};
  odai_image *img = NULL;
  odai_error err = {0};
  odai_status st = odai_image_decode(d, n, &o, &img, &err);
  if (st != ODAI_OK) fprintf(stderr, "decode: %s\n", err.message);
  assert_int_equal(st, ODAI_OK);
  return img;
}

static void test_png_round_trip_exact(void **state) {
  (void)state;
  static const odai_pixel_format fmts[] = {ODAI_PIXEL_RGB8, ODAI_PIXEL_RGBA8, ODAI_PIXEL_GRAY8};
  for (size_t i = 0; i < 3; i++) {
    odai_image *a = ref_make(37, 23, fmts[i], 9);
    size_t n;
    uint8_t *png = encode(a, ODAI_CODEC_PNG, 0, &n);
    assert_int_equal(odai_image_sniff(png, n), ODAI_CODEC_PNG);
    odai_image_codec c;
    int w, h;
    assert_int_equal(odai_image_probe(png, n, &c, &w, &h, NULL), ODAI_OK);
    assert_int_equal(w, 37);
    assert_int_equal(h, 23);
    odai_image *b = decode_fmt(png, n, fmts[i]);
    assert_true(ref_max_diff(a, b, -1) == 0);
    odai_image_unref(b);
    odai_image_buffer_free(png);
    odai_image_unref(a);
  }
  /* Formats PNG does not store are converted on the way in and out. */
  odai_image *bgr = ref_make(20, 10, ODAI_PIXEL_BGR8, 1), *back = NULL;
  size_t n;
  uint8_t *png = encode(bgr, ODAI_CODEC_PNG, 0, &n);
  back = decode_fmt(png, n, ODAI_PIXEL_BGR8);
  assert_true(ref_max_diff(bgr, back, -1) == 0);
  odai_image_unref(back);
  /* A grey PNG decodes to RGB with R=G=B, and an RGB PNG to GRAY8 by luma. */
  odai_image *g = ref_make(20, 10, ODAI_PIXEL_GRAY8, 2), *grgb = NULL;
  odai_image_buffer_free(png);
  png = encode(g, ODAI_CODEC_PNG, 9, &n);
  grgb = decode_fmt(png, n, ODAI_PIXEL_RGB8);
  const uint8_t *p = odai_image_cdata(grgb, 0);
  assert_int_equal(p[0], odai_image_cdata(g, 0)[0]);
  assert_int_equal(p[1], p[0]);
  odai_image_unref(grgb);
  odai_image_unref(g);
  odai_image_buffer_free(png);
  odai_image_unref(bgr);
}

static void test_jpeg_round_trip(void **state) {
  (void)state;
  odai_image *a = ref_make(96, 64, ODAI_PIXEL_RGB8, 3);
  size_t n95, n50;
  uint8_t *j95 = encode(a, ODAI_CODEC_JPEG, 95, &n95);
  uint8_t *j50 = encode(a, ODAI_CODEC_JPEG, 50, &n50);
  assert_int_equal(odai_image_sniff(j95, n95), ODAI_CODEC_JPEG);
  assert_true(n50 < n95); /* quality is honoured */
  odai_image *b = decode_fmt(j95, n95, ODAI_PIXEL_RGB8);
  /* Lossy: q95 with 4:2:0 on a smooth+noise image: mean error < 3. */
  double mean = ref_mean_diff(a, b);
  assert_true(mean < 3.0);
  /* Output formats straight from the decoder equal converting after. */
  static const odai_pixel_format fmts[] = {ODAI_PIXEL_BGR8, ODAI_PIXEL_RGBA8, ODAI_PIXEL_BGRA8, ODAI_PIXEL_GRAY8,
                                           ODAI_PIXEL_I420, ODAI_PIXEL_F32};
  for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
    odai_image *d = decode_fmt(j95, n95, fmts[i]), *c = NULL;
    assert_int_equal(odai_image_format(d), fmts[i]);
    assert_int_equal(odai_image_convert(b, fmts[i], &c, NULL), ODAI_OK);
    /* the decoder's own colour conversion (GRAY: Y of the JPEG, not the
     * luma of rounded RGB) may differ by 1-2 */
    assert_true(ref_max_diff(c, d, -1) <= 2);
    odai_image_unref(c);
    odai_image_unref(d);
  }
  /* Fast DCT/upsampling: close to the accurate decode. */
  odai_decode_options fo = {.format = ODAI_PIXEL_RGB8, .fast = true};
  odai_image *f = NULL;
  assert_int_equal(odai_image_decode(j95, n95, &fo, &f, NULL), ODAI_OK);
  /* (fast upsampling replicates chroma instead of interpolating: on this
   * noisy image mean 1.8, max 9) */
  double fm = ref_mean_diff(f, b);
  if (fm >= 2.5) fprintf(stderr, "fast decode mean diff %.3f max %.1f\n", fm, ref_max_diff(f, b, -1));
  assert_true(fm < 2.5);
  odai_image_unref(f);
  /* Gray JPEG. */
  odai_image *g = ref_make(40, 30, ODAI_PIXEL_GRAY8, 1), *g2;
  size_t ng;
  uint8_t *jg = encode(g, ODAI_CODEC_JPEG, 0, &ng);
  g2 = decode_fmt(jg, ng, ODAI_PIXEL_GRAY8);
  assert_true(ref_mean_diff(g, g2) < 3.0);
  odai_image_unref(g2);
  odai_image_unref(g);
  odai_image_buffer_free(jg);
  odai_image_unref(b);
  odai_image_buffer_free(j95);
  odai_image_buffer_free(j50);
  odai_image_unref(a);
}

static void test_jpeg_scaled_decode(void **state) {
  (void)state;
  odai_image *a = ref_make(256, 192, ODAI_PIXEL_RGB8, 4);
  size_t n;
  uint8_t *j = encode(a, ODAI_CODEC_JPEG, 90, &n);
  struct {
    int mw, mh, ew, eh;
  } cases[] = {{64, 48, 64, 48}, {60, 0, 64, 48}, {100, 100, 160, 120} /* 5/8 */, {32, 24, 32, 24}, {10, 10, 32, 24},
               {300, 300, 256, 192}, {0, 0, 256, 192}, {256, 192, 256, 192}, {200, 0, 224, 168}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    odai_decode_options o = {.max_width = cases[i].mw, .max_height = cases[i].mh};
    odai_image *d = NULL;
    assert_int_equal(odai_image_decode(j, n, &o, &d, NULL), ODAI_OK);
    if (odai_image_width(d) != cases[i].ew || odai_image_height(d) != cases[i].eh)
      fprintf(stderr, "max %dx%d: got %dx%d want %dx%d\n", cases[i].mw, cases[i].mh, odai_image_width(d),
              odai_image_height(d), cases[i].ew, cases[i].eh);
    assert_int_equal(odai_image_width(d), cases[i].ew);
    assert_int_equal(odai_image_height(d), cases[i].eh);
    odai_image_unref(d);
  }
  /* A 1/4 decode looks like an area-downscaled full decode. */
  odai_decode_options o = {.max_width = 64, .max_height = 48};
  odai_image *q = NULL, *full = NULL, *small = NULL;
  assert_int_equal(odai_image_decode(j, n, &o, &q, NULL), ODAI_OK);
  full = decode_fmt(j, n, ODAI_PIXEL_RGB8);
  assert_int_equal(odai_image_resize(full, 64, 48, ODAI_RESIZE_AREA, &small, NULL), ODAI_OK);
  assert_true(ref_mean_diff(q, small) < 3.0);
  odai_image_unref(q);
  odai_image_unref(full);
  odai_image_unref(small);
  odai_image_buffer_free(j);
  odai_image_unref(a);
}

static void expect_fail(const uint8_t *d, size_t n, odai_status want, const char *what) {
  odai_image *img = (odai_image *)1;
  odai_error err = {0};
  odai_status st = odai_image_decode(d, n, NULL, &img, &err);
  if (st != want) fprintf(stderr, "%s: got %s (%s), want %s\n", what, odai_status_str(st), err.message, odai_status_str(want));
  assert_int_equal(st, want);
  assert_null(img);
  assert_true(strlen(err.message) > 0);
}

static void test_truncated_and_corrupt(void **state) {
  (void)state;
  odai_image *a = ref_make(64, 48, ODAI_PIXEL_RGB8, 5);
  size_t nj, np;
  uint8_t *j = encode(a, ODAI_CODEC_JPEG, 90, &nj);
  uint8_t *p = encode(a, ODAI_CODEC_PNG, 0, &np);
  /* Every truncation of each stream fails cleanly. */
  for (size_t cut = 0; cut < nj; cut += (cut < 700 ? 1 : 37)) {
    odai_image *img = NULL;
    odai_error err = {0};
    odai_status st = odai_image_decode(j, cut, NULL, &img, &err);
    if (!(st == ODAI_E_CORRUPT || st == ODAI_E_UNSUPPORTED)) fprintf(stderr, "cut %zu/%zu: %s\n", cut, nj, odai_status_str(st));
    assert_true(st == ODAI_E_CORRUPT || st == ODAI_E_UNSUPPORTED);
    assert_null(img);
  }
  for (size_t cut = 0; cut < np; cut += 7) {
    odai_image *img = NULL;
    odai_status st = odai_image_decode(p, cut, NULL, &img, NULL);
    if (!(st == ODAI_E_CORRUPT || st == ODAI_E_UNSUPPORTED)) fprintf(stderr, "png cut %zu/%zu: %s\n", cut, np, odai_status_str(st));
    assert_true(st == ODAI_E_CORRUPT || st == ODAI_E_UNSUPPORTED);
    assert_null(img);
  }
  expect_fail(j, nj / 2, ODAI_E_CORRUPT, "jpeg half");
  expect_fail(p, np - 13, ODAI_E_CORRUPT, "png without IEND");
  expect_fail(p, 0, ODAI_E_CORRUPT, "empty");
  static const uint8_t junk[] = "GIF89a this is not a jpeg or png";
  expect_fail(junk, sizeof junk, ODAI_E_UNSUPPORTED, "gif");

  /* Lenient JPEG: a stream cut inside the scan decodes (rest grey). */
  odai_decode_options lo = {.lenient = true};
  odai_image *img = NULL;
  assert_int_equal(odai_image_decode(j, nj * 3 / 4, &lo, &img, NULL), ODAI_OK);
  assert_int_equal(odai_image_width(img), 64);
  odai_image_unref(img);

  /* Flipped bytes in the entropy-coded data / zlib stream. */
  uint8_t *bad = malloc(np > nj ? np : nj);
  memcpy(bad, p, np);
  for (size_t i = 60; i < np - 20; i += 3) bad[i] ^= 0x5a;
  expect_fail(bad, np, ODAI_E_CORRUPT, "png flipped");
  free(bad);

  /* Oversized declared dimensions: refused before allocation. */
  uint8_t *big = malloc(nj);
  memcpy(big, j, nj);
  size_t sof = 0;
  for (size_t i = 2; i + 8 < nj; i++)
    if (big[i] == 0xFF && (big[i + 1] == 0xC0 || big[i + 1] == 0xC1 || big[i + 1] == 0xC2)) {
      sof = i;
      break;
    }
  assert_true(sof > 0);
  big[sof + 5] = 0xFF, big[sof + 6] = 0x00; /* height 65280 */
  big[sof + 7] = 0xFF, big[sof + 8] = 0x00; /* width 65280 */
  expect_fail(big, nj, ODAI_E_UNSUPPORTED, "jpeg 65280^2");
  free(big);
  big = malloc(np);
  memcpy(big, p, np);
  big[16] = 0, big[17] = 0, big[18] = 0x4E, big[19] = 0x20; /* width 20000 */
  expect_fail(big, np, ODAI_E_UNSUPPORTED, "png 20000 wide");
  big[16] = 0x80; /* width >= 2^31: invalid */
  expect_fail(big, np, ODAI_E_CORRUPT, "png 2^31 wide");
  free(big);
  odai_image_buffer_free(j);
  odai_image_buffer_free(p);
  odai_image_unref(a);
}

static char g_dir[256];

static int setup_dir(void **state) {
  (void)state;
  snprintf(g_dir, sizeof g_dir, "/tmp/odai_test_codec_XXXXXX");
  return mkdtemp(g_dir) ? 0 : -1;
}

static int count_entries(const char *dir) {
  DIR *d = opendir(dir);
  int n = 0;
  struct dirent *e;
  while (d && (e = readdir(d)))
    if (e->d_name[0] != '.') n++;
  if (d) closedir(d);
  return n;
}

static int teardown_dir(void **state) {
  (void)state;
  DIR *d = opendir(g_dir);
  struct dirent *e;
  char path[512];
  while (d && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    snprintf(path, sizeof path, "%s/%s", g_dir, e->d_name);
    unlink(path);
  }
  if (d) closedir(d);
  rmdir(g_dir);
  return 0;
}

static void test_files(void **state) {
  (void)state;
  odai_image *a = ref_make(50, 40, ODAI_PIXEL_RGB8, 6), *b = NULL;
  char path[512];
  odai_error err = {0};
  snprintf(path, sizeof path, "%s/a.PNG", g_dir);
  assert_int_equal(odai_image_write_file(a, path, 0, &err), ODAI_OK);
  assert_int_equal(odai_image_read_file(path, ODAI_PIXEL_RGB8, &b, &err), ODAI_OK);
  assert_true(ref_max_diff(a, b, -1) == 0);
  odai_image_unref(b);
  struct stat sb;
  assert_int_equal(stat(path, &sb), 0);
  assert_int_equal(sb.st_mode & 0777, 0644);
  /* Codec by magic bytes, not name: a JPEG saved as .jpg read back. */
  snprintf(path, sizeof path, "%s/b.jpeg", g_dir);
  assert_int_equal(odai_image_write_file(a, path, 80, &err), ODAI_OK);
  assert_int_equal(odai_image_read_file(path, ODAI_PIXEL_UNKNOWN, &b, &err), ODAI_OK);
  assert_int_equal(odai_image_format(b), ODAI_PIXEL_RGB8);
  assert_true(ref_mean_diff(a, b) < 4);
  odai_image_unref(b);
  assert_int_equal(count_entries(g_dir), 2); /* no temporaries left */
  /* Errors. */
  snprintf(path, sizeof path, "%s/c.gif", g_dir);
  assert_int_equal(odai_image_write_file(a, path, 0, &err), ODAI_E_UNSUPPORTED);
  snprintf(path, sizeof path, "%s/missing.png", g_dir);
  assert_int_equal(odai_image_read_file(path, ODAI_PIXEL_RGB8, &b, &err), ODAI_E_NOT_FOUND);
  assert_non_null(strstr(err.message, "missing.png"));
  snprintf(path, sizeof path, "%s/nodir/x.png", g_dir);
  assert_int_equal(odai_image_write_file(a, path, 0, &err), ODAI_E_NOT_FOUND);
  assert_int_equal(odai_image_read_file(g_dir, ODAI_PIXEL_RGB8, &b, &err), ODAI_E_INVALID); /* a directory */
  /* A corrupt file names the file. */
  snprintf(path, sizeof path, "%s/bad.png", g_dir);
  FILE *f = fopen(path, "wb");
  fwrite("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 1, 16, f);
  fclose(f);
  assert_int_equal(odai_image_read_file(path, ODAI_PIXEL_RGB8, &b, &err), ODAI_E_CORRUPT);
  assert_non_null(strstr(err.message, "bad.png"));
  unlink(path);

  /* A write that runs out of room (file size limit: EFBIG, like ENOSPC)
   * fails with ODAI_E_IO, leaves the old file untouched and no temporary. */
  snprintf(path, sizeof path, "%s/a.PNG", g_dir);
  odai_image *noise = ref_make(400, 300, ODAI_PIXEL_RGB8, 7);
  struct rlimit old, lim;
  getrlimit(RLIMIT_FSIZE, &old);
  lim = old;
  lim.rlim_cur = 4096;
  void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
  setrlimit(RLIMIT_FSIZE, &lim);
  odai_status st = odai_image_write_file(noise, path, 0, &err);
  setrlimit(RLIMIT_FSIZE, &old);
  signal(SIGXFSZ, prev);
  assert_int_equal(st, ODAI_E_IO);
  assert_non_null(strstr(err.message, "a.PNG"));
  assert_int_equal(odai_image_read_file(path, ODAI_PIXEL_RGB8, &b, &err), ODAI_OK);
  assert_true(ref_max_diff(a, b, -1) == 0); /* still the old picture */
  odai_image_unref(b);
  assert_int_equal(count_entries(g_dir), 2);
  odai_image_unref(noise);

  /* PPM debug writer. */
  snprintf(path, sizeof path, "%s/dbg.ppm", g_dir);
  assert_int_equal(odai_image_write_ppm(a, path, &err), ODAI_OK);
  assert_int_equal(stat(path, &sb), 0);
  assert_int_equal(sb.st_size, 13 + 50 * 40 * 3); /* "P6\n50 40\n255\n" */
  odai_image_unref(a);
}


/* Every fuzz seed (all PNG colour types/depths, palette+tRNS, Adam7,
 * baseline/progressive JPEG in each subsampling) decodes, in every output
 * format the fuzzer asks for. */
static void test_fuzz_seeds_decode(void **state) {
  (void)state;
  const char *src = getenv("ODAI_SOURCE_DIR");
  if (!src) fail_msg("ODAI_SOURCE_DIR is not set (run through ctest)");
  char dir[512];
  snprintf(dir, sizeof dir, "%s/tests/io/fuzz/fuzz_image_decode/seeds", src);
  DIR *d = opendir(dir);
  if (!d) fail_msg("no seed folder %s", dir);
  struct dirent *e;
  int n = 0;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    static const odai_pixel_format fmts[] = {ODAI_PIXEL_RGB8, ODAI_PIXEL_RGBA8, ODAI_PIXEL_GRAY8, ODAI_PIXEL_NV12};
    for (size_t i = 0; i < 4; i++) {
      odai_image *img = NULL;
      odai_error err = {0};
      odai_status st = odai_image_read_file(path, fmts[i], &img, &err);
      if (st != ODAI_OK) fail_msg("%s: %s", e->d_name, err.message);
      int w = 0, h = 0;
      /* names carry the size: ..._WxH[_...].ext */
      const char *x = strchr(e->d_name, 'x');
      while (x && !(x > e->d_name && x[-1] >= '0' && x[-1] <= '9')) x = strchr(x + 1, 'x');
      if (x) {
        const char *ws = x;
        while (ws > e->d_name && ws[-1] >= '0' && ws[-1] <= '9') ws--;
        w = atoi(ws);
        h = atoi(x + 1);
        assert_int_equal(odai_image_width(img), w);
        assert_int_equal(odai_image_height(img), h);
      }
      odai_image_unref(img);
    }
    n++;
  }
  closedir(d);
  assert_true(n >= 10);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_png_round_trip_exact),
      cmocka_unit_test(test_jpeg_round_trip),
      cmocka_unit_test(test_jpeg_scaled_decode),
      cmocka_unit_test(test_truncated_and_corrupt),
      cmocka_unit_test_setup_teardown(test_files, setup_dir, teardown_dir),
      cmocka_unit_test(test_fuzz_seeds_decode),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
