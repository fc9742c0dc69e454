/* tests/io/test_sdl_display.c: the SDL2 preview window, headless. Runs with
 * SDL_VIDEODRIVER=dummy (software renderer; ASan-safe) or the driver given
 * as argv[1] (ctest also runs it with "offscreen", label nosan). Shows
 * frames of every format, reads back what the window shows, checks aspect
 * fitting after resizes, screenshots, and closing by event. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <SDL.h>

#include "odai/display.h"
#include "odai/image_io.h"

/* Left half red, right half blue. */
static odai_image *two_tone(int w, int h) {
  odai_image *img = NULL;
  assert_int_equal(odai_image_new(w, h, ODAI_PIXEL_RGB8, &img), ODAI_OK);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      uint8_t *p = odai_image_data(img, 0) + (size_t)y * odai_image_stride(img, 0) + 3 * x;
      p[0] = x < w / 2 ? 220 : 20;
      p[1] = 30;
      p[2] = x < w / 2 ? 40 : 200;
    }
  return img;
}

static const uint8_t *px(const odai_image *img, int x, int y) {
  return odai_image_cdata(img, 0) + (size_t)y * odai_image_stride(img, 0) + 3 * x;
}

static void assert_rgb(const odai_image *img, int x, int y, int r, int g, int b, int tol) {
  const uint8_t *p = px(img, x, y);
  if (abs(p[0] - r) > tol || abs(p[1] - g) > tol || abs(p[2] - b) > tol)
    fail_msg("pixel (%d,%d) = %d,%d,%d, expected %d,%d,%d (+-%d)", x, y, p[0], p[1], p[2], r, g, b, tol);
}

static odai_display *open_display(int w, int h) {
  odai_display_options o;
  odai_display_options_default(&o);
  o.width = w;
  o.height = h;
  o.title = "odai test";
  odai_display *d = NULL;
  odai_error err = {0};
  if (odai_display_open(&o, &d, &err) != ODAI_OK) fail_msg("open: %s", err.message);
  return d;
}

static void test_sdl_display_rgb_pixels(void **state) {
  (void)state;
  odai_display *d = open_display(64, 48);
  odai_image *f = two_tone(64, 48);
  odai_error err = {0};
  assert_int_equal(odai_display_show(d, f, &err), ODAI_OK);
  odai_image *shot = NULL;
  assert_int_equal(odai_display_read_pixels(d, &shot, &err), ODAI_OK);
  assert_int_equal(odai_image_width(shot), 64);
  assert_int_equal(odai_image_height(shot), 48);
  assert_rgb(shot, 10, 10, 220, 30, 40, 0); /* 1:1: exact */
  assert_rgb(shot, 50, 40, 20, 30, 200, 0);
  odai_image_unref(shot);
  odai_image_unref(f);
  odai_display_close(d);
}

static void test_sdl_display_formats(void **state) {
  (void)state;
  const odai_pixel_format fmts[] = {ODAI_PIXEL_BGR8, ODAI_PIXEL_RGBA8, ODAI_PIXEL_BGRA8,
                                    ODAI_PIXEL_YUYV, ODAI_PIXEL_NV12,  ODAI_PIXEL_I420};
  odai_display *d = open_display(64, 48);
  odai_image *rgb = two_tone(64, 48);
  for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
    odai_image *f = NULL, *shot = NULL;
    odai_error err = {0};
    assert_int_equal(odai_image_convert(rgb, fmts[i], &f, &err), ODAI_OK);
    assert_int_equal(odai_display_show(d, f, &err), ODAI_OK);
    assert_int_equal(odai_display_read_pixels(d, &shot, &err), ODAI_OK);
    int tol = odai_pixel_format_is_yuv(fmts[i]) ? 12 : 0; /* YUV round trip */
    assert_rgb(shot, 10, 24, 220, 30, 40, tol);
    assert_rgb(shot, 54, 24, 20, 30, 200, tol);
    odai_image_unref(shot);
    odai_image_unref(f);
  }
  /* grey and float masks are shown as grey */
  odai_image *g = NULL, *shot = NULL;
  assert_int_equal(odai_image_new(64, 48, ODAI_PIXEL_GRAY8, &g), ODAI_OK);
  for (int y = 0; y < 48; y++) memset(odai_image_data(g, 0) + (size_t)y * odai_image_stride(g, 0), 77, 64);
  assert_int_equal(odai_display_show(d, g, NULL), ODAI_OK);
  assert_int_equal(odai_display_read_pixels(d, &shot, NULL), ODAI_OK);
  assert_rgb(shot, 30, 30, 77, 77, 77, 0);
  odai_image_unref(shot);
  odai_image_unref(g);
  odai_image *m = NULL;
  assert_int_equal(odai_image_new(64, 48, ODAI_PIXEL_F32, &m), ODAI_OK);
  for (int y = 0; y < 48; y++)
    for (int x = 0; x < 64; x++) {
      float v = 0.5f;
      memcpy(odai_image_data(m, 0) + (size_t)y * odai_image_stride(m, 0) + 4 * x, &v, 4);
    }
  assert_int_equal(odai_display_show(d, m, NULL), ODAI_OK);
  assert_int_equal(odai_display_read_pixels(d, &shot, NULL), ODAI_OK);
  assert_rgb(shot, 30, 30, 128, 128, 128, 0);
  odai_image_unref(shot);
  odai_image_unref(m);
  odai_image_unref(rgb);
  odai_display_close(d);
}

