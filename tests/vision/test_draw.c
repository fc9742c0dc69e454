/* Drawing primitives, the bitmap font and detections -> render data: pixels
 * land where expected, and nothing outside the canvas (stride padding,
 * guard bytes around the buffer) is ever written, whatever the input. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calculators/render/render_ops.h"
#include "odai/image.h"

#define W 40
#define H 30
#define PAD 5   /* bytes of stride padding per row */
#define GUARD 64

typedef struct fixture {
  uint8_t *mem; /* GUARD | rows | GUARD */
  odai_canvas c;
} fixture;

static void make(fixture *f, int ch) {
  size_t stride = (size_t)W * (size_t)ch + PAD;
  f->mem = malloc(GUARD * 2 + stride * H);
  memset(f->mem, 0xAB, GUARD * 2 + stride * H);
  f->c.data = f->mem + GUARD;
  f->c.width = W;
  f->c.height = H;
  f->c.stride = (ptrdiff_t)stride;
  f->c.channels = ch;
  f->c.bgr = false;
  for (int y = 0; y < H; y++) memset(f->c.data + (size_t)y * stride, 0, (size_t)W * (size_t)ch);
}

/* Guards and stride padding must still hold 0xAB. */
static void check_guards(const fixture *f) {
  const size_t stride = (size_t)f->c.stride, row = (size_t)W * (size_t)f->c.channels;
  for (int i = 0; i < GUARD; i++) {
    assert_int_equal(f->mem[i], 0xAB);
    assert_int_equal(f->mem[GUARD + stride * H + (size_t)i], 0xAB);
  }
  for (int y = 0; y < H; y++)
    for (size_t x = row; x < stride; x++) assert_int_equal(f->c.data[(size_t)y * stride + x], 0xAB);
}

static int px(const fixture *f, int x, int y) { /* first channel */
  return f->c.data[(size_t)y * (size_t)f->c.stride + (size_t)x * (size_t)f->c.channels];
}

static const odai_color RED = {255, 0, 0, 255};

static void test_rect_and_point(void **state) {
  (void)state;
  fixture f;
  make(&f, 3);
  odai_draw_rect(&f.c, 4, 4, 10, 8, 1, RED);
  assert_int_equal(px(&f, 4, 4), 255);
  assert_int_equal(px(&f, 7, 4), 255);
  assert_int_equal(px(&f, 10, 8), 255);
  assert_int_equal(px(&f, 4, 6), 255);
  assert_int_equal(px(&f, 7, 6), 0); /* inside */
  assert_int_equal(px(&f, 3, 3), 0);
  assert_int_equal(px(&f, 11, 8), 0);
  /* G and B channels untouched by pure red. */
  assert_int_equal(f.c.data[(size_t)4 * f.c.stride + 4 * 3 + 1], 0);

  odai_draw_circle(&f.c, 25, 15, 2, true, 0, RED);
  assert_int_equal(px(&f, 25, 15), 255);
  assert_int_equal(px(&f, 27, 15), 255);
  assert_int_equal(px(&f, 25, 13), 255);
  assert_int_equal(px(&f, 28, 15), 0);
  assert_int_equal(px(&f, 27, 17), 0); /* corner of the bounding square */

  /* Horizontal line of thickness 3 centred on row 20. */
  odai_draw_line(&f.c, 2, 20, 20, 20, 3, RED);
  assert_int_equal(px(&f, 10, 19), 255);
  assert_int_equal(px(&f, 10, 20), 255);
  assert_int_equal(px(&f, 10, 21), 255);
  assert_int_equal(px(&f, 10, 18), 0);
  assert_int_equal(px(&f, 10, 22), 0);
  /* Diagonal one-pixel line has no gaps: one pixel per row. */
  odai_draw_line(&f.c, 30, 0, 39, 9, 1, RED);
  for (int y = 0; y <= 9; y++) assert_int_equal(px(&f, 30 + y, y), 255);
  check_guards(&f);
  free(f.mem);
}

