/* SwitchContainer (calculators/compat/switch_container.c) without models:
 * the choice known at expansion (select / enable) becomes the one
 * contained node with the container's ports and the contained options;
 * a SELECT side packet makes the demux -> channels -> mux chain, in which
 * only the selected channel sees packets and the mux forwards its streams
 * and side packets; configuration errors name the node. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/config.h"
#include "graph/options.h"
#include "graph/subgraph.h"
#include "odai/graph.h"
#include "odai/options.h"
#include "odai/packet.h"

static const char *k_static_fmt =
    "input_stream: \"in\"\n"
    "output_stream: \"out\"\n"
    "node {\n"
    "  calculator: \"SwitchContainer\"\n"
    "  input_stream: \"in\"\n"
    "  output_stream: \"out\"\n"
    "  options { [mediapipe.SwitchContainerOptions.ext] { %s\n"
    "    contained_node { calculator: \"PassThroughCalculator\" }\n"
    "    contained_node { calculator: \"PacketThinnerCalculator\"\n"
    "      options { [mediapipe.PacketThinnerCalculatorOptions.ext] { period: 2 } } }\n"
    "  } }\n"
    "}\n";

static odai_graph_config *expand(const char *sel, odai_status want, const char *msg_part) {
  char text[2048];
  snprintf(text, sizeof text, k_static_fmt, sel);
  odai_graph_config *cfg = NULL;
  odai_error err = {0};
  assert_int_equal(odai_config_parse(text, strlen(text), "sc.pbtxt", &cfg, &err), ODAI_OK);
  odai_status st = odai_config_expand_subgraphs(cfg, &err);
  assert_int_equal(st, want);
  if (st) {
    printf("%s -> %s\n", sel, err.message);
    assert_non_null(strstr(err.message, msg_part));
    assert_non_null(strstr(err.message, "sc.pbtxt:3:1"));
    odai_config_free(cfg);
    return NULL;
  }
  return cfg;
}

static void test_static_select(void **state) {
  (void)state;
  odai_graph_config *cfg = expand("select: 1", ODAI_OK, NULL);
  assert_int_equal(cfg->n_nodes, 1);
  odai_node_config *n = &cfg->nodes[0];
  assert_string_equal(n->calculator, "PacketThinnerCalculator");
  assert_int_equal(n->input_streams.n, 1);
  assert_string_equal(n->input_streams.v[0].name, "in");
  assert_string_equal(n->output_streams.v[0].name, "out");
  const odai_options *o = odai_node_options(n, "mediapipe.PacketThinnerCalculatorOptions");
  assert_int_equal(odai_options_get_int(o, "period", 0), 2);
  odai_config_free(cfg);

  cfg = expand("select: 0", ODAI_OK, NULL);
  assert_string_equal(cfg->nodes[0].calculator, "PassThroughCalculator");
  odai_config_free(cfg);
  cfg = expand("enable: true", ODAI_OK, NULL);
  assert_string_equal(cfg->nodes[0].calculator, "PacketThinnerCalculator");
  odai_config_free(cfg);
  cfg = expand("", ODAI_OK, NULL); /* neither: channel 0 */
  assert_string_equal(cfg->nodes[0].calculator, "PassThroughCalculator");
  odai_config_free(cfg);
}

static void test_static_errors(void **state) {
  (void)state;
  expand("select: 2", ODAI_E_INVALID, "out of range");
  expand("select: -1", ODAI_E_INVALID, "out of range");
  const char *text =
      "node { calculator: \"SwitchContainer\" input_stream: \"a\" output_stream: \"b\"\n"
      "  options { [mediapipe.SwitchContainerOptions.ext] { select: 0 } } }\n";
  odai_graph_config *cfg = NULL;
  odai_error err = {0};
  assert_int_equal(odai_config_parse(text, strlen(text), "e.pbtxt", &cfg, &err), ODAI_OK);
  assert_int_equal(odai_config_expand_subgraphs(cfg, &err), ODAI_E_INVALID);
  assert_non_null(strstr(err.message, "no contained_node"));
  odai_config_free(cfg);
  const char *text2 =
      "node { calculator: \"SwitchContainer\" input_stream: \"a\" output_stream: \"b\"\n"
      "  options { [mediapipe.SwitchContainerOptions.ext] { contained_node { name: \"x\" } } } }\n";
  assert_int_equal(odai_config_parse(text2, strlen(text2), "e.pbtxt", &cfg, &err), ODAI_OK);
  assert_int_equal(odai_config_expand_subgraphs(cfg, &err), ODAI_E_INVALID);
  assert_non_null(strstr(err.message, "has no calculator"));
  odai_config_free(cfg);
}