static void test_sdl_display_resize_keeps_aspect(void **state) {
  (void)state;
  /* SDL's offscreen driver renders into an EGL pbuffer fixed at the window's
   * first size: resizing is not observable there (dummy and x11 are fine). */
  odai_display *d = open_display(100, 100);
  const char *drv = SDL_GetCurrentVideoDriver();
  if (drv && !strcmp(drv, "offscreen")) {
    odai_display_close(d);
    skip();
  }
  odai_image *f = two_tone(100, 100);
  odai_error err = {0};
  assert_int_equal(odai_display_show(d, f, &err), ODAI_OK);
  assert_int_equal(odai_display_set_size(d, 300, 100, &err), ODAI_OK);
  int ow, oh, fx, fy, fw, fh;
  odai_display_geometry(d, &ow, &oh, &fx, &fy, &fw, &fh);
  assert_int_equal(ow, 300);
  assert_int_equal(oh, 100);
  assert_int_equal(fx, 100); /* centred, bars left and right */
  assert_int_equal(fw, 100);
  assert_int_equal(fh, 100);
  odai_image *shot = NULL;
  assert_int_equal(odai_display_read_pixels(d, &shot, &err), ODAI_OK);
  assert_int_equal(odai_image_width(shot), 300);
  assert_rgb(shot, 20, 50, 0, 0, 0, 0);        /* bar */
  assert_rgb(shot, 120, 50, 220, 30, 40, 8);   /* red half */
  assert_rgb(shot, 180, 50, 20, 30, 200, 8);   /* blue half */
  assert_rgb(shot, 280, 50, 0, 0, 0, 0);       /* bar */
  odai_image_unref(shot);
  /* tall window: bars above and below */
  assert_int_equal(odai_display_set_size(d, 100, 200, &err), ODAI_OK);
  odai_display_geometry(d, &ow, &oh, &fx, &fy, &fw, &fh);
  assert_int_equal(fy, 50);
  assert_int_equal(fh, 100);
  odai_image_unref(f);
  odai_display_close(d);
}

static void test_sdl_display_first_frame_sets_size(void **state) {
  (void)state;
  odai_display *d = open_display(0, 0);
  odai_image *f = two_tone(80, 60);
  assert_int_equal(odai_display_show(d, f, NULL), ODAI_OK);
  int ow, oh;
  odai_display_geometry(d, &ow, &oh, NULL, NULL, NULL, NULL);
  assert_int_equal(ow, 80);
  assert_int_equal(oh, 60);
  odai_image_unref(f);
  odai_display_close(d);
}

static void test_sdl_display_screenshot(void **state) {
  (void)state;
  odai_display *d = open_display(64, 48);
  odai_image *f = two_tone(64, 48);
  odai_error err = {0};
  assert_int_equal(odai_display_show(d, f, &err), ODAI_OK);
  char png[128], ppm[128];
  snprintf(png, sizeof png, "/tmp/odai-sdl-shot-%d.png", (int)getpid());
  snprintf(ppm, sizeof ppm, "/tmp/odai-sdl-shot-%d.ppm", (int)getpid());
  if (odai_display_screenshot(d, png, &err) != ODAI_OK) fail_msg("png: %s", err.message);
  if (odai_display_screenshot(d, ppm, &err) != ODAI_OK) fail_msg("ppm: %s", err.message);
  odai_image *back = NULL;
  if (odai_image_read_file(png, ODAI_PIXEL_RGB8, &back, &err) != ODAI_OK) fail_msg("read: %s", err.message);
  assert_int_equal(odai_image_width(back), 64);
  assert_rgb(back, 5, 5, 220, 30, 40, 0); /* PNG: lossless */
  assert_rgb(back, 60, 5, 20, 30, 200, 0);
  odai_image_unref(back);
  FILE *fp = fopen(ppm, "rb");
  assert_non_null(fp);
  char magic[3] = {0};
  assert_int_equal(fread(magic, 1, 2, fp), 2);
  fclose(fp);
  assert_string_equal(magic, "P6");
  unlink(png);
  unlink(ppm);
  odai_image_unref(f);
  odai_display_close(d);
}

