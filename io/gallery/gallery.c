/* io/gallery/gallery.c: the face gallery's in-memory store and public API
 * (include/odai/gallery.h): identities, records in one contiguous matrix,
 * open-set matching with SIMD dot products, calibration, open/save/close.
 * File format in gallery_format.c, file operations in gallery_fs.c. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dot.h"
#include "gallery_internal.h"

#if defined(ODAI_HAVE_SODIUM)
#include <sodium.h>
#endif

static void wipe(void *p, size_t n) {
#if defined(ODAI_HAVE_SODIUM)
  sodium_memzero(p, n);
#else
  volatile uint8_t *v = p;
  while (n--) *v++ = 0;
#endif
}

bool odai_gallery_name_ok(const char *name, size_t len) {
  if (!name || len == 0 || len > ODAI_GALLERY_NAME_MAX) return false;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)name[i];
    if (c < 0x20 || c == 0x7f) return false;
  }
  if (len == strlen(ODAI_GALLERY_UNKNOWN) && memcmp(name, ODAI_GALLERY_UNKNOWN, len) == 0)
    return false;
  return true;
}

odai_gallery *odai_gallery_new_empty(size_t dim, const uint8_t model_id[ODAI_MODEL_ID_SIZE],
                                     float threshold) {
  odai_gallery *g = calloc(1, sizeof *g);
  if (!g) return NULL;
  pthread_mutex_init(&g->mu, NULL);
  g->lock_fd = -1;
  g->read_only = true;
  g->dim = dim;
  memcpy(g->model_id, model_id, ODAI_MODEL_ID_SIZE);
  g->threshold = threshold;
  return g;
}

void odai_gallery_free_contents(odai_gallery *g) {
  for (size_t i = 0; i < g->nident; i++) free(g->names[i]);
  free(g->names);
  free(g->npos);
  free(g->nneg);
  free(g->hash);
  if (g->mat) wipe(g->mat, g->nrec * g->dim * sizeof(float));
  free(g->mat);
  free(g->rec_ident);
  free(g->rec_kind);
  free(g->sims);
  free(g->bpos);
  free(g->bneg);
  free(g->path);
  wipe(g->key, sizeof g->key);
  pthread_mutex_destroy(&g->mu);
}

/* ---- name index (FNV-1a, open addressing, rebuilt when it fills or names change) ---- */
static uint32_t fnv(const char *s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h;
}

static bool rehash(odai_gallery *g, size_t want) {
  size_t cap = 16;
  while (cap < want * 2) cap *= 2;
  uint32_t *h = calloc(cap, sizeof *h);
  if (!h) return false;
  for (size_t i = 0; i < g->nident; i++) {
    size_t s = fnv(g->names[i], strlen(g->names[i])) & (cap - 1);
    while (h[s]) s = (s + 1) & (cap - 1);
    h[s] = (uint32_t)i + 1;
  }
  free(g->hash);
  g->hash = h;
  g->hash_cap = cap;
  return true;
}

static long find(const odai_gallery *g, const char *name, size_t len) {
  if (!g->hash_cap) return -1;
  size_t s = fnv(name, len) & (g->hash_cap - 1);
  while (g->hash[s]) {
    const char *n = g->names[g->hash[s] - 1];
    if (strlen(n) == len && memcmp(n, name, len) == 0) return (long)g->hash[s] - 1;
    s = (s + 1) & (g->hash_cap - 1);
  }
  return -1;
}

static bool grow(void **p, size_t elem, size_t cap) {
  void *q = realloc(*p, elem * (cap ? cap : 1));
  if (!q) return false;
  *p = q;
  return true;
}

static odai_status reserve(odai_gallery *g, size_t nrec, size_t nident, odai_error *err) {
  if (nrec > g->rec_cap) {
    size_t cap = g->rec_cap ? g->rec_cap : 16;
    while (cap < nrec) cap *= 2;
    /* The matrix moves: wipe the old copy instead of leaving it to realloc. */
    float *m = malloc(cap * g->dim * sizeof(float));
    if (!m) return odai_error_set(err, ODAI_E_NOMEM, "gallery: out of memory");
    if (g->mat) {
      memcpy(m, g->mat, g->nrec * g->dim * sizeof(float));
      wipe(g->mat, g->nrec * g->dim * sizeof(float));
      free(g->mat);
    }
    g->mat = m;
    if (!grow((void **)&g->rec_ident, sizeof *g->rec_ident, cap) ||
        !grow((void **)&g->rec_kind, sizeof *g->rec_kind, cap) ||
        !grow((void **)&g->sims, sizeof *g->sims, cap))
      return odai_error_set(err, ODAI_E_NOMEM, "gallery: out of memory");
    g->rec_cap = cap;
  }
  if (nident > g->ident_cap) {
    size_t cap = g->ident_cap ? g->ident_cap : 16;
    while (cap < nident) cap *= 2;
    if (!grow((void **)&g->names, sizeof *g->names, cap) ||
        !grow((void **)&g->npos, sizeof *g->npos, cap) ||
        !grow((void **)&g->nneg, sizeof *g->nneg, cap) ||
        !grow((void **)&g->bpos, sizeof *g->bpos, cap) ||
        !grow((void **)&g->bneg, sizeof *g->bneg, cap))
      return odai_error_set(err, ODAI_E_NOMEM, "gallery: out of memory");
    g->ident_cap = cap;
    if (!rehash(g, cap)) return odai_error_set(err, ODAI_E_NOMEM, "gallery: out of memory");
  }
  return ODAI_OK;
}

