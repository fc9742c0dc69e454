/* odai/detection.h: detection, rect, landmark, anchor and render-data
 * payload types, the value types that flow between the vision calculators.
 *
 * These are plain C values in MediaPipe's coordinate conventions:
 * - odai_detection: one scored, labelled, relative bounding box (x right,
 *   y down, [0,1] of the image width/height) with up to
 *   ODAI_DETECTION_MAX_KEYPOINTS relative keypoints, a tracking id and
 *   identity slots filled by face recognition. Everything is stored inline,
 *   so a detection is copied with `=` and a list is one allocation.
 * - odai_detections: a growable array of detections (MediaPipe's
 *   std::vector<Detection>).
 * - odai_rect (pixels) / odai_norm_rect (relative): centre, size, rotation
 *   in radians (clockwise on screen), as MediaPipe's Rect / NormalizedRect.
 * - odai_landmark / odai_landmarks: (normalised) landmark lists.
 * - odai_anchor / odai_anchors: SSD anchors (SsdAnchorsCalculator output).
 * - odai_render_data: drawing primitives (rectangles, lines, points, ovals,
 *   text) in relative or pixel coordinates, MediaPipe's RenderData subset.
 *
 * Ownership: the list types own their `items` arrays; the *_free functions
 * release what *_create / *_clone returned (transfer full), *_fini releases
 * the items of a caller-held list. Thread-safety: none of these objects is
 * locked; a list may be read by many threads once it is no longer written
 * (as packets are immutable once sent). */
#ifndef ODAI_DETECTION_H
#define ODAI_DETECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "odai/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ODAI_DETECTION_MAX_KEYPOINTS 16
#define ODAI_LABEL_MAX 48
#define ODAI_IDENTITY_MAX 64

typedef struct odai_point2f {
  float x, y;
} odai_point2f;

typedef struct odai_detection {
  float score;                  /* confidence of the best label */
  int32_t label_id;             /* class index, -1 when unknown */
  char label[ODAI_LABEL_MAX];   /* text label ("" when only label_id is set) */
  /* Relative bounding box: may reach outside [0,1] near image borders. */
  float xmin, ymin, width, height;
  int32_t num_keypoints;
  odai_point2f keypoints[ODAI_DETECTION_MAX_KEYPOINTS]; /* relative x, y */
  int64_t detection_id;             /* MediaPipe's detection_id; 0 = unset */
  int64_t track_id;                 /* stable id across frames, -1 = untracked */
  char identity[ODAI_IDENTITY_MAX]; /* recognised name, "" = unknown */
  float identity_similarity;        /* similarity of that match, 0 = none */
} odai_detection;

typedef struct odai_detections {
  odai_detection *items; /* owned */
  size_t count;
  size_t capacity;
} odai_detections;

/* Reset *d to an unscored detection: label_id -1, track_id -1, all else 0. */
ODAI_API void odai_detection_init(odai_detection *d);

/* Set d->label from text (truncated to ODAI_LABEL_MAX-1 bytes). */
ODAI_API void odai_detection_set_label(odai_detection *d, const char *label);

/* Caller-held list: init makes it empty (no allocation), fini frees items. */
ODAI_API void odai_detections_init(odai_detections *list);
ODAI_API void odai_detections_fini(odai_detections *list);

/* Heap list with room for `capacity` items (transfer full; free with
 * odai_detections_free). NULL when out of memory. */
ODAI_API odai_detections *odai_detections_create(size_t capacity);
ODAI_API void odai_detections_free(odai_detections *list);

/* Grow capacity to at least n (amortised doubling); never shrinks. */
ODAI_API odai_status odai_detections_reserve(odai_detections *list, size_t n, odai_error *err);

/* Append a copy of *d; returns ODAI_E_NOMEM when growing fails. */
ODAI_API odai_status odai_detections_push(odai_detections *list, const odai_detection *d,
                                          odai_error *err);

/* Remove all items (keeps the capacity). */
ODAI_API void odai_detections_clear(odai_detections *list);

/* Make dst an exact copy of src (dst's old items are replaced). */
ODAI_API odai_status odai_detections_copy(odai_detections *dst, const odai_detections *src,
                                          odai_error *err);

/* Deep copy into a new heap list (transfer full); NULL when out of memory. */
ODAI_API odai_detections *odai_detections_clone(const odai_detections *src);

/* ---- rects and landmarks ---------------------------------------------- */

