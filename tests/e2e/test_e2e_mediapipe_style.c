/* MediaPipe's CPU graphs as they are written (odai's own copies of their
 * structure in tests/e2e/mediapipe_style/: the desktop face detection graph
 * and the selfie segmentation graph with its SelfieSegmentationCpu and
 * SelfieSegmentationModelLoader modules, which need SwitchContainer,
 * LocalFileContents, TfLiteModel, TfLiteCustomOpResolver), fed real frames
 * through the graph input "input_video": faces vs MediaPipe's detections,
 * masks vs the TFLite reference masks. Also odai's built-in
 * SelfieSegmentationCpu with MODEL_SELECTION chosen at run time. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/subgraph.h"
#include "odai/image.h"
#include "odai/image_io.h"
#include "odai/packet_types.h"

#include "e2e_util.h"

typedef struct collect {
  odai_packet *last[4];
  int count;
} collect;

static odai_status keep(void *user, const odai_packet *pkt) {
  collect *c = user;
  if (c->count < 4) c->last[c->count] = odai_packet_ref(pkt);
  c->count++;
  return ODAI_OK;
}

static void collect_free(collect *c) {
  for (int i = 0; i < 4 && i < c->count; i++) odai_packet_unref(c->last[i]);
  memset(c, 0, sizeof *c);
}

static void style_path(char *out, size_t n, const char *rel) {
  snprintf(out, n, "%s/tests/e2e/mediapipe_style/%s", env_dir("ODAI_SOURCE_DIR"), rel);
}

static odai_image *load(const char *name) {
  char p[1024];
  media_path(p, sizeof p, name);
  odai_image *img = NULL;
  odai_error err;
  if (odai_image_read_file(p, ODAI_PIXEL_RGB8, &img, &err)) fail_msg("%s: %s", p, err.message);
  return img;
}

/* Feed `frames` copies of img on input_video, one at a time (waiting for
 * the graph to go idle so the FlowLimiter drops none), then close. */
static void feed(odai_graph *g, const odai_image *img, int frames) {
  odai_error err;
  for (int i = 0; i < frames; i++) {
    odai_image *ref = odai_image_ref((odai_image *)img);
    assert_int_equal(odai_graph_add_packet(g, "input_video", odai_packet_new_image(ref, (odai_timestamp)i * 33333)),
                     ODAI_OK);
    if (odai_graph_wait_until_idle(g, &err)) fail_msg("graph: %s", err.message);
  }
  assert_int_equal(odai_graph_close_all_inputs(g), ODAI_OK);
  if (odai_graph_wait_until_done(g, &err)) fail_msg("graph: %s", err.message);
}

/* ------------------------------------------------------ face detection */

static void test_face_detection_desktop_live(void **state) {
  (void)state;
  const char *imgs[] = {"astronaut.png", "messi5.jpg", "fruits.jpg"};
  char cfg[1024];
  style_path(cfg, sizeof cfg, "face_detection_desktop_live.pbtxt");
  float worst_iou = 1, worst_kp = 0;
  for (size_t t = 0; t < 3; t++) {
    odai_image *img = load(imgs[t]);
    odai_graph *g = NULL;
    odai_error err;
    if (odai_graph_create_from_file(cfg, &g, &err)) fail_msg("%s: %s", cfg, err.message);
    collect dets = {0}, video = {0};
    assert_int_equal(odai_graph_observe_output(g, "face_detections", keep, &dets), ODAI_OK);
    assert_int_equal(odai_graph_observe_output(g, "output_video", keep, &video), ODAI_OK);
    if (odai_graph_start(g, &err)) fail_msg("start: %s", err.message);
    feed(g, img, 3);
    ref_det ref[8];
    int rw = 0;
    int nref = load_ref("short", imgs[t], ref, 8, &rw);
    /* a frame without faces may carry no detections packet (only a bound) */
    assert_int_equal(dets.count, nref ? 3 : dets.count);
    assert_true(dets.count <= 3);
    assert_int_equal(video.count, 3);
    const odai_image *out = odai_packet_image(video.last[2]);
    assert_int_equal(odai_image_width(out), odai_image_width(img));
    for (int f = 0; f < dets.count; f++) {
      const odai_detections *d = odai_packet_detections(dets.last[f]);
      assert_non_null(d);
      assert_int_equal((int)d->count, nref);
      for (int k = 0; k < nref; k++) {
        const odai_detection *x = &d->items[k];
        float o = box_iou(x->xmin, x->ymin, x->width, x->height, ref[k].xmin, ref[k].ymin, ref[k].width,
                          ref[k].height);
        float kmax = 0;
        for (int q = 0; q < 6; q++) {
          float dx = x->keypoints[q].x - ref[k].kp[q][0], dy = x->keypoints[q].y - ref[k].kp[q][1];
          kmax = fmaxf(kmax, sqrtf(dx * dx + dy * dy));
        }
        worst_iou = fminf(worst_iou, o);
        worst_kp = fmaxf(worst_kp, kmax);
        assert_true(o >= 0.9f);
        assert_true(kmax <= 0.02f);
      }
    }
    printf("desktop live graph, %s: %d face(s) per frame (MediaPipe %d)\n", imgs[t], nref, nref);
    collect_free(&dets);
    collect_free(&video);
    odai_graph_destroy(g);
    odai_image_unref(img);
  }
  printf("desktop live graph: worst IoU %.4f, worst keypoint error %.4f\n", worst_iou, worst_kp);
}

