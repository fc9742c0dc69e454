/* graph/options.c: typed readers over calculator options (include/odai/options.h)
 * and the lookup of a node's options message whatever its MediaPipe spelling
 * (graph/options.h). Options are the schema-less odai_pb_msg trees built by
 * the config parser (graph/config_text.c). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/config_text.h"
#include "graph/options.h"

/* ------------------------------------------------------------ type names */

void odai_options_type_name(const char *ext, char *buf, size_t n) {
  const char *s = strrchr(ext, '/');
  s = s ? s + 1 : ext;
  size_t l = strlen(s);
  if (l > 4 && strcmp(s + l - 4, ".ext") == 0) l -= 4;
  if (n == 0) return;
  if (l >= n) l = n - 1;
  memcpy(buf, s, l);
  buf[l] = '\0';
}

bool odai_options_type_matches(const char *ext, const char *type) {
  if (!type || !type[0] || strcmp(type, "*") == 0) return true;
  char a[256], b[256];
  odai_options_type_name(ext, a, sizeof a);
  odai_options_type_name(type, b, sizeof b);
  if (strcmp(a, b) == 0) return true;
  /* "XOptions" vs "mediapipe.XOptions": compare the last components when
   * one side has no package */
  if (!strchr(a, '.') || !strchr(b, '.')) {
    const char *la = strrchr(a, '.'), *lb = strrchr(b, '.');
    la = la ? la + 1 : a;
    lb = lb ? lb + 1 : b;
    return strcmp(la, lb) == 0;
  }
  return false;
}

static odai_pb_msg *find_ext(odai_pb_msg *m, const char *type) {
  if (!m) return NULL;
  for (size_t i = 0; i < m->n_fields; i++) {
    odai_pb_field *f = &m->fields[i];
    if (f->is_extension && f->kind == ODAI_PB_MESSAGE && odai_options_type_matches(f->name, type))
      return f->msg;
  }
  return NULL;
}

static bool has_ext(const odai_pb_msg *m) {
  for (size_t i = 0; m && i < m->n_fields; i++)
    if (m->fields[i].is_extension) return true;
  return false;
}

odai_pb_msg *odai_node_options_mut(odai_node_config *node, const char *type) {
  if (!node) return NULL;
  odai_pb_msg *r = find_ext(node->options, type);
  if (!r) r = find_ext(node->node_options, type);
  if (!r && node->options && !has_ext(node->options)) r = node->options;
  return r;
}

const odai_options *odai_node_options(const odai_node_config *node, const char *type) {
  return odai_node_options_mut((odai_node_config *)node, type);
}

odai_pb_msg *odai_graph_options_mut(odai_graph_config *cfg, const char *type) {
  if (!cfg) return NULL;
  odai_pb_msg *r = find_ext(cfg->options, type);
  if (!r) r = find_ext(cfg->graph_options, type);
  if (!r && cfg->options && !has_ext(cfg->options) && cfg->options->n_fields) r = cfg->options;
  return r;
}

/* ------------------------------------------------------------------ paths */

typedef struct lookup {
  const odai_pb_field *field; /* the value found, NULL when absent */
  const odai_pb_msg *parent;  /* message holding the last component */
  char last[256];             /* last component's field name */
  bool last_indexed;
  size_t last_index;
  const char *bad; /* a path problem (malformed, or an intermediate non-message) */
  odai_srcpos bad_pos;
} lookup;

