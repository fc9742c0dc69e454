/* calculators/flow/side_packet_to_stream.c: SidePacketToStreamCalculator
 * (MediaPipe name): turns input side packets (untagged, index i) into
 * stream packets on output TAG:i, where TAG picks the timestamp:
 * AT_PRESTREAM, AT_ZERO, AT_POSTSTREAM, AT_TICK (every TICK input packet)
 * or AT_FIRST_TICK (the first TICK only). */
#include <string.h>

#include "calculators/registry.h"

static const char *const k_tags[] = {"AT_PRESTREAM", "AT_ZERO", "AT_POSTSTREAM", "AT_TICK",
                                     "AT_FIRST_TICK"};
enum { PRE, ZERO, POST, TICK, FIRST_TICK, N_TAGS };

typedef struct s2s {
  int mode;
  int n;
  bool ticked;
} s2s;

static int mode_of(int counts[N_TAGS]) {
  int m = -1;
  for (int i = 0; i < N_TAGS; i++)
    if (counts[i]) m = m < 0 ? i : -2;
  return m;
}

static odai_status contract(odai_contract *c) {
  odai_status st = odai_contract_input_side(c, "", ODAI_TYPE_ANY, ODAI_PORT_MULTIPLE);
  if (!st) st = odai_contract_input(c, "TICK", ODAI_TYPE_ANY, ODAI_PORT_OPTIONAL);
  for (int i = 0; i < N_TAGS && !st; i++)
    st = odai_contract_output(c, k_tags[i], ODAI_TYPE_ANY, ODAI_PORT_OPTIONAL | ODAI_PORT_MULTIPLE);
  if (st) return st;
  int counts[N_TAGS];
  for (int i = 0; i < N_TAGS; i++) counts[i] = odai_contract_output_count(c, k_tags[i]);
  int m = mode_of(counts);
  if (m < 0)
    return odai_contract_error(c, ODAI_E_INVALID,
                               "needs exactly one output tag among AT_PRESTREAM, AT_ZERO, "
                               "AT_POSTSTREAM, AT_TICK, AT_FIRST_TICK");
  if (counts[m] != odai_contract_input_side_count(c, ""))
    return odai_contract_error(c, ODAI_E_INVALID, "needs one output per input side packet");
  bool tick = m == TICK || m == FIRST_TICK;
  if (tick != (odai_contract_input_count(c, "TICK") > 0))
    return odai_contract_error(c, ODAI_E_INVALID, "%s %s a TICK input stream", k_tags[m],
                               tick ? "needs" : "does not take");
  return ODAI_OK;
}

static odai_status emit_all(odai_calc_ctx *ctx, s2s *s, odai_timestamp ts) {
  for (int i = 0; i < s->n; i++) {
    odai_packet *q = odai_packet_at(odai_calc_side_input(ctx, "", i), ts);
    if (!q) return odai_calc_error(ctx, ODAI_E_NOMEM, "missing side packet %d or out of memory", i);
    odai_status st = odai_calc_output(ctx, k_tags[s->mode], i, q);
    if (st) return st;
  }
  return ODAI_OK;
}

static odai_status open_(odai_calc_ctx *ctx) {
  s2s *s = odai_calc_state(ctx);
  int counts[N_TAGS];
  for (int i = 0; i < N_TAGS; i++) counts[i] = odai_calc_output_count(ctx, k_tags[i]);
  s->mode = mode_of(counts);
  s->n = counts[s->mode];
  if (s->mode == PRE) return emit_all(ctx, s, ODAI_TS_PRESTREAM);
  if (s->mode == ZERO) return emit_all(ctx, s, 0);
  return ODAI_OK;
}

static odai_status process(odai_calc_ctx *ctx) {
  s2s *s = odai_calc_state(ctx);
  if (s->mode != TICK && s->mode != FIRST_TICK) return ODAI_E_EOF; /* source: done */
  const odai_packet *t = odai_calc_input(ctx, "TICK", 0);
  if (!t || (s->mode == FIRST_TICK && s->ticked)) return ODAI_OK;
  s->ticked = true;
  odai_status st = emit_all(ctx, s, odai_packet_timestamp(t));
  if (!st && s->mode == FIRST_TICK)
    for (int i = 0; i < s->n; i++) odai_calc_close_output(ctx, k_tags[s->mode], i);
  return st;
}

static odai_status close_(odai_calc_ctx *ctx) {
  s2s *s = odai_calc_state(ctx);
  if (s->mode == POST) return emit_all(ctx, s, ODAI_TS_POSTSTREAM);
  return ODAI_OK;
}

const odai_calculator_def odai_calc_side_packet_to_stream = {
    .name = "SidePacketToStreamCalculator",
    .description = "emits side packets as stream packets (AT_PRESTREAM/ZERO/POSTSTREAM/TICK)",
    .state_size = sizeof(s2s),
    .contract = contract,
    .open = open_,
    .process = process,
    .close = close_,
};
