/* Detections -> render data, following MediaPipe's
 * DetectionsToRenderDataCalculator: per detection a label/score text line,
 * the relative bounding box and one point per keypoint. Drawn by draw.c. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render_ops.h"

void odai_detections_render_options_init(odai_detections_render_options *o) {
  memset(o, 0, sizeof(*o));
  o->produce_empty_packet = true;
  strcpy(o->text_delimiter, ",");
  o->thickness = 1.0f;
  o->color = (odai_color){255, 255, 255, 255};
  strcpy(o->scene_class, "DETECTION");
  o->text_font_height = 8.0f;
}

/* A score as MediaPipe prints it: rounded to 2 decimals, no trailing 0s. */
static void format_score(float s, char *buf, size_t n) {
  float r = roundf(s * 100.0f) / 100.0f;
  snprintf(buf, n, "%.2f", (double)r);
  char *dot = strchr(buf, '.');
  if (dot) {
    char *e = buf + strlen(buf) - 1;
    while (e > dot && *e == '0') *e-- = '\0';
    if (e == dot) *e = '\0';
  }
}

static odai_status add_text(odai_render_data *rd, const odai_detections_render_options *o,
                            const odai_detection *d, const char *text, int line, int nlines,
                            float line_height, odai_error *err) {
  odai_render_annotation *a = odai_render_data_add(rd);
  if (!a) return odai_error_set(err, ODAI_E_NOMEM, "DetectionsToRenderData: out of memory");
  a->kind = ODAI_RENDER_TEXT;
  a->color = o->color;
  a->thickness = o->thickness;
  a->normalized = true;
  a->font_height = line_height * 0.9f;
  a->x0 = fmaxf(d->xmin, 0.0f);
  a->y0 = fminf(d->ymin + (float)(line + 1) * line_height, 1.0f);
  if (o->text_font_height_set) {
    /* pixel-sized labels stacked just above the box (inside it when the
     * box touches the top edge) */
    a->font_height = o->text_font_height;
    a->font_height_px = true;
    a->y0 = fmaxf(d->ymin, 0.0f);
    a->line_offset = d->ymin > 0.05f ? (float)(line - nlines) + 0.7f : (float)line + 1.0f;
  }
  snprintf(a->text, sizeof(a->text), "%s", text);
  return ODAI_OK;
}

odai_status odai_detections_to_render_data(const odai_detections_render_options *o,
                                           const odai_detections *dets, odai_render_data *rd,
                                           odai_error *err) {
  if (!o || !dets || !rd)
    return odai_error_set(err, ODAI_E_INVALID, "DetectionsToRenderData: NULL argument");
  snprintf(rd->scene_class, sizeof(rd->scene_class), "%s", o->scene_class);
  for (size_t i = 0; i < dets->count; i++) {
    const odai_detection *d = &dets->items[i];
    const bool has_identity = d->identity[0] != '\0';
    const int nlabels = 1 + (has_identity ? 1 : 0);
    /* One text line per label plus one for the (empty) feature tag. */
    const float line_h = d->height * fminf(0.1f, 1.0f / (float)(nlabels + 1));
    char score[16], text[ODAI_RENDER_TEXT_MAX];
    int line = 0;
    const int ntext = (o->render_detection_id ? 1 : 0) + nlabels;
    odai_status st;
    if (o->render_detection_id) {
      snprintf(text, sizeof(text), "Id: %lld",
               (long long)(d->track_id >= 0 ? d->track_id : d->detection_id));
      if ((st = add_text(rd, o, d, text, line++, ntext, line_h, err)) != ODAI_OK) return st;
    }
    format_score(d->score, score, sizeof(score));
    char label[ODAI_LABEL_MAX + 16];
    if (d->label[0])
      snprintf(label, sizeof(label), "%s", d->label);
    else
      snprintf(label, sizeof(label), "%d", (int)d->label_id);
    snprintf(text, sizeof(text), "%.48s%.7s%.8s%.7s", label, o->text_delimiter, score, o->text_delimiter);
    if ((st = add_text(rd, o, d, text, line++, ntext, line_h, err)) != ODAI_OK) return st;
    if (has_identity) {
      format_score(d->identity_similarity, score, sizeof(score));
      snprintf(text, sizeof(text), "%.60s%.7s%.8s", d->identity, o->text_delimiter, score);
      if ((st = add_text(rd, o, d, text, line++, ntext, line_h, err)) != ODAI_OK) return st;
    }
    /* The box, clipped to [0,1] as MediaPipe's SetRectCoordinate does;
     * boxes wholly outside are skipped. */
    if (!(d->xmin + d->width < 0.0f || d->ymin + d->height < 0.0f || d->xmin > 1.0f ||
          d->ymin > 1.0f)) {
      odai_render_annotation *a = odai_render_data_add(rd);
      if (!a) return odai_error_set(err, ODAI_E_NOMEM, "DetectionsToRenderData: out of memory");
      a->kind = ODAI_RENDER_RECTANGLE;
      a->color = o->color;
      a->thickness = o->thickness;
      a->normalized = true;
      a->x0 = fmaxf(d->xmin, 0.0f);
      a->y0 = fmaxf(d->ymin, 0.0f);
      a->x1 = fminf(d->xmin + d->width, 1.0f);
      a->y1 = fminf(d->ymin + d->height, 1.0f);
    }
    for (int k = 0; k < d->num_keypoints; k++) {
      odai_render_annotation *a = odai_render_data_add(rd);
      if (!a) return odai_error_set(err, ODAI_E_NOMEM, "DetectionsToRenderData: out of memory");
      a->kind = ODAI_RENDER_POINT;
      a->color = o->color;
      a->thickness = o->thickness;
      a->normalized = true;
      a->x0 = d->keypoints[k].x;
      a->y0 = d->keypoints[k].y;
    }
  }
  return ODAI_OK;
}
