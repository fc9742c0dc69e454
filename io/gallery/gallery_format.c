/* io/gallery/gallery_format.c: the gallery file format, version 1
 * (docs/gallery.md): header, per-record CRC32, optional XChaCha20-Poly1305
 * body, trailer with the whole-file CRC32. The parser treats every byte as
 * untrusted (fuzzed by tests/face/fuzz_gallery.c). */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "gallery_internal.h"

#if defined(ODAI_HAVE_SODIUM)
#include <sodium.h>
#endif

/* ---- CRC32 (IEEE 802.3, reflected, poly 0xEDB88320), slicing by 8 ---- */
static uint32_t g_crc_table[8][256];
static pthread_once_t g_crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    g_crc_table[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; i++)
    for (int t = 1; t < 8; t++)
      g_crc_table[t][i] = (g_crc_table[t - 1][i] >> 8) ^ g_crc_table[0][g_crc_table[t - 1][i] & 0xff];
}

uint32_t odai_gallery_crc32(uint32_t crc, const void *data, size_t n) {
  pthread_once(&g_crc_once, crc_init);
  const uint8_t *p = data;
  const uint32_t(*T)[256] = (const uint32_t(*)[256])g_crc_table;
  crc = ~crc;
  /* Eight bytes a step: byte order independent (explicit shifts). */
  for (; n >= 8; n -= 8, p += 8) {
    uint32_t lo = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                         (uint32_t)p[3] << 24);
    crc = T[7][lo & 0xff] ^ T[6][(lo >> 8) & 0xff] ^ T[5][(lo >> 16) & 0xff] ^ T[4][lo >> 24] ^
          T[3][p[4]] ^ T[2][p[5]] ^ T[1][p[6]] ^ T[0][p[7]];
  }
  for (; n; n--, p++) crc = T[0][(crc ^ *p) & 0xff] ^ (crc >> 8);
  return ~crc;
}

/* ---- libsodium ---- */
#if defined(ODAI_HAVE_SODIUM)
static pthread_once_t g_sodium_once = PTHREAD_ONCE_INIT;
static int g_sodium_rc = -1;
static void sodium_once(void) { g_sodium_rc = sodium_init(); }
#endif

odai_status odai_gallery_crypto_init(odai_error *err) {
#if defined(ODAI_HAVE_SODIUM)
  pthread_once(&g_sodium_once, sodium_once);
  if (g_sodium_rc < 0) return odai_error_set(err, ODAI_E_INTERNAL, "libsodium failed to start");
  return ODAI_OK;
#else
  return odai_error_set(err, ODAI_E_UNSUPPORTED,
                        "gallery encryption: odai was built without libsodium");
#endif
}

/* Fuzzing builds ignore checksum mismatches so the fuzzer reaches the record
 * parser behind them (as libpng does); every other check stays. */
#if defined(ODAI_FUZZING)
#define CRC_BAD(stored, computed) ((void)(stored), (void)(computed), 0)
#else
#define CRC_BAD(stored, computed) ((stored) != (computed))
#endif

/* ---- little-endian helpers ---- */
static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void put64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t get64(const uint8_t *p) {
  return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}
static void putf(uint8_t *p, float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  put32(p, u);
}
static float getf(const uint8_t *p) {
  uint32_t u = get32(p);
  float f;
  memcpy(&f, &u, 4);
  return f;
}

static void write_header(uint8_t *h, const odai_gallery *g, bool encrypted) {
  memset(h, 0, ODAI_GALLERY_HEADER_SIZE);
  memcpy(h, ODAI_GALLERY_MAGIC, 8);
  put16(h + 8, ODAI_GALLERY_FORMAT_VERSION);
  put16(h + 10, encrypted ? ODAI_GALLERY_FLAG_ENCRYPTED : 0);
  put32(h + 12, (uint32_t)g->dim);
  memcpy(h + 16, g->model_id, ODAI_MODEL_ID_SIZE);
  putf(h + 48, g->threshold);
  put32(h + 60, odai_gallery_crc32(0, h, 60));
}

