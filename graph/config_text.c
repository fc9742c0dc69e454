/* graph/config_text.c: a schema-less protobuf text-format reader (the lexer
 * and recursive-descent parser under odai_config_parse) and the odai_pb_msg
 * helpers: free, clone, find, merge, and source-name interning.
 * It knows nothing of graphs; graph/config_parse.c maps the tree onto
 * odai_graph_config. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/config_text.h"

/* ---------------------------------------------------------------- intern */

typedef struct intern_node {
  struct intern_node *next;
  char name[];
} intern_node;

static pthread_mutex_t g_intern_lock = PTHREAD_MUTEX_INITIALIZER;
static intern_node *g_interned; /* guarded by g_intern_lock; never freed */

const char *odai_pb_intern(const char *name) {
  if (!name) name = "<string>";
  const char *r = NULL;
  pthread_mutex_lock(&g_intern_lock);
  for (intern_node *n = g_interned; n; n = n->next) {
    if (strcmp(n->name, name) == 0) {
      r = n->name;
      break;
    }
  }
  if (!r) {
    size_t l = strlen(name);
    intern_node *n = malloc(sizeof *n + l + 1);
    if (n) {
      memcpy(n->name, name, l + 1);
      n->next = g_interned;
      g_interned = n;
      r = n->name;
    }
  }
  pthread_mutex_unlock(&g_intern_lock);
  return r;
}

/* ------------------------------------------------------------- msg helpers */

/* Capacity of a fields array holding n > 0 fields: max(4, next power of two
 * >= n). Every helper that (re)allocates `fields` keeps this invariant, so
 * append only grows when n is 0 or a power of two >= 4. */
static size_t pb_cap(size_t n) {
  size_t c = 4;
  while (c < n) c *= 2;
  return c;
}

void odai_pb_field_clear(odai_pb_field *f) {
  if (!f) return;
  free(f->name);
  free(f->s);
  odai_pb_msg_free(f->msg);
  f->name = NULL;
  f->s = NULL;
  f->msg = NULL;
}

void odai_pb_msg_free(odai_pb_msg *m) {
  if (!m) return;
  for (size_t i = 0; i < m->n_fields; i++) odai_pb_field_clear(&m->fields[i]);
  free(m->fields);
  free(m);
}

odai_status odai_pb_field_copy(odai_pb_field *dst, const odai_pb_field *src) {
  *dst = *src;
  dst->name = NULL;
  dst->s = NULL;
  dst->msg = NULL;
  if (src->name && !(dst->name = strdup(src->name))) goto fail;
  if (src->s) {
    dst->s = malloc(src->s_len + 1);
    if (!dst->s) goto fail;
    memcpy(dst->s, src->s, src->s_len + 1);
  }
  if (src->msg && !(dst->msg = odai_pb_msg_clone(src->msg))) goto fail;
  return ODAI_OK;
fail:
  odai_pb_field_clear(dst);
  return ODAI_E_NOMEM;
}

odai_pb_msg *odai_pb_msg_clone(const odai_pb_msg *m) {
  if (!m) return NULL;
  odai_pb_msg *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  if (m->n_fields) {
    c->fields = calloc(pb_cap(m->n_fields), sizeof *c->fields);
    if (!c->fields) goto fail;
    for (size_t i = 0; i < m->n_fields; i++) {
      if (odai_pb_field_copy(&c->fields[i], &m->fields[i]) != ODAI_OK) goto fail;
      c->n_fields = i + 1;
    }
  }
  return c;
fail:
  odai_pb_msg_free(c);
  return NULL;
}

odai_status odai_pb_msg_append(odai_pb_msg *m, odai_pb_field *f) {
  size_t n = m->n_fields;
  if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) { /* full: see pb_cap */
    odai_pb_field *nf = realloc(m->fields, pb_cap(n + 1) * sizeof *nf);
    if (!nf) return ODAI_E_NOMEM;
    m->fields = nf;
  }
  m->fields[m->n_fields++] = *f;
  return ODAI_OK;
}

void odai_pb_msg_remove(odai_pb_msg *m, const char *name) {
  if (!m) return;
  size_t w = 0;
  for (size_t r = 0; r < m->n_fields; r++) {
    if (strcmp(m->fields[r].name, name) == 0) {
      odai_pb_field_clear(&m->fields[r]);
    } else {
      m->fields[w++] = m->fields[r];
    }
  }
  m->n_fields = w;
  if (w == 0) {
    free(m->fields);
    m->fields = NULL;
  } else {
    odai_pb_field *nf = realloc(m->fields, pb_cap(w) * sizeof *nf);
    if (nf) m->fields = nf; /* shrinking: on failure the old block is still big enough */
  }
}

