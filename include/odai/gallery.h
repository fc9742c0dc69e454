/* odai/gallery.h: the face gallery, a small private store of named identities,
 * their embeddings, their negatives ("not this person") and the decision
 * threshold, with open-set matching. No graph types: used by the recognizer
 * calculator, the odai-faces tool and the face recognizer task alike.
 *
 * The file is biometric data. It is created with mode 0600, versioned,
 * checksummed per record and as a whole, written atomically (temp file in the
 * same directory, fsync, rename over, fsync of the directory: a crash or a
 * full disk leaves the complete old or the complete new gallery), optionally
 * encrypted at rest (XChaCha20-Poly1305 with a 32-byte key file), and never
 * sent anywhere. A corrupt, truncated or foreign file is refused with
 * ODAI_E_CORRUPT and is never overwritten (no writable handle is returned).
 *
 * On-disk format (version 1; all integers little-endian; docs/gallery.md):
 *   header  (64 B): magic "ODAIGALL", u16 version=1, u16 flags (bit 0 =
 *                   encrypted), u32 dim, u8[32] model sha256, f32 threshold,
 *                   u32 0, u32 0, u32 crc32(header bytes 0..59)
 *   body         : payload (plain), or nonce[24] || XChaCha20-Poly1305(payload)
 *                   with the 64 header bytes as associated data (encrypted)
 *   trailer (16 B): u64 body length, "GEND", u32 crc32(all preceding bytes)
 *   payload      : u32 record count, u32 identity count, then the records:
 *                   u8 kind (1 positive, 2 negative), u8 0, u16 name length
 *                   (1..127), name (UTF-8, no control characters),
 *                   f32[dim] unit-length vector, u32 crc32(record bytes before)
 *
 * Writers: a handle opened writable holds an exclusive flock() on
 * "<path>.lock" (created 0600, never deleted) from open to close, so writers
 * (in this or other processes) are serialised; a second writer waits up to
 * opts->lock_timeout_ms and then gets ODAI_E_AGAIN. Read-only handles take no
 * lock: renames make every read see a complete file.
 *
 * Changes (add, remove, rename, threshold, import) are made in memory; save
 * writes them. Vectors are stored L2-normalised.
 *
 * Thread-safety: every function may be called from any thread; one mutex in
 * the handle serialises calls on the same handle (match does no allocation). */
#ifndef ODAI_GALLERY_H
#define ODAI_GALLERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "odai/common.h"
#include "odai/embedding.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct odai_gallery odai_gallery;

#define ODAI_GALLERY_NAME_MAX 127        /* bytes, without the NUL */
#define ODAI_GALLERY_UNKNOWN "unknown"   /* identify's answer below the threshold; reserved */
#define ODAI_GALLERY_DEFAULT_THRESHOLD 0.55f
#define ODAI_GALLERY_KEY_SIZE 32
#define ODAI_GALLERY_FORMAT_VERSION 1

typedef struct odai_gallery_options {
  /* NULL: the file is plain. Else a 32-byte key file (see odai_gallery_keygen;
   * must not be readable by group/others): the gallery is encrypted at rest.
   * A plain gallery opened with a key is written encrypted by the next save. */
  const char *key_path;
  bool create_if_missing; /* writable only: create an empty gallery (needs model_id, dim) */
  bool read_only;         /* no lock; save/export-to-self refused */
  const uint8_t *model_id; /* 32 bytes or NULL: when set, the file's model must be this one */
  size_t dim;              /* 0 or the embedding size the file must have */
  int lock_timeout_ms;     /* writers: 0 = fail at once with ODAI_E_AGAIN, <0 = wait forever */
} odai_gallery_options;

/* One identity's score in a match. */
typedef struct odai_gallery_result {
  char name[ODAI_GALLERY_NAME_MAX + 1];
  float similarity;          /* best cosine similarity to the identity's positives */
  float negative_similarity; /* best cosine similarity to its negatives; -2 when it has none */
} odai_gallery_result;

typedef struct odai_gallery_identity_info {
  char name[ODAI_GALLERY_NAME_MAX + 1];
  size_t positives;
  size_t negatives;
} odai_gallery_identity_info;

/* Genuine/impostor similarity distributions of the enrolled embeddings and a
 * proposed threshold. Genuine pairs: two positives of the same identity.
 * Impostor pairs: positives of different identities, and each negative
 * against its own identity's positives. */
typedef struct odai_gallery_calibration {
  float threshold;       /* proposed: midway between the FAR bound and the next genuine */
  double target_far;     /* as asked */
  double expected_far;   /* impostor pairs >= threshold / impostor pairs */
  double expected_frr;   /* genuine pairs < threshold / genuine pairs (NaN when none) */
  size_t genuine_pairs, impostor_pairs;
  float genuine_min, genuine_median, genuine_max;    /* NaN when no genuine pairs */
  float impostor_min, impostor_median, impostor_max;
  bool sampled;          /* impostor pairs were subsampled (more than 4,000,000) */
} odai_gallery_calibration;

/* Open (or create) the gallery at `path`. opts may be NULL (writable, plain,
 * no creation, no lock wait). Errors: ODAI_E_NOT_FOUND (missing, no create),
 * ODAI_E_CORRUPT (bad magic, checksum, truncation; wrong key or tampered
 * encrypted file), ODAI_E_UNSUPPORTED (newer version), ODAI_E_INVALID (model
 * or dim mismatch, encrypted without key), ODAI_E_AGAIN (locked by another
 * writer), ODAI_E_IO. Transfer full: close with odai_gallery_close. */
