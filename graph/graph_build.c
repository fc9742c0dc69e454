/* graph/graph_build.c: turns a parsed (and subgraph-expanded) config into
 * the runtime graph of graph/graph_internal.h, validating it on the way:
 * unknown calculators, port tags/indices against each contract, streams
 * without or with two producers, producer/consumer type mismatches, cycles
 * without back_edge and unknown executors. Every error names the node(s)
 * and the config position. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "graph/graph_internal.h"
#include "graph/options.h"
#include "odai/options.h"

static odai_status pos_err(odai_error *err, odai_status code, odai_srcpos pos, const char *fmt,
                           ...) ODAI_PRINTF(4, 5);
static odai_status pos_err(odai_error *err, odai_status code, odai_srcpos pos, const char *fmt,
                           ...) {
  char msg[ODAI_ERROR_MESSAGE_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return odai_error_set(err, code, "%s:%d:%d: %s", pos.file ? pos.file : "<config>", pos.line,
                        pos.col, msg);
}

static void *zalloc(size_t n) { return calloc(1, n ? n : 1); }

odai_stream *odai_graph_find_stream(const odai_graph *g, const char *name) {
  for (size_t i = 0; i < g->n_streams; i++)
    if (!strcmp(g->streams[i]->name, name)) return g->streams[i];
  return NULL;
}

static odai_stream *new_stream(odai_graph *g, const char *name, odai_srcpos pos) {
  odai_stream *s = zalloc(sizeof *s);
  odai_stream **v = realloc(g->streams, (g->n_streams + 1) * sizeof *v);
  if (!s || !v) {
    free(s);
    if (v) g->streams = v;
    return NULL;
  }
  g->streams = v;
  s->name = name;
  s->pos = pos;
  s->bound = ODAI_TS_UNSTARTED;
  s->type = &odai_type_any;
  g->streams[g->n_streams++] = s;
  return s;
}

static odai_status add_consumer(odai_stream *s, odai_in_port *p) {
  odai_in_port **v = realloc(s->consumers, (s->n_consumers + 1) * sizeof *v);
  if (!v) return ODAI_E_NOMEM;
  s->consumers = v;
  s->consumers[s->n_consumers++] = p;
  return ODAI_OK;
}

/* "TAG:name" as written in graph-level input_stream/output_stream → name. */
static const char *ref_name(const char *written) {
  const char *c = strrchr(written, ':');
  return c ? c + 1 : written;
}

static const char *tag_list(const odai_port_decls *d, char *buf, size_t n) {
  size_t o = 0;
  buf[0] = 0;
  for (int i = 0; i < d->n && o < n; i++)
    o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "",
                          d->v[i].tag[0] ? d->v[i].tag : "(untagged)");
  if (!d->n) snprintf(buf, n, "none");
  return buf;
}

/* Resolve each reference's (tag, index) against declarations; check counts
 * and required tags. Untagged refs are indexed in order. */
static odai_status check_refs(const odai_node *n, const odai_stream_refs *refs,
                              const odai_port_decls *decls, const char *kind, int *indices,
                              const odai_type **types, odai_error *err) {
  char tags[256];
  int untagged = 0;
  for (size_t i = 0; i < refs->n; i++) {
    const odai_stream_ref *r = &refs->v[i];
    int idx = r->tag[0] ? r->index : untagged++;
    const odai_port_decl *d = odai_port_decls_find(decls, r->tag);
    if (!d)
      return pos_err(err, ODAI_E_INVALID, r->pos,
                     "node '%s' (%s): %s tag '%s' is not accepted (accepted: %s)", n->name,
                     n->def->name, kind, r->tag[0] ? r->tag : "(untagged)",
                     tag_list(decls, tags, sizeof tags));
    if (idx > 0 && !(d->flags & ODAI_PORT_MULTIPLE))
      return pos_err(err, ODAI_E_INVALID, r->pos,
                     "node '%s' (%s): %s '%s' takes one port, got index %d", n->name,
                     n->def->name, kind, r->tag[0] ? r->tag : "(untagged)", idx);
    for (size_t j = 0; j < i; j++) {
      const odai_stream_ref *q = &refs->v[j];
      if (!strcmp(q->tag, r->tag) && r->tag[0] && q->index == r->index)
        return pos_err(err, ODAI_E_INVALID, r->pos, "node '%s' (%s): %s '%s:%d' connected twice",
                       n->name, n->def->name, kind, r->tag, r->index);
    }
    indices[i] = idx;
    types[i] = d->type;
  }
  for (int k = 0; k < decls->n; k++) {
    if (decls->v[k].flags & ODAI_PORT_OPTIONAL) continue;
    bool found = false;
    for (size_t i = 0; i < refs->n && !found; i++) found = !strcmp(refs->v[i].tag, decls->v[k].tag);
    if (!found)
      return pos_err(err, ODAI_E_INVALID, n->cfg->pos, "node '%s' (%s): required %s '%s' is not connected",
                     n->name, n->def->name, kind,
                     decls->v[k].tag[0] ? decls->v[k].tag : "(untagged)");
  }
  return ODAI_OK;
}

