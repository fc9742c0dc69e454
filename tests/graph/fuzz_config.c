/* tests/graph/fuzz_config.c: libFuzzer target for the graph config parser,
 * subgraph expansion and option readers. The input is one or more configs
 * separated by lines of "----": every part with a `type:` is registered as a
 * subgraph, the last part is parsed as the graph, expanded, read and freed. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "graph/config.h"
#include "graph/options.h"
#include "graph/subgraph.h"
#include "odai/options.h"

static const char *find_sep(const char *p, const char *end) {
  for (; p + 6 <= end; p++)
    if (p[0] == '\n' && memcmp(p + 1, "----\n", 5) == 0) return p;
  return NULL;
}

static void read_options(const odai_graph_config *c) {
  for (size_t i = 0; i < c->n_nodes; i++) {
    const odai_options *o = odai_node_options(&c->nodes[i], NULL);
    odai_error err;
    float f = 0;
    (void)odai_options_get_float_checked(o, "min_score_thresh", &f, &err);
    (void)odai_options_get_int(o, "num_layers", 0);
    (void)odai_options_count(o, "strides");
    (void)odai_options_get_string(o, "model_path", "");
    (void)odai_options_get_message(o, "delegate");
    (void)odai_options_get_int(o, "layer[1].stride", 0);
    (void)odai_node_options(&c->nodes[i], "mediapipe.SsdAnchorsCalculatorOptions");
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *p = (const char *)data, *end = p + size;
  const char *sep;
  while ((sep = find_sep(p, end))) {
    (void)odai_subgraph_register_text_n(p, (size_t)(sep - p), "fuzz_sub", NULL);
    p = sep + 6;
  }
  odai_graph_config *c = NULL;
  odai_error err;
  if (odai_config_parse(p, (size_t)(end - p), "fuzz", &c, &err) == ODAI_OK) {
    odai_graph_config *d = odai_config_clone(c);
    if (odai_config_expand_subgraphs(c, &err) == ODAI_OK) read_options(c);
    odai_config_free(d);
    odai_config_free(c);
  }
  odai_subgraph_clear();
  return 0;
}
