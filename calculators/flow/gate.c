/* calculators/flow/gate.c: GateCalculator (MediaPipe name and options):
 * forwards its inputs TAG:i → TAG:i while allowed. Control: an ALLOW or
 * DISALLOW bool input stream (synchronised with the data), or an ALLOW /
 * DISALLOW bool side packet, else options.allow. An empty control packet
 * counts as allow only when empty_packets_as_allow. STATE_CHANGE
 * (optional) emits the new state when it changes. */
#include <string.h>

#include "calculators/registry.h"
#include "odai/options.h"

#define OPTS "mediapipe.GateCalculatorOptions"

typedef struct gate {
  int have_state;
  bool last;
} gate;

static bool is_control(const char *tag) {
  return !strcmp(tag, "ALLOW") || !strcmp(tag, "DISALLOW");
}

static odai_status contract(odai_contract *c) {
  const char *tag;
  odai_status st = ODAI_OK;
  for (int i = 0; (tag = odai_contract_input_tag(c, i)) && !st; i++) {
    if (is_control(tag)) continue;
    bool seen = false;
    for (int j = 0; j < i && !seen; j++) seen = !strcmp(odai_contract_input_tag(c, j), tag);
    if (seen) continue;
    st = odai_contract_input(c, tag, ODAI_TYPE_ANY, ODAI_PORT_MULTIPLE);
    if (!st) st = odai_contract_output(c, tag, ODAI_TYPE_ANY, ODAI_PORT_MULTIPLE);
  }
  if (!st) st = odai_contract_input(c, "ALLOW", ODAI_TYPE_BOOL, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_input(c, "DISALLOW", ODAI_TYPE_BOOL, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_input_side(c, "ALLOW", ODAI_TYPE_BOOL, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_input_side(c, "DISALLOW", ODAI_TYPE_BOOL, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_output(c, "STATE_CHANGE", ODAI_TYPE_BOOL, ODAI_PORT_OPTIONAL);
  if (st) return st;
  int controls = (odai_contract_input_count(c, "ALLOW") > 0) +
                 (odai_contract_input_count(c, "DISALLOW") > 0) +
                 (odai_contract_input_side_count(c, "ALLOW") > 0) +
                 (odai_contract_input_side_count(c, "DISALLOW") > 0);
  if (controls > 1)
    return odai_contract_error(c, ODAI_E_INVALID,
                               "use only one of ALLOW/DISALLOW as input stream or side packet");
  odai_contract_options(c, OPTS);
  odai_contract_timestamp_offset(c, 0);
  return ODAI_OK;
}

static odai_status process(odai_calc_ctx *ctx) {
  gate *s = odai_calc_state(ctx);
  const odai_options *o = odai_calc_options(ctx);
  bool allow = odai_options_get_bool(o, "allow", false);
  bool empty_allow = odai_options_get_bool(o, "empty_packets_as_allow", false);
  bool v;
  if (odai_calc_input_count(ctx, "ALLOW")) {
    const odai_packet *p = odai_calc_input(ctx, "ALLOW", 0);
    allow = p ? (odai_packet_get_bool(p, &v) == ODAI_OK && v) : empty_allow;
  } else if (odai_calc_input_count(ctx, "DISALLOW")) {
    const odai_packet *p = odai_calc_input(ctx, "DISALLOW", 0);
    allow = p ? !(odai_packet_get_bool(p, &v) == ODAI_OK && v) : empty_allow;
  } else if (odai_packet_get_bool(odai_calc_side_input(ctx, "ALLOW", 0), &v) == ODAI_OK) {
    allow = v;
  } else if (odai_packet_get_bool(odai_calc_side_input(ctx, "DISALLOW", 0), &v) == ODAI_OK) {
    allow = !v;
  }
  odai_status st = ODAI_OK;
  if (s->have_state && s->last != allow && odai_calc_output_count(ctx, "STATE_CHANGE"))
    st = odai_calc_output(ctx, "STATE_CHANGE", 0,
                          odai_packet_new_bool(allow, odai_calc_timestamp(ctx)));
  s->have_state = 1;
  s->last = allow;
  if (!allow || st) return st;
  int n = odai_calc_num_inputs(ctx);
  for (int k = 0; k < n && !st; k++) {
    int idx = 0;
    const char *tag = odai_calc_input_tag_at(ctx, k, &idx);
    const odai_packet *p = odai_calc_input_at(ctx, k);
    if (p && !is_control(tag)) st = odai_calc_output(ctx, tag, idx, odai_packet_ref(p));
  }
  return st;
}

const odai_calculator_def odai_calc_gate = {
    .name = "GateCalculator",
    .description = "forwards inputs while ALLOW (stream, side packet or option) holds",
    .state_size = sizeof(gate),
    .contract = contract,
    .process = process,
};
