/* libFuzzer target for the vision algorithms: the input bytes become raw
 * model outputs (boxes, scores, anchors) and drawing coordinates. Decoding,
 * NMS (both algorithms), letterbox removal, projection, tracking, render
 * data and drawing must never crash or write outside the canvas, whatever
 * the floats (NaN, inf, huge). Guard bytes around the canvas are checked. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "calculators/detection/detection_ops.h"
#include "calculators/render/render_ops.h"

#define NB 32
#define W 23
#define H 17
#define GUARD 32

static float take(const uint8_t **p, size_t *n) {
  float f = 0;
  if (*n >= 4) {
    memcpy(&f, *p, 4);
    *p += 4;
    *n -= 4;
  }
  return f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const uint8_t *p = data;
  size_t n = size;
  odai_ssd_decode_options d;
  odai_ssd_decode_options_init(&d);
  d.num_classes = 2;
  d.num_boxes = NB;
  d.num_coords = 8;
  d.num_keypoints = 2;
  d.keypoint_coord_offset = 4;
  d.x_scale = d.y_scale = d.w_scale = d.h_scale = 10.0f;
  d.sigmoid_score = size & 1;
  d.has_score_clipping_thresh = size & 2;
  d.score_clipping_thresh = 50;
  d.apply_exponential_on_box_size = size & 4;
  d.flip_vertically = size & 8;
  d.has_min_score_thresh = size & 16;
  d.min_score_thresh = 0.3f;
  d.box_format = (odai_box_format)(size % 4);
  d.has_box_format = true;
  float boxes[NB * 8], scores[NB * 2];
  odai_anchor anchors[NB];
  for (int i = 0; i < NB * 8; i++) boxes[i] = take(&p, &n);
  for (int i = 0; i < NB * 2; i++) scores[i] = take(&p, &n);
  for (int i = 0; i < NB; i++)
    anchors[i] = (odai_anchor){take(&p, &n), take(&p, &n), take(&p, &n), take(&p, &n)};
  odai_detections raw, out;
  odai_detections_init(&raw);
  odai_detections_init(&out);
  odai_decode_detections(&d, boxes, NB * 8, scores, NB * 2, anchors, NB, &raw, NULL);
  odai_nms_options no;
  odai_nms_options_init(&no);
  no.algorithm = (size & 32) ? ODAI_NMS_WEIGHTED : ODAI_NMS_DEFAULT;
  no.overlap_type = (odai_overlap_type)(1 + (size >> 6) % 4);
  no.min_suppression_threshold = take(&p, &n);
  odai_nms_scratch s = {0};
  odai_nms(&no, &raw, &out, &s, NULL);
  float pad[4] = {take(&p, &n), take(&p, &n), take(&p, &n), take(&p, &n)};
  odai_detections_remove_letterbox(&out, pad, NULL);
  float m[16];
  for (int i = 0; i < 16; i++) m[i] = take(&p, &n);
  odai_detections_project(&out, m);
  odai_tracker *t = odai_tracker_create(NULL, NULL);
  odai_tracker_update(t, &out, NULL);
  odai_tracker_update(t, &raw, NULL);
  odai_tracker_free(t);

  uint8_t mem[GUARD * 2 + (W * 4 + 3) * H];
  memset(mem, 0xAB, sizeof mem);
  const int channels = size % 3 == 0 ? 1 : (size % 3 == 1 ? 3 : 4);
  odai_canvas c = {mem + GUARD, W, H, W * 4 + 3, channels, (size & 64) != 0};
  odai_render_data rd;
  odai_render_data_init(&rd);
  odai_detections_render_options ro;
  odai_detections_render_options_init(&ro);
  ro.thickness = take(&p, &n);
  ro.render_detection_id = true;
  odai_detections_to_render_data(&ro, &out, &rd, NULL);
  odai_draw_render_data(&c, &rd);
  odai_color col = {1, 2, 3, (uint8_t)size};
  odai_draw_line(&c, take(&p, &n), take(&p, &n), take(&p, &n), take(&p, &n), take(&p, &n), col);
  odai_draw_oval(&c, take(&p, &n), take(&p, &n), take(&p, &n), take(&p, &n), size & 1,
                 take(&p, &n), col);
  odai_draw_rect(&c, take(&p, &n), take(&p, &n), take(&p, &n), take(&p, &n), take(&p, &n), col);
  char text[41];
  size_t tl = size < 40 ? size : 40;
  memcpy(text, data, tl);
  text[tl] = '\0';
  odai_draw_text(&c, (int)(size % 64) - 32, (int)(size % 29) - 5, text, (int)(size % 5), col, col);
  for (int i = 0; i < GUARD; i++)
    if (mem[i] != 0xAB || mem[sizeof mem - 1 - (size_t)i] != 0xAB) abort();
  odai_render_data_fini(&rd);
  odai_nms_scratch_fini(&s);
  odai_detections_fini(&raw);
  odai_detections_fini(&out);
  return 0;
}
