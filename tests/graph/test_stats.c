/* tests/graph/test_stats.c: per-node stats, the stats table, the Chrome
 * trace JSON and the Graphviz DOT export. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "test_sched_util.h"

static char *slurp(FILE *f) {
  fflush(f);
  long n = ftell(f);
  rewind(f);
  char *buf = calloc(1, (size_t)n + 1);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  return buf;
}

static void test_stats_trace_dot(void **state) {
  (void)state;
  odai_graph *g = make_graph(
      "node { name: 'src' calculator: 'CountingSourceCalculator' output_stream: 'frames'\n"
      "       options { max_count: 50 } }\n"
      "node { name: 'limiter' calculator: 'FlowLimiterCalculator'\n"
      "       input_stream: 'frames' input_stream: 'FINISHED:done'\n"
      "       input_stream_info: { tag_index: 'FINISHED' back_edge: true }\n"
      "       output_stream: 'gated' }\n"
      "node { name: 'work' calculator: 'PassThroughCalculator' input_stream: 'gated'"
      " output_stream: 'done' }\n");
  assert_int_equal(odai_graph_enable_trace(g, 1000), ODAI_OK);
  assert_int_equal(odai_graph_start(g, NULL), ODAI_OK);
  assert_int_equal(odai_graph_wait_until_done(g, NULL), ODAI_OK);

  assert_int_equal(odai_graph_num_nodes(g), 3);
  odai_node_stats s;
  assert_int_equal(odai_graph_node_stats(g, 0, &s), ODAI_OK);
  assert_string_equal(s.name, "src");
  assert_string_equal(s.calculator, "CountingSourceCalculator");
  assert_int_equal(s.packets_out, 50);
  assert_int_equal(odai_graph_node_stats(g, 1, &s), ODAI_OK);
  /* frames + FINISHED packets (the last FINISHED may arrive after close) */
  assert_true(s.packets_in >= 50 && s.packets_in <= 50 + s.packets_out);
  assert_true(s.process_calls >= 50);
  assert_true(s.total_ns >= s.max_ns);
  assert_true(s.queue_high_water >= 1);
  assert_int_equal(odai_graph_node_stats(g, 3, &s), ODAI_E_INVALID);

  FILE *f = tmpfile();
  odai_graph_stats_table(g, f);
  char *t = slurp(f);
  assert_non_null(strstr(t, "limiter"));
  assert_non_null(strstr(t, "FlowLimiterCalculator"));
  free(t);
  fclose(f);

  f = tmpfile();
  odai_graph_write_dot(g, f);
  t = slurp(f);
  assert_non_null(strstr(t, "digraph"));
  assert_non_null(strstr(t, "n1 -> n2 [label=\"gated\"]"));
  assert_non_null(strstr(t, "n2 -> n1 [label=\"done\", style=dashed"));
  free(t);
  fclose(f);

  char path[] = "/tmp/odai_trace_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  assert_int_equal(odai_graph_write_trace_json(g, path, NULL), ODAI_OK);
  f = fopen(path, "r");
  fseek(f, 0, SEEK_END);
  t = slurp(f);
  fclose(f);
  unlink(path);
  assert_non_null(strstr(t, "\"traceEvents\""));
  assert_non_null(strstr(t, "\"ph\":\"X\""));
  assert_non_null(strstr(t, "\"name\":\"work\""));
  assert_non_null(strstr(t, "\"cat\":\"open\""));
  assert_non_null(strstr(t, "\"cat\":\"close\""));
  free(t);
  odai_error err;
  assert_int_equal(odai_graph_write_trace_json(g, "/nonexistent/dir/x.json", &err), ODAI_E_IO);
  odai_graph_destroy(g);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_stats_trace_dot)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
