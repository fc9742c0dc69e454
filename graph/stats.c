/* graph/stats.c: always-on per-node counters and their exports: a text
 * table, a Chrome trace JSON (Perfetto / chrome://tracing) of recorded
 * open/process/close events, and a Graphviz DOT picture of the graph. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "graph/graph_internal.h"

size_t odai_graph_num_nodes(const odai_graph *g) { return g ? g->n_nodes : 0; }

odai_status odai_graph_node_stats(const odai_graph *g, size_t i, odai_node_stats *out) {
  if (!g || !out || i >= g->n_nodes) return ODAI_E_INVALID;
  odai_graph *mg = (odai_graph *)g;
  const odai_node *n = g->nodes[i];
  pthread_mutex_lock(&mg->mu);
  out->name = n->name;
  out->calculator = n->def->name;
  out->packets_in = n->packets_in;
  out->packets_out = n->packets_out;
  out->process_calls = n->process_calls;
  out->total_ns = n->total_ns;
  out->max_ns = n->max_ns;
  out->queue_high_water = 0;
  for (int k = 0; k < n->n_in; k++)
    if (n->in[k].high_water > out->queue_high_water) out->queue_high_water = n->in[k].high_water;
  pthread_mutex_unlock(&mg->mu);
  return ODAI_OK;
}

void odai_graph_stats_table(const odai_graph *g, FILE *f) {
  if (!g || !f) return;
  int wn = 4, wc = 10;
  for (size_t i = 0; i < g->n_nodes; i++) {
    int a = (int)strlen(g->nodes[i]->name), b = (int)strlen(g->nodes[i]->def->name);
    if (a > wn) wn = a;
    if (b > wc) wc = b;
  }
  fprintf(f, "%-*s  %-*s %10s %10s %10s %10s %10s %6s\n", wn, "node", wc, "calculator", "in", "out",
          "calls", "avg_us", "max_us", "queue");
  for (size_t i = 0; i < g->n_nodes; i++) {
    odai_node_stats s;
    if (odai_graph_node_stats(g, i, &s)) continue;
    double avg = s.process_calls ? (double)s.total_ns / (double)s.process_calls / 1000.0 : 0.0;
    fprintf(f, "%-*s  %-*s %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10.2f %10.2f %6u\n", wn,
            s.name, wc, s.calculator, s.packets_in, s.packets_out, s.process_calls, avg,
            (double)s.max_ns / 1000.0, s.queue_high_water);
  }
}

static void json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      fprintf(f, "\\%c", c);
    else if (c < 0x20)
      fprintf(f, "\\u%04x", c);
    else
      fputc(c, f);
  }
  fputc('"', f);
}

odai_status odai_graph_write_trace_json(const odai_graph *g, const char *path, odai_error *err) {
  if (!g || !path) return odai_error_set(err, ODAI_E_INVALID, "NULL argument");
  FILE *f = fopen(path, "w");
  if (!f) return odai_error_set(err, ODAI_E_IO, "%s: cannot open for writing", path);
  odai_graph *mg = (odai_graph *)g;
  static const char *const kinds[] = {"open", "process", "close"};
  pthread_mutex_lock(&mg->mu);
  fprintf(f, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
  fprintf(f, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"args\":{\"name\":\"odai graph\"}}");
  for (size_t i = 0; i < g->trace_n; i++) {
    const odai_trace_event *e = &g->trace[i];
    fprintf(f, ",\n{\"name\":");
    json_str(f, g->nodes[e->node]->name);
    fprintf(f, ",\"cat\":\"%s\",\"ph\":\"X\",\"pid\":1,\"tid\":%u,\"ts\":%.3f,\"dur\":%.3f",
            kinds[e->kind], e->tid, (double)e->start_ns / 1000.0, (double)e->dur_ns / 1000.0);
    if (odai_ts_is_range(e->ts))
      fprintf(f, ",\"args\":{\"timestamp\":%" PRId64 "}", e->ts);
    fputc('}', f);
  }
  fprintf(f, "\n]}\n");
  pthread_mutex_unlock(&mg->mu);
  if (fclose(f)) return odai_error_set(err, ODAI_E_IO, "%s: write failed", path);
  return ODAI_OK;
}

void odai_graph_write_dot(const odai_graph *g, FILE *f) {
  if (!g || !f) return;
  fprintf(f, "digraph odai {\n  rankdir=TB;\n  node [shape=box, style=rounded];\n");
  for (size_t i = 0; i < g->n_streams; i++) {
    const odai_stream *s = g->streams[i];
    if (s->producer) continue;
    fprintf(f, "  \"in:%s\" [shape=ellipse, label=\"%s\"];\n", s->name, s->name);
  }
  for (size_t i = 0; i < g->n_nodes; i++) {
    const odai_node *n = g->nodes[i];
    fprintf(f, "  n%zu [label=\"%s\\n(%s)\"%s];\n", i, n->name, n->def->name,
            n->def == &odai_observer_def ? ", style=dotted" : "");
  }
  for (size_t i = 0; i < g->n_streams; i++) {
    const odai_stream *s = g->streams[i];
    for (size_t c = 0; c < s->n_consumers; c++) {
      const odai_in_port *p = s->consumers[c];
      if (s->producer)
        fprintf(f, "  n%d -> n%d", s->producer->id, p->node->id);
      else
        fprintf(f, "  \"in:%s\" -> n%d", s->name, p->node->id);
      fprintf(f, " [label=\"%s\"%s];\n", s->name, p->back_edge ? ", style=dashed, constraint=false" : "");
    }
  }
  fprintf(f, "}\n");
}
