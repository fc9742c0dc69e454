/* tests/graph/test_config.c: the graph config parser (graph/config_parse.c,
 * graph/config_text.c): every text-format syntax element, the mapping onto
 * odai_graph_config, error messages with exact line:col, clone/free, and
 * robustness on truncated and mutated inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "graph/config.h"
#include "graph/config_text.h"

static odai_graph_config *parse_ok(const char *text) {
  odai_graph_config *c = NULL;
  odai_error err = {0};
  odai_status st = odai_config_parse(text, strlen(text), "t.pbtxt", &c, &err);
  if (st != ODAI_OK) fail_msg("unexpected parse error: %s", err.message);
  assert_non_null(c);
  return c;
}

static odai_pb_msg *pb_ok(const char *text) {
  odai_pb_msg *m = NULL;
  odai_error err = {0};
  odai_status st = odai_pb_parse(text, strlen(text), "t.pbtxt", &m, &err);
  if (st != ODAI_OK) fail_msg("unexpected parse error: %s", err.message);
  return m;
}

static const odai_pb_field *fld(const odai_pb_msg *m, const char *name, size_t i) {
  const odai_pb_field *f = odai_pb_msg_find(m, name, i);
  if (!f) fail_msg("field %s[%zu] missing", name, i);
  return f;
}

static void test_strings_and_escapes(void **state) {
  (void)state;
  odai_pb_msg *m = pb_ok("# leading comment\n"
                         "a: \"x\\ny\\t\\\\\\'\\\"\"  # trailing comment\n"
                         "b: 'single \"q\"'\n"
                         "c: \"con\" 'cat' \"enated\"\n"
                         "d: \"\\x41\\101\\u00e9\\U0001F600\\0z\"\n"
                         "e: \"\\?\\a\\b\\f\\v\\r\"\n");
  assert_string_equal(fld(m, "a", 0)->s, "x\ny\t\\'\"");
  assert_int_equal(fld(m, "a", 0)->kind, ODAI_PB_STRING);
  assert_string_equal(fld(m, "b", 0)->s, "single \"q\"");
  assert_string_equal(fld(m, "c", 0)->s, "concatenated");
  const odai_pb_field *d = fld(m, "d", 0);
  assert_int_equal(d->s_len, 2 + 2 + 4 + 2);
  assert_memory_equal(d->s, "AA\xc3\xa9\xf0\x9f\x98\x80\0z", 10);
  assert_string_equal(fld(m, "e", 0)->s, "?\a\b\f\v\r");
  odai_pb_msg_free(m);
}

static void test_numbers(void **state) {
  (void)state;
  odai_pb_msg *m = pb_ok("i: 42 h: 0x1F o: 017 n: -7 z: 0 big: 18446744073709551615 min: -9223372036854775808\n"
                         "f1: 1. f2: .5 f3: 1e-3 f4: 1.5f f5: -2.5E2 f6: inf f7: -inf f8: nan f9: 3F\n"
                         "f10: -Infinity f11: 2.0\n");
  assert_int_equal(fld(m, "i", 0)->kind, ODAI_PB_INT);
  assert_int_equal(fld(m, "i", 0)->i, 42);
  assert_int_equal(fld(m, "h", 0)->i, 31);
  assert_int_equal(fld(m, "o", 0)->i, 15);
  assert_int_equal(fld(m, "n", 0)->i, -7);
  assert_true(fld(m, "n", 0)->f == -7.0);
  assert_int_equal(fld(m, "z", 0)->i, 0);
  assert_true(fld(m, "big", 0)->f > 1.8e19);
  assert_true(fld(m, "min", 0)->i == INT64_MIN);
  assert_int_equal(fld(m, "f1", 0)->kind, ODAI_PB_FLOAT);
  assert_true(fld(m, "f1", 0)->f == 1.0);
  assert_true(fld(m, "f2", 0)->f == 0.5);
  assert_true(fabs(fld(m, "f3", 0)->f - 1e-3) < 1e-12);
  assert_true(fld(m, "f4", 0)->f == 1.5);
  assert_true(fld(m, "f5", 0)->f == -250.0);
  assert_true(isinf(fld(m, "f6", 0)->f) && fld(m, "f6", 0)->f > 0);
  assert_true(isinf(fld(m, "f7", 0)->f) && fld(m, "f7", 0)->f < 0);
  assert_true(isnan(fld(m, "f8", 0)->f));
  assert_int_equal(fld(m, "f9", 0)->kind, ODAI_PB_FLOAT);
  assert_true(fld(m, "f9", 0)->f == 3.0);
  assert_true(isinf(fld(m, "f10", 0)->f) && fld(m, "f10", 0)->f < 0);
  assert_int_equal(fld(m, "f11", 0)->i, 2); /* integral float keeps i */
  odai_pb_msg_free(m);
}