odai_status odai_gallery_append(odai_gallery *g, const char *name, size_t len, int kind,
                                const float *vec, odai_error *err) {
  long id = find(g, name, len);
  odai_status st = reserve(g, g->nrec + 1, g->nident + (id < 0 ? 1 : 0), err);
  if (st != ODAI_OK) return st;
  if (id < 0) {
    char *copy = strndup(name, len);
    if (!copy) return odai_error_set(err, ODAI_E_NOMEM, "gallery: out of memory");
    id = (long)g->nident++;
    g->names[id] = copy;
    g->npos[id] = g->nneg[id] = 0;
    size_t s = fnv(name, len) & (g->hash_cap - 1);
    while (g->hash[s]) s = (s + 1) & (g->hash_cap - 1);
    g->hash[s] = (uint32_t)id + 1;
  }
  memcpy(g->mat + g->nrec * g->dim, vec, g->dim * sizeof(float));
  g->rec_ident[g->nrec] = (uint32_t)id;
  g->rec_kind[g->nrec] = (uint8_t)kind;
  g->nrec++;
  if (kind == ODAI_GALLERY_KIND_POSITIVE)
    g->npos[id]++;
  else
    g->nneg[id]++;
  g->dirty = true;
  return ODAI_OK;
}

/* ---- open / save / close ---- */
ODAI_API odai_status odai_gallery_open(const char *path, const odai_gallery_options *opts,
                                       odai_gallery **out, odai_error *err) {
  static const odai_gallery_options defaults = {0};
  if (!path || !out) return odai_error_set(err, ODAI_E_INVALID, "gallery open: NULL argument");
  *out = NULL;
  if (!opts) opts = &defaults;
  odai_status st = ODAI_OK;
  int lock_fd = -1;
  uint8_t *data = NULL;
  size_t n = 0;
  odai_gallery *g = NULL;
  uint8_t key[ODAI_GALLERY_KEY_SIZE];
  bool have_key = false;
  if (opts->dim > ODAI_EMBEDDING_MAX_DIM)
    return odai_error_set(err, ODAI_E_INVALID, "gallery open: dim %zu out of range", opts->dim);
  if (opts->key_path) {
    st = odai_gallery_crypto_init(err);
    if (st != ODAI_OK) return st;
    st = odai_gallery_read_key(opts->key_path, key, err);
    if (st != ODAI_OK) return st;
    have_key = true;
  }
  if (!opts->read_only) {
    st = odai_gallery_lock(path, opts->lock_timeout_ms, &lock_fd, err);
    if (st != ODAI_OK) goto fail;
  }
  struct stat sb;
  st = odai_gallery_read_file(path, &data, &n, &sb, err);
  if (st == ODAI_E_NOT_FOUND && opts->create_if_missing && !opts->read_only) {
    if (!opts->model_id || opts->dim == 0) {
      st = odai_error_set(err, ODAI_E_INVALID,
                          "gallery %s: creating needs the model sha256 and the embedding size",
                          path);
      goto fail;
    }
    g = odai_gallery_new_empty(opts->dim, opts->model_id, ODAI_GALLERY_DEFAULT_THRESHOLD);
    if (!g) {
      st = odai_error_set(err, ODAI_E_NOMEM, "gallery: out of memory");
      goto fail;
    }
    g->dirty = true; /* written below, so the file exists from now on */
  } else if (st != ODAI_OK) {
    goto fail;
  } else {
    st = odai_gallery_parse(data, n, have_key ? key : NULL, &g, err);
    if (st != ODAI_OK) {
      odai_error_prefix(err, "%s: ", path);
      goto fail;
    }
    if (opts->model_id && memcmp(opts->model_id, g->model_id, ODAI_MODEL_ID_SIZE) != 0) {
      char want[65], have[65];
      odai_model_id_to_hex(opts->model_id, want);
      odai_model_id_to_hex(g->model_id, have);
      st = odai_error_set(err, ODAI_E_INVALID,
                          "gallery %s was made with model sha256 %s, not %s", path, have, want);
      goto fail;
    }
    if (opts->dim && opts->dim != g->dim) {
      st = odai_error_set(err, ODAI_E_INVALID, "gallery %s holds %zu-d embeddings, not %zu-d",
                          path, g->dim, opts->dim);
      goto fail;
    }
    g->file_stat = sb;
    g->have_stat = true;
  }
  g->path = strdup(path);
  if (!g->path) {
    st = odai_error_set(err, ODAI_E_NOMEM, "gallery: out of memory");
    goto fail;
  }
  if (have_key && !g->have_key) {
    memcpy(g->key, key, sizeof key);
    g->have_key = true;
    if (!opts->read_only) g->dirty = true; /* plain file + key: the next save encrypts it */
  }
  g->read_only = opts->read_only;
  g->lock_fd = lock_fd;
  lock_fd = -1;
  if (g->dirty && opts->create_if_missing && data == NULL) {
    st = odai_gallery_save(g, err);
    if (st != ODAI_OK) goto fail;
  }
  free(data);
  wipe(key, sizeof key);
  *out = g;
  return ODAI_OK;
fail:
  if (g) {
    odai_gallery_unlock(g->lock_fd);
    odai_gallery_free_contents(g);
    free(g);
  }
  odai_gallery_unlock(lock_fd);
  free(data);
  wipe(key, sizeof key);
  return st;
}