ODAI_API odai_status odai_gallery_open(const char *path, const odai_gallery_options *opts,
                                       odai_gallery **out, odai_error *err);

/* Release the handle and its lock; unsaved changes are dropped. NULL is ok. */
ODAI_API void odai_gallery_close(odai_gallery *g);

/* Write the gallery atomically (see above). On failure the file on disk is
 * the previous complete version and the changes stay in memory (retry). */
ODAI_API odai_status odai_gallery_save(odai_gallery *g, odai_error *err);

/* Read-only handles: when the file changed on disk since it was read (a
 * writer saved: new inode, size or mtime), load it again and set *changed.
 * On failure (e.g. the new file is damaged) the handle keeps its contents.
 * ODAI_E_INVALID if the file now holds another model. Writable handles are
 * the only writer: *changed stays false. Cheap when nothing changed (one
 * stat), so a recognizer may call it every few seconds. */
ODAI_API odai_status odai_gallery_refresh(odai_gallery *g, bool *changed, odai_error *err);

/* true when there are changes not yet saved. */
ODAI_API bool odai_gallery_dirty(odai_gallery *g);

/* Add an embedding (copied, normalised) to `name`, creating the identity.
 * Names: 1..127 bytes, no control characters, not "unknown".
 * ODAI_E_INVALID for a bad name or an embedding of another model or dim. */
ODAI_API odai_status odai_gallery_add(odai_gallery *g, const char *name, const odai_embedding *e,
                                      odai_error *err);
/* Store a face as "not this person" for an existing identity (ODAI_E_NOT_FOUND otherwise). */
ODAI_API odai_status odai_gallery_add_negative(odai_gallery *g, const char *name,
                                               const odai_embedding *e, odai_error *err);
/* Remove an identity with all its embeddings and negatives. */
ODAI_API odai_status odai_gallery_remove(odai_gallery *g, const char *name, odai_error *err);
/* Rename; ODAI_E_INVALID when new_name exists or is invalid. */
ODAI_API odai_status odai_gallery_rename(odai_gallery *g, const char *old_name,
                                         const char *new_name, odai_error *err);

/* Number of identities. */
ODAI_API size_t odai_gallery_count(odai_gallery *g);
/* All identities in insertion order. Transfer full: free(*list) (NULL when n is 0). */
ODAI_API odai_status odai_gallery_list(odai_gallery *g, odai_gallery_identity_info **list,
                                       size_t *n, odai_error *err);

/* Open-set match: the (at most k) identities with the highest best-positive
 * similarity, highest first, into results[0..*n). An identity whose best
 * negative is closer than its best positive is refused (left out).
 * ODAI_E_INVALID when the embedding's model or dim differ from the gallery's. */
ODAI_API odai_status odai_gallery_match(odai_gallery *g, const odai_embedding *e, size_t k,
                                        odai_gallery_result *results, size_t *n, odai_error *err);
/* The best identity if its similarity >= the threshold, else "unknown".
 * name receives ODAI_GALLERY_NAME_MAX + 1 bytes; *similarity (may be NULL)
 * the best (not refused) similarity, -2 for an empty gallery. */
ODAI_API odai_status odai_gallery_identify(odai_gallery *g, const odai_embedding *e,
                                           char name[ODAI_GALLERY_NAME_MAX + 1],
                                           float *similarity, odai_error *err);

ODAI_API float odai_gallery_threshold(odai_gallery *g);
/* Threshold in [-1, 1]. */
ODAI_API odai_status odai_gallery_set_threshold(odai_gallery *g, float threshold, odai_error *err);
ODAI_API size_t odai_gallery_dim(odai_gallery *g);
ODAI_API void odai_gallery_model_id(odai_gallery *g, uint8_t id[ODAI_MODEL_ID_SIZE]);
ODAI_API bool odai_gallery_encrypted(odai_gallery *g);

/* Write one identity as a gallery file of its own at `path` (atomic, 0600),
 * encrypted with key_path when not NULL. */
ODAI_API odai_status odai_gallery_export_identity(odai_gallery *g, const char *name,
                                                  const char *path, const char *key_path,
                                                  odai_error *err);
/* Add every identity of the gallery file at `path` (key_path for an
 * encrypted one). All or nothing: ODAI_E_INVALID when a name already exists
 * or the model/dim differ. Call save to keep the result. */
ODAI_API odai_status odai_gallery_import_identity(odai_gallery *g, const char *path,
                                                  const char *key_path, odai_error *err);

/* Distributions and a threshold proposal for the false-accept rate
 * target_far in [0, 1]. Needs two identities. Does not change the gallery:
 * call set_threshold + save to keep the proposal. */
ODAI_API odai_status odai_gallery_calibrate(odai_gallery *g, double target_far,
                                            odai_gallery_calibration *out, odai_error *err);

/* Create a new random 32-byte key file at `path` with mode 0600. Refuses to
 * overwrite an existing file (ODAI_E_INVALID). ODAI_E_UNSUPPORTED when odai
 * was built without libsodium. */
ODAI_API odai_status odai_gallery_keygen(const char *path, odai_error *err);

#ifdef __cplusplus
}
#endif

#endif /* ODAI_GALLERY_H */
