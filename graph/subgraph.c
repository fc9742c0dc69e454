/* graph/subgraph.c: subgraph registry and inline expansion (graph/subgraph.h).
 * Mirrors MediaPipe's subgraph_expansion/options_util rules on odai's
 * schema-less configs: name prefixing, tag/index stream mapping, removal of
 * unconnected inputs, graph_options + option_value. Sits between the parser
 * (graph/config_parse.c) and validation. */
#include <ctype.h>
#include <dirent.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calculators/compat/switch_container.h"
#include "calculators/registry.h"
#include "graph/config_text.h"
#include "graph/options.h"
#include "graph/subgraph.h"

#define MAX_SUBGRAPH_DEPTH 32
#define MAX_EXPANDED_NODES 100000

/* --------------------------------------------------------------- registry */

typedef struct entry {
  char *type;
  odai_graph_config *cfg;
} entry;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static entry *g_entries; /* guarded by g_lock */
static size_t g_n;       /* guarded by g_lock */

static odai_status nomem(odai_error *err) { return odai_error_set(err, ODAI_E_NOMEM, "out of memory"); }

odai_status odai_subgraph_register_config(odai_graph_config *cfg, odai_error *err) {
  if (!cfg) return odai_error_set(err, ODAI_E_INVALID, "odai_subgraph_register_config: cfg is NULL");
  if (!cfg->type || !cfg->type[0]) {
    odai_status st = odai_error_set(err, ODAI_E_INVALID, "%s: a subgraph config needs a type: \"Name\" line",
                                    cfg->source_name ? cfg->source_name : "<string>");
    odai_config_free(cfg);
    return st;
  }
  odai_status st = ODAI_OK;
  pthread_mutex_lock(&g_lock);
  size_t i;
  for (i = 0; i < g_n; i++)
    if (strcmp(g_entries[i].type, cfg->type) == 0) break;
  if (i < g_n) {
    odai_config_free(g_entries[i].cfg);
    g_entries[i].cfg = cfg;
  } else {
    entry *ne = realloc(g_entries, (g_n + 1) * sizeof *ne);
    char *t = strdup(cfg->type);
    if (!ne || !t) {
      if (ne) g_entries = ne;
      free(t);
      odai_config_free(cfg);
      st = nomem(err);
    } else {
      g_entries = ne;
      g_entries[g_n].type = t;
      g_entries[g_n].cfg = cfg;
      g_n++;
    }
  }
  pthread_mutex_unlock(&g_lock);
  return st;
}

odai_status odai_subgraph_register_text_n(const char *text, size_t len, const char *source_name,
                                          odai_error *err) {
  if (!text) return odai_error_set(err, ODAI_E_INVALID, "odai_subgraph_register_text: text is NULL");
  odai_graph_config *cfg;
  odai_status st = odai_config_parse(text, len, source_name, &cfg, err);
  if (st) return st;
  return odai_subgraph_register_config(cfg, err);
}

odai_status odai_subgraph_register_text(const char *text, const char *source_name, odai_error *err) {
  return odai_subgraph_register_text_n(text, text ? strlen(text) : 0, source_name, err);
}