ODAI_API void odai_gallery_close(odai_gallery *g) {
  if (!g) return;
  odai_gallery_unlock(g->lock_fd);
  odai_gallery_free_contents(g);
  free(g);
}

ODAI_API odai_status odai_gallery_save(odai_gallery *g, odai_error *err) {
  if (!g) return odai_error_set(err, ODAI_E_INVALID, "gallery save: NULL");
  pthread_mutex_lock(&g->mu);
  odai_status st = ODAI_OK;
  uint8_t *data = NULL;
  size_t n = 0;
  if (g->read_only || !g->path) {
    st = odai_error_set(err, ODAI_E_INVALID, "gallery %s: opened read-only",
                        g->path ? g->path : "(memory)");
    goto done;
  }
  st = odai_gallery_serialize(g, -1, g->have_key ? g->key : NULL, &data, &n, err);
  if (st != ODAI_OK) goto done;
  st = odai_gallery_write_atomic(g->path, data, n, err);
  if (st == ODAI_OK) {
    g->dirty = false;
    g->have_stat = stat(g->path, &g->file_stat) == 0;
  }
done:
  free(data);
  pthread_mutex_unlock(&g->mu);
  return st;
}

#define SWAP(a, b)         \
  do {                     \
    __typeof__(a) t_ = a; \
    a = b;                 \
    b = t_;                \
  } while (0)

ODAI_API odai_status odai_gallery_refresh(odai_gallery *g, bool *changed, odai_error *err) {
  if (!g || !changed) return odai_error_set(err, ODAI_E_INVALID, "gallery refresh: NULL argument");
  *changed = false;
  if (!g->path) return odai_error_set(err, ODAI_E_INVALID, "gallery refresh: not opened from a file");
  if (!g->read_only) return ODAI_OK; /* this handle is the only writer */
  struct stat now;
  if (stat(g->path, &now) != 0)
    return odai_error_set(err, errno == ENOENT ? ODAI_E_NOT_FOUND : ODAI_E_IO, "%s: %s", g->path,
                          strerror(errno));
  pthread_mutex_lock(&g->mu);
  bool same = g->have_stat && !odai_gallery_stat_changed(&now, &g->file_stat);
  pthread_mutex_unlock(&g->mu);
  if (same) return ODAI_OK;
  uint8_t *data = NULL;
  size_t n = 0;
  odai_gallery *fresh = NULL;
  struct stat sb;
  odai_status st = odai_gallery_read_file(g->path, &data, &n, &sb, err);
  if (st == ODAI_OK) {
    /* The key never changes after open: parse with it (or without, if plain). */
    st = odai_gallery_parse(data, n, g->have_key ? g->key : NULL, &fresh, err);
    if (st != ODAI_OK) odai_error_prefix(err, "%s: ", g->path);
  }
  free(data);
  if (st != ODAI_OK) return st; /* the handle keeps what it had */
  if (fresh->dim != g->dim || memcmp(fresh->model_id, g->model_id, ODAI_MODEL_ID_SIZE) != 0) {
    odai_gallery_close(fresh);
    return odai_error_set(err, ODAI_E_INVALID,
                          "gallery %s now holds embeddings of another model or size", g->path);
  }
  pthread_mutex_lock(&g->mu);
  SWAP(g->threshold, fresh->threshold);
  SWAP(g->nident, fresh->nident);
  SWAP(g->ident_cap, fresh->ident_cap);
  SWAP(g->names, fresh->names);
  SWAP(g->npos, fresh->npos);
  SWAP(g->nneg, fresh->nneg);
  SWAP(g->hash, fresh->hash);
  SWAP(g->hash_cap, fresh->hash_cap);
  SWAP(g->nrec, fresh->nrec);
  SWAP(g->rec_cap, fresh->rec_cap);
  SWAP(g->mat, fresh->mat);
  SWAP(g->rec_ident, fresh->rec_ident);
  SWAP(g->rec_kind, fresh->rec_kind);
  SWAP(g->sims, fresh->sims);
  SWAP(g->bpos, fresh->bpos);
  SWAP(g->bneg, fresh->bneg);
  g->file_stat = sb;
  g->have_stat = true;
  g->dirty = false;
  pthread_mutex_unlock(&g->mu);
  odai_gallery_close(fresh); /* frees the old contents */
  *changed = true;
  return ODAI_OK;
}

