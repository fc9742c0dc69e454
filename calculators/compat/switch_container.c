/* calculators/compat/switch_container.c: MediaPipe's SwitchContainer,
 * rewritten during subgraph expansion (graph/subgraph.c) into either the
 * one selected contained node (choice known from the options) or a
 * SwitchDemux -> channels -> SwitchMux chain (choice from a SELECT/ENABLE
 * side packet at run time; calculators in switch_calculators.c). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calculators/compat/switch_container.h"
#include "graph/config_text.h"
#include "graph/options.h"
#include "odai/options.h"

#define SC_OPTIONS "mediapipe.SwitchContainerOptions"

bool odai_switch_container_is(const char *calculator) {
  return calculator && strcmp(calculator, "SwitchContainer") == 0;
}

static odai_status nomem(odai_error *err) { return odai_error_set(err, ODAI_E_NOMEM, "out of memory"); }

static bool is_select_tag(const char *tag) { return strcmp(tag, "SELECT") == 0 || strcmp(tag, "ENABLE") == 0; }

static bool refs_add(odai_stream_refs *r, const char *tag, int index, const char *name, odai_srcpos pos) {
  odai_stream_ref *nv = realloc(r->v, (r->n + 1) * sizeof *nv);
  if (!nv) return false;
  r->v = nv;
  odai_stream_ref *x = &r->v[r->n];
  x->tag = strdup(tag);
  x->name = strdup(name);
  x->index = index;
  x->pos = pos;
  if (!x->tag || !x->name) {
    free(x->tag);
    free(x->name);
    return false;
  }
  r->n++;
  return true;
}

/* Channel k's tag for `tag`: "C<k>__TAG" (MediaPipe's switch tags). */
static void chan_tag(char *buf, size_t n, int k, const char *tag) { snprintf(buf, n, "C%d__%s", k, tag); }

/* Stream name of channel k: "<prefix>__c<k>__<name>". */
static void chan_name(char *buf, size_t n, const char *prefix, int k, const char *name) {
  snprintf(buf, n, "%s__c%d__%s", prefix, k, name);
}

/* Copy the contained node's calculator, name-independent options. */
static odai_status fill_contained(odai_node_config *d, const odai_pb_msg *cn, const odai_node_config *container,
                                  int k, odai_error *err) {
  const odai_pb_field *calc = odai_pb_msg_find(cn, "calculator", 0);
  if (!calc || calc->kind != ODAI_PB_STRING || !calc->s || !calc->s[0])
    return odai_error_set(err, ODAI_E_INVALID, "%s:%d:%d: SwitchContainer: contained_node %d has no calculator",
                          container->pos.file, container->pos.line, container->pos.col, k);
  if (!(d->calculator = strdup(calc->s))) return nomem(err);
  const odai_pb_field *o = odai_pb_msg_find(cn, "options", 0);
  if (o && o->kind == ODAI_PB_MESSAGE && o->msg && !(d->options = odai_pb_msg_clone(o->msg))) return nomem(err);
  size_t nno = odai_pb_msg_count(cn, "node_options");
  for (size_t i = 0; i < nno; i++) {
    const odai_pb_field *f = odai_pb_msg_find(cn, "node_options", i);
    if (f->kind != ODAI_PB_MESSAGE || !f->msg) continue;
    if (!d->node_options && !(d->node_options = calloc(1, sizeof *d->node_options))) return nomem(err);
    if (odai_pb_msg_merge(d->node_options, f->msg)) return nomem(err);
  }
  const odai_pb_field *h = odai_pb_msg_find(cn, "input_stream_handler", 0);
  if (h && h->kind == ODAI_PB_MESSAGE && h->msg) {
    const odai_pb_field *hn = odai_pb_msg_find(h->msg, "input_stream_handler", 0);
    if (hn && hn->kind == ODAI_PB_STRING && hn->s && !(d->input_stream_handler = strdup(hn->s))) return nomem(err);
  }
  const char *exec = container->executor && container->executor[0] ? container->executor : NULL;
  if (exec && !(d->executor = strdup(exec))) return nomem(err);
  d->pos = container->pos;
  return ODAI_OK;
}

static odai_status add_node(odai_graph_config *g, odai_node_config **out, odai_error *err) {
  odai_node_config *nv = realloc(g->nodes, (g->n_nodes + 1) * sizeof *nv);
  if (!nv) return nomem(err);
  g->nodes = nv;
  *out = &g->nodes[g->n_nodes++];
  memset(*out, 0, sizeof **out);
  return ODAI_OK;
}

static bool set_name(odai_node_config *n, const char *a, const char *b) {
  size_t l = strlen(a) + strlen(b) + 1;
  free(n->name);
  n->name = malloc(l);
  if (!n->name) return false;
  snprintf(n->name, l, "%s%s", a, b);
  return true;
}