static void test_text(void **state) {
  (void)state;
  fixture f;
  make(&f, 3);
  /* "A" at x=2, baseline 10, scale 1: rows 3..9; row 0 = .###. ; row 3 = ##### */
  int w = odai_draw_text(&f.c, 2, 10, "A", 1, RED, (odai_color){0, 0, 0, 0});
  assert_int_equal(w, 5);
  assert_int_equal(px(&f, 2, 3), 0);
  assert_int_equal(px(&f, 3, 3), 255);
  assert_int_equal(px(&f, 5, 3), 255);
  assert_int_equal(px(&f, 6, 3), 0);
  for (int x = 2; x <= 6; x++) assert_int_equal(px(&f, x, 6), 255);
  assert_int_equal(px(&f, 4, 7), 0);
  assert_int_equal(px(&f, 2, 9), 255);
  assert_int_equal(px(&f, 2, 10), 0); /* descender row of 'A' is empty */
  /* Scale 2: each font pixel is a 2x2 block. */
  odai_draw_text(&f.c, 20, 20, "I", 2, RED, (odai_color){0, 0, 0, 0});
  /* 'I' row 0 = .###. -> x 22..27 at rows 6..7 */
  assert_int_equal(px(&f, 21, 6), 0);
  assert_int_equal(px(&f, 22, 6), 255);
  assert_int_equal(px(&f, 27, 7), 255);
  assert_int_equal(px(&f, 28, 6), 0);
  assert_int_equal(odai_text_width("abc", 2), (3 * 6 - 1) * 2);
  /* Every printable glyph is non-empty except space; non-ASCII maps to '?'. */
  for (int ch = 33; ch < 127; ch++) {
    const uint8_t *g = odai_font_glyph((unsigned char)ch);
    int bits = 0;
    for (int r = 0; r < 8; r++) bits |= g[r];
    assert_true(bits != 0);
  }
  assert_ptr_equal(odai_font_glyph(200), odai_font_glyph('?'));
  check_guards(&f);
  free(f.mem);
}

static void test_clipping_never_overflows(void **state) {
  (void)state;
  for (int ch = 1; ch <= 4; ch++) {
    if (ch == 2) continue;
    fixture f;
    make(&f, ch);
    const odai_color c = {10, 200, 30, 255};
    odai_draw_rect(&f.c, -1e9f, -1e9f, 1e9f, 1e9f, 7, c);
    odai_draw_rect(&f.c, -5, -5, W + 5, H + 5, 30, c);
    odai_draw_rect(&f.c, NAN, 3, INFINITY, -INFINITY, NAN, c);
    odai_draw_line(&f.c, -1e30f, -5, 1e30f, 50, 4, c);
    odai_draw_line(&f.c, NAN, NAN, 3, 3, 1e9f, c);
    odai_draw_line(&f.c, W - 1, H - 1, W + 100, H + 100, 9, c);
    odai_draw_circle(&f.c, -100, -100, 1000, false, 3, c);
    odai_draw_circle(&f.c, W, H, 1e20f, true, 0, c);
    odai_draw_oval(&f.c, -3, -3, W + 3, 5, false, 2, c);
    odai_draw_fill_rect(&f.c, -100, -100, 1 << 30, 1 << 30, c);
    odai_draw_text(&f.c, -7, 3, "clipped text", 3, c, (odai_color){0, 0, 255, 255});
    odai_draw_text(&f.c, W - 4, H + 2, "Wg", 4, c, (odai_color){1, 1, 1, 128});
    odai_draw_text(&f.c, -2147483000, 0, "x", 64, c, (odai_color){0, 0, 0, 0});
    odai_draw_text(&f.c, 2147483000, 2147483000, "x", 64, c, (odai_color){0, 0, 0, 255});
    odai_render_data rd;
    odai_render_data_init(&rd);
    odai_render_annotation *a = odai_render_data_add(&rd);
    a->kind = ODAI_RENDER_TEXT;
    a->normalized = true;
    a->x0 = 0.9f;
    a->y0 = 1.2f;
    a->font_height = 5.0f;
    snprintf(a->text, sizeof(a->text), "big");
    /* Found by fuzz_vision: a huge font height must not overflow the cast. */
    a = odai_render_data_add(&rd);
    a->kind = ODAI_RENDER_TEXT;
    a->font_height = 1e30f;
    snprintf(a->text, sizeof(a->text), "huge");
    a = odai_render_data_add(&rd);
    a->kind = ODAI_RENDER_TEXT;
    a->font_height = INFINITY;
    a->x0 = 3e9f;
    snprintf(a->text, sizeof(a->text), "inf");
    a = odai_render_data_add(&rd);
    a->kind = ODAI_RENDER_FILLED_RECTANGLE;
    a->x0 = -1e38f;
    a->x1 = 1e38f;
    a->y0 = NAN;
    a->y1 = 3;
    odai_draw_render_data(&f.c, &rd);
    odai_render_data_fini(&rd);
    check_guards(&f);
    free(f.mem);
  }
}

static void test_blend_bgr_gray(void **state) {
  (void)state;
  fixture f;
  make(&f, 4);
  f.c.bgr = true;
  odai_draw_fill_rect(&f.c, 0, 0, 2, 2, (odai_color){200, 100, 50, 0}); /* a=0: opaque */
  const uint8_t *p = f.c.data;
  assert_int_equal(p[0], 50); /* B first */
  assert_int_equal(p[1], 100);
  assert_int_equal(p[2], 200);
  odai_draw_fill_rect(&f.c, 5, 5, 6, 6, (odai_color){255, 255, 255, 128});
  p = f.c.data + 5 * f.c.stride + 5 * 4;
  assert_int_equal(p[0], 128);
  free(f.mem);
  make(&f, 1);
  odai_draw_fill_rect(&f.c, 0, 0, 1, 1, (odai_color){255, 255, 255, 255});
  assert_int_equal(px(&f, 0, 0), 255);
  odai_draw_fill_rect(&f.c, 1, 0, 2, 1, (odai_color){0, 255, 0, 255});
  assert_int_equal(px(&f, 1, 0), 149);
  check_guards(&f);
  free(f.mem);
}

