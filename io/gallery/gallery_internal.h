/* io/gallery/gallery_internal.h: the gallery's in-memory layout, its file
 * format codec and its file operations (internal; tests reach them through
 * odai_static). */
#ifndef ODAI_IO_GALLERY_INTERNAL_H
#define ODAI_IO_GALLERY_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "odai/gallery.h"

#define ODAI_GALLERY_MAGIC "ODAIGALL"
#define ODAI_GALLERY_HEADER_SIZE 64
#define ODAI_GALLERY_TRAILER_SIZE 16
#define ODAI_GALLERY_NONCE_SIZE 24
#define ODAI_GALLERY_TAG_SIZE 16
#define ODAI_GALLERY_FLAG_ENCRYPTED 1u
#define ODAI_GALLERY_KIND_POSITIVE 1
#define ODAI_GALLERY_KIND_NEGATIVE 2
#define ODAI_GALLERY_MAX_FILE ((size_t)1 << 30)

struct odai_gallery {
  pthread_mutex_t mu; /* guards every field below */
  char *path;         /* NULL for a gallery parsed from memory */
  int lock_fd;        /* -1 when read-only */
  bool read_only, dirty;
  bool have_key; /* key holds the key: saves are encrypted */
  uint8_t key[ODAI_GALLERY_KEY_SIZE];
  size_t dim;
  uint8_t model_id[ODAI_MODEL_ID_SIZE];
  float threshold;
  /* identities, insertion order; name -> index via an open-addressing table */
  size_t nident, ident_cap;
  char **names;
  uint32_t *npos, *nneg;
  uint32_t *hash;     /* hash_cap slots of index+1, 0 = empty */
  size_t hash_cap;
  /* records: a contiguous nrec x dim matrix, plus each row's identity and kind */
  size_t nrec, rec_cap;
  float *mat;
  uint32_t *rec_ident;
  uint8_t *rec_kind;
  /* match scratch: sims (rec_cap), best positive/negative (ident_cap) */
  float *sims, *bpos, *bneg;
  /* identity of the file last read or written, for odai_gallery_refresh */
  bool have_stat;
  struct stat file_stat;
};

/* --- in-memory model (gallery.c) --- */
odai_gallery *odai_gallery_new_empty(size_t dim, const uint8_t model_id[ODAI_MODEL_ID_SIZE],
                                     float threshold);
void odai_gallery_free_contents(odai_gallery *g);
/* Append one record (vector already unit-length); creates the identity. */
odai_status odai_gallery_append(odai_gallery *g, const char *name, size_t name_len, int kind,
                                const float *vec, odai_error *err);
bool odai_gallery_name_ok(const char *name, size_t len);

/* --- format (gallery_format.c) --- */
uint32_t odai_gallery_crc32(uint32_t crc, const void *data, size_t n);
/* Parse a whole file image. key may be NULL (then an encrypted file is
 * refused with ODAI_E_INVALID). Transfer full (a read-only gallery). */
odai_status odai_gallery_parse(const uint8_t *data, size_t n, const uint8_t *key,
                               odai_gallery **out, odai_error *err);
/* Serialise records [all, or only identity `only` when only >= 0]; encrypted
 * when key != NULL. Transfer full: free(*data). */
odai_status odai_gallery_serialize(odai_gallery *g, long only, const uint8_t *key,
                                   uint8_t **data, size_t *n, odai_error *err);
/* libsodium once; ODAI_E_UNSUPPORTED when built without it. */
odai_status odai_gallery_crypto_init(odai_error *err);

/* --- files (gallery_fs.c) --- */
/* The file operations a save goes through; tests swap them to inject
 * failures at any step. Not thread-safe: set only while no save runs. */
typedef struct odai_gallery_fs_ops {
  int (*open)(const char *path, int flags, mode_t mode);
  ssize_t (*write)(int fd, const void *buf, size_t n);
  int (*fsync)(int fd);
  int (*close)(int fd);
  int (*rename)(const char *from, const char *to);
  int (*unlink)(const char *path);
} odai_gallery_fs_ops;
void odai_gallery_fs_set_ops(const odai_gallery_fs_ops *ops); /* NULL: the real ones */
const odai_gallery_fs_ops *odai_gallery_fs_real_ops(void);

/* Replace `path` by `data` atomically: "<path>.tmp" (0600, O_EXCL), write,
 * fsync, close, rename, fsync the directory. Callers hold "<path>.lock". */
odai_status odai_gallery_write_atomic(const char *path, const uint8_t *data, size_t n,
                                      odai_error *err);
/* Whole file into memory (at most ODAI_GALLERY_MAX_FILE); sb (may be NULL)
 * receives its fstat. Transfer full. */
odai_status odai_gallery_read_file(const char *path, uint8_t **data, size_t *n, struct stat *sb,
                                   odai_error *err);
/* true when the two stats name different file contents (inode, size, mtime). */
bool odai_gallery_stat_changed(const struct stat *a, const struct stat *b);
/* Exclusive flock on "<path>.lock"; *fd receives the lock's descriptor. */
odai_status odai_gallery_lock(const char *path, int timeout_ms, int *fd, odai_error *err);
void odai_gallery_unlock(int fd);
odai_status odai_gallery_read_key(const char *key_path, uint8_t key[ODAI_GALLERY_KEY_SIZE],
                                  odai_error *err);

#endif /* ODAI_IO_GALLERY_INTERNAL_H */
