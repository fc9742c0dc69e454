/* tests/graph/test_subgraph.c: subgraph registry and expansion
 * (graph/subgraph.c): stream/side-packet mapping by tag and index, name
 * prefixing, unconnected inputs, nesting, recursion errors, graph_options and
 * option_value on a face-detection-shaped pair of subgraphs. */
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
#include <unistd.h>

#include "graph/config.h"
#include "graph/options.h"
#include "graph/subgraph.h"
#include "odai/options.h"

static odai_graph_config *parse_ok(const char *text, const char *name) {
  odai_graph_config *c = NULL;
  odai_error err = {0};
  if (odai_config_parse(text, strlen(text), name, &c, &err) != ODAI_OK) fail_msg("parse error: %s", err.message);
  return c;
}

static void reg(const char *text, const char *name) {
  odai_error err = {0};
  if (odai_subgraph_register_text(text, name, &err) != ODAI_OK) fail_msg("register: %s", err.message);
}

static odai_graph_config *expand_ok(const char *text) {
  odai_graph_config *c = parse_ok(text, "main.pbtxt");
  odai_error err = {0};
  if (odai_config_expand_subgraphs(c, &err) != ODAI_OK) fail_msg("expand: %s", err.message);
  return c;
}

static const odai_node_config *node_named(const odai_graph_config *c, const char *name) {
  for (size_t i = 0; i < c->n_nodes; i++)
    if (strcmp(c->nodes[i].name, name) == 0) return &c->nodes[i];
  for (size_t i = 0; i < c->n_nodes; i++) fprintf(stderr, "  node: %s\n", c->nodes[i].name);
  fail_msg("no node named %s", name);
  return NULL;
}

static int teardown(void **state) {
  (void)state;
  odai_subgraph_clear();
  return 0;
}

static void test_registry(void **state) {
  (void)state;
  odai_error err = {0};
  assert_false(odai_subgraph_is_registered("Sub"));
  reg("type: \"Sub\" node { calculator: \"PassThroughCalculator\" }", "sub.pbtxt");
  assert_true(odai_subgraph_is_registered("Sub"));
  assert_false(odai_subgraph_is_registered("sub"));
  assert_false(odai_subgraph_is_registered(NULL));
  assert_int_equal(odai_subgraph_count(), 1);
  /* re-registration replaces */
  reg("type: \"Sub\" node { calculator: \"A\" } node { calculator: \"B\" }", "sub2.pbtxt");
  assert_int_equal(odai_subgraph_count(), 1);
  odai_graph_config *c = odai_subgraph_lookup("Sub");
  assert_non_null(c);
  assert_int_equal(c->n_nodes, 2);
  odai_config_free(c);
  assert_null(odai_subgraph_lookup("Nope"));
  assert_int_equal(odai_subgraph_register_text("node { calculator: \"A\" }", "notype.pbtxt", &err), ODAI_E_INVALID);
  assert_non_null(strstr(err.message, "notype.pbtxt: a subgraph config needs a type"));
  assert_int_equal(odai_subgraph_register_text("type: \"X\" node {", "bad.pbtxt", &err), ODAI_E_PARSE);
  assert_non_null(strstr(err.message, "bad.pbtxt:1:"));
  assert_int_equal(odai_subgraph_register_file("/nonexistent.pbtxt", &err), ODAI_E_NOT_FOUND);
  odai_subgraph_clear();
  assert_int_equal(odai_subgraph_count(), 0);
  assert_false(odai_subgraph_is_registered("Sub"));
}

static void test_register_dir(void **state) {
  (void)state;
  char dir[] = "/tmp/odai_sub_XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[256];
  const char *files[][2] = {
      {"a_sub.pbtxt", "type: \"ASub\" node { calculator: \"X\" }"},
      {"b_main.pbtxt", "node { calculator: \"ASub\" }"},
      {"c_sub.pbtxt", "type: 'CSub' node { calculator: \"Y\" }"},
      {"notes.txt", "type: \"NotAConfig\""},
  };
  for (size_t i = 0; i < 4; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i][0]);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(files[i][1], f);
    fclose(f);
  }
  size_t n = 0;
  odai_error err = {0};
  assert_int_equal(odai_subgraph_register_dir_n(dir, &n, &err), ODAI_OK);
  assert_int_equal(n, 2);
  assert_true(odai_subgraph_is_registered("ASub"));
  assert_true(odai_subgraph_is_registered("CSub"));
  assert_false(odai_subgraph_is_registered("NotAConfig"));
  /* a broken file stops with its position */
  snprintf(path, sizeof path, "%s/d_bad.pbtxt", dir);
  FILE *f = fopen(path, "w");
  fputs("type: \"D\"\nnode { calculator: 3 }\n", f);
  fclose(f);
  assert_int_equal(odai_subgraph_register_dir(dir, &err), ODAI_E_PARSE);
  char want[300];
  snprintf(want, sizeof want, "%s:2:20: found integer 3 for 'calculator'", path);
  assert_true(strncmp(err.message, want, strlen(want)) == 0);
  for (size_t i = 0; i < 4; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i][0]);
    unlink(path);
  }
  snprintf(path, sizeof path, "%s/d_bad.pbtxt", dir);
  unlink(path);
  rmdir(dir);
  assert_int_equal(odai_subgraph_register_dir("/nonexistent_dir_odai", &err), ODAI_E_NOT_FOUND);
}