odai_status odai_gallery_serialize(odai_gallery *g, long only, const uint8_t *key,
                                   uint8_t **data, size_t *n, odai_error *err) {
  *data = NULL;
  *n = 0;
  odai_status st = ODAI_OK;
  uint8_t *payload = NULL, *file = NULL;
  size_t nrec = 0, plen = 8;
  for (size_t r = 0; r < g->nrec; r++) {
    if (only >= 0 && g->rec_ident[r] != (uint32_t)only) continue;
    nrec++;
    plen += 4 + strlen(g->names[g->rec_ident[r]]) + 4 * g->dim + 4;
  }
  size_t nident = only >= 0 ? 1 : g->nident;
  payload = malloc(plen);
  if (!payload) {
    st = odai_error_set(err, ODAI_E_NOMEM, "gallery: out of memory (%zu bytes)", plen);
    goto fail;
  }
  put32(payload, (uint32_t)nrec);
  put32(payload + 4, (uint32_t)nident);
  uint8_t *p = payload + 8;
  for (size_t r = 0; r < g->nrec; r++) {
    if (only >= 0 && g->rec_ident[r] != (uint32_t)only) continue;
    const char *name = g->names[g->rec_ident[r]];
    size_t len = strlen(name);
    uint8_t *start = p;
    p[0] = g->rec_kind[r];
    p[1] = 0;
    put16(p + 2, (uint16_t)len);
    memcpy(p + 4, name, len);
    p += 4 + len;
    const float *v = g->mat + r * g->dim;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, v, 4 * g->dim);
    p += 4 * g->dim;
#else
    for (size_t i = 0; i < g->dim; i++, p += 4) putf(p, v[i]);
#endif
    put32(p, odai_gallery_crc32(0, start, (size_t)(p - start)));
    p += 4;
  }
  size_t body = key ? ODAI_GALLERY_NONCE_SIZE + plen + ODAI_GALLERY_TAG_SIZE : plen;
  size_t total = ODAI_GALLERY_HEADER_SIZE + body + ODAI_GALLERY_TRAILER_SIZE;
  file = malloc(total);
  if (!file) {
    st = odai_error_set(err, ODAI_E_NOMEM, "gallery: out of memory (%zu bytes)", total);
    goto fail;
  }
  write_header(file, g, key != NULL);
  uint8_t *b = file + ODAI_GALLERY_HEADER_SIZE;
  if (key) {
#if defined(ODAI_HAVE_SODIUM)
    st = odai_gallery_crypto_init(err);
    if (st != ODAI_OK) goto fail;
    randombytes_buf(b, ODAI_GALLERY_NONCE_SIZE);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(b + ODAI_GALLERY_NONCE_SIZE, &clen, payload, plen,
                                               file, ODAI_GALLERY_HEADER_SIZE, NULL, b, key);
#else
    st = odai_gallery_crypto_init(err);
    goto fail;
#endif
  } else {
    memcpy(b, payload, plen);
  }
  uint8_t *t = b + body;
  put64(t, body);
  memcpy(t + 8, "GEND", 4);
  put32(t + 12, odai_gallery_crc32(0, file, total - 4));
  *data = file;
  *n = total;
  file = NULL;
fail:
  if (payload) {
#if defined(ODAI_HAVE_SODIUM)
    sodium_memzero(payload, plen);
#endif
    free(payload);
  }
  free(file);
  return st;
}