/* -------------------------------------------------------- segmentation */

/* Fraction of pixels where the graph's mask (image size) and the TFLite
 * reference mask (model output, W x H, stretched from the image) fall on
 * the same side of 0.5. The reference is resized to the image size with
 * bilinear, half-pixel centres (the same resize the graph applies to the
 * model output). */
static double agreement(const odai_image *mask, const char *model_dir, const char *img_base, int rw, int rh) {
  char rel[512];
  /* the output tensor's name differs between the two models (same meaning: person probability) */
  const char *out = strstr(model_dir, "landscape") ? "output0_segment_back.f32" : "output0_activation_10.f32";
  snprintf(rel, sizeof rel, "refdata/tflite/%s/img_%s/%s", model_dir, img_base, out);
  float *ref = read_f32(rel, (size_t)rw * rh);
  int w = odai_image_width(mask), h = odai_image_height(mask);
  assert_int_equal(odai_image_format(mask), ODAI_PIXEL_F32);
  long same = 0;
  for (int y = 0; y < h; y++) {
    float sy = ((float)y + 0.5f) * rh / h - 0.5f;
    if (sy < 0) sy = 0;
    int y0 = (int)sy, y1 = y0 + 1 < rh ? y0 + 1 : rh - 1;
    float fy = sy - y0;
    const float *row = (const float *)(const void *)(odai_image_cdata(mask, 0) + (size_t)y * odai_image_stride(mask, 0));
    for (int x = 0; x < w; x++) {
      float sx = ((float)x + 0.5f) * rw / w - 0.5f;
      if (sx < 0) sx = 0;
      int x0 = (int)sx, x1 = x0 + 1 < rw ? x0 + 1 : rw - 1;
      float fx = sx - x0;
      float v = (1 - fy) * ((1 - fx) * ref[y0 * rw + x0] + fx * ref[y0 * rw + x1]) +
                fy * ((1 - fx) * ref[y1 * rw + x0] + fx * ref[y1 * rw + x1]);
      same += (row[x] > 0.5f) == (v > 0.5f);
    }
  }
  free(ref);
  return (double)same / ((double)w * h);
}

static const char *const k_seg_imgs[] = {"astronaut.png", "messi5.jpg", "fruits.jpg"};

static void run_selfie(const char *config_text, const char *source, int model_selection, const char *model_dir,
                       int rw, int rh, double *worst) {
  for (int t = 0; t < 3; t++) {
    odai_image *img = load(k_seg_imgs[t]);
    odai_graph *g = NULL;
    odai_error err;
    odai_status st = config_text ? odai_graph_create(config_text, strlen(config_text), source, &g, &err)
                                 : odai_graph_create_from_file(source, &g, &err);
    if (st) fail_msg("%s: %s", source, err.message);
    if (model_selection >= 0)
      assert_int_equal(odai_graph_set_side_packet(g, "model_selection", odai_packet_new_int(model_selection, ODAI_TS_UNSET)),
                       ODAI_OK);
    collect mask = {0}, video = {0};
    assert_int_equal(odai_graph_observe_output(g, "segmentation_mask", keep, &mask), ODAI_OK);
    assert_int_equal(odai_graph_observe_output(g, "output_video", keep, &video), ODAI_OK);
    if (odai_graph_start(g, &err)) fail_msg("start: %s", err.message);
    feed(g, img, 2);
    assert_int_equal(mask.count, 2);
    assert_int_equal(video.count, 2);
    const odai_image *m = odai_packet_image(mask.last[1]);
    assert_int_equal(odai_image_width(m), odai_image_width(img));
    assert_int_equal(odai_image_height(m), odai_image_height(img));
    char base[64];
    snprintf(base, sizeof base, "%s", k_seg_imgs[t]);
    *strchr(base, '.') = 0;
    double a = agreement(m, model_dir, base, rw, rh);
    printf("%s, %s: %.4f of the pixels on the same side of 0.5 as TFLite's mask\n", model_dir, k_seg_imgs[t], a);
    if (a < *worst) *worst = a;
    assert_true(a >= 0.98);
    collect_free(&mask);
    collect_free(&video);
    odai_graph_destroy(g);
    odai_image_unref(img);
  }
}