static void test_idents_messages_lists(void **state) {
  (void)state;
  odai_pb_msg *m = pb_ok("mode: BORDER_ZERO flag: true flag2: False t: t\n"
                         "a { x: 1 } b: { y: 2 } c < z: 3 > d: < w: 4 >\n"
                         "list: [1, 2, 3] empty: [] ml: [{ k: 1 }, < k: 2 >] sl: ['a', \"b\"]\n"
                         "sep1: 1, sep2: 2; sep3: 3\n"
                         "rep: 1 rep: 2\n"
                         "[mediapipe.FooOptions.ext] { v: 1 }\n"
                         "[type.googleapis.com/mediapipe.Bar] < v: 2 >\n"
                         "outer { inner { deep: \"x\" } }\n");
  assert_int_equal(fld(m, "mode", 0)->kind, ODAI_PB_IDENT);
  assert_string_equal(fld(m, "mode", 0)->s, "BORDER_ZERO");
  assert_string_equal(fld(m, "flag2", 0)->s, "False");
  assert_int_equal(fld(fld(m, "a", 0)->msg, "x", 0)->i, 1);
  assert_int_equal(fld(fld(m, "b", 0)->msg, "y", 0)->i, 2);
  assert_int_equal(fld(fld(m, "c", 0)->msg, "z", 0)->i, 3);
  assert_int_equal(fld(fld(m, "d", 0)->msg, "w", 0)->i, 4);
  assert_int_equal(odai_pb_msg_count(m, "list"), 3);
  assert_int_equal(fld(m, "list", 2)->i, 3);
  assert_int_equal(odai_pb_msg_count(m, "empty"), 0);
  assert_int_equal(odai_pb_msg_count(m, "ml"), 2);
  assert_int_equal(fld(fld(m, "ml", 1)->msg, "k", 0)->i, 2);
  assert_string_equal(fld(m, "sl", 1)->s, "b");
  assert_int_equal(fld(m, "sep3", 0)->i, 3);
  assert_int_equal(odai_pb_msg_count(m, "rep"), 2);
  const odai_pb_field *e = fld(m, "mediapipe.FooOptions.ext", 0);
  assert_true(e->is_extension);
  assert_int_equal(fld(e->msg, "v", 0)->i, 1);
  e = fld(m, "type.googleapis.com/mediapipe.Bar", 0);
  assert_true(e->is_extension);
  assert_int_equal(fld(e->msg, "v", 0)->i, 2);
  const odai_pb_field *deep = fld(fld(fld(m, "outer", 0)->msg, "inner", 0)->msg, "deep", 0);
  assert_string_equal(deep->s, "x");
  assert_int_equal(deep->pos.line, 8);
  assert_int_equal(deep->pos.col, 17);
  assert_int_equal(deep->value_pos.col, 23);
  assert_string_equal(deep->pos.file, "t.pbtxt");
  odai_pb_msg_free(m);
}

