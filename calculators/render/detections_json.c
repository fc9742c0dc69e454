/* calculators/render/detections_json.c: DetectionsJsonWriterCalculator —
 * writes detections as JSON Lines, one object per frame:
 *   {"timestamp_us": N, "source": "photo.jpg", "detections": [{"score": s,
 *    "label": "face", "box": {"xmin", "ymin", "width", "height"},
 *    "keypoints": [[x, y], ...], "track_id": t, "identity": "name",
 *    "similarity": s}]}
 * All coordinates relative to the input image in [0,1]. "source" appears
 * when a FILE_NAME stream is connected; "track_id" when tracked;
 * "identity"/"similarity" when face recognition named the face.
 * Inputs: DETECTIONS, optional FILE_NAME. Side packet OUTPUT_PATH (or
 * DETECTIONS_PATH), or options { path label }. A missing path disables it.
 * A frame with an empty DETECTIONS packet, or with only a timestamp bound
 * (no detections produced), still gets a line with an empty list, so the
 * file has one line per frame. Lines are flushed per frame. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calculators/registry.h"
#include "odai/options.h"
#include "odai/packet_types.h"

typedef struct json_state {
  FILE *f;
  char *path;
  char label[ODAI_LABEL_MAX];
  odai_timestamp last;
} json_state;

static odai_status json_contract(odai_contract *c) {
  odai_contract_input(c, "DETECTIONS", ODAI_TYPE_DETECTIONS, 0);
  odai_contract_input(c, "FILE_NAME", ODAI_TYPE_STRING, ODAI_PORT_OPTIONAL);
  odai_contract_input(c, "TICK", ODAI_TYPE_ANY, ODAI_PORT_OPTIONAL);
  odai_contract_input_side(c, "OUTPUT_PATH", ODAI_TYPE_STRING, ODAI_PORT_OPTIONAL);
  odai_contract_input_side(c, "DETECTIONS_PATH", ODAI_TYPE_STRING, ODAI_PORT_OPTIONAL);
  odai_contract_options(c, "odai.DetectionsJsonWriterOptions");
  return ODAI_OK;
}

static odai_status json_open(odai_calc_ctx *ctx) {
  json_state *st = odai_calc_state(ctx);
  const char *path = NULL;
  const char *tags[] = {"OUTPUT_PATH", "DETECTIONS_PATH"};
  for (int i = 0; i < 2 && !path; i++) {
    const odai_packet *p = odai_calc_side_input(ctx, tags[i], 0);
    const char *s;
    if (p && odai_packet_get_string(p, &s) == ODAI_OK && s && *s) path = s;
  }
  const odai_options *o = odai_calc_options(ctx);
  if (!path) path = odai_options_get_string(o, "path", NULL);
  snprintf(st->label, sizeof st->label, "%s", odai_options_get_string(o, "label", ""));
  st->last = ODAI_TS_UNSET;
  if (!path || !*path) return ODAI_OK;
  if (!(st->path = strdup(path))) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  st->f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
  if (!st->f)
    return odai_calc_error(ctx, ODAI_E_IO, "cannot write detections to '%s': %s", path,
                           strerror(errno));
  return ODAI_OK;
}

static void json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
    else if (c < 0x20) fprintf(f, "\\u%04x", c);
    else fputc(c, f);
  }
  fputc('"', f);
}

static odai_status json_process(odai_calc_ctx *ctx) {
  json_state *st = odai_calc_state(ctx);
  if (!st->f) return ODAI_OK;
  odai_timestamp ts = odai_calc_timestamp(ctx);
  if (ts == st->last) return ODAI_OK;
  st->last = ts;
  const odai_detections *d = odai_packet_detections(odai_calc_input(ctx, "DETECTIONS", 0));
  const char *src = NULL;
  odai_packet_get_string(odai_calc_input(ctx, "FILE_NAME", 0), &src);
  FILE *f = st->f;
  fprintf(f, "{\"timestamp_us\": %lld", (long long)ts);
  if (src) {
    fputs(", \"source\": ", f);
    json_string(f, src);
  }
  fputs(", \"detections\": [", f);
  for (size_t i = 0; d && i < d->count; i++) {
    const odai_detection *x = &d->items[i];
    const char *label = x->label[0] ? x->label : st->label;
    fprintf(f, "%s{\"score\": %.6g, \"label\": ", i ? ", " : "", x->score);
    json_string(f, label);
    fprintf(f, ", \"box\": {\"xmin\": %.6g, \"ymin\": %.6g, \"width\": %.6g, \"height\": %.6g}",
            x->xmin, x->ymin, x->width, x->height);
    fputs(", \"keypoints\": [", f);
    for (int k = 0; k < x->num_keypoints; k++)
      fprintf(f, "%s[%.6g, %.6g]", k ? ", " : "", x->keypoints[k].x, x->keypoints[k].y);
    fputc(']', f);
    if (x->track_id >= 0) fprintf(f, ", \"track_id\": %lld", (long long)x->track_id);
    if (x->identity[0]) {
      fputs(", \"identity\": ", f);
      json_string(f, x->identity);
      fprintf(f, ", \"similarity\": %.4f", x->identity_similarity);
    }
    fputc('}', f);
  }
  fputs("]}\n", f);
  if (fflush(f) != 0 || ferror(f))
    return odai_calc_error(ctx, ODAI_E_IO, "writing '%s': %s", st->path, strerror(errno));
  return ODAI_OK;
}

static odai_status json_close(odai_calc_ctx *ctx) {
  json_state *st = odai_calc_state(ctx);
  odai_status s = ODAI_OK;
  if (st->f && st->f != stdout && fclose(st->f) != 0)
    s = odai_calc_error(ctx, ODAI_E_IO, "closing '%s': %s", st->path, strerror(errno));
  st->f = NULL;
  free(st->path);
  st->path = NULL;
  return s;
}

const odai_calculator_def odai_calc_detections_json_writer = {
    .name = "DetectionsJsonWriterCalculator",
    .description = "writes detections as JSON Lines (one object per frame, relative coordinates)",
    .state_size = sizeof(json_state),
    .contract = json_contract,
    .open = json_open,
    .process = json_process,
    .close = json_close,
};