static void test_basic_expansion(void **state) {
  (void)state;
  reg("type: \"TwoPass\"\n"
      "input_stream: \"IN:in\"\n"
      "output_stream: \"OUT:out\"\n"
      "node { calculator: \"PassThroughCalculator\" input_stream: \"in\" output_stream: \"mid\" }\n"
      "node { calculator: \"PassThroughCalculator\" input_stream: \"mid\" output_stream: \"out\" }\n",
      "twopass.pbtxt");
  odai_graph_config *c = expand_ok("input_stream: \"a\"\n"
                                   "node { calculator: \"Source\" output_stream: \"a0\" }\n"
                                   "node { calculator: \"TwoPass\" input_stream: \"IN:a0\" output_stream: \"OUT:b\" }\n"
                                   "node { calculator: \"Sink\" input_stream: \"b\" }\n");
  assert_int_equal(c->n_nodes, 4);
  assert_string_equal(c->nodes[0].calculator, "Source");
  assert_string_equal(c->nodes[1].name, "twopass__PassThroughCalculator_1");
  assert_string_equal(c->nodes[1].input_streams.v[0].name, "a0");
  assert_string_equal(c->nodes[1].output_streams.v[0].name, "twopass__mid");
  assert_string_equal(c->nodes[2].name, "twopass__PassThroughCalculator_2");
  assert_string_equal(c->nodes[2].input_streams.v[0].name, "twopass__mid");
  assert_string_equal(c->nodes[2].output_streams.v[0].name, "b");
  assert_string_equal(c->nodes[3].calculator, "Sink");
  /* inner nodes keep their position in the subgraph's file */
  assert_string_equal(c->nodes[1].pos.file, "twopass.pbtxt");
  assert_int_equal(c->nodes[1].pos.line, 4);
  odai_config_free(c);

  /* two unnamed uses get distinct prefixes; a named one uses its name */
  c = expand_ok("node { calculator: \"TwoPass\" input_stream: \"IN:a\" output_stream: \"OUT:b\" }\n"
                "node { calculator: \"TwoPass\" input_stream: \"IN:b\" output_stream: \"OUT:c\" }\n"
                "node { name: \"My.Pass 3\" calculator: \"TwoPass\" input_stream: \"IN:c\" output_stream: \"OUT:d\" }\n");
  assert_int_equal(c->n_nodes, 6);
  assert_string_equal(c->nodes[0].name, "twopass_1__PassThroughCalculator_1");
  assert_string_equal(c->nodes[0].output_streams.v[0].name, "twopass_1__mid");
  assert_string_equal(c->nodes[2].name, "twopass_2__PassThroughCalculator_1");
  assert_string_equal(c->nodes[2].input_streams.v[0].name, "b");
  assert_string_equal(c->nodes[5].name, "my_pass_3__PassThroughCalculator_2");
  assert_string_equal(c->nodes[5].output_streams.v[0].name, "d");
  odai_config_free(c);
}