static bool msg_add_int(odai_pb_msg *m, const char *name, int64_t v, odai_srcpos pos) {
  odai_pb_field f;
  memset(&f, 0, sizeof f);
  f.kind = ODAI_PB_INT;
  f.i = v;
  f.f = (double)v;
  f.pos = f.value_pos = pos;
  if (!(f.name = strdup(name)) || odai_pb_msg_append(m, &f)) {
    odai_pb_field_clear(&f);
    return false;
  }
  return true;
}

static bool msg_add_str(odai_pb_msg *m, const char *name, const char *s, odai_srcpos pos) {
  odai_pb_field f;
  memset(&f, 0, sizeof f);
  f.kind = ODAI_PB_STRING;
  f.pos = f.value_pos = pos;
  f.s = strdup(s);
  f.s_len = f.s ? strlen(s) : 0;
  if (!f.s || !(f.name = strdup(name)) || odai_pb_msg_append(m, &f)) {
    odai_pb_field_clear(&f);
    return false;
  }
  return true;
}

/* Options of the demux/mux: channels, the default choice and the side tags
 * they relay (contracts cannot enumerate side packet tags). */
static bool switch_options(odai_node_config *n, int channels, int select, const odai_stream_refs *sides,
                           odai_srcpos pos) {
  if (!(n->options = calloc(1, sizeof *n->options))) return false;
  if (!msg_add_int(n->options, "channels", channels, pos) || !msg_add_int(n->options, "select", select, pos))
    return false;
  for (size_t i = 0; sides && i < sides->n; i++) {
    bool dup = false;
    for (size_t j = 0; j < i; j++) dup |= strcmp(sides->v[j].tag, sides->v[i].tag) == 0;
    if (!dup && !msg_add_str(n->options, "side_tag", sides->v[i].tag, pos)) return false;
  }
  return true;
}