static void test_detections_render(void **state) {
  (void)state;
  odai_detections dets;
  odai_detections_init(&dets);
  odai_detection d;
  odai_detection_init(&d);
  d.score = 0.926f;
  d.label_id = 0;
  d.xmin = 0.25f;
  d.ymin = 0.2f;
  d.width = 0.5f;
  d.height = 0.6f;
  d.num_keypoints = 2;
  d.keypoints[0] = (odai_point2f){0.4f, 0.4f};
  d.keypoints[1] = (odai_point2f){0.6f, 0.4f};
  d.track_id = 7;
  odai_detections_push(&dets, &d, NULL);
  odai_detection_set_label(&d, "face");
  d.xmin = -0.5f; /* partly outside: clipped */
  d.num_keypoints = 0;
  strcpy(d.identity, "ada");
  d.identity_similarity = 0.5f;
  odai_detections_push(&dets, &d, NULL);
  odai_detections_render_options o;
  odai_detections_render_options_init(&o);
  o.color = (odai_color){0, 255, 0, 255};
  o.thickness = 1;
  o.render_detection_id = true;
  odai_render_data rd;
  odai_render_data_init(&rd);
  assert_int_equal(odai_detections_to_render_data(&o, &dets, &rd, NULL), ODAI_OK);
  /* det 0: id text, label text, box, 2 points; det 1: id, label, identity, box */
  assert_int_equal(rd.count, 5 + 4);
  assert_string_equal(rd.scene_class, "DETECTION");
  assert_int_equal(rd.items[0].kind, ODAI_RENDER_TEXT);
  assert_string_equal(rd.items[0].text, "Id: 7");
  assert_string_equal(rd.items[1].text, "0,0.93,");
  assert_int_equal(rd.items[2].kind, ODAI_RENDER_RECTANGLE);
  assert_true(fabsf(rd.items[2].x1 - 0.75f) < 1e-6f);
  assert_string_equal(rd.items[6].text, "face,0.93,");
  assert_string_equal(rd.items[7].text, "ada,0.5");
  assert_true(rd.items[8].x0 == 0.0f);

  fixture f;
  make(&f, 3);
  odai_draw_render_data(&f.c, &rd);
  /* Box of det 0: left edge at x = 0.25*40 = 10, rows 6..24 */
  assert_int_equal(f.c.data[(size_t)15 * f.c.stride + 10 * 3 + 1], 255);
  assert_int_equal(f.c.data[(size_t)15 * f.c.stride + 30 * 3 + 1], 255);
  /* Keypoint at (16, 12) */
  assert_int_equal(f.c.data[(size_t)12 * f.c.stride + 16 * 3 + 1], 255);
  check_guards(&f);
  free(f.mem);
  odai_render_data_fini(&rd);
  odai_detections_fini(&dets);
}

static void test_canvas_from_image(void **state) {
  (void)state;
  odai_image *img = NULL;
  odai_canvas c;
  assert_int_equal(odai_image_new_zeroed(20, 10, ODAI_PIXEL_BGRA8, &img), ODAI_OK);
  assert_int_equal(odai_canvas_from_image(img, &c, NULL), ODAI_OK);
  assert_int_equal(c.channels, 4);
  assert_true(c.bgr);
  odai_draw_fill_rect(&c, 0, 0, 1, 1, RED);
  assert_int_equal(odai_image_data(img, 0)[2], 255); /* R is the third byte of BGRA */
  assert_int_equal(odai_image_data(img, 0)[0], 0);
  /* A shared image is not drawn on. */
  odai_image *ref = odai_image_ref(img);
  odai_error err;
  assert_int_equal(odai_canvas_from_image(img, &c, &err), ODAI_E_INVALID);
  odai_image_unref(ref);
  odai_image_unref(img);
  assert_int_equal(odai_image_new(8, 8, ODAI_PIXEL_F32, &img), ODAI_OK);
  assert_int_equal(odai_canvas_from_image(img, &c, &err), ODAI_E_UNSUPPORTED);
  odai_image_unref(img);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rect_and_point), cmocka_unit_test(test_text),
      cmocka_unit_test(test_clipping_never_overflows), cmocka_unit_test(test_blend_bgr_gray),
      cmocka_unit_test(test_detections_render), cmocka_unit_test(test_canvas_from_image),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