static void test_tags_indices_side_packets(void **state) {
  (void)state;
  reg("type: \"Multi\"\n"
      "input_stream: \"first\"\n"
      "input_stream: \"second\"\n"
      "input_stream: \"IMG:0:img0\"\n"
      "input_stream: \"IMG:1:img1\"\n"
      "output_stream: \"OUT:result\"\n"
      "output_stream: \"EXTRA:extra\"\n"
      "input_side_packet: \"MODEL:model\"\n"
      "input_side_packet: \"LABELS:labels\"\n"
      "output_side_packet: \"ANCHORS:anchors\"\n"
      "node {\n"
      "  calculator: \"Combine\"\n"
      "  input_stream: \"A:first\" input_stream: \"B:second\"\n"
      "  input_stream: \"IMAGE:0:img0\" input_stream: \"IMAGE:1:img1\"\n"
      "  input_side_packet: \"MODEL:model\" input_side_packet: \"LABELS:labels\"\n"
      "  output_stream: \"result\" output_stream: \"extra\"\n"
      "  output_side_packet: \"anchors\"\n"
      "}\n",
      "multi.pbtxt");
  odai_graph_config *c = expand_ok("node {\n"
                                   "  name: \"m\" calculator: \"Multi\"\n"
                                   "  input_stream: \"x\"\n"           /* untagged 0 -> first */
                                   "  input_stream: \"IMG:1:p1\"\n"
                                   "  input_stream: \"IMG:0:p0\"\n"
                                   "  output_stream: \"OUT:r\"\n"
                                   "  input_side_packet: \"MODEL:model_path\"\n"
                                   "  output_side_packet: \"ANCHORS:a\"\n"
                                   "}\n");
  assert_int_equal(c->n_nodes, 1);
  const odai_node_config *n = &c->nodes[0];
  assert_string_equal(n->name, "m__Combine");
  /* "second" and LABELS were not connected by the node: removed */
  assert_int_equal(n->input_streams.n, 3);
  assert_string_equal(n->input_streams.v[0].tag, "A");
  assert_string_equal(n->input_streams.v[0].name, "x");
  assert_string_equal(n->input_streams.v[1].tag, "IMAGE");
  assert_int_equal(n->input_streams.v[1].index, 0);
  assert_string_equal(n->input_streams.v[1].name, "p0");
  assert_string_equal(n->input_streams.v[2].name, "p1");
  assert_int_equal(n->input_side_packets.n, 1);
  assert_string_equal(n->input_side_packets.v[0].name, "model_path");
  assert_string_equal(n->output_streams.v[0].name, "r");
  assert_string_equal(n->output_streams.v[1].name, "m__extra"); /* unconnected output stays internal */
  assert_string_equal(n->output_side_packets.v[0].name, "a");
  odai_config_free(c);
}

static void expand_err(const char *text, const char *want) {
  odai_graph_config *c = parse_ok(text, "main.pbtxt");
  odai_error err = {0};
  odai_status st = odai_config_expand_subgraphs(c, &err);
  if (st == ODAI_OK) fail_msg("expansion succeeded, wanted: %s", want);
  if (!strstr(err.message, want)) fail_msg("got: %s\nwant: %s", err.message, want);
  /* the config stays freeable */
  odai_config_free(c);
}

static void test_mapping_errors(void **state) {
  (void)state;
  reg("type: \"Sub\" input_stream: \"IMAGE:image\" input_stream: \"ROI:roi\" output_stream: \"OUT:out\"\n"
      "node { calculator: \"C\" input_stream: \"IMAGE:image\" output_stream: \"out\" }\n",
      "sub.pbtxt");
  expand_err("node { calculator: \"Sub\" input_stream: \"VIDEO:v\" }",
             "main.pbtxt:1:1: node 'Sub' (subgraph Sub): input streams tag \"VIDEO\" does not exist in the "
             "subgraph config sub.pbtxt (it declares: IMAGE, ROI)");
  expand_err("node { calculator: \"Sub\" input_stream: \"IMAGE:0:a\" input_stream: \"IMAGE:1:b\" }",
             "tag \"IMAGE\" has 2 indexes in the subgraph node but only 1 in the subgraph config sub.pbtxt");
  expand_err("node { calculator: \"Sub\" input_stream: \"IMAGE:1:a\" }", "tag \"IMAGE\" has 1 entries but index 1");
  expand_err("node { calculator: \"Sub\" output_stream: \"OUT:a\" output_stream: \"OUT:b\" }",
             "output streams: tag \"OUT\" index 0 is given twice");
  expand_err("node {\n calculator: \"Sub\" input_stream_info { tag_index: \"IMAGE\" back_edge: true } }",
             "main.pbtxt:1:1: node 'Sub' uses subgraph Sub but has source_layer, output_stream_handler or input_stream_info");
  expand_err("node { calculator: \"Sub\" input_side_packet: \"S:s\" }",
             "input side packets tag \"S\" does not exist in the subgraph config sub.pbtxt (it declares: none)");
}

