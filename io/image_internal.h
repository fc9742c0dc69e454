/* io/image_internal.h: the odai_image struct and helpers shared by the io/
 * image files (image.c: type and pools; image_convert.c, image_transform.c:
 * pixel work; jpeg.c, png.c: codecs). Not a public header. */
#ifndef ODAI_IO_IMAGE_INTERNAL_H
#define ODAI_IO_IMAGE_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "odai/image.h"

enum odai_image_kind {
  ODAI_IMAGE_POOLED = 0, /* owns a pool buffer (buf, cap) */
  ODAI_IMAGE_WRAPPED,    /* borrows foreign memory; release(user) at the end */
  ODAI_IMAGE_VIEW        /* a window into parent's pixels; holds a parent ref */
};

struct odai_image {
  atomic_int refs;
  int width, height;
  odai_pixel_format format;
  int num_planes;
  uint8_t *data[ODAI_IMAGE_MAX_PLANES];
  int stride[ODAI_IMAGE_MAX_PLANES];
  enum odai_image_kind kind;
  bool writable; /* pixels may be written when refs == 1 */
  /* ODAI_IMAGE_POOLED */
  odai_image_pool *pool;
  uint8_t *buf;
  size_t cap;
  odai_image *next_free; /* free-list link, guarded by pool->mu */
  /* ODAI_IMAGE_WRAPPED */
  odai_image_release_fn release;
  void *user;
  /* ODAI_IMAGE_VIEW */
  odai_image *parent;
};

/* Layout of a freshly allocated image: 64-byte aligned strides and plane
 * offsets. Returns false on a bad format/size or when over the limits. */
bool odai_image_layout(odai_pixel_format fmt, int w, int h, int stride[ODAI_IMAGE_MAX_PLANES],
                       size_t offset[ODAI_IMAGE_MAX_PLANES], size_t *total);

/* Planes of an image as a plain struct (no reference taken). */
static inline void odai_planes_of(const odai_image *img, odai_image_planes *p) {
  odai_image_get_planes(img, p);
}

/* Rows [y0, y0 + rows) of p as a planes struct (y0 even for 4:2:0). */
void odai_planes_rows(const odai_image_planes *p, int y0, int rows, odai_image_planes *out);
/* The rectangle (x, y, w, h) of p (x even for YUYV/NV12/I420, y even for
 * NV12/I420). */
void odai_planes_rect(const odai_image_planes *p, int x, int y, int w, int h, odai_image_planes *out);

/* Pixel work on plane structs (used by the public functions and by
 * letterbox on sub-rectangles). */
odai_status odai_convert_planes(const odai_image_planes *src, const odai_image_planes *dst,
                                odai_error *err);
odai_status odai_resize_planes(const odai_image_planes *src, const odai_image_planes *dst,
                               odai_resize_filter filter, odai_error *err);
odai_status odai_fill_planes(const odai_image_planes *dst, uint32_t rgba);
void odai_copy_planes(const odai_image_planes *src, const odai_image_planes *dst);

/* BT.601 limited range, as libyuv's defaults (reference formulas in
 * docs/image.md). */
void odai_rgb_to_yuv601(int r, int g, int b, uint8_t *y, uint8_t *u, uint8_t *v);

#endif /* ODAI_IO_IMAGE_INTERNAL_H */
