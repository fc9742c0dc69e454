/* io/image_io.c: the public codec entry points of odai/image_io.h: codec
 * sniffing, decode/encode dispatch to jpeg.c and png.c, reading files and
 * writing them atomically (temp file, fsync, rename, fsync the folder). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codec_internal.h"
#include "image_internal.h"

/* Largest encoded file read_file accepts (a 16384^2 JPEG at q100 is far
 * smaller). */
#define MAX_FILE_BYTES ((size_t)512 << 20)

odai_image_codec odai_image_sniff(const void *data, size_t size) {
  static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  const uint8_t *p = data;
  if (!p) return ODAI_CODEC_UNKNOWN;
  if (size >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF) return ODAI_CODEC_JPEG;
  if (size >= 8 && memcmp(p, png_sig, 8) == 0) return ODAI_CODEC_PNG;
  return ODAI_CODEC_UNKNOWN;
}

odai_status odai_image_probe(const void *data, size_t size, odai_image_codec *codec, int *width, int *height,
                             odai_error *err) {
  int w = 0, h = 0;
  odai_image_codec c = odai_image_sniff(data, size);
  odai_status st;
  switch (c) {
  case ODAI_CODEC_JPEG: st = odai_jpeg_probe(data, size, &w, &h, err); break;
  case ODAI_CODEC_PNG: st = odai_png_probe(data, size, &w, &h, err); break;
  default: return odai_error_set(err, ODAI_E_UNSUPPORTED, "image: neither JPEG nor PNG (%zu bytes)", size);
  }
  if (st != ODAI_OK) return st;
  if (codec) *codec = c;
  if (width) *width = w;
  if (height) *height = h;
  return ODAI_OK;
}

odai_status odai_image_decode(const void *data, size_t size, const odai_decode_options *opts, odai_image **out,
                              odai_error *err) {
  if (!out) return odai_error_set(err, ODAI_E_INVALID, "decode: out is NULL");
  *out = NULL;
  if (!data && size) return odai_error_set(err, ODAI_E_INVALID, "decode: NULL data");
  odai_decode_options def = {0};
  if (!opts) opts = &def;
  odai_pixel_format want = opts->format == ODAI_PIXEL_UNKNOWN ? ODAI_PIXEL_RGB8 : opts->format;
  if (want < 0 || want >= ODAI_PIXEL_COUNT)
    return odai_error_set(err, ODAI_E_INVALID, "decode: bad pixel format %d", (int)want);
  odai_image *img = NULL;
  odai_status st;
  switch (odai_image_sniff(data, size)) {
  case ODAI_CODEC_JPEG: st = odai_jpeg_decode(data, size, opts, &img, err); break;
  case ODAI_CODEC_PNG: st = odai_png_decode(data, size, opts, &img, err); break;
  default:
    return odai_error_set(err, size < 8 ? ODAI_E_CORRUPT : ODAI_E_UNSUPPORTED,
                          "decode: not a JPEG or PNG stream (%zu bytes)", size);
  }
  if (st != ODAI_OK) return st;
  if (img->format != want) {
    odai_image *c = NULL;
    st = odai_image_convert(img, want, &c, err);
    odai_image_unref(img);
    if (st != ODAI_OK) return st;
    img = c;
  }
  *out = img;
  return ODAI_OK;
}

odai_status odai_image_encode(const odai_image *img, const odai_encode_options *opts, uint8_t **data, size_t *size,
                              odai_error *err) {
  if (!data || !size) return odai_error_set(err, ODAI_E_INVALID, "encode: NULL output");
  *data = NULL;
  *size = 0;
  if (!img || !opts) return odai_error_set(err, ODAI_E_INVALID, "encode: NULL image or options");
  switch (opts->codec) {
  case ODAI_CODEC_JPEG: return odai_jpeg_encode(img, opts->quality, opts->fast_dct, data, size, err);
  case ODAI_CODEC_PNG: return odai_png_encode(img, opts->png_compression, data, size, err);
  default: return odai_error_set(err, ODAI_E_INVALID, "encode: no codec given");
  }
}

void odai_image_buffer_free(void *data) { free(data); }

odai_image_codec odai_image_codec_from_path(const char *path) {
  const char *dot = path ? strrchr(path, '.') : NULL;
  if (!dot || strchr(dot, '/')) return ODAI_CODEC_UNKNOWN;
  if (strcasecmp(dot, ".jpg") == 0 || strcasecmp(dot, ".jpeg") == 0 || strcasecmp(dot, ".jpe") == 0)
    return ODAI_CODEC_JPEG;
  if (strcasecmp(dot, ".png") == 0) return ODAI_CODEC_PNG;
  return ODAI_CODEC_UNKNOWN;
}

