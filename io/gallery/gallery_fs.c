/* io/gallery/gallery_fs.c: the gallery's file handling: atomic replace
 * (temp, fsync, rename, fsync of the directory) through a swappable ops
 * table, whole-file reads, the writer lock and key files. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gallery_internal.h"

#if defined(ODAI_HAVE_SODIUM)
#include <sodium.h>
#endif

static int real_open(const char *path, int flags, mode_t mode) { return open(path, flags, mode); }
static ssize_t real_write(int fd, const void *buf, size_t n) { return write(fd, buf, n); }
static int real_fsync(int fd) { return fsync(fd); }
static int real_close(int fd) { return close(fd); }
static int real_rename(const char *a, const char *b) { return rename(a, b); }
static int real_unlink(const char *p) { return unlink(p); }

static const odai_gallery_fs_ops g_real_ops = {real_open,  real_write,  real_fsync,
                                               real_close, real_rename, real_unlink};
static const odai_gallery_fs_ops *g_ops = &g_real_ops;

void odai_gallery_fs_set_ops(const odai_gallery_fs_ops *ops) { g_ops = ops ? ops : &g_real_ops; }
const odai_gallery_fs_ops *odai_gallery_fs_real_ops(void) { return &g_real_ops; }

static char *dir_of(const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash) return strdup(".");
  if (slash == path) return strdup("/");
  return strndup(path, (size_t)(slash - path));
}

odai_status odai_gallery_write_atomic(const char *path, const uint8_t *data, size_t n,
                                      odai_error *err) {
  const odai_gallery_fs_ops *ops = g_ops;
  odai_status st = ODAI_OK;
  int fd = -1, dfd = -1;
  bool tmp_made = false;
  size_t plen = strlen(path);
  char *tmp = malloc(plen + 5);
  char *dir = dir_of(path);
  if (!tmp || !dir) {
    st = odai_error_set(err, ODAI_E_NOMEM, "gallery save: out of memory");
    goto fail;
  }
  memcpy(tmp, path, plen);
  memcpy(tmp + plen, ".tmp", 5);
  /* A stale temp file (a crash during an earlier save) goes first; we hold the lock. */
  if (ops->unlink(tmp) != 0 && errno != ENOENT) {
    st = odai_error_set(err, ODAI_E_IO, "gallery save: cannot remove stale %s: %s", tmp,
                        strerror(errno));
    goto fail;
  }
  fd = ops->open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    st = odai_error_set(err, ODAI_E_IO, "gallery save: cannot create %s: %s", tmp,
                        strerror(errno));
    goto fail;
  }
  tmp_made = true;
  for (size_t off = 0; off < n;) {
    ssize_t w = ops->write(fd, data + off, n - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      st = odai_error_set(err, ODAI_E_IO, "gallery save: writing %s: %s", tmp,
                          w < 0 ? strerror(errno) : "no progress");
      goto fail;
    }
    off += (size_t)w;
  }
  if (ops->fsync(fd) != 0) {
    st = odai_error_set(err, ODAI_E_IO, "gallery save: fsync %s: %s", tmp, strerror(errno));
    goto fail;
  }
  int rc = ops->close(fd);
  fd = -1; /* closed even when close reports an error (Linux) */
  if (rc != 0) {
    st = odai_error_set(err, ODAI_E_IO, "gallery save: close %s: %s", tmp, strerror(errno));
    goto fail;
  }
  if (ops->rename(tmp, path) != 0) {
    st = odai_error_set(err, ODAI_E_IO, "gallery save: rename %s -> %s: %s", tmp, path,
                        strerror(errno));
    goto fail;
  }
  tmp_made = false;
  /* The rename is durable only once the directory entry is on disk. */
  dfd = ops->open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (dfd < 0) {
    st = odai_error_set(err, ODAI_E_IO, "gallery save: open directory %s: %s", dir,
                        strerror(errno));
    goto fail;
  }
  if (ops->fsync(dfd) != 0) {
    st = odai_error_set(err, ODAI_E_IO, "gallery save: fsync directory %s: %s", dir,
                        strerror(errno));
    goto fail;
  }
  rc = ops->close(dfd);
  dfd = -1;
  if (rc != 0)
    st = odai_error_set(err, ODAI_E_IO, "gallery save: close directory %s: %s", dir,
                        strerror(errno));
fail:
  if (fd >= 0) ops->close(fd);
  if (dfd >= 0) ops->close(dfd);
  if (tmp_made) ops->unlink(tmp);
  free(tmp);
  free(dir);
  return st;
}

bool odai_gallery_stat_changed(const struct stat *a, const struct stat *b) {
  return a->st_dev != b->st_dev || a->st_ino != b->st_ino || a->st_size != b->st_size ||
         a->st_mtim.tv_sec != b->st_mtim.tv_sec || a->st_mtim.tv_nsec != b->st_mtim.tv_nsec;
}

