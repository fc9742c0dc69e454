/* calculators/doorbell/visit_state.c: VisitStateCalculator, the doorbell's
 * visit state machine. It turns per-frame person and (recognised, tracked)
 * face detections into visit events, one JSON object per line:
 *   visit_start; per person seen `identified` {name, similarity, track} or
 *   `unknown_visitor` {track} (upgraded to `identified` with "upgraded":true
 *   when a better view later names the person); visit_end {duration_s,
 *   snapshot}; `error` when a snapshot cannot be written.
 * It also keeps the visit's best face view (largest, sharpest, most frontal)
 * and writes it as the visit's snapshot JPEG (0600 in a 0700 folder).
 *
 * Inputs: IMAGE (every frame: drives the clock and the quiet time), FACES
 * (odai.Detections with track_id, identity, identity_similarity; optional),
 * PERSONS (odai.Detections; optional), ALLOWED (bool: the frame went through
 * inference; optional, else a frame counts as inferred when FACES or PERSONS
 * has a packet). Outputs (all optional): EVENTS (string: the frame's events,
 * JSON lines joined by '\n', only on frames with events), VISIT (int: the
 * open visit's id or 0, every frame), RENDER_DATA (boxes, names and the
 * visit state for the preview, every frame).
 * Side packets: SNAPSHOT_DIR (string), BLUR_UNKNOWN (bool).
 * Options (odai.VisitStateOptions): start_frames (3), quiet_time_s (1.5),
 * identify_frames (3), unknown_frames (5), person_min_score (0.5),
 * face_min_score (0.6), snapshot_quality (90), snapshot_margin (2.2),
 * unknown_min_face_px (40: smaller faces never count as "unknown").
 *
 * A face counts as evaluated by the recognizer when it carries a name, the
 * name "unknown", or a nonzero identity_similarity. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calculators/registry.h"
#include "doorbell_util.h"
#include "odai/options.h"
#include "odai/packet_types.h"

#define OPTS "odai.VisitStateOptions"
#define MAX_TRACKS 32
#define MAX_NAMES 4

typedef enum { REP_NONE = 0, REP_UNKNOWN, REP_IDENTIFIED } report_state;

typedef struct vote {
  char name[ODAI_IDENTITY_MAX];
  int count;
  float best_similarity;
} vote;

typedef struct track_rec {
  int64_t id;
  bool used;
  int64_t last_ts;
  int frames, unknown_votes;
  vote votes[MAX_NAMES];
  report_state reported;
  char reported_name[ODAI_IDENTITY_MAX];
  char streak_name[ODAI_IDENTITY_MAX]; /* label of the latest evaluated votes */
  int streak;                          /* how many in a row */
} track_rec;

typedef struct best_view {
  odai_image *frame; /* one reference, or NULL */
  odai_detection face;
  odai_detections others; /* every face of that frame (for blurring) */
  float score;
} best_view;

typedef struct visit_state {
  /* options */
  int start_frames, identify_frames, unknown_frames, snapshot_quality;
  int64_t quiet_us;
  float person_min_score, face_min_score, snapshot_margin, unknown_min_face_px;
  char snapshot_dir[2048];
  bool blur_unknown;
  /* state */
  int consecutive;
  int64_t first_present_ts, last_present_ts;
  bool in_visit;
  int64_t visit_id, visit_start_ts;
  track_rec tracks[MAX_TRACKS];
  char named[8][ODAI_IDENTITY_MAX]; /* names already announced in this visit */
  int n_named;
  int unknown_count;
  best_view best, pending; /* pending: before the visit starts */
  db_str events;
  const odai_detections *cur_faces, *cur_persons;
} visit_state;

