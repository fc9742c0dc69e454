/* io/gallery/embedding.c: the odai_embedding type (include/odai/embedding.h):
 * a float vector tagged with its model's sha256. Lives in io/ beside the
 * gallery because it knows no graph types; calculators use it too. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dot.h"
#include "odai/embedding.h"

ODAI_API odai_status odai_embedding_create(size_t dim, const uint8_t model_id[ODAI_MODEL_ID_SIZE],
                                           const float *values, odai_embedding **out,
                                           odai_error *err) {
  if (!out || !model_id) return odai_error_set(err, ODAI_E_INVALID, "embedding: NULL argument");
  *out = NULL;
  if (dim == 0 || dim > ODAI_EMBEDDING_MAX_DIM)
    return odai_error_set(err, ODAI_E_INVALID, "embedding: dim %zu out of range 1..%d", dim,
                          ODAI_EMBEDDING_MAX_DIM);
  /* One block: the struct, then the floats (aligned to 64 bytes for SIMD). */
  size_t head = (sizeof(odai_embedding) + 63) & ~(size_t)63;
  odai_embedding *e = aligned_alloc(64, head + ((dim * sizeof(float) + 63) & ~(size_t)63));
  if (!e) return odai_error_set(err, ODAI_E_NOMEM, "embedding: out of memory (dim %zu)", dim);
  e->dim = dim;
  e->values = (float *)((char *)e + head);
  memcpy(e->model_id, model_id, ODAI_MODEL_ID_SIZE);
  if (values)
    memcpy(e->values, values, dim * sizeof(float));
  else
    memset(e->values, 0, dim * sizeof(float));
  *out = e;
  return ODAI_OK;
}

/* Add row/|row| into acc; false for a zero or non-finite row. */
static bool add_unit(float *acc, const float *row, size_t dim) {
  double ss = 0.0;
  for (size_t i = 0; i < dim; i++) {
    if (!isfinite(row[i])) return false;
    ss += (double)row[i] * row[i];
  }
  if (!(ss > 0.0) || !isfinite(ss)) return false;
  double inv = 1.0 / sqrt(ss);
  for (size_t i = 0; i < dim; i++) acc[i] += (float)(row[i] * inv);
  return true;
}

ODAI_API odai_status odai_embedding_from_rows(size_t dim, const uint8_t model_id[ODAI_MODEL_ID_SIZE],
                                              const float *row0, const float *row1,
                                              odai_embedding **out, odai_error *err) {
  if (!row0 || !out) return odai_error_set(err, ODAI_E_INVALID, "embedding: NULL argument");
  *out = NULL;
  odai_embedding *e = NULL;
  odai_status st = odai_embedding_create(dim, model_id, NULL, &e, err);
  if (st != ODAI_OK) return st;
  float *acc = e->values; /* zeroed by create */
  if (!add_unit(acc, row0, dim) || (row1 && !add_unit(acc, row1, dim))) {
    odai_embedding_free(e);
    return odai_error_set(err, ODAI_E_INVALID, "embedding: model output is zero or not finite");
  }
  double ss = 0.0;
  for (size_t i = 0; i < dim; i++) ss += (double)acc[i] * acc[i];
  if (!(ss > 1e-12)) { /* the two rows cancel out */
    odai_embedding_free(e);
    return odai_error_set(err, ODAI_E_INVALID, "embedding: the two rows cancel out");
  }
  double inv = 1.0 / sqrt(ss);
  for (size_t i = 0; i < dim; i++) acc[i] = (float)(acc[i] * inv);
  *out = e;
  return ODAI_OK;
}

ODAI_API odai_status odai_embedding_copy(const odai_embedding *src, odai_embedding **out,
                                         odai_error *err) {
  if (!src) return odai_error_set(err, ODAI_E_INVALID, "embedding copy: NULL source");
  return odai_embedding_create(src->dim, src->model_id, src->values, out, err);
}

ODAI_API void odai_embedding_free(odai_embedding *e) { free(e); }