/* Resolve `path`; `want_i` overrides the last component's index when >= 0. */
static void resolve(const odai_pb_msg *m, const char *path, long want_i, lookup *L) {
  memset(L, 0, sizeof *L);
  if (!path || !*path) {
    L->bad = "empty path";
    return;
  }
  const char *p = path;
  const odai_pb_msg *cur = m;
  bool absent = m == NULL; /* keep checking the path's syntax when absent */
  for (;;) {
    char name[256];
    size_t n = 0;
    if (*p == '[') {
      const char *e = strchr(p, ']');
      if (!e || e == p + 1 || (size_t)(e - p - 1) >= sizeof name) {
        L->bad = "malformed [extension] component";
        return;
      }
      n = (size_t)(e - p - 1);
      memcpy(name, p + 1, n);
      p = e + 1;
    } else {
      while (*p && *p != '.' && *p != '[') {
        if (n + 1 >= sizeof name) {
          L->bad = "component too long";
          return;
        }
        name[n++] = *p++;
      }
      if (n == 0) {
        L->bad = "empty component";
        return;
      }
    }
    name[n] = '\0';
    bool indexed = false;
    size_t idx = 0;
    if (*p == '[') {
      p++;
      if (*p < '0' || *p > '9') {
        L->bad = "malformed [index]";
        return;
      }
      while (*p >= '0' && *p <= '9') {
        if (idx > 100000000) {
          L->bad = "index too large";
          return;
        }
        idx = idx * 10 + (size_t)(*p++ - '0');
      }
      if (*p++ != ']') {
        L->bad = "malformed [index]";
        return;
      }
      indexed = true;
    }
    bool last = *p == '\0';
    if (!last) {
      if (*p != '.' || p[1] == '\0') {
        L->bad = "expected '.' between components";
        return;
      }
      p++;
    }
    if (last) {
      if (absent) return;
      if (want_i >= 0) {
        indexed = true;
        idx = (size_t)want_i;
      }
      L->parent = cur;
      snprintf(L->last, sizeof L->last, "%s", name);
      L->last_indexed = indexed;
      L->last_index = idx;
      L->field = odai_pb_msg_find(cur, name, idx);
      return;
    }
    if (absent) continue;
    const odai_pb_field *f = odai_pb_msg_find(cur, name, idx);
    if (!f) {
      absent = true;
      continue;
    }
    if (f->kind != ODAI_PB_MESSAGE) {
      L->bad = "a component before the last is not a message";
      L->bad_pos = f->value_pos;
      return;
    }
    cur = f->msg;
  }
}

bool odai_options_has(const odai_options *o, const char *path) {
  lookup L;
  resolve(o, path, -1, &L);
  return L.field != NULL;
}

size_t odai_options_count(const odai_options *o, const char *path) {
  lookup L;
  resolve(o, path, -1, &L);
  if (L.bad || !L.parent) return 0;
  if (L.last_indexed) return L.field ? 1 : 0;
  return odai_pb_msg_count(L.parent, L.last);
}

/* ---------------------------------------------------------------- readers */

static bool as_double(const odai_pb_field *f, double *v) {
  if (f->kind == ODAI_PB_INT || f->kind == ODAI_PB_FLOAT) {
    *v = f->f;
    return true;
  }
  return false;
}

static bool as_int(const odai_pb_field *f, int64_t *v) {
  if (f->kind == ODAI_PB_INT) {
    *v = f->i;
    return true;
  }
  return false;
}

static bool as_bool(const odai_pb_field *f, bool *v) {
  if (f->kind == ODAI_PB_IDENT) {
    const char *s = f->s;
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "t")) return *v = true, true;
    if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "f")) return *v = false, true;
  } else if (f->kind == ODAI_PB_INT && (f->i == 0 || f->i == 1)) {
    *v = f->i == 1;
    return true;
  }
  return false;
}

static bool as_enum(const odai_pb_field *f, const odai_enum_value *vals, int *v) {
  if (f->kind == ODAI_PB_IDENT) {
    for (const odai_enum_value *e = vals; e && e->name; e++) {
      if (strcmp(e->name, f->s) == 0) {
        *v = e->value;
        return true;
      }
    }
    return false;
  }
  if (f->kind == ODAI_PB_INT && f->i >= -2147483647 - 1 && f->i <= 2147483647) {
    if (!vals) {
      *v = (int)f->i;
      return true;
    }
    for (const odai_enum_value *e = vals; e->name; e++) {
      if (e->value == f->i) {
        *v = e->value;
        return true;
      }
    }
  }
  return false;
}

static const odai_pb_field *get(const odai_options *o, const char *path, long i) {
  lookup L;
  resolve(o, path, i, &L);
  return L.bad ? NULL : L.field;
}

/* Remember whether a reader could use the field (see odai_pb_field.read_ok);
 * returns ok. Relaxed atomics: nodes may read their options from several
 * threads; only a flag that is not yet set is written. */
static bool mark(const odai_pb_field *f, bool ok, const char *want) {
  odai_pb_field *m = (odai_pb_field *)f;
  if (ok) {
    if (!__atomic_load_n(&m->read_ok, __ATOMIC_RELAXED)) __atomic_store_n(&m->read_ok, true, __ATOMIC_RELAXED);
  } else if (!__atomic_load_n(&m->read_want, __ATOMIC_RELAXED)) {
    __atomic_store_n(&m->read_want, want, __ATOMIC_RELAXED);
  }
  return ok;
}

