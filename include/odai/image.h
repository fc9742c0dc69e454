/* odai/image.h: the odai_image type (pixel formats, planes, refcounted pooled
 * buffers, zero-copy wrapping of foreign buffers) and the pixel work on it:
 * format conversion, resize, crop, rotate, flip, letterbox.
 *
 * Codecs (JPEG, PNG, files) are in odai/image_io.h.
 *
 * Ownership
 *   An odai_image is reference counted (atomic). Every function that gives
 *   out an image (`odai_image **out`) transfers a full reference: the caller
 *   owns one reference and drops it with odai_image_unref(). Functions that
 *   take `const odai_image *` borrow it (transfer none).
 *   Images are immutable once shared: write pixels only while
 *   odai_image_is_writable() is true (exactly one reference, not a view of a
 *   shared buffer, not a read-only wrapped buffer).
 *
 * Memory
 *   odai_image_new() takes its buffer from a process-wide default pool;
 *   odai_image_pool_acquire() from an explicit pool. When the last reference
 *   drops, the buffer goes back to its pool (not to malloc), so a steady
 *   stream of same-sized frames allocates nothing after warm-up. Rows start
 *   at 64-byte aligned addresses and strides are multiples of 64.
 *   odai_image_wrap() borrows a foreign buffer (V4L2 mmap buffer, GStreamer
 *   sample, caller memory) without a copy; its release callback runs exactly
 *   once, when the last reference drops, on whichever thread drops it.
 *
 * Thread-safety
 *   ref/unref and all read accessors are thread-safe. Pools are thread-safe
 *   (a mutex guards each pool's free list). Pixel work functions are
 *   reentrant: different threads may convert/resize concurrently, reading
 *   the same source image.
 *
 * Colour
 *   YUV formats use BT.601 limited range ("studio swing", Y 16..235,
 *   UV 16..240) in both directions, as libyuv's default I420/NV12/YUY2
 *   functions do (and as V4L2 webcams deliver). GRAY8 is full-range luma
 *   (0.299 R + 0.587 G + 0.114 B, libyuv's "J400"). F32 holds a float per
 *   pixel in [0, 1] (masks, u8 / 255); F32C3 holds R,G,B floats in [0, 1].
 */
#ifndef ODAI_IMAGE_H
#define ODAI_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "odai/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Pixel formats. Byte order is the order in memory (RGB8 = R,G,B,R,G,B...).
 * libyuv naming for comparison: RGB8 = "RAW", BGR8 = "RGB24",
 * BGRA8 = "ARGB", RGBA8 = "ABGR", YUYV = "YUY2". */
typedef enum odai_pixel_format {
  ODAI_PIXEL_UNKNOWN = 0,
  ODAI_PIXEL_RGB8,  /* packed R,G,B; 3 bytes/pixel */
  ODAI_PIXEL_RGBA8, /* packed R,G,B,A; 4 bytes/pixel */
  ODAI_PIXEL_BGR8,  /* packed B,G,R; 3 bytes/pixel (OpenCV's default) */
  ODAI_PIXEL_BGRA8, /* packed B,G,R,A; 4 bytes/pixel */
  ODAI_PIXEL_GRAY8, /* 1 byte/pixel, full-range luma */
  ODAI_PIXEL_YUYV,  /* packed 4:2:2 Y0,U,Y1,V; 2 bytes/pixel (V4L2 YUYV) */
  ODAI_PIXEL_NV12,  /* 4:2:0: Y plane, then interleaved U,V plane */
  ODAI_PIXEL_I420,  /* 4:2:0: Y, U, V planes */
  ODAI_PIXEL_F32,   /* 1 float per pixel (masks), host byte order */
  ODAI_PIXEL_F32C3, /* 3 floats per pixel (R,G,B), host byte order */
  ODAI_PIXEL_COUNT
} odai_pixel_format;

#define ODAI_IMAGE_MAX_PLANES 3
/* Largest image odai will allocate or decode (each side, and total bytes).
 * Decoders refuse bigger declared sizes before allocating. */
#define ODAI_IMAGE_MAX_DIM 16384
#define ODAI_IMAGE_MAX_BYTES ((size_t)256 << 20)

