/* graph/calc_ctx.c: the calculator context (include/odai/calculator.h):
 * what open/process/close see of their node. Runs on the node's scheduler
 * thread without the graph lock; it only touches the node's own invocation
 * state (inputs taken at dispatch, staged outputs flushed afterwards). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/graph_internal.h"

int odai_node_in_port(const odai_node *n, const char *tag, int index) {
  if (!tag) tag = "";
  for (int k = 0; k < n->n_in; k++)
    if (n->in[k].index == index && !strcmp(n->in[k].tag, tag)) return k;
  return -1;
}

int odai_node_out_port(const odai_node *n, const char *tag, int index) {
  if (!tag) tag = "";
  for (int k = 0; k < n->n_out; k++)
    if (n->out[k].index == index && !strcmp(n->out[k].tag, tag)) return k;
  return -1;
}

void *odai_calc_state(odai_calc_ctx *ctx) { return ctx->node->state; }
const char *odai_calc_node_name(const odai_calc_ctx *ctx) { return ctx->node->name; }
const odai_options *odai_calc_options(const odai_calc_ctx *ctx) { return ctx->node->options; }
odai_timestamp odai_calc_timestamp(const odai_calc_ctx *ctx) { return ctx->node->cur_ts; }

int odai_calc_input_count(const odai_calc_ctx *ctx, const char *tag) {
  const odai_node *n = ctx->node;
  int c = 0;
  for (int k = 0; k < n->n_in; k++)
    if (!strcmp(n->in[k].tag, tag ? tag : "") && n->in[k].index + 1 > c) c = n->in[k].index + 1;
  return c;
}

int odai_calc_output_count(const odai_calc_ctx *ctx, const char *tag) {
  const odai_node *n = ctx->node;
  int c = 0;
  for (int k = 0; k < n->n_out; k++)
    if (!strcmp(n->out[k].tag, tag ? tag : "") && n->out[k].index + 1 > c) c = n->out[k].index + 1;
  return c;
}

const odai_packet *odai_calc_input(const odai_calc_ctx *ctx, const char *tag, int index) {
  int k = odai_node_in_port(ctx->node, tag, index);
  return k < 0 ? NULL : ctx->node->cur_in[k];
}

int odai_calc_num_inputs(const odai_calc_ctx *ctx) { return ctx->node->n_in; }

const char *odai_calc_input_tag_at(const odai_calc_ctx *ctx, int k, int *index) {
  const odai_node *n = ctx->node;
  if (k < 0 || k >= n->n_in) return NULL;
  if (index) *index = n->in[k].index;
  return n->in[k].tag;
}

const odai_packet *odai_calc_input_at(const odai_calc_ctx *ctx, int k) {
  const odai_node *n = ctx->node;
  return k >= 0 && k < n->n_in ? n->cur_in[k] : NULL;
}

odai_timestamp odai_calc_input_bound(const odai_calc_ctx *ctx, const char *tag, int index) {
  int k = odai_node_in_port(ctx->node, tag, index);
  return k < 0 ? ODAI_TS_DONE : ctx->node->cur_bound[k];
}

bool odai_calc_input_done(const odai_calc_ctx *ctx, const char *tag, int index) {
  return odai_calc_input_bound(ctx, tag, index) == ODAI_TS_DONE;
}

odai_status odai_calc_error(odai_calc_ctx *ctx, odai_status code, const char *fmt, ...) {
  odai_node *n = ctx->node;
  if (n->has_err) return code; /* keep the first message of this call */
  char tsb[48] = "";
  if (n->cur_ts != ODAI_TS_UNSET) {
    char t[24];
    snprintf(tsb, sizeof tsb, " at ts %s", odai_ts_str(n->cur_ts, t, sizeof t));
  }
  const char *where = n->kind == 0 ? "open" : n->kind == 2 ? "close" : "process";
  int len;
  if (n->cfg && n->cfg->pos.file)
    len = snprintf(n->err, sizeof n->err, "%s:%d:%d: node '%s' (%s) %s%s: ", n->cfg->pos.file,
                   n->cfg->pos.line, n->cfg->pos.col, n->name, n->def->name, where, tsb);
  else
    len = snprintf(n->err, sizeof n->err, "node '%s' (%s) %s%s: ", n->name, n->def->name, where,
                   tsb);
  if (len < 0) len = 0;
  if ((size_t)len < sizeof n->err) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(n->err + len, sizeof n->err - (size_t)len, fmt, ap);
    va_end(ap);
  }
  n->has_err = true;
  return code;
}