odai_status odai_gallery_parse(const uint8_t *data, size_t n, const uint8_t *key,
                               odai_gallery **out, odai_error *err) {
  *out = NULL;
  odai_gallery *g = NULL;
  uint8_t *plain = NULL;
  size_t plain_len = 0;
  (void)plain_len; /* only used with libsodium */
  odai_status st = ODAI_OK;
  if (n < 8 || memcmp(data, ODAI_GALLERY_MAGIC, 8) != 0)
    return odai_error_set(err, ODAI_E_CORRUPT, "not an odai gallery (bad magic)");
  if (n < ODAI_GALLERY_HEADER_SIZE + ODAI_GALLERY_TRAILER_SIZE)
    return odai_error_set(err, ODAI_E_CORRUPT, "gallery truncated: %zu bytes", n);
  if (CRC_BAD(get32(data + 60), odai_gallery_crc32(0, data, 60)))
    return odai_error_set(err, ODAI_E_CORRUPT, "gallery header checksum mismatch");
  uint16_t version = get16(data + 8), flags = get16(data + 10);
  if (version == 0)
    return odai_error_set(err, ODAI_E_CORRUPT, "gallery: version 0 is not valid");
  if (version > ODAI_GALLERY_FORMAT_VERSION)
    return odai_error_set(err, ODAI_E_UNSUPPORTED,
                          "gallery format version %u is newer than this odai (%d)", version,
                          ODAI_GALLERY_FORMAT_VERSION);
  if (flags & ~ODAI_GALLERY_FLAG_ENCRYPTED)
    return odai_error_set(err, ODAI_E_UNSUPPORTED, "gallery: unknown flags 0x%x", flags);
  uint32_t dim = get32(data + 12);
  if (dim == 0 || dim > ODAI_EMBEDDING_MAX_DIM)
    return odai_error_set(err, ODAI_E_CORRUPT, "gallery: embedding size %u out of range", dim);
  float threshold = getf(data + 48);
  if (!(threshold >= -1.0f && threshold <= 1.0f))
    return odai_error_set(err, ODAI_E_CORRUPT, "gallery: threshold out of [-1, 1]");
  if (get32(data + 52) != 0 || get32(data + 56) != 0)
    return odai_error_set(err, ODAI_E_CORRUPT, "gallery: reserved header fields not zero");
  const uint8_t *t = data + n - ODAI_GALLERY_TRAILER_SIZE;
  if (memcmp(t + 8, "GEND", 4) != 0)
    return odai_error_set(err, ODAI_E_CORRUPT, "gallery truncated or damaged: no trailer");
  uint64_t body = get64(t);
  if (body != n - ODAI_GALLERY_HEADER_SIZE - ODAI_GALLERY_TRAILER_SIZE)
    return odai_error_set(err, ODAI_E_CORRUPT,
                          "gallery truncated: body is %zu bytes, trailer says %llu",
                          n - ODAI_GALLERY_HEADER_SIZE - ODAI_GALLERY_TRAILER_SIZE,
                          (unsigned long long)body);
  if (CRC_BAD(get32(t + 12), odai_gallery_crc32(0, data, n - 4)))
    return odai_error_set(err, ODAI_E_CORRUPT, "gallery file checksum mismatch");
  const uint8_t *b = data + ODAI_GALLERY_HEADER_SIZE;
  const uint8_t *payload = b;
  size_t plen = (size_t)body;
  if (flags & ODAI_GALLERY_FLAG_ENCRYPTED) {
    if (!key)
      return odai_error_set(err, ODAI_E_INVALID, "gallery is encrypted: a key file is needed");
#if defined(ODAI_HAVE_SODIUM)
    st = odai_gallery_crypto_init(err);
    if (st != ODAI_OK) return st;
    if (plen < ODAI_GALLERY_NONCE_SIZE + ODAI_GALLERY_TAG_SIZE)
      return odai_error_set(err, ODAI_E_CORRUPT, "encrypted gallery truncated");
    plain_len = plen - ODAI_GALLERY_NONCE_SIZE - ODAI_GALLERY_TAG_SIZE;
    plain = malloc(plain_len ? plain_len : 1);
    if (!plain) return odai_error_set(err, ODAI_E_NOMEM, "gallery: out of memory");
    unsigned long long got = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            plain, &got, NULL, b + ODAI_GALLERY_NONCE_SIZE, plen - ODAI_GALLERY_NONCE_SIZE, data,
            ODAI_GALLERY_HEADER_SIZE, b, key) != 0) {
      st = odai_error_set(err, ODAI_E_CORRUPT,
                          "encrypted gallery: wrong key or tampered file (authentication failed)");
      goto fail;
    }
    payload = plain;
    plen = (size_t)got;
#else
    return odai_gallery_crypto_init(err);
