/* io/png.c: PNG decode/encode of odai_image through libspng 0.7. Rows are
 * decoded and encoded progressively straight from/into the image's strided
 * planes (no intermediate full-frame buffer); size and chunk limits are set
 * before anything is allocated. */
#include <stdlib.h>
#include <string.h>

#include <spng.h>

#include "codec_internal.h"
#include "image_internal.h"

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

odai_status odai_png_probe(const uint8_t *data, size_t size, int *w, int *h, odai_error *err) {
  /* signature (8) + IHDR length (4) + "IHDR" (4) + width (4) + height (4) */
  if (size < 24 || memcmp(data + 12, "IHDR", 4) != 0)
    return odai_error_set(err, ODAI_E_CORRUPT, "png: truncated or missing IHDR");
  uint32_t pw = be32(data + 16), ph = be32(data + 20);
  if (pw == 0 || ph == 0 || pw > 0x7fffffffu || ph > 0x7fffffffu)
    return odai_error_set(err, ODAI_E_CORRUPT, "png: bad size %ux%u", pw, ph);
  *w = (int)pw;
  *h = (int)ph;
  return ODAI_OK;
}

odai_status odai_png_decode(const uint8_t *data, size_t size, const odai_decode_options *opts, odai_image **out,
                            odai_error *err) {
  odai_decode_options def = {0};
  if (!opts) opts = &def;
  *out = NULL;
  int pw = 0, ph = 0;
  odai_status st = odai_png_probe(data, size, &pw, &ph, err);
  if (st != ODAI_OK) return st;
  if (pw > ODAI_IMAGE_MAX_DIM || ph > ODAI_IMAGE_MAX_DIM)
    return odai_error_set(err, ODAI_E_UNSUPPORTED, "png: %dx%d is beyond the %dx%d limit", pw, ph,
                          ODAI_IMAGE_MAX_DIM, ODAI_IMAGE_MAX_DIM);
  spng_ctx *ctx = spng_ctx_new(0);
  odai_image *img = NULL;
  if (!ctx) return odai_error_set(err, ODAI_E_NOMEM, "png: cannot create a decoder");
  spng_set_image_limits(ctx, ODAI_IMAGE_MAX_DIM, ODAI_IMAGE_MAX_DIM);
  /* Ancillary chunks (text, ICC, ...) may not make us hold more than this. */
  spng_set_chunk_limits(ctx, (size_t)16 << 20, (size_t)64 << 20);
  int r = spng_set_png_buffer(ctx, data, size);
  struct spng_ihdr ihdr;
  if (r == 0) r = spng_get_ihdr(ctx, &ihdr);
  if (r != 0) {
    st = odai_error_set(err, ODAI_E_CORRUPT, "png: %s", spng_strerror(r));
    goto fail;
  }
  odai_pixel_format fmt = ODAI_PIXEL_RGB8;
  int sfmt = SPNG_FMT_RGB8, flags = SPNG_DECODE_PROGRESSIVE;
  bool want_alpha = opts->format == ODAI_PIXEL_RGBA8 || opts->format == ODAI_PIXEL_BGRA8;
  if (opts->format == ODAI_PIXEL_GRAY8 && ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE && ihdr.bit_depth <= 8) {
    fmt = ODAI_PIXEL_GRAY8;
    sfmt = SPNG_FMT_G8;
  } else if (want_alpha) {
    fmt = ODAI_PIXEL_RGBA8;
    sfmt = SPNG_FMT_RGBA8;
    flags |= SPNG_DECODE_TRNS;
  }
  size_t need;
  r = spng_decoded_image_size(ctx, sfmt, &need);
  if (r != 0) {
    st = odai_error_set(err, ODAI_E_CORRUPT, "png: %s", spng_strerror(r));
    goto fail;
  }
  st = odai_image_new((int)ihdr.width, (int)ihdr.height, fmt, &img);
  if (st != ODAI_OK) {
    st = odai_error_set(err, st, "png: cannot allocate %ux%u %s (limit %zu bytes)", ihdr.width, ihdr.height,
                        odai_pixel_format_name(fmt), ODAI_IMAGE_MAX_BYTES);
    goto fail;
  }
  r = spng_decode_image(ctx, NULL, 0, sfmt, flags);
  if (r != 0) {
    st = odai_error_set(err, ODAI_E_CORRUPT, "png: %s", spng_strerror(r));
    goto fail;
  }
  size_t row_len = need / ihdr.height;
  struct spng_row_info ri;
  do {
    r = spng_get_row_info(ctx, &ri);
    if (r != 0) break;
    if (ri.row_num >= ihdr.height) {
      r = SPNG_EINTERNAL;
      break;
    }
    r = spng_decode_row(ctx, img->data[0] + (size_t)ri.row_num * (size_t)img->stride[0], row_len);
  } while (r == 0);
  if (r != SPNG_EOI) {
    st = odai_error_set(err, ODAI_E_CORRUPT, "png: %s (at row %u)", spng_strerror(r), ri.row_num);
    goto fail;
  }
  /* Read on to IEND: a file cut after its pixel data is still truncated. */
  r = spng_decode_chunks(ctx);
  if (r != 0) {
    st = odai_error_set(err, ODAI_E_CORRUPT, "png: after the image data: %s", spng_strerror(r));
    goto fail;
  }
  spng_ctx_free(ctx);
  *out = img;
  return ODAI_OK;
fail:
  odai_image_unref(img);
  spng_ctx_free(ctx);
  return st;
}