ODAI_API bool odai_gallery_dirty(odai_gallery *g) {
  if (!g) return false;
  pthread_mutex_lock(&g->mu);
  bool d = g->dirty;
  pthread_mutex_unlock(&g->mu);
  return d;
}

/* ---- changes ---- */
static odai_status check_embedding(const odai_gallery *g, const odai_embedding *e,
                                   odai_error *err) {
  if (!e || !e->values) return odai_error_set(err, ODAI_E_INVALID, "gallery: NULL embedding");
  if (memcmp(e->model_id, g->model_id, ODAI_MODEL_ID_SIZE) != 0) {
    char a[65], b[65];
    odai_model_id_to_hex(e->model_id, a);
    odai_model_id_to_hex(g->model_id, b);
    return odai_error_set(err, ODAI_E_INVALID,
                          "embedding of model %.12s... cannot be used with a gallery of model "
                          "%.12s...",
                          a, b);
  }
  if (e->dim != g->dim)
    return odai_error_set(err, ODAI_E_INVALID, "embedding has %zu values, gallery wants %zu",
                          e->dim, g->dim);
  return ODAI_OK;
}

static odai_status add_kind(odai_gallery *g, const char *name, const odai_embedding *e, int kind,
                            odai_error *err) {
  if (!g || !name) return odai_error_set(err, ODAI_E_INVALID, "gallery add: NULL argument");
  size_t len = strlen(name);
  if (!odai_gallery_name_ok(name, len))
    return odai_error_set(err, ODAI_E_INVALID,
                          "gallery: invalid name '%.40s' (1..%d bytes, no control characters, "
                          "not '" ODAI_GALLERY_UNKNOWN "')",
                          name, ODAI_GALLERY_NAME_MAX);
  pthread_mutex_lock(&g->mu);
  odai_status st = check_embedding(g, e, err);
  float *v = NULL;
  if (st != ODAI_OK) goto done;
  if (kind == ODAI_GALLERY_KIND_NEGATIVE && find(g, name, len) < 0) {
    st = odai_error_set(err, ODAI_E_NOT_FOUND, "gallery: no identity '%s' to add a negative to",
                        name);
    goto done;
  }
  v = malloc(g->dim * sizeof(float));
  if (!v) {
    st = odai_error_set(err, ODAI_E_NOMEM, "gallery: out of memory");
    goto done;
  }
  double ss = 0.0;
  for (size_t i = 0; i < g->dim; i++) {
    if (!isfinite(e->values[i])) {
      st = odai_error_set(err, ODAI_E_INVALID, "gallery add: embedding value %zu not finite", i);
      goto done;
    }
    ss += (double)e->values[i] * e->values[i];
  }
  if (!(ss > 0.0)) {
    st = odai_error_set(err, ODAI_E_INVALID, "gallery add: zero embedding");
    goto done;
  }
  double inv = 1.0 / sqrt(ss);
  for (size_t i = 0; i < g->dim; i++) v[i] = (float)(e->values[i] * inv);
  st = odai_gallery_append(g, name, len, kind, v, err);
done:
  free(v);
  pthread_mutex_unlock(&g->mu);
  return st;
}

ODAI_API odai_status odai_gallery_add(odai_gallery *g, const char *name, const odai_embedding *e,
                                      odai_error *err) {
  return add_kind(g, name, e, ODAI_GALLERY_KIND_POSITIVE, err);
}

ODAI_API odai_status odai_gallery_add_negative(odai_gallery *g, const char *name,
                                               const odai_embedding *e, odai_error *err) {
  return add_kind(g, name, e, ODAI_GALLERY_KIND_NEGATIVE, err);
}