size_t odai_pb_msg_count(const odai_pb_msg *m, const char *name) {
  size_t n = 0;
  if (!m) return 0;
  for (size_t i = 0; i < m->n_fields; i++)
    if (strcmp(m->fields[i].name, name) == 0) n++;
  return n;
}

const odai_pb_field *odai_pb_msg_find(const odai_pb_msg *m, const char *name, size_t idx) {
  if (!m) return NULL;
  for (size_t i = 0; i < m->n_fields; i++) {
    if (strcmp(m->fields[i].name, name) == 0) {
      if (idx == 0) return &m->fields[i];
      idx--;
    }
  }
  return NULL;
}

odai_status odai_pb_msg_merge(odai_pb_msg *base, const odai_pb_msg *over) {
  if (!over) return ODAI_OK;
  for (size_t i = 0; i < over->n_fields; i++) {
    const odai_pb_field *of = &over->fields[i];
    /* handle each name once, at its first occurrence in `over` */
    bool seen = false;
    for (size_t j = 0; j < i; j++)
      if (strcmp(over->fields[j].name, of->name) == 0) seen = true;
    if (seen) continue;
    size_t n_over = odai_pb_msg_count(over, of->name);
    size_t n_base = odai_pb_msg_count(base, of->name);
    if (n_over == 1 && n_base == 1 && of->kind == ODAI_PB_MESSAGE) {
      odai_pb_field *bf = (odai_pb_field *)odai_pb_msg_find(base, of->name, 0);
      if (bf->kind == ODAI_PB_MESSAGE) {
        if (!bf->msg && !(bf->msg = calloc(1, sizeof *bf->msg))) return ODAI_E_NOMEM;
        odai_status st = odai_pb_msg_merge(bf->msg, of->msg);
        if (st) return st;
        continue;
      }
    }
    odai_pb_msg_remove(base, of->name);
    for (size_t j = i; j < over->n_fields; j++) {
      if (strcmp(over->fields[j].name, of->name) != 0) continue;
      odai_pb_field c;
      if (odai_pb_field_copy(&c, &over->fields[j])) return ODAI_E_NOMEM;
      if (odai_pb_msg_append(base, &c)) {
        odai_pb_field_clear(&c);
        return ODAI_E_NOMEM;
      }
    }
  }
  return ODAI_OK;
}

const char *odai_pb_kind_name(odai_pb_kind k) {
  switch (k) {
  case ODAI_PB_INT: return "integer";
  case ODAI_PB_FLOAT: return "float";
  case ODAI_PB_STRING: return "string";
  case ODAI_PB_IDENT: return "identifier";
  case ODAI_PB_MESSAGE: return "message";
  }
  return "value";
}

void odai_pb_describe(const odai_pb_field *f, char *buf, size_t n) {
  switch (f->kind) {
  case ODAI_PB_INT: snprintf(buf, n, "integer %" PRId64, f->i); break;
  case ODAI_PB_FLOAT: snprintf(buf, n, "float %g", f->f); break;
  case ODAI_PB_STRING: {
    char tmp[40];
    size_t l = 0;
    for (size_t i = 0; i < f->s_len && l < 32; i++) {
      unsigned char c = (unsigned char)f->s[i];
      tmp[l++] = (c >= 32 && c < 127) ? (char)c : '?';
    }
    tmp[l] = '\0';
    snprintf(buf, n, "string \"%s%s\"", tmp, f->s_len > 32 ? "..." : "");
    break;
  }
  case ODAI_PB_IDENT: snprintf(buf, n, "identifier %s", f->s ? f->s : ""); break;
  case ODAI_PB_MESSAGE: snprintf(buf, n, "a message { ... }"); break;
  }
}

/* ------------------------------------------------------------------ lexer */

typedef enum tok_type { T_EOF, T_IDENT, T_INT, T_FLOAT, T_STRING, T_SYM } tok_type;

typedef struct token {
  tok_type type;
  const char *start; /* into the source */
  size_t len;
  int line, col;
  char sym;          /* T_SYM */
  char *str;         /* T_STRING: decoded bytes (owned by the lexer) */
  size_t str_len;
} token;

