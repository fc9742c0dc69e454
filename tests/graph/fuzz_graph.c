/* tests/graph/fuzz_graph.c: libFuzzer target for graph construction and
 * validation (graph/graph_build.c) on top of the parser: any input either
 * fails with an error or builds a graph that is drawn (DOT), started on one
 * thread, cancelled at once and destroyed, without crash, leak or hang. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "odai/odai.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  odai_graph *g = NULL;
  odai_error err;
  if (odai_graph_create((const char *)data, size, "fuzz.pbtxt", &g, &err) != ODAI_OK) return 0;
  FILE *devnull = fopen("/dev/null", "w");
  if (devnull) {
    odai_graph_write_dot(g, devnull);
    fclose(devnull);
  }
  odai_graph_set_deterministic(g, true);
  if (odai_graph_start(g, &err) == ODAI_OK) {
    odai_graph_cancel(g);
    (void)odai_graph_wait_until_done(g, &err);
  }
  odai_graph_destroy(g);
  return 0;
}
