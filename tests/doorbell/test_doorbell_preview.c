/* tests/doorbell/test_doorbell_preview.c: the doorbell preview: the graph of
 * configs/doorbell.pbtxt with the preview overlay odai-doorbell adds for
 * --preview, run on doorbell.avi from 17 s (biden and an unknown visitor):
 * the preview frame shows a green box (named) and an orange box (unknown)
 * and the visit state; shown in an SDL window (dummy driver) and read back
 * with odai_display_screenshot. With ODAI_DOORBELL_SCREENSHOT=FILE.png the
 * screenshot is kept there (docs/images/doorbell_preview.png).
 * Arguments: odai-faces. Label media. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db_test_util.h"
#include "odai/display.h"
#include "odai/graph.h"
#include "odai/image_io.h"
#include "odai/packet_types.h"
#include "odai/video.h"

static const char *g_faces;

static const char k_overlay[] =
    "\nnode {\n"
    "  calculator: \"AnnotationOverlayCalculator\"\n"
    "  input_stream: \"IMAGE:throttled_video\"\n"
    "  input_stream: \"visit_render\"\n"
    "  output_stream: \"IMAGE:preview_video\"\n"
    "}\n";

typedef struct last {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  odai_image *img;
  int64_t done_ts;
} last;

static odai_status on_preview(void *user, const odai_packet *p) {
  last *l = user;
  pthread_mutex_lock(&l->mu);
  odai_image_unref(l->img);
  l->img = odai_image_ref((odai_image *)odai_packet_image(p));
  pthread_mutex_unlock(&l->mu);
  return ODAI_OK;
}

static odai_status on_visit(void *user, const odai_packet *p) {
  last *l = user;
  pthread_mutex_lock(&l->mu);
  l->done_ts = odai_packet_timestamp(p);
  pthread_cond_broadcast(&l->cv);
  pthread_mutex_unlock(&l->mu);
  return ODAI_OK;
}

static int count_color(const odai_image *img, int r, int g, int b) {
  int n = 0, w = odai_image_width(img), h = odai_image_height(img);
  const uint8_t *d = odai_image_cdata(img, 0);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      const uint8_t *p = d + (size_t)y * (size_t)odai_image_stride(img, 0) + (size_t)x * 3;
      n += abs(p[0] - r) < 40 && abs(p[1] - g) < 40 && abs(p[2] - b) < 40;
    }
  return n;
}

static void test_doorbell_preview_screenshot(void **state) {
  (void)state;
  const char *src = getenv("ODAI_SOURCE_DIR"), *shared = getenv("ODAI_SHARED_DIR");
  assert_non_null(src);
  assert_non_null(shared);
  char tmp[1024], gal[1200], path[2048];
  assert_true(dbt_tmpdir(tmp, sizeof tmp));
  snprintf(gal, sizeof gal, "%s/faces.gallery", tmp);
  assert_true(dbt_make_gallery(g_faces, shared, gal));
  snprintf(path, sizeof path, "%s/configs/doorbell.pbtxt", src);
  size_t len = 0;
  char *cfg = dbt_read_file(path, &len);
  assert_non_null(cfg);
  char *text = malloc(len + sizeof k_overlay);
  memcpy(text, cfg, len);
  memcpy(text + len, k_overlay, sizeof k_overlay);
  free(cfg);

  odai_graph *g = NULL;
  odai_error err;
  assert_int_equal(odai_graph_create(text, strlen(text), "doorbell.pbtxt+preview", &g, &err), ODAI_OK);
  free(text);
  last l = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, -1};
  odai_graph_set_side_packet(g, "gallery_path", odai_packet_new_string(gal, ODAI_TS_UNSET));
  odai_graph_set_side_packet(g, "snapshot_dir", odai_packet_new_string("", ODAI_TS_UNSET));
  odai_graph_set_side_packet(g, "clip_dir", odai_packet_new_string("", ODAI_TS_UNSET));
  odai_graph_set_side_packet(g, "blur_unknown", odai_packet_new_bool(false, ODAI_TS_UNSET));
  assert_int_equal(odai_graph_observe_output(g, "preview_video", on_preview, &l), ODAI_OK);
  assert_int_equal(odai_graph_observe_output(g, "visit", on_visit, &l), ODAI_OK);
  assert_int_equal(odai_graph_start(g, &err), ODAI_OK);

  snprintf(path, sizeof path, "%s/testdata/doorbell/doorbell.avi", shared);
  odai_video_source_options vo;
  odai_video_source_options_default(&vo);
  vo.format = ODAI_PIXEL_RGB8;
  odai_video_source *vs = NULL;
  assert_int_equal(odai_video_source_open(path, &vo, &vs, &err), ODAI_OK);
  for (int i = 0; i < 192; i++) {
    odai_image *f = NULL;
    int64_t pts = 0;
    assert_int_equal(odai_video_source_read(vs, 5000, &f, &pts, &err), ODAI_OK);
    if (i < 168) {
      odai_image_unref(f);
      continue;
    }
    int64_t ts = (int64_t)i * 100000;
    assert_int_equal(odai_graph_add_packet(g, "input_video", odai_packet_new_image(f, ts)), ODAI_OK);
    pthread_mutex_lock(&l.mu);
    while (l.done_ts < ts) pthread_cond_wait(&l.cv, &l.mu);
    pthread_mutex_unlock(&l.mu);
  }
  odai_video_source_close(vs);
  assert_int_equal(odai_graph_wait_until_done(g, &err), ODAI_OK);
  odai_graph_destroy(g);
  assert_non_null(l.img);
  int green = count_color(l.img, 0, 220, 0), orange = count_color(l.img, 255, 140, 0);
  printf("preview frame: %d green (named) and %d orange (unknown) pixels\n", green, orange);
  assert_true(green > 200);
  assert_true(orange > 200);

  /* the window: dummy SDL driver, read back */
  setenv("SDL_VIDEODRIVER", "dummy", 1);
  odai_display_options o;
  odai_display_options_default(&o);
  o.title = "odai doorbell";
  odai_display *d = NULL;
  assert_int_equal(odai_display_open(&o, &d, &err), ODAI_OK);
  assert_int_equal(odai_display_show(d, l.img, &err), ODAI_OK);
  const char *keep = getenv("ODAI_DOORBELL_SCREENSHOT");
  char shot[1200];
  snprintf(shot, sizeof shot, "%s/preview.png", tmp);
  assert_int_equal(odai_display_screenshot(d, keep && *keep ? keep : shot, &err), ODAI_OK);
  odai_display_close(d);
  odai_image *back = NULL;
  assert_int_equal(odai_image_read_file(keep && *keep ? keep : shot, ODAI_PIXEL_RGB8, &back, &err), ODAI_OK);
  assert_true(count_color(back, 0, 220, 0) > 200);
  odai_image_unref(back);
  odai_image_unref(l.img);
  dbt_rmrf(tmp);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s ODAI_FACES\n", argv[0]);
    return 2;
  }
  g_faces = argv[1];
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_doorbell_preview_screenshot)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
