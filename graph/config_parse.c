/* graph/config_parse.c: MediaPipe CalculatorGraphConfig text -> odai_graph_config.
 * The text is read by the generic reader (graph/config_text.c); this file maps
 * its fields onto graph/config.h, checks types, reports unknown fields with
 * file:line:col, and implements free/clone and stream-reference parsing. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/config.h"
#include "graph/config_text.h"

/* MediaPipe fields that odai accepts and ignores (documented in docs/config.md). */
static const char *const k_ignored_graph_fields[] = {
    "profiler_config", "package", "packet_factory", "packet_generator", "status_handler",
    "report_deadlock", "output_stream_handler", NULL};
static const char *const k_ignored_node_fields[] = {"buffer_size_hint", "profiler_config",
                                                     "external_input", NULL};

static const char *const k_graph_fields[] = {
    "node", "input_stream", "output_stream", "input_side_packet", "output_side_packet",
    "max_queue_size", "num_threads", "executor", "type", "graph_options", "options",
    "input_stream_handler", NULL};
static const char *const k_node_fields[] = {
    "name", "calculator", "input_stream", "output_stream", "input_side_packet",
    "output_side_packet", "options", "node_options", "option_value", "input_stream_handler",
    "output_stream_handler", "input_stream_info", "executor", "max_in_flight", "source_layer",
    NULL};

static bool in_list(const char *const *l, const char *s) {
  for (; *l; l++)
    if (strcmp(*l, s) == 0) return true;
  return false;
}

static odai_status fail_at(odai_error *err, const odai_srcpos *pos, const char *fmt, ...)
    ODAI_PRINTF(3, 4);

#include <stdarg.h>
static odai_status fail_at(odai_error *err, const odai_srcpos *pos, const char *fmt, ...) {
  char msg[ODAI_ERROR_MESSAGE_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return odai_error_set(err, ODAI_E_PARSE, "%s:%d:%d: %s", pos->file, pos->line, pos->col, msg);
}

static odai_status nomem(odai_error *err) { return odai_error_set(err, ODAI_E_NOMEM, "out of memory"); }

/* Edit distance for "did you mean" hints (short names only). */
static size_t edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 40 || lb > 40) return 99;
  size_t d[41][41];
  for (size_t i = 0; i <= la; i++) d[i][0] = i;
  for (size_t j = 0; j <= lb; j++) d[0][j] = j;
  for (size_t i = 1; i <= la; i++)
    for (size_t j = 1; j <= lb; j++) {
      size_t c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
      if (d[i - 1][j] + 1 < c) c = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < c) c = d[i][j - 1] + 1;
      d[i][j] = c;
    }
  return d[la][lb];
}

static odai_status unknown_field(odai_error *err, const odai_pb_field *f, const char *where,
                                 const char *const *known) {
  char list[300] = "";
  size_t n = 0;
  const char *best = NULL;
  size_t best_d = 3;
  for (const char *const *k = known; *k; k++) {
    n += (size_t)snprintf(list + n, n < sizeof list ? sizeof list - n : 0, "%s%s", n ? ", " : "", *k);
    if (n >= sizeof list) n = sizeof list - 1;
    size_t d = edit_distance(f->name, *k);
    if (d < best_d) {
      best_d = d;
      best = *k;
    }
  }
  char hint[80] = "";
  if (best) snprintf(hint, sizeof hint, " (did you mean '%s'?)", best);
  return fail_at(err, &f->pos, "found unknown field '%.60s%s%s' in %s%s, expected one of: %s",
                 f->is_extension ? "[" : "", f->name, f->is_extension ? "]" : "", where, hint, list);
}

/* ---- typed field readers ---- */

static odai_status want_string(const odai_pb_field *f, const char *what, char **out,
                               odai_error *err) {
  if (f->kind != ODAI_PB_STRING) {
    char d[80];
    odai_pb_describe(f, d, sizeof d);
    return fail_at(err, &f->value_pos, "found %s for '%s', expected a quoted string", d, what);
  }
  if (strlen(f->s) != f->s_len)
    return fail_at(err, &f->value_pos, "found a NUL byte in '%s', expected plain text", what);
  char *s = strdup(f->s);
  if (!s) return nomem(err);
  free(*out);
  *out = s;
  return ODAI_OK;
}

