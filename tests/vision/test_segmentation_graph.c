/* The segmentation calculators in a real graph, MediaPipe's selfie
 * segmentation structure: ImageToTensor -> Inference (selfie_segmentation)
 * -> TensorsToSegmentation -> SegmentationSmoothing (previous mask through a
 * PreviousLoopback back edge) -> MaskOverlay (background blur). The mask
 * must agree with the TFLite golden output for astronaut (>= 98% of pixels
 * on the same side of 0.5); the overlay keeps the person and blurs the
 * background. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "odai/graph.h"
#include "odai/image.h"
#include "odai/packet_types.h"

#include "mp_ref.h"

static const char *k_graph =
    "input_stream: \"image\"\n"
    "output_stream: \"mask\"\n"
    "output_stream: \"smoothed\"\n"
    "output_stream: \"output_video\"\n"
    "node {\n"
    "  calculator: \"ImageToTensorCalculator\"\n"
    "  input_stream: \"IMAGE:image\"\n"
    "  output_stream: \"TENSORS:input_tensors\"\n"
    "  options: { [mediapipe.ImageToTensorCalculatorOptions.ext] {\n"
    "    output_tensor_width: 256 output_tensor_height: 256 keep_aspect_ratio: false\n"
    "    output_tensor_float_range { min: 0.0 max: 1.0 } border_mode: BORDER_ZERO } }\n"
    "}\n"
    "node {\n"
    "  calculator: \"InferenceCalculator\"\n"
    "  input_stream: \"TENSORS:input_tensors\"\n"
    "  output_stream: \"TENSORS:output_tensors\"\n"
    "  options: { [mediapipe.InferenceCalculatorOptions.ext] {\n"
    "    model_path: \"mediapipe/modules/selfie_segmentation/selfie_segmentation.tflite\" } }\n"
    "}\n"
    "node {\n"
    "  calculator: \"TensorsToSegmentationCalculator\"\n"
    "  input_stream: \"TENSORS:output_tensors\"\n"
    "  output_stream: \"MASK:mask\"\n"
    "  options: { [mediapipe.TensorsToSegmentationCalculatorOptions.ext] {\n"
    "    activation: NONE } }\n"
    "}\n"
    "node {\n"
    "  calculator: \"PreviousLoopbackCalculator\"\n"
    "  input_stream: \"MAIN:mask\"\n"
    "  input_stream: \"LOOP:smoothed\"\n"
    "  input_stream_info: { tag_index: \"LOOP\" back_edge: true }\n"
    "  output_stream: \"PREV_LOOP:prev_mask\"\n"
    "}\n"
    "node {\n"
    "  calculator: \"SegmentationSmoothingCalculator\"\n"
    "  input_stream: \"MASK:mask\"\n"
    "  input_stream: \"MASK_PREVIOUS:prev_mask\"\n"
    "  output_stream: \"MASK_SMOOTHED:smoothed\"\n"
    "  options: { [mediapipe.SegmentationSmoothingCalculatorOptions.ext] {\n"
    "    combine_with_previous_ratio: 0.9 } }\n"
    "}\n"
    "node {\n"
    "  calculator: \"MaskOverlayCalculator\"\n"
    "  input_stream: \"IMAGE:image\"\n"
    "  input_stream: \"MASK:smoothed\"\n"
    "  output_stream: \"IMAGE:output_video\"\n"
    "  options: { [odai.MaskOverlayCalculatorOptions.ext] { mode: BLUR blur_radius: 16 } }\n"
    "}\n";

static odai_packet *next(odai_poller *p) {
  odai_packet *pkt = NULL;
  assert_int_equal(odai_poller_next(p, 5000, &pkt), ODAI_OK);
  return pkt;
}

static void test_selfie_graph_astronaut(void **state) {
  (void)state;
  if (!getenv("ODAI_MODEL_DIR")) fail_msg("ODAI_MODEL_DIR not set (run through ctest)");
  char path[1024];
  snprintf(path, sizeof path, "%s/refdata/images/astronaut.rgb", shared_dir());
  size_t n = 0;
  uint8_t *rgb = (uint8_t *)read_file(path, &n);
  if (!rgb || n != 512 * 512 * 3) fail_msg("cannot read %s", path);
  float *gold = read_f32("refdata/tflite/selfie_segmentation/img_astronaut/output0_activation_10.f32",
                         256 * 256);

  odai_graph *g = NULL;
  odai_error err = {0};
  if (odai_graph_create(k_graph, strlen(k_graph), "selfie.pbtxt", &g, &err) != ODAI_OK)
    fail_msg("create: %s", err.message);
  odai_poller *pm = NULL, *ps = NULL, *pv = NULL;
  assert_int_equal(odai_graph_add_poller(g, "mask", &pm, &err), ODAI_OK);
  assert_int_equal(odai_graph_add_poller(g, "smoothed", &ps, &err), ODAI_OK);
  assert_int_equal(odai_graph_add_poller(g, "output_video", &pv, &err), ODAI_OK);
  if (odai_graph_start(g, &err) != ODAI_OK) fail_msg("start: %s", err.message);
  for (int frame = 0; frame < 2; frame++) {
    odai_image *img = NULL;
    assert_int_equal(odai_image_new(512, 512, ODAI_PIXEL_RGB8, &img), ODAI_OK);
    uint8_t *d = odai_image_data(img, 0);
    int stride = odai_image_stride(img, 0);
    for (int y = 0; y < 512; y++) memcpy(d + (size_t)y * stride, rgb + (size_t)y * 512 * 3, 512 * 3);
    assert_int_equal(odai_graph_add_packet(g, "image", odai_packet_new_image(img, frame * 33333)),
                     ODAI_OK);
  }
  if (odai_graph_wait_until_done(g, &err) != ODAI_OK) fail_msg("run: %s", err.message);

  for (int frame = 0; frame < 2; frame++) {
    odai_packet *pm_pkt = next(pm), *ps_pkt = next(ps), *pv_pkt = next(pv);
    const odai_image *mask = odai_packet_image(pm_pkt), *sm = odai_packet_image(ps_pkt);
    const odai_image *out = odai_packet_image(pv_pkt);
    assert_non_null(mask);
    assert_non_null(sm);
    assert_non_null(out);
    assert_int_equal(odai_image_format(mask), ODAI_PIXEL_F32);
    assert_int_equal(odai_image_width(mask), 256);
    const int ms = odai_image_stride(mask, 0) / 4, ss = odai_image_stride(sm, 0) / 4;
    const float *mv = (const float *)(const void *)odai_image_cdata(mask, 0);
    const float *sv = (const float *)(const void *)odai_image_cdata(sm, 0);
    size_t agree = 0, fg = 0;
    double max_smooth_diff = 0;
    for (int y = 0; y < 256; y++)
      for (int x = 0; x < 256; x++) {
        float v = mv[y * ms + x], r = gold[y * 256 + x];
        agree += (v > 0.5f) == (r > 0.5f);
        fg += v > 0.5f;
        max_smooth_diff = fmax(max_smooth_diff, fabs(sv[y * ss + x] - v));
      }
    double frac = (double)agree / (256.0 * 256.0);
    if (frame == 0)
      printf("# selfie mask vs TFLite golden: %.4f of pixels on the same side of 0.5 "
             "(%.1f%% foreground)\n",
             frac, 100.0 * (double)fg / (256.0 * 256.0));
    assert_true(frac >= 0.98);
    assert_true(fg > 256 * 256 / 20); /* the astronaut is there */
    /* Frame 0 has no previous mask: passed through. Frame 1 blends two
     * identical masks: unchanged too. */
    assert_true(max_smooth_diff < 1e-5);

    /* Overlay: a person pixel is kept, a background pixel is blurred. */
    const uint8_t *o = odai_image_cdata(out, 0);
    const int os = odai_image_stride(out, 0);
    int kept = 0, changed = 0, person = 0, background = 0;
    for (int y = 0; y < 512; y += 7)
      for (int x = 0; x < 512; x += 7) {
        float v = sv[(y / 2) * ss + x / 2];
        int diff = abs(o[(size_t)y * os + (size_t)x * 3] - rgb[((size_t)y * 512 + x) * 3]) +
                   abs(o[(size_t)y * os + (size_t)x * 3 + 1] - rgb[((size_t)y * 512 + x) * 3 + 1]);
        if (v > 0.99f) {
          person++;
          kept += diff <= 2;
        } else if (v < 0.01f) {
          background++;
          changed += diff > 0;
        }
      }
    if (frame == 0)
      printf("# overlay: %d/%d person samples kept, %d/%d background samples blurred\n", kept,
             person, changed, background);
    assert_true(person > 0 && background > 0);
    assert_true(kept >= person * 95 / 100);
    assert_true(changed >= background * 70 / 100);
    odai_packet_unref(pm_pkt);
    odai_packet_unref(ps_pkt);
    odai_packet_unref(pv_pkt);
  }
  odai_graph_destroy(g);
  free(gold);
  free(rgb);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_selfie_graph_astronaut)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
