/* tests/calculators/test_media_calculators.c: the capture, image and sink
 * calculators inside real graphs: a real video file decoded, resized and
 * encoded to MP4 (then decoded back), a directory of real photos written
 * as JPEGs under their own names, and the image calculators on frames fed
 * through a graph input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "odai/graph.h"
#include "odai/image_io.h"
#include "odai/packet_types.h"
#include "odai/video.h"

static const char *media(const char *name, char *buf, size_t n) {
  const char *d = getenv("ODAI_MEDIA_DIR");
  snprintf(buf, n, "%s/%s", d ? d : ".", name);
  if (access(buf, R_OK) != 0) fail_msg("missing test medium %s: run scripts/fetch-media.sh", buf);
  return buf;
}

static odai_graph *make_graph(const char *text) {
  odai_graph *g = NULL;
  odai_error e;
  if (odai_graph_create(text, strlen(text), "test", &g, &e) != ODAI_OK)
    fail_msg("graph: %s", e.message);
  return g;
}

static void run_to_done(odai_graph *g) {
  odai_error e;
  if (odai_graph_start(g, &e) != ODAI_OK) fail_msg("start: %s", e.message);
  if (odai_graph_wait_until_done(g, &e) != ODAI_OK) fail_msg("run: %s", e.message);
}

static void test_video_file_to_resized_mp4(void **state) {
  (void)state;
  char in[1024], out[] = "/tmp/odai_test_resize_XXXXXX";
  int fd = mkstemp(out);
  close(fd);
  char outmp4[1100];
  snprintf(outmp4, sizeof outmp4, "%s.mp4", out);
  odai_graph *g = make_graph(
      "input_side_packet: 'in' input_side_packet: 'out'\n"
      "node { calculator: 'VideoSourceCalculator' input_side_packet: 'INPUT_VIDEO_PATH:in'\n"
      "       output_stream: 'VIDEO:v' options { max_frames: 25 } }\n"
      "node { calculator: 'ImageTransformationCalculator' input_stream: 'IMAGE:v'\n"
      "       output_stream: 'IMAGE:small' output_stream: 'LETTERBOX_PADDING:pad'\n"
      "       options { [mediapipe.ImageTransformationCalculatorOptions.ext] {\n"
      "         output_width: 320 output_height: 320 scale_mode: FIT } } }\n"
      "node { calculator: 'VideoSinkCalculator' input_stream: 'VIDEO:small'\n"
      "       input_side_packet: 'OUTPUT_VIDEO_PATH:out' }\n"
      "output_stream: 'pad'\n");
  odai_graph_set_side_packet(g, "in", odai_packet_new_string(media("vtest.avi", in, sizeof in), ODAI_TS_UNSET));
  odai_graph_set_side_packet(g, "out", odai_packet_new_string(outmp4, ODAI_TS_UNSET));
  odai_poller *pads;
  odai_error e;
  assert_int_equal(odai_graph_add_poller(g, "pad", &pads, &e), ODAI_OK);
  run_to_done(g);
  /* 768x576 letterboxed into 320x320: bars top and bottom of (1 - 240/320)/2 */
  odai_packet *p = NULL;
  assert_int_equal(odai_poller_next(pads, 0, &p), ODAI_OK);
  const odai_float_vector *v = odai_packet_get(p, ODAI_TYPE_FLOAT_VECTOR);
  assert_non_null(v);
  assert_float_equal(v->v[0], 0.0, 1e-6);
  assert_float_equal(v->v[1], 0.125, 1e-2);
  odai_packet_unref(p);
  odai_graph_destroy(g);

  odai_video_source *src;
  assert_int_equal(odai_video_source_open(outmp4, NULL, &src, &e), ODAI_OK);
  int n = 0;
  odai_image *img;
  while (odai_video_source_read(src, 5000, &img, NULL, &e) == ODAI_OK) {
    assert_int_equal(odai_image_width(img), 320);
    assert_int_equal(odai_image_height(img), 320);
    odai_image_unref(img);
    n++;
  }
  odai_video_source_close(src);
  assert_int_equal(n, 25);
  unlink(out);
  unlink(outmp4);
}

static void test_image_directory_to_named_jpegs(void **state) {
  (void)state;
  char dir[] = "/tmp/odai_test_imgdir_XXXXXX", outdir[] = "/tmp/odai_test_outdir_XXXXXX";
  assert_non_null(mkdtemp(dir));
  assert_non_null(mkdtemp(outdir));
  char buf[1024], link[1200];
  const char *names[] = {"astronaut.png", "messi5.jpg", "fruits.jpg"};
  for (int i = 0; i < 3; i++) {
    snprintf(link, sizeof link, "%s/%s", dir, names[i]);
    assert_int_equal(symlink(media(names[i], buf, sizeof buf), link), 0);
  }
  char text[2048];
  snprintf(text, sizeof text,
           "node { calculator: 'VideoSourceCalculator' output_stream: 'VIDEO:v'\n"
           "       output_stream: 'FILE_NAME:name' options { path: '%s' frame_rate: 2 } }\n"
           "node { calculator: 'ImageFileSinkCalculator' input_stream: 'IMAGE:v'\n"
           "       input_stream: 'FILE_NAME:name' options { path: '%s' quality: 85 } }\n"
           "output_stream: 'v'\n",
           dir, outdir);
  odai_graph *g = make_graph(text);
  odai_poller *frames;
  odai_error e;
  assert_int_equal(odai_graph_add_poller(g, "v", &frames, &e), ODAI_OK);
  run_to_done(g);
  /* sorted by name; timestamps at 2 frames per second */
  const int w[] = {512, 512, 548}, ts[] = {0, 500000, 1000000};
  for (int i = 0; i < 3; i++) {
    odai_packet *p = NULL;
    assert_int_equal(odai_poller_next(frames, 0, &p), ODAI_OK);
    assert_int_equal(odai_image_width(odai_packet_image(p)), w[i]);
    assert_int_equal(odai_packet_timestamp(p), ts[i]);
    odai_packet_unref(p);
  }
  odai_graph_destroy(g);
  const char *outs[] = {"astronaut.jpg", "messi5.jpg", "fruits.jpg"};
  for (int i = 0; i < 3; i++) {
    snprintf(link, sizeof link, "%s/%s", outdir, outs[i]);
    odai_image *img = NULL;
    assert_int_equal(odai_image_read_file(link, ODAI_PIXEL_RGB8, &img, &e), ODAI_OK);
    odai_image_unref(img);
    unlink(link);
    snprintf(link, sizeof link, "%s/%s", dir, names[i]);
    unlink(link);
  }
  struct stat sb;
  assert_int_equal(stat(outdir, &sb), 0);
  rmdir(outdir);
  rmdir(dir);
}