odai_status odai_gallery_read_file(const char *path, uint8_t **data, size_t *n, struct stat *sbo,
                                   odai_error *err) {
  *data = NULL;
  *n = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return odai_error_set(err, errno == ENOENT ? ODAI_E_NOT_FOUND : ODAI_E_IO, "%s: %s", path,
                          strerror(errno));
  odai_status st = ODAI_OK;
  uint8_t *buf = NULL;
  struct stat sb;
  if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    st = odai_error_set(err, ODAI_E_IO, "%s: not a regular file", path);
    goto fail;
  }
  if ((uint64_t)sb.st_size > ODAI_GALLERY_MAX_FILE) {
    st = odai_error_set(err, ODAI_E_CORRUPT, "%s: %lld bytes is too large for a gallery", path,
                        (long long)sb.st_size);
    goto fail;
  }
  size_t size = (size_t)sb.st_size;
  buf = malloc(size ? size : 1);
  if (!buf) {
    st = odai_error_set(err, ODAI_E_NOMEM, "%s: out of memory", path);
    goto fail;
  }
  size_t got = 0;
  while (got < size) {
    ssize_t r = read(fd, buf + got, size - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      st = odai_error_set(err, ODAI_E_IO, "%s: read: %s", path, strerror(errno));
      goto fail;
    }
    if (r == 0) break;
    got += (size_t)r;
  }
  close(fd);
  if (sbo) *sbo = sb;
  *data = buf;
  *n = got;
  return ODAI_OK;
fail:
  free(buf);
  close(fd);
  return st;
}

odai_status odai_gallery_lock(const char *path, int timeout_ms, int *fd_out, odai_error *err) {
  *fd_out = -1;
  size_t plen = strlen(path);
  char *lp = malloc(plen + 6);
  if (!lp) return odai_error_set(err, ODAI_E_NOMEM, "gallery lock: out of memory");
  memcpy(lp, path, plen);
  memcpy(lp + plen, ".lock", 6);
  int fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    odai_status st = odai_error_set(err, ODAI_E_IO, "gallery lock %s: %s", lp, strerror(errno));
    free(lp);
    return st;
  }
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) break;
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK) {
      odai_status st = odai_error_set(err, ODAI_E_IO, "gallery lock %s: %s", lp, strerror(errno));
      close(fd);
      free(lp);
      return st;
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long waited = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
    if (timeout_ms >= 0 && waited >= timeout_ms) {
      odai_status st = odai_error_set(err, ODAI_E_AGAIN,
                                      "gallery %s is busy: another writer holds %s (waited %ld ms)",
                                      path, lp, waited);
      close(fd);
      free(lp);
      return st;
    }
    struct timespec nap = {0, 10 * 1000 * 1000};
    nanosleep(&nap, NULL);
  }
  free(lp);
  *fd_out = fd;
  return ODAI_OK;
}

void odai_gallery_unlock(int fd) {
  if (fd >= 0) close(fd); /* closing the description drops the flock */
}

odai_status odai_gallery_read_key(const char *key_path, uint8_t key[ODAI_GALLERY_KEY_SIZE],
                                  odai_error *err) {
  int fd = open(key_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return odai_error_set(err, errno == ENOENT ? ODAI_E_NOT_FOUND : ODAI_E_IO, "key file %s: %s",
                          key_path, strerror(errno));
  struct stat sb;
  odai_status st = ODAI_OK;
  if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    st = odai_error_set(err, ODAI_E_INVALID, "key file %s: not a regular file", key_path);
    goto done;
  }
  if (sb.st_mode & 077) {
    st = odai_error_set(err, ODAI_E_INVALID,
                        "key file %s: mode %04o lets others read it; chmod 600 it", key_path,
                        (unsigned)(sb.st_mode & 07777));
    goto done;
  }
  if (sb.st_size != ODAI_GALLERY_KEY_SIZE) {
    st = odai_error_set(err, ODAI_E_INVALID, "key file %s: %lld bytes, expected %d", key_path,
                        (long long)sb.st_size, ODAI_GALLERY_KEY_SIZE);
    goto done;
  }
  size_t got = 0;
  while (got < ODAI_GALLERY_KEY_SIZE) {
    ssize_t r = read(fd, key + got, ODAI_GALLERY_KEY_SIZE - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      st = odai_error_set(err, ODAI_E_IO, "key file %s: short read", key_path);
      goto done;
    }
    got += (size_t)r;
  }
done:
  close(fd);
  return st;
}

ODAI_API odai_status odai_gallery_keygen(const char *path, odai_error *err) {
  if (!path) return odai_error_set(err, ODAI_E_INVALID, "keygen: NULL path");
#if defined(ODAI_HAVE_SODIUM)
  odai_status st = odai_gallery_crypto_init(err);
  if (st != ODAI_OK) return st;
  uint8_t key[ODAI_GALLERY_KEY_SIZE];
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return odai_error_set(err, errno == EEXIST ? ODAI_E_INVALID : ODAI_E_IO,
                          "keygen %s: %s%s", path, strerror(errno),
                          errno == EEXIST ? " (refusing to overwrite a key)" : "");
  randombytes_buf(key, sizeof key);
  size_t off = 0;
  while (off < sizeof key) {
    ssize_t w = write(fd, key + off, sizeof key - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      st = odai_error_set(err, ODAI_E_IO, "keygen %s: write: %s", path, strerror(errno));
      break;
    }
    off += (size_t)w;
  }
  if (st == ODAI_OK && fsync(fd) != 0)
    st = odai_error_set(err, ODAI_E_IO, "keygen %s: fsync: %s", path, strerror(errno));
  sodium_memzero(key, sizeof key);
  if (close(fd) != 0 && st == ODAI_OK)
    st = odai_error_set(err, ODAI_E_IO, "keygen %s: close: %s", path, strerror(errno));
  if (st != ODAI_OK) unlink(path);
  return st;
#else
  return odai_error_set(err, ODAI_E_UNSUPPORTED, "keygen %s: odai was built without libsodium",
                        path);
#endif
}