ODAI_API odai_status odai_gallery_remove(odai_gallery *g, const char *name, odai_error *err) {
  if (!g || !name) return odai_error_set(err, ODAI_E_INVALID, "gallery remove: NULL argument");
  pthread_mutex_lock(&g->mu);
  odai_status st = ODAI_OK;
  long id = find(g, name, strlen(name));
  if (id < 0) {
    st = odai_error_set(err, ODAI_E_NOT_FOUND, "gallery: no identity '%s'", name);
    goto done;
  }
  size_t w = 0;
  for (size_t r = 0; r < g->nrec; r++) {
    uint32_t ri = g->rec_ident[r];
    if (ri == (uint32_t)id) continue;
    if (w != r) {
      memcpy(g->mat + w * g->dim, g->mat + r * g->dim, g->dim * sizeof(float));
      g->rec_kind[w] = g->rec_kind[r];
    }
    g->rec_ident[w] = ri > (uint32_t)id ? ri - 1 : ri;
    w++;
  }
  wipe(g->mat + w * g->dim, (g->nrec - w) * g->dim * sizeof(float));
  g->nrec = w;
  free(g->names[id]);
  memmove(g->names + id, g->names + id + 1, (g->nident - id - 1) * sizeof *g->names);
  memmove(g->npos + id, g->npos + id + 1, (g->nident - id - 1) * sizeof *g->npos);
  memmove(g->nneg + id, g->nneg + id + 1, (g->nident - id - 1) * sizeof *g->nneg);
  g->nident--;
  if (!rehash(g, g->ident_cap)) {
    st = odai_error_set(err, ODAI_E_NOMEM, "gallery: out of memory");
    goto done;
  }
  g->dirty = true;
done:
  pthread_mutex_unlock(&g->mu);
  return st;
}

ODAI_API odai_status odai_gallery_rename(odai_gallery *g, const char *old_name,
                                         const char *new_name, odai_error *err) {
  if (!g || !old_name || !new_name)
    return odai_error_set(err, ODAI_E_INVALID, "gallery rename: NULL argument");
  size_t nlen = strlen(new_name);
  if (!odai_gallery_name_ok(new_name, nlen))
    return odai_error_set(err, ODAI_E_INVALID, "gallery rename: invalid name '%.40s'", new_name);
  pthread_mutex_lock(&g->mu);
  odai_status st = ODAI_OK;
  long id = find(g, old_name, strlen(old_name));
  if (id < 0) {
    st = odai_error_set(err, ODAI_E_NOT_FOUND, "gallery: no identity '%s'", old_name);
    goto done;
  }
  if (find(g, new_name, nlen) >= 0) {
    st = odai_error_set(err, ODAI_E_INVALID, "gallery: identity '%s' already exists", new_name);
    goto done;
  }
  char *copy = strdup(new_name);
  if (!copy) {
    st = odai_error_set(err, ODAI_E_NOMEM, "gallery: out of memory");
    goto done;
  }
  free(g->names[id]);
  g->names[id] = copy;
  if (!rehash(g, g->ident_cap)) {
    st = odai_error_set(err, ODAI_E_NOMEM, "gallery: out of memory");
    goto done;
  }
  g->dirty = true;
done:
  pthread_mutex_unlock(&g->mu);
  return st;
}

ODAI_API size_t odai_gallery_count(odai_gallery *g) {
  if (!g) return 0;
  pthread_mutex_lock(&g->mu);
  size_t n = g->nident;
  pthread_mutex_unlock(&g->mu);
  return n;
}

ODAI_API odai_status odai_gallery_list(odai_gallery *g, odai_gallery_identity_info **list,
                                       size_t *n, odai_error *err) {
  if (!g || !list || !n) return odai_error_set(err, ODAI_E_INVALID, "gallery list: NULL argument");
  *list = NULL;
  *n = 0;
  pthread_mutex_lock(&g->mu);
  odai_status st = ODAI_OK;
  if (g->nident) {
    odai_gallery_identity_info *l = calloc(g->nident, sizeof *l);
    if (!l) {
      st = odai_error_set(err, ODAI_E_NOMEM, "gallery: out of memory");
    } else {
      for (size_t i = 0; i < g->nident; i++) {
        snprintf(l[i].name, sizeof l[i].name, "%s", g->names[i]);
        l[i].positives = g->npos[i];
        l[i].negatives = g->nneg[i];
      }
      *list = l;
      *n = g->nident;
    }
  }
  pthread_mutex_unlock(&g->mu);
  return st;
}