/* "rgb8", "rgba8", "bgr8", "bgra8", "gray8", "yuyv", "nv12", "i420", "f32",
 * "f32c3"; "unknown" for anything else. Static string, transfer none. */
ODAI_API const char *odai_pixel_format_name(odai_pixel_format fmt);
/* Parse a name (case-insensitive). Also accepts the aliases "rgb", "rgba",
 * "bgr", "bgra", "gray", "grey", "yuy2", "yu12", "float". Returns
 * ODAI_PIXEL_UNKNOWN when not recognised. */
ODAI_API odai_pixel_format odai_pixel_format_from_name(const char *name);
/* Number of planes (1 for packed formats, 2 for NV12, 3 for I420); 0 for
 * an invalid format. */
ODAI_API int odai_pixel_format_planes(odai_pixel_format fmt);
/* Bytes per pixel of packed formats (RGB8 3, RGBA8 4, GRAY8 1, YUYV 2,
 * F32 4, F32C3 12); for NV12/I420 the bytes per pixel of the Y plane (1).
 * 0 for an invalid format. */
ODAI_API int odai_pixel_format_bpp(odai_pixel_format fmt);
/* Channels a pixel carries (RGB8 3, RGBA8 4, GRAY8 1, F32 1, F32C3 3,
 * YUV formats 3). */
ODAI_API int odai_pixel_format_channels(odai_pixel_format fmt);
/* Size in pixels of plane `plane` for an image of w x h (chroma planes of
 * 4:2:0 formats are ((w+1)/2, (h+1)/2); NV12's UV plane has 2 bytes per
 * chroma sample) and the minimum bytes of one of its rows. Returns
 * ODAI_E_INVALID for a bad format/plane/size. */
ODAI_API odai_status odai_pixel_format_plane_size(odai_pixel_format fmt, int w, int h, int plane,
                                                  int *plane_w, int *plane_h, size_t *row_bytes);
/* True for formats with chroma subsampling (YUYV, NV12, I420): crops and
 * views of these need even x (and even y for 4:2:0). */
ODAI_API bool odai_pixel_format_is_yuv(odai_pixel_format fmt);

typedef struct odai_image odai_image;
typedef struct odai_image_pool odai_image_pool;

/* A plain description of an image's planes, for code that walks pixels.
 * Valid while the caller holds a reference to the image. */
typedef struct odai_image_planes {
  int width, height;
  odai_pixel_format format;
  int num_planes;
  uint8_t *data[ODAI_IMAGE_MAX_PLANES]; /* NULL past num_planes */
  int stride[ODAI_IMAGE_MAX_PLANES];    /* bytes between rows */
} odai_image_planes;

/* ---- creation ---------------------------------------------------------- */

/* A new w x h image of `fmt` from the default pool (contents undefined).
 * 1 <= w, h <= ODAI_IMAGE_MAX_DIM. Transfer full. The default pool keeps at
 * most a bounded amount of free memory (see docs/image.md). */
ODAI_API odai_status odai_image_new(int w, int h, odai_pixel_format fmt, odai_image **out);
/* Same, zero-filled. */
ODAI_API odai_status odai_image_new_zeroed(int w, int h, odai_pixel_format fmt, odai_image **out);

/* Called once when the last reference to a wrapped image drops. */
typedef void (*odai_image_release_fn)(void *user);

/* Wrap foreign memory without copying. `planes`/`strides` give
 * odai_pixel_format_planes(fmt) entries; each stride must be at least the
 * plane's row bytes. `release` (may be NULL) is called with `user` exactly
 * once whatever happens: when the last reference drops, or before return
 * when wrap fails (bad arguments, no memory), so the caller's cleanup lives
 * in one place. The image is read-only (odai_image_is_writable() is false)
 * unless `writable` is true. Transfer full. */
ODAI_API odai_status odai_image_wrap(int w, int h, odai_pixel_format fmt,
                                     uint8_t *const planes[], const int strides[], bool writable,
                                     odai_image_release_fn release, void *user, odai_image **out);

/* ---- references -------------------------------------------------------- */

/* Take another reference; returns img (NULL-safe). The caller owns the new
 * reference (transfer full: odai_image_unref it). Thread-safe (atomic). */
