/* graph/graph.c: the public graph object (include/odai/graph.h): create
 * from text or file (parse → expand subgraphs → build and validate),
 * configuration before start, observers and pollers, destroy. The
 * scheduler itself is graph/scheduler.c. */
#include <stdlib.h>
#include <string.h>

#include "graph/graph_internal.h"
#include "graph/subgraph.h"

static odai_status create_from_cfg(odai_graph_config *cfg, odai_graph **g, odai_error *err) {
  odai_status st = odai_config_expand_subgraphs(cfg, err);
  if (st) {
    odai_config_free(cfg);
    return st;
  }
  return odai_graph_build(cfg, g, err);
}

odai_status odai_graph_create(const char *config_text, size_t len, const char *source_name,
                              odai_graph **g, odai_error *err) {
  if (!g || !config_text) return odai_error_set(err, ODAI_E_INVALID, "odai_graph_create: NULL argument");
  *g = NULL;
  odai_graph_config *cfg = NULL;
  odai_status st =
      odai_config_parse(config_text, len, source_name ? source_name : "<string>", &cfg, err);
  if (st) return st;
  return create_from_cfg(cfg, g, err);
}

odai_status odai_graph_create_from_file(const char *path, odai_graph **g, odai_error *err) {
  if (!g || !path) return odai_error_set(err, ODAI_E_INVALID, "odai_graph_create_from_file: NULL argument");
  *g = NULL;
  odai_graph_config *cfg = NULL;
  odai_status st = odai_config_parse_file(path, &cfg, err);
  if (st) return st;
  return create_from_cfg(cfg, g, err);
}

odai_status odai_graph_set_num_threads(odai_graph *g, int n) {
  if (!g || g->started || n < 0) return ODAI_E_INVALID;
  g->num_threads = n;
  return ODAI_OK;
}

odai_status odai_graph_set_deterministic(odai_graph *g, bool on) {
  if (!g || g->started) return ODAI_E_INVALID;
  g->deterministic = on;
  return ODAI_OK;
}

odai_status odai_graph_set_max_queue_size(odai_graph *g, int n) {
  if (!g || g->started) return ODAI_E_INVALID;
  g->max_queue_override = n;
  return ODAI_OK;
}

odai_status odai_graph_enable_trace(odai_graph *g, size_t max_events) {
  if (!g || g->started) return ODAI_E_INVALID;
  free(g->trace);
  g->trace = NULL;
  g->trace_cap = g->trace_n = 0;
  if (!max_events) return ODAI_OK;
  g->trace = calloc(max_events, sizeof *g->trace);
  if (!g->trace) return ODAI_E_NOMEM;
  g->trace_cap = max_events;
  return ODAI_OK;
}

odai_status odai_graph_observe_output(odai_graph *g, const char *stream, odai_packet_callback cb,
                                      void *user) {
  if (!g || !stream || !cb) return ODAI_E_INVALID;
  return odai_graph_add_sink(g, stream, cb, user, NULL, NULL);
}

odai_status odai_graph_add_poller(odai_graph *g, const char *stream, odai_poller **out,
                                  odai_error *err) {
  if (!g || !stream || !out) return odai_error_set(err, ODAI_E_INVALID, "NULL argument");
  *out = NULL;
  odai_poller *p = calloc(1, sizeof *p);
  odai_poller **v = realloc(g->pollers, (g->n_pollers + 1) * sizeof *v);
  if (v) g->pollers = v;
  if (!p || !v) {
    free(p);
    return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  }
  p->graph = g;
  pthread_cond_init(&p->cv, NULL);
  odai_status st = odai_graph_add_sink(g, stream, NULL, NULL, p, err);
  if (st) {
    pthread_cond_destroy(&p->cv);
    free(p);
    return st;
  }
  g->pollers[g->n_pollers++] = p;
  *out = p;
  return ODAI_OK;
}

odai_status odai_graph_start(odai_graph *g, odai_error *err) {
  if (!g) return odai_error_set(err, ODAI_E_INVALID, "NULL graph");
  if (g->started) return odai_error_set(err, ODAI_E_INVALID, "a graph runs only once");
  return odai_sched_start(g, err);
}

void odai_graph_destroy(odai_graph *g) {
  if (!g) return;
  odai_sched_stop_and_join(g);
  odai_graph_free(g);
}

odai_status odai_graph_register_subgraph(const char *config_text, size_t len,
                                         const char *source_name, odai_error *err) {
  if (!config_text) return odai_error_set(err, ODAI_E_INVALID, "NULL config text");
  char *text = malloc(len + 1);
  if (!text) return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  memcpy(text, config_text, len);
  text[len] = 0;
  odai_status st =
      odai_subgraph_register_text(text, source_name ? source_name : "<string>", err);
  free(text);
  return st;
}

odai_status odai_graph_register_subgraph_dir(const char *dir, odai_error *err) {
  if (!dir) return odai_error_set(err, ODAI_E_INVALID, "NULL directory");
  return odai_subgraph_register_dir(dir, err);
}

static const char *strip_tag(const char *written) {
  const char *c = strrchr(written, ':');
  return c ? c + 1 : written;
}

size_t odai_graph_num_input_streams(const odai_graph *g) { return g ? g->cfg->n_input_streams : 0; }

const char *odai_graph_input_stream(const odai_graph *g, size_t i) {
  return g && i < g->cfg->n_input_streams ? strip_tag(g->cfg->input_streams[i]) : NULL;
}

size_t odai_graph_num_output_streams(const odai_graph *g) {
  return g ? g->cfg->n_output_streams : 0;
}

const char *odai_graph_output_stream(const odai_graph *g, size_t i) {
  return g && i < g->cfg->n_output_streams ? strip_tag(g->cfg->output_streams[i]) : NULL;
}