/* ---- matching ---- */
/* Fill g->bpos/g->bneg with each identity's best similarity (-2: none). Under g->mu. */
static void score(odai_gallery *g, const float *q) {
  odai_dot_kernel_get()->rows(g->mat, g->nrec, g->dim, q, g->sims);
  for (size_t i = 0; i < g->nident; i++) g->bpos[i] = g->bneg[i] = -2.0f;
  for (size_t r = 0; r < g->nrec; r++) {
    float *b = g->rec_kind[r] == ODAI_GALLERY_KIND_POSITIVE ? g->bpos : g->bneg;
    uint32_t id = g->rec_ident[r];
    if (g->sims[r] > b[id]) b[id] = g->sims[r];
  }
}

/* The top k of the scored identities, refused ones left out. Under g->mu. */
static size_t top_k(odai_gallery *g, size_t k, odai_gallery_result *res) {
  size_t n = 0;
  for (size_t i = 0; i < g->nident && k; i++) {
    float s = g->bpos[i];
    if (s <= -2.0f || g->bneg[i] > s) continue; /* no positives, or refused */
    if (n == k && s <= res[n - 1].similarity) continue;
    size_t j = n < k ? n++ : k - 1;
    while (j > 0 && res[j - 1].similarity < s) {
      res[j] = res[j - 1];
      j--;
    }
    snprintf(res[j].name, sizeof res[j].name, "%s", g->names[i]);
    res[j].similarity = s;
    res[j].negative_similarity = g->bneg[i];
  }
  return n;
}

/* The query normalised into a stack or caller buffer; the gallery holds unit vectors. */
static odai_status unit_query(const odai_embedding *e, float *q, odai_error *err) {
  double ss = 0.0;
  for (size_t i = 0; i < e->dim; i++) ss += (double)e->values[i] * e->values[i];
  if (!(ss > 0.0) || !isfinite(ss))
    return odai_error_set(err, ODAI_E_INVALID, "gallery match: zero or non-finite embedding");
  double inv = 1.0 / sqrt(ss);
  for (size_t i = 0; i < e->dim; i++) q[i] = (float)(e->values[i] * inv);
  return ODAI_OK;
}

ODAI_API odai_status odai_gallery_match(odai_gallery *g, const odai_embedding *e, size_t k,
                                        odai_gallery_result *results, size_t *n, odai_error *err) {
  if (!g || !n || (k && !results))
    return odai_error_set(err, ODAI_E_INVALID, "gallery match: NULL argument");
  *n = 0;
  float q[ODAI_EMBEDDING_MAX_DIM];
  pthread_mutex_lock(&g->mu);
  odai_status st = check_embedding(g, e, err);
  if (st == ODAI_OK) st = unit_query(e, q, err);
  if (st == ODAI_OK) {
    score(g, q);
    *n = top_k(g, k, results);
  }
  pthread_mutex_unlock(&g->mu);
  return st;
}

ODAI_API odai_status odai_gallery_identify(odai_gallery *g, const odai_embedding *e,
                                           char name[ODAI_GALLERY_NAME_MAX + 1],
                                           float *similarity, odai_error *err) {
  if (!g || !name) return odai_error_set(err, ODAI_E_INVALID, "gallery identify: NULL argument");
  odai_gallery_result best;
  size_t n = 0;
  odai_status st = odai_gallery_match(g, e, 1, &best, &n, err);
  if (st != ODAI_OK) return st;
  float t = odai_gallery_threshold(g);
  if (n == 1 && best.similarity >= t)
    snprintf(name, ODAI_GALLERY_NAME_MAX + 1, "%s", best.name);
  else
    snprintf(name, ODAI_GALLERY_NAME_MAX + 1, "%s", ODAI_GALLERY_UNKNOWN);
  if (similarity) *similarity = n ? best.similarity : -2.0f;
  return ODAI_OK;
}

ODAI_API float odai_gallery_threshold(odai_gallery *g) {
  if (!g) return NAN;
  pthread_mutex_lock(&g->mu);
  float t = g->threshold;
  pthread_mutex_unlock(&g->mu);
  return t;
}

ODAI_API odai_status odai_gallery_set_threshold(odai_gallery *g, float threshold,
                                                odai_error *err) {
  if (!g) return odai_error_set(err, ODAI_E_INVALID, "gallery: NULL");
  if (!(threshold >= -1.0f && threshold <= 1.0f))
    return odai_error_set(err, ODAI_E_INVALID, "gallery threshold %g outside [-1, 1]",
                          (double)threshold);
  pthread_mutex_lock(&g->mu);
  if (g->threshold != threshold) {
    g->threshold = threshold;
    g->dirty = true;
  }
  pthread_mutex_unlock(&g->mu);
  return ODAI_OK;
}

ODAI_API size_t odai_gallery_dim(odai_gallery *g) { return g ? g->dim : 0; }

