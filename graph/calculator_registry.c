/* graph/calculator_registry.c: calculator lookup by name (built-in table
 * from calculators/registry.c plus run-time registrations) and the contract
 * API calculators use to declare their ports (include/odai/calculator.h). */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/graph_internal.h"
#include "graph/options.h"

static pthread_mutex_t g_calc_mu = PTHREAD_MUTEX_INITIALIZER;
static const odai_calculator_def **g_calcs; /* guarded by g_calc_mu */
static size_t g_n_calcs, g_cap_calcs;

static const odai_calculator_def *find_builtin(const char *name) {
  size_t n = 0;
  const odai_calculator_def *const *b = odai_builtin_calculators(&n);
  for (size_t i = 0; i < n; i++)
    if (!strcmp(b[i]->name, name)) return b[i];
  return NULL;
}

static const odai_calculator_def *find_locked(const char *name) {
  const odai_calculator_def *d = find_builtin(name);
  if (d) return d;
  for (size_t i = 0; i < g_n_calcs; i++)
    if (!strcmp(g_calcs[i]->name, name)) return g_calcs[i];
  return NULL;
}

odai_status odai_calculator_register(const odai_calculator_def *def, odai_error *err) {
  if (!def || !def->name || !def->name[0] || !def->contract || !def->process)
    return odai_error_set(err, ODAI_E_INVALID,
                          "odai_calculator_register: a calculator needs a name, contract and process");
  odai_status st = ODAI_OK;
  pthread_mutex_lock(&g_calc_mu);
  const odai_calculator_def *old = find_locked(def->name);
  if (old == def) goto out;
  if (old) {
    st = odai_error_set(err, ODAI_E_INVALID, "calculator '%s' is already registered", def->name);
    goto out;
  }
  if (g_n_calcs == g_cap_calcs) {
    size_t cap = g_cap_calcs ? g_cap_calcs * 2 : 16;
    const odai_calculator_def **v = realloc(g_calcs, cap * sizeof *v);
    if (!v) {
      st = odai_error_set(err, ODAI_E_NOMEM, "out of memory");
      goto out;
    }
    g_calcs = v;
    g_cap_calcs = cap;
  }
  g_calcs[g_n_calcs++] = def;
out:
  pthread_mutex_unlock(&g_calc_mu);
  return st;
}

const odai_calculator_def *odai_calculator_find(const char *name) {
  if (!name) return NULL;
  pthread_mutex_lock(&g_calc_mu);
  const odai_calculator_def *d = find_locked(name);
  pthread_mutex_unlock(&g_calc_mu);
  return d;
}

const odai_calculator_def *odai_calculator_at(size_t i) {
  size_t n = 0;
  const odai_calculator_def *const *b = odai_builtin_calculators(&n);
  if (i < n) return b[i];
  i -= n;
  pthread_mutex_lock(&g_calc_mu);
  const odai_calculator_def *d = i < g_n_calcs ? g_calcs[i] : NULL;
  pthread_mutex_unlock(&g_calc_mu);
  return d;
}

/* ---- Contract ---- */

static odai_status add_decl(odai_contract *c, odai_port_decls *d, const char *kind,
                            const char *tag, const odai_type *type, unsigned flags) {
  if (!tag) tag = "";
  if (odai_port_decls_find(d, tag))
    return odai_contract_error(c, ODAI_E_INTERNAL, "%s tag '%s' declared twice", kind, tag);
  if (d->n >= ODAI_CONTRACT_MAX_PORTS)
    return odai_contract_error(c, ODAI_E_UNSUPPORTED, "too many %s tags", kind);
  d->v[d->n].tag = tag;
  d->v[d->n].type = type ? type : &odai_type_any;
  d->v[d->n].flags = flags;
  d->n++;
  return ODAI_OK;
}

const odai_port_decl *odai_port_decls_find(const odai_port_decls *d, const char *tag) {
  for (int i = 0; i < d->n; i++)
    if (!strcmp(d->v[i].tag, tag)) return &d->v[i];
  return NULL;
}

odai_status odai_contract_input(odai_contract *c, const char *tag, const odai_type *type,
                                unsigned flags) {
  return add_decl(c, &c->in, "input stream", tag, type, flags);
}
odai_status odai_contract_output(odai_contract *c, const char *tag, const odai_type *type,
                                 unsigned flags) {
  return add_decl(c, &c->out, "output stream", tag, type, flags);
}
odai_status odai_contract_input_side(odai_contract *c, const char *tag, const odai_type *type,
                                     unsigned flags) {
  return add_decl(c, &c->side_in, "input side packet", tag, type, flags);
}
odai_status odai_contract_output_side(odai_contract *c, const char *tag, const odai_type *type,
                                      unsigned flags) {
  return add_decl(c, &c->side_out, "output side packet", tag, type, flags);
}

static int count_refs(const odai_stream_refs *r, const char *tag) {
  if (!tag) tag = "";
  int n = 0;
  for (size_t i = 0; i < r->n; i++) {
    if (strcmp(r->v[i].tag, tag)) continue;
    if (!*tag)
      n++; /* untagged ports are indexed in the order written */
    else if (r->v[i].index + 1 > n)
      n = r->v[i].index + 1;
  }
  return n;
}

int odai_contract_input_count(const odai_contract *c, const char *tag) {
  return count_refs(&c->node->input_streams, tag);
}
int odai_contract_output_count(const odai_contract *c, const char *tag) {
  return count_refs(&c->node->output_streams, tag);
}
int odai_contract_input_side_count(const odai_contract *c, const char *tag) {
  return count_refs(&c->node->input_side_packets, tag);
}
int odai_contract_output_side_count(const odai_contract *c, const char *tag) {
  return count_refs(&c->node->output_side_packets, tag);
}

const char *odai_contract_input_tag(const odai_contract *c, int i) {
  return i >= 0 && (size_t)i < c->node->input_streams.n ? c->node->input_streams.v[i].tag : NULL;
}
const char *odai_contract_output_tag(const odai_contract *c, int i) {
  return i >= 0 && (size_t)i < c->node->output_streams.n ? c->node->output_streams.v[i].tag : NULL;
}

void odai_contract_options(odai_contract *c, const char *options_type) {
  c->options_type = options_type;
}
void odai_contract_timestamp_offset(odai_contract *c, int64_t offset) {
  c->offset = offset;
  c->has_offset = true;
}
void odai_contract_input_handler(odai_contract *c, const char *handler) { c->handler = handler; }
void odai_contract_process_bounds(odai_contract *c, bool on) { c->process_bounds = on; }

odai_status odai_contract_error(odai_contract *c, odai_status code, const char *fmt, ...) {
  if (!c->failed) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
    c->failed = true;
    c->err_code = code;
  }
  return code;
}

const odai_options *odai_contract_get_options(const odai_contract *c) {
  if (!c->options_type) return c->node->options;
  return odai_node_options(c->node, c->options_type);
}

odai_status odai_contract_run(const odai_calculator_def *def, const odai_node_config *node,
                              odai_contract *c) {
  memset(c, 0, sizeof *c);
  c->node = node;
  odai_status st = def->contract(c);
  if (st == ODAI_OK && c->failed) st = c->err_code;
  if (st != ODAI_OK && !c->failed) {
    snprintf(c->err, sizeof c->err, "contract failed: %s", odai_status_str(st));
    c->failed = true;
    c->err_code = st;
  }
  return st;
}
