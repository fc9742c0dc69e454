/* calculators/doorbell/clip_recorder.c: DoorbellClipCalculator, one video
 * clip per doorbell visit, with a pre-roll: it keeps the last few seconds of
 * frames in a ring buffer and, when a visit opens, writes them first, then
 * every frame until the visit ends (MP4/H.264 through the GStreamer video
 * sink, odai/video.h). Files are 0600 in a 0700 folder. A failed write (disk
 * full) ends the clip with an `error` event; detection goes on.
 *
 * Inputs (immediate handler: frames never wait for the visit state):
 * IMAGE (every frame), VISIT (int: open visit id or 0, from
 * VisitStateCalculator), FACES (optional: recognised faces; with
 * BLUR_UNKNOWN, faces not in the gallery are pixelated in the clip).
 * Output: EVENTS (string, optional): {"type":"clip","visit":N,"path":...,
 * "frames":N} when a clip is complete, {"type":"error","what":"clip",...}.
 * Side packets: CLIP_DIR (string; no clips when absent or empty),
 * BLUR_UNKNOWN (bool). Options (odai.DoorbellClipOptions): pre_roll_s (3),
 * max_pre_roll_frames (90), extension ("mp4"), finish_timeout_ms (10000). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "calculators/registry.h"
#include "doorbell_util.h"
#include "odai/options.h"
#include "odai/packet_types.h"
#include "odai/video.h"

#define OPTS "odai.DoorbellClipOptions"

typedef struct ring_item {
  odai_image *img; /* a private copy (camera buffers go back to the driver) */
  int64_t ts;
} ring_item;

typedef struct clip_state {
  char dir[2048], ext[16];
  bool blur_unknown;
  int64_t pre_roll_us;
  int max_ring, finish_timeout_ms;
  ring_item *ring;
  int ring_head, ring_count;
  int64_t visit;        /* latest VISIT value */
  int64_t clip_visit;   /* visit being recorded (0 = none) */
  bool clip_failed;     /* this visit's clip failed: stop trying */
  odai_video_sink *sink;
  char path[4096];
  odai_detections faces; /* latest faces (for blurring) */
  db_str events;
  int64_t last_ts;
} clip_state;

