/* calculators/doorbell/detections_fill.c: DetectionsFillCalculator: turns
 * "no detections packet at this timestamp" into an empty detections packet
 * for every frame that went through inference (TICK), so that trackers and
 * per-track votes downstream see the frames where nothing was found (a
 * detector subgraph emits nothing then, and a tracker that is not called
 * never ages its tracks: a face leaving and another arriving at the same
 * place minutes later would inherit the old track).
 *
 *   node { calculator: "DetectionsFillCalculator"
 *          input_stream: "TICK:moving_video" input_stream: "DETECTIONS:faces"
 *          output_stream: "DETECTIONS:faces_every_frame" } */
#include "calculators/registry.h"
#include "odai/packet_types.h"

static odai_status df_contract(odai_contract *c) {
  odai_status st = odai_contract_input(c, "TICK", ODAI_TYPE_ANY, 0);
  if (!st) st = odai_contract_input(c, "DETECTIONS", ODAI_TYPE_DETECTIONS, 0);
  if (!st) st = odai_contract_output(c, "DETECTIONS", ODAI_TYPE_DETECTIONS, 0);
  if (st) return st;
  odai_contract_timestamp_offset(c, 0);
  return ODAI_OK;
}

static odai_status df_process(odai_calc_ctx *ctx) {
  const odai_packet *d = odai_calc_input(ctx, "DETECTIONS", 0);
  if (d) return odai_calc_output(ctx, "DETECTIONS", 0, odai_packet_ref(d));
  if (!odai_calc_input(ctx, "TICK", 0)) return ODAI_OK;
  odai_detections *empty = odai_detections_create(0);
  if (!empty) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  odai_packet *p = odai_packet_new_detections(empty, ODAI_TS_UNSET);
  if (!p) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  return odai_calc_output(ctx, "DETECTIONS", 0, p);
}

const odai_calculator_def odai_calc_detections_fill = {
    .name = "DetectionsFillCalculator",
    .description = "an empty detections packet for each TICK frame that has none",
    .state_size = 0,
    .contract = df_contract,
    .process = df_process,
};
