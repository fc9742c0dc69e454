/* graph/packet.c: refcounted immutable packets, built-in payload types and
 * the payload type registry (include/odai/packet.h, include/odai/types.h).
 * The lowest piece of graph/: everything that moves data uses it. */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "odai/packet.h"

/* A packet either owns its payload (base == NULL) or shares the payload of
 * `base` (made by odai_packet_at), holding a reference on it. Scalar
 * built-in payloads are stored inline in `inl` (data points at it). */
struct odai_packet {
  atomic_int refs;
  odai_timestamp ts;
  const odai_type *type;
  void *data;
  odai_packet *base;
  union {
    int64_t i;
    double d;
    bool b;
  } inl;
};

static int print_int(const void *p, char *buf, size_t n) {
  return snprintf(buf, n, "%" PRId64, *(const int64_t *)p);
}
static int print_double(const void *p, char *buf, size_t n) {
  return snprintf(buf, n, "%g", *(const double *)p);
}
static int print_bool(const void *p, char *buf, size_t n) {
  return snprintf(buf, n, "%s", *(const bool *)p ? "true" : "false");
}
static int print_string(const void *p, char *buf, size_t n) {
  return snprintf(buf, n, "\"%s\"", (const char *)p);
}
static void *clone_string(const void *p) { return strdup((const char *)p); }

const odai_type odai_type_any = {"any", NULL, NULL, NULL};
const odai_type odai_type_int64 = {"int64", NULL, NULL, print_int};
const odai_type odai_type_double = {"double", NULL, NULL, print_double};
const odai_type odai_type_bool = {"bool", NULL, NULL, print_bool};
const odai_type odai_type_string = {"string", free, clone_string, print_string};

/* ---- Type registry ---- */

static pthread_mutex_t g_types_mu = PTHREAD_MUTEX_INITIALIZER;
static const odai_type **g_types; /* guarded by g_types_mu */
static size_t g_n_types, g_cap_types;

static const odai_type *const k_builtin_types[] = {&odai_type_any, &odai_type_int64,
                                                   &odai_type_double, &odai_type_bool,
                                                   &odai_type_string};

static const odai_type *find_locked(const char *name) {
  for (size_t i = 0; i < sizeof k_builtin_types / sizeof *k_builtin_types; i++)
    if (!strcmp(k_builtin_types[i]->name, name)) return k_builtin_types[i];
  for (size_t i = 0; i < g_n_types; i++)
    if (!strcmp(g_types[i]->name, name)) return g_types[i];
  return NULL;
}

odai_status odai_type_register(const odai_type *type, odai_error *err) {
  if (!type || !type->name || !type->name[0])
    return odai_error_set(err, ODAI_E_INVALID, "odai_type_register: type without a name");
  odai_status st = ODAI_OK;
  pthread_mutex_lock(&g_types_mu);
  const odai_type *old = find_locked(type->name);
  if (old == type) goto out;
  if (old) {
    st = odai_error_set(err, ODAI_E_INVALID, "payload type '%s' is already registered",
                        type->name);
    goto out;
  }
  if (g_n_types == g_cap_types) {
    size_t cap = g_cap_types ? g_cap_types * 2 : 16;
    const odai_type **v = realloc(g_types, cap * sizeof *v);
    if (!v) {
      st = odai_error_set(err, ODAI_E_NOMEM, "out of memory");
      goto out;
    }
    g_types = v;
    g_cap_types = cap;
  }
  g_types[g_n_types++] = type;
out:
  pthread_mutex_unlock(&g_types_mu);
  return st;
}

const odai_type *odai_type_find(const char *name) {
  if (!name) return NULL;
  pthread_mutex_lock(&g_types_mu);
  const odai_type *t = find_locked(name);
  pthread_mutex_unlock(&g_types_mu);
  return t;
}

/* ---- Packets ---- */

static odai_packet *alloc_packet(const odai_type *type, odai_timestamp ts) {
  odai_packet *p = malloc(sizeof *p);
  if (!p) return NULL;
  atomic_init(&p->refs, 1);
  p->ts = ts;
  p->type = type;
  p->data = NULL;
  p->base = NULL;
  return p;
}

odai_status odai_packet_new(const odai_type *type, void *payload, odai_packet **out) {
  if (!type || type == &odai_type_any || !out) {
    if (type && type != &odai_type_any && type->destroy && payload) type->destroy(payload);
    if (out) *out = NULL;
    return ODAI_E_INVALID;
  }
  odai_packet *p = alloc_packet(type, ODAI_TS_UNSET);
  if (!p) {
    if (type->destroy && payload) type->destroy(payload);
    *out = NULL;
    return ODAI_E_NOMEM;
  }
  p->data = payload;
  *out = p;
  return ODAI_OK;
}

odai_packet *odai_packet_ref(const odai_packet *pkt) {
  odai_packet *p = (odai_packet *)pkt;
  if (p) atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed);
  return p;
}

