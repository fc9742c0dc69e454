/* tests/graph/test_options.c: the typed option accessors (include/odai/options.h)
 * and odai_node_options() over MediaPipe's three option spellings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "graph/config.h"
#include "graph/options.h"
#include "odai/options.h"

static odai_graph_config *parse_ok(const char *text) {
  odai_graph_config *c = NULL;
  odai_error err = {0};
  if (odai_config_parse(text, strlen(text), "o.pbtxt", &c, &err) != ODAI_OK)
    fail_msg("unexpected parse error: %s", err.message);
  return c;
}

static const char *k_cfg =
    "node {\n"
    "  calculator: \"SsdAnchorsCalculator\"\n"
    "  options: {\n"
    "    [mediapipe.SsdAnchorsCalculatorOptions.ext] {\n"
    "      num_layers: 4\n"
    "      min_scale: 0.1484375\n"
    "      strides: [8, 16, 16, 16]\n"
    "      fixed_anchor_size: true\n"
    "      reduce_boxes: 0\n"
    "      name: \"anchors\"\n"
    "      overlap_type: INTERSECTION_OVER_UNION\n"
    "      algorithm: 2\n"
    "      bad_float: \"0.5\"\n"
    "      range { min: -1.0 max: 1.0 }\n"
    "      layer { stride: 8 } layer { stride: 16 label: \"b\" }\n"
    "      labels: 'a' labels: \"b\\tc\"\n"
    "      blob: \"x\\0y\"\n"
    "      tiny: 1e-3 big: 0x10 neg: -3 inf_v: inf\n"
    "    }\n"
    "  }\n"
    "}\n"
    "node {\n"
    "  calculator: \"TensorsToDetectionsCalculator\"\n"
    "  node_options: {\n"
    "    [type.googleapis.com/mediapipe.TensorsToDetectionsCalculatorOptions] { num_classes: 1 }\n"
    "  }\n"
    "  node_options: {\n"
    "    [type.googleapis.com/mediapipe.OtherOptions] { other: 7 }\n"
    "  }\n"
    "}\n"
    "node {\n"
    "  calculator: \"PacketThinnerCalculator\"\n"
    "  options { period: 10 thinner_type: ASYNC }\n"
    "}\n"
    "node { calculator: \"PassThroughCalculator\" }\n";

static const odai_enum_value k_overlap[] = {
    {"JACCARD", 1}, {"MODIFIED_JACCARD", 2}, {"INTERSECTION_OVER_UNION", 3}, {NULL, 0}};

static void test_node_options_spellings(void **state) {
  (void)state;
  odai_graph_config *c = parse_ok(k_cfg);
  const odai_options *o = odai_node_options(&c->nodes[0], "mediapipe.SsdAnchorsCalculatorOptions");
  assert_non_null(o);
  assert_int_equal(odai_options_get_int(o, "num_layers", 0), 4);
  assert_ptr_equal(odai_node_options(&c->nodes[0], "mediapipe.SsdAnchorsCalculatorOptions.ext"), o);
  assert_ptr_equal(odai_node_options(&c->nodes[0], "SsdAnchorsCalculatorOptions"), o);
  assert_ptr_equal(odai_node_options(&c->nodes[0], NULL), o);
  assert_null(odai_node_options(&c->nodes[0], "mediapipe.OtherOptions"));

  const odai_options *t = odai_node_options(&c->nodes[1], "mediapipe.TensorsToDetectionsCalculatorOptions");
  assert_non_null(t);
  assert_int_equal(odai_options_get_int(t, "num_classes", 0), 1);
  const odai_options *other = odai_node_options(&c->nodes[1], "type.googleapis.com/mediapipe.OtherOptions");
  assert_int_equal(odai_options_get_int(other, "other", 0), 7);

  const odai_options *plain = odai_node_options(&c->nodes[2], "mediapipe.PacketThinnerCalculatorOptions");
  assert_non_null(plain);
  assert_ptr_equal(plain, c->nodes[2].options);
  assert_int_equal(odai_options_get_int(plain, "period", 0), 10);
  assert_string_equal(odai_options_get_enum_name(plain, "thinner_type", "SYNC"), "ASYNC");

  assert_null(odai_node_options(&c->nodes[3], "mediapipe.X"));
  assert_null(odai_node_options(NULL, "mediapipe.X"));
  odai_config_free(c);
}

static void test_typed_getters(void **state) {
  (void)state;
  odai_graph_config *c = parse_ok(k_cfg);
  const odai_options *o = odai_node_options(&c->nodes[0], "mediapipe.SsdAnchorsCalculatorOptions");
  assert_true(fabsf(odai_options_get_float(o, "min_scale", 0) - 0.1484375f) < 1e-7f);
  assert_true(odai_options_get_float(o, "num_layers", 0) == 4.0f); /* int accepted as float */
  assert_true(odai_options_get_double(o, "tiny", 0) == 1e-3);
  assert_true(isinf(odai_options_get_float(o, "inf_v", 0)));
  assert_int_equal(odai_options_get_int(o, "big", 0), 16);
  assert_int_equal(odai_options_get_int(o, "neg", 0), -3);
  assert_int_equal(odai_options_get_int(o, "min_scale", -1), -1); /* float is not an int */
  assert_true(odai_options_get_bool(o, "fixed_anchor_size", false));
  assert_false(odai_options_get_bool(o, "reduce_boxes", true));
  assert_true(odai_options_get_bool(o, "missing", true));
  assert_string_equal(odai_options_get_string(o, "name", "d"), "anchors");
  assert_string_equal(odai_options_get_string(o, "num_layers", "d"), "d"); /* mismatch */
  assert_true(odai_options_get_float(o, "bad_float", 9.f) == 9.f);     /* mismatch */
  size_t len = 0;
  const char *b = odai_options_get_bytes(o, "blob", &len);
  assert_int_equal(len, 3);
  assert_memory_equal(b, "x\0y", 3);
  assert_null(odai_options_get_bytes(o, "nothing", &len));
  assert_int_equal(len, 0);
  /* enums: by name, by integer, unknown */
  assert_int_equal(odai_options_get_enum(o, "overlap_type", k_overlap, 0), 3);
  assert_int_equal(odai_options_get_enum(o, "algorithm", k_overlap, 0), 2);
  assert_int_equal(odai_options_get_enum(o, "algorithm", NULL, 0), 2);
  assert_int_equal(odai_options_get_enum(o, "neg", k_overlap, 9), 9);
  assert_int_equal(odai_options_get_enum(o, "name", k_overlap, 9), 9);
  assert_string_equal(odai_options_get_enum_name(o, "overlap_type", ""), "INTERSECTION_OVER_UNION");
  /* NULL options: defaults everywhere */
  assert_int_equal(odai_options_get_int(NULL, "x", 5), 5);
  assert_int_equal(odai_options_count(NULL, "x"), 0);
  assert_false(odai_options_has(NULL, "x"));
  assert_null(odai_options_get_message(NULL, "x"));
  odai_config_free(c);
}