/* Run-time choice: streams through PassThrough (channel 0) or
 * PacketThinner period 2 (channel 1), and a constant side packet per
 * channel turned into a stream. */
static const char *k_runtime =
    "input_stream: \"in\"\n"
    "output_stream: \"out\"\n"
    "output_stream: \"value\"\n"
    "input_side_packet: \"sel\"\n"
    "node {\n"
    "  calculator: \"SwitchContainer\"\n"
    "  input_side_packet: \"SELECT:sel\"\n"
    "  input_stream: \"in\"\n"
    "  output_stream: \"out\"\n"
    "  options { [mediapipe.SwitchContainerOptions.ext] {\n"
    "    contained_node { calculator: \"PassThroughCalculator\" }\n"
    "    contained_node { calculator: \"PacketThinnerCalculator\"\n"
    "      options { [mediapipe.PacketThinnerCalculatorOptions.ext] { period: 20 thinner_type: SYNC } } }\n"
    "  } }\n"
    "}\n"
    "node {\n"
    "  calculator: \"SwitchContainer\"\n"
    "  input_side_packet: \"SELECT:sel\"\n"
    "  output_side_packet: \"PACKET:v\"\n"
    "  options { [mediapipe.SwitchContainerOptions.ext] {\n"
    "    contained_node { calculator: \"ConstantSidePacketCalculator\"\n"
    "      options { [mediapipe.ConstantSidePacketCalculatorOptions.ext] { packet { int_value: 10 } } } }\n"
    "    contained_node { calculator: \"ConstantSidePacketCalculator\"\n"
    "      options { [mediapipe.ConstantSidePacketCalculatorOptions.ext] { packet { int_value: 20 } } } }\n"
    "  } }\n"
    "}\n"
    "node {\n"
    "  calculator: \"SidePacketToStreamCalculator\"\n"
    "  input_side_packet: \"v\"\n"
    "  output_stream: \"AT_ZERO:value\"\n"
    "}\n";

typedef struct seen {
  int n;
  int64_t ts[16];
  int64_t value;
} seen;

static odai_status on_out(void *user, const odai_packet *p) {
  seen *s = user;
  if (s->n < 16) s->ts[s->n] = odai_packet_timestamp(p);
  s->n++;
  return ODAI_OK;
}

static odai_status on_value(void *user, const odai_packet *p) {
  seen *s = user;
  return odai_packet_get_int(p, &s->value);
}

static void run_runtime(int sel, int want_out, int64_t want_value) {
  odai_graph *g = NULL;
  odai_error err = {0};
  if (odai_graph_create(k_runtime, strlen(k_runtime), "rt.pbtxt", &g, &err)) fail_msg("%s", err.message);
  assert_int_equal(odai_graph_set_side_packet(g, "sel", odai_packet_new_int(sel, ODAI_TS_UNSET)), ODAI_OK);
  seen out = {0}, val = {0};
  assert_int_equal(odai_graph_observe_output(g, "out", on_out, &out), ODAI_OK);
  assert_int_equal(odai_graph_observe_output(g, "value", on_value, &val), ODAI_OK);
  if (odai_graph_start(g, &err)) fail_msg("%s", err.message);
  for (int i = 0; i < 8; i++)
    assert_int_equal(odai_graph_add_packet(g, "in", odai_packet_new_int(i, (odai_timestamp)i * 10)), ODAI_OK);
  assert_int_equal(odai_graph_close_all_inputs(g), ODAI_OK);
  if (odai_graph_wait_until_done(g, &err)) fail_msg("%s", err.message);
  printf("select %d: %d packets out, side value %lld\n", sel, out.n, (long long)val.value);
  assert_int_equal(out.n, want_out);
  for (int i = 1; i < out.n && i < 16; i++) assert_true(out.ts[i] > out.ts[i - 1]);
  assert_int_equal(val.value, want_value);
  /* only the selected channel's contained node processed packets */
  size_t nn = odai_graph_num_nodes(g);
  int found = 0;
  for (size_t i = 0; i < nn; i++) {
    odai_node_stats s;
    assert_int_equal(odai_graph_node_stats(g, i, &s), ODAI_OK);
    if (strcmp(s.calculator, "PassThroughCalculator") == 0 || strcmp(s.calculator, "PacketThinnerCalculator") == 0) {
      bool selected = (sel == 0) == (strcmp(s.calculator, "PassThroughCalculator") == 0);
      assert_int_equal(s.packets_in, selected ? 8 : 0);
      found++;
    }
  }
  assert_int_equal(found, 2);
  odai_graph_destroy(g);
}