static odai_status want_int(const odai_pb_field *f, const char *what, int *out, odai_error *err) {
  if (f->kind != ODAI_PB_INT) {
    char d[80];
    odai_pb_describe(f, d, sizeof d);
    return fail_at(err, &f->value_pos, "found %s for '%s', expected an integer", d, what);
  }
  if (f->i < -2147483647 - 1 || f->i > 2147483647 || f->f > 2147483647.0)
    return fail_at(err, &f->value_pos, "found %s = %lld out of range, expected a 32-bit integer", what,
                   (long long)f->i);
  *out = (int)f->i;
  return ODAI_OK;
}

static odai_status want_bool(const odai_pb_field *f, const char *what, bool *out, odai_error *err) {
  if (f->kind == ODAI_PB_IDENT) {
    const char *s = f->s;
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "t")) {
      *out = true;
      return ODAI_OK;
    }
    if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "f")) {
      *out = false;
      return ODAI_OK;
    }
  } else if (f->kind == ODAI_PB_INT && (f->i == 0 || f->i == 1)) {
    *out = f->i == 1;
    return ODAI_OK;
  }
  char d[80];
  odai_pb_describe(f, d, sizeof d);
  return fail_at(err, &f->value_pos, "found %s for '%s', expected true or false", d, what);
}

static odai_status want_message(const odai_pb_field *f, const char *what, odai_error *err) {
  if (f->kind != ODAI_PB_MESSAGE) {
    char d[80];
    odai_pb_describe(f, d, sizeof d);
    return fail_at(err, &f->value_pos, "found %s for '%s', expected a message { ... }", d, what);
  }
  return ODAI_OK;
}

/* A singular field given twice is an error, as in protobuf. */
static odai_status check_once(const odai_pb_msg *m, size_t idx, const char *where, odai_error *err) {
  const odai_pb_field *f = &m->fields[idx];
  for (size_t j = 0; j < idx; j++) {
    if (strcmp(m->fields[j].name, f->name) == 0 && !m->fields[j].is_extension && !f->is_extension)
      return fail_at(err, &f->pos,
                     "found field '%s' in %s a second time (first at line %d), expected it once", f->name,
                     where, m->fields[j].pos.line);
  }
  return ODAI_OK;
}

/* ---- stream references ---- */