static const char *k_graph =
    "# A face-detection-like graph in MediaPipe's style.\n"
    "package: \"mediapipe\"\n"
    "type: \"MyGraph\"\n"
    "input_stream: \"IMAGE:input_video\"\n"
    "input_stream: \"roi\"\n"
    "output_stream: \"DETECTIONS:output_detections\"\n"
    "input_side_packet: \"MODEL:model_path\"\n"
    "output_side_packet: \"anchors_out\"\n"
    "max_queue_size: 4\n"
    "num_threads: 2\n"
    "input_stream_handler { input_stream_handler: \"ImmediateInputStreamHandler\" }\n"
    "profiler_config { trace_enabled: true trace_log_interval_count: 200 }\n"
    "executor {\n"
    "  name: \"inference\"\n"
    "  type: \"ThreadPoolExecutor\"\n"
    "  options {\n"
    "    [mediapipe.ThreadPoolExecutorOptions.ext] { num_threads: 3 thread_name_prefix: \"inf\" }\n"
    "  }\n"
    "}\n"
    "graph_options: { [type.googleapis.com/mediapipe.FaceDetectionOptions] { min_score_thresh: 0.5 } }\n"
    "node {\n"
    "  name: \"limiter\"\n"
    "  calculator: \"FlowLimiterCalculator\"\n"
    "  input_stream: \"input_video\"\n"
    "  input_stream: \"FINISHED:output_detections\"\n"
    "  input_stream_info: { tag_index: \"FINISHED\" back_edge: true }\n"
    "  output_stream: \"throttled\"\n"
    "  buffer_size_hint: 3\n"
    "}\n"
    "node: {\n"
    "  calculator: \"TensorsToDetectionsCalculator\"\n"
    "  input_stream: \"TENSORS:2:tensors\"\n"
    "  input_side_packet: \"ANCHORS:anchors\"\n"
    "  output_stream: \"DETECTIONS:output_detections\"\n"
    "  executor: \"inference\"\n"
    "  max_in_flight: 2\n"
    "  source_layer: 1\n"
    "  options: {\n"
    "    [mediapipe.TensorsToDetectionsCalculatorOptions.ext] {\n"
    "      num_classes: 1\n"
    "      min_score_thresh: 0.6\n"
    "    }\n"
    "  }\n"
    "  option_value: \"min_score_thresh:options/min_score_thresh\"\n"
    "  input_stream_handler {\n"
    "    input_stream_handler: \"SyncSetInputStreamHandler\"\n"
    "    options { [mediapipe.SyncSetInputStreamHandlerOptions.ext] { sync_set { tag_index: \"TENSORS\" } } }\n"
    "  }\n"
    "  output_stream_handler { output_stream_handler: \"InOrderOutputStreamHandler\" }\n"
    "}\n"
    "node {\n"
    "  calculator: \"SsdAnchorsCalculator\"\n"
    "  output_side_packet: \"anchors\"\n"
    "  node_options: {\n"
    "    [type.googleapis.com/mediapipe.SsdAnchorsCalculatorOptions] { num_layers: 4 strides: [8, 16, 16, 16] }\n"
    "  }\n"
    "}\n";

