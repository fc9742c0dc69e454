/* tests/graph/test_validate.c: graph validation errors, each naming the
 * node(s) and the config position: unknown calculator, stream without or
 * with two producers, tag/index mismatch against the contract, type
 * mismatch, cycle without back_edge, missing required port, unknown
 * executor; and that a back edge makes a loop valid. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "odai/odai.h"

static odai_status create(const char *text, odai_error *err) {
  odai_graph *g = NULL;
  memset(err, 0, sizeof *err);
  odai_status st = odai_graph_create(text, strlen(text), "v.pbtxt", &g, err);
  if (st == ODAI_OK) {
    assert_non_null(g);
    odai_graph_destroy(g);
  } else {
    assert_null(g);
    print_message("  -> %s\n", err->message);
  }
  return st;
}

#define EXPECT(text, code, ...)                                        \
  do {                                                                 \
    odai_error e_;                                                     \
    assert_int_equal(create(text, &e_), code);                         \
    const char *subs_[] = {__VA_ARGS__};                               \
    for (size_t i_ = 0; i_ < sizeof subs_ / sizeof *subs_; i_++)       \
      if (!strstr(e_.message, subs_[i_])) fail_msg("'%s' not in '%s'", subs_[i_], e_.message); \
  } while (0)

static void test_unknown_calculator(void **state) {
  (void)state;
  EXPECT("node { calculator: 'PassThroughCalculator' input_stream: 'a' output_stream: 'b' }\n"
         "input_stream: 'a'\n"
         "node {\n  name: 'weird'\n  calculator: 'NoSuchCalculator' }\n",
         ODAI_E_NOT_FOUND, "v.pbtxt:3:1", "'weird'", "NoSuchCalculator");
  /* a misspelt name gets the closest known one */
  EXPECT("input_stream: 'a'\nnode { calculator: 'FlowLimitterCalculator' input_stream: 'a' output_stream: 'b' }\n",
         ODAI_E_NOT_FOUND, "did you mean 'FlowLimiterCalculator'?");
  EXPECT("input_stream: 'a'\nnode { calculator: 'passthrough' input_stream: 'a' output_stream: 'b' }\n",
         ODAI_E_NOT_FOUND, "did you mean 'PassThroughCalculator'?");
  odai_error e;
  assert_int_equal(create("input_stream: 'a'\nnode { calculator: 'Zzzzzz' input_stream: 'a' }\n", &e),
                   ODAI_E_NOT_FOUND);
  assert_null(strstr(e.message, "did you mean"));
}

static void test_no_producer(void **state) {
  (void)state;
  EXPECT("node { calculator: 'PassThroughCalculator' input_stream: 'ghost' output_stream: 'b' }",
         ODAI_E_INVALID, "v.pbtxt:1:", "'ghost'", "no producer", "PassThroughCalculator");
}

static void test_two_producers(void **state) {
  (void)state;
  EXPECT("input_stream: 'a'\n"
         "node { name: 'p1' calculator: 'PassThroughCalculator' input_stream: 'a' output_stream: 'b' }\n"
         "node { name: 'p2' calculator: 'PassThroughCalculator' input_stream: 'a' output_stream: 'b' }\n",
         ODAI_E_INVALID, "v.pbtxt:3:", "'b'", "two producers", "'p1'", "'p2'");
  EXPECT("input_stream: 'a'\n"
         "node { name: 'p1' calculator: 'PassThroughCalculator' input_stream: 'a' output_stream: 'a' }\n",
         ODAI_E_INVALID, "two producers", "graph input");
}

static void test_tag_index_mismatch(void **state) {
  (void)state;
  EXPECT("input_stream: 'a'\n"
         "node { calculator: 'FlowLimiterCalculator' input_stream: 'BOGUS:a' output_stream: 'b' }",
         ODAI_E_INVALID, "v.pbtxt:2:", "FlowLimiterCalculator", "'BOGUS'", "accepted");
  EXPECT("input_stream: 'a'\ninput_stream: 'c'\n"
         "node { calculator: 'FlowLimiterCalculator' input_stream: 'a' input_stream: 'c'"
         " output_stream: 'b' }",
         ODAI_E_INVALID, "takes one port", "index 1");
  EXPECT("input_stream: 'a'\n"
         "node { name: 'pt' calculator: 'PassThroughCalculator' input_stream: 'a' }",
         ODAI_E_INVALID, "'pt'", "as many outputs as inputs");
  EXPECT("input_stream: 'a'\n"
         "node { name: 'loop' calculator: 'PreviousLoopbackCalculator' input_stream: 'MAIN:a'"
         " output_stream: 'PREV_LOOP:p' }",
         ODAI_E_INVALID, "'loop'", "required", "'LOOP'");
}

static void test_type_mismatch(void **state) {
  (void)state;
  EXPECT("input_stream: 'x'\n"
         "node { name: 'count' calculator: 'CountingSourceCalculator' output_stream: 'n' }\n"
         "node { name: 'gate' calculator: 'GateCalculator' input_stream: 'x'"
         " input_stream: 'ALLOW:n' output_stream: 'y' }",
         ODAI_E_INVALID, "type mismatch", "'n'", "'count'", "int64", "'gate'", "bool");
}

static void test_cycle(void **state) {
  (void)state;
  const char *loop =
      "input_stream: 'in'\n"
      "node { name: 'limiter' calculator: 'FlowLimiterCalculator' input_stream: 'in'\n"
      "       input_stream: 'FINISHED:out' %s output_stream: 'gated' }\n"
      "node { name: 'work' calculator: 'PassThroughCalculator' input_stream: 'gated'"
      " output_stream: 'out' }\n";
  char text[1024];
  snprintf(text, sizeof text, loop, "");
  EXPECT(text, ODAI_E_INVALID, "cycle without back_edge", "'limiter'", "'work'", "FINISHED");
  snprintf(text, sizeof text, loop,
           "input_stream_info: { tag_index: 'FINISHED' back_edge: true }");
  odai_error e;
  assert_int_equal(create(text, &e), ODAI_OK);
}

static void test_unknown_executor(void **state) {
  (void)state;
  EXPECT("input_stream: 'a'\n"
         "node { name: 'pt' calculator: 'PassThroughCalculator' input_stream: 'a'"
         " output_stream: 'b' executor: 'gpu' }",
         ODAI_E_INVALID, "'pt'", "unknown executor 'gpu'");
}

static void test_parse_error_positions(void **state) {
  (void)state;
  EXPECT("node {\n  calculator: 'PassThroughCalculator'\n  input_stream: \n}\n", ODAI_E_PARSE,
         "v.pbtxt:");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_unknown_calculator), cmocka_unit_test(test_no_producer),
      cmocka_unit_test(test_two_producers),      cmocka_unit_test(test_tag_index_mismatch),
      cmocka_unit_test(test_type_mismatch),      cmocka_unit_test(test_cycle),
      cmocka_unit_test(test_unknown_executor),   cmocka_unit_test(test_parse_error_positions),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