ODAI_API odai_image *odai_image_ref(odai_image *img);
/* Drop a reference (NULL-safe). The last one returns the buffer to its pool
 * or calls the wrap release callback. */
ODAI_API void odai_image_unref(odai_image *img);
/* True when the caller holds the only reference and the pixels may be
 * written (not a view sharing a buffer, not a read-only wrap). */
ODAI_API bool odai_image_is_writable(const odai_image *img);
/* A deep copy into a new pooled image (writable). Transfer full. */
ODAI_API odai_status odai_image_copy(const odai_image *src, odai_image **out);
/* Copy pixels of src into dst (same size and format). */
ODAI_API odai_status odai_image_copy_into(const odai_image *src, odai_image *dst);

/* ---- accessors (transfer none) ----------------------------------------- */

ODAI_API int odai_image_width(const odai_image *img);
ODAI_API int odai_image_height(const odai_image *img);
ODAI_API odai_pixel_format odai_image_format(const odai_image *img);
/* Plane pointer / stride; NULL / 0 for a plane the format lacks. The
 * non-const pointer is for writable images only (see is_writable).
 * Transfer none: valid while the caller holds a reference to img. */
ODAI_API uint8_t *odai_image_data(odai_image *img, int plane);
ODAI_API const uint8_t *odai_image_cdata(const odai_image *img, int plane);
ODAI_API int odai_image_stride(const odai_image *img, int plane);
/* Fill *out with all of the above at once. */
ODAI_API void odai_image_get_planes(const odai_image *img, odai_image_planes *out);
/* Current reference count (for tests and debugging; racy by nature). */
ODAI_API int odai_image_refcount(const odai_image *img);

/* ---- pools ------------------------------------------------------------- */

/* A pool of image buffers. Buffers of any size may be acquired; freed ones
 * are kept (up to max_free_bytes in total, 0 = no limit) and reused for the
 * next acquire whose size fits (best fit, at most 2x the need). The pool
 * object lives until it is destroyed AND every image it gave out has been
 * released, so destroying it while frames are still in flight is safe.
 * Transfer full. */
ODAI_API odai_status odai_image_pool_create(size_t max_free_bytes, odai_image_pool **out);
/* A w x h image of fmt from the pool (contents undefined). Transfer full. */
ODAI_API odai_status odai_image_pool_acquire(odai_image_pool *pool, int w, int h,
                                             odai_pixel_format fmt, odai_image **out);
/* Drop the creator's reference; free buffers are released now, buffers in
 * use when they return. NULL-safe. */
ODAI_API void odai_image_pool_destroy(odai_image_pool *pool);
/* Statistics: buffers allocated from the system so far, buffers now free
 * in the pool, acquisitions served from the free list. Any may be NULL. */
ODAI_API void odai_image_pool_stats(odai_image_pool *pool, uint64_t *allocations, size_t *free_buffers,
                                    uint64_t *reuses);
/* The process-wide pool behind odai_image_new (never destroyed; transfer
 * none). Exposed for statistics and tests. */
ODAI_API odai_image_pool *odai_image_default_pool(void);

/* ---- pixel work -------------------------------------------------------- */
/* All functions accept any stride on src; `_into` variants write into a
 * caller-provided writable dst of the right size and format (no
 * allocation for conversions libyuv does directly; multi-step paths take
 * scratch rows from the default pool). */

/* Convert between any two formats (same size). When dst_format equals the
 * source format, returns a new reference to src (no copy). Transfer full. */
ODAI_API odai_status odai_image_convert(const odai_image *src, odai_pixel_format dst_format,
                                        odai_image **out, odai_error *err);
ODAI_API odai_status odai_image_convert_into(const odai_image *src, odai_image *dst, odai_error *err);

/* Resize filters (same conventions for every format; see docs/image.md). */
typedef enum odai_resize_filter {
  /* Bilinear; pixel centres aligned when shrinking (OpenCV INTER_LINEAR,
   * TF half_pixel_centers), corners aligned when enlarging (libyuv's). */
  ODAI_RESIZE_BILINEAR = 0,
  /* Box average when shrinking by 2x or more, else bilinear. */
  ODAI_RESIZE_AREA = 1,
  /* Point sampling at floor((x + 0.5) * src / dst), 16.16 fixed point. */
  ODAI_RESIZE_NEAREST = 2
} odai_resize_filter;