static void check_graph(const odai_graph_config *c) {
  assert_string_equal(c->type, "MyGraph");
  assert_int_equal(c->n_input_streams, 2);
  assert_string_equal(c->input_streams[0], "IMAGE:input_video");
  assert_string_equal(c->output_streams[0], "DETECTIONS:output_detections");
  assert_string_equal(c->input_side_packets[0], "MODEL:model_path");
  assert_string_equal(c->output_side_packets[0], "anchors_out");
  assert_int_equal(c->max_queue_size, 4);
  assert_int_equal(c->num_threads, 2);
  assert_string_equal(c->input_stream_handler, "ImmediateInputStreamHandler");
  assert_int_equal(c->n_executors, 1);
  assert_string_equal(c->executors[0].name, "inference");
  assert_string_equal(c->executors[0].type, "ThreadPoolExecutor");
  assert_int_equal(c->executors[0].num_threads, 3);
  assert_non_null(c->executors[0].options);
  assert_non_null(c->graph_options);
  assert_int_equal(c->graph_options->n_fields, 1);
  assert_string_equal(c->graph_options->fields[0].name, "type.googleapis.com/mediapipe.FaceDetectionOptions");
  assert_int_equal(c->n_nodes, 3);

  const odai_node_config *n0 = &c->nodes[0];
  assert_string_equal(n0->name, "limiter");
  assert_string_equal(n0->calculator, "FlowLimiterCalculator");
  assert_int_equal(n0->input_streams.n, 2);
  assert_string_equal(n0->input_streams.v[0].tag, "");
  assert_string_equal(n0->input_streams.v[0].name, "input_video");
  assert_string_equal(n0->input_streams.v[1].tag, "FINISHED");
  assert_int_equal(n0->input_streams.v[1].index, 0);
  assert_int_equal(n0->input_streams.v[1].pos.line, 25);
  assert_int_equal(n0->input_streams.v[1].pos.col, 17);
  assert_int_equal(n0->n_input_stream_info, 1);
  assert_string_equal(n0->input_stream_info[0].tag_index, "FINISHED");
  assert_true(n0->input_stream_info[0].back_edge);
  assert_string_equal(n0->executor, "");
  assert_string_equal(n0->input_stream_handler, "");
  assert_null(n0->options);
  assert_int_equal(n0->pos.line, 21);
  assert_int_equal(n0->pos.col, 1);

  const odai_node_config *n1 = &c->nodes[1];
  assert_string_equal(n1->name, "");
  assert_string_equal(n1->input_streams.v[0].tag, "TENSORS");
  assert_int_equal(n1->input_streams.v[0].index, 2);
  assert_string_equal(n1->input_streams.v[0].name, "tensors");
  assert_string_equal(n1->input_side_packets.v[0].tag, "ANCHORS");
  assert_string_equal(n1->executor, "inference");
  assert_int_equal(n1->max_in_flight, 2);
  assert_int_equal(n1->source_layer, 1);
  assert_non_null(n1->options);
  assert_true(n1->options->fields[0].is_extension);
  assert_string_equal(n1->options->fields[0].name, "mediapipe.TensorsToDetectionsCalculatorOptions.ext");
  assert_int_equal(n1->n_option_values, 1);
  assert_string_equal(n1->option_values[0], "min_score_thresh:options/min_score_thresh");
  assert_string_equal(n1->input_stream_handler, "SyncSetInputStreamHandler");
  assert_non_null(n1->input_stream_handler_options);
  assert_string_equal(n1->output_stream_handler, "InOrderOutputStreamHandler");

  const odai_node_config *n2 = &c->nodes[2];
  assert_null(n2->options);
  assert_non_null(n2->node_options);
  assert_int_equal(n2->node_options->n_fields, 1);
  const odai_pb_field *e = &n2->node_options->fields[0];
  assert_string_equal(e->name, "type.googleapis.com/mediapipe.SsdAnchorsCalculatorOptions");
  assert_int_equal(odai_pb_msg_count(e->msg, "strides"), 4);
}

static void test_full_graph(void **state) {
  (void)state;
  odai_graph_config *c = parse_ok(k_graph);
  check_graph(c);
  odai_config_free(c);
}

static void test_clone_roundtrip(void **state) {
  (void)state;
  odai_graph_config *c = parse_ok(k_graph);
  odai_graph_config *d = odai_config_clone(c);
  assert_non_null(d);
  odai_config_free(c); /* the clone must not share anything with the original */
  check_graph(d);
  odai_graph_config *e = odai_config_clone(d);
  odai_config_free(d);
  check_graph(e);
  odai_config_free(e);
  assert_null(odai_config_clone(NULL));
  odai_pb_msg_free(NULL);
  odai_config_free(NULL);
}

static void test_stream_ref_parse(void **state) {
  (void)state;
  odai_stream_ref r;
  odai_error err = {0};
  assert_int_equal(odai_stream_ref_parse("VIDEO:2:name_b", &r, &err), ODAI_OK);
  assert_string_equal(r.tag, "VIDEO");
  assert_int_equal(r.index, 2);
  assert_string_equal(r.name, "name_b");
  free(r.tag);
  free(r.name);
  assert_int_equal(odai_stream_ref_parse("TAG:x", &r, &err), ODAI_OK);
  assert_string_equal(r.tag, "TAG");
  assert_int_equal(r.index, 0);
  free(r.tag);
  free(r.name);
  assert_int_equal(odai_stream_ref_parse("plainName", &r, &err), ODAI_OK);
  assert_string_equal(r.tag, "");
  assert_string_equal(r.name, "plainName");
  free(r.tag);
  free(r.name);
  const char *bad[] = {"", "a:b", "TAG:", ":x", "TAG:01:x", "TAG:-1:x", "TAG:1:2:x", "Upper",
                       "TAG:1x:y", "tag:x", "1abc", "TAG:x y"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    err.message[0] = '\0';
    if (odai_stream_ref_parse(bad[i], &r, &err) != ODAI_E_PARSE) fail_msg("accepted bad ref '%s'", bad[i]);
    assert_non_null(strstr(err.message, "expected TAG:index:name"));
    assert_null(r.tag);
  }
}