odai_status odai_subgraph_register_file(const char *path, odai_error *err) {
  odai_graph_config *cfg;
  odai_status st = odai_config_parse_file(path, &cfg, err);
  if (st) return st;
  return odai_subgraph_register_config(cfg, err);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

odai_status odai_subgraph_register_dir_n(const char *dir, size_t *n_registered, odai_error *err) {
  if (n_registered) *n_registered = 0;
  if (!dir) return odai_error_set(err, ODAI_E_INVALID, "odai_subgraph_register_dir: dir is NULL");
  DIR *d = opendir(dir);
  if (!d) return odai_error_set(err, ODAI_E_NOT_FOUND, "%s: cannot open directory", dir);
  char **names = NULL;
  size_t n = 0;
  odai_status st = ODAI_OK;
  struct dirent *de;
  while ((de = readdir(d))) {
    size_t l = strlen(de->d_name);
    if (l < 7 || strcmp(de->d_name + l - 6, ".pbtxt") != 0 || de->d_name[0] == '.') continue;
    char **nn = realloc(names, (n + 1) * sizeof *nn);
    if (!nn) {
      st = nomem(err);
      goto done;
    }
    names = nn;
    if (!(names[n] = strdup(de->d_name))) {
      st = nomem(err);
      goto done;
    }
    n++;
  }
  if (n) qsort(names, n, sizeof *names, cmp_str);
  for (size_t i = 0; i < n; i++) {
    size_t pl = strlen(dir) + strlen(names[i]) + 2;
    char *path = malloc(pl);
    if (!path) {
      st = nomem(err);
      goto done;
    }
    snprintf(path, pl, "%s/%s", dir, names[i]);
    odai_graph_config *cfg;
    st = odai_config_parse_file(path, &cfg, err);
    free(path);
    if (st) goto done;
    if (!cfg->type[0]) {
      odai_config_free(cfg); /* a top-level graph, not a subgraph */
      continue;
    }
    if ((st = odai_subgraph_register_config(cfg, err))) goto done;
    if (n_registered) (*n_registered)++;
  }
done:
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
  closedir(d);
  return st;
}

odai_status odai_subgraph_register_dir(const char *dir, odai_error *err) {
  return odai_subgraph_register_dir_n(dir, NULL, err);
}

/* Built-in subgraphs (configs/modules/, embedded in the library): parsed
 * once, never cleared, consulted after the user registry so a user's
 * registration of the same type wins. */
static odai_graph_config **g_builtin; /* written once under g_builtin_once */
static size_t g_n_builtin;
static pthread_once_t g_builtin_once = PTHREAD_ONCE_INIT;

static void load_builtins(void) {
  size_t n = odai_builtin_subgraph_files_count;
  g_builtin = calloc(n ? n : 1, sizeof *g_builtin);
  if (!g_builtin) return;
  for (size_t i = 0; i < n; i++) {
    const odai_embedded_file *f = &odai_builtin_subgraph_files[i];
    odai_graph_config *cfg = NULL;
    char name[256];
    snprintf(name, sizeof name, "<odai>/configs/modules/%s", f->name);
    /* A built-in that fails to parse is a build defect; tests catch it
     * (tests/calculators: every built-in subgraph parses and expands). */
    if (odai_config_parse(f->data, f->size, name, &cfg, NULL) == ODAI_OK && cfg->type && cfg->type[0])
      g_builtin[g_n_builtin++] = cfg;
    else
      odai_config_free(cfg);
  }
}

static const odai_graph_config *builtin_find(const char *type) {
  pthread_once(&g_builtin_once, load_builtins);
  for (size_t i = 0; i < g_n_builtin; i++)
    if (strcmp(g_builtin[i]->type, type) == 0) return g_builtin[i];
  return NULL;
}

size_t odai_subgraph_builtin_count(void) {
  pthread_once(&g_builtin_once, load_builtins);
  return g_n_builtin;
}

const char *odai_subgraph_builtin_type(size_t i) {
  pthread_once(&g_builtin_once, load_builtins);
  return i < g_n_builtin ? g_builtin[i]->type : NULL;
}

bool odai_subgraph_is_registered(const char *type) {
  if (!type) return false;
  bool r = false;
  pthread_mutex_lock(&g_lock);
  for (size_t i = 0; i < g_n && !r; i++) r = strcmp(g_entries[i].type, type) == 0;
  pthread_mutex_unlock(&g_lock);
  return r || builtin_find(type) != NULL;
}

odai_graph_config *odai_subgraph_lookup(const char *type) {
  if (!type) return NULL;
  odai_graph_config *c = NULL;
  bool found = false;
  pthread_mutex_lock(&g_lock);
  for (size_t i = 0; i < g_n; i++) {
    if (strcmp(g_entries[i].type, type) == 0) {
      c = odai_config_clone(g_entries[i].cfg);
      found = true;
      break;
    }
  }
  pthread_mutex_unlock(&g_lock);
  if (!found) {
    const odai_graph_config *b = builtin_find(type);
    if (b) c = odai_config_clone(b);
  }
  return c;
}

size_t odai_subgraph_count(void) {
  pthread_mutex_lock(&g_lock);
  size_t n = g_n;
  pthread_mutex_unlock(&g_lock);
  return n;
}

void odai_subgraph_clear(void) {
  pthread_mutex_lock(&g_lock);
  for (size_t i = 0; i < g_n; i++) {
    free(g_entries[i].type);
    odai_config_free(g_entries[i].cfg);
  }
  free(g_entries);
  g_entries = NULL;
  g_n = 0;
  pthread_mutex_unlock(&g_lock);
}

/* ----------------------------------------------------------- option_value */

typedef struct opath {
  struct {
    char name[128];
    long index; /* -1: all values / not given */
  } c[16];
  int n;
  char ext[256]; /* "Ext::Type" component, "" = any */
} opath;

/* One side of "node_path:graph_path": '/'-separated, a leading OPTIONS and/or
 * options dropped, "Ext::Type" picks an options type, numbers index the
 * previous field. */
static odai_status parse_opath(const char *s, size_t len, opath *p, const char *whole,
                               const odai_srcpos *pos, odai_error *err) {
  memset(p, 0, sizeof *p);
  size_t i = 0;
  int comp = 0;
  while (i <= len) {
    size_t j = i;
    while (j < len && s[j] != '/') j++;
    size_t l = j - i;
    const char *c = s + i;
    bool skip = (comp == 0 && l == 7 && strncmp(c, "OPTIONS", 7) == 0) ||
                (comp <= 1 && p->n == 0 && l == 7 && strncmp(c, "options", 7) == 0);
    comp++;
    if (l == 0 || skip) {
      /* empty components are ignored, as in MediaPipe */
    } else if (l > 5 && strncasecmp(c, "Ext::", 5) == 0) {
      if (l - 5 >= sizeof p->ext) goto bad;
      memcpy(p->ext, c + 5, l - 5);
      p->ext[l - 5] = '\0';
    } else if (isdigit((unsigned char)c[0])) {
      long v = 0;
      for (size_t k = 0; k < l; k++) {
        if (!isdigit((unsigned char)c[k]) || v > 1000000) goto bad;
        v = v * 10 + (c[k] - '0');
      }
      if (p->n == 0) goto bad;
      p->c[p->n - 1].index = v;
    } else {
      if (p->n >= 16 || l >= sizeof p->c[0].name) goto bad;
      memcpy(p->c[p->n].name, c, l);
      p->c[p->n].name[l] = '\0';
      p->c[p->n].index = -1;
      p->n++;
    }
    i = j + 1;
  }
  return ODAI_OK;
bad:
  return odai_error_set(err, ODAI_E_PARSE,
                        "%s:%d:%d: found option_value \"%.100s\", expected \"node_field:graph_field\" with "
                        "'/'-separated field names, numeric indices and Ext::Type",
                        pos->file, pos->line, pos->col, whole);
}

/* Find an options message (and its type name) among extension fields of a
 * message list, or a plain block when allowed. */
static odai_pb_msg *find_typed(odai_pb_msg *m, const char *type, char *type_out, size_t n) {
  for (size_t i = 0; m && i < m->n_fields; i++) {
    odai_pb_field *f = &m->fields[i];
    if (f->is_extension && f->kind == ODAI_PB_MESSAGE && odai_options_type_matches(f->name, type)) {
      odai_options_type_name(f->name, type_out, n);
      return f->msg;
    }
  }
  return NULL;
}

static bool has_ext_fields(const odai_pb_msg *m) {
  for (size_t i = 0; m && i < m->n_fields; i++)
    if (m->fields[i].is_extension) return true;
  return false;
}

/* Values at `p` in m (pointers into m). */
static size_t get_values(const odai_pb_msg *m, const opath *p, const odai_pb_field **out, size_t max) {
  for (int k = 0; k + 1 < p->n; k++) {
    long idx = p->c[k].index < 0 ? 0 : p->c[k].index;
    const odai_pb_field *f = odai_pb_msg_find(m, p->c[k].name, (size_t)idx);
    if (!f || f->kind != ODAI_PB_MESSAGE) return 0;
    m = f->msg;
  }
  const char *last = p->c[p->n - 1].name;
  long idx = p->c[p->n - 1].index;
  if (idx >= 0) {
    const odai_pb_field *f = odai_pb_msg_find(m, last, (size_t)idx);
    if (!f || max == 0) return 0;
    out[0] = f;
    return 1;
  }
  size_t n = 0;
  for (size_t i = 0; m && i < m->n_fields && n < max; i++)
    if (strcmp(m->fields[i].name, last) == 0) out[n++] = &m->fields[i];
  return n;
}

static odai_pb_field *append_empty_msg(odai_pb_msg *m, const char *name, bool ext, odai_srcpos pos) {
  odai_pb_field f;
  memset(&f, 0, sizeof f);
  f.name = strdup(name);
  f.is_extension = ext;
  f.kind = ODAI_PB_MESSAGE;
  f.msg = calloc(1, sizeof *f.msg);
  f.pos = f.value_pos = pos;
  if (!f.name || !f.msg || odai_pb_msg_append(m, &f)) {
    odai_pb_field_clear(&f);
    return NULL;
  }
  return &m->fields[m->n_fields - 1];
}

/* Write `vals` at path `p` of message m (creating intermediate messages). */
static odai_status set_values(odai_pb_msg *m, const opath *p, const odai_pb_field *const *vals, size_t nv,
                              const odai_srcpos *pos, const char *whole, odai_error *err) {
  for (int k = 0; k + 1 < p->n; k++) {
    long idx = p->c[k].index < 0 ? 0 : p->c[k].index;
    odai_pb_field *f = (odai_pb_field *)odai_pb_msg_find(m, p->c[k].name, (size_t)idx);
    if (!f) {
      if ((size_t)idx != odai_pb_msg_count(m, p->c[k].name)) goto range;
      if (!(f = append_empty_msg(m, p->c[k].name, false, *pos))) return nomem(err);
    }
    if (f->kind != ODAI_PB_MESSAGE)
      return odai_error_set(err, ODAI_E_INVALID, "%s:%d:%d: option_value \"%.100s\": '%s' is not a message",
                            pos->file, pos->line, pos->col, whole, p->c[k].name);
    if (!f->msg && !(f->msg = calloc(1, sizeof *f->msg))) return nomem(err);
    m = f->msg;
  }
  const char *last = p->c[p->n - 1].name;
  long idx = p->c[p->n - 1].index;
  size_t have = odai_pb_msg_count(m, last);
  if (idx >= 0 && (size_t)idx > have) goto range;
  /* The new list of values for `last`: with an index, that one value is
   * replaced (or appended); without, all values are replaced. A message
   * merges into the previous message at its index (MergeFieldValues). */
  size_t n_new = idx >= 0 ? (have > (size_t)idx ? have : (size_t)idx + 1) : nv;
  odai_pb_msg nl = {0};
  odai_status st = ODAI_OK;
  for (size_t i = 0; i < n_new; i++) {
    const odai_pb_field *prev = i < have ? odai_pb_msg_find(m, last, i) : NULL;
    const odai_pb_field *src;
    bool replace;
    if (idx >= 0) {
      replace = i == (size_t)idx;
      src = replace ? vals[0] : prev;
    } else {
      replace = true;
      src = vals[i];
    }
    odai_pb_field c;
    if (odai_pb_field_copy(&c, src)) {
      st = nomem(err);
      break;
    }
    if (replace && prev && prev->kind == ODAI_PB_MESSAGE && c.kind == ODAI_PB_MESSAGE) {
      odai_pb_msg *merged = prev->msg ? odai_pb_msg_clone(prev->msg) : calloc(1, sizeof *merged);
      if (!merged || odai_pb_msg_merge(merged, c.msg)) {
        odai_pb_msg_free(merged);
        odai_pb_field_clear(&c);
        st = nomem(err);
        break;
      }
      odai_pb_msg_free(c.msg);
      c.msg = merged;
    }
    free(c.name);
    c.name = strdup(last);
    c.is_extension = false;
    if (!c.name || odai_pb_msg_append(&nl, &c)) {
      odai_pb_field_clear(&c);
      st = nomem(err);
      break;
    }
  }
  if (st) {
    for (size_t i = 0; i < nl.n_fields; i++) odai_pb_field_clear(&nl.fields[i]);
    free(nl.fields);
    return st;
  }
  odai_pb_msg_remove(m, last);
  for (size_t i = 0; i < nl.n_fields; i++) {
    if (odai_pb_msg_append(m, &nl.fields[i])) {
      for (size_t j = i; j < nl.n_fields; j++) odai_pb_field_clear(&nl.fields[j]);
      free(nl.fields);
      return nomem(err);
    }
  }
  free(nl.fields);
  return ODAI_OK;
range:
  return odai_error_set(err, ODAI_E_INVALID, "%s:%d:%d: option_value \"%.100s\": index out of range",
                        pos->file, pos->line, pos->col, whole);
}

/* Split "a:b" at the first single ':' (a "::" belongs to Ext::). */
static const char *single_colon(const char *s) {
  for (const char *p = s; *p; p++) {
    if (*p != ':') continue;
    if (p[1] == ':') {
      p++;
      continue;
    }
    return p;
  }
  return NULL;
}

static odai_status apply_one(odai_graph_config *cfg, odai_node_config *node, const odai_node_config *parent,
                             const char *ov, odai_error *err) {
  const odai_srcpos *pos = &node->pos;
  const char *colon = single_colon(ov);
  if (!colon)
    return odai_error_set(err, ODAI_E_PARSE, "%s:%d:%d: found option_value \"%.100s\" without ':', expected \"node_field:graph_field\"",
                          pos->file, pos->line, pos->col, ov);
  opath np, gp;
  odai_status st = parse_opath(ov, (size_t)(colon - ov), &np, ov, pos, err);
  if (!st) st = parse_opath(colon + 1, strlen(colon + 1), &gp, ov, pos, err);
  if (st) return st;

  /* graph options: the subgraph's own (defaults) merged with the parent's */
  char gtype[256] = "";
  const char *want = gp.ext[0] ? gp.ext : NULL;
  odai_pb_msg *base = find_typed(cfg->options, want, gtype, sizeof gtype);
  if (!base) base = find_typed(cfg->graph_options, want, gtype, sizeof gtype);
  if (!base && cfg->options && !has_ext_fields(cfg->options) && cfg->options->n_fields) base = cfg->options;
  if (!gtype[0] && want) snprintf(gtype, sizeof gtype, "%s", want);
  const odai_options *over = parent ? odai_node_options(parent, gtype[0] ? gtype : NULL) : NULL;
  if (!base && !over) return ODAI_OK; /* nothing to take values from */
  odai_pb_msg *g = base ? odai_pb_msg_clone(base) : calloc(1, sizeof *g);
  if (!g) return nomem(err);
  if (odai_pb_msg_merge(g, over)) {
    odai_pb_msg_free(g);
    return nomem(err);
  }

  const odai_pb_field *vals[256];
  odai_pb_field whole = {0};
  size_t nv;
  if (gp.n == 0) {
    whole.kind = ODAI_PB_MESSAGE;
    whole.msg = g;
    whole.name = (char *)"options";
    whole.pos = whole.value_pos = *pos;
    vals[0] = &whole;
    nv = 1;
  } else {
    nv = get_values(g, &gp, vals, 256);
  }
  if (nv == 0) { /* odai keeps the node's own value (MediaPipe would clear it) */
    odai_pb_msg_free(g);
    return ODAI_OK;
  }

  /* node options: found by type, or created */
  const char *ntype = np.ext[0] ? np.ext : NULL;
  odai_pb_msg *nm = odai_node_options_mut(node, ntype);
  if (!nm) {
    /* a whole-message copy becomes node_options of the graph's type (a
     * nested subgraph node); a field goes into a plain options block, which
     * any options type lookup finds */
    const char *t = ntype ? ntype : (np.n == 0 && gtype[0] ? gtype : NULL);
    if (t) {
      char name[300];
      snprintf(name, sizeof name, "type.googleapis.com/%s", t);
      if (!node->node_options && !(node->node_options = calloc(1, sizeof *node->node_options))) goto oom;
      odai_pb_field *f = append_empty_msg(node->node_options, name, true, *pos);
      if (!f) goto oom;
      nm = f->msg;
    } else {
      if (!node->options && !(node->options = calloc(1, sizeof *node->options))) goto oom;
      nm = node->options;
    }
  }
  if (np.n == 0) {
    if (vals[0]->kind != ODAI_PB_MESSAGE) {
      st = odai_error_set(err, ODAI_E_INVALID,
                          "%s:%d:%d: option_value \"%.100s\": the whole node options can only be set from a message",
                          pos->file, pos->line, pos->col, ov);
    } else if (odai_pb_msg_merge(nm, vals[0]->msg)) {
      goto oom;
    }
  } else {
    st = set_values(nm, &np, vals, nv, pos, ov, err);
  }
  odai_pb_msg_free(g);
  return st;
oom:
  odai_pb_msg_free(g);
  return nomem(err);
}

odai_status odai_config_apply_option_values(odai_graph_config *cfg, const odai_node_config *parent,
                                            odai_error *err) {
  for (size_t i = 0; i < cfg->n_nodes; i++) {
    odai_node_config *n = &cfg->nodes[i];
    for (size_t k = 0; k < n->n_option_values; k++) {
      odai_status st = apply_one(cfg, n, parent, n->option_values[k], err);
      if (st) return st;
    }
    for (size_t k = 0; k < n->n_option_values; k++) free(n->option_values[k]);
    free(n->option_values);
    n->option_values = NULL;
    n->n_option_values = 0;
  }
  return ODAI_OK;
}

/* -------------------------------------------------------------- expansion */

/* MediaPipe's CanonicalNodeName: name or calculator, "_<k>" when repeated. */
static char *canonical_name(const odai_graph_config *cfg, size_t id) {
  const odai_node_config *n = &cfg->nodes[id];
  const char *base = n->name && n->name[0] ? n->name : n->calculator;
  size_t count = 0, seq = 0;
  for (size_t i = 0; i < cfg->n_nodes; i++) {
    const odai_node_config *o = &cfg->nodes[i];
    const char *ob = o->name && o->name[0] ? o->name : o->calculator;
    if (ob && strcmp(ob, base) == 0) {
      count++;
      if (i < id) seq++;
    }
  }
  size_t l = strlen(base) + 24;
  char *r = malloc(l);
  if (!r) return NULL;
  if (count <= 1)
    snprintf(r, l, "%s", base);
  else
    snprintf(r, l, "%s_%zu", base, seq + 1);
  return r;
}

static char *cat(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  char *r = malloc(la + lb + 1);
  if (!r) return NULL;
  memcpy(r, a, la);
  memcpy(r + la, b, lb + 1);
  return r;
}

static odai_status prefix_str(char **s, const char *prefix) {
  char *n = cat(prefix, *s);
  if (!n) return ODAI_E_NOMEM;
  free(*s);
  *s = n;
  return ODAI_OK;
}

/* "TAG:1:name" -> "TAG:1:<prefix>name" */
static odai_status prefix_decl(char **s, const char *prefix) {
  const char *c = strrchr(*s, ':');
  size_t at = c ? (size_t)(c - *s) + 1 : 0;
  size_t l = strlen(*s), lp = strlen(prefix);
  char *n = malloc(l + lp + 1);
  if (!n) return ODAI_E_NOMEM;
  memcpy(n, *s, at);
  memcpy(n + at, prefix, lp);
  memcpy(n + at + lp, *s + at, l - at + 1);
  free(*s);
  *s = n;
  return ODAI_OK;
}

static odai_status prefix_names(odai_graph_config *sub, const char *prefix) {
  char ***decls[4] = {&sub->input_streams, &sub->output_streams, &sub->input_side_packets,
                      &sub->output_side_packets};
  size_t ns[4] = {sub->n_input_streams, sub->n_output_streams, sub->n_input_side_packets,
                  sub->n_output_side_packets};
  for (int k = 0; k < 4; k++)
    for (size_t i = 0; i < ns[k]; i++)
      if (prefix_decl(&(*decls[k])[i], prefix)) return ODAI_E_NOMEM;
  /* node names: canonical names first (they depend on the others) */
  char **names = calloc(sub->n_nodes ? sub->n_nodes : 1, sizeof *names);
  if (!names) return ODAI_E_NOMEM;
  odai_status st = ODAI_OK;
  for (size_t i = 0; i < sub->n_nodes && !st; i++)
    if (!(names[i] = canonical_name(sub, i))) st = ODAI_E_NOMEM;
  for (size_t i = 0; i < sub->n_nodes && !st; i++) {
    char *n = cat(prefix, names[i]);
    if (!n) {
      st = ODAI_E_NOMEM;
      break;
    }
    free(sub->nodes[i].name);
    sub->nodes[i].name = n;
    odai_stream_refs *lists[4] = {&sub->nodes[i].input_streams, &sub->nodes[i].output_streams,
                                  &sub->nodes[i].input_side_packets, &sub->nodes[i].output_side_packets};
    for (int k = 0; k < 4 && !st; k++)
      for (size_t j = 0; j < lists[k]->n && !st; j++) st = prefix_str(&lists[k]->v[j].name, prefix);
  }
  for (size_t i = 0; i < sub->n_nodes; i++) free(names[i]);
  free(names);
  return st;
}

/* A TagMap: entries with positional indices for untagged names. */
typedef struct tm_entry {
  char *tag;
  int index;
  char *name;
} tm_entry;

typedef struct tagmap {
  tm_entry *v;
  size_t n;
} tagmap;

static void tm_free(tagmap *m) {
  for (size_t i = 0; i < m->n; i++) {
    free(m->v[i].tag);
    free(m->v[i].name);
  }
  free(m->v);
  m->v = NULL;
  m->n = 0;
}

static odai_status tm_add(tagmap *m, const char *tag, int index, bool positional, const char *name,
                          const char *what, odai_error *err) {
  if (positional) {
    index = 0;
    for (size_t i = 0; i < m->n; i++)
      if (strcmp(m->v[i].tag, tag) == 0) index++;
  }
  for (size_t i = 0; i < m->n; i++)
    if (strcmp(m->v[i].tag, tag) == 0 && m->v[i].index == index)
      return odai_error_set(err, ODAI_E_INVALID, "%s: tag \"%s\" index %d is given twice (\"%s\" and \"%s\")", what,
                            tag, index, m->v[i].name, name);
  tm_entry *nv = realloc(m->v, (m->n + 1) * sizeof *nv);
  if (!nv) return nomem(err);
  m->v = nv;
  m->v[m->n].tag = strdup(tag);
  m->v[m->n].name = strdup(name);
  m->v[m->n].index = index;
  m->n++;
  if (!m->v[m->n - 1].tag || !m->v[m->n - 1].name) return nomem(err);
  return ODAI_OK;
}

static size_t tm_count(const tagmap *m, const char *tag) {
  size_t c = 0;
  for (size_t i = 0; i < m->n; i++)
    if (strcmp(m->v[i].tag, tag) == 0) c++;
  return c;
}

static const tm_entry *tm_find(const tagmap *m, const char *tag, int index) {
  for (size_t i = 0; i < m->n; i++)
    if (strcmp(m->v[i].tag, tag) == 0 && m->v[i].index == index) return &m->v[i];
  return NULL;
}

/* Every tag's indices must be 0..count-1. */
static odai_status tm_check(const tagmap *m, const char *what, odai_error *err) {
  for (size_t i = 0; i < m->n; i++) {
    size_t c = tm_count(m, m->v[i].tag);
    if (m->v[i].index < 0 || (size_t)m->v[i].index >= c)
      return odai_error_set(err, ODAI_E_INVALID, "%s: tag \"%s\" has %zu entries but index %d (indices must be 0..%zu)",
                            what, m->v[i].tag, c, m->v[i].index, c - 1);
  }
  return ODAI_OK;
}

static odai_status tm_from_decls(tagmap *m, char *const *decls, size_t n, const char *what, odai_error *err) {
  for (size_t i = 0; i < n; i++) {
    odai_stream_ref r;
    odai_status st = odai_stream_ref_parse(decls[i], &r, err);
    if (st) return st;
    bool positional = r.tag[0] == '\0';
    st = tm_add(m, r.tag, r.index, positional, r.name, what, err);
    free(r.tag);
    free(r.name);
    if (st) return st;
  }
  return tm_check(m, what, err);
}

static odai_status tm_from_refs(tagmap *m, const odai_stream_refs *refs, const char *what, odai_error *err) {
  for (size_t i = 0; i < refs->n; i++) {
    const odai_stream_ref *r = &refs->v[i];
    odai_status st = tm_add(m, r->tag, r->index, r->tag[0] == '\0', r->name, what, err);
    if (st) return st;
  }
  return tm_check(m, what, err);
}

typedef struct name_map {
  char **from, **to;
  size_t n;
  char **ignored; /* declared inputs the node does not connect */
  size_t n_ignored;
} name_map;

static void nm_free(name_map *m) {
  for (size_t i = 0; i < m->n; i++) {
    free(m->from[i]);
    free(m->to[i]);
  }
  for (size_t i = 0; i < m->n_ignored; i++) free(m->ignored[i]);
  free(m->from);
  free(m->to);
  free(m->ignored);
  memset(m, 0, sizeof *m);
}

static odai_status nm_add(char ***v, size_t *n, const char *s) {
  char **nv = realloc(*v, (*n + 1) * sizeof *nv);
  if (!nv) return ODAI_E_NOMEM;
  *v = nv;
  if (!((*v)[*n] = strdup(s))) return ODAI_E_NOMEM;
  (*n)++;
  return ODAI_OK;
}

static odai_status nm_pair(name_map *m, const char *from, const char *to) {
  char **f = realloc(m->from, (m->n + 1) * sizeof *f);
  if (!f) return ODAI_E_NOMEM;
  m->from = f;
  char **t = realloc(m->to, (m->n + 1) * sizeof *t);
  if (!t) return ODAI_E_NOMEM;
  m->to = t;
  char *a = strdup(from), *b = strdup(to);
  if (!a || !b) {
    free(a);
    free(b);
    return ODAI_E_NOMEM;
  }
  m->from[m->n] = a;
  m->to[m->n] = b;
  m->n++;
  return ODAI_OK;
}

/* MediaPipe's FindCorrespondingStreams (+ FindIgnoredStreams for inputs). */
static odai_status connect(name_map *map, char *const *decls, size_t n_decls, const odai_stream_refs *refs,
                           bool inputs, const char *kind, const odai_node_config *node, const char *src,
                           odai_error *err) {
  tagmap sm = {0}, dm = {0};
  char what[200];
  snprintf(what, sizeof what, "%s:%d:%d: node '%s' (subgraph %s): %s", node->pos.file, node->pos.line,
           node->pos.col, node->name && node->name[0] ? node->name : node->calculator, node->calculator, kind);
  odai_status st = tm_from_decls(&sm, decls, n_decls, what, err);
  if (!st) st = tm_from_refs(&dm, refs, what, err);
  for (size_t i = 0; !st && i < dm.n; i++) {
    const tm_entry *d = &dm.v[i];
    size_t sc = tm_count(&sm, d->tag), dc = tm_count(&dm, d->tag);
    if (sc == 0) {
      char tags[200] = "";
      size_t tn = 0;
      for (size_t k = 0; k < sm.n && tn < sizeof tags; k++) {
        bool dup = false;
        for (size_t q = 0; q < k; q++) dup |= strcmp(sm.v[q].tag, sm.v[k].tag) == 0;
        if (!dup)
          tn += (size_t)snprintf(tags + tn, sizeof tags - tn, "%s%s", tn ? ", " : "",
                                 sm.v[k].tag[0] ? sm.v[k].tag : "(untagged)");
      }
      st = odai_error_set(err, ODAI_E_INVALID, "%s tag \"%s\" does not exist in the subgraph config %s (it declares: %s)",
                          what, d->tag, src, sm.n ? tags : "none");
    } else if (dc > sc) {
      st = odai_error_set(err, ODAI_E_INVALID,
                          "%s tag \"%s\" has %zu indexes in the subgraph node but only %zu in the subgraph config %s",
                          what, d->tag, dc, sc, src);
    } else {
      const tm_entry *s = tm_find(&sm, d->tag, d->index);
      if (s && nm_pair(map, s->name, d->name)) st = nomem(err);
    }
  }
  for (size_t i = 0; !st && inputs && i < sm.n; i++)
    if (!tm_find(&dm, sm.v[i].tag, sm.v[i].index) && nm_add(&map->ignored, &map->n_ignored, sm.v[i].name))
      st = nomem(err);
  tm_free(&sm);
  tm_free(&dm);
  return st;
}

static const char *nm_lookup(const name_map *m, const char *s) {
  for (size_t i = 0; i < m->n; i++)
    if (strcmp(m->from[i], s) == 0) return m->to[i];
  return NULL;
}

static bool nm_ignored(const name_map *m, const char *s) {
  for (size_t i = 0; i < m->n_ignored; i++)
    if (strcmp(m->ignored[i], s) == 0) return true;
  return false;
}

static odai_status remap(odai_stream_refs *r, const name_map *m, bool drop_ignored) {
  size_t w = 0;
  for (size_t i = 0; i < r->n; i++) {
    odai_stream_ref *x = &r->v[i];
    if (drop_ignored && nm_ignored(m, x->name)) {
      free(x->tag);
      free(x->name);
      continue;
    }
    const char *to = nm_lookup(m, x->name);
    if (to) {
      char *n = strdup(to);
      if (!n) return ODAI_E_NOMEM;
      free(x->name);
      x->name = n;
    }
    r->v[w++] = *x;
  }
  r->n = w;
  return ODAI_OK;
}

typedef struct chain {
  const char *type;
  const struct chain *up;
} chain;

static odai_status expand(odai_graph_config *cfg, const chain *up, int depth, size_t *total, odai_error *err);

static odai_status chain_error(const chain *c, const char *type, const odai_node_config *node, odai_error *err) {
  /* list the chain outermost first */
  const char *v[MAX_SUBGRAPH_DEPTH + 2];
  int n = 0;
  for (const chain *p = c; p && n < MAX_SUBGRAPH_DEPTH + 1; p = p->up) v[n++] = p->type;
  char buf[400] = "";
  size_t l = 0;
  for (int i = n - 1; i >= 0 && l < sizeof buf; i--)
    l += (size_t)snprintf(buf + l, sizeof buf - l, "%s -> ", v[i]);
  if (l < sizeof buf) snprintf(buf + l, sizeof buf - l, "%s", type);
  return odai_error_set(err, ODAI_E_INVALID, "%s:%d:%d: subgraph recursion: %s", node->pos.file, node->pos.line,
                        node->pos.col, buf);
}

/* Expand one subgraph node into *sub_out (its inner nodes, expanded). */
static odai_status expand_node(odai_node_config *node, const char *canon, const chain *up, int depth,
                               size_t *total, odai_graph_config **sub_out, odai_error *err) {
  *sub_out = NULL;
  const char *where_file = node->pos.file;
  for (const chain *p = up; p; p = p->up)
    if (strcmp(p->type, node->calculator) == 0) return chain_error(up, node->calculator, node, err);
  if (depth >= MAX_SUBGRAPH_DEPTH)
    return odai_error_set(err, ODAI_E_INVALID, "%s:%d:%d: subgraphs nested deeper than %d at '%s'", where_file,
                          node->pos.line, node->pos.col, MAX_SUBGRAPH_DEPTH, node->calculator);
  if (node->source_layer || (node->output_stream_handler && node->output_stream_handler[0]) ||
      node->n_input_stream_info)
    return odai_error_set(err, ODAI_E_INVALID,
                          "%s:%d:%d: node '%s' uses subgraph %s but has source_layer, output_stream_handler or "
                          "input_stream_info, which only apply to calculators",
                          where_file, node->pos.line, node->pos.col, canon, node->calculator);
  odai_graph_config *sub = odai_subgraph_lookup(node->calculator);
  if (!sub) return nomem(err);
  odai_status st = odai_config_apply_option_values(sub, node, err);
  if (st) goto fail;

  char prefix[300];
  size_t pl = 0;
  for (const char *c = canon; *c && pl + 3 < sizeof prefix; c++) {
    char ch = (char)tolower((unsigned char)*c);
    prefix[pl++] = (ch == '.' || ch == ' ' || ch == ':') ? '_' : ch;
  }
  prefix[pl++] = '_';
  prefix[pl++] = '_';
  prefix[pl] = '\0';
  if (prefix_names(sub, prefix)) {
    st = nomem(err);
    goto fail;
  }

  name_map streams = {0}, sides = {0};
  const char *src = sub->source_name;
  st = connect(&streams, sub->input_streams, sub->n_input_streams, &node->input_streams, true, "input streams", node,
               src, err);
  if (!st)
    st = connect(&streams, sub->output_streams, sub->n_output_streams, &node->output_streams, false,
                 "output streams", node, src, err);
  if (!st)
    st = connect(&sides, sub->input_side_packets, sub->n_input_side_packets, &node->input_side_packets, true,
                 "input side packets", node, src, err);
  if (!st)
    st = connect(&sides, sub->output_side_packets, sub->n_output_side_packets, &node->output_side_packets, false,
                 "output side packets", node, src, err);
  for (size_t i = 0; !st && i < sub->n_nodes; i++) {
    odai_node_config *n = &sub->nodes[i];
    if (remap(&n->input_streams, &streams, true) || remap(&n->output_streams, &streams, false) ||
        remap(&n->input_side_packets, &sides, true) || remap(&n->output_side_packets, &sides, false))
      st = nomem(err);
    if (!st && node->executor && node->executor[0] && (!n->executor || !n->executor[0])) {
      char *e = strdup(node->executor);
      if (!e) st = nomem(err);
      else {
        free(n->executor);
        n->executor = e;
      }
    }
  }
  nm_free(&streams);
  nm_free(&sides);
  if (st) goto fail;

  *total += sub->n_nodes;
  if (*total > MAX_EXPANDED_NODES) {
    st = odai_error_set(err, ODAI_E_INVALID, "%s:%d:%d: subgraph expansion exceeds %d nodes", where_file,
                        node->pos.line, node->pos.col, MAX_EXPANDED_NODES);
    goto fail;
  }
  chain me = {node->calculator, up};
  if ((st = expand(sub, &me, depth + 1, total, err))) goto fail;
  *sub_out = sub;
  return ODAI_OK;
fail:
  odai_config_free(sub);
  return st;
}

static odai_status expand(odai_graph_config *cfg, const chain *up, int depth, size_t *total, odai_error *err) {
  bool any = false;
  for (size_t i = 0; i < cfg->n_nodes && !any; i++)
    any = odai_subgraph_is_registered(cfg->nodes[i].calculator) ||
          odai_switch_container_is(cfg->nodes[i].calculator);
  if (!any) return ODAI_OK;
  char **canon = calloc(cfg->n_nodes, sizeof *canon);
  if (!canon) return nomem(err);
  odai_status st = ODAI_OK;
  for (size_t i = 0; i < cfg->n_nodes && !st; i++)
    if (!(canon[i] = canonical_name(cfg, i))) st = nomem(err);
  odai_node_config *out = NULL;
  size_t n_out = 0, cap = 0;
  size_t i = 0;
  for (; i < cfg->n_nodes && !st; i++) {
    odai_node_config *node = &cfg->nodes[i];
    odai_graph_config *sub = NULL;
    size_t need = 1;
    if (odai_switch_container_is(node->calculator)) {
      /* MediaPipe's SwitchContainer: its replacement nodes (which may be
       * subgraphs themselves) are expanded like a subgraph's
       * (calculators/compat/switch_container.c). */
      if ((st = odai_switch_container_expand(node, canon[i], &sub, err))) break;
      *total += sub->n_nodes;
      if ((st = expand(sub, up, depth + 1, total, err))) {
        odai_config_free(sub);
        break;
      }
      need = sub->n_nodes;
    } else if (odai_subgraph_is_registered(node->calculator)) {
      if ((st = expand_node(node, canon[i], up, depth, total, &sub, err))) break;
      need = sub->n_nodes;
    }
    if (n_out + need > cap) {
      size_t nc = (n_out + need) * 2;
      odai_node_config *nv = realloc(out, nc * sizeof *nv);
      if (!nv) {
        odai_config_free(sub);
        st = nomem(err);
        break;
      }
      out = nv;
      cap = nc;
    }
    if (sub) {
      /* a subgraph may have no nodes: then `out` can still be NULL */
      if (sub->n_nodes) memcpy(out + n_out, sub->nodes, sub->n_nodes * sizeof *out);
      n_out += sub->n_nodes;
      sub->n_nodes = 0; /* nodes moved */
      odai_config_free(sub);
      odai_node_config_clear(node);
    } else {
      out[n_out++] = *node;
      memset(node, 0, sizeof *node);
    }
  }
  for (size_t k = 0; k < cfg->n_nodes; k++) free(canon[k]);
  free(canon);
  if (st) {
    /* keep cfg freeable: processed nodes come back, then the rest */
    for (size_t k = i; k < cfg->n_nodes; k++) {
      if (n_out + 1 > cap) {
        odai_node_config *nv = realloc(out, (n_out + 1) * 2 * sizeof *nv);
        if (!nv) {
          odai_node_config_clear(&cfg->nodes[k]);
          continue;
        }
        out = nv;
        cap = (n_out + 1) * 2;
      }
      out[n_out++] = cfg->nodes[k];
    }
  }
  free(cfg->nodes);
  cfg->nodes = out;
  cfg->n_nodes = n_out;
  return st;
}

odai_status odai_config_expand_subgraphs(odai_graph_config *cfg, odai_error *err) {
  if (!cfg) return odai_error_set(err, ODAI_E_INVALID, "odai_config_expand_subgraphs: cfg is NULL");
  odai_status st = odai_config_apply_option_values(cfg, NULL, err);
  if (st) return st;
  size_t total = cfg->n_nodes;
  return expand(cfg, NULL, 0, &total, err);
}