float odai_options_get_float(const odai_options *o, const char *path, float def) {
  return (float)odai_options_get_double(o, path, def);
}

double odai_options_get_double(const odai_options *o, const char *path, double def) {
  const odai_pb_field *f = get(o, path, -1);
  double v = 0;
  return f && mark(f, as_double(f, &v), "a number") ? v : def;
}

int64_t odai_options_get_int(const odai_options *o, const char *path, int64_t def) {
  const odai_pb_field *f = get(o, path, -1);
  int64_t v = 0;
  return f && mark(f, as_int(f, &v), "an integer") ? v : def;
}

bool odai_options_get_bool(const odai_options *o, const char *path, bool def) {
  const odai_pb_field *f = get(o, path, -1);
  bool v = 0;
  return f && mark(f, as_bool(f, &v), "true or false") ? v : def;
}

const char *odai_options_get_string(const odai_options *o, const char *path, const char *def) {
  const odai_pb_field *f = get(o, path, -1);
  return f && mark(f, f->kind == ODAI_PB_STRING, "a quoted string") ? f->s : def;
}

const char *odai_options_get_bytes(const odai_options *o, const char *path, size_t *len) {
  const odai_pb_field *f = get(o, path, -1);
  if (f && mark(f, f->kind == ODAI_PB_STRING, "a quoted string")) {
    if (len) *len = f->s_len;
    return f->s;
  }
  if (len) *len = 0;
  return NULL;
}

const char *odai_options_get_enum_name(const odai_options *o, const char *path, const char *def) {
  const odai_pb_field *f = get(o, path, -1);
  return f && mark(f, f->kind == ODAI_PB_IDENT, "an enum identifier") ? f->s : def;
}

int odai_options_get_enum(const odai_options *o, const char *path, const odai_enum_value *values,
                          int def) {
  const odai_pb_field *f = get(o, path, -1);
  int v = 0;
  return f && mark(f, as_enum(f, values, &v), "one of the option's enum names") ? v : def;
}

float odai_options_get_float_at(const odai_options *o, const char *path, size_t i, float def) {
  return (float)odai_options_get_double_at(o, path, i, def);
}

double odai_options_get_double_at(const odai_options *o, const char *path, size_t i, double def) {
  const odai_pb_field *f = get(o, path, (long)i);
  double v = 0;
  return f && mark(f, as_double(f, &v), "a number") ? v : def;
}

int64_t odai_options_get_int_at(const odai_options *o, const char *path, size_t i, int64_t def) {
  const odai_pb_field *f = get(o, path, (long)i);
  int64_t v = 0;
  return f && mark(f, as_int(f, &v), "an integer") ? v : def;
}

const char *odai_options_get_string_at(const odai_options *o, const char *path, size_t i,
                                       const char *def) {
  const odai_pb_field *f = get(o, path, (long)i);
  return f && mark(f, f->kind == ODAI_PB_STRING, "a quoted string") ? f->s : def;
}

const odai_options *odai_options_get_message(const odai_options *o, const char *path) {
  const odai_pb_field *f = get(o, path, -1);
  return f && mark(f, f->kind == ODAI_PB_MESSAGE, "a message { ... }") ? f->msg : NULL;
}

const odai_options *odai_options_get_message_at(const odai_options *o, const char *path, size_t i) {
  const odai_pb_field *f = get(o, path, (long)i);
  return f && mark(f, f->kind == ODAI_PB_MESSAGE, "a message { ... }") ? f->msg : NULL;
}

/* --------------------------------------------------------------- checked */

/* Find the value for a checked read: *f NULL and OK when absent. */
static odai_status checked_find(const odai_options *o, const char *path, const odai_pb_field **f,
                                odai_error *err) {
  lookup L;
  *f = NULL;
  if (!o) return ODAI_OK;
  resolve(o, path, -1, &L);
  if (L.bad) {
    if (L.bad_pos.file)
      return odai_error_set(err, ODAI_E_INVALID, "%s:%d:%d: option '%s': %s", L.bad_pos.file, L.bad_pos.line,
                            L.bad_pos.col, path ? path : "", L.bad);
    return odai_error_set(err, ODAI_E_INVALID, "option path '%s': %s", path ? path : "(null)", L.bad);
  }
  *f = L.field;
  return ODAI_OK;
}