static void test_repeated_nested_paths(void **state) {
  (void)state;
  odai_graph_config *c = parse_ok(k_cfg);
  const odai_options *o = odai_node_options(&c->nodes[0], "mediapipe.SsdAnchorsCalculatorOptions");
  assert_int_equal(odai_options_count(o, "strides"), 4);
  assert_int_equal(odai_options_get_int_at(o, "strides", 0, 0), 8);
  assert_int_equal(odai_options_get_int_at(o, "strides", 3, 0), 16);
  assert_int_equal(odai_options_get_int_at(o, "strides", 4, -1), -1);
  assert_true(odai_options_get_float_at(o, "strides", 1, 0) == 16.f);
  assert_int_equal(odai_options_count(o, "labels"), 2);
  assert_string_equal(odai_options_get_string_at(o, "labels", 1, ""), "b\tc");
  assert_true(odai_options_get_float(o, "range.min", 0) == -1.f);
  assert_true(odai_options_get_double(o, "range.max", 0) == 1.0);
  assert_true(odai_options_has(o, "range"));
  assert_false(odai_options_has(o, "range.mid"));
  assert_int_equal(odai_options_count(o, "layer"), 2);
  assert_int_equal(odai_options_get_int(o, "layer.stride", 0), 8);
  assert_int_equal(odai_options_get_int(o, "layer[1].stride", 0), 16);
  assert_string_equal(odai_options_get_string(o, "layer[1].label", ""), "b");
  assert_int_equal(odai_options_count(o, "layer[1]"), 1);
  assert_int_equal(odai_options_count(o, "layer[5]"), 0);
  const odai_options *l1 = odai_options_get_message_at(o, "layer", 1);
  assert_non_null(l1);
  assert_int_equal(odai_options_get_int(l1, "stride", 0), 16);
  const odai_options *r = odai_options_get_message(o, "range");
  assert_true(odai_options_get_float(r, "min", 0) == -1.f);
  assert_null(odai_options_get_message(o, "num_layers"));
  /* bracketed extension component from the node's whole options block */
  const odai_options *whole = c->nodes[0].options;
  assert_int_equal(odai_options_get_int(whole, "[mediapipe.SsdAnchorsCalculatorOptions.ext].num_layers", 0), 4);
  /* malformed paths are just absent for plain getters */
  assert_int_equal(odai_options_get_int(o, "", 3), 3);
  assert_int_equal(odai_options_get_int(o, "strides[", 3), 3);
  assert_int_equal(odai_options_get_int(o, "range..min", 3), 3);
  assert_int_equal(odai_options_get_int(o, "num_layers.x", 3), 3);
  odai_config_free(c);
}