static void test_selfie_segmentation_mediapipe_modules(void **state) {
  (void)state;
  char cfg[1024], mods[1024];
  style_path(cfg, sizeof cfg, "selfie_segmentation_cpu.pbtxt");
  style_path(mods, sizeof mods, "modules");
  odai_error err;
  /* the test copies of MediaPipe's modules override odai's built-in SelfieSegmentationCpu */
  if (odai_graph_register_subgraph_dir(mods, &err)) fail_msg("%s: %s", mods, err.message);
  double worst = 1;
  run_selfie(NULL, cfg, -1, "selfie_segmentation", 256, 256, &worst);
  odai_subgraph_clear();
  printf("MediaPipe-format selfie graph: worst agreement %.4f\n", worst);
}

/* odai's built-in SelfieSegmentationCpu, the model chosen by a graph side
 * packet at run time (SwitchContainer's run-time path): 0 = general
 * (256x256), 1 = landscape (256x144). */
static const char *k_builtin_selfie =
    "input_stream: \"input_video\"\n"
    "output_stream: \"output_video\"\n"
    "input_side_packet: \"model_selection\"\n"
    "node {\n"
    "  calculator: \"SelfieSegmentationCpu\"\n"
    "  input_side_packet: \"MODEL_SELECTION:model_selection\"\n"
    "  input_stream: \"IMAGE:input_video\"\n"
    "  output_stream: \"SEGMENTATION_MASK:segmentation_mask\"\n"
    "}\n"
    "node {\n"
    "  calculator: \"RecolorCalculator\"\n"
    "  input_stream: \"IMAGE:input_video\"\n"
    "  input_stream: \"MASK:segmentation_mask\"\n"
    "  output_stream: \"IMAGE:output_video\"\n"
    "  options { [mediapipe.RecolorCalculatorOptions.ext] { color { r: 0 g: 0 b: 255 } invert_mask: true } }\n"
    "}\n";

static void test_selfie_builtin_runtime_selection(void **state) {
  (void)state;
  odai_subgraph_clear();
  double worst = 1;
  run_selfie(k_builtin_selfie, "builtin_selfie.pbtxt", 0, "selfie_segmentation", 256, 256, &worst);
  run_selfie(k_builtin_selfie, "builtin_selfie.pbtxt", 1, "selfie_segmentation_landscape", 256, 144, &worst);
  printf("built-in SelfieSegmentationCpu (run-time MODEL_SELECTION 0 and 1): worst agreement %.4f\n", worst);
}

/* The built-in SelfieSegmentationCpuImage (MediaPipe's solution-API
 * module: flow limiter + SelfieSegmentationCpu, IMAGE and mask out). */
static const char *k_builtin_selfie_image =
    "input_stream: \"input_video\"\n"
    "output_stream: \"output_video\"\n"
    "node {\n"
    "  calculator: \"SelfieSegmentationCpuImage\"\n"
    "  input_stream: \"IMAGE:input_video\"\n"
    "  output_stream: \"IMAGE:throttled\"\n"
    "  output_stream: \"SEGMENTATION_MASK:segmentation_mask\"\n"
    "}\n"
    "node {\n"
    "  calculator: \"RecolorCalculator\"\n"
    "  input_stream: \"IMAGE:throttled\"\n"
    "  input_stream: \"MASK:segmentation_mask\"\n"
    "  output_stream: \"IMAGE:output_video\"\n"
    "  options { [mediapipe.RecolorCalculatorOptions.ext] { color { r: 0 g: 255 b: 0 } } }\n"
    "}\n";

static void test_selfie_cpu_image_module(void **state) {
  (void)state;
  odai_subgraph_clear();
  double worst = 1;
  run_selfie(k_builtin_selfie_image, "builtin_selfie_image.pbtxt", -1, "selfie_segmentation", 256, 256, &worst);
  printf("built-in SelfieSegmentationCpuImage: worst agreement %.4f\n", worst);
}

/* SELECT out of range at run time is an error that names the node. */
static void test_switch_select_out_of_range(void **state) {
  (void)state;
  odai_subgraph_clear();
  odai_graph *g = NULL;
  odai_error err;
  assert_int_equal(odai_graph_create(k_builtin_selfie, strlen(k_builtin_selfie), "t.pbtxt", &g, &err), ODAI_OK);
  assert_int_equal(odai_graph_set_side_packet(g, "model_selection", odai_packet_new_int(5, ODAI_TS_UNSET)), ODAI_OK);
  odai_status st = odai_graph_start(g, &err);
  if (st == ODAI_OK) st = odai_graph_wait_until_done(g, &err);
  assert_int_not_equal(st, ODAI_OK);
  printf("select 5: %s\n", err.message);
  assert_non_null(strstr(err.message, "out of range"));
  odai_graph_destroy(g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_face_detection_desktop_live),
      cmocka_unit_test(test_selfie_segmentation_mediapipe_modules),
      cmocka_unit_test(test_selfie_builtin_runtime_selection),
      cmocka_unit_test(test_selfie_cpu_image_module),
      cmocka_unit_test(test_switch_select_out_of_range),
  };
  if (getenv("ODAI_TEST_FILTER")) cmocka_set_test_filter(getenv("ODAI_TEST_FILTER"));
  return cmocka_run_group_tests(tests, NULL, NULL);
}