/* Resize to dst_w x dst_h, same format. Transfer full. */
ODAI_API odai_status odai_image_resize(const odai_image *src, int dst_w, int dst_h,
                                       odai_resize_filter filter, odai_image **out, odai_error *err);
/* Resize into dst (its size; src's format). */
ODAI_API odai_status odai_image_resize_into(const odai_image *src, odai_image *dst,
                                            odai_resize_filter filter, odai_error *err);

/* Crop the rectangle (x, y, w, h), which must lie inside src. When the
 * format allows (always for packed RGB/GRAY/F32; even x for YUYV; even x
 * and y for NV12/I420) the result is a zero-copy view sharing src's buffer
 * (it holds a reference on src; not writable). Otherwise a copy is made.
 * Transfer full. */
ODAI_API odai_status odai_image_crop(odai_image *src, int x, int y, int w, int h, odai_image **out,
                                     odai_error *err);
/* Always copy the cropped pixels into a new writable image. */
ODAI_API odai_status odai_image_crop_copy(const odai_image *src, int x, int y, int w, int h,
                                          odai_image **out, odai_error *err);

/* Rotate clockwise by 0, 90, 180 or 270 degrees. Transfer full. */
ODAI_API odai_status odai_image_rotate(const odai_image *src, int degrees, odai_image **out,
                                       odai_error *err);
ODAI_API odai_status odai_image_rotate_into(const odai_image *src, int degrees, odai_image *dst,
                                            odai_error *err);

typedef enum odai_flip {
  ODAI_FLIP_HORIZONTAL = 1, /* mirror left-right */
  ODAI_FLIP_VERTICAL = 2,   /* upside down */
  ODAI_FLIP_BOTH = 3
} odai_flip;
ODAI_API odai_status odai_image_flip(const odai_image *src, odai_flip flip, odai_image **out,
                                     odai_error *err);
ODAI_API odai_status odai_image_flip_into(const odai_image *src, odai_flip flip, odai_image *dst,
                                          odai_error *err);

/* Where the source went in a letterboxed image: content occupies
 * (pad_left, pad_top, content_w, content_h) of the target, scale is
 * content_w / src_w (== content_h / src_h up to rounding). To map a point
 * back: src_x = (x - pad_left) / scale_x. */
typedef struct odai_letterbox {
  int pad_left, pad_top, pad_right, pad_bottom;
  int content_w, content_h;
  float scale_x, scale_y;
} odai_letterbox;

/* Resize keeping the aspect ratio to fit inside dst_w x dst_h, centred,
 * the rest filled with `pad_rgba` (0xRRGGBBAA; for YUV formats converted
 * to BT.601 limited; for GRAY8 the luma; for F32 R/255). Same format as
 * src. `box` (may be NULL) receives the placement. Transfer full. */
ODAI_API odai_status odai_image_letterbox(const odai_image *src, int dst_w, int dst_h,
                                          uint32_t pad_rgba, odai_resize_filter filter,
                                          odai_image **out, odai_letterbox *box, odai_error *err);
/* Into a writable dst of any size and format: the content is resized in
 * src's format (8-bit SIMD paths) and only the content pixels are
 * converted, so e.g. RGB8 camera frames letterbox straight into an F32C3
 * model input. */
ODAI_API odai_status odai_image_letterbox_into(const odai_image *src, odai_image *dst,
                                               uint32_t pad_rgba, odai_resize_filter filter,
                                               odai_letterbox *box, odai_error *err);
/* Fill the whole image with a colour (0xRRGGBBAA as above). dst writable. */
ODAI_API odai_status odai_image_fill(odai_image *dst, uint32_t rgba, odai_error *err);

/* Write a binary PPM (P6; RGB8, converted when needed) or PGM (P5, GRAY8)
 * for debugging. Not atomic. */
ODAI_API odai_status odai_image_write_ppm(const odai_image *img, const char *path, odai_error *err);

#ifdef __cplusplus
}
#endif

#endif /* ODAI_IMAGE_H */