static void test_checked_mismatches(void **state) {
  (void)state;
  odai_graph_config *c = parse_ok(k_cfg);
  const odai_options *o = odai_node_options(&c->nodes[0], "mediapipe.SsdAnchorsCalculatorOptions");
  odai_error err = {0};
  float f = 0.25f;
  assert_int_equal(odai_options_get_float_checked(o, "absent", &f, &err), ODAI_OK);
  assert_true(f == 0.25f);
  assert_int_equal(odai_options_get_float_checked(o, "min_scale", &f, &err), ODAI_OK);
  assert_true(fabsf(f - 0.1484375f) < 1e-7f);
  assert_int_equal(odai_options_get_float_checked(o, "bad_float", &f, &err), ODAI_E_INVALID);
  assert_string_equal(err.message, "o.pbtxt:13:18: option 'bad_float': found string \"0.5\", expected a number");
  int64_t i = 0;
  assert_int_equal(odai_options_get_int_checked(o, "min_scale", &i, &err), ODAI_E_INVALID);
  assert_string_equal(err.message, "o.pbtxt:6:18: option 'min_scale': found float 0.148438, expected an integer");
  bool bv = false;
  assert_int_equal(odai_options_get_bool_checked(o, "name", &bv, &err), ODAI_E_INVALID);
  assert_non_null(strstr(err.message, "expected true or false"));
  assert_int_equal(odai_options_get_bool_checked(o, "fixed_anchor_size", &bv, &err), ODAI_OK);
  assert_true(bv);
  const char *s = "def";
  assert_int_equal(odai_options_get_string_checked(o, "num_layers", &s, &err), ODAI_E_INVALID);
  assert_string_equal(err.message, "o.pbtxt:5:19: option 'num_layers': found integer 4, expected a quoted string");
  assert_string_equal(s, "def");
  int e = 0;
  assert_int_equal(odai_options_get_enum_checked(o, "overlap_type", k_overlap, &e, &err), ODAI_OK);
  assert_int_equal(e, 3);
  assert_int_equal(odai_options_get_enum_checked(o, "name", k_overlap, &e, &err), ODAI_E_INVALID);
  assert_non_null(strstr(err.message, "expected one of: JACCARD, MODIFIED_JACCARD, INTERSECTION_OVER_UNION"));
  assert_int_equal(odai_options_get_int_checked(o, "num_layers.x", &i, &err), ODAI_E_INVALID);
  assert_non_null(strstr(err.message, "o.pbtxt:5:19: option 'num_layers.x': a component before the last is not a message"));
  assert_int_equal(odai_options_get_int_checked(o, "a..b", &i, &err), ODAI_E_INVALID);
  assert_non_null(strstr(err.message, "option path 'a..b'"));
  assert_int_equal(odai_options_get_int_checked(NULL, "x", &i, &err), ODAI_OK);
  double d = 0;
  assert_int_equal(odai_options_get_double_checked(o, "tiny", &d, &err), ODAI_OK);
  assert_true(d == 1e-3);
  odai_config_free(c);
}