typedef struct err_case {
  const char *text;
  const char *expect; /* substring of the message, starting with t.pbtxt:L:C: */
} err_case;

static const err_case k_errors[] = {
    {"node {\n  calculator: \"A\"\n", "t.pbtxt:3:1: found end of file, expected '}' to close the message opened at 1:6"},
    {"node {\n  calculater: \"A\"\n}\n", "t.pbtxt:2:3: found unknown field 'calculater' in node (did you mean 'calculator'?)"},
    {"inptu_stream: \"a\"\n", "t.pbtxt:1:1: found unknown field 'inptu_stream' in the graph (did you mean 'input_stream'?), expected one of: node,"},
    {"node { calculator: \"A\" }\n}\n", "t.pbtxt:2:1: found '}', expected a field name"},
    {"a: \"abc\n", "t.pbtxt:1:4: found an unterminated string"},
    {"max_queue_size: \"x\"\n", "t.pbtxt:1:17: found string \"x\" for 'max_queue_size', expected an integer"},
    {"node { calculator: 5 }", "t.pbtxt:1:20: found integer 5 for 'calculator', expected a quoted string"},
    {"node { calculator: \"A\" input_stream: \"BAD:1:2:x\" }", "t.pbtxt:1:38: input_stream: found stream reference \"BAD:1:2:x\""},
    {"node {\n calculator: \"A\"\n calculator: \"B\" }", "t.pbtxt:3:2: found field 'calculator' in node a second time (first at line 2)"},
    {"node { name: \"x\" }", "t.pbtxt:1:1: found a node without 'calculator'"},
    {"a: 0x\n", "t.pbtxt:1:4: found '0x' without digits"},
    {"a: 09\n", "t.pbtxt:1:4: found digit '9' in an octal number"},
    {"a: 12abc\n", "t.pbtxt:1:6: found 'a' right after a number"},
    {"a: \"\\q\"\n", "t.pbtxt:1:5: found unknown escape '\\q'"},
    {"a: \"\\u12\"\n", "t.pbtxt:1:5: found a short '\\u' escape"},
    {"a b\n", "t.pbtxt:1:3: found identifier 'b', expected ':' or '{' after field 'a'"},
    {"a: [1, 2\n", "t.pbtxt:2:1: found end of file, expected ',' or ']' in the list"},
    {"a: }\n", "t.pbtxt:1:4: found '}', expected a value"},
    {"[foo.bar { }\n", "t.pbtxt:1:10: found '{', expected '.', '/' or ']' in the [extension] name"},
    {"a: @\n", "t.pbtxt:1:4: found unexpected character '@'"},
    {"node { calculator: \"A\" input_stream_info { tag_index: \"lower\" } }",
     "t.pbtxt:1:55: found tag_index \"lower\", expected"},
    {"node { calculator: \"A\" input_stream_info { back_edge: maybe } }",
     "t.pbtxt:1:55: found identifier maybe for 'back_edge', expected true or false"},
    {"node { calculator: \"A\" option_value: \"nocolon\" }", "t.pbtxt:1:38: found option_value \"nocolon\" without ':'"},
    {"node { calculator: \"A\" node_options { foo: 1 } }",
     "t.pbtxt:1:39: found field 'foo' in node_options, expected [type.googleapis.com/package.Type]"},
    {"executor { name: \"x\" colour: 1 }", "t.pbtxt:1:22: found unknown field 'colour' in executor"},
    {"a: -x\n", "t.pbtxt:1:5: found identifier 'x', expected a number after '-'"},
    {"a: 99999999999999999999\n", "t.pbtxt:1:4: found integer 99999999999999999999 out of range"},
    {"num_threads: 1.5\n", "t.pbtxt:1:14: found float 1.5 for 'num_threads', expected an integer"},
    {"node { calculator: \"A\" [ext.x] { } }", "t.pbtxt:1:24: found unknown field '[ext.x]' in node"},
};

