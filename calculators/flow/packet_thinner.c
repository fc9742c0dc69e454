/* calculators/flow/packet_thinner.c: PacketThinnerCalculator (MediaPipe
 * name and options): keeps at most one packet per `period` microseconds.
 * ASYNC (default): a packet passes when at least `period` has elapsed since
 * the last one passed. SYNC: the first packet of each period window
 * [start_time + k*period, ...) passes, restamped to the window start when
 * sync_output_timestamps (default true). Packets outside
 * [start_time, end_time) are dropped. */
#include <string.h>

#include "calculators/registry.h"
#include "odai/options.h"

#define OPTS "mediapipe.PacketThinnerCalculatorOptions"

typedef struct thinner {
  bool sync, restamp, have_last;
  int64_t period, start, end;
  odai_timestamp last;
  int64_t last_window;
} thinner;

static bool is_sync(const odai_options *o) {
  const char *t = odai_options_get_enum_name(o, "thinner_type", "ASYNC");
  return !strcmp(t, "SYNC") || odai_options_get_int(o, "thinner_type", 1) == 2;
}

static odai_status contract(odai_contract *c) {
  odai_status st = odai_contract_input(c, "", ODAI_TYPE_ANY, 0);
  if (!st) st = odai_contract_output(c, "", ODAI_TYPE_ANY, 0);
  if (st) return st;
  odai_contract_options(c, OPTS);
  if (!is_sync(odai_contract_get_options(c))) odai_contract_timestamp_offset(c, 0);
  return ODAI_OK;
}

static odai_status open_(odai_calc_ctx *ctx) {
  thinner *s = odai_calc_state(ctx);
  const odai_options *o = odai_calc_options(ctx);
  s->sync = is_sync(o);
  s->period = odai_options_get_int(o, "period", 1);
  s->start = odai_options_get_int(o, "start_time", ODAI_TS_MIN);
  s->end = odai_options_get_int(o, "end_time", ODAI_TS_MAX);
  s->restamp = odai_options_get_bool(o, "sync_output_timestamps", true);
  if (s->period < 1) return odai_calc_error(ctx, ODAI_E_INVALID, "period must be >= 1 (got %lld)",
                                            (long long)s->period);
  return ODAI_OK;
}

static odai_status process(odai_calc_ctx *ctx) {
  thinner *s = odai_calc_state(ctx);
  const odai_packet *p = odai_calc_input(ctx, "", 0);
  if (!p) return ODAI_OK;
  odai_timestamp ts = odai_packet_timestamp(p);
  if (ts < s->start || ts >= s->end) {
    return s->sync ? ODAI_OK : ODAI_OK; /* async: bound follows through the offset */
  }
  if (!s->sync) {
    if (s->have_last && ts - s->last < s->period) return ODAI_OK;
    s->have_last = true;
    s->last = ts;
    return odai_calc_output(ctx, "", 0, odai_packet_ref(p));
  }
  int64_t base = s->start == ODAI_TS_MIN ? 0 : s->start;
  int64_t rel = ts - base;
  int64_t w = rel >= 0 ? rel / s->period : -((-rel + s->period - 1) / s->period);
  if (s->have_last && w <= s->last_window) return ODAI_OK;
  s->have_last = true;
  s->last_window = w;
  odai_timestamp out_ts = s->restamp ? base + w * s->period : ts;
  odai_packet *q = odai_packet_at(p, out_ts);
  if (!q) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  odai_status st = odai_calc_output(ctx, "", 0, q);
  if (!st) st = odai_calc_set_bound(ctx, "", 0, base + (w + 1) * s->period);
  return st;
}

const odai_calculator_def odai_calc_packet_thinner = {
    .name = "PacketThinnerCalculator",
    .description = "keeps at most one packet per period (ASYNC or SYNC thinning)",
    .state_size = sizeof(thinner),
    .contract = contract,
    .open = open_,
    .process = process,
};
