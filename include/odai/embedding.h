/* odai/embedding.h: a face (or any) embedding: a float vector tagged with the
 * identity of the model that produced it.
 *
 * The model identity is the sha256 of the model file (32 raw bytes). Two
 * embeddings are only ever compared when their dims and model identities are
 * equal; comparing embeddings of different models is an error
 * (ODAI_E_INVALID), never a meaningless number.
 *
 * Ownership: odai_embedding_create/_copy return a new heap object (transfer
 * full) that the caller releases with odai_embedding_free. `values` points
 * into the same allocation: never free it separately.
 *
 * Thread-safety: no internal state; an embedding may be read from several
 * threads at once, but a thread that writes it (normalize, values) must be
 * the only one touching it. */
#ifndef ODAI_EMBEDDING_H
#define ODAI_EMBEDDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "odai/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Size of a model identity (sha256 of the model file). */
#define ODAI_MODEL_ID_SIZE 32
/* The largest dim accepted anywhere (MobileFaceNet: 192). */
#define ODAI_EMBEDDING_MAX_DIM 4096

typedef struct odai_embedding {
  size_t dim;                             /* number of floats in values */
  float *values;                          /* dim floats (owned by the embedding) */
  uint8_t model_id[ODAI_MODEL_ID_SIZE];   /* sha256 of the model file */
} odai_embedding;

/* A new embedding of `dim` floats (1..ODAI_EMBEDDING_MAX_DIM) for the model
 * `model_id` (32 bytes). `values` may be NULL (zeros) or dim floats to copy.
 * Transfer full: free with odai_embedding_free. */
ODAI_API odai_status odai_embedding_create(size_t dim, const uint8_t model_id[ODAI_MODEL_ID_SIZE],
                                           const float *values, odai_embedding **out,
                                           odai_error *err);

/* An embedding from a model's output rows: row0 L2-normalised, or, with
 * row1 (the output for the left-right mirrored face, as MobileFaceNet's
 * batch of 2 allows), normalise(normalise(row0) + normalise(row1)): the
 * "flip sum" that measured slightly better on shared/testdata/faces.
 * ODAI_E_INVALID for a zero or non-finite row. Transfer full. */
ODAI_API odai_status odai_embedding_from_rows(size_t dim, const uint8_t model_id[ODAI_MODEL_ID_SIZE],
                                              const float *row0, const float *row1,
                                              odai_embedding **out, odai_error *err);

/* A deep copy (transfer full). */
ODAI_API odai_status odai_embedding_copy(const odai_embedding *src, odai_embedding **out,
                                         odai_error *err);

/* Release an embedding; NULL is a no-op. */
ODAI_API void odai_embedding_free(odai_embedding *e);

/* Scale to unit L2 norm in place. ODAI_E_INVALID when the norm is zero or a
 * value is not finite (the embedding is then left unchanged). */
ODAI_API odai_status odai_embedding_normalize(odai_embedding *e, odai_error *err);

/* The L2 norm. */
ODAI_API float odai_embedding_norm(const odai_embedding *e);

/* true when a and b have the same dim and model identity. */
ODAI_API bool odai_embedding_compatible(const odai_embedding *a, const odai_embedding *b);

/* Cosine similarity of a and b in [-1, 1] into *similarity (dot / (|a||b|),
 * computed with the SIMD dot product). ODAI_E_INVALID when the models or
 * dims differ, or a norm is zero. */
ODAI_API odai_status odai_embedding_cosine(const odai_embedding *a, const odai_embedding *b,
                                           float *similarity, odai_error *err);

/* Model identity <-> 64 lowercase hex digits. `hex` receives 65 bytes
 * (NUL-terminated). _from_hex accepts upper or lower case, exactly 64 digits. */
ODAI_API void odai_model_id_to_hex(const uint8_t id[ODAI_MODEL_ID_SIZE], char hex[65]);
ODAI_API odai_status odai_model_id_from_hex(const char *hex, uint8_t id[ODAI_MODEL_ID_SIZE],
                                            odai_error *err);

/* The model identity of a model file: the sha256 of its bytes (what
 * shared/MODELS.md lists). ODAI_E_NOT_FOUND / ODAI_E_IO on file errors. */
ODAI_API odai_status odai_model_id_of_file(const char *path, uint8_t id[ODAI_MODEL_ID_SIZE],
                                           odai_error *err);

/* Dot product of two float vectors of n elements, through the fastest kernel
 * this CPU supports (AVX-512F, AVX2+FMA, NEON on arm64, or scalar; picked
 * once). */
ODAI_API float odai_dot_f32(const float *a, const float *b, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* ODAI_EMBEDDING_H */