static void test_error_messages(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof k_errors / sizeof *k_errors; i++) {
    odai_graph_config *c = (odai_graph_config *)1;
    odai_error err = {0};
    odai_status st = odai_config_parse(k_errors[i].text, strlen(k_errors[i].text), "t.pbtxt", &c, &err);
    if (st != ODAI_E_PARSE) fail_msg("case %zu: status %d for: %s", i, st, k_errors[i].text);
    assert_null(c);
    if (strncmp(err.message, k_errors[i].expect, strlen(k_errors[i].expect)) != 0)
      fail_msg("case %zu:\n  got:  %s\n  want: %s...", i, err.message, k_errors[i].expect);
  }
}

static void test_ignored_mediapipe_fields(void **state) {
  (void)state;
  odai_graph_config *c = parse_ok(
      "packet_generator { packet_generator: \"X\" }\n"
      "status_handler { status_handler: \"Y\" }\n"
      "report_deadlock: true\n"
      "output_stream_handler { output_stream_handler: \"Z\" }\n"
      "node { calculator: \"A\" profiler_config { } external_input: \"e\" buffer_size_hint: 2 }\n");
  assert_int_equal(c->n_nodes, 1);
  odai_config_free(c);
}

static void test_depth_limit(void **state) {
  (void)state;
  size_t deep = 100000;
  char *t = malloc(deep * 4 + 1);
  size_t n = 0;
  for (size_t i = 0; i < deep; i++) {
    memcpy(t + n, "a {", 3);
    n += 3;
  }
  t[n] = '\0';
  odai_pb_msg *m = NULL;
  odai_error err = {0};
  assert_int_equal(odai_pb_parse(t, n, "deep", &m, &err), ODAI_E_PARSE);
  assert_null(m);
  assert_non_null(strstr(err.message, "nested deeper than 100"));
  /* lists count as nesting too */
  n = 0;
  for (size_t i = 0; i < 200; i++) {
    memcpy(t + n, "a: [{", 5);
    n += 5;
  }
  t[n] = '\0';
  assert_int_equal(odai_pb_parse(t, n, "deep", &m, &err), ODAI_E_PARSE);
  /* 99 levels are fine */
  n = 0;
  for (size_t i = 0; i < 99; i++) {
    t[n++] = 'a';
    t[n++] = '{';
  }
  for (size_t i = 0; i < 99; i++) t[n++] = '}';
  t[n] = '\0';
  assert_int_equal(odai_pb_parse(t, n, "deep", &m, &err), ODAI_OK);
  odai_pb_msg_free(m);
  free(t);
}

static void test_empty_and_binary(void **state) {
  (void)state;
  odai_graph_config *c = parse_ok("");
  assert_int_equal(c->n_nodes, 0);
  assert_string_equal(c->type, "");
  odai_config_free(c);
  c = parse_ok("# only a comment");
  odai_config_free(c);
  c = parse_ok("\xEF\xBB\xBFnode { calculator: \"A\" }"); /* byte order mark */
  assert_int_equal(c->n_nodes, 1);
  assert_int_equal(c->nodes[0].pos.col, 1);
  odai_config_free(c);
  odai_error err = {0};
  const char bin[] = {'a', ':', ' ', '"', 'x', '\0', 'y', '"'};
  assert_int_equal(odai_config_parse(bin, sizeof bin, NULL, &c, &err), ODAI_E_PARSE);
  assert_non_null(strstr(err.message, "<string>:1:"));
  /* NUL inside a string is data (options may be bytes) */
  odai_pb_msg *m = NULL;
  const char s[] = "a: \"x\\0y\"";
  assert_int_equal(odai_pb_parse(s, sizeof s - 1, NULL, &m, &err), ODAI_OK);
  assert_int_equal(m->fields[0].s_len, 3);
  odai_pb_msg_free(m);
}

/* Every prefix and many single-byte mutations of a real-shaped config: must
 * parse or fail cleanly, never crash or leak (run under ASan in CI). */