static odai_status read_all(const char *path, uint8_t **data, size_t *size, odai_error *err) {
  *data = NULL;
  *size = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return odai_error_set(err, errno == ENOENT ? ODAI_E_NOT_FOUND : ODAI_E_IO, "%s: %s", path, strerror(errno));
  odai_status st = ODAI_OK;
  uint8_t *buf = NULL;
  struct stat sb;
  if (fstat(fd, &sb) != 0) {
    st = odai_error_set(err, ODAI_E_IO, "%s: %s", path, strerror(errno));
    goto done;
  }
  if (!S_ISREG(sb.st_mode)) {
    st = odai_error_set(err, ODAI_E_INVALID, "%s: not a regular file", path);
    goto done;
  }
  if ((uint64_t)sb.st_size > MAX_FILE_BYTES) {
    st = odai_error_set(err, ODAI_E_UNSUPPORTED, "%s: %lld bytes is beyond the %zu byte limit", path,
                        (long long)sb.st_size, MAX_FILE_BYTES);
    goto done;
  }
  size_t cap = (size_t)sb.st_size, len = 0;
  buf = malloc(cap ? cap : 1);
  if (!buf) {
    st = odai_error_set(err, ODAI_E_NOMEM, "%s: cannot allocate %zu bytes", path, cap);
    goto done;
  }
  while (len < cap) {
    ssize_t n = read(fd, buf + len, cap - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      st = odai_error_set(err, ODAI_E_IO, "%s: read: %s", path, strerror(errno));
      goto done;
    }
    if (n == 0) break; /* shrank while reading: decode what we have */
    len += (size_t)n;
  }
  *data = buf;
  *size = len;
  buf = NULL;
done:
  free(buf);
  close(fd);
  return st;
}

odai_status odai_image_read_file_opts(const char *path, const odai_decode_options *opts, odai_image **out,
                                      odai_error *err) {
  if (!out) return odai_error_set(err, ODAI_E_INVALID, "read_file: out is NULL");
  *out = NULL;
  if (!path) return odai_error_set(err, ODAI_E_INVALID, "read_file: path is NULL");
  uint8_t *data;
  size_t size;
  odai_status st = read_all(path, &data, &size, err);
  if (st != ODAI_OK) return st;
  st = odai_image_decode(data, size, opts, out, err);
  free(data);
  if (st != ODAI_OK) odai_error_prefix(err, "%s: ", path);
  return st;
}

odai_status odai_image_read_file(const char *path, odai_pixel_format want_format, odai_image **out,
                                 odai_error *err) {
  odai_decode_options o = {.format = want_format};
  return odai_image_read_file_opts(path, &o, out, err);
}

static odai_status io_error(odai_error *err, const char *path, const char *what, int e) {
  const char *hint = e == ENOSPC ? " (disk full)" : e == EDQUOT ? " (quota exceeded)" : e == EIO ? " (I/O error)" : "";
  return odai_error_set(err, e == ENOENT ? ODAI_E_NOT_FOUND : ODAI_E_IO, "%s: %s: %s%s", path, what, strerror(e), hint);
}

odai_status odai_image_write_file(const odai_image *img, const char *path, int quality, odai_error *err) {
  if (!img || !path) return odai_error_set(err, ODAI_E_INVALID, "write_file: NULL image or path");
  odai_encode_options eo = {.codec = odai_image_codec_from_path(path), .quality = quality};
  if (eo.codec == ODAI_CODEC_UNKNOWN)
    return odai_error_set(err, ODAI_E_UNSUPPORTED, "%s: unknown image extension (use .jpg, .jpeg or .png)", path);
  uint8_t *data = NULL;
  size_t size = 0;
  odai_status st = odai_image_encode(img, &eo, &data, &size, err);
  if (st != ODAI_OK) return st;
  size_t plen = strlen(path);
  char *tmp = malloc(plen + 16);
  int fd = -1;
  if (!tmp) {
    st = odai_error_set(err, ODAI_E_NOMEM, "write_file: out of memory");
    goto done;
  }
  /* Same directory, so rename() is atomic. */
  snprintf(tmp, plen + 16, "%s.tmp.XXXXXX", path);
  fd = mkostemp(tmp, O_CLOEXEC);
  if (fd < 0) {
    st = io_error(err, path, "create temporary file", errno);
    free(tmp);
    tmp = NULL;
    goto done;
  }
  (void)fchmod(fd, 0644);
  size_t off = 0;
  while (off < size) {
    ssize_t n = write(fd, data + off, size - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      st = io_error(err, path, "write", errno);
      goto done;
    }
    off += (size_t)n;
  }
  if (fsync(fd) != 0) {
    st = io_error(err, path, "fsync", errno);
    goto done;
  }
  int cfd = fd;
  fd = -1;
  if (close(cfd) != 0) {
    st = io_error(err, path, "close", errno);
    goto done;
  }
  if (rename(tmp, path) != 0) {
    st = io_error(err, path, "rename", errno);
    goto done;
  }
  free(tmp);
  tmp = NULL;
  /* Make the rename itself durable (best effort: some filesystems refuse
   * fsync on directories). */
  {
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash) {
      snprintf(dir, sizeof dir, ".");
    } else if (slash == path) {
      snprintf(dir, sizeof dir, "/");
    } else {
      size_t dl = (size_t)(slash - path);
      if (dl >= sizeof dir) dl = sizeof dir - 1;
      memcpy(dir, path, dl);
      dir[dl] = '\0';
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      (void)fsync(dfd);
      close(dfd);
    }
  }
done:
  if (fd >= 0) close(fd);
  if (tmp) {
    unlink(tmp);
    free(tmp);
  }
  free(data);
  return st;
}