ODAI_API float odai_embedding_norm(const odai_embedding *e) {
  if (!e) return 0.0f;
  return sqrtf(odai_dot_f32(e->values, e->values, e->dim));
}

ODAI_API odai_status odai_embedding_normalize(odai_embedding *e, odai_error *err) {
  if (!e) return odai_error_set(err, ODAI_E_INVALID, "embedding normalize: NULL");
  double s = 0.0;
  for (size_t i = 0; i < e->dim; i++) {
    if (!isfinite(e->values[i]))
      return odai_error_set(err, ODAI_E_INVALID, "embedding: value %zu is not finite", i);
    s += (double)e->values[i] * e->values[i];
  }
  if (!(s > 0.0) || !isfinite(s))
    return odai_error_set(err, ODAI_E_INVALID, "embedding: zero norm, cannot normalise");
  double inv = 1.0 / sqrt(s);
  for (size_t i = 0; i < e->dim; i++) e->values[i] = (float)(e->values[i] * inv);
  return ODAI_OK;
}

ODAI_API bool odai_embedding_compatible(const odai_embedding *a, const odai_embedding *b) {
  return a && b && a->dim == b->dim && memcmp(a->model_id, b->model_id, ODAI_MODEL_ID_SIZE) == 0;
}

ODAI_API odai_status odai_embedding_cosine(const odai_embedding *a, const odai_embedding *b,
                                           float *similarity, odai_error *err) {
  if (!a || !b || !similarity)
    return odai_error_set(err, ODAI_E_INVALID, "embedding cosine: NULL argument");
  if (memcmp(a->model_id, b->model_id, ODAI_MODEL_ID_SIZE) != 0) {
    char ha[65], hb[65];
    odai_model_id_to_hex(a->model_id, ha);
    odai_model_id_to_hex(b->model_id, hb);
    return odai_error_set(err, ODAI_E_INVALID,
                          "embeddings come from different models (sha256 %.12s... vs %.12s...): "
                          "not comparable",
                          ha, hb);
  }
  if (a->dim != b->dim)
    return odai_error_set(err, ODAI_E_INVALID, "embeddings differ in size (%zu vs %zu)", a->dim,
                          b->dim);
  const odai_dot_kernel *k = odai_dot_kernel_get();
  float ab = k->dot(a->values, b->values, a->dim);
  float aa = k->dot(a->values, a->values, a->dim);
  float bb = k->dot(b->values, b->values, b->dim);
  if (!(aa > 0.0f) || !(bb > 0.0f))
    return odai_error_set(err, ODAI_E_INVALID, "embedding cosine: zero-norm embedding");
  float c = ab / sqrtf(aa * bb);
  *similarity = c > 1.0f ? 1.0f : (c < -1.0f ? -1.0f : c);
  return ODAI_OK;
}

ODAI_API void odai_model_id_to_hex(const uint8_t id[ODAI_MODEL_ID_SIZE], char hex[65]) {
  static const char digits[] = "0123456789abcdef";
  for (int i = 0; i < ODAI_MODEL_ID_SIZE; i++) {
    hex[2 * i] = digits[id[i] >> 4];
    hex[2 * i + 1] = digits[id[i] & 15];
  }
  hex[64] = '\0';
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

ODAI_API odai_status odai_model_id_from_hex(const char *hex, uint8_t id[ODAI_MODEL_ID_SIZE],
                                            odai_error *err) {
  if (!hex || !id) return odai_error_set(err, ODAI_E_INVALID, "model id: NULL argument");
  if (strlen(hex) != 64)
    return odai_error_set(err, ODAI_E_PARSE, "model id: expected 64 hex digits, got %zu chars",
                          strlen(hex));
  for (int i = 0; i < ODAI_MODEL_ID_SIZE; i++) {
    int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return odai_error_set(err, ODAI_E_PARSE, "model id: bad hex digit at %d", 2 * i);
    id[i] = (uint8_t)(hi << 4 | lo);
  }
  return ODAI_OK;
}