static void test_nesting_and_recursion(void **state) {
  (void)state;
  reg("type: \"Inner\" input_stream: \"in\" output_stream: \"out\"\n"
      "node { calculator: \"Leaf\" input_stream: \"in\" output_stream: \"out\" }\n",
      "inner.pbtxt");
  reg("type: \"Outer\" input_stream: \"IN:in\" output_stream: \"OUT:out\"\n"
      "node { calculator: \"Inner\" input_stream: \"in\" output_stream: \"mid\" }\n"
      "node { calculator: \"Inner\" input_stream: \"mid\" output_stream: \"out\" }\n",
      "outer.pbtxt");
  odai_graph_config *c = expand_ok("node { calculator: \"Outer\" input_stream: \"IN:a\" output_stream: \"OUT:b\" "
                                   "executor: \"worker\" }\n");
  assert_int_equal(c->n_nodes, 2);
  assert_string_equal(c->nodes[0].name, "outer__inner_1__Leaf");
  assert_string_equal(c->nodes[0].input_streams.v[0].name, "a");
  assert_string_equal(c->nodes[0].output_streams.v[0].name, "outer__mid");
  assert_string_equal(c->nodes[1].name, "outer__inner_2__Leaf");
  assert_string_equal(c->nodes[1].input_streams.v[0].name, "outer__mid");
  assert_string_equal(c->nodes[1].output_streams.v[0].name, "b");
  assert_string_equal(c->nodes[1].executor, "worker"); /* inherited */
  odai_config_free(c);

}

static void test_recursion_message(void **state) {
  (void)state;
  reg("type: \"RecA\" node { calculator: \"RecB\" }", "a.pbtxt");
  reg("type: \"RecB\" node { calculator: \"Leaf\" } node { calculator: \"RecC\" }", "b.pbtxt");
  reg("type: \"RecC\" node { calculator: \"RecA\" }", "c.pbtxt");
  expand_err("node { calculator: \"Leaf\" }\nnode { calculator: \"RecA\" }",
             "c.pbtxt:1:14: subgraph recursion: RecA -> RecB -> RecC -> RecA");
  reg("type: \"Self\" node { calculator: \"Self\" }", "self.pbtxt");
  expand_err("node { calculator: \"Self\" }", "self.pbtxt:1:14: subgraph recursion: Self -> Self");
}

/* A face-detection-shaped pair: the Cpu wrapper fixes the model's numbers in
 * node_options and passes everything on with "OPTIONS:options"; the core
 * subgraph spreads its graph options onto its nodes with option_value. */
static const char *k_face_core =
    "# Core detection subgraph (MediaPipe style).\n"
    "type: \"FaceDetectionLike\"\n"
    "input_stream: \"IMAGE:image\"\n"
    "input_stream: \"ROI:roi\"\n"
    "output_stream: \"DETECTIONS:detections\"\n"
    "graph_options: {\n"
    "  [type.googleapis.com/mediapipe.FaceDetectionOptions] { min_score_thresh: 0.4 delegate { xnnpack {} } }\n"
    "}\n"
    "node: {\n"
    "  calculator: \"ImageToTensorCalculator\"\n"
    "  input_stream: \"IMAGE:image\"\n"
    "  input_stream: \"NORM_RECT:roi\"\n"
    "  output_stream: \"TENSORS:input_tensors\"\n"
    "  output_stream: \"MATRIX:transform_matrix\"\n"
    "  options: {\n"
    "    [mediapipe.ImageToTensorCalculatorOptions.ext] {\n"
    "      keep_aspect_ratio: true\n"
    "      output_tensor_float_range { min: -1.0 max: 1.0 }\n"
    "      border_mode: BORDER_ZERO\n"
    "    }\n"
    "  }\n"
    "  option_value: \"output_tensor_width:options/tensor_width\"\n"
    "  option_value: \"output_tensor_height:options/tensor_height\"\n"
    "  option_value: \"gpu_origin:options/gpu_origin\"\n"
    "}\n"
    "node {\n"
    "  calculator: \"InferenceCalculator\"\n"
    "  input_stream: \"TENSORS:input_tensors\"\n"
    "  output_stream: \"TENSORS:detection_tensors\"\n"
    "  options: { [mediapipe.InferenceCalculatorOptions.ext] {} }\n"
    "  option_value: \"delegate:options/delegate\"\n"
    "  option_value: \"model_path:options/model_path\"\n"
    "}\n"
    "node {\n"
    "  calculator: \"SsdAnchorsCalculator\"\n"
    "  output_side_packet: \"anchors\"\n"
    "  options: {\n"
    "    [mediapipe.SsdAnchorsCalculatorOptions.ext] {\n"
    "      num_layers: 1 min_scale: 0.1484375 max_scale: 0.75 strides: 99\n"
    "      fixed_anchor_size: true\n"
    "    }\n"
    "  }\n"
    "  option_value: \"input_size_width:tensor_width\"\n"
    "  option_value: \"input_size_height:tensor_height\"\n"
    "  option_value: \"num_layers:num_layers\"\n"
    "  option_value: \"strides:strides\"\n"
    "}\n"
    "node {\n"
    "  calculator: \"TensorsToDetectionsCalculator\"\n"
    "  input_stream: \"TENSORS:detection_tensors\"\n"
    "  input_side_packet: \"ANCHORS:anchors\"\n"
    "  output_stream: \"DETECTIONS:unfiltered\"\n"
    "  options: { [mediapipe.TensorsToDetectionsCalculatorOptions.ext] { num_classes: 1 num_boxes: 1 } }\n"
    "  option_value: \"num_boxes:num_boxes\"\n"
    "  option_value: \"min_score_thresh:min_score_thresh\"\n"
    "}\n"
    "node {\n"
    "  calculator: \"DetectionProjectionCalculator\"\n"
    "  input_stream: \"DETECTIONS:unfiltered\"\n"
    "  input_stream: \"PROJECTION_MATRIX:transform_matrix\"\n"
    "  output_stream: \"DETECTIONS:detections\"\n"
    "}\n";

