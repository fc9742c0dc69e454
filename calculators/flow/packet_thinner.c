/* calculators/flow/packet_thinner.c: PacketThinnerCalculator (MediaPipe
 * name, options and behaviour): keeps at most one packet per `period`
 * microseconds (or the PERIOD input side packet, int64).
 *
 * ASYNC (default): a packet passes when its timestamp is at least `period`
 * after the last one passed; the output keeps input timestamps (offset 0)
 * and its bound jumps to the next admissible time.
 * SYNC: time is cut into intervals centred on start_time + k*period (a
 * timestamp belongs to the nearest such sync point). Of the packets of an
 * interval the most central one is kept (ties go to the later packet) and
 * emitted when the first packet of a later interval arrives, or at close;
 * with sync_output_timestamps (default true) it is restamped to the sync
 * point.
 * Packets before start_time are dropped (start_time defaults to Min for
 * ASYNC, 0 for SYNC); the first packet at or after end_time closes the
 * output. */
#include <stdlib.h>
#include <string.h>

#include "calculators/registry.h"
#include "odai/options.h"

#define OPTS "mediapipe.PacketThinnerCalculatorOptions"

typedef struct thinner {
  bool sync, restamp;
  int64_t period;
  odai_timestamp start, end;
  odai_timestamp next_valid; /* ASYNC: suppress packets before this */
  odai_packet *saved;        /* SYNC: best packet of the current interval */
} thinner;

static bool is_sync(const odai_options *o) {
  const char *t = odai_options_get_enum_name(o, "thinner_type", "ASYNC");
  return !strcmp(t, "SYNC") || odai_options_get_int(o, "thinner_type", 1) == 2;
}

static odai_status contract(odai_contract *c) {
  odai_status st = odai_contract_input(c, "", ODAI_TYPE_ANY, 0);
  if (!st) st = odai_contract_output(c, "", ODAI_TYPE_ANY, 0);
  if (!st) st = odai_contract_input_side(c, "PERIOD", ODAI_TYPE_INT, ODAI_PORT_OPTIONAL);
  if (st) return st;
  odai_contract_options(c, OPTS);
  /* SYNC restamps its output, so only ASYNC promises offset 0 */
  if (!is_sync(odai_contract_get_options(c))) odai_contract_timestamp_offset(c, 0);
  return ODAI_OK;
}

/* The sync point nearest to `t` (MediaPipe's NearestSyncTimestamp, in the
 * same int64 arithmetic: truncating division). */
static odai_timestamp nearest_sync(const thinner *s, odai_timestamp t) {
  /* 128-bit so that extreme start_time / timestamps cannot overflow */
  __int128 r = ((__int128)t - s->start + s->period / 2) / s->period * s->period + s->start;
  return r > ODAI_TS_MAX ? ODAI_TS_MAX : r < ODAI_TS_MIN ? ODAI_TS_MIN : (odai_timestamp)r;
}

static __int128 dist(odai_timestamp a, odai_timestamp b) {
  __int128 d = (__int128)a - b;
  return d < 0 ? -d : d;
}

static odai_status open_(odai_calc_ctx *ctx) {
  thinner *s = odai_calc_state(ctx);
  const odai_options *o = odai_calc_options(ctx);
  s->sync = is_sync(o);
  s->period = odai_options_get_int(o, "period", 1);
  int64_t side;
  if (odai_packet_get_int(odai_calc_side_input(ctx, "PERIOD", 0), &side) == ODAI_OK) s->period = side;
  if (s->period <= 0)
    return odai_calc_error(ctx, ODAI_E_INVALID, "period must be positive (got %lld)", (long long)s->period);
  if (odai_options_has(o, "start_time")) s->start = odai_options_get_int(o, "start_time", 0);
  else s->start = s->sync ? 0 : ODAI_TS_MIN;
  s->end = odai_options_has(o, "end_time") ? odai_options_get_int(o, "end_time", 0) : ODAI_TS_MAX;
  if (s->start >= s->end)
    return odai_calc_error(ctx, ODAI_E_INVALID, "start_time (%lld) must be earlier than end_time (%lld)",
                           (long long)s->start, (long long)s->end);
  s->restamp = odai_options_get_bool(o, "sync_output_timestamps", true);
  s->next_valid = s->start;
  return odai_calc_set_bound(ctx, "", 0, s->start); /* nothing before start_time */
}

static odai_status emit_saved(odai_calc_ctx *ctx, thinner *s) {
  odai_packet *p = s->saved;
  s->saved = NULL;
  if (s->restamp) {
    odai_packet *q = odai_packet_at(p, nearest_sync(s, odai_packet_timestamp(p)));
    odai_packet_unref(p);
    if (!q) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
    p = q;
  }
  return odai_calc_output(ctx, "", 0, p);
}

static odai_status sync_process(odai_calc_ctx *ctx, thinner *s, const odai_packet *in) {
  const odai_timestamp now = odai_packet_timestamp(in);
  if (!s->saved) {
    s->saved = odai_packet_ref(in);
    return odai_calc_set_bound(ctx, "", 0, s->restamp ? nearest_sync(s, now) : now);
  }
  const odai_timestamp saved = odai_packet_timestamp(s->saved);
  const odai_timestamp saved_sync = nearest_sync(s, saved), now_sync = nearest_sync(s, now);
  if (saved_sync == now_sync) {
    /* same interval: keep the more central packet, ties to the fresher */
    if (dist(now, now_sync) <= dist(saved, saved_sync)) {
      odai_packet_unref(s->saved);
      s->saved = odai_packet_ref(in);
    }
    return ODAI_OK;
  }
  odai_status st = emit_saved(ctx, s); /* the best packet of an earlier interval */
  if (!st) st = odai_calc_set_bound(ctx, "", 0, s->restamp ? now_sync : now);
  s->saved = odai_packet_ref(in);
  return st;
}

static odai_status process(odai_calc_ctx *ctx) {
  thinner *s = odai_calc_state(ctx);
  const odai_packet *p = odai_calc_input(ctx, "", 0);
  if (!p) return ODAI_OK;
  odai_timestamp ts = odai_packet_timestamp(p);
  if (ts < s->start) return ODAI_OK;
  if (ts >= s->end) { /* nothing after end_time: the last interval's packet, then close */
    odai_status st = s->saved ? emit_saved(ctx, s) : ODAI_OK;
    return st ? st : odai_calc_close_output(ctx, "", 0);
  }
  if (s->sync) return sync_process(ctx, s, p);
  if (ts < s->next_valid) return ODAI_OK;
  odai_status st = odai_calc_output(ctx, "", 0, odai_packet_ref(p));
  s->next_valid = ts > ODAI_TS_MAX - s->period ? ODAI_TS_MAX : ts + s->period;
  if (!st) st = odai_calc_set_bound(ctx, "", 0, s->next_valid);
  return st;
}

static odai_status close_(odai_calc_ctx *ctx) {
  thinner *s = odai_calc_state(ctx);
  if (!s->saved) return ODAI_OK;
  return emit_saved(ctx, s); /* the last interval's packet */
}

const odai_calculator_def odai_calc_packet_thinner = {
    .name = "PacketThinnerCalculator",
    .description = "keeps at most one packet per period (ASYNC or SYNC thinning, as MediaPipe)",
    .state_size = sizeof(thinner),
    .contract = contract,
    .open = open_,
    .process = process,
    .close = close_,
};
