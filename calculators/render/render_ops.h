/* Drawing on plain 8-bit RGB/RGBA/BGR/gray buffers, a built-in 5x8 bitmap
 * font, and the conversion of detections to render data: the algorithms
 * behind AnnotationOverlayCalculator and DetectionsToRenderDataCalculator.
 * Internal to libodai. Every primitive clips to the canvas, so coordinates
 * may lie anywhere (even far outside) without touching memory out of
 * bounds. No allocation. Thread-safety: functions are reentrant; a canvas
 * must not be drawn on from two threads at once. */
#ifndef ODAI_CALC_RENDER_OPS_H
#define ODAI_CALC_RENDER_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "odai/common.h"
#include "odai/detection.h"

/* A borrowed pixel buffer (transfer none). channels: 1 (gray), 3 or 4;
 * bgr swaps the R and B bytes of colours (BGR8/BGRA8 images). */
typedef struct odai_canvas {
  uint8_t *data;
  int width, height;
  ptrdiff_t stride; /* bytes per row */
  int channels;
  bool bgr;
} odai_canvas;

typedef struct odai_image odai_image;

/* Describe a writable 8-bit image (RGB8, BGR8, RGBA8, BGRA8, GRAY8) as a
 * canvas borrowing its pixels (transfer none: valid while the caller holds
 * its reference). ODAI_E_UNSUPPORTED for other formats (convert to RGB8
 * first), ODAI_E_INVALID when the image is not writable. */
odai_status odai_canvas_from_image(odai_image *img, odai_canvas *out, odai_error *err);

/* Bitmap font: glyphs are 5x8 (rows 0-6 above the baseline, row 7 the
 * descender), advance 6, line height 10, all times an integer scale. */
#define ODAI_FONT_GLYPH_W 5
#define ODAI_FONT_GLYPH_H 8
#define ODAI_FONT_ADVANCE 6
#define ODAI_FONT_LINE_H 10
#define ODAI_FONT_ASCENT 7

/* The 8 row bitmaps of printable ASCII c (bit 4 = leftmost pixel); other
 * bytes map to '?'. Transfer none. */
const uint8_t *odai_font_glyph(unsigned char c);

/* Integer scale whose line height best fits `pixel_height` (at least 1). */
int odai_font_scale_for_height(float pixel_height);

/* Longer text is cut (keeps every size computation far from overflow). */
#define ODAI_TEXT_MAX_CHARS 4096

/* Width in pixels of text at a scale (no trailing gap). */
int odai_text_width(const char *text, int scale);

/* Colour blending: color.a == 0 or 255 paints opaque, else alpha-blends. */
void odai_draw_fill_rect(const odai_canvas *c, int x0, int y0, int x1, int y1, odai_color color);

/* Outline of the rectangle [x0,x1]x[y0,y1] with lines `thickness` px wide
 * drawn inwards/outwards around the edges. */
void odai_draw_rect(const odai_canvas *c, float x0, float y0, float x1, float y1,
                    float thickness, odai_color color);

void odai_draw_line(const odai_canvas *c, float x0, float y0, float x1, float y1,
                    float thickness, odai_color color);

/* Filled disc (thickness <= 0 or filled) or ring of the given thickness. */
void odai_draw_circle(const odai_canvas *c, float cx, float cy, float radius, bool filled,
                      float thickness, odai_color color);

/* Ellipse inscribed in the rectangle, filled or outlined. */
void odai_draw_oval(const odai_canvas *c, float x0, float y0, float x1, float y1, bool filled,
                    float thickness, odai_color color);

/* Text with its left edge at x and baseline at y; returns the width drawn
 * (before clipping). A background box is painted when bg.a != 0. */
int odai_draw_text(const odai_canvas *c, int x, int y, const char *text, int scale,
                   odai_color color, odai_color bg);

/* Draw every annotation of rd (normalized ones scaled to the canvas). */
void odai_draw_render_data(const odai_canvas *c, const odai_render_data *rd);

/* DetectionsToRenderDataCalculatorOptions. */
typedef struct odai_detections_render_options {
  bool produce_empty_packet; /* default true */
  char text_delimiter[8];    /* default "," */
  bool one_label_per_line;   /* default false */
  float thickness;           /* default 1.0 */
  odai_color color;          /* box, keypoint and text colour */
  char scene_class[32];      /* default "DETECTION" */
  bool render_detection_id;  /* default false: adds "Id: <track or detection id>" */
  float text_font_height;    /* Text.font_height, used for pixel boxes (default 8) */
  bool text_font_height_set; /* `text { font_height }` given: labels use it, in pixels */
} odai_detections_render_options;

void odai_detections_render_options_init(odai_detections_render_options *o);

/* Append, per detection, its label/score text, its box and its keypoints
 * (MediaPipe's layout: labels inside the top of the box, text height 10%
 * of the box) to rd. A recognised identity is shown as its own line. */
odai_status odai_detections_to_render_data(const odai_detections_render_options *o,
                                           const odai_detections *dets, odai_render_data *rd,
                                           odai_error *err);

#endif /* ODAI_CALC_RENDER_OPS_H */