static const char *k_face_cpu =
    "type: \"FaceDetectionShortRangeLikeCpu\"\n"
    "input_stream: \"IMAGE:image\"\n"
    "output_stream: \"DETECTIONS:detections\"\n"
    "graph_options: { [type.googleapis.com/mediapipe.FaceDetectionOptions] {} }\n"
    "node {\n"
    "  calculator: \"FaceDetectionLike\"\n"
    "  input_stream: \"IMAGE:image\"\n"
    "  output_stream: \"DETECTIONS:detections\"\n"
    "  node_options: {\n"
    "    [type.googleapis.com/mediapipe.FaceDetectionOptions] {\n"
    "      model_path: \"face_detection_short_range.tflite\"\n"
    "      tensor_width: 128 tensor_height: 128\n"
    "      num_layers: 4 strides: [8, 16, 16, 16]\n"
    "      num_boxes: 896\n"
    "      min_score_thresh: 0.5\n"
    "    }\n"
    "  }\n"
    "  option_value: \"OPTIONS:options\"\n"
    "}\n";

static void test_face_detection_options(void **state) {
  (void)state;
  reg(k_face_core, "face_detection_like.pbtxt");
  reg(k_face_cpu, "face_detection_short_range_like_cpu.pbtxt");
  odai_graph_config *c =
      expand_ok("input_stream: \"input_video\"\n"
                "output_stream: \"output_detections\"\n"
                "node {\n"
                "  calculator: \"FaceDetectionShortRangeLikeCpu\"\n"
                "  input_stream: \"IMAGE:input_video\"\n"
                "  output_stream: \"DETECTIONS:output_detections\"\n"
                "  node_options: { [type.googleapis.com/mediapipe.FaceDetectionOptions] { min_score_thresh: 0.7 } }\n"
                "}\n");
  assert_int_equal(c->n_nodes, 5);
  const char *p = "facedetectionshortrangelikecpu__facedetectionlike__";
  char name[200];

  snprintf(name, sizeof name, "%sImageToTensorCalculator", p);
  const odai_node_config *n = node_named(c, name);
  assert_string_equal(n->input_streams.v[0].name, "input_video");
  assert_int_equal(n->input_streams.n, 1); /* ROI not connected: removed */
  const odai_options *o = odai_node_options(n, "mediapipe.ImageToTensorCalculatorOptions");
  assert_int_equal(odai_options_get_int(o, "output_tensor_width", 0), 128);
  assert_int_equal(odai_options_get_int(o, "output_tensor_height", 0), 128);
  assert_true(odai_options_get_bool(o, "keep_aspect_ratio", false));
  assert_true(odai_options_get_float(o, "output_tensor_float_range.min", 0) == -1.f);
  assert_false(odai_options_has(o, "gpu_origin"));
  assert_int_equal(n->n_option_values, 0); /* consumed */

  snprintf(name, sizeof name, "%sInferenceCalculator", p);
  o = odai_node_options(node_named(c, name), "mediapipe.InferenceCalculatorOptions");
  assert_string_equal(odai_options_get_string(o, "model_path", ""), "face_detection_short_range.tflite");
  assert_true(odai_options_has(o, "delegate.xnnpack")); /* the core subgraph's default */

  snprintf(name, sizeof name, "%sSsdAnchorsCalculator", p);
  n = node_named(c, name);
  assert_string_equal(n->output_side_packets.v[0].name,
                      "facedetectionshortrangelikecpu__facedetectionlike__anchors");
  o = odai_node_options(n, "mediapipe.SsdAnchorsCalculatorOptions");
  assert_int_equal(odai_options_get_int(o, "num_layers", 0), 4);
  assert_int_equal(odai_options_count(o, "strides"), 4);
  assert_int_equal(odai_options_get_int_at(o, "strides", 0, 0), 8);
  assert_int_equal(odai_options_get_int_at(o, "strides", 3, 0), 16);
  assert_int_equal(odai_options_get_int(o, "input_size_width", 0), 128);
  assert_true(odai_options_get_float(o, "max_scale", 0) == 0.75f); /* untouched */

  snprintf(name, sizeof name, "%sTensorsToDetectionsCalculator", p);
  n = node_named(c, name);
  assert_string_equal(n->input_side_packets.v[0].name,
                      "facedetectionshortrangelikecpu__facedetectionlike__anchors");
  o = odai_node_options(n, "mediapipe.TensorsToDetectionsCalculatorOptions");
  assert_int_equal(odai_options_get_int(o, "num_boxes", 0), 896);
  assert_int_equal(odai_options_get_int(o, "num_classes", 0), 1);
  /* the top-level node's 0.7 overrides the Cpu wrapper's 0.5 and the core's 0.4 */
  assert_true(odai_options_get_float(o, "min_score_thresh", 0) == 0.7f);

  snprintf(name, sizeof name, "%sDetectionProjectionCalculator", p);
  n = node_named(c, name);
  assert_string_equal(n->output_streams.v[0].name, "output_detections");
  odai_config_free(c);

  /* without the top-level override, the wrapper's value applies */
  c = expand_ok("node { calculator: \"FaceDetectionShortRangeLikeCpu\" input_stream: \"IMAGE:v\" "
                "output_stream: \"DETECTIONS:d\" }\n");
  snprintf(name, sizeof name, "%sTensorsToDetectionsCalculator", p);
  o = odai_node_options(node_named(c, name), "mediapipe.TensorsToDetectionsCalculatorOptions");
  assert_true(odai_options_get_float(o, "min_score_thresh", 0) == 0.5f);
  odai_config_free(c);

  /* the core used directly keeps node values the parent does not set, and
   * takes its graph_options defaults */
  c = expand_ok("node { calculator: \"FaceDetectionLike\" input_stream: \"IMAGE:v\" output_stream: \"DETECTIONS:d\" "
                "options { [mediapipe.FaceDetectionOptions.ext] { num_layers: 2 } } }\n");
  o = odai_node_options(node_named(c, "facedetectionlike__SsdAnchorsCalculator"), "mediapipe.SsdAnchorsCalculatorOptions");
  assert_int_equal(odai_options_get_int(o, "num_layers", 0), 2);
  assert_int_equal(odai_options_count(o, "strides"), 1);
  assert_int_equal(odai_options_get_int(o, "strides", 0), 99);
  o = odai_node_options(node_named(c, "facedetectionlike__TensorsToDetectionsCalculator"),
                        "mediapipe.TensorsToDetectionsCalculatorOptions");
  assert_true(odai_options_get_float(o, "min_score_thresh", 0) == 0.4f);
  odai_config_free(c);
}

