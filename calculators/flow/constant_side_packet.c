/* calculators/flow/constant_side_packet.c: ConstantSidePacketCalculator
 * (MediaPipe name and options): output side packet PACKET:i is the i-th
 * `packet { int_value | float_value | double_value | bool_value |
 * string_value | uint64_value }` of mediapipe.ConstantSidePacketCalculatorOptions. */
#include <stdio.h>

#include "calculators/registry.h"
#include "odai/options.h"

#define OPTS "mediapipe.ConstantSidePacketCalculatorOptions"

static odai_status contract(odai_contract *c) {
  odai_status st = odai_contract_output_side(c, "PACKET", ODAI_TYPE_ANY, ODAI_PORT_MULTIPLE);
  if (st) return st;
  odai_contract_options(c, OPTS);
  size_t n = odai_options_count(odai_contract_get_options(c), "packet");
  if ((int)n != odai_contract_output_side_count(c, "PACKET"))
    return odai_contract_error(c, ODAI_E_INVALID,
                               "options list %zu packet values for %d PACKET side packets", n,
                               odai_contract_output_side_count(c, "PACKET"));
  return ODAI_OK;
}

static odai_status open_(odai_calc_ctx *ctx) {
  const odai_options *o = odai_calc_options(ctx);
  size_t n = odai_options_count(o, "packet");
  for (size_t i = 0; i < n; i++) {
    char path[64];
    odai_packet *p = NULL;
#define HAS(f) (snprintf(path, sizeof path, "packet[%zu]." f, i), odai_options_has(o, path))
    if (HAS("int_value") || HAS("uint64_value"))
      p = odai_packet_new_int(odai_options_get_int(o, path, 0), ODAI_TS_UNSET);
    else if (HAS("float_value") || HAS("double_value"))
      p = odai_packet_new_float(odai_options_get_double(o, path, 0), ODAI_TS_UNSET);
    else if (HAS("bool_value"))
      p = odai_packet_new_bool(odai_options_get_bool(o, path, false), ODAI_TS_UNSET);
    else if (HAS("string_value"))
      p = odai_packet_new_string(odai_options_get_string(o, path, ""), ODAI_TS_UNSET);
    else
      return odai_calc_error(ctx, ODAI_E_UNSUPPORTED,
                             "packet %zu: needs int_value, float_value, double_value, bool_value, "
                             "string_value or uint64_value", i);
#undef HAS
    if (!p) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
    odai_status st = odai_calc_side_output(ctx, "PACKET", (int)i, p);
    if (st) return st;
  }
  return ODAI_OK;
}

static odai_status process(odai_calc_ctx *ctx) {
  (void)ctx;
  return ODAI_E_EOF; /* no streams: done at once */
}

const odai_calculator_def odai_calc_constant_side_packet = {
    .name = "ConstantSidePacketCalculator",
    .description = "output side packets with constant values from its options",
    .contract = contract,
    .open = open_,
    .process = process,
};
