/* calculators/flow/pass_through.c: PassThroughCalculator (MediaPipe name):
 * every input TAG:i is forwarded unchanged to output TAG:i, any type.
 * The cheapest node; bench/graph measures scheduler overhead with it. */
#include <string.h>

#include "calculators/registry.h"

static odai_status contract(odai_contract *c) {
  const char *tag;
  for (int i = 0; (tag = odai_contract_input_tag(c, i)); i++) {
    bool seen = false;
    for (int j = 0; j < i && !seen; j++) seen = !strcmp(odai_contract_input_tag(c, j), tag);
    if (seen) continue;
    odai_status st = odai_contract_input(c, tag, ODAI_TYPE_ANY, ODAI_PORT_MULTIPLE);
    if (!st) st = odai_contract_output(c, tag, ODAI_TYPE_ANY, ODAI_PORT_MULTIPLE);
    if (st) return st;
    if (odai_contract_input_count(c, tag) != odai_contract_output_count(c, tag))
      return odai_contract_error(c, ODAI_E_INVALID,
                                 "needs as many outputs as inputs for tag '%s' (%d in, %d out)",
                                 tag, odai_contract_input_count(c, tag),
                                 odai_contract_output_count(c, tag));
  }
  for (int i = 0; (tag = odai_contract_output_tag(c, i)); i++)
    if (!odai_contract_input_count(c, tag))
      return odai_contract_error(c, ODAI_E_INVALID, "output tag '%s' has no matching input", tag);
  odai_contract_timestamp_offset(c, 0);
  return ODAI_OK;
}

static odai_status process(odai_calc_ctx *ctx) {
  int n = odai_calc_num_inputs(ctx);
  for (int k = 0; k < n; k++) {
    const odai_packet *p = odai_calc_input_at(ctx, k);
    if (!p) continue;
    int idx = 0;
    const char *tag = odai_calc_input_tag_at(ctx, k, &idx);
    odai_status st = odai_calc_output(ctx, tag, idx, odai_packet_ref(p));
    if (st) return st;
  }
  return ODAI_OK;
}

const odai_calculator_def odai_calc_pass_through = {
    .name = "PassThroughCalculator",
    .description = "forwards each input TAG:i to output TAG:i unchanged (any type)",
    .contract = contract,
    .process = process,
};