static void test_option_value_syntax(void **state) {
  (void)state;
  /* top-level graph: option_value reads the graph's own graph_options */
  odai_graph_config *c = expand_ok(
      "graph_options { [type.googleapis.com/my.GraphOpts] { thresh: 0.25 sizes: [1, 2, 3] sub { k: \"v\" } } }\n"
      "graph_options { [type.googleapis.com/my.Other] { thresh: 0.9 } }\n"
      "node {\n"
      "  calculator: \"A\"\n"
      "  options { [my.AOpts.ext] { t: 1.0 list: [7, 8] } }\n"
      "  option_value: \"t:options/thresh\"\n"
      "  option_value: \"list/1:sizes/2\"\n"
      "  option_value: \"nested/deep/k:sub/k\"\n"
      "  option_value: \"Ext::my.AOpts/other_t:Ext::my.Other/thresh\"\n"
      "}\n"
      "node { calculator: \"B\" option_value: \"x:sizes\" }\n"
      "node { calculator: \"C\" option_value: \"OPTIONS:options\" }\n");
  const odai_options *o = odai_node_options(&c->nodes[0], "my.AOpts");
  assert_true(odai_options_get_float(o, "t", 0) == 0.25f);
  assert_int_equal(odai_options_count(o, "list"), 2);
  assert_int_equal(odai_options_get_int_at(o, "list", 0, 0), 7);
  assert_int_equal(odai_options_get_int_at(o, "list", 1, 0), 3);
  assert_string_equal(odai_options_get_string(o, "nested.deep.k", ""), "v");
  assert_true(odai_options_get_float(o, "other_t", 0) == 0.9f);
  /* a node without options gets a plain options block */
  o = odai_node_options(&c->nodes[1], "whatever.Type");
  assert_int_equal(odai_options_count(o, "x"), 3);
  /* whole-message copy creates node_options of the graph's type */
  o = odai_node_options(&c->nodes[2], "my.GraphOpts");
  assert_non_null(o);
  assert_int_equal(odai_options_count(o, "sizes"), 3);
  odai_config_free(c);

  odai_graph_config *bad = parse_ok("graph_options { [type.googleapis.com/my.G] { s: 1 } }\n"
                                    "node { calculator: \"A\" option_value: \"a//b:s/x/y\" option_value: \"9:s\" }",
                                    "ov.pbtxt");
  odai_error err = {0};
  assert_int_equal(odai_config_expand_subgraphs(bad, &err), ODAI_E_PARSE);
  assert_non_null(strstr(err.message, "ov.pbtxt:2:1: found option_value \"9:s\""));
  odai_config_free(bad);
}