typedef struct parser {
  const char *src;
  size_t len, pos;
  int line, col;
  const char *file; /* interned */
  odai_error *err;
  token cur;
} parser;

static odai_status perr(parser *p, int line, int col, const char *fmt, ...) ODAI_PRINTF(4, 5);

#include <stdarg.h>
static odai_status perr(parser *p, int line, int col, const char *fmt, ...) {
  char msg[ODAI_ERROR_MESSAGE_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return odai_error_set(p->err, ODAI_E_PARSE, "%s:%d:%d: %s", p->file, line, col, msg);
}

static void describe_tok(const token *t, char *buf, size_t n) {
  switch (t->type) {
  case T_EOF: snprintf(buf, n, "end of file"); break;
  case T_SYM: snprintf(buf, n, "'%c'", t->sym); break;
  case T_IDENT: snprintf(buf, n, "identifier '%.*s'", (int)(t->len > 40 ? 40 : t->len), t->start); break;
  case T_INT:
  case T_FLOAT: snprintf(buf, n, "number %.*s", (int)(t->len > 40 ? 40 : t->len), t->start); break;
  case T_STRING: snprintf(buf, n, "string %.*s%s", (int)(t->len > 40 ? 40 : t->len), t->start,
                          t->len > 40 ? "..." : ""); break;
  }
}

static odai_status expected(parser *p, const char *what) {
  char d[80];
  describe_tok(&p->cur, d, sizeof d);
  return perr(p, p->cur.line, p->cur.col, "found %s, expected %s", d, what);
}

static int peekc(parser *p, size_t k) {
  return p->pos + k < p->len ? (unsigned char)p->src[p->pos + k] : -1;
}

static void advance(parser *p, size_t k) {
  for (size_t i = 0; i < k && p->pos < p->len; i++) {
    if (p->src[p->pos] == '\n') {
      p->line++;
      p->col = 1;
    } else {
      p->col++;
    }
    p->pos++;
  }
}

static bool is_ident_start(int c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_ident_char(int c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }
static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Append UTF-8 for code point cp. */
static size_t put_utf8(char *o, uint32_t cp) {
  if (cp < 0x80) { o[0] = (char)cp; return 1; }
  if (cp < 0x800) { o[0] = (char)(0xC0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 63)); return 2; }
  if (cp < 0x10000) {
    o[0] = (char)(0xE0 | (cp >> 12)); o[1] = (char)(0x80 | ((cp >> 6) & 63)); o[2] = (char)(0x80 | (cp & 63));
    return 3;
  }
  o[0] = (char)(0xF0 | (cp >> 18)); o[1] = (char)(0x80 | ((cp >> 12) & 63));
  o[2] = (char)(0x80 | ((cp >> 6) & 63)); o[3] = (char)(0x80 | (cp & 63));
  return 4;
}

static odai_status lex_string(parser *p, token *t) {
  int q = peekc(p, 0);
  advance(p, 1);
  /* decoded output is never longer than the source text */
  size_t start = p->pos;
  size_t end = start;
  while (end < p->len && p->src[end] != q && p->src[end] != '\n') {
    if (p->src[end] == '\\' && end + 1 < p->len) end++;
    end++;
  }
  if (end >= p->len || p->src[end] != q) {
    return perr(p, t->line, t->col, "found an unterminated string, expected a closing %c on the same line",
                q);
  }
  char *o = malloc(end - start + 1);
  if (!o) return odai_error_set(p->err, ODAI_E_NOMEM, "out of memory");
  size_t n = 0;
  while (p->pos < end) {
    int c = peekc(p, 0);
    if (c != '\\') {
      o[n++] = (char)c;
      advance(p, 1);
      continue;
    }
    int el = p->line, ec = p->col;
    advance(p, 1);
    int e = peekc(p, 0);
    advance(p, 1);
    switch (e) {
    case 'n': o[n++] = '\n'; break;
    case 't': o[n++] = '\t'; break;
    case 'r': o[n++] = '\r'; break;
    case 'a': o[n++] = '\a'; break;
    case 'b': o[n++] = '\b'; break;
    case 'f': o[n++] = '\f'; break;
    case 'v': o[n++] = '\v'; break;
    case '\\': o[n++] = '\\'; break;
    case '\'': o[n++] = '\''; break;
    case '"': o[n++] = '"'; break;
    case '?': o[n++] = '?'; break;
    case 'x':
    case 'X': {
      int v = 0, k = 0;
      while (k < 2 && p->pos < end && hexval(peekc(p, 0)) >= 0) {
        v = v * 16 + hexval(peekc(p, 0));
        advance(p, 1);
        k++;
      }
      if (k == 0) {
        free(o);
        return perr(p, el, ec, "found '\\x' without hex digits, expected \\xNN in a string");
      }
      o[n++] = (char)v;
      break;
    }
    case 'u':
    case 'U': {
      int digits = e == 'u' ? 4 : 8;
      uint32_t v = 0;
      for (int k = 0; k < digits; k++) {
        int h = p->pos < end ? hexval(peekc(p, 0)) : -1;
        if (h < 0) {
          free(o);
          return perr(p, el, ec, "found a short '\\%c' escape, expected %d hex digits", e, digits);
        }
        v = v * 16 + (uint32_t)h;
        advance(p, 1);
      }
      if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        free(o);
        return perr(p, el, ec, "found an invalid code point U+%X, expected a Unicode scalar value", v);
      }
      /* a \u escape (6 source chars) always fits its <= 4 UTF-8 bytes */
      n += put_utf8(o + n, v);
      break;
    }
    default:
      if (e >= '0' && e <= '7') {
        int v = e - '0', k = 1;
        while (k < 3 && p->pos < end && peekc(p, 0) >= '0' && peekc(p, 0) <= '7') {
          v = v * 8 + (peekc(p, 0) - '0');
          advance(p, 1);
          k++;
        }
        if (v > 255) {
          free(o);
          return perr(p, el, ec, "found octal escape \\%o beyond a byte, expected \\000 to \\377", v);
        }
        o[n++] = (char)v;
        break;
      }
      free(o);
      if (e >= 32 && e < 127)
        return perr(p, el, ec, "found unknown escape '\\%c', expected one of \\n \\t \\r \\\\ \\' \\\" \\xNN \\NNN \\uXXXX", e);
      return perr(p, el, ec, "found an invalid escape, expected one of \\n \\t \\r \\\\ \\' \\\" \\xNN \\NNN \\uXXXX");
    }
  }
  advance(p, 1); /* closing quote */
  o[n] = '\0';
  t->type = T_STRING;
  t->str = o;
  t->str_len = n;
  return ODAI_OK;
}

