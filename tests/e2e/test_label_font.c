/* Label text size on annotated frames: DetectionsToRenderData with
 * `text { font_height: 16 }` draws ~16 px glyphs above the box whatever the
 * box size; without it MediaPipe's layout (10% of the box height) stays. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calculators/render/render_ops.h"
#include "odai/detection.h"

/* Rows (top, bottom) holding pixels of colour r=255 above row `limit`. */
static void text_rows(const odai_canvas *c, int limit, int *top, int *bottom) {
  *top = -1;
  *bottom = -1;
  for (int y = 0; y < limit; y++)
    for (int x = 0; x < c->width; x++)
      if (c->data[(size_t)y * c->stride + (size_t)x * 3] == 255) {
        if (*top < 0) *top = y;
        *bottom = y;
        break;
      }
}

static void draw_label(bool set, float font_height, int *top, int *bottom, int *box_top) {
  enum { W = 400, H = 300 };
  uint8_t *px = calloc((size_t)W * H * 3, 1);
  odai_canvas c = {px, W, H, W * 3, 3, false};
  odai_detections_render_options o;
  odai_detections_render_options_init(&o);
  o.color = (odai_color){255, 0, 0, 255};
  o.text_font_height = font_height;
  o.text_font_height_set = set;
  odai_detections dets;
  odai_detections_init(&dets);
  odai_detection d;
  odai_detection_init(&d);
  d.score = 0.9f;
  odai_detection_set_label(&d, "face");
  d.xmin = 0.25f;
  d.ymin = 0.5f;
  d.width = 0.1f;
  d.height = 0.1f; /* a 30 px box: MediaPipe's text would be ~3 px */
  odai_error err;
  assert_int_equal(odai_detections_push(&dets, &d, &err), ODAI_OK);
  odai_render_data rd;
  odai_render_data_init(&rd);
  assert_int_equal(odai_detections_to_render_data(&o, &dets, &rd, &err), ODAI_OK);
  odai_draw_render_data(&c, &rd);
  *box_top = (int)(0.5f * H);
  text_rows(&c, *box_top - 1, top, bottom);
  odai_render_data_fini(&rd);
  odai_detections_fini(&dets);
  free(px);
}

static void test_pixel_font_height(void **state) {
  (void)state;
  int top, bottom, box_top;
  draw_label(true, 16.0f, &top, &bottom, &box_top);
  int h = bottom - top + 1;
  printf("font_height 16: text rows %d..%d (%d px, box top %d)\n", top, bottom, h, box_top);
  assert_true(top >= 0);
  assert_true(h >= 12 && h <= 18); /* cap height to descender at scale 2 */
  assert_true(bottom < box_top);
  draw_label(true, 32.0f, &top, &bottom, &box_top);
  printf("font_height 32: %d px\n", bottom - top + 1);
  assert_true(bottom - top + 1 >= 24);
  /* without the option: MediaPipe's layout, small text at the top of the box */
  draw_label(false, 8.0f, &top, &bottom, &box_top);
  printf("default: text rows above the box %d..%d\n", top, bottom);
  assert_true(top == -1 || top >= box_top - 8);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_pixel_font_height)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