/* Subgraph defaults may also be written as graph-level `options { [X.ext] }`;
 * the enclosing node may use a plain options block. */
static void test_graph_level_options(void **state) {
  (void)state;
  reg("type: \"Thresh\"\n"
      "input_stream: \"in\"\n"
      "options { [my.ThreshOptions.ext] { thresh: 0.3 label: \"face\" } }\n"
      "node { calculator: \"Filter\" input_stream: \"in\"\n"
      "       options { [my.FilterOptions.ext] { min: 0.0 } }\n"
      "       option_value: \"min:thresh\" option_value: \"name:label\" }\n",
      "thresh.pbtxt");
  odai_graph_config *c = expand_ok("node { calculator: \"Thresh\" input_stream: \"x\" }\n"
                                   "node { name: \"t2\" calculator: \"Thresh\" input_stream: \"x\" options { thresh: 0.8 } }\n");
  assert_int_equal(c->n_nodes, 2);
  const odai_options *o = odai_node_options(&c->nodes[0], "my.FilterOptions");
  assert_true(odai_options_get_float(o, "min", -1) == 0.3f);
  assert_string_equal(odai_options_get_string(o, "name", ""), "face");
  o = odai_node_options(node_named(c, "t2__Filter"), "my.FilterOptions");
  assert_true(odai_options_get_float(o, "min", -1) == 0.8f);
  assert_string_equal(odai_options_get_string(o, "name", ""), "face");
  odai_config_free(c);

  /* a config without subgraph nodes is left as it is */
  c = expand_ok("node { calculator: \"A\" input_stream: \"x\" output_stream: \"y\" }");
  assert_int_equal(c->n_nodes, 1);
  assert_string_equal(c->nodes[0].output_streams.v[0].name, "y");
  assert_string_equal(c->nodes[0].name, "");
  odai_config_free(c);
  odai_error err = {0};
  assert_int_equal(odai_config_expand_subgraphs(NULL, &err), ODAI_E_INVALID);
}

static void *hammer(void *arg) {
  int id = (int)(intptr_t)arg;
  char text[200], type[32];
  for (int i = 0; i < 200; i++) {
    snprintf(type, sizeof type, "T%d", id);
    snprintf(text, sizeof text, "type: \"%s\" input_stream: \"in\" node { calculator: \"Leaf%d\" input_stream: \"in\" }",
             type, i);
    if (odai_subgraph_register_text(text, "h.pbtxt", NULL) != ODAI_OK) return (void *)1;
    snprintf(text, sizeof text, "node { calculator: \"T%d\" input_stream: \"x\" } node { calculator: \"T%d\" }", id,
             (id + 1) % 4);
    odai_graph_config *c = NULL;
    if (odai_config_parse(text, strlen(text), "m", &c, NULL) != ODAI_OK) return (void *)1;
    odai_status st = odai_config_expand_subgraphs(c, NULL);
    size_t n = c->n_nodes;
    odai_config_free(c);
    if (st != ODAI_OK || n < 1 || n > 2) return (void *)1;
  }
  return NULL;
}