static odai_status cr_contract(odai_contract *c) {
  odai_status st = odai_contract_input(c, "IMAGE", ODAI_TYPE_IMAGE, 0);
  if (!st) st = odai_contract_input(c, "VISIT", ODAI_TYPE_INT, 0);
  if (!st) st = odai_contract_input(c, "FACES", ODAI_TYPE_DETECTIONS, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_output(c, "EVENTS", ODAI_TYPE_STRING, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_input_side(c, "CLIP_DIR", ODAI_TYPE_STRING, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_input_side(c, "BLUR_UNKNOWN", ODAI_TYPE_BOOL, ODAI_PORT_OPTIONAL);
  if (st) return st;
  odai_contract_options(c, OPTS);
  odai_contract_input_handler(c, "ImmediateInputStreamHandler");
  return ODAI_OK;
}

static odai_status cr_open(odai_calc_ctx *ctx) {
  clip_state *s = odai_calc_state(ctx);
  const odai_options *o = odai_calc_options(ctx);
  s->pre_roll_us = (int64_t)(odai_options_get_double(o, "pre_roll_s", 3.0) * 1e6);
  s->max_ring = (int)odai_options_get_int(o, "max_pre_roll_frames", 90);
  s->finish_timeout_ms = (int)odai_options_get_int(o, "finish_timeout_ms", 10000);
  snprintf(s->ext, sizeof s->ext, "%s", odai_options_get_string(o, "extension", "mp4"));
  if (s->max_ring < 0 || s->max_ring > 1000)
    return odai_calc_error(ctx, ODAI_E_INVALID, "max_pre_roll_frames %d: expected 0..1000", s->max_ring);
  const char *dir = NULL;
  const odai_packet *p = odai_calc_side_input(ctx, "CLIP_DIR", 0);
  if (p && odai_packet_get_string(p, &dir) == ODAI_OK && dir && dir[0]) {
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    odai_error err;
    if (db_private_dir(s->dir, &err) != ODAI_OK)
      return odai_calc_error(ctx, err.code, "clips: %s", err.message);
  }
  bool b = false;
  p = odai_calc_side_input(ctx, "BLUR_UNKNOWN", 0);
  if (p && odai_packet_get_bool(p, &b) == ODAI_OK) s->blur_unknown = b;
  odai_detections_init(&s->faces);
  if (s->dir[0] && s->max_ring > 0) {
    s->ring = calloc((size_t)s->max_ring, sizeof *s->ring);
    if (!s->ring) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  }
  return ODAI_OK;
}

static void event_error(clip_state *s, int64_t ts, const char *msg) {
  if (s->events.len) db_str_printf(&s->events, "\n");
  db_str_printf(&s->events, "{\"type\":\"error\",\"visit\":%lld,\"timestamp_us\":%lld,"
                "\"what\":\"clip\",\"message\":", (long long)s->clip_visit, (long long)ts);
  db_str_json(&s->events, msg);
  db_str_printf(&s->events, "}");
}

static void clip_fail(clip_state *s, int64_t ts, const char *msg) {
  event_error(s, ts, msg);
  odai_video_sink_close(s->sink);
  s->sink = NULL;
  remove(s->path); /* an unfinished MP4 is unplayable */
  s->clip_failed = true;
}

static void write_frame(clip_state *s, const odai_image *img, int64_t ts) {
  if (!s->sink) return;
  odai_error err;
  odai_image *tmp = NULL;
  const odai_image *out = img;
  if (s->blur_unknown && s->faces.count && odai_image_copy(img, &tmp) == ODAI_OK) {
    db_blur_unknown_faces(tmp, &s->faces);
    out = tmp;
  }
  if (odai_video_sink_write(s->sink, out, ts, &err) != ODAI_OK) clip_fail(s, ts, err.message);
  odai_image_unref(tmp);
}

static void ring_clear(clip_state *s) {
  for (int i = 0; i < s->ring_count; i++) {
    ring_item *it = &s->ring[(s->ring_head + i) % s->max_ring];
    odai_image_unref(it->img);
    it->img = NULL;
  }
  s->ring_head = s->ring_count = 0;
}

static void ring_push(clip_state *s, const odai_image *img, int64_t ts) {
  if (!s->ring) return;
  /* drop what is older than the pre-roll, and the oldest when full */
  while (s->ring_count && (s->ring_count == s->max_ring ||
                           ts - s->ring[s->ring_head].ts > s->pre_roll_us)) {
    odai_image_unref(s->ring[s->ring_head].img);
    s->ring[s->ring_head].img = NULL;
    s->ring_head = (s->ring_head + 1) % s->max_ring;
    s->ring_count--;
  }
  odai_image *copy = NULL;
  if (odai_image_copy(img, &copy) != ODAI_OK) return;
  ring_item *it = &s->ring[(s->ring_head + s->ring_count) % s->max_ring];
  it->img = copy;
  it->ts = ts;
  s->ring_count++;
}

static void clip_start(clip_state *s, int64_t ts) {
  s->clip_visit = s->visit;
  s->clip_failed = false;
  char stamp[48];
  db_time_stamp(stamp, sizeof stamp);
  snprintf(s->path, sizeof s->path, "%s/visit-%s-%lld.%s", s->dir, stamp, (long long)s->visit, s->ext);
  odai_video_sink_options o;
  odai_video_sink_options_default(&o);
  odai_error err;
  if (odai_video_sink_open(s->path, &o, &s->sink, &err) != ODAI_OK) {
    s->sink = NULL;
    event_error(s, ts, err.message);
    s->clip_failed = true;
    return;
  }
  chmod(s->path, 0600);
  for (int i = 0; i < s->ring_count && s->sink; i++) {
    ring_item *it = &s->ring[(s->ring_head + i) % s->max_ring];
    write_frame(s, it->img, it->ts);
  }
  ring_clear(s);
}

static void clip_finish(clip_state *s, int64_t ts) {
  if (s->sink) {
    odai_error err;
    uint64_t frames = odai_video_sink_frames(s->sink);
    if (odai_video_sink_finish(s->sink, s->finish_timeout_ms, &err) != ODAI_OK) {
      clip_fail(s, ts, err.message);
    } else {
      odai_video_sink_close(s->sink);
      s->sink = NULL;
      chmod(s->path, 0600);
      if (s->events.len) db_str_printf(&s->events, "\n");
      db_str_printf(&s->events, "{\"type\":\"clip\",\"visit\":%lld,\"timestamp_us\":%lld,\"path\":",
                    (long long)s->clip_visit, (long long)ts);
      db_str_json(&s->events, s->path);
      db_str_printf(&s->events, ",\"frames\":%llu}", (unsigned long long)frames);
    }
  }
  s->clip_visit = 0;
}

static odai_status flush(odai_calc_ctx *ctx, clip_state *s, int64_t ts) {
  if (!s->events.len) return ODAI_OK;
  odai_status st = ODAI_OK;
  if (odai_calc_output_count(ctx, "EVENTS") && ts > s->last_ts) {
    odai_packet *p = odai_packet_new_string(s->events.s, ts);
    st = p ? odai_calc_output(ctx, "EVENTS", 0, p) : odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
    s->last_ts = ts;
  }
  db_str_clear(&s->events);
  return st;
}

static odai_status cr_process(odai_calc_ctx *ctx) {
  clip_state *s = odai_calc_state(ctx);
  if (!s->dir[0]) return ODAI_OK;
  int64_t ts = odai_calc_timestamp(ctx);
  int64_t v;
  const odai_packet *vp = odai_calc_input(ctx, "VISIT", 0);
  if (vp && odai_packet_get_int(vp, &v) == ODAI_OK) s->visit = v;
  if (odai_calc_input_count(ctx, "FACES")) {
    const odai_detections *f = odai_packet_detections(odai_calc_input(ctx, "FACES", 0));
    if (f && odai_detections_copy(&s->faces, f, NULL) != ODAI_OK) odai_detections_clear(&s->faces);
  }
  if (s->clip_visit && s->visit != s->clip_visit) clip_finish(s, ts);
  const odai_image *img = odai_packet_image(odai_calc_input(ctx, "IMAGE", 0));
  if (img) {
    if (s->visit && !s->clip_visit) clip_start(s, ts);
    if (s->sink) write_frame(s, img, ts);
    else if (!s->clip_visit) ring_push(s, img, ts);
  }
  return flush(ctx, s, ts);
}

static odai_status cr_close(odai_calc_ctx *ctx) {
  clip_state *s = odai_calc_state(ctx);
  if (s->clip_visit) clip_finish(s, s->last_ts + 1);
  /* EVENTS may still be open when the graph ends normally */
  if (s->events.len && odai_calc_output_count(ctx, "EVENTS")) {
    odai_packet *p = odai_packet_new_string(s->events.s, s->last_ts + 2);
    if (p) (void)odai_calc_output(ctx, "EVENTS", 0, p);
  }
  odai_video_sink_close(s->sink);
  s->sink = NULL;
  if (s->ring) ring_clear(s);
  free(s->ring);
  s->ring = NULL;
  odai_detections_fini(&s->faces);
  db_str_free(&s->events);
  return ODAI_OK;
}

const odai_calculator_def odai_calc_doorbell_clip = {
    .name = "DoorbellClipCalculator",
    .description = "one MP4 clip per doorbell visit with a pre-roll ring buffer (0600 files)",
    .state_size = sizeof(clip_state),
    .contract = cr_contract,
    .open = cr_open,
    .process = cr_process,
    .close = cr_close,
};