odai_status odai_calc_output(odai_calc_ctx *ctx, const char *tag, int index, odai_packet *pkt) {
  odai_node *n = ctx->node;
  if (!pkt) return odai_calc_error(ctx, ODAI_E_INVALID, "NULL packet on output");
  int k = odai_node_out_port(n, tag, index);
  if (k < 0) {
    odai_packet_unref(pkt);
    if (odai_port_decls_find(&n->contract.out, tag ? tag : "")) return ODAI_OK; /* unconnected */
    return odai_calc_error(ctx, ODAI_E_INVALID, "output tag '%s' is not declared", tag ? tag : "");
  }
  odai_out_port *o = &n->out[k];
  odai_timestamp ts = odai_packet_timestamp(pkt);
  if (ts == ODAI_TS_UNSET) {
    odai_packet *p2 = odai_packet_at(pkt, n->cur_ts);
    odai_packet_unref(pkt);
    if (!p2) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
    pkt = p2;
    ts = n->cur_ts;
  }
  odai_timestamp lower = o->stream->bound > o->staged_next ? o->stream->bound : o->staged_next;
  if (!odai_ts_is_allowed_in_stream(ts) || ts < lower) {
    char a[32], b[32];
    odai_packet_unref(pkt);
    return odai_calc_error(ctx, ODAI_E_INVALID,
                           "output '%s:%d' (stream '%s'): timestamp %s is not allowed (must be >= %s)",
                           o->tag, o->index, o->stream->name, odai_ts_str(ts, a, sizeof a),
                           odai_ts_str(lower, b, sizeof b));
  }
  if (o->type != &odai_type_any && odai_packet_type(pkt) != o->type) {
    const char *got = odai_packet_type(pkt)->name;
    odai_packet_unref(pkt);
    return odai_calc_error(ctx, ODAI_E_INVALID, "output '%s:%d': packet of type %s, declared %s",
                           o->tag, o->index, got, o->type->name);
  }
  if (o->n_pending == o->cap_pending) {
    uint32_t cap = o->cap_pending ? o->cap_pending * 2 : 4;
    odai_packet **v = realloc(o->pending, cap * sizeof *v);
    if (!v) {
      odai_packet_unref(pkt);
      return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
    }
    o->pending = v;
    o->cap_pending = cap;
  }
  o->pending[o->n_pending++] = pkt;
  o->staged_next = odai_ts_next_allowed(ts);
  return ODAI_OK;
}

odai_status odai_calc_set_bound(odai_calc_ctx *ctx, const char *tag, int index,
                                odai_timestamp ts) {
  odai_node *n = ctx->node;
  int k = odai_node_out_port(n, tag, index);
  if (k < 0) return ODAI_OK;
  if (ts > n->out[k].staged_bound) n->out[k].staged_bound = ts;
  return ODAI_OK;
}

odai_status odai_calc_close_output(odai_calc_ctx *ctx, const char *tag, int index) {
  odai_node *n = ctx->node;
  int k = odai_node_out_port(n, tag, index);
  if (k >= 0) n->out[k].close_req = true;
  return ODAI_OK;
}

const odai_packet *odai_calc_side_input(const odai_calc_ctx *ctx, const char *tag, int index) {
  const odai_node *n = ctx->node;
  for (int k = 0; k < n->n_side_in; k++)
    if (n->side_in[k].index == index && !strcmp(n->side_in[k].tag, tag ? tag : ""))
      return n->side_in[k].pkt;
  return NULL;
}

odai_status odai_calc_side_output(odai_calc_ctx *ctx, const char *tag, int index,
                                  odai_packet *pkt) {
  odai_node *n = ctx->node;
  for (int k = 0; k < n->n_side_out; k++) {
    if (n->side_out[k].index == index && !strcmp(n->side_out[k].tag, tag ? tag : "")) {
      odai_packet_unref(n->side_out[k].pkt);
      n->side_out[k].pkt = pkt;
      return ODAI_OK;
    }
  }
  odai_packet_unref(pkt);
  return ODAI_OK; /* unconnected */
}