ODAI_API void odai_gallery_model_id(odai_gallery *g, uint8_t id[ODAI_MODEL_ID_SIZE]) {
  if (g) memcpy(id, g->model_id, ODAI_MODEL_ID_SIZE);
}

ODAI_API bool odai_gallery_encrypted(odai_gallery *g) {
  if (!g) return false;
  pthread_mutex_lock(&g->mu);
  bool k = g->have_key;
  pthread_mutex_unlock(&g->mu);
  return k;
}

/* ---- export / import ---- */
ODAI_API odai_status odai_gallery_export_identity(odai_gallery *g, const char *name,
                                                  const char *path, const char *key_path,
                                                  odai_error *err) {
  if (!g || !name || !path)
    return odai_error_set(err, ODAI_E_INVALID, "gallery export: NULL argument");
  uint8_t key[ODAI_GALLERY_KEY_SIZE];
  odai_status st = ODAI_OK;
  uint8_t *data = NULL;
  size_t n = 0;
  int lock_fd = -1;
  if (g->path && strcmp(g->path, path) == 0)
    return odai_error_set(err, ODAI_E_INVALID, "gallery export: %s is the gallery itself", path);
  if (key_path) {
    st = odai_gallery_crypto_init(err);
    if (st == ODAI_OK) st = odai_gallery_read_key(key_path, key, err);
    if (st != ODAI_OK) return st;
  }
  pthread_mutex_lock(&g->mu);
  long id = find(g, name, strlen(name));
  if (id < 0) {
    st = odai_error_set(err, ODAI_E_NOT_FOUND, "gallery: no identity '%s'", name);
  } else {
    st = odai_gallery_serialize(g, id, key_path ? key : NULL, &data, &n, err);
  }
  pthread_mutex_unlock(&g->mu);
  if (st != ODAI_OK) goto done;
  st = odai_gallery_lock(path, 0, &lock_fd, err);
  if (st != ODAI_OK) goto done;
  st = odai_gallery_write_atomic(path, data, n, err);
  odai_gallery_unlock(lock_fd);
done:
  free(data);
  wipe(key, sizeof key);
  return st;
}

ODAI_API odai_status odai_gallery_import_identity(odai_gallery *g, const char *path,
                                                  const char *key_path, odai_error *err) {
  if (!g || !path) return odai_error_set(err, ODAI_E_INVALID, "gallery import: NULL argument");
  odai_gallery_options o = {.key_path = key_path, .read_only = true};
  odai_gallery *src = NULL;
  odai_status st = odai_gallery_open(path, &o, &src, err);
  if (st != ODAI_OK) return st;
  pthread_mutex_lock(&g->mu);
  if (src->dim != g->dim || memcmp(src->model_id, g->model_id, ODAI_MODEL_ID_SIZE) != 0) {
    st = odai_error_set(err, ODAI_E_INVALID,
                        "gallery import %s: made with another model or embedding size", path);
    goto done;
  }
  for (size_t i = 0; i < src->nident; i++) {
    if (find(g, src->names[i], strlen(src->names[i])) >= 0) {
      st = odai_error_set(err, ODAI_E_INVALID, "gallery import %s: identity '%s' already exists",
                          path, src->names[i]);
      goto done;
    }
  }
  st = reserve(g, g->nrec + src->nrec, g->nident + src->nident, err);
  for (size_t r = 0; st == ODAI_OK && r < src->nrec; r++) {
    const char *nm = src->names[src->rec_ident[r]];
    st = odai_gallery_append(g, nm, strlen(nm), src->rec_kind[r], src->mat + r * src->dim, err);
  }
done:
  pthread_mutex_unlock(&g->mu);
  odai_gallery_close(src);
  return st;
}

