/* calculators/doorbell/doorbell_util.h: small helpers shared by the doorbell
 * calculators (internal): a growable string for JSON event lines, private
 * files and folders (0600 in 0700), face pixelation for --blur-unknown, and
 * a cheap sharpness measure for choosing the best face view.
 * Thread-safety: pure functions / caller-owned objects. */
#ifndef ODAI_CALCULATORS_DOORBELL_UTIL_H
#define ODAI_CALCULATORS_DOORBELL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "odai/common.h"
#include "odai/detection.h"
#include "odai/image.h"

typedef struct db_str {
  char *s;
  size_t len, cap;
} db_str;

/* Append printf-style text; false on out of memory (the string is kept). */
bool db_str_printf(db_str *b, const char *fmt, ...) ODAI_PRINTF(2, 3);
/* Append `v` as a JSON string literal (quotes and escapes). */
bool db_str_json(db_str *b, const char *v);
void db_str_clear(db_str *b);
void db_str_free(db_str *b);

/* mkdir -p `dir` with mode 0700 for folders it creates, then chmod 0700. */
odai_status db_private_dir(const char *dir, odai_error *err);

/* Write img as JPEG at path (atomic; then chmod 0600). */
odai_status db_write_private_jpeg(const odai_image *img, const char *path, int quality,
                                  odai_error *err);

/* Pixelate (mosaic of `cell` px squares) the pixel rectangle [x0,x1)x[y0,y1)
 * of a writable packed 8-bit image (RGB8/BGR8/RGBA8/BGRA8/GRAY8), clipped. */
void db_pixelate(odai_image *img, int x0, int y0, int x1, int y1, int cell);

/* Pixelate the (slightly enlarged) box of every detection in `faces` that has
 * no identity (not in the gallery). */
void db_blur_unknown_faces(odai_image *img, const odai_detections *faces);

/* Variance of the 4-neighbour Laplacian of the face box's grey levels on a
 * grid of at most 48x48 samples (higher = sharper). 0 for other formats. */
float db_face_sharpness(const odai_image *img, const odai_detection *face);

/* 1 when the nose tip is midway between the eyes, 0 at an eye or beyond
 * (MediaPipe keypoints 0, 1, 2); 0.5 when the detection has no keypoints. */
float db_face_frontalness(const odai_detection *face);

/* A local-time stamp for file names: "20261125-091530" (+ ms suffix). */
void db_time_stamp(char *out, size_t n);

#endif