static void test_runtime_select(void **state) {
  (void)state;
  run_runtime(0, 8, 10);
  /* SYNC period 20 over 0..70 step 10 (MediaPipe's rule): intervals centred on
   * 0, 20, 40, 60, 80 -> 5 packets, the last one emitted at close */
  run_runtime(1, 5, 20);
}

static void test_runtime_expansion_shape(void **state) {
  (void)state;
  odai_graph_config *cfg = NULL;
  odai_error err = {0};
  assert_int_equal(odai_config_parse(k_runtime, strlen(k_runtime), "rt.pbtxt", &cfg, &err), ODAI_OK);
  assert_int_equal(odai_config_expand_subgraphs(cfg, &err), ODAI_OK);
  /* demux + 2 + mux, then 2 + mux (no input streams: no demux), then the converter */
  assert_int_equal(cfg->n_nodes, 8);
  assert_string_equal(cfg->nodes[0].calculator, "SwitchDemuxCalculator");
  assert_string_equal(cfg->nodes[3].calculator, "SwitchMuxCalculator");
  assert_string_equal(cfg->nodes[6].calculator, "SwitchMuxCalculator");
  assert_string_equal(cfg->nodes[1].output_streams.v[0].name, "switchcontainer_1__c0__out");
  odai_config_free(cfg);
}

/* Contained nodes may be subgraphs: they are expanded after the switch
 * (statically: one module; at run time: every channel's module, each with
 * its own name prefix), and the result validates as a graph. */
static void test_contained_subgraphs(void **state) {
  (void)state;
  const char *fmt =
      "input_stream: \"image\"\n"
      "output_stream: \"dets\"\n"
      "%s"
      "node {\n"
      "  calculator: \"SwitchContainer\"\n"
      "  %s\n"
      "  input_stream: \"IMAGE:image\"\n"
      "  output_stream: \"DETECTIONS:dets\"\n"
      "  options { [mediapipe.SwitchContainerOptions.ext] { select: 1\n"
      "    contained_node { calculator: \"FaceDetectionShortRangeCpu\" }\n"
      "    contained_node { calculator: \"PoseDetectionCpu\" }\n"
      "  } }\n"
      "}\n";
  char text[2048];
  odai_error err = {0};
  for (int runtime = 0; runtime < 2; runtime++) {
    snprintf(text, sizeof text, fmt, runtime ? "input_side_packet: \"sel\"\n" : "",
             runtime ? "input_side_packet: \"SELECT:sel\"" : "");
    odai_graph_config *cfg = NULL;
    assert_int_equal(odai_config_parse(text, strlen(text), "sub.pbtxt", &cfg, &err), ODAI_OK);
    assert_int_equal(odai_config_expand_subgraphs(cfg, &err), ODAI_OK);
    size_t pose = 0, face = 0;
    for (size_t i = 0; i < cfg->n_nodes; i++) {
      const char *nm = cfg->nodes[i].name;
      assert_null(strstr(cfg->nodes[i].calculator, "Cpu")); /* all modules expanded */
      /* static: the module is named by its type; run time: one prefix per channel */
      if (strstr(nm, runtime ? "switchcontainer__c1__" : "posedetectioncpu__")) pose++;
      if (strstr(nm, "switchcontainer__c0__")) face++;
    }
    printf("%s: %zu nodes (%zu from PoseDetectionCpu, %zu from FaceDetectionShortRangeCpu)\n", runtime ? "run-time" : "static",
           cfg->n_nodes, pose, face);
    assert_true(pose > 3);
    if (runtime)
      assert_true(face > 3);
    else
      assert_int_equal(face, 0);
    odai_config_free(cfg);
    odai_graph *g = NULL;
    if (odai_graph_create(text, strlen(text), "sub.pbtxt", &g, &err)) fail_msg("%s", err.message);
    odai_graph_destroy(g);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_static_select),
      cmocka_unit_test(test_static_errors),
      cmocka_unit_test(test_runtime_expansion_shape),
      cmocka_unit_test(test_runtime_select),
      cmocka_unit_test(test_contained_subgraphs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