/* ---- calibration ---- */
static int cmp_float(const void *a, const void *b) {
  float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

#define CALIB_MAX_IMPOSTORS 4000000u

ODAI_API odai_status odai_gallery_calibrate(odai_gallery *g, double target_far,
                                            odai_gallery_calibration *out, odai_error *err) {
  if (!g || !out) return odai_error_set(err, ODAI_E_INVALID, "gallery calibrate: NULL argument");
  if (!(target_far >= 0.0 && target_far <= 1.0))
    return odai_error_set(err, ODAI_E_INVALID, "calibrate: target false-accept rate %g not in "
                          "[0, 1]", target_far);
  memset(out, 0, sizeof *out);
  out->target_far = target_far;
  pthread_mutex_lock(&g->mu);
  odai_status st = ODAI_OK;
  float *gen = NULL, *imp = NULL;
  size_t ng = 0, ni = 0, cap_g = 0;
  size_t npos_ident = 0;
  for (size_t i = 0; i < g->nident; i++) npos_ident += g->npos[i] > 0;
  if (npos_ident < 2) {
    st = odai_error_set(err, ODAI_E_INVALID, "calibrate: needs at least two enrolled identities");
    goto done;
  }
  /* Count pairs first to size the buffers and decide on sampling. */
  uint64_t total_imp = 0, total_gen = 0;
  for (size_t a = 0; a < g->nrec; a++) {
    for (size_t b = a + 1; b < g->nrec; b++) {
      bool pa = g->rec_kind[a] == ODAI_GALLERY_KIND_POSITIVE;
      bool pb = g->rec_kind[b] == ODAI_GALLERY_KIND_POSITIVE;
      bool same = g->rec_ident[a] == g->rec_ident[b];
      if (pa && pb) {
        if (same) total_gen++;
        else total_imp++;
      } else if (same && (pa || pb)) {
        total_imp++;
      }
    }
    if (total_imp > (uint64_t)CALIB_MAX_IMPOSTORS * 64) break; /* enough to know it is huge */
  }
  uint64_t stride = total_imp > CALIB_MAX_IMPOSTORS ? total_imp / CALIB_MAX_IMPOSTORS + 1 : 1;
  out->sampled = stride > 1;
  cap_g = total_gen > 16u * CALIB_MAX_IMPOSTORS ? 16u * CALIB_MAX_IMPOSTORS : (size_t)total_gen;
  gen = malloc((cap_g ? cap_g : 1) * sizeof *gen);
  imp = malloc((size_t)(CALIB_MAX_IMPOSTORS + 1) * sizeof *imp);
  if (!gen || !imp) {
    st = odai_error_set(err, ODAI_E_NOMEM, "calibrate: out of memory");
    goto done;
  }
  const odai_dot_kernel *k = odai_dot_kernel_get();
  uint64_t seen = 0;
  for (size_t a = 0; a < g->nrec; a++) {
    for (size_t b = a + 1; b < g->nrec; b++) {
      bool pa = g->rec_kind[a] == ODAI_GALLERY_KIND_POSITIVE;
      bool pb = g->rec_kind[b] == ODAI_GALLERY_KIND_POSITIVE;
      bool same = g->rec_ident[a] == g->rec_ident[b];
      if (pa && pb && same) {
        if (ng < cap_g) gen[ng++] = k->dot(g->mat + a * g->dim, g->mat + b * g->dim, g->dim);
      } else if ((pa && pb) || (same && (pa || pb))) {
        if (seen++ % stride == 0 && ni <= CALIB_MAX_IMPOSTORS)
          imp[ni++] = k->dot(g->mat + a * g->dim, g->mat + b * g->dim, g->dim);
      }
    }
  }
  qsort(gen, ng, sizeof *gen, cmp_float);
  qsort(imp, ni, sizeof *imp, cmp_float);
  out->genuine_pairs = ng;
  out->impostor_pairs = ni;
  out->impostor_min = imp[0];
  out->impostor_max = imp[ni - 1];
  out->impostor_median = ni % 2 ? imp[ni / 2] : 0.5f * (imp[ni / 2 - 1] + imp[ni / 2]);
  if (ng) {
    out->genuine_min = gen[0];
    out->genuine_max = gen[ng - 1];
    out->genuine_median = ng % 2 ? gen[ng / 2] : 0.5f * (gen[ng / 2 - 1] + gen[ng / 2]);
  } else {
    out->genuine_min = out->genuine_max = out->genuine_median = NAN;
  }
  /* Allowed false accepts; any threshold above `lo` keeps the rate at or under target. */
  size_t allowed = (size_t)floor(target_far * (double)ni);
  float lo = allowed >= ni ? -1.0f : imp[ni - 1 - allowed];
  float hi = -2.0f; /* the lowest genuine above lo */
  for (size_t i = 0; i < ng; i++)
    if (gen[i] > lo) {
      hi = gen[i];
      break;
    }
  float t;
  if (hi > -2.0f)
    t = 0.5f * (lo + hi);
  else
    t = fminf(1.0f, lo + 0.05f); /* no genuine pair above: a small margin over the impostors */
  if (t <= lo) t = nextafterf(lo, 2.0f);
  if (t > 1.0f) t = 1.0f;
  out->threshold = t;
  size_t fa = 0, fr = 0;
  for (size_t i = 0; i < ni; i++) fa += imp[i] >= t;
  for (size_t i = 0; i < ng; i++) fr += gen[i] < t;
  out->expected_far = (double)fa / (double)ni;
  out->expected_frr = ng ? (double)fr / (double)ng : NAN;
done:
  free(gen);
  free(imp);
  pthread_mutex_unlock(&g->mu);
  return st;
}