/* A rotated rectangle in pixels (MediaPipe Rect). */
typedef struct odai_rect {
  int32_t x_center, y_center, width, height;
  float rotation; /* radians */
  int64_t rect_id;
} odai_rect;

/* A rotated rectangle relative to the image size (MediaPipe NormalizedRect). */
typedef struct odai_norm_rect {
  float x_center, y_center, width, height;
  float rotation; /* radians */
  int64_t rect_id;
} odai_norm_rect;

/* A growable list of normalised rects (std::vector<NormalizedRect>). */
typedef struct odai_norm_rects {
  odai_norm_rect *items; /* owned */
  size_t count, capacity;
} odai_norm_rects;

ODAI_API void odai_norm_rects_fini(odai_norm_rects *list);
ODAI_API odai_status odai_norm_rects_push(odai_norm_rects *list, const odai_norm_rect *r,
                                          odai_error *err);

typedef struct odai_landmark {
  float x, y, z;
  float visibility, presence; /* 0 when the model gives none */
} odai_landmark;

typedef struct odai_landmarks {
  odai_landmark *items; /* owned */
  size_t count, capacity;
  bool normalized; /* true: x, y relative to the image (NormalizedLandmarkList) */
} odai_landmarks;

ODAI_API void odai_landmarks_fini(odai_landmarks *list);
ODAI_API odai_status odai_landmarks_push(odai_landmarks *list, const odai_landmark *l,
                                         odai_error *err);

/* ---- SSD anchors -------------------------------------------------------- */

/* One anchor, relative to the model input (MediaPipe Anchor). */
typedef struct odai_anchor {
  float x_center, y_center, w, h;
} odai_anchor;

typedef struct odai_anchors {
  odai_anchor *items; /* owned */
  size_t count;
} odai_anchors;

ODAI_API void odai_anchors_fini(odai_anchors *anchors);

/* ---- render data -------------------------------------------------------- */

typedef struct odai_color {
  uint8_t r, g, b, a; /* a = 255 opaque; 0 means "opaque" too when unset */
} odai_color;

typedef enum odai_render_kind {
  ODAI_RENDER_RECTANGLE = 0,    /* outline: x0,y0 = left,top; x1,y1 = right,bottom */
  ODAI_RENDER_FILLED_RECTANGLE, /* same, filled */
  ODAI_RENDER_LINE,             /* x0,y0 -> x1,y1 */
  ODAI_RENDER_POINT,            /* x0,y0, drawn as a filled disc of radius thickness */
  ODAI_RENDER_OVAL,             /* ellipse inscribed in x0,y0,x1,y1, outline */
  ODAI_RENDER_FILLED_OVAL,      /* same, filled */
  ODAI_RENDER_TEXT              /* text at left = x0, baseline = y0 */
} odai_render_kind;

#define ODAI_RENDER_TEXT_MAX 96

typedef struct odai_render_annotation {
  odai_render_kind kind;
  odai_color color;
  float thickness;  /* pixels (line width; point radius) */
  bool normalized;  /* coordinates relative to the image */
  float x0, y0, x1, y1;
  /* text only */
  char text[ODAI_RENDER_TEXT_MAX];
  float font_height; /* relative when normalized, else pixels; 0 = default */
  bool center_horizontally;
  odai_color fill_color; /* text background box when fill_color.a != 0 */
  /* Text whose size is given in pixels although its position is
   * normalized (DetectionsToRenderData with `text { font_height }` set):
   * font_height is in pixels and the baseline moves down by line_offset
   * text lines (negative: up) from y0. */
  bool font_height_px;
  float line_offset;
} odai_render_annotation;

typedef struct odai_render_data {
  odai_render_annotation *items; /* owned */
  size_t count, capacity;
  char scene_class[32];
} odai_render_data;

ODAI_API void odai_render_data_init(odai_render_data *rd);
ODAI_API void odai_render_data_fini(odai_render_data *rd);
ODAI_API odai_render_data *odai_render_data_create(void); /* transfer full */
ODAI_API void odai_render_data_free(odai_render_data *rd);
/* Append a zeroed annotation and return it (transfer none), NULL on OOM. */
ODAI_API odai_render_annotation *odai_render_data_add(odai_render_data *rd);
ODAI_API odai_status odai_render_data_copy(odai_render_data *dst, const odai_render_data *src,
                                           odai_error *err);

#ifdef __cplusplus
}
#endif

#endif /* ODAI_DETECTION_H */
