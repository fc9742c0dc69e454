/* calculators/flow/packet_cloner.c: PacketClonerCalculator (MediaPipe name
 * and options): remembers the latest packet of each input and, at every
 * TICK (the "TICK" input, or else the last untagged input), emits them all
 * restamped to the tick's timestamp. With
 * output_only_when_all_inputs_received, nothing is emitted until every
 * input has had a packet. */
#include <stdlib.h>

#include "calculators/registry.h"
#include "odai/options.h"

#define OPTS "mediapipe.PacketClonerCalculatorOptions"
#define MAX_CLONED 32

typedef struct cloner {
  int n;       /* cloned inputs: untagged 0..n-1 */
  bool tagged; /* tick is "TICK" (else untagged n) */
  bool all_required;
  odai_packet *last[MAX_CLONED];
} cloner;

static odai_status contract(odai_contract *c) {
  odai_status st = odai_contract_input(c, "", ODAI_TYPE_ANY, ODAI_PORT_MULTIPLE);
  if (!st) st = odai_contract_input(c, "TICK", ODAI_TYPE_ANY, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_output(c, "", ODAI_TYPE_ANY, ODAI_PORT_MULTIPLE);
  if (st) return st;
  int in = odai_contract_input_count(c, ""), out = odai_contract_output_count(c, "");
  int cloned = odai_contract_input_count(c, "TICK") ? in : in - 1;
  if (cloned < 1 || cloned != out || cloned > MAX_CLONED)
    return odai_contract_error(c, ODAI_E_INVALID,
                               "needs N inputs to clone plus a tick and N outputs (got %d inputs, "
                               "%d outputs)", in, out);
  odai_contract_options(c, OPTS);
  odai_contract_input_handler(c, "ImmediateInputStreamHandler");
  return ODAI_OK;
}

static odai_status open_(odai_calc_ctx *ctx) {
  cloner *s = odai_calc_state(ctx);
  s->tagged = odai_calc_input_count(ctx, "TICK") > 0;
  s->n = odai_calc_output_count(ctx, "");
  const odai_options *o = odai_calc_options(ctx);
  s->all_required = odai_options_get_bool(o, "output_only_when_all_inputs_received", false) ||
                    odai_options_get_bool(o, "output_packets_only_when_all_inputs_received", false);
  return ODAI_OK;
}

static odai_status process(odai_calc_ctx *ctx) {
  cloner *s = odai_calc_state(ctx);
  for (int i = 0; i < s->n; i++) {
    const odai_packet *p = odai_calc_input(ctx, "", i);
    if (p) {
      odai_packet_unref(s->last[i]);
      s->last[i] = odai_packet_ref(p);
    }
  }
  const odai_packet *tick = s->tagged ? odai_calc_input(ctx, "TICK", 0) : odai_calc_input(ctx, "", s->n);
  if (!tick) return ODAI_OK;
  odai_timestamp t = odai_packet_timestamp(tick);
  bool all = true;
  for (int i = 0; i < s->n; i++) all = all && s->last[i];
  odai_status st = ODAI_OK;
  for (int i = 0; i < s->n && !st; i++) {
    if (s->last[i] && (all || !s->all_required)) {
      odai_packet *q = odai_packet_at(s->last[i], t);
      if (!q) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
      st = odai_calc_output(ctx, "", i, q);
    } else {
      st = odai_calc_set_bound(ctx, "", i, odai_ts_next_allowed(t));
    }
  }
  return st;
}

static odai_status close_(odai_calc_ctx *ctx) {
  cloner *s = odai_calc_state(ctx);
  for (int i = 0; i < MAX_CLONED; i++) {
    odai_packet_unref(s->last[i]);
    s->last[i] = NULL;
  }
  return ODAI_OK;
}

const odai_calculator_def odai_calc_packet_cloner = {
    .name = "PacketClonerCalculator",
    .description = "re-emits the latest packet of each input at every TICK timestamp",
    .state_size = sizeof(cloner),
    .contract = contract,
    .open = open_,
    .process = process,
    .close = close_,
};