odai_status odai_png_encode(const odai_image *img, int level, uint8_t **data, size_t *size, odai_error *err) {
  *data = NULL;
  *size = 0;
  odai_image *conv = NULL;
  odai_status st = ODAI_OK;
  uint8_t ct;
  switch (img->format) {
  case ODAI_PIXEL_RGB8: ct = SPNG_COLOR_TYPE_TRUECOLOR; break;
  case ODAI_PIXEL_RGBA8: ct = SPNG_COLOR_TYPE_TRUECOLOR_ALPHA; break;
  case ODAI_PIXEL_GRAY8: ct = SPNG_COLOR_TYPE_GRAYSCALE; break;
  default: {
    odai_pixel_format to = img->format == ODAI_PIXEL_BGRA8 ? ODAI_PIXEL_RGBA8
                           : img->format == ODAI_PIXEL_F32 ? ODAI_PIXEL_GRAY8
                                                           : ODAI_PIXEL_RGB8;
    st = odai_image_convert(img, to, &conv, err);
    if (st != ODAI_OK) return st;
    img = conv;
    ct = to == ODAI_PIXEL_RGBA8   ? SPNG_COLOR_TYPE_TRUECOLOR_ALPHA
         : to == ODAI_PIXEL_GRAY8 ? SPNG_COLOR_TYPE_GRAYSCALE
                                  : SPNG_COLOR_TYPE_TRUECOLOR;
  }
  }
  spng_ctx *ctx = spng_ctx_new(SPNG_CTX_ENCODER);
  if (!ctx) {
    odai_image_unref(conv);
    return odai_error_set(err, ODAI_E_NOMEM, "png: cannot create an encoder");
  }
  struct spng_ihdr ihdr = {.width = (uint32_t)img->width, .height = (uint32_t)img->height, .bit_depth = 8,
                           .color_type = ct};
  int r = spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1);
  if (r == 0) r = spng_set_ihdr(ctx, &ihdr);
  if (r == 0 && level != 0) r = spng_set_option(ctx, SPNG_IMG_COMPRESSION_LEVEL, level < 0 ? 0 : level > 9 ? 9 : level);
  if (r == 0) r = spng_encode_image(ctx, NULL, 0, SPNG_FMT_PNG, SPNG_ENCODE_PROGRESSIVE | SPNG_ENCODE_FINALIZE);
  size_t rb = (size_t)img->width * (size_t)odai_pixel_format_bpp(img->format);
  for (int y = 0; r == 0 && y < img->height; y++)
    r = spng_encode_row(ctx, img->data[0] + (size_t)y * img->stride[0], rb);
  if (r != 0 && r != SPNG_EOI) {
    st = odai_error_set(err, ODAI_E_INTERNAL, "png: encode failed: %s", spng_strerror(r));
    goto done;
  }
  int e = 0;
  size_t len = 0;
  void *buf = spng_get_png_buffer(ctx, &len, &e);
  if (!buf || e != 0) {
    free(buf);
    st = odai_error_set(err, ODAI_E_INTERNAL, "png: no output: %s", spng_strerror(e));
    goto done;
  }
  *data = buf;
  *size = len;
done:
  spng_ctx_free(ctx);
  odai_image_unref(conv);
  return st;
}