static int closes;
static void on_close(odai_display *d, void *user) {
  (void)d;
  *(int *)user += 1;
}

static void test_sdl_display_close_event(void **state) {
  (void)state;
  odai_display *a = open_display(32, 32), *b = open_display(32, 32);
  closes = 0;
  odai_display_set_close_callback(a, on_close, &closes);
  assert_false(odai_display_poll(a));
  assert_false(odai_display_closed(a));
  /* the user closes window a: only a is closed */
  SDL_Event ev;
  memset(&ev, 0, sizeof ev);
  ev.type = SDL_WINDOWEVENT;
  ev.window.event = SDL_WINDOWEVENT_CLOSE;
  ev.window.windowID = SDL_GetWindowID(odai_display_sdl_window(a));
  odai_image *f = two_tone(32, 32);
  assert_int_equal(SDL_PushEvent(&ev), 1);
  assert_true(odai_display_poll(a));
  assert_true(odai_display_closed(a));
  assert_false(odai_display_closed(b));
  assert_int_equal(closes, 1);
  odai_error err = {0};
  assert_int_equal(odai_display_show(a, f, &err), ODAI_E_CANCELLED);
  assert_int_equal(closes, 1); /* once */
  assert_int_equal(odai_display_show(b, f, &err), ODAI_OK);
  /* Escape in a third window closes only that one */
  odai_display *c = open_display(32, 32);
  memset(&ev, 0, sizeof ev);
  ev.type = SDL_KEYDOWN;
  ev.key.windowID = SDL_GetWindowID(odai_display_sdl_window(c));
  ev.key.keysym.sym = SDLK_ESCAPE;
  assert_int_equal(SDL_PushEvent(&ev), 1);
  assert_true(odai_display_poll(c));
  assert_false(odai_display_closed(b));
  odai_display_close(c);
  /* SDL_QUIT closes every display */
  memset(&ev, 0, sizeof ev);
  ev.type = SDL_QUIT;
  assert_int_equal(SDL_PushEvent(&ev), 1);
  assert_true(odai_display_poll(b));
  odai_image_unref(f);
  odai_display_close(a);
  odai_display_close(b);
}

static void *show_from_other_thread(void *arg) {
  odai_image *f = two_tone(8, 8);
  odai_error err = {0};
  intptr_t st = odai_display_show(arg, f, &err);
  odai_image_unref(f);
  return (void *)st;
}

static void test_sdl_display_wrong_thread(void **state) {
  (void)state;
  odai_display *d = open_display(32, 32);
  pthread_t t;
  void *res = NULL;
  assert_int_equal(pthread_create(&t, NULL, show_from_other_thread, d), 0);
  pthread_join(t, &res);
  assert_int_equal((intptr_t)res, ODAI_E_INVALID);
  odai_display_close(d);
}

int main(int argc, char **argv) {
  setenv("SDL_VIDEODRIVER", argc > 1 ? argv[1] : "dummy", 1);
  /* Keep the video subsystem up between tests: closing the last display
   * would disconnect from the X server, and Xvfb (as xvfb-run starts it)
   * resets when its last client leaves, refusing connections meanwhile. */
  if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
    fprintf(stderr, "SDL video driver '%s' unavailable: %s\n", getenv("SDL_VIDEODRIVER"), SDL_GetError());
    return 1;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sdl_display_rgb_pixels),
      cmocka_unit_test(test_sdl_display_formats),
      cmocka_unit_test(test_sdl_display_resize_keeps_aspect),
      cmocka_unit_test(test_sdl_display_first_frame_sets_size),
      cmocka_unit_test(test_sdl_display_screenshot),
      cmocka_unit_test(test_sdl_display_close_event),
      cmocka_unit_test(test_sdl_display_wrong_thread),
  };
  int r = cmocka_run_group_tests(tests, NULL, NULL);
  SDL_Quit();
  return r;
}