static bool is_back_edge(const odai_node_config *nc, const char *tag, int index) {
  for (size_t i = 0; i < nc->n_input_stream_info; i++) {
    const odai_input_stream_info *info = &nc->input_stream_info[i];
    if (!info->back_edge) continue;
    const char *ti = info->tag_index ? info->tag_index : "";
    const char *colon = strchr(ti, ':');
    size_t tl = colon ? (size_t)(colon - ti) : strlen(ti);
    int idx = colon ? atoi(colon + 1) : 0;
    if (strlen(tag) == tl && !strncmp(ti, tag, tl) && idx == index) return true;
  }
  return false;
}


/* Case-insensitive edit distance of two short names (capped at 64 chars). */
static size_t name_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 64 || lb > 64) return (size_t)-1;
  size_t row[65];
  for (size_t j = 0; j <= lb; j++) row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
      size_t v = diag + cost;
      if (row[j] + 1 < v) v = row[j] + 1;
      if (row[j - 1] + 1 < v) v = row[j - 1] + 1;
      row[j] = v;
      diag = up;
    }
  }
  return row[lb];
}

/* The known calculator closest to a misspelt name ("PassThrough",
 * "FlowLimiterCalculater"), or NULL when none is close. */
static const char *closest_calculator(const char *name) {
  const char *best = NULL;
  size_t best_d = (size_t)-1, len = strlen(name);
  for (size_t i = 0; odai_calculator_at(i); i++) {
    const char *c = odai_calculator_at(i)->name;
    size_t cl = strlen(c);
    size_t d = name_distance(name, c);
    /* "X" for "XCalculator" */
    if (cl == len + 10 && !strncasecmp(c, name, len) && !strcmp(c + len, "Calculator")) d = 1;
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  size_t limit = len / 4 > 2 ? len / 4 : 2;
  return best_d <= limit ? best : NULL;
}

static odai_status build_node(odai_graph *g, size_t i, odai_error *err) {
  const odai_node_config *nc = &g->cfg->nodes[i];
  odai_node *n = g->nodes[i];
  n->id = (int)i;
  n->cfg = nc;
  n->ctx.node = n;
  n->ctx.graph = g;
  /* name: as configured, else the calculator name (+ _index if repeated) */
  const char *base = nc->name && nc->name[0] ? nc->name : nc->calculator;
  bool dup = false;
  for (size_t j = 0; j < g->cfg->n_nodes && !dup; j++) {
    const odai_node_config *o = &g->cfg->nodes[j];
    const char *ob = o->name && o->name[0] ? o->name : o->calculator;
    dup = j != i && !strcmp(ob, base);
  }
  size_t len = strlen(base) + 24;
  n->name = malloc(len);
  if (!n->name) return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  if (dup)
    snprintf(n->name, len, "%s_%zu", base, i);
  else
    snprintf(n->name, len, "%s", base);

  n->def = odai_calculator_find(nc->calculator);
  if (!n->def) {
    const char *near = closest_calculator(nc->calculator);
    return pos_err(err, ODAI_E_NOT_FOUND, nc->pos,
                   "node '%s': unknown calculator or subgraph '%s'%s%s%s (odai-run --list-calculators lists them)",
                   n->name, nc->calculator, near ? ", did you mean '" : "", near ? near : "", near ? "'?" : "");
  }
  odai_contract *c = &n->contract;
  if (odai_contract_run(n->def, nc, c) != ODAI_OK)
    return pos_err(err, c->err_code, nc->pos, "node '%s' (%s): %s", n->name, n->def->name, c->err);

  size_t maxr = nc->input_streams.n;
  if (nc->output_streams.n > maxr) maxr = nc->output_streams.n;
  if (nc->input_side_packets.n > maxr) maxr = nc->input_side_packets.n;
  if (nc->output_side_packets.n > maxr) maxr = nc->output_side_packets.n;
  int *idx = zalloc((maxr + 1) * sizeof *idx);
  const odai_type **types = zalloc((maxr + 1) * sizeof *types);
  odai_status st = ODAI_OK;
  if (!idx || !types) {
    st = odai_error_set(err, ODAI_E_NOMEM, "out of memory");
    goto out;
  }

  n->n_in = (int)nc->input_streams.n;
  n->in = zalloc((size_t)n->n_in * sizeof *n->in);
  n->cur_in = zalloc((size_t)n->n_in * sizeof *n->cur_in);
  n->cur_bound = zalloc((size_t)n->n_in * sizeof *n->cur_bound);
  if (!n->in || !n->cur_in || !n->cur_bound) {
    st = odai_error_set(err, ODAI_E_NOMEM, "out of memory");
    goto out;
  }
  if ((st = check_refs(n, &nc->input_streams, &c->in, "input stream", idx, types, err))) goto out;
  for (int k = 0; k < n->n_in; k++) {
    odai_in_port *p = &n->in[k];
    p->tag = nc->input_streams.v[k].tag;
    p->index = idx[k];
    p->stream_name = nc->input_streams.v[k].name;
    p->type = types[k];
    p->node = n;
    p->back_edge = is_back_edge(nc, p->tag, p->index);
    p->bound = ODAI_TS_UNSTARTED;
    p->cap = 16;
    p->ring = zalloc(p->cap * sizeof *p->ring);
    if (!p->ring) {
      st = odai_error_set(err, ODAI_E_NOMEM, "out of memory");
      goto out;
    }
  }

  n->n_out = (int)nc->output_streams.n;
  n->out = zalloc((size_t)n->n_out * sizeof *n->out);
  if (!n->out) {
    st = odai_error_set(err, ODAI_E_NOMEM, "out of memory");
    goto out;
  }
  if ((st = check_refs(n, &nc->output_streams, &c->out, "output stream", idx, types, err)))
    goto out;
  for (int k = 0; k < n->n_out; k++) {
    odai_out_port *p = &n->out[k];
    const odai_stream_ref *r = &nc->output_streams.v[k];
    p->tag = r->tag;
    p->index = idx[k];
    p->type = types[k];
    p->staged_bound = ODAI_TS_UNSET;
    p->staged_next = ODAI_TS_UNSET;
    odai_stream *s = odai_graph_find_stream(g, r->name);
    if (s) {
      if (s->producer)
        st = pos_err(err, ODAI_E_INVALID, r->pos,
                     "stream '%s' has two producers: node '%s' and node '%s' (%s:%d:%d)", r->name,
                     n->name, s->producer->name, s->pos.file, s->pos.line, s->pos.col);
      else
        st = pos_err(err, ODAI_E_INVALID, r->pos,
                     "stream '%s' has two producers: node '%s' and the graph input stream",
                     r->name, n->name);
      goto out;
    }
    if (!(s = new_stream(g, r->name, r->pos))) {
      st = odai_error_set(err, ODAI_E_NOMEM, "out of memory");
      goto out;
    }
    s->producer = n;
    s->producer_port = k;
    s->type = p->type;
    p->stream = s;
  }

  n->n_side_in = (int)nc->input_side_packets.n;
  n->n_side_out = (int)nc->output_side_packets.n;
  n->side_in = zalloc((size_t)n->n_side_in * sizeof *n->side_in);
  n->side_out = zalloc((size_t)n->n_side_out * sizeof *n->side_out);
  if (!n->side_in || !n->side_out) {
    st = odai_error_set(err, ODAI_E_NOMEM, "out of memory");
    goto out;
  }
  if ((st = check_refs(n, &nc->input_side_packets, &c->side_in, "input side packet", idx, types,
                       err)))
    goto out;
  for (int k = 0; k < n->n_side_in; k++) {
    n->side_in[k].tag = nc->input_side_packets.v[k].tag;
    n->side_in[k].index = idx[k];
    n->side_in[k].name = nc->input_side_packets.v[k].name;
    n->side_in[k].type = types[k];
  }
  if ((st = check_refs(n, &nc->output_side_packets, &c->side_out, "output side packet", idx,
                       types, err)))
    goto out;
  for (int k = 0; k < n->n_side_out; k++) {
    n->side_out[k].tag = nc->output_side_packets.v[k].tag;
    n->side_out[k].index = idx[k];
    n->side_out[k].name = nc->output_side_packets.v[k].name;
    n->side_out[k].type = types[k];
  }

  const char *h = nc->input_stream_handler && nc->input_stream_handler[0]
                      ? nc->input_stream_handler
                      : (c->handler ? c->handler : g->cfg->input_stream_handler);
  n->immediate = h && !strcmp(h, "ImmediateInputStreamHandler");
  if (h && !strcmp(h, "FixedSizeInputStreamHandler")) {
    const odai_options *ho = nc->input_stream_handler_options;
    const char *ext = "[mediapipe.FixedSizeInputStreamHandlerOptions.ext].";
    char path[128];
    snprintf(path, sizeof path, "%strigger_queue_size", ext);
    int64_t trig = odai_options_get_int(ho, path, odai_options_get_int(ho, "trigger_queue_size", 2));
    snprintf(path, sizeof path, "%starget_queue_size", ext);
    int64_t targ = odai_options_get_int(ho, path, odai_options_get_int(ho, "target_queue_size", 1));
    if (trig < 1 || targ < 1 || targ > trig) {
      st = pos_err(err, ODAI_E_INVALID, nc->pos,
                     "node '%s': FixedSizeInputStreamHandler needs 1 <= target_queue_size <= "
                     "trigger_queue_size (got %lld, %lld)",
                   n->name, (long long)targ, (long long)trig);
      goto out;
    }
    n->fixed_trigger = (uint32_t)trig;
    n->fixed_target = (uint32_t)targ;
  } else if (h && h[0] && !n->immediate && strcmp(h, "DefaultInputStreamHandler") &&
             strcmp(h, "SyncSetInputStreamHandler") && strcmp(h, "EarlyCloseInputStreamHandler")) {
    st = pos_err(err, ODAI_E_UNSUPPORTED,
                   nc->pos, "node '%s' (%s): unknown input_stream_handler '%s' (known: "
                   "DefaultInputStreamHandler, ImmediateInputStreamHandler, "
                   "FixedSizeInputStreamHandler, SyncSetInputStreamHandler, "
                   "EarlyCloseInputStreamHandler)",
                   n->name, n->def->name, h);
    goto out;
  }
  n->process_bounds = c->process_bounds;
  n->has_offset = c->has_offset;
  n->offset = c->offset;
  n->options = c->options_type ? odai_node_options(nc, c->options_type) : nc->options;
  if (n->def->state_size) {
    n->state = zalloc(n->def->state_size);
    if (!n->state) st = odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  }
out:
  free(idx);
  free(types);
  return st;
}

/* Depth-first search for a cycle over non-back-edge inputs. */
static odai_status find_cycle(odai_graph *g, odai_node *n, char *color, odai_node **stack,
                              int depth, odai_error *err) {
  color[n->id] = 1;
  stack[depth] = n;
  for (int k = 0; k < n->n_out; k++) {
    odai_stream *s = n->out[k].stream;
    for (size_t c = 0; c < s->n_consumers; c++) {
      odai_in_port *p = s->consumers[c];
      if (p->back_edge) continue;
      odai_node *m = p->node;
      if (color[m->id] == 1) {
        char path[384];
        size_t o = 0;
        int start = depth;
        while (start > 0 && stack[start] != m) start--;
        for (int i = start; i <= depth && o < sizeof path; i++)
          o += (size_t)snprintf(path + o, sizeof path - o, "'%s' -> ", stack[i]->name);
        if (o < sizeof path) snprintf(path + o, sizeof path - o, "'%s'", m->name);
        return pos_err(err, ODAI_E_INVALID, m->cfg->pos,
                       "cycle without back_edge: %s (stream '%s'); mark the loop input with "
                       "input_stream_info { tag_index: \"%s%s%d\" back_edge: true }",
                       path, s->name, p->tag, p->tag[0] ? ":" : ":", p->index);
      }
      if (color[m->id] == 0) {
        odai_status st = find_cycle(g, m, color, stack, depth + 1, err);
        if (st) return st;
      }
    }
  }
  color[n->id] = 2;
  return ODAI_OK;
}

static odai_executor *new_executor(odai_graph *g, const char *name, int n_threads) {
  odai_executor *e = zalloc(sizeof *e);
  odai_executor **v = realloc(g->execs, (g->n_execs + 1) * sizeof *v);
  if (v) g->execs = v;
  if (!e || !v || !(e->name = strdup(name))) {
    free(e);
    return NULL;
  }
  e->n_threads = n_threads;
  e->graph = g;
  pthread_cond_init(&e->cv, NULL);
  g->execs[g->n_execs++] = e;
  return e;
}

static odai_status link_graph(odai_graph *g, odai_error *err) {
  /* consumers */
  for (size_t i = 0; i < g->n_nodes; i++) {
    odai_node *n = g->nodes[i];
    for (int k = 0; k < n->n_in; k++) {
      odai_in_port *p = &n->in[k];
      const odai_stream_ref *r = &n->cfg->input_streams.v[k];
      odai_stream *s = odai_graph_find_stream(g, p->stream_name);
      if (!s)
        return pos_err(err, ODAI_E_INVALID, r->pos,
                       "node '%s' (%s): input stream '%s' has no producer (no node outputs it and "
                       "it is not a graph input_stream)",
                       n->name, n->def->name, p->stream_name);
      if (!odai_type_compatible(s->type, p->type))
        return pos_err(err, ODAI_E_INVALID, r->pos,
                       "type mismatch on stream '%s': node '%s' produces %s but node '%s' (%s) "
                       "expects %s",
                       s->name, s->producer ? s->producer->name : "(graph input)", s->type->name,
                       n->name, n->def->name, p->type->name);
      p->stream = s;
      if (add_consumer(s, p)) return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
    }
  }
  for (size_t i = 0; i < g->cfg->n_output_streams; i++) {
    const char *name = ref_name(g->cfg->output_streams[i]);
    if (!odai_graph_find_stream(g, name))
      return odai_error_set(err, ODAI_E_INVALID, "%s: graph output_stream '%s' has no producer",
                            g->cfg->source_name ? g->cfg->source_name : "<config>", name);
  }
  /* cycles */
  char *color = zalloc(g->n_nodes);
  odai_node **stack = zalloc((g->n_nodes + 1) * sizeof *stack);
  odai_status st = ODAI_OK;
  if (!color || !stack) st = odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  for (size_t i = 0; i < g->n_nodes && !st; i++)
    if (!color[i]) st = find_cycle(g, g->nodes[i], color, stack, 0, err);
  free(color);
  free(stack);
  if (st) return st;

  /* executors: the default one plus the named ones of the config */
  if (!new_executor(g, "", 0)) return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  for (size_t i = 0; i < g->cfg->n_executors; i++) {
    const odai_executor_config *ec = &g->cfg->executors[i];
    const char *name = ec->name ? ec->name : "";
    if (!name[0]) {
      if (ec->num_threads > 0) g->execs[0]->n_threads = ec->num_threads;
      continue;
    }
    for (size_t j = 1; j < g->n_execs; j++)
      if (!strcmp(g->execs[j]->name, name))
        return pos_err(err, ODAI_E_INVALID, ec->pos, "executor '%s' declared twice", name);
    if (!new_executor(g, name, ec->num_threads > 0 ? ec->num_threads : 1))
      return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  }
  for (size_t i = 0; i < g->n_nodes; i++) {
    odai_node *n = g->nodes[i];
    const char *en = n->cfg->executor ? n->cfg->executor : "";
    n->ex = NULL;
    for (size_t j = 0; j < g->n_execs && !n->ex; j++)
      if (!strcmp(g->execs[j]->name, en)) n->ex = g->execs[j];
    if (!n->ex)
      return pos_err(err, ODAI_E_INVALID, n->cfg->pos, "node '%s' (%s): unknown executor '%s'",
                     n->name, n->def->name, en);
  }
  return ODAI_OK;
}

odai_status odai_graph_build(odai_graph_config *cfg, odai_graph **out, odai_error *err) {
  *out = NULL;
  odai_graph *g = zalloc(sizeof *g);
  if (!g) {
    odai_config_free(cfg);
    return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  }
  g->cfg = cfg;
  pthread_mutex_init(&g->mu, NULL);
  pthread_mutex_init(&g->join_mu, NULL);
  pthread_cond_init(&g->done_cv, NULL);
  pthread_cond_init(&g->space_cv, NULL);
  odai_status st = ODAI_OK;
  g->nodes = zalloc((cfg->n_nodes + 1) * sizeof *g->nodes);
  if (!g->nodes) {
    st = odai_error_set(err, ODAI_E_NOMEM, "out of memory");
    goto fail;
  }
  /* graph input streams first, so nodes that output them are reported */
  for (size_t i = 0; i < cfg->n_input_streams; i++) {
    const char *name = ref_name(cfg->input_streams[i]);
    odai_srcpos pos = {cfg->source_name, 0, 0};
    if (odai_graph_find_stream(g, name)) {
      st = odai_error_set(err, ODAI_E_INVALID, "%s: graph input_stream '%s' listed twice",
                          cfg->source_name ? cfg->source_name : "<config>", name);
      goto fail;
    }
    if (!new_stream(g, name, pos)) {
      st = odai_error_set(err, ODAI_E_NOMEM, "out of memory");
      goto fail;
    }
  }
  for (size_t i = 0; i < cfg->n_nodes; i++) {
    if (!(g->nodes[i] = zalloc(sizeof *g->nodes[i]))) {
      st = odai_error_set(err, ODAI_E_NOMEM, "out of memory");
      goto fail;
    }
    g->n_nodes = i + 1;
    if ((st = build_node(g, i, err))) goto fail;
  }
  if ((st = link_graph(g, err))) goto fail;
  g->max_queue = cfg->max_queue_size == 0 ? ODAI_DEFAULT_MAX_QUEUE_SIZE : cfg->max_queue_size;
  g->num_threads = 0;
  *out = g;
  return ODAI_OK;
fail:
  odai_graph_free(g);
  return st;
}

odai_status odai_graph_add_sink(odai_graph *g, const char *stream, odai_packet_callback cb,
                                void *user, odai_poller *poller, odai_error *err) {
  odai_stream *s = odai_graph_find_stream(g, stream);
  if (!s) return odai_error_set(err, ODAI_E_NOT_FOUND, "no stream named '%s' in the graph", stream);
  if (g->started) return odai_error_set(err, ODAI_E_INVALID, "graph already started");
  odai_node *n = zalloc(sizeof *n);
  odai_node **v = realloc(g->nodes, (g->n_nodes + 2) * sizeof *v);
  if (v) g->nodes = v;
  if (!n || !v) goto nomem;
  n->id = (int)g->n_nodes;
  size_t len = strlen(stream) + 32;
  if (!(n->name = malloc(len))) goto nomem;
  snprintf(n->name, len, "%s_%s", poller ? "__poller" : "__observer", stream);
  n->def = &odai_observer_def;
  n->ctx.node = n;
  n->ctx.graph = g;
  n->cb = cb;
  n->cb_user = user;
  n->poller = poller;
  n->immediate = true;
  n->ex = g->execs[0];
  n->n_in = 1;
  n->in = zalloc(sizeof *n->in);
  n->cur_in = zalloc(sizeof *n->cur_in);
  n->cur_bound = zalloc(sizeof *n->cur_bound);
  if (!n->in || !n->cur_in || !n->cur_bound) goto nomem;
  odai_in_port *p = &n->in[0];
  p->tag = "";
  p->stream_name = s->name;
  p->type = &odai_type_any;
  p->stream = s;
  p->node = n;
  p->bound = ODAI_TS_UNSTARTED;
  p->cap = 16;
  if (!(p->ring = zalloc(p->cap * sizeof *p->ring))) goto nomem;
  if (add_consumer(s, p)) goto nomem;
  g->nodes[g->n_nodes++] = n;
  return ODAI_OK;
nomem:
  if (n) {
    free(n->name);
    if (n->in) free(n->in->ring);
    free(n->in);
    free(n->cur_in);
    free(n->cur_bound);
    free(n);
  }
  return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
}

void odai_graph_free(odai_graph *g) {
  if (!g) return;
  for (size_t i = 0; i < g->n_nodes; i++) {
    odai_node *n = g->nodes[i];
    if (!n) continue;
    for (int k = 0; k < n->n_in; k++) {
      odai_in_port *p = &n->in[k];
      for (uint32_t j = 0; j < p->count; j++)
        odai_packet_unref(p->ring[(p->head + j) & (p->cap - 1)]);
      free(p->ring);
      if (n->cur_in[k]) odai_packet_unref(n->cur_in[k]);
    }
    for (int k = 0; k < n->n_out; k++) {
      for (uint32_t j = 0; j < n->out[k].n_pending; j++) odai_packet_unref(n->out[k].pending[j]);
      free(n->out[k].pending);
    }
    for (int k = 0; k < n->n_side_in; k++) odai_packet_unref(n->side_in[k].pkt);
    for (int k = 0; k < n->n_side_out; k++) odai_packet_unref(n->side_out[k].pkt);
    free(n->in);
    free(n->out);
    free(n->cur_in);
    free(n->cur_bound);
    free(n->side_in);
    free(n->side_out);
    free(n->state);
    free(n->name);
    free(n);
  }
  free(g->nodes);
  for (size_t i = 0; i < g->n_streams; i++) {
    free(g->streams[i]->consumers);
    free(g->streams[i]);
  }
  free(g->streams);
  for (size_t i = 0; i < g->n_execs; i++) {
    pthread_cond_destroy(&g->execs[i]->cv);
    free(g->execs[i]->threads);
    free(g->execs[i]->name);
    free(g->execs[i]);
  }
  free(g->execs);
  for (size_t i = 0; i < g->n_sides; i++) {
    free(g->sides[i].name);
    odai_packet_unref(g->sides[i].pkt);
  }
  free(g->sides);
  for (size_t i = 0; i < g->n_pollers; i++) {
    odai_poller *p = g->pollers[i];
    for (size_t j = 0; j < p->count; j++) odai_packet_unref(p->q[(p->head + j) % p->cap]);
    free(p->q);
    pthread_cond_destroy(&p->cv);
    free(p);
  }
  free(g->pollers);
  free(g->trace);
  free(g->sources);
  pthread_mutex_destroy(&g->mu);
  pthread_mutex_destroy(&g->join_mu);
  pthread_cond_destroy(&g->done_cv);
  pthread_cond_destroy(&g->space_cv);
  odai_config_free(g->cfg);
  free(g);
}
