/* io/codec_internal.h: the JPEG (jpeg.c) and PNG (png.c) codec entry points
 * behind the public odai/image_io.h functions (image_io.c). Not public. */
#ifndef ODAI_IO_CODEC_INTERNAL_H
#define ODAI_IO_CODEC_INTERNAL_H

#include "odai/image_io.h"

odai_status odai_jpeg_probe(const uint8_t *data, size_t size, int *w, int *h, odai_error *err);
/* Decodes into opts->format when the decoder can produce it (RGB8, BGR8,
 * RGBA8, BGRA8, GRAY8), else RGB8; the caller converts. */
odai_status odai_jpeg_decode(const uint8_t *data, size_t size, const odai_decode_options *opts,
                             odai_image **out, odai_error *err);
odai_status odai_jpeg_encode(const odai_image *img, int quality, bool fast_dct, uint8_t **data, size_t *size,
                             odai_error *err);

odai_status odai_png_probe(const uint8_t *data, size_t size, int *w, int *h, odai_error *err);
/* Decodes into RGB8, RGBA8 or GRAY8 (GRAY8 for grey sources only); the
 * caller converts. */
odai_status odai_png_decode(const uint8_t *data, size_t size, const odai_decode_options *opts, odai_image **out,
                            odai_error *err);
odai_status odai_png_encode(const odai_image *img, int level, uint8_t **data, size_t *size, odai_error *err);

#endif /* ODAI_IO_CODEC_INTERNAL_H */