static bool valid_tag(const char *s, size_t n) {
  if (n == 0 || !(isupper((unsigned char)s[0]) || s[0] == '_')) return false;
  for (size_t i = 1; i < n; i++)
    if (!(isupper((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_')) return false;
  return true;
}

static bool valid_name(const char *s, size_t n) {
  if (n == 0 || !(islower((unsigned char)s[0]) || s[0] == '_')) return false;
  for (size_t i = 1; i < n; i++)
    if (!(isalnum((unsigned char)s[i]) || s[i] == '_')) return false;
  return true;
}

static bool valid_number(const char *s, size_t n, int *out) {
  if (n == 0 || n > 9) return false;
  if (n > 1 && s[0] == '0') return false;
  int v = 0;
  for (size_t i = 0; i < n; i++) {
    if (!isdigit((unsigned char)s[i])) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

odai_status odai_stream_ref_parse(const char *text, odai_stream_ref *out, odai_error *err) {
  memset(out, 0, sizeof *out);
  if (!text) return odai_error_set(err, ODAI_E_INVALID, "stream reference is NULL");
  const char *c1 = strchr(text, ':');
  const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
  const char *c3 = c2 ? strchr(c2 + 1, ':') : NULL;
  const char *tag = "", *name = text;
  size_t tag_n = 0;
  int index = 0;
  bool ok = !c3;
  if (ok && c1) {
    tag = text;
    tag_n = (size_t)(c1 - text);
    ok = valid_tag(tag, tag_n);
    name = c1 + 1;
    if (ok && c2) {
      ok = valid_number(c1 + 1, (size_t)(c2 - c1 - 1), &index);
      name = c2 + 1;
    }
  }
  if (ok) ok = valid_name(name, strlen(name));
  if (!ok)
    return odai_error_set(err, ODAI_E_PARSE,
                          "found stream reference \"%.100s\", expected TAG:index:name, TAG:name or name "
                          "(TAG [A-Z_][A-Z0-9_]*, index 0-999999999, name [a-z_][a-zA-Z0-9_]*)",
                          text);
  out->tag = strndup(tag, tag_n);
  out->name = strdup(name);
  out->index = index;
  out->pos = (odai_srcpos){odai_pb_intern("<string>"), 0, 0};
  if (!out->tag || !out->name || !out->pos.file) {
    free(out->tag);
    free(out->name);
    memset(out, 0, sizeof *out);
    return nomem(err);
  }
  return ODAI_OK;
}

/* "TAG", "TAG:1", ":1" or "" (MediaPipe's tag_index). */
static bool valid_tag_index(const char *s) {
  const char *c = strchr(s, ':');
  size_t tn = c ? (size_t)(c - s) : strlen(s);
  if (tn && !valid_tag(s, tn)) return false;
  int idx;
  if (c && !valid_number(c + 1, strlen(c + 1), &idx)) return false;
  return true;
}

static void refs_free(odai_stream_refs *r) {
  for (size_t i = 0; i < r->n; i++) {
    free(r->v[i].tag);
    free(r->v[i].name);
  }
  free(r->v);
  r->v = NULL;
  r->n = 0;
}

static odai_status refs_add(odai_stream_refs *r, const odai_pb_field *f, const char *what,
                            odai_error *err) {
  char *s = NULL;
  odai_status st = want_string(f, what, &s, err);
  if (st) return st;
  odai_stream_ref ref;
  st = odai_stream_ref_parse(s, &ref, err);
  free(s);
  if (st) {
    if (st == ODAI_E_PARSE) {
      char msg[ODAI_ERROR_MESSAGE_MAX];
      snprintf(msg, sizeof msg, "%s", err ? err->message : "");
      return fail_at(err, &f->value_pos, "%s: %s", what, msg);
    }
    return st;
  }
  ref.pos = f->value_pos;
  odai_stream_ref *nv = realloc(r->v, (r->n + 1) * sizeof *nv);
  if (!nv) {
    free(ref.tag);
    free(ref.name);
    return nomem(err);
  }
  r->v = nv;
  r->v[r->n++] = ref;
  return ODAI_OK;
}

static odai_status strs_add(char ***v, size_t *n, const odai_pb_field *f, const char *what,
                            bool is_stream, odai_error *err) {
  char *s = NULL;
  odai_status st = want_string(f, what, &s, err);
  if (st) return st;
  if (is_stream) {
    odai_stream_ref ref;
    st = odai_stream_ref_parse(s, &ref, err);
    if (st) {
      free(s);
      if (st == ODAI_E_PARSE) {
        char msg[ODAI_ERROR_MESSAGE_MAX];
        snprintf(msg, sizeof msg, "%s", err ? err->message : "");
        return fail_at(err, &f->value_pos, "%s: %s", what, msg);
      }
      return st;
    }
    free(ref.tag);
    free(ref.name);
  }
  char **nv = realloc(*v, (*n + 1) * sizeof *nv);
  if (!nv) {
    free(s);
    return nomem(err);
  }
  *v = nv;
  (*v)[(*n)++] = s;
  return ODAI_OK;
}

static void strs_free(char **v, size_t n) {
  for (size_t i = 0; i < n; i++) free(v[i]);
  free(v);
}

/* Move the extension fields of `src` (a node_options / graph_options block)
 * into *dst (created on demand). */
static odai_status take_any_block(odai_pb_msg **dst, odai_pb_field *f, const char *what,
                                  odai_error *err) {
  odai_status st = want_message(f, what, err);
  if (st) return st;
  if (!*dst && !(*dst = calloc(1, sizeof **dst))) return nomem(err);
  odai_pb_msg *m = f->msg;
  for (size_t i = 0; m && i < m->n_fields; i++) {
    odai_pb_field *e = &m->fields[i];
    if (!e->is_extension)
      return fail_at(err, &e->pos,
                     "found field '%s' in %s, expected [type.googleapis.com/package.Type] { ... }", e->name,
                     what);
    if ((st = want_message(e, what, err))) return st;
  }
  for (size_t i = 0; m && i < m->n_fields; i++) {
    if (odai_pb_msg_append(*dst, &m->fields[i])) {
      /* fields before i were moved; clear the rest in place */
      for (size_t j = 0; j < i; j++) memset(&m->fields[j], 0, sizeof m->fields[j]);
      return nomem(err);
    }
  }
  /* the fields now belong to *dst: leave the source empty */
  if (m) {
    free(m->fields);
    m->fields = NULL;
    m->n_fields = 0;
  }
  return ODAI_OK;
}

/* Take ownership of a field's message (the tree is freed after mapping). */
static odai_pb_msg *steal_msg(odai_pb_field *f) {
  odai_pb_msg *m = f->msg;
  f->msg = NULL;
  if (!m) m = calloc(1, sizeof *m);
  return m;
}

/* input_stream_handler { input_stream_handler: "X" options { ... } } */
static odai_status map_handler(odai_pb_field *f, const char *what, char **name, odai_pb_msg **opts,
                               odai_error *err) {
  odai_status st = want_message(f, what, err);
  if (st) return st;
  odai_pb_msg *m = f->msg;
  for (size_t i = 0; m && i < m->n_fields; i++) {
    odai_pb_field *e = &m->fields[i];
    if ((st = check_once(m, i, what, err))) return st;
    if (!e->is_extension && strcmp(e->name, what) == 0) {
      if ((st = want_string(e, what, name, err))) return st;
    } else if (!e->is_extension && strcmp(e->name, "options") == 0) {
      if ((st = want_message(e, "options", err))) return st;
      if (opts) {
        odai_pb_msg_free(*opts);
        *opts = steal_msg(e);
        if (!*opts) return nomem(err);
      }
    } else {
      static const char *known_in[] = {"input_stream_handler", "options", NULL};
      static const char *known_out[] = {"output_stream_handler", "options", NULL};
      return unknown_field(err, e, what, strcmp(what, "input_stream_handler") ? known_out : known_in);
    }
  }
  return ODAI_OK;
}

static odai_status map_stream_info(odai_node_config *n, odai_pb_field *f, odai_error *err) {
  odai_status st = want_message(f, "input_stream_info", err);
  if (st) return st;
  odai_input_stream_info info = {NULL, false, f->pos};
  odai_pb_msg *m = f->msg;
  for (size_t i = 0; m && i < m->n_fields; i++) {
    odai_pb_field *e = &m->fields[i];
    if ((st = check_once(m, i, "input_stream_info", err))) goto fail;
    if (!e->is_extension && strcmp(e->name, "tag_index") == 0) {
      if ((st = want_string(e, "tag_index", &info.tag_index, err))) goto fail;
      if (!valid_tag_index(info.tag_index)) {
        st = fail_at(err, &e->value_pos, "found tag_index \"%.60s\", expected \"TAG\", \"TAG:index\" or \":index\"",
                     info.tag_index);
        goto fail;
      }
    } else if (!e->is_extension && strcmp(e->name, "back_edge") == 0) {
      if ((st = want_bool(e, "back_edge", &info.back_edge, err))) goto fail;
    } else {
      static const char *known[] = {"tag_index", "back_edge", NULL};
      st = unknown_field(err, e, "input_stream_info", known);
      goto fail;
    }
  }
  if (!info.tag_index && !(info.tag_index = strdup(""))) {
    st = nomem(err);
    goto fail;
  }
  odai_input_stream_info *nv = realloc(n->input_stream_info, (n->n_input_stream_info + 1) * sizeof *nv);
  if (!nv) {
    st = nomem(err);
    goto fail;
  }
  n->input_stream_info = nv;
  n->input_stream_info[n->n_input_stream_info++] = info;
  return ODAI_OK;
fail:
  free(info.tag_index);
  return st;
}

static void node_clear(odai_node_config *n) {
  free(n->calculator);
  free(n->name);
  refs_free(&n->input_streams);
  refs_free(&n->output_streams);
  refs_free(&n->input_side_packets);
  refs_free(&n->output_side_packets);
  odai_pb_msg_free(n->options);
  odai_pb_msg_free(n->node_options);
  strs_free(n->option_values, n->n_option_values);
  free(n->input_stream_handler);
  odai_pb_msg_free(n->input_stream_handler_options);
  free(n->output_stream_handler);
  for (size_t i = 0; i < n->n_input_stream_info; i++) free(n->input_stream_info[i].tag_index);
  free(n->input_stream_info);
  free(n->executor);
  memset(n, 0, sizeof *n);
}

static odai_status map_node(odai_node_config *n, odai_pb_field *nf, odai_error *err) {
  odai_status st = want_message(nf, "node", err);
  if (st) return st;
  n->pos = nf->pos;
  odai_pb_msg *m = nf->msg;
  for (size_t i = 0; m && i < m->n_fields; i++) {
    odai_pb_field *f = &m->fields[i];
    const char *k = f->name;
    if (f->is_extension) return unknown_field(err, f, "node", k_node_fields);
    if (!strcmp(k, "name")) {
      if ((st = check_once(m, i, "node", err)) || (st = want_string(f, k, &n->name, err))) return st;
    } else if (!strcmp(k, "calculator")) {
      if ((st = check_once(m, i, "node", err)) || (st = want_string(f, k, &n->calculator, err))) return st;
    } else if (!strcmp(k, "input_stream")) {
      if ((st = refs_add(&n->input_streams, f, k, err))) return st;
    } else if (!strcmp(k, "output_stream")) {
      if ((st = refs_add(&n->output_streams, f, k, err))) return st;
    } else if (!strcmp(k, "input_side_packet")) {
      if ((st = refs_add(&n->input_side_packets, f, k, err))) return st;
    } else if (!strcmp(k, "output_side_packet")) {
      if ((st = refs_add(&n->output_side_packets, f, k, err))) return st;
    } else if (!strcmp(k, "options")) {
      if ((st = want_message(f, k, err))) return st;
      if (n->options) {
        /* repeated `options` blocks merge, as protobuf merges a message */
        if ((st = odai_pb_msg_merge(n->options, f->msg))) return nomem(err);
      } else if (!(n->options = steal_msg(f))) {
        return nomem(err);
      }
    } else if (!strcmp(k, "node_options")) {
      if ((st = take_any_block(&n->node_options, f, "node_options", err))) return st;
    } else if (!strcmp(k, "option_value")) {
      if ((st = strs_add(&n->option_values, &n->n_option_values, f, k, false, err))) return st;
      if (!strchr(n->option_values[n->n_option_values - 1], ':'))
        return fail_at(err, &f->value_pos,
                       "found option_value \"%.80s\" without ':', expected \"node_field:graph_field\" "
                       "(e.g. \"min_score_thresh:options/min_score_thresh\")",
                       n->option_values[n->n_option_values - 1]);
    } else if (!strcmp(k, "input_stream_handler")) {
      if ((st = check_once(m, i, "node", err))) return st;
      if ((st = map_handler(f, k, &n->input_stream_handler, &n->input_stream_handler_options, err)))
        return st;
    } else if (!strcmp(k, "output_stream_handler")) {
      if ((st = check_once(m, i, "node", err))) return st;
      if ((st = map_handler(f, k, &n->output_stream_handler, NULL, err))) return st;
    } else if (!strcmp(k, "input_stream_info")) {
      if ((st = map_stream_info(n, f, err))) return st;
    } else if (!strcmp(k, "executor")) {
      if ((st = check_once(m, i, "node", err)) || (st = want_string(f, k, &n->executor, err))) return st;
    } else if (!strcmp(k, "max_in_flight")) {
      if ((st = check_once(m, i, "node", err)) || (st = want_int(f, k, &n->max_in_flight, err))) return st;
    } else if (!strcmp(k, "source_layer")) {
      if ((st = check_once(m, i, "node", err)) || (st = want_int(f, k, &n->source_layer, err))) return st;
    } else if (in_list(k_ignored_node_fields, k)) {
      /* MediaPipe-only field: accepted and ignored */
    } else {
      return unknown_field(err, f, "node", k_node_fields);
    }
  }
  if (!n->calculator)
    return fail_at(err, &nf->pos, "found a node without 'calculator', expected calculator: \"Name\"");
  if (!n->calculator[0]) return fail_at(err, &nf->pos, "found an empty calculator name, expected a calculator or subgraph name");
  if (!n->name && !(n->name = strdup(""))) return nomem(err);
  if (!n->input_stream_handler && !(n->input_stream_handler = strdup(""))) return nomem(err);
  if (!n->output_stream_handler && !(n->output_stream_handler = strdup(""))) return nomem(err);
  if (!n->executor && !(n->executor = strdup(""))) return nomem(err);
  return ODAI_OK;
}

static odai_status map_executor(odai_executor_config *e, odai_pb_field *f, odai_error *err) {
  odai_status st = want_message(f, "executor", err);
  if (st) return st;
  e->pos = f->pos;
  odai_pb_msg *m = f->msg;
  for (size_t i = 0; m && i < m->n_fields; i++) {
    odai_pb_field *x = &m->fields[i];
    if ((st = check_once(m, i, "executor", err))) return st;
    if (!x->is_extension && !strcmp(x->name, "name")) {
      if ((st = want_string(x, "name", &e->name, err))) return st;
    } else if (!x->is_extension && !strcmp(x->name, "type")) {
      if ((st = want_string(x, "type", &e->type, err))) return st;
    } else if (!x->is_extension && !strcmp(x->name, "options")) {
      if ((st = want_message(x, "options", err))) return st;
      if (!(e->options = steal_msg(x))) return nomem(err);
      /* num_threads lives in [mediapipe.ThreadPoolExecutorOptions.ext] or plain */
      const odai_pb_msg *tp = e->options;
      for (size_t j = 0; j < e->options->n_fields; j++) {
        const odai_pb_field *ext = &e->options->fields[j];
        if (ext->is_extension && strstr(ext->name, "ThreadPoolExecutorOptions") && ext->msg) tp = ext->msg;
      }
      const odai_pb_field *nt = odai_pb_msg_find(tp, "num_threads", 0);
      if (nt) {
        if ((st = want_int(nt, "num_threads", &e->num_threads, err))) return st;
        if (e->num_threads < 0)
          return fail_at(err, &nt->value_pos, "found num_threads %d, expected 0 or more", e->num_threads);
      }
    } else {
      static const char *known[] = {"name", "type", "options", NULL};
      return unknown_field(err, x, "executor", known);
    }
  }
  if (!e->name && !(e->name = strdup(""))) return nomem(err);
  if (!e->type && !(e->type = strdup(""))) return nomem(err);
  return ODAI_OK;
}

static odai_status map_graph(odai_graph_config *c, odai_pb_msg *root, odai_error *err) {
  odai_status st;
  for (size_t i = 0; i < root->n_fields; i++) {
    odai_pb_field *f = &root->fields[i];
    const char *k = f->name;
    if (f->is_extension) return unknown_field(err, f, "the graph", k_graph_fields);
    if (!strcmp(k, "node")) {
      odai_node_config *nv = realloc(c->nodes, (c->n_nodes + 1) * sizeof *nv);
      if (!nv) return nomem(err);
      c->nodes = nv;
      memset(&c->nodes[c->n_nodes], 0, sizeof *nv);
      c->n_nodes++;
      if ((st = map_node(&c->nodes[c->n_nodes - 1], f, err))) return st;
    } else if (!strcmp(k, "input_stream")) {
      if ((st = strs_add(&c->input_streams, &c->n_input_streams, f, k, true, err))) return st;
    } else if (!strcmp(k, "output_stream")) {
      if ((st = strs_add(&c->output_streams, &c->n_output_streams, f, k, true, err))) return st;
    } else if (!strcmp(k, "input_side_packet")) {
      if ((st = strs_add(&c->input_side_packets, &c->n_input_side_packets, f, k, true, err))) return st;
    } else if (!strcmp(k, "output_side_packet")) {
      if ((st = strs_add(&c->output_side_packets, &c->n_output_side_packets, f, k, true, err))) return st;
    } else if (!strcmp(k, "max_queue_size")) {
      if ((st = check_once(root, i, "the graph", err)) || (st = want_int(f, k, &c->max_queue_size, err))) return st;
      if (c->max_queue_size < -1)
        return fail_at(err, &f->value_pos, "found max_queue_size %d, expected -1 (unbounded), 0 (default) or more",
                       c->max_queue_size);
    } else if (!strcmp(k, "num_threads")) {
      if ((st = check_once(root, i, "the graph", err)) || (st = want_int(f, k, &c->num_threads, err))) return st;
      if (c->num_threads < 0)
        return fail_at(err, &f->value_pos, "found num_threads %d, expected 0 or more", c->num_threads);
    } else if (!strcmp(k, "executor")) {
      odai_executor_config *nv = realloc(c->executors, (c->n_executors + 1) * sizeof *nv);
      if (!nv) return nomem(err);
      c->executors = nv;
      memset(&c->executors[c->n_executors], 0, sizeof *nv);
      c->n_executors++;
      if ((st = map_executor(&c->executors[c->n_executors - 1], f, err))) return st;
    } else if (!strcmp(k, "type")) {
      if ((st = check_once(root, i, "the graph", err)) || (st = want_string(f, k, &c->type, err))) return st;
    } else if (!strcmp(k, "graph_options")) {
      if ((st = take_any_block(&c->graph_options, f, "graph_options", err))) return st;
    } else if (!strcmp(k, "options")) {
      if ((st = want_message(f, k, err))) return st;
      if (c->options) {
        if (odai_pb_msg_merge(c->options, f->msg)) return nomem(err);
      } else if (!(c->options = steal_msg(f))) {
        return nomem(err);
      }
    } else if (!strcmp(k, "input_stream_handler")) {
      if ((st = check_once(root, i, "the graph", err))) return st;
      if ((st = map_handler(f, k, &c->input_stream_handler, NULL, err))) return st;
    } else if (in_list(k_ignored_graph_fields, k)) {
      /* MediaPipe-only field: accepted and ignored */
    } else {
      return unknown_field(err, f, "the graph", k_graph_fields);
    }
  }
  if (!c->type && !(c->type = strdup(""))) return nomem(err);
  if (!c->input_stream_handler && !(c->input_stream_handler = strdup(""))) return nomem(err);
  return ODAI_OK;
}

odai_status odai_config_parse(const char *text, size_t len, const char *source_name,
                              odai_graph_config **out, odai_error *err) {
  if (!out) return odai_error_set(err, ODAI_E_INVALID, "odai_config_parse: out is NULL");
  *out = NULL;
  if (!source_name) source_name = "<string>";
  odai_pb_msg *root = NULL;
  odai_status st = odai_pb_parse(text, len, source_name, &root, err);
  if (st) return st;
  odai_graph_config *c = calloc(1, sizeof *c);
  if (!c || !(c->source_name = strdup(source_name))) {
    free(c);
    odai_pb_msg_free(root);
    return nomem(err);
  }
  st = map_graph(c, root, err);
  odai_pb_msg_free(root);
  if (st) {
    odai_config_free(c);
    return st;
  }
  *out = c;
  return ODAI_OK;
}

odai_status odai_config_parse_file(const char *path, odai_graph_config **out, odai_error *err) {
  if (!out) return odai_error_set(err, ODAI_E_INVALID, "odai_config_parse_file: out is NULL");
  *out = NULL;
  if (!path) return odai_error_set(err, ODAI_E_INVALID, "odai_config_parse_file: path is NULL");
  FILE *fp = fopen(path, "rb");
  if (!fp) {
    int e = errno;
    return odai_error_set(err, e == ENOENT ? ODAI_E_NOT_FOUND : ODAI_E_IO, "%s: cannot open: %s", path,
                          strerror(e));
  }
  char *buf = NULL;
  size_t n = 0, cap = 0;
  odai_status st = ODAI_OK;
  for (;;) {
    if (n + 65536 > cap) {
      if (cap > ((size_t)64 << 20)) {
        st = odai_error_set(err, ODAI_E_INVALID, "%s: config larger than 64 MiB", path);
        goto done;
      }
      cap = cap ? cap * 2 : 65536;
      char *nb = realloc(buf, cap);
      if (!nb) {
        st = nomem(err);
        goto done;
      }
      buf = nb;
    }
    size_t r = fread(buf + n, 1, cap - n, fp);
    n += r;
    if (r == 0) {
      if (ferror(fp)) st = odai_error_set(err, ODAI_E_IO, "%s: read error: %s", path, strerror(errno));
      break;
    }
  }
  if (!st) st = odai_config_parse(buf, n, path, out, err);
done:
  free(buf);
  fclose(fp);
  return st;
}

void odai_config_free(odai_graph_config *c) {
  if (!c) return;
  free(c->source_name);
  free(c->type);
  strs_free(c->input_streams, c->n_input_streams);
  strs_free(c->output_streams, c->n_output_streams);
  strs_free(c->input_side_packets, c->n_input_side_packets);
  strs_free(c->output_side_packets, c->n_output_side_packets);
  for (size_t i = 0; i < c->n_nodes; i++) node_clear(&c->nodes[i]);
  free(c->nodes);
  for (size_t i = 0; i < c->n_executors; i++) {
    free(c->executors[i].name);
    free(c->executors[i].type);
    odai_pb_msg_free(c->executors[i].options);
  }
  free(c->executors);
  odai_pb_msg_free(c->graph_options);
  odai_pb_msg_free(c->options);
  free(c->input_stream_handler);
  free(c);
}

/* ---- clone ---- */

static char *dup0(const char *s) { return s ? strdup(s) : NULL; }

static bool strs_clone(char ***dst, char *const *src, size_t n) {
  *dst = NULL;
  if (!n) return true;
  *dst = calloc(n, sizeof **dst);
  if (!*dst) return false;
  for (size_t i = 0; i < n; i++)
    if (src[i] && !((*dst)[i] = strdup(src[i]))) return false;
  return true;
}

static bool msg_clone_into(odai_pb_msg **dst, const odai_pb_msg *src) {
  *dst = NULL;
  if (!src) return true;
  return (*dst = odai_pb_msg_clone(src)) != NULL;
}

static bool refs_clone(odai_stream_refs *dst, const odai_stream_refs *src) {
  dst->v = NULL;
  dst->n = 0;
  if (!src->n) return true;
  dst->v = calloc(src->n, sizeof *dst->v);
  if (!dst->v) return false;
  dst->n = src->n;
  for (size_t i = 0; i < src->n; i++) {
    dst->v[i] = src->v[i];
    dst->v[i].tag = dup0(src->v[i].tag);
    dst->v[i].name = dup0(src->v[i].name);
    if ((src->v[i].tag && !dst->v[i].tag) || (src->v[i].name && !dst->v[i].name)) return false;
  }
  return true;
}

bool odai_node_config_clone_into(odai_node_config *d, const odai_node_config *s) {
  memset(d, 0, sizeof *d);
  d->max_in_flight = s->max_in_flight;
  d->source_layer = s->source_layer;
  d->pos = s->pos;
  if (s->calculator && !(d->calculator = strdup(s->calculator))) return false;
  if (s->name && !(d->name = strdup(s->name))) return false;
  if (!refs_clone(&d->input_streams, &s->input_streams)) return false;
  if (!refs_clone(&d->output_streams, &s->output_streams)) return false;
  if (!refs_clone(&d->input_side_packets, &s->input_side_packets)) return false;
  if (!refs_clone(&d->output_side_packets, &s->output_side_packets)) return false;
  if (!msg_clone_into(&d->options, s->options)) return false;
  if (!msg_clone_into(&d->node_options, s->node_options)) return false;
  if (!strs_clone(&d->option_values, s->option_values, s->n_option_values)) return false;
  d->n_option_values = s->n_option_values;
  if (s->input_stream_handler && !(d->input_stream_handler = strdup(s->input_stream_handler))) return false;
  if (!msg_clone_into(&d->input_stream_handler_options, s->input_stream_handler_options)) return false;
  if (s->output_stream_handler && !(d->output_stream_handler = strdup(s->output_stream_handler)))
    return false;
  if (s->n_input_stream_info) {
    d->input_stream_info = calloc(s->n_input_stream_info, sizeof *d->input_stream_info);
    if (!d->input_stream_info) return false;
    d->n_input_stream_info = s->n_input_stream_info;
    for (size_t i = 0; i < s->n_input_stream_info; i++) {
      d->input_stream_info[i] = s->input_stream_info[i];
      d->input_stream_info[i].tag_index = dup0(s->input_stream_info[i].tag_index);
      if (s->input_stream_info[i].tag_index && !d->input_stream_info[i].tag_index) return false;
    }
  }
  if (s->executor && !(d->executor = strdup(s->executor))) return false;
  return true;
}

void odai_node_config_clear(odai_node_config *n) { node_clear(n); }

odai_graph_config *odai_config_clone(const odai_graph_config *s) {
  if (!s) return NULL;
  odai_graph_config *d = calloc(1, sizeof *d);
  if (!d) return NULL;
  d->max_queue_size = s->max_queue_size;
  d->num_threads = s->num_threads;
  if (s->source_name && !(d->source_name = strdup(s->source_name))) goto fail;
  if (s->type && !(d->type = strdup(s->type))) goto fail;
  if (!strs_clone(&d->input_streams, s->input_streams, s->n_input_streams)) goto fail;
  d->n_input_streams = s->n_input_streams;
  if (!strs_clone(&d->output_streams, s->output_streams, s->n_output_streams)) goto fail;
  d->n_output_streams = s->n_output_streams;
  if (!strs_clone(&d->input_side_packets, s->input_side_packets, s->n_input_side_packets)) goto fail;
  d->n_input_side_packets = s->n_input_side_packets;
  if (!strs_clone(&d->output_side_packets, s->output_side_packets, s->n_output_side_packets)) goto fail;
  d->n_output_side_packets = s->n_output_side_packets;
  if (s->n_nodes) {
    d->nodes = calloc(s->n_nodes, sizeof *d->nodes);
    if (!d->nodes) goto fail;
    d->n_nodes = s->n_nodes;
    for (size_t i = 0; i < s->n_nodes; i++)
      if (!odai_node_config_clone_into(&d->nodes[i], &s->nodes[i])) goto fail;
  }
  if (s->n_executors) {
    d->executors = calloc(s->n_executors, sizeof *d->executors);
    if (!d->executors) goto fail;
    d->n_executors = s->n_executors;
    for (size_t i = 0; i < s->n_executors; i++) {
      d->executors[i] = s->executors[i];
      d->executors[i].name = dup0(s->executors[i].name);
      d->executors[i].type = dup0(s->executors[i].type);
      d->executors[i].options = NULL;
      if ((s->executors[i].name && !d->executors[i].name) || (s->executors[i].type && !d->executors[i].type))
        goto fail;
      if (!msg_clone_into(&d->executors[i].options, s->executors[i].options)) goto fail;
    }
  }
  if (!msg_clone_into(&d->graph_options, s->graph_options)) goto fail;
  if (!msg_clone_into(&d->options, s->options)) goto fail;
  if (s->input_stream_handler && !(d->input_stream_handler = strdup(s->input_stream_handler))) goto fail;
  return d;
fail:
  odai_config_free(d);
  return NULL;
}