static void test_truncations_and_mutations(void **state) {
  (void)state;
  size_t len = strlen(k_graph);
  char *buf = malloc(len + 1);
  size_t n_ok = 0, n_err = 0;
  for (size_t cut = 0; cut <= len; cut++) {
    memcpy(buf, k_graph, cut);
    odai_graph_config *c = NULL;
    odai_error err = {0};
    if (odai_config_parse(buf, cut, "cut", &c, &err) == ODAI_OK) {
      n_ok++;
      odai_config_free(c);
    } else {
      n_err++;
      assert_null(c);
      assert_true(strncmp(err.message, "cut:", 4) == 0);
    }
  }
  assert_true(n_ok > 3 && n_err > 100);
  const char subst[] = "{}<>[]:;,\"'#\\-.x0 \n";
  unsigned seed = 12345;
  for (int it = 0; it < 3000; it++) {
    memcpy(buf, k_graph, len);
    for (int k = 0; k < 3; k++) {
      seed = seed * 1103515245u + 12345u;
      size_t at = (seed >> 8) % len;
      seed = seed * 1103515245u + 12345u;
      buf[at] = subst[(seed >> 8) % (sizeof subst - 1)];
    }
    odai_graph_config *c = NULL;
    odai_error err = {0};
    if (odai_config_parse(buf, len, "mut", &c, &err) == ODAI_OK) {
      odai_graph_config *d = odai_config_clone(c);
      assert_non_null(d);
      odai_config_free(d);
      odai_config_free(c);
    } else {
      assert_true(strncmp(err.message, "mut:", 4) == 0);
    }
  }
  free(buf);
}

static void test_parse_file(void **state) {
  (void)state;
  odai_graph_config *c = NULL;
  odai_error err = {0};
  assert_int_equal(odai_config_parse_file("/nonexistent/x.pbtxt", &c, &err), ODAI_E_NOT_FOUND);
  assert_non_null(strstr(err.message, "/nonexistent/x.pbtxt"));
  char path[] = "/tmp/odai_cfg_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  const char *t = "node {\n  calculator: \"A\"\n  bogus: 1\n}\n";
  assert_int_equal(write(fd, t, strlen(t)), (ssize_t)strlen(t));
  close(fd);
  assert_int_equal(odai_config_parse_file(path, &c, &err), ODAI_E_PARSE);
  char want[128];
  snprintf(want, sizeof want, "%s:3:3: found unknown field 'bogus' in node", path);
  assert_true(strncmp(err.message, want, strlen(want)) == 0);
  fd = open(path, O_WRONLY | O_TRUNC);
  const char *t2 = "node { calculator: \"A\" }";
  assert_int_equal(write(fd, t2, strlen(t2)), (ssize_t)strlen(t2));
  close(fd);
  assert_int_equal(odai_config_parse_file(path, &c, &err), ODAI_OK);
  assert_string_equal(c->source_name, path);
  assert_string_equal(c->nodes[0].pos.file, path);
  odai_config_free(c);
  unlink(path);
}

static void test_merge(void **state) {
  (void)state;
  odai_pb_msg *base = pb_ok("a: 1 r: 1 r: 2 sub { x: 1 y: 2 } keep: \"k\"");
  odai_pb_msg *over = pb_ok("a: 5 r: 9 sub { y: 3 z: 4 } new: true");
  assert_int_equal(odai_pb_msg_merge(base, over), ODAI_OK);
  assert_int_equal(fld(base, "a", 0)->i, 5);
  assert_int_equal(odai_pb_msg_count(base, "r"), 1);
  assert_int_equal(fld(base, "r", 0)->i, 9);
  const odai_pb_msg *sub = fld(base, "sub", 0)->msg;
  assert_int_equal(fld(sub, "x", 0)->i, 1);
  assert_int_equal(fld(sub, "y", 0)->i, 3);
  assert_int_equal(fld(sub, "z", 0)->i, 4);
  assert_string_equal(fld(base, "keep", 0)->s, "k");
  assert_string_equal(fld(base, "new", 0)->s, "true");
  odai_pb_msg_free(base);
  odai_pb_msg_free(over);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_strings_and_escapes),
      cmocka_unit_test(test_numbers),
      cmocka_unit_test(test_idents_messages_lists),
      cmocka_unit_test(test_full_graph),
      cmocka_unit_test(test_clone_roundtrip),
      cmocka_unit_test(test_stream_ref_parse),
      cmocka_unit_test(test_error_messages),
      cmocka_unit_test(test_ignored_mediapipe_fields),
      cmocka_unit_test(test_depth_limit),
      cmocka_unit_test(test_empty_and_binary),
      cmocka_unit_test(test_truncations_and_mutations),
      cmocka_unit_test(test_parse_file),
      cmocka_unit_test(test_merge),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