void odai_packet_unref(odai_packet *pkt) {
  while (pkt) {
    if (atomic_fetch_sub_explicit(&pkt->refs, 1, memory_order_acq_rel) != 1) return;
    odai_packet *base = pkt->base;
    if (!base && pkt->type->destroy && pkt->data && pkt->data != (void *)&pkt->inl)
      pkt->type->destroy(pkt->data);
    free(pkt);
    pkt = base; /* release the shared payload's owner (iteratively) */
  }
}

odai_timestamp odai_packet_timestamp(const odai_packet *pkt) {
  return pkt ? pkt->ts : ODAI_TS_UNSET;
}

const odai_type *odai_packet_type(const odai_packet *pkt) { return pkt ? pkt->type : NULL; }

odai_packet *odai_packet_at(const odai_packet *pkt, odai_timestamp ts) {
  if (!pkt) return NULL;
  const odai_packet *owner = pkt->base ? pkt->base : pkt;
  odai_packet *p = alloc_packet(pkt->type, ts);
  if (!p) return NULL;
  if (owner->data == (const void *)&owner->inl) {
    /* inline scalar: copy the value, no need to share */
    p->inl = owner->inl;
    p->data = &p->inl;
  } else {
    p->data = owner->data;
    p->base = odai_packet_ref(owner);
  }
  return p;
}

const void *odai_packet_get(const odai_packet *pkt, const odai_type *expected) {
  if (!pkt) return NULL;
  if (expected != &odai_type_any && pkt->type != expected) return NULL;
  return pkt->data;
}

odai_packet *odai_packet_new_int(int64_t v, odai_timestamp ts) {
  odai_packet *p = alloc_packet(&odai_type_int64, ts);
  if (p) {
    p->inl.i = v;
    p->data = &p->inl;
  }
  return p;
}

odai_packet *odai_packet_new_float(double v, odai_timestamp ts) {
  odai_packet *p = alloc_packet(&odai_type_double, ts);
  if (p) {
    p->inl.d = v;
    p->data = &p->inl;
  }
  return p;
}

odai_packet *odai_packet_new_bool(bool v, odai_timestamp ts) {
  odai_packet *p = alloc_packet(&odai_type_bool, ts);
  if (p) {
    p->inl.b = v;
    p->data = &p->inl;
  }
  return p;
}

odai_packet *odai_packet_new_string(const char *s, odai_timestamp ts) {
  char *copy = strdup(s ? s : "");
  if (!copy) return NULL;
  odai_packet *p = alloc_packet(&odai_type_string, ts);
  if (!p) {
    free(copy);
    return NULL;
  }
  p->data = copy;
  return p;
}

odai_status odai_packet_get_int(const odai_packet *pkt, int64_t *out) {
  if (!pkt || pkt->type != &odai_type_int64) return ODAI_E_INVALID;
  *out = *(const int64_t *)pkt->data;
  return ODAI_OK;
}

odai_status odai_packet_get_float(const odai_packet *pkt, double *out) {
  if (!pkt || pkt->type != &odai_type_double) return ODAI_E_INVALID;
  *out = *(const double *)pkt->data;
  return ODAI_OK;
}

odai_status odai_packet_get_bool(const odai_packet *pkt, bool *out) {
  if (!pkt || pkt->type != &odai_type_bool) return ODAI_E_INVALID;
  *out = *(const bool *)pkt->data;
  return ODAI_OK;
}

odai_status odai_packet_get_string(const odai_packet *pkt, const char **out) {
  if (!pkt || pkt->type != &odai_type_string) return ODAI_E_INVALID;
  *out = (const char *)pkt->data;
  return ODAI_OK;
}

const char *odai_ts_str(odai_timestamp ts, char *buf, size_t n) {
  if (!buf || !n) return buf;
  const char *s = NULL;
  switch (ts) {
    case ODAI_TS_UNSET: s = "UNSET"; break;
    case ODAI_TS_UNSTARTED: s = "UNSTARTED"; break;
    case ODAI_TS_PRESTREAM: s = "PRESTREAM"; break;
    case ODAI_TS_MIN: s = "MIN"; break;
    case ODAI_TS_MAX: s = "MAX"; break;
    case ODAI_TS_POSTSTREAM: s = "POSTSTREAM"; break;
    case ODAI_TS_DONE: s = "DONE"; break;
    default: break;
  }
  if (s)
    snprintf(buf, n, "%s", s);
  else
    snprintf(buf, n, "%" PRId64, ts);
  return buf;
}

const char *odai_packet_str(const odai_packet *pkt, char *buf, size_t n) {
  if (!buf || !n) return buf;
  if (!pkt) {
    snprintf(buf, n, "(empty)");
    return buf;
  }
  char tsb[32], val[96] = "";
  odai_ts_str(pkt->ts, tsb, sizeof tsb);
  if (pkt->type->print)
    pkt->type->print(pkt->data, val, sizeof val);
  else
    snprintf(val, sizeof val, "%p", pkt->data);
  snprintf(buf, n, "%s@%s: %s", pkt->type->name, tsb, val);
  return buf;
}