odai_status odai_switch_container_expand(const odai_node_config *node, const char *canon, odai_graph_config **out,
                                         odai_error *err) {
  *out = NULL;
  const odai_srcpos *pos = &node->pos;
  const odai_options *o = odai_node_options(node, SC_OPTIONS);
  size_t k_n = odai_options_count(o, "contained_node");
  if (k_n == 0)
    return odai_error_set(err, ODAI_E_INVALID, "%s:%d:%d: SwitchContainer '%s' has no contained_node in its options",
                          pos->file, pos->line, pos->col, canon);
  if (k_n > 64)
    return odai_error_set(err, ODAI_E_INVALID, "%s:%d:%d: SwitchContainer '%s': %zu contained nodes (at most 64)",
                          pos->file, pos->line, pos->col, canon, k_n);
  int select = (int)odai_options_get_int(o, "select", 0);
  if (!odai_options_has(o, "select") && odai_options_get_bool(o, "enable", false)) select = 1;
  bool runtime = false;
  for (size_t i = 0; i < node->input_side_packets.n; i++)
    runtime |= is_select_tag(node->input_side_packets.v[i].tag);
  if (!runtime && (select < 0 || (size_t)select >= k_n))
    return odai_error_set(err, ODAI_E_INVALID,
                          "%s:%d:%d: SwitchContainer '%s': select %d is out of range (it has %zu contained nodes)",
                          pos->file, pos->line, pos->col, canon, select, k_n);

  odai_graph_config *g = calloc(1, sizeof *g);
  if (!g) return nomem(err);
  odai_status st = ODAI_OK;
  /* stream-name prefix: the canonical name, lower case, as subgraph.c does */
  char prefix[256];
  size_t pl = 0;
  for (const char *c = canon; *c && pl + 1 < sizeof prefix; c++) {
    char ch = (char)tolower((unsigned char)*c);
    prefix[pl++] = isalnum((unsigned char)ch) ? ch : '_';
  }
  prefix[pl] = '\0';
  char buf[600], tag[300];
  odai_node_config *n = NULL;

  if (!runtime) {
    const odai_options *cn = odai_options_get_message_at(o, "contained_node", (size_t)select);
    if ((st = add_node(g, &n, err))) goto fail;
    if (!odai_node_config_clone_into(n, node)) goto oom;
    free(n->calculator);
    n->calculator = NULL;
    odai_pb_msg_free(n->options);
    odai_pb_msg_free(n->node_options);
    n->options = n->node_options = NULL;
    free(n->executor);
    n->executor = NULL;
    if ((st = fill_contained(n, cn, node, select, err))) goto fail;
    *out = g;
    return ODAI_OK;
  }

  /* ---- run-time selection: demux -> channels -> mux ---- */
  odai_stream_ref sel_refs[2];
  size_t n_sel = 0;
  for (size_t i = 0; i < node->input_side_packets.n; i++) {
    const odai_stream_ref *r = &node->input_side_packets.v[i];
    if (is_select_tag(r->tag)) {
      if (n_sel < 2) sel_refs[n_sel++] = *r;
    }
  }
  if (node->input_streams.n) {
    if ((st = add_node(g, &n, err))) goto fail;
    n->pos = *pos;
    if (!(n->calculator = strdup("SwitchDemuxCalculator")) || !set_name(n, canon, "__SwitchDemux")) goto oom;
    for (size_t i = 0; i < node->input_streams.n; i++) {
      const odai_stream_ref *r = &node->input_streams.v[i];
      if (!refs_add(&n->input_streams, r->tag, r->index, r->name, r->pos)) goto oom;
      for (int k = 0; k < (int)k_n; k++) {
        chan_tag(tag, sizeof tag, k, r->tag);
        chan_name(buf, sizeof buf, prefix, k, r->name);
        if (!refs_add(&n->output_streams, tag, r->index, buf, r->pos)) goto oom;
      }
    }
    for (size_t i = 0; i < n_sel; i++)
      if (!refs_add(&n->input_side_packets, sel_refs[i].tag, sel_refs[i].index, sel_refs[i].name, sel_refs[i].pos))
        goto oom;
    if (!switch_options(n, (int)k_n, select, NULL, *pos)) goto oom;
    if (node->executor && node->executor[0] && !(n->executor = strdup(node->executor))) goto oom;
  }
  for (int k = 0; k < (int)k_n; k++) {
    const odai_options *cn = odai_options_get_message_at(o, "contained_node", (size_t)k);
    if ((st = add_node(g, &n, err))) goto fail;
    if ((st = fill_contained(n, cn, node, k, err))) goto fail;
    snprintf(tag, sizeof tag, "__c%d", k);
    if (!set_name(n, canon, tag)) goto oom;
    const odai_stream_refs *lists[3] = {&node->input_streams, &node->output_streams, &node->output_side_packets};
    odai_stream_refs *dst[3] = {&n->input_streams, &n->output_streams, &n->output_side_packets};
    for (int L = 0; L < 3; L++)
      for (size_t i = 0; i < lists[L]->n; i++) {
        const odai_stream_ref *r = &lists[L]->v[i];
        chan_name(buf, sizeof buf, prefix, k, r->name);
        if (!refs_add(dst[L], r->tag, r->index, buf, r->pos)) goto oom;
      }
    for (size_t i = 0; i < node->input_side_packets.n; i++) {
      const odai_stream_ref *r = &node->input_side_packets.v[i];
      if (!is_select_tag(r->tag) && !refs_add(&n->input_side_packets, r->tag, r->index, r->name, r->pos)) goto oom;
    }
  }
  if (node->output_streams.n || node->output_side_packets.n) {
    if ((st = add_node(g, &n, err))) goto fail;
    n->pos = *pos;
    if (!(n->calculator = strdup("SwitchMuxCalculator")) || !set_name(n, canon, "__SwitchMux")) goto oom;
    for (size_t i = 0; i < node->output_streams.n; i++) {
      const odai_stream_ref *r = &node->output_streams.v[i];
      if (!refs_add(&n->output_streams, r->tag, r->index, r->name, r->pos)) goto oom;
      for (int k = 0; k < (int)k_n; k++) {
        chan_tag(tag, sizeof tag, k, r->tag);
        chan_name(buf, sizeof buf, prefix, k, r->name);
        if (!refs_add(&n->input_streams, tag, r->index, buf, r->pos)) goto oom;
      }
    }
    for (size_t i = 0; i < node->output_side_packets.n; i++) {
      const odai_stream_ref *r = &node->output_side_packets.v[i];
      if (!refs_add(&n->output_side_packets, r->tag, r->index, r->name, r->pos)) goto oom;
      for (int k = 0; k < (int)k_n; k++) {
        chan_tag(tag, sizeof tag, k, r->tag);
        chan_name(buf, sizeof buf, prefix, k, r->name);
        if (!refs_add(&n->input_side_packets, tag, r->index, buf, r->pos)) goto oom;
      }
    }
    for (size_t i = 0; i < n_sel; i++)
      if (!refs_add(&n->input_side_packets, sel_refs[i].tag, sel_refs[i].index, sel_refs[i].name, sel_refs[i].pos))
        goto oom;
    if (!switch_options(n, (int)k_n, select, &node->output_side_packets, *pos)) goto oom;
    if (node->executor && node->executor[0] && !(n->executor = strdup(node->executor))) goto oom;
  }
  *out = g;
  return ODAI_OK;
oom:
  st = nomem(err);
fail:
  odai_config_free(g);
  return st;
}