static odai_status lex_number(parser *p, token *t) {
  size_t s = p->pos;
  bool is_float = false;
  if (peekc(p, 0) == '0' && (peekc(p, 1) == 'x' || peekc(p, 1) == 'X')) {
    advance(p, 2);
    if (hexval(peekc(p, 0)) < 0) return perr(p, t->line, t->col, "found '0x' without digits, expected a hex number");
    while (hexval(peekc(p, 0)) >= 0) advance(p, 1);
  } else {
    while (isdigit(peekc(p, 0))) advance(p, 1);
    if (peekc(p, 0) == '.') {
      is_float = true;
      advance(p, 1);
      while (isdigit(peekc(p, 0))) advance(p, 1);
    }
    if (peekc(p, 0) == 'e' || peekc(p, 0) == 'E') {
      int k = 1;
      if (peekc(p, 1) == '+' || peekc(p, 1) == '-') k = 2;
      if (!isdigit(peekc(p, k)))
        return perr(p, p->line, p->col, "found a malformed exponent, expected digits after 'e'");
      is_float = true;
      advance(p, (size_t)k);
      while (isdigit(peekc(p, 0))) advance(p, 1);
    }
    if (peekc(p, 0) == 'f' || peekc(p, 0) == 'F') {
      is_float = true;
      advance(p, 1);
    }
    if (!is_float && p->src[s] == '0' && p->pos - s > 1) {
      for (size_t i = s + 1; i < p->pos; i++)
        if (p->src[i] > '7') return perr(p, t->line, t->col, "found digit '%c' in an octal number, expected 0-7", p->src[i]);
    }
  }
  if (is_ident_char(peekc(p, 0)) || peekc(p, 0) == '.')
    return perr(p, p->line, p->col, "found '%c' right after a number, expected a space or separator",
                (char)peekc(p, 0));
  t->type = is_float ? T_FLOAT : T_INT;
  t->start = p->src + s;
  t->len = p->pos - s;
  return ODAI_OK;
}