static odai_status mismatch(const odai_pb_field *f, const char *path, const char *want, odai_error *err) {
  char d[80];
  odai_pb_describe(f, d, sizeof d);
  return odai_error_set(err, ODAI_E_INVALID, "%s:%d:%d: option '%s': found %s, expected %s",
                        f->value_pos.file ? f->value_pos.file : "<options>", f->value_pos.line,
                        f->value_pos.col, path, d, want);
}

odai_status odai_options_get_double_checked(const odai_options *o, const char *path, double *out,
                                            odai_error *err) {
  const odai_pb_field *f;
  odai_status st = checked_find(o, path, &f, err);
  if (st || !f) return st;
  double v;
  if (!as_double(f, &v)) return mismatch(f, path, "a number", err);
  *out = v;
  return ODAI_OK;
}

odai_status odai_options_get_float_checked(const odai_options *o, const char *path, float *out,
                                           odai_error *err) {
  double v = *out;
  odai_status st = odai_options_get_double_checked(o, path, &v, err);
  if (!st) *out = (float)v;
  return st;
}

odai_status odai_options_get_int_checked(const odai_options *o, const char *path, int64_t *out,
                                         odai_error *err) {
  const odai_pb_field *f;
  odai_status st = checked_find(o, path, &f, err);
  if (st || !f) return st;
  if (!as_int(f, out)) return mismatch(f, path, "an integer", err);
  return ODAI_OK;
}

odai_status odai_options_get_bool_checked(const odai_options *o, const char *path, bool *out,
                                          odai_error *err) {
  const odai_pb_field *f;
  odai_status st = checked_find(o, path, &f, err);
  if (st || !f) return st;
  if (!as_bool(f, out)) return mismatch(f, path, "true or false", err);
  return ODAI_OK;
}

odai_status odai_options_get_string_checked(const odai_options *o, const char *path, const char **out,
                                            odai_error *err) {
  const odai_pb_field *f;
  odai_status st = checked_find(o, path, &f, err);
  if (st || !f) return st;
  if (f->kind != ODAI_PB_STRING) return mismatch(f, path, "a quoted string", err);
  *out = f->s;
  return ODAI_OK;
}

odai_status odai_options_get_enum_checked(const odai_options *o, const char *path,
                                          const odai_enum_value *values, int *out, odai_error *err) {
  const odai_pb_field *f;
  odai_status st = checked_find(o, path, &f, err);
  if (st || !f) return st;
  if (as_enum(f, values, out)) return ODAI_OK;
  char list[300] = "";
  size_t n = 0;
  for (const odai_enum_value *e = values; e && e->name && n < sizeof list; e++)
    n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", n ? ", " : "", e->name);
  char want[340];
  snprintf(want, sizeof want, "one of: %s", values ? list : "an enum identifier or integer");
  return mismatch(f, path, want, err);
}

odai_status odai_options_check_fields(const odai_options *o, const char *const *known, const char *what,
                                      odai_error *err) {
  if (!o) return ODAI_OK;
  for (size_t i = 0; i < o->n_fields; i++) {
    const odai_pb_field *f = &o->fields[i];
    if (f->is_extension) continue;
    bool ok = false;
    for (const char *const *k = known; k && *k; k++)
      if (strcmp(*k, f->name) == 0) ok = true;
    if (ok) continue;
    char list[300] = "";
    size_t n = 0;
    for (const char *const *k = known; k && *k && n < sizeof list; k++)
      n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", n ? ", " : "", *k);
    return odai_error_set(err, ODAI_E_INVALID, "%s:%d:%d: found unknown option '%s' in %s, expected one of: %s",
                          f->pos.file ? f->pos.file : "<options>", f->pos.line, f->pos.col, f->name,
                          what ? what : "options", list);
  }
  return ODAI_OK;
}

odai_status odai_options_check_reads(const odai_options *o, odai_error *err) {
  for (size_t i = 0; o && i < o->n_fields; i++) {
    const odai_pb_field *f = &o->fields[i];
    const char *want = __atomic_load_n(&f->read_want, __ATOMIC_RELAXED);
    if (want && !__atomic_load_n(&f->read_ok, __ATOMIC_RELAXED)) return mismatch(f, f->name, want, err);
    if (f->kind == ODAI_PB_MESSAGE) {
      odai_status st = odai_options_check_reads(f->msg, err);
      if (st) return st;
    }
  }
  return ODAI_OK;
}