#endif
  }
  if (plen < 8) {
    st = odai_error_set(err, ODAI_E_CORRUPT, "gallery payload truncated");
    goto fail;
  }
  uint32_t nrec = get32(payload), nident = get32(payload + 4);
  size_t min_rec = 4 + 1 + 4 * (size_t)dim + 4;
  if (nrec > (plen - 8) / min_rec || nident > nrec) {
    st = odai_error_set(err, ODAI_E_CORRUPT, "gallery: %u records / %u identities do not fit",
                        nrec, nident);
    goto fail;
  }
  g = odai_gallery_new_empty(dim, data + 16, threshold);
  if (!g) {
    st = odai_error_set(err, ODAI_E_NOMEM, "gallery: out of memory");
    goto fail;
  }
  float *vec = malloc(4 * (size_t)dim);
  if (!vec) {
    st = odai_error_set(err, ODAI_E_NOMEM, "gallery: out of memory");
    goto fail;
  }
  size_t off = 8;
  for (uint32_t r = 0; r < nrec; r++) {
    const uint8_t *p = payload + off;
    if (plen - off < 4) {
      st = odai_error_set(err, ODAI_E_CORRUPT, "gallery record %u truncated", r);
      break;
    }
    uint8_t kind = p[0];
    uint16_t len = get16(p + 2);
    size_t rlen = 4 + (size_t)len + 4 * (size_t)dim + 4;
    if (plen - off < rlen) {
      st = odai_error_set(err, ODAI_E_CORRUPT, "gallery record %u truncated", r);
      break;
    }
    if (CRC_BAD(get32(p + rlen - 4), odai_gallery_crc32(0, p, rlen - 4))) {
      st = odai_error_set(err, ODAI_E_CORRUPT, "gallery record %u checksum mismatch", r);
      break;
    }
    if ((kind != ODAI_GALLERY_KIND_POSITIVE && kind != ODAI_GALLERY_KIND_NEGATIVE) || p[1] != 0) {
      st = odai_error_set(err, ODAI_E_CORRUPT, "gallery record %u: bad kind %u", r, kind);
      break;
    }
    if (!odai_gallery_name_ok((const char *)p + 4, len)) {
      st = odai_error_set(err, ODAI_E_CORRUPT, "gallery record %u: invalid name", r);
      break;
    }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(vec, p + 4 + len, 4 * (size_t)dim); /* the file's byte order */
#else
    for (uint32_t i = 0; i < dim; i++) vec[i] = getf(p + 4 + len + 4 * i);
#endif
    double ss = 0.0;
    for (uint32_t i = 0; i < dim; i++) ss += (double)vec[i] * vec[i];
    if (!(fabs(ss - 1.0) < 1e-3)) { /* also catches NaN/inf */
      st = odai_error_set(err, ODAI_E_CORRUPT, "gallery record %u: vector is not unit length", r);
      break;
    }
    st = odai_gallery_append(g, (const char *)p + 4, len, kind, vec, err);
    if (st != ODAI_OK) break;
    off += rlen;
  }
  free(vec);
  if (st != ODAI_OK) goto fail;
  if (off != plen) {
    st = odai_error_set(err, ODAI_E_CORRUPT, "gallery: %zu stray bytes after the records",
                        plen - off);
    goto fail;
  }
  if (g->nident != nident) {
    st = odai_error_set(err, ODAI_E_CORRUPT, "gallery: %zu identities found, header says %u",
                        g->nident, nident);
    goto fail;
  }
  g->have_key = (flags & ODAI_GALLERY_FLAG_ENCRYPTED) != 0;
  if (g->have_key) memcpy(g->key, key, ODAI_GALLERY_KEY_SIZE);
  g->dirty = false;
  free(plain);
  *out = g;
  return ODAI_OK;
fail:
  if (plain) {
#if defined(ODAI_HAVE_SODIUM)
    sodium_memzero(plain, plain_len);
#endif
    free(plain);
  }
  if (g) {
    odai_gallery_free_contents(g);
    free(g);
  }
  return st;
}