/* Read the next token into p->cur (freeing the previous one's string). */
static odai_status next(parser *p) {
  free(p->cur.str);
  memset(&p->cur, 0, sizeof p->cur);
  for (;;) {
    int c = peekc(p, 0);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      advance(p, 1);
    } else if (c == '#') {
      while (p->pos < p->len && p->src[p->pos] != '\n') advance(p, 1);
    } else {
      break;
    }
  }
  token *t = &p->cur;
  t->line = p->line;
  t->col = p->col;
  t->start = p->src + p->pos;
  int c = peekc(p, 0);
  if (c < 0) {
    t->type = T_EOF;
    return ODAI_OK;
  }
  if (is_ident_start(c)) {
    size_t s = p->pos;
    while (is_ident_char(peekc(p, 0))) advance(p, 1);
    t->type = T_IDENT;
    t->len = p->pos - s;
    return ODAI_OK;
  }
  if (isdigit(c) || (c == '.' && isdigit(peekc(p, 1)))) return lex_number(p, t);
  if (c == '"' || c == '\'') {
    size_t s = p->pos;
    odai_status st = lex_string(p, t);
    t->start = p->src + s;
    t->len = p->pos - s;
    return st;
  }
  if (strchr("{}<>[]:,;/.-", c) && c != 0) {
    t->type = T_SYM;
    t->sym = (char)c;
    t->len = 1;
    advance(p, 1);
    return ODAI_OK;
  }
  if (c >= 32 && c < 127) return perr(p, p->line, p->col, "found unexpected character '%c', expected a field, value or separator", c);
  return perr(p, p->line, p->col, "found unexpected byte 0x%02X, expected a field, value or separator", c);
}

static bool is_sym(const parser *p, char c) { return p->cur.type == T_SYM && p->cur.sym == c; }

/* ----------------------------------------------------------------- parser */

static odai_status parse_fields(parser *p, odai_pb_msg *m, char close, int depth, int open_line,
                                int open_col);

static bool ident_ieq(const token *t, const char *w) {
  size_t l = strlen(w);
  return t->type == T_IDENT && t->len == l && strncasecmp(t->start, w, l) == 0;
}

static odai_status parse_number_tok(parser *p, const token *t, bool neg, odai_pb_field *f) {
  char buf[128];
  if (t->len >= sizeof buf) return perr(p, t->line, t->col, "found a number of %zu characters, expected a shorter one", t->len);
  memcpy(buf, t->start, t->len);
  buf[t->len] = '\0';
  if (t->type == T_FLOAT) {
    size_t l = t->len;
    if (buf[l - 1] == 'f' || buf[l - 1] == 'F') buf[l - 1] = '\0';
    errno = 0;
    double v = strtod(buf, NULL);
    if (neg) v = -v;
    f->kind = ODAI_PB_FLOAT;
    f->f = v;
    if (isfinite(v) && v == floor(v) && fabs(v) < 9.2e18) f->i = (int64_t)v;
    return ODAI_OK;
  }
  uint64_t u = 0;
  int base = 10;
  const char *d = buf;
  if (buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) {
    base = 16;
    d = buf + 2;
  } else if (buf[0] == '0' && buf[1]) {
    base = 8;
    d = buf + 1;
  }
  for (; *d; d++) {
    uint64_t dv = (uint64_t)hexval(*d);
    if (u > (UINT64_MAX - dv) / (uint64_t)base)
      return perr(p, t->line, t->col, "found integer %s out of range, expected at most 64 bits", buf);
    u = u * (uint64_t)base + dv;
  }
  f->kind = ODAI_PB_INT;
  if (neg) {
    if (u > (uint64_t)INT64_MAX + 1)
      return perr(p, t->line, t->col, "found integer -%s out of range, expected at least -2^63", buf);
    f->i = (int64_t)(0 - u);
    f->f = -(double)u;
  } else {
    f->i = (int64_t)u; /* uint64 values above INT64_MAX wrap; f keeps the magnitude */
    f->f = (double)u;
  }
  return ODAI_OK;
}