static void test_check_fields(void **state) {
  (void)state;
  odai_graph_config *c = parse_ok(k_cfg);
  const odai_options *plain = odai_node_options(&c->nodes[2], NULL);
  odai_error err = {0};
  const char *known[] = {"period", "thinner_type", "start_time", NULL};
  assert_int_equal(odai_options_check_fields(plain, known, "PacketThinnerCalculatorOptions", &err), ODAI_OK);
  const char *known2[] = {"period", NULL};
  assert_int_equal(odai_options_check_fields(plain, known2, "PacketThinnerCalculatorOptions", &err),
                   ODAI_E_INVALID);
  assert_string_equal(err.message, "o.pbtxt:33:24: found unknown option 'thinner_type' in "
                                   "PacketThinnerCalculatorOptions, expected one of: period");
  odai_config_free(c);
}

static void test_check_reads(void **state) {
  (void)state;
  /* a wrongly typed option is reported after open instead of silently
   * falling back to the default */
  odai_graph_config *c = parse_ok("node {\n  calculator: \"X\"\n"
                                  "  options { [mediapipe.XOptions.ext] { a: \"abc\" b: 2 k: FOO } }\n}\n");
  const odai_options *o = odai_node_options(&c->nodes[0], NULL);
  odai_error err = {0};
  assert_int_equal(odai_options_check_reads(o, &err), ODAI_OK);
  assert_int_equal(odai_options_get_int(o, "b", 0), 2);
  assert_int_equal(odai_options_check_reads(o, &err), ODAI_OK);
  assert_int_equal(odai_options_get_int(o, "a", 7), 7);
  assert_int_equal(odai_options_check_reads(o, &err), ODAI_E_INVALID);
  assert_non_null(strstr(err.message, "o.pbtxt:3:43: option 'a': found string"));
  assert_non_null(strstr(err.message, "expected an integer"));
  /* a calculator that also accepts the value another way: no error */
  assert_string_equal(odai_options_get_string(o, "a", ""), "abc");
  assert_int_equal(odai_options_check_reads(o, &err), ODAI_OK);
  static const odai_enum_value bar[] = {{"BAR", 1}, {NULL, 0}};
  assert_int_equal(odai_options_get_enum(o, "k", bar, 0), 0);
  assert_int_equal(odai_options_check_reads(o, &err), ODAI_E_INVALID);
  assert_non_null(strstr(err.message, "option 'k': found"));
  odai_config_free(c);
}

static void test_type_matching(void **state) {
  (void)state;
  assert_true(odai_options_type_matches("mediapipe.FooOptions.ext", "mediapipe.FooOptions"));
  assert_true(odai_options_type_matches("type.googleapis.com/mediapipe.FooOptions", "mediapipe.FooOptions.ext"));
  assert_true(odai_options_type_matches("mediapipe.FooOptions.ext", "FooOptions"));
  assert_false(odai_options_type_matches("mediapipe.FooOptions.ext", "other.FooOptions"));
  assert_false(odai_options_type_matches("mediapipe.FooOptions.ext", "mediapipe.Foo"));
  assert_true(odai_options_type_matches("mediapipe.FooOptions.ext", "*"));
  char buf[64];
  odai_options_type_name("type.googleapis.com/mediapipe.X", buf, sizeof buf);
  assert_string_equal(buf, "mediapipe.X");
  odai_options_type_name("mediapipe.Y.ext", buf, sizeof buf);
  assert_string_equal(buf, "mediapipe.Y");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_node_options_spellings), cmocka_unit_test(test_typed_getters),
      cmocka_unit_test(test_repeated_nested_paths),  cmocka_unit_test(test_checked_mismatches),
      cmocka_unit_test(test_check_fields), cmocka_unit_test(test_check_reads),           cmocka_unit_test(test_type_matching),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