static void test_missing_input_is_a_clear_error(void **state) {
  (void)state;
  odai_graph *g = make_graph(
      "node { calculator: 'VideoSourceCalculator' output_stream: 'VIDEO:v'\n"
      "       options { path: '/nonexistent/odai/video.avi' } }\n"
      "node { calculator: 'ImageFileSinkCalculator' input_stream: 'IMAGE:v' }\n");
  odai_error e;
  odai_status s = odai_graph_start(g, &e);
  if (s == ODAI_OK) s = odai_graph_wait_until_done(g, &e);
  assert_int_not_equal(s, ODAI_OK);
  assert_non_null(strstr(e.message, "VideoSourceCalculator"));
  assert_non_null(strstr(e.message, "/nonexistent/odai/video.avi"));
  odai_graph_destroy(g);
}

static void test_image_calculators(void **state) {
  (void)state;
  odai_graph *g = make_graph(
      "input_stream: 'in'\n"
      "node { calculator: 'ColorConvertCalculator' input_stream: 'RGB_IN:in' output_stream: 'GRAY_OUT:gray' }\n"
      "node { calculator: 'ImageCroppingCalculator' input_stream: 'IMAGE:in' output_stream: 'IMAGE:crop'\n"
      "       options { [mediapipe.ImageCroppingCalculatorOptions.ext] { width: 10 height: 6 x_center: 5 y_center: 3 } } }\n"
      "node { calculator: 'ImageTransformationCalculator' input_stream: 'IMAGE:in' output_stream: 'IMAGE:rot'\n"
      "       options { [mediapipe.ImageTransformationCalculatorOptions.ext] { rotation_mode: ROTATION_90 } } }\n"
      "node { calculator: 'ImagePropertiesCalculator' input_stream: 'IMAGE:rot' output_stream: 'SIZE:size' }\n"
      "output_stream: 'gray' output_stream: 'crop' output_stream: 'rot' output_stream: 'size'\n");
  odai_poller *pg, *pc, *pr, *ps;
  odai_error e;
  odai_graph_add_poller(g, "gray", &pg, &e);
  odai_graph_add_poller(g, "crop", &pc, &e);
  odai_graph_add_poller(g, "rot", &pr, &e);
  odai_graph_add_poller(g, "size", &ps, &e);
  assert_int_equal(odai_graph_start(g, &e), ODAI_OK);
  odai_image *img;
  assert_int_equal(odai_image_new(40, 20, ODAI_PIXEL_RGB8, &img), ODAI_OK);
  odai_image_planes pl;
  odai_image_get_planes(img, &pl);
  for (int y = 0; y < 20; y++)
    for (int x = 0; x < 40; x++) {
      uint8_t *px = pl.data[0] + y * pl.stride[0] + x * 3;
      px[0] = (uint8_t)(x * 6); px[1] = (uint8_t)(y * 12); px[2] = 7;
    }
  assert_int_equal(odai_graph_add_packet(g, "in", odai_packet_new_image(img, 1000)), ODAI_OK);
  assert_int_equal(odai_graph_wait_until_done(g, &e), ODAI_OK);
  odai_packet *p;
  assert_int_equal(odai_poller_next(pg, 0, &p), ODAI_OK);
  assert_int_equal(odai_image_format(odai_packet_image(p)), ODAI_PIXEL_GRAY8);
  odai_packet_unref(p);
  assert_int_equal(odai_poller_next(pc, 0, &p), ODAI_OK);
  const odai_image *c = odai_packet_image(p);
  assert_int_equal(odai_image_width(c), 10);
  assert_int_equal(odai_image_height(c), 6);
  assert_int_equal(odai_image_cdata(c, 0)[3 * 3], 3 * 6); /* pixel (3, 0) red */
  odai_packet_unref(p);
  assert_int_equal(odai_poller_next(pr, 0, &p), ODAI_OK);
  assert_int_equal(odai_image_width(odai_packet_image(p)), 20);
  /* 90 degrees counter-clockwise: the top-left pixel was the input's top-right */
  assert_int_equal(odai_image_cdata(odai_packet_image(p), 0)[0], 39 * 6);
  odai_packet_unref(p);
  assert_int_equal(odai_poller_next(ps, 0, &p), ODAI_OK);
  const odai_image_size *sz = odai_packet_get(p, ODAI_TYPE_IMAGE_SIZE);
  assert_int_equal(sz->width, 20);
  assert_int_equal(sz->height, 40);
  odai_packet_unref(p);
  odai_graph_destroy(g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_video_file_to_resized_mp4),
      cmocka_unit_test(test_image_directory_to_named_jpegs),
      cmocka_unit_test(test_missing_input_is_a_clear_error),
      cmocka_unit_test(test_image_calculators),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