/* A scalar value at p->cur: strings (concatenated), numbers, identifiers. */
static odai_status parse_scalar(parser *p, odai_pb_field *f) {
  odai_status st;
  f->value_pos = (odai_srcpos){p->file, p->cur.line, p->cur.col};
  if (p->cur.type == T_STRING) {
    size_t n = 0, cap = 0;
    char *s = NULL;
    while (p->cur.type == T_STRING) {
      if (n + p->cur.str_len + 1 > cap) {
        cap = (n + p->cur.str_len + 1) * 2;
        char *ns = realloc(s, cap);
        if (!ns) {
          free(s);
          return odai_error_set(p->err, ODAI_E_NOMEM, "out of memory");
        }
        s = ns;
      }
      memcpy(s + n, p->cur.str, p->cur.str_len);
      n += p->cur.str_len;
      s[n] = '\0';
      if ((st = next(p))) {
        free(s);
        return st;
      }
    }
    f->kind = ODAI_PB_STRING;
    f->s = s;
    f->s_len = n;
    return ODAI_OK;
  }
  bool neg = false;
  if (is_sym(p, '-')) {
    neg = true;
    if ((st = next(p))) return st;
  }
  if (p->cur.type == T_INT || p->cur.type == T_FLOAT) {
    if ((st = parse_number_tok(p, &p->cur, neg, f))) return st;
    return next(p);
  }
  if (p->cur.type == T_IDENT) {
    if (ident_ieq(&p->cur, "inf") || ident_ieq(&p->cur, "infinity") || ident_ieq(&p->cur, "nan")) {
      f->kind = ODAI_PB_FLOAT;
      f->f = ident_ieq(&p->cur, "nan") ? NAN : (neg ? -INFINITY : INFINITY);
      return next(p);
    }
    if (neg) return expected(p, "a number after '-'");
    f->kind = ODAI_PB_IDENT;
    f->s = strndup(p->cur.start, p->cur.len);
    if (!f->s) return odai_error_set(p->err, ODAI_E_NOMEM, "out of memory");
    f->s_len = p->cur.len;
    return next(p);
  }
  return expected(p, neg ? "a number after '-'" : "a value (string, number, identifier or message)");
}

static odai_status parse_message_value(parser *p, odai_pb_field *f, int depth) {
  char close = is_sym(p, '{') ? '}' : '>';
  int ol = p->cur.line, oc = p->cur.col;
  f->value_pos = (odai_srcpos){p->file, ol, oc};
  if (depth >= ODAI_PB_MAX_DEPTH)
    return perr(p, ol, oc, "found messages nested deeper than %d, expected a shallower config", ODAI_PB_MAX_DEPTH);
  f->kind = ODAI_PB_MESSAGE;
  f->msg = calloc(1, sizeof *f->msg);
  if (!f->msg) return odai_error_set(p->err, ODAI_E_NOMEM, "out of memory");
  odai_status st = next(p);
  if (st) return st;
  return parse_fields(p, f->msg, close, depth + 1, ol, oc);
}

/* Append a copy of the template (name etc.) with the value parsed at cur. */
static odai_status add_value(parser *p, odai_pb_msg *m, const odai_pb_field *tmpl, int depth) {
  odai_pb_field f = *tmpl;
  f.name = strdup(tmpl->name);
  if (!f.name) return odai_error_set(p->err, ODAI_E_NOMEM, "out of memory");
  odai_status st;
  if (is_sym(p, '{') || is_sym(p, '<'))
    st = parse_message_value(p, &f, depth);
  else
    st = parse_scalar(p, &f);
  if (st == ODAI_OK && odai_pb_msg_append(m, &f) != ODAI_OK)
    st = odai_error_set(p->err, ODAI_E_NOMEM, "out of memory");
  if (st) odai_pb_field_clear(&f);
  return st;
}

/* "[" name ("." | "/" name)* "]" -> "a.b/c.d" */
static odai_status parse_ext_name(parser *p, char **out) {
  char buf[512];
  size_t n = 0;
  odai_status st;
  int ol = p->cur.line, oc = p->cur.col;
  if ((st = next(p))) return st;
  bool want_ident = true;
  for (;;) {
    if (want_ident) {
      if (p->cur.type != T_IDENT) return expected(p, "a name in the [extension] block");
      if (n + p->cur.len >= sizeof buf) return perr(p, ol, oc, "found an extension name too long, expected under 512 characters");
      memcpy(buf + n, p->cur.start, p->cur.len);
      n += p->cur.len;
      want_ident = false;
    } else if (is_sym(p, '.') || is_sym(p, '/')) {
      if (n + 1 >= sizeof buf) return perr(p, ol, oc, "found an extension name too long, expected under 512 characters");
      buf[n++] = p->cur.sym;
      want_ident = true;
    } else if (is_sym(p, ']')) {
      break;
    } else {
      return expected(p, "'.', '/' or ']' in the [extension] name");
    }
    if ((st = next(p))) return st;
  }
  buf[n] = '\0';
  *out = strdup(buf);
  if (!*out) return odai_error_set(p->err, ODAI_E_NOMEM, "out of memory");
  return next(p); /* past ']' */
}