static void test_concurrent_registry(void **state) {
  (void)state;
  pthread_t th[4];
  for (int i = 0; i < 4; i++) pthread_create(&th[i], NULL, hammer, (void *)(intptr_t)i);
  int bad = 0;
  for (int i = 0; i < 4; i++) {
    void *r;
    pthread_join(th[i], &r);
    bad += r != NULL;
  }
  assert_int_equal(bad, 0);
  assert_int_equal(odai_subgraph_count(), 4);
}

/* The fuzz seeds are real-shaped configs too: each part must parse, and the
 * graphs expand, except the two seeds that exercise errors. */
static void test_fuzz_seeds(void **state) {
  (void)state;
  const char *src = getenv("ODAI_SOURCE_DIR");
  if (!src) fail_msg("ODAI_SOURCE_DIR is not set (run through ctest)");
  char dir[512];
  snprintf(dir, sizeof dir, "%s/tests/graph/fuzz/fuzz_config/seeds", src);
  const char *names[] = {"01_passthrough", "02_flow_limiter", "03_syntax_zoo", "04_executors", "05_handlers",
                         "06_node_options", "07_subgraph", "08_face_detection", "09_recursion", "10_side_packets",
                         "11_gate", "12_loopback", "13_errors", "14_nested_subgraphs", "15_option_value_syntax"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    char path[700];
    snprintf(path, sizeof path, "%s/%s.pbtxt", dir, names[i]);
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("missing seed %s", path);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = buf, *sep;
    odai_error err = {0};
    while ((sep = strstr(p, "\n----\n"))) {
      *sep = '\0';
      if (odai_subgraph_register_text(p, names[i], &err) != ODAI_OK) fail_msg("%s: %s", names[i], err.message);
      p = sep + 6;
    }
    odai_graph_config *c = NULL;
    odai_status st = odai_config_parse(p, strlen(p), names[i], &c, &err);
    if (i == 12) {
      assert_int_equal(st, ODAI_E_PARSE);
      if (!strstr(err.message, "13_errors:4:16")) fail_msg("%s", err.message);
      assert_non_null(strstr(err.message, "13_errors:4:16: found an unterminated string"));
      continue;
    }
    if (st) fail_msg("%s: %s", names[i], err.message);
    st = odai_config_expand_subgraphs(c, &err);
    if (i == 8) {
      assert_int_equal(st, ODAI_E_INVALID);
      assert_non_null(strstr(err.message, "subgraph recursion: A -> B -> A"));
    } else if (st) {
      fail_msg("%s: %s", names[i], err.message);
    }
    odai_config_free(c);
    odai_subgraph_clear();
  }
}

/* A subgraph without nodes expands to nothing, at top level and nested
 * (found by fuzz_config: the expansion copied zero nodes from NULL). */
static void test_empty_subgraph(void **state) {
  (void)state;
  reg("type: \"Empty\" input_stream: \"IN:in\"", "empty.pbtxt");
  reg("type: \"Outer\" input_stream: \"in\" node { calculator: \"Empty\" input_stream: \"IN:in\" }", "outer.pbtxt");
  odai_graph_config *c = expand_ok("input_stream: \"x\" node { calculator: \"Empty\" input_stream: \"IN:x\" }");
  assert_int_equal(c->n_nodes, 0);
  odai_config_free(c);
  c = expand_ok("input_stream: \"x\" node { calculator: \"Outer\" input_stream: \"x\" }");
  assert_int_equal(c->n_nodes, 0);
  odai_config_free(c);
  c = expand_ok("input_stream: \"x\" node { calculator: \"Outer\" input_stream: \"x\" }"
                " node { calculator: \"PassThroughCalculator\" input_stream: \"x\" output_stream: \"y\" }");
  assert_int_equal(c->n_nodes, 1);
  assert_string_equal(c->nodes[0].calculator, "PassThroughCalculator");
  odai_config_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_registry, teardown),
      cmocka_unit_test_teardown(test_register_dir, teardown),
      cmocka_unit_test_teardown(test_basic_expansion, teardown),
      cmocka_unit_test_teardown(test_tags_indices_side_packets, teardown),
      cmocka_unit_test_teardown(test_mapping_errors, teardown),
      cmocka_unit_test_teardown(test_nesting_and_recursion, teardown),
      cmocka_unit_test_teardown(test_recursion_message, teardown),
      cmocka_unit_test_teardown(test_face_detection_options, teardown),
      cmocka_unit_test_teardown(test_option_value_syntax, teardown),
      cmocka_unit_test_teardown(test_graph_level_options, teardown),
      cmocka_unit_test_teardown(test_concurrent_registry, teardown),
      cmocka_unit_test_teardown(test_fuzz_seeds, teardown),
      cmocka_unit_test_teardown(test_empty_subgraph, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
