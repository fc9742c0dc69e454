/* odai/image_io.h: JPEG (libjpeg-turbo's TurboJPEG API) and PNG (libspng)
 * decoding and encoding of odai_image, from/to memory and files.
 *
 * Untrusted input: every decoder checks the declared size against
 * ODAI_IMAGE_MAX_DIM / ODAI_IMAGE_MAX_BYTES before allocating, and a
 * truncated or corrupt stream gives ODAI_E_CORRUPT with a message, never a
 * crash (fuzzed: tests/io/fuzz_image_decode.c).
 *
 * Thread-safety: all functions are reentrant (each call uses its own codec
 * handle); different threads may decode/encode concurrently.
 */
#ifndef ODAI_IMAGE_IO_H
#define ODAI_IMAGE_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "odai/common.h"
#include "odai/image.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum odai_image_codec {
  ODAI_CODEC_UNKNOWN = 0,
  ODAI_CODEC_JPEG,
  ODAI_CODEC_PNG
} odai_image_codec;

typedef struct odai_decode_options {
  /* Output format: RGB8 (default when UNKNOWN), BGR8, RGBA8, BGRA8, GRAY8
   * come straight from the decoder; any other format is converted after. */
  odai_pixel_format format;
  /* When > 0, JPEG decodes at the smallest libjpeg-turbo scale (1/2, 1/4,
   * 1/8, ...) whose result still covers max_width x max_height, so a 4000
   * pixel photo wanted at 640x480 costs a fraction of a full decode. The
   * result may be larger than the maximum (never smaller than asked unless
   * the source is smaller); resize after if an exact size is needed. PNG
   * ignores it. */
  int max_width, max_height;
  /* JPEG: faster, slightly less accurate IDCT (TJFLAG_FASTDCT) and chroma
   * upsampling (TJFLAG_FASTUPSAMPLE). */
  bool fast;
  /* JPEG: accept a stream libjpeg-turbo only warns about (extraneous
   * bytes, premature end: the missing part is filled grey). Off by default:
   * a truncated file is ODAI_E_CORRUPT. Cameras that emit slightly broken
   * MJPEG frames want it on. */
  bool lenient;
} odai_decode_options;

typedef struct odai_encode_options {
  odai_image_codec codec; /* required for memory encoding */
  int quality;            /* JPEG 1..100; 0 = 90. PNG ignores it. */
  bool fast_dct;          /* JPEG encoder fast DCT */
  int png_compression;    /* PNG zlib level: 0 = default (6), 1..9, -1 = none (stored) */
} odai_encode_options;

/* Which codec the first bytes belong to (JPEG: FF D8 FF; PNG: the 8-byte
 * signature); ODAI_CODEC_UNKNOWN otherwise. */
ODAI_API odai_image_codec odai_image_sniff(const void *data, size_t size);

/* Size and codec of an encoded image without decoding it. */
ODAI_API odai_status odai_image_probe(const void *data, size_t size, odai_image_codec *codec,
                                      int *width, int *height, odai_error *err);

/* Decode JPEG or PNG from memory (codec chosen by magic bytes). opts may be
 * NULL (RGB8, full size). Transfer full. Errors: ODAI_E_CORRUPT (truncated,
 * corrupt), ODAI_E_UNSUPPORTED (neither JPEG nor PNG, or a too large image),
 * ODAI_E_NOMEM. */
ODAI_API odai_status odai_image_decode(const void *data, size_t size, const odai_decode_options *opts,
                                       odai_image **out, odai_error *err);

/* Encode into a malloc'ed buffer (*data, *size; the caller frees it with
 * odai_image_buffer_free). JPEG takes RGB8/BGR8/RGBA8/BGRA8/GRAY8 directly
 * (others are converted to RGB8); PNG takes RGB8/RGBA8/GRAY8 directly
 * (others converted to RGB8, or RGBA8 for BGRA8). */
ODAI_API odai_status odai_image_encode(const odai_image *img, const odai_encode_options *opts,
                                       uint8_t **data, size_t *size, odai_error *err);
ODAI_API void odai_image_buffer_free(void *data);

/* Read a JPEG or PNG file (codec by magic bytes, not by name) into
 * want_format (UNKNOWN = RGB8). Transfer full. ODAI_E_NOT_FOUND when the
 * file is missing, ODAI_E_IO on read errors. */
ODAI_API odai_status odai_image_read_file(const char *path, odai_pixel_format want_format,
                                          odai_image **out, odai_error *err);
/* The same with full decode options (opts may be NULL). */
ODAI_API odai_status odai_image_read_file_opts(const char *path, const odai_decode_options *opts,
                                               odai_image **out, odai_error *err);

/* Write img to path; the codec comes from the extension (.jpg/.jpeg: JPEG
 * at `quality` (0 = 90); .png: PNG). Written atomically: a temporary file
 * in the same directory, fsync, rename, fsync of the directory; on failure the target is
 * untouched and the temporary removed. ENOSPC/EDQUOT/EIO are reported as
 * ODAI_E_IO naming the cause ("no space left on device"). An unknown
 * extension gives ODAI_E_UNSUPPORTED. */
ODAI_API odai_status odai_image_write_file(const odai_image *img, const char *path, int quality,
                                           odai_error *err);

/* Codec for a path's extension (case-insensitive). */
ODAI_API odai_image_codec odai_image_codec_from_path(const char *path);

#ifdef __cplusplus
}
#endif

#endif /* ODAI_IMAGE_IO_H */