static odai_status parse_fields(parser *p, odai_pb_msg *m, char close, int depth, int open_line,
                                int open_col) {
  odai_status st;
  for (;;) {
    if (close == 0 && p->cur.type == T_EOF) return ODAI_OK;
    if (close && is_sym(p, close)) return next(p);
    if (p->cur.type == T_EOF) {
      char d[64];
      snprintf(d, sizeof d, "'%c' to close the message opened at %d:%d", close, open_line, open_col);
      return expected(p, d);
    }
    odai_pb_field tmpl;
    memset(&tmpl, 0, sizeof tmpl);
    tmpl.pos = (odai_srcpos){p->file, p->cur.line, p->cur.col};
    char *name = NULL;
    if (is_sym(p, '[')) {
      if ((st = parse_ext_name(p, &name))) {
        free(name);
        return st;
      }
      tmpl.is_extension = true;
    } else if (p->cur.type == T_IDENT) {
      name = strndup(p->cur.start, p->cur.len);
      if (!name) return odai_error_set(p->err, ODAI_E_NOMEM, "out of memory");
      if ((st = next(p))) goto done;
    } else {
      char d[64];
      if (close)
        snprintf(d, sizeof d, "a field name or '%c'", close);
      else
        snprintf(d, sizeof d, "a field name");
      return expected(p, d);
    }
    tmpl.name = name;
    bool colon = false;
    if (is_sym(p, ':')) {
      colon = true;
      if ((st = next(p))) goto done;
    }
    if (is_sym(p, '{') || is_sym(p, '<')) {
      st = add_value(p, m, &tmpl, depth);
    } else if (!colon) {
      char d[300];
      snprintf(d, sizeof d, "':' or '{' after field '%s'", name);
      st = expected(p, d);
    } else if (is_sym(p, '[')) {
      int ll = p->cur.line, lc = p->cur.col;
      if (depth >= ODAI_PB_MAX_DEPTH) {
        st = perr(p, ll, lc, "found lists nested deeper than %d, expected a shallower config", ODAI_PB_MAX_DEPTH);
        goto done;
      }
      if ((st = next(p))) goto done;
      if (is_sym(p, ']')) {
        st = next(p);
      } else {
        for (;;) {
          if ((st = add_value(p, m, &tmpl, depth + 1))) break;
          if (is_sym(p, ',')) {
            if ((st = next(p))) break;
            continue;
          }
          if (is_sym(p, ']')) {
            st = next(p);
            break;
          }
          st = expected(p, "',' or ']' in the list");
          break;
        }
      }
    } else {
      st = add_value(p, m, &tmpl, depth);
    }
    if (st) goto done;
    if (is_sym(p, ',') || is_sym(p, ';')) st = next(p);
  done:
    free(name);
    if (st) return st;
  }
}

odai_status odai_pb_parse(const char *text, size_t len, const char *source_name,
                          odai_pb_msg **out, odai_error *err) {
  *out = NULL;
  parser p;
  memset(&p, 0, sizeof p);
  p.src = text ? text : "";
  p.len = text ? len : 0;
  p.line = 1;
  p.col = 1;
  p.err = err;
  if (p.len >= 3 && memcmp(p.src, "\xEF\xBB\xBF", 3) == 0) p.pos = 3; /* UTF-8 byte order mark */
  p.file = odai_pb_intern(source_name ? source_name : "<string>");
  if (!p.file) return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  odai_pb_msg *m = calloc(1, sizeof *m);
  if (!m) return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  odai_status st = next(&p);
  if (!st) st = parse_fields(&p, m, 0, 0, 1, 1);
  free(p.cur.str);
  if (st) {
    odai_pb_msg_free(m);
    return st;
  }
  *out = m;
  return ODAI_OK;
}