static odai_status vs_contract(odai_contract *c) {
  odai_status st = odai_contract_input(c, "IMAGE", ODAI_TYPE_IMAGE, 0);
  if (!st) st = odai_contract_input(c, "FACES", ODAI_TYPE_DETECTIONS, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_input(c, "PERSONS", ODAI_TYPE_DETECTIONS, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_input(c, "ALLOWED", ODAI_TYPE_BOOL, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_output(c, "EVENTS", ODAI_TYPE_STRING, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_output(c, "VISIT", ODAI_TYPE_INT, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_output(c, "RENDER_DATA", ODAI_TYPE_RENDER_DATA, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_input_side(c, "SNAPSHOT_DIR", ODAI_TYPE_STRING, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_input_side(c, "BLUR_UNKNOWN", ODAI_TYPE_BOOL, ODAI_PORT_OPTIONAL);
  if (st) return st;
  odai_contract_options(c, OPTS);
  odai_contract_timestamp_offset(c, 0);
  return ODAI_OK;
}

static odai_status vs_open(odai_calc_ctx *ctx) {
  visit_state *s = odai_calc_state(ctx);
  const odai_options *o = odai_calc_options(ctx);
  s->start_frames = (int)odai_options_get_int(o, "start_frames", 3);
  s->quiet_us = (int64_t)(odai_options_get_double(o, "quiet_time_s", 1.5) * 1e6);
  s->identify_frames = (int)odai_options_get_int(o, "identify_frames", 3);
  s->unknown_frames = (int)odai_options_get_int(o, "unknown_frames", 5);
  s->person_min_score = odai_options_get_float(o, "person_min_score", 0.5f);
  s->face_min_score = odai_options_get_float(o, "face_min_score", 0.6f);
  s->snapshot_quality = (int)odai_options_get_int(o, "snapshot_quality", 90);
  s->snapshot_margin = odai_options_get_float(o, "snapshot_margin", 2.2f);
  s->unknown_min_face_px = odai_options_get_float(o, "unknown_min_face_px", 40.0f);
  if (s->start_frames < 1 || s->identify_frames < 1 || s->unknown_frames < 1 || s->quiet_us < 0)
    return odai_calc_error(ctx, ODAI_E_INVALID,
                           "start_frames, identify_frames, unknown_frames must be >= 1 and "
                           "quiet_time_s >= 0");
  const char *dir = NULL;
  const odai_packet *p = odai_calc_side_input(ctx, "SNAPSHOT_DIR", 0);
  if (p && odai_packet_get_string(p, &dir) == ODAI_OK && dir && dir[0]) {
    snprintf(s->snapshot_dir, sizeof s->snapshot_dir, "%s", dir);
    odai_error err;
    if (db_private_dir(s->snapshot_dir, &err) != ODAI_OK)
      return odai_calc_error(ctx, err.code, "snapshots: %s", err.message);
  }
  bool b = false;
  p = odai_calc_side_input(ctx, "BLUR_UNKNOWN", 0);
  if (p && odai_packet_get_bool(p, &b) == ODAI_OK) s->blur_unknown = b;
  odai_detections_init(&s->best.others);
  odai_detections_init(&s->pending.others);
  return ODAI_OK;
}

static void view_reset(best_view *v) {
  odai_image_unref(v->frame);
  v->frame = NULL;
  v->score = -1;
  odai_detections_clear(&v->others);
}

static bool face_ok(const visit_state *s, const odai_detection *d) {
  return d->score >= s->face_min_score;
}

static bool evaluated(const odai_detection *d) {
  return d->identity[0] || d->identity_similarity != 0.0f;
}

static bool is_named(const odai_detection *d) {
  return d->identity[0] && strcmp(d->identity, "unknown") != 0;
}

static track_rec *track_get(visit_state *s, int64_t id, int64_t ts) {
  track_rec *free_slot = NULL, *oldest = NULL;
  for (int i = 0; i < MAX_TRACKS; i++) {
    track_rec *t = &s->tracks[i];
    if (t->used && t->id == id) return t;
    if (!t->used && !free_slot) free_slot = t;
    if (t->used && (!oldest || t->last_ts < oldest->last_ts)) oldest = t;
  }
  track_rec *t = free_slot ? free_slot : oldest;
  memset(t, 0, sizeof *t);
  t->used = true;
  t->id = id;
  t->last_ts = ts;
  return t;
}

/* face_px: the face box width in pixels; min_unknown_px: smaller faces may
 * name someone but do not count as evidence of a stranger (a known visitor
 * far away matches poorly). */
static void track_vote(track_rec *t, const odai_detection *d, int64_t ts, float face_px,
                       float min_unknown_px) {
  t->frames++;
  t->last_ts = ts;
  if (!evaluated(d)) return;
  if (!is_named(d) && face_px < min_unknown_px) return;
  const char *label = is_named(d) ? d->identity : "";
  if (t->streak && !strcmp(t->streak_name, label)) {
    t->streak++;
  } else {
    snprintf(t->streak_name, sizeof t->streak_name, "%s", label);
    t->streak = 1;
  }
  if (!is_named(d)) {
    t->unknown_votes++;
    return;
  }
  vote *slot = NULL, *weakest = NULL;
  for (int i = 0; i < MAX_NAMES; i++) {
    vote *v = &t->votes[i];
    if (v->count && !strcmp(v->name, d->identity)) {
      slot = v;
      break;
    }
    if (!v->count && !slot) slot = v;
    if (!weakest || v->count < weakest->count) weakest = v;
  }
  if (!slot) {
    slot = weakest;
    slot->count = 0;
  }
  if (!slot->count) {
    snprintf(slot->name, sizeof slot->name, "%s", d->identity);
    slot->best_similarity = -2;
  }
  slot->count++;
  if (d->identity_similarity > slot->best_similarity) slot->best_similarity = d->identity_similarity;
}

static const vote *top_vote(const track_rec *t) {
  const vote *b = NULL;
  for (int i = 0; i < MAX_NAMES; i++)
    if (t->votes[i].count && (!b || t->votes[i].count > b->count)) b = &t->votes[i];
  return b;
}

static bool already_named(const visit_state *s, const char *name) {
  for (int i = 0; i < s->n_named; i++)
    if (!strcmp(s->named[i], name)) return true;
  return false;
}

static void event_head(visit_state *s, const char *type, int64_t ts) {
  if (s->events.len) db_str_printf(&s->events, "\n");
  db_str_printf(&s->events, "{\"type\":\"%s\",\"visit\":%lld,\"timestamp_us\":%lld", type,
                (long long)s->visit_id, (long long)ts);
}

/* Announce what each track of the open visit has shown enough evidence for. */
static void decide(visit_state *s, int64_t ts) {
  for (int i = 0; i < MAX_TRACKS; i++) {
    track_rec *t = &s->tracks[i];
    if (!t->used || t->reported == REP_IDENTIFIED) continue;
    const vote *v = top_vote(t);
    /* named: a majority of the track's evaluated frames, or the latest
     * identify_frames in a row (a better view names someone first seen
     * as unknown) */
    if (t->streak >= s->identify_frames && t->streak_name[0]) {
      for (int k = 0; k < MAX_NAMES; k++)
        if (t->votes[k].count && !strcmp(t->votes[k].name, t->streak_name)) v = &t->votes[k];
    }
    if (v && v->count >= s->identify_frames &&
        (v->count >= t->unknown_votes ||
         (t->streak >= s->identify_frames && !strcmp(t->streak_name, v->name)))) {
      bool upgraded = t->reported == REP_UNKNOWN;
      t->reported = REP_IDENTIFIED;
      snprintf(t->reported_name, sizeof t->reported_name, "%s", v->name);
      if (already_named(s, v->name)) continue; /* same person, new track */
      if (s->n_named < 8) snprintf(s->named[s->n_named++], ODAI_IDENTITY_MAX, "%s", v->name);
      if (upgraded && s->unknown_count > 0) s->unknown_count--;
      event_head(s, "identified", ts);
      db_str_printf(&s->events, ",\"name\":");
      db_str_json(&s->events, v->name);
      db_str_printf(&s->events, ",\"similarity\":%.3f,\"track\":%lld%s}", v->best_similarity,
                    (long long)t->id, upgraded ? ",\"upgraded\":true" : "");
    } else if (t->reported == REP_NONE && t->unknown_votes >= s->unknown_frames &&
               (!v || v->count < s->identify_frames)) {
      t->reported = REP_UNKNOWN;
      s->unknown_count++;
      event_head(s, "unknown_visitor", ts);
      db_str_printf(&s->events, ",\"track\":%lld}", (long long)t->id);
    }
  }
}

static float view_score(const odai_image *img, const odai_detection *d) {
  float wpx = d->width * (float)odai_image_width(img);
  float size = fminf(wpx, 160.0f) / 160.0f;
  float sharp = db_face_sharpness(img, d);
  sharp = sharp / (sharp + 100.0f);
  float front = db_face_frontalness(d);
  return size * (0.25f + 0.75f * front) * (0.3f + 0.7f * sharp);
}

static void consider_view(best_view *v, const odai_image *img, const odai_detection *d,
                          const odai_detections *faces) {
  float sc = view_score(img, d);
  if (v->frame && sc <= v->score) return;
  odai_image_unref(v->frame);
  v->frame = odai_image_ref((odai_image *)img);
  v->face = *d;
  v->score = sc;
  if (odai_detections_copy(&v->others, faces, NULL) != ODAI_OK) odai_detections_clear(&v->others);
}

/* Crop the best view around its face (and blur unknown faces); write it. */
static void write_snapshot(visit_state *s, int64_t ts, char *path, size_t cap) {
  path[0] = 0;
  if (!s->snapshot_dir[0] || !s->best.frame) return;
  const odai_image *img = s->best.frame;
  int w = odai_image_width(img), h = odai_image_height(img);
  const odai_detection *d = &s->best.face;
  float side = fmaxf(d->width * (float)w, d->height * (float)h) * s->snapshot_margin;
  float cx = (d->xmin + d->width / 2) * (float)w, cy = (d->ymin + d->height / 2) * (float)h;
  int x0 = (int)(cx - side / 2), y0 = (int)(cy - side / 2), x1 = (int)(cx + side / 2),
      y1 = (int)(cy + side / 2);
  if (x0 < 0) x0 = 0;
  if (y0 < 0) y0 = 0;
  if (x1 > w) x1 = w;
  if (y1 > h) y1 = h;
  odai_error err = {0};
  odai_image *frame = NULL, *crop = NULL;
  odai_status st = ODAI_OK;
  if (s->blur_unknown) {
    st = odai_image_copy(img, &frame);
    if (st) odai_error_set(&err, st, "snapshot: cannot copy the frame");
    else db_blur_unknown_faces(frame, &s->best.others);
  } else {
    frame = odai_image_ref((odai_image *)img);
  }
  if (!st) st = odai_image_crop_copy(frame, x0, y0, x1 - x0, y1 - y0, &crop, &err);
  char stamp[48];
  db_time_stamp(stamp, sizeof stamp);
  char p[4096];
  snprintf(p, sizeof p, "%s/visit-%s-%lld.jpg", s->snapshot_dir, stamp, (long long)s->visit_id);
  if (!st) st = db_write_private_jpeg(crop, p, s->snapshot_quality, &err);
  if (st == ODAI_OK) {
    snprintf(path, cap, "%s", p);
  } else {
    event_head(s, "error", ts);
    db_str_printf(&s->events, ",\"what\":\"snapshot\",\"message\":");
    db_str_json(&s->events, err.message);
    db_str_printf(&s->events, "}");
  }
  odai_image_unref(crop);
  odai_image_unref(frame);
}

static void end_visit(visit_state *s, int64_t ts, const char *reason) {
  char snap[4096];
  write_snapshot(s, ts, snap, sizeof snap);
  event_head(s, "visit_end", ts);
  db_str_printf(&s->events, ",\"duration_s\":%.2f,\"snapshot\":",
                (double)(s->last_present_ts - s->visit_start_ts) / 1e6);
  db_str_json(&s->events, snap[0] ? snap : NULL);
  db_str_printf(&s->events, ",\"people\":%d,\"unknown\":%d", s->n_named + s->unknown_count,
                s->unknown_count);
  if (reason) db_str_printf(&s->events, ",\"reason\":\"%s\"", reason);
  db_str_printf(&s->events, "}");
  s->in_visit = false;
  s->n_named = 0;
  s->unknown_count = 0;
  memset(s->tracks, 0, sizeof s->tracks);
  view_reset(&s->best);
}

static void update(visit_state *s, const odai_image *img, int64_t ts, bool inferred,
                   const odai_detections *faces, const odai_detections *persons) {
  if (inferred) {
    int nf = 0, np = 0;
    if (persons)
      for (size_t i = 0; i < persons->count; i++) np += persons->items[i].score >= s->person_min_score;
    if (faces)
      for (size_t i = 0; i < faces->count; i++) {
        const odai_detection *d = &faces->items[i];
        if (!face_ok(s, d)) continue;
        nf++;
        if (d->track_id >= 0)
          track_vote(track_get(s, d->track_id, ts), d, ts, d->width * (float)odai_image_width(img),
                     s->unknown_min_face_px);
        consider_view(s->in_visit ? &s->best : &s->pending, img, d, faces);
      }
    bool present = nf + np > 0;
    if (present) {
      if (s->consecutive == 0) s->first_present_ts = ts;
      s->consecutive++;
      s->last_present_ts = ts;
    } else {
      s->consecutive = 0;
      if (!s->in_visit) {
        view_reset(&s->pending);
        memset(s->tracks, 0, sizeof s->tracks);
      }
    }
    if (!s->in_visit && s->consecutive >= s->start_frames) {
      s->in_visit = true;
      s->visit_id++;
      s->visit_start_ts = s->first_present_ts;
      event_head(s, "visit_start", s->visit_start_ts);
      db_str_printf(&s->events, "}");
      /* the frames that started the visit gave its first views */
      best_view t = s->best;
      s->best = s->pending;
      s->pending = t;
      view_reset(&s->pending);
    }
    if (s->in_visit) decide(s, ts);
  }
  if (s->in_visit && ts - s->last_present_ts > s->quiet_us) end_visit(s, ts, NULL);
}

static void add_box(odai_render_data *rd, const odai_detection *d, odai_color c, float thick) {
  odai_render_annotation *a = odai_render_data_add(rd);
  if (!a) return;
  a->kind = ODAI_RENDER_RECTANGLE;
  a->color = c;
  a->thickness = thick;
  a->normalized = true;
  a->x0 = d->xmin;
  a->y0 = d->ymin;
  a->x1 = d->xmin + d->width;
  a->y1 = d->ymin + d->height;
}

static void add_text(odai_render_data *rd, float x, float y, float line, const char *text,
                     odai_color c) {
  odai_render_annotation *a = odai_render_data_add(rd);
  if (!a) return;
  a->kind = ODAI_RENDER_TEXT;
  a->color = c;
  a->thickness = 2;
  a->normalized = true;
  a->font_height = 18;
  a->font_height_px = true;
  a->line_offset = line;
  a->x0 = fmaxf(x, 0.0f);
  a->y0 = fminf(fmaxf(y, 0.0f), 1.0f);
  a->fill_color = (odai_color){0, 0, 0, 160};
  snprintf(a->text, sizeof a->text, "%s", text);
}

static odai_status emit_render(odai_calc_ctx *ctx, visit_state *s) {
  odai_render_data *rd = odai_render_data_create();
  if (!rd) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  const odai_color green = {0, 220, 0, 255}, orange = {255, 140, 0, 255}, blue = {60, 120, 255, 255},
                   white = {255, 255, 255, 255};
  if (s->cur_persons)
    for (size_t i = 0; i < s->cur_persons->count; i++)
      if (s->cur_persons->items[i].score >= s->person_min_score)
        add_box(rd, &s->cur_persons->items[i], blue, 2);
  if (s->cur_faces)
    for (size_t i = 0; i < s->cur_faces->count; i++) {
      const odai_detection *d = &s->cur_faces->items[i];
      if (!face_ok(s, d)) continue;
      bool named = is_named(d);
      add_box(rd, d, named ? green : orange, 3);
      char label[96];
      if (named) snprintf(label, sizeof label, "%s %.2f", d->identity, (double)d->identity_similarity);
      else snprintf(label, sizeof label, "%s", evaluated(d) ? "unknown" : "?");
      add_text(rd, d->xmin, d->ymin, -0.3f, label, named ? green : orange);
    }
  char head[96];
  if (s->in_visit) {
    int n = snprintf(head, sizeof head, "visit %lld:", (long long)s->visit_id);
    for (int i = 0; i < s->n_named && n < (int)sizeof head; i++)
      n += snprintf(head + n, sizeof head - (size_t)n, " %s", s->named[i]);
    if (s->unknown_count && n < (int)sizeof head)
      snprintf(head + n, sizeof head - (size_t)n, " +%d unknown", s->unknown_count);
  } else {
    snprintf(head, sizeof head, "no visit");
  }
  add_text(rd, 0.02f, 0.0f, 1.2f, head, white);
  return odai_calc_output(ctx, "RENDER_DATA", 0, odai_packet_new_render_data(rd, ODAI_TS_UNSET));
}

static odai_status flush_events(odai_calc_ctx *ctx, visit_state *s) {
  if (!s->events.len) return ODAI_OK;
  odai_status st = ODAI_OK;
  if (odai_calc_output_count(ctx, "EVENTS")) {
    odai_packet *p = odai_packet_new_string(s->events.s, odai_calc_timestamp(ctx));
    st = p ? odai_calc_output(ctx, "EVENTS", 0, p) : odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  }
  db_str_clear(&s->events);
  return st;
}

static odai_status vs_process(odai_calc_ctx *ctx) {
  visit_state *s = odai_calc_state(ctx);
  const odai_image *img = odai_packet_image(odai_calc_input(ctx, "IMAGE", 0));
  if (!img) return ODAI_OK;
  int64_t ts = odai_calc_timestamp(ctx);
  const odai_packet *fp = odai_calc_input_count(ctx, "FACES") ? odai_calc_input(ctx, "FACES", 0) : NULL;
  const odai_packet *pp =
      odai_calc_input_count(ctx, "PERSONS") ? odai_calc_input(ctx, "PERSONS", 0) : NULL;
  bool inferred = fp || pp;
  if (odai_calc_input_count(ctx, "ALLOWED")) {
    const odai_packet *ap = odai_calc_input(ctx, "ALLOWED", 0);
    bool b = false;
    if (ap && odai_packet_get_bool(ap, &b) == ODAI_OK) inferred = b;
  }
  s->cur_faces = odai_packet_detections(fp);
  s->cur_persons = odai_packet_detections(pp);
  update(s, img, ts, inferred, s->cur_faces, s->cur_persons);
  odai_status st = flush_events(ctx, s);
  if (!st && odai_calc_output_count(ctx, "VISIT")) {
    odai_packet *p = odai_packet_new_int(s->in_visit ? s->visit_id : 0, ts);
    st = p ? odai_calc_output(ctx, "VISIT", 0, p) : odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  }
  if (!st && odai_calc_output_count(ctx, "RENDER_DATA")) st = emit_render(ctx, s);
  s->cur_faces = s->cur_persons = NULL;
  return st;
}

static odai_status vs_close(odai_calc_ctx *ctx) {
  visit_state *s = odai_calc_state(ctx);
  /* A visit still open when the stream ends (or the program stops) is
   * closed here, with its snapshot; the event goes out when the graph still
   * takes packets. */
  if (s->in_visit) {
    end_visit(s, s->last_present_ts, "stopped");
    if (s->events.len && odai_calc_output_count(ctx, "EVENTS")) {
      odai_packet *p = odai_packet_new_string(s->events.s, s->last_present_ts + 1);
      if (p) (void)odai_calc_output(ctx, "EVENTS", 0, p);
    }
  }
  db_str_free(&s->events);
  view_reset(&s->best);
  view_reset(&s->pending);
  odai_detections_fini(&s->best.others);
  odai_detections_fini(&s->pending.others);
  return ODAI_OK;
}

const odai_calculator_def odai_calc_visit_state = {
    .name = "VisitStateCalculator",
    .description = "doorbell visit state machine: visit_start / identified / unknown_visitor / "
                   "visit_end events, best-face-view snapshot",
    .state_size = sizeof(visit_state),
    .contract = vs_contract,
    .open = vs_open,
    .process = vs_process,
    .close = vs_close,
};
