/* calculators/flow/flow_limiter.c: FlowLimiterCalculator (MediaPipe name
 * and options). Lets at most max_in_flight frames into the downstream part
 * of a graph; the FINISHED back edge reports a frame done. Frames arriving
 * while the limit is reached wait in a queue of max_in_queue (oldest
 * dropped first) or are dropped, so a slow graph drops frames instead of
 * growing queues. ALLOW (optional) tells, per frame, whether it went in.
 *
 *   node { calculator: "FlowLimiterCalculator"
 *          input_stream: "input_video" input_stream: "FINISHED:out"
 *          input_stream_info { tag_index: "FINISHED" back_edge: true }
 *          output_stream: "throttled" }
 * Options: max_in_flight, max_in_queue, in_flight_timeout (µs of stream
 * time, as MediaPipe: a frame admitted more than this before the newest
 * input is counted as lost, so a frame that never reports FINISHED cannot
 * stall the graph). A FINISHED packet at timestamp t completes every frame
 * admitted at or before t. */
#include <stdlib.h>

#include "calculators/registry.h"
#include "odai/options.h"

#define OPTS "mediapipe.FlowLimiterCalculatorOptions"

typedef struct limiter {
  int max_in_flight, max_in_queue, in_flight;
  int64_t timeout;   /* in_flight_timeout, 0 = none */
  odai_timestamp *fl; /* timestamps of the frames in flight, oldest first (ring) */
  int flhead;
  odai_packet **q; /* FIFO of waiting frames, capacity max_in_queue + 1 */
  int qhead, qcount, qcap;
} limiter;

static odai_status contract(odai_contract *c) {
  odai_status st = odai_contract_input(c, "", ODAI_TYPE_ANY, 0);
  if (!st) st = odai_contract_input(c, "FINISHED", ODAI_TYPE_ANY, ODAI_PORT_OPTIONAL | ODAI_PORT_BACK_EDGE_OK);
  if (!st) st = odai_contract_input(c, "OPTIONS", ODAI_TYPE_ANY, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_output(c, "", ODAI_TYPE_ANY, 0);
  if (!st) st = odai_contract_output(c, "ALLOW", ODAI_TYPE_BOOL, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_input_side(c, "MAX_IN_FLIGHT", ODAI_TYPE_INT, ODAI_PORT_OPTIONAL);
  if (st) return st;
  odai_contract_options(c, OPTS);
  odai_contract_input_handler(c, "ImmediateInputStreamHandler");
  return ODAI_OK;
}

static odai_status open_(odai_calc_ctx *ctx) {
  limiter *s = odai_calc_state(ctx);
  const odai_options *o = odai_calc_options(ctx);
  s->max_in_flight = (int)odai_options_get_int(o, "max_in_flight", 1);
  s->max_in_queue = (int)odai_options_get_int(o, "max_in_queue", 0);
  int64_t side;
  if (odai_packet_get_int(odai_calc_side_input(ctx, "MAX_IN_FLIGHT", 0), &side) == ODAI_OK)
    s->max_in_flight = (int)side;
  if (s->max_in_flight < 1 || s->max_in_queue < 0)
    return odai_calc_error(ctx, ODAI_E_INVALID, "max_in_flight must be >= 1 and max_in_queue >= 0");
  s->timeout = odai_options_get_int(o, "in_flight_timeout", 0);
  if (s->timeout < 0) return odai_calc_error(ctx, ODAI_E_INVALID, "in_flight_timeout must be >= 0");
  s->qcap = s->max_in_queue + 1;
  s->q = calloc((size_t)s->qcap, sizeof *s->q);
  s->fl = calloc((size_t)s->max_in_flight, sizeof *s->fl);
  if (!s->q || !s->fl) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  return ODAI_OK;
}

static odai_status decide(odai_calc_ctx *ctx, odai_packet *frame, bool allow) {
  odai_timestamp ts = odai_packet_timestamp(frame);
  odai_status st = ODAI_OK;
  if (allow) {
    st = odai_calc_output(ctx, "", 0, frame);
  } else {
    odai_packet_unref(frame);
    st = odai_calc_set_bound(ctx, "", 0, odai_ts_next_allowed(ts));
  }
  if (!st && odai_calc_output_count(ctx, "ALLOW"))
    st = odai_calc_output(ctx, "ALLOW", 0, odai_packet_new_bool(allow, ts));
  return st;
}

static void pop_in_flight(limiter *s) {
  s->flhead = (s->flhead + 1) % s->max_in_flight;
  s->in_flight--;
}

static odai_status process(odai_calc_ctx *ctx) {
  limiter *s = odai_calc_state(ctx);
  odai_status st = ODAI_OK;
  const odai_packet *fin = odai_calc_input(ctx, "FINISHED", 0);
  if (fin) {
    odai_timestamp t = odai_packet_timestamp(fin);
    while (s->in_flight > 0 && s->fl[s->flhead] <= t) pop_in_flight(s);
  }
  const odai_packet *in = odai_calc_input(ctx, "", 0);
  if (in && s->timeout > 0) {
    odai_timestamp t = odai_packet_timestamp(in);
    while (s->in_flight > 0 && t - s->fl[s->flhead] > s->timeout) pop_in_flight(s);
  }
  if (in) {
    s->q[(s->qhead + s->qcount) % s->qcap] = odai_packet_ref(in);
    s->qcount++;
  }
  /* Admit frames in timestamp order while there is room, then drop the
   * oldest beyond max_in_queue: decisions are made in timestamp order. */
  while (s->qcount && !st) {
    odai_packet *f = s->q[s->qhead];
    bool allow = s->in_flight < s->max_in_flight;
    if (!allow && s->qcount <= s->max_in_queue) break;
    s->q[s->qhead] = NULL;
    s->qhead = (s->qhead + 1) % s->qcap;
    s->qcount--;
    if (allow) {
      s->fl[(s->flhead + s->in_flight) % s->max_in_flight] = odai_packet_timestamp(f);
      s->in_flight++;
    }
    st = decide(ctx, f, allow);
  }
  return st;
}

static odai_status close_(odai_calc_ctx *ctx) {
  limiter *s = odai_calc_state(ctx);
  /* Frames still waiting when the input ends are dropped (ALLOW false). */
  for (int i = 0; s->q && i < s->qcount; i++)
    decide(ctx, s->q[(s->qhead + i) % s->qcap], false);
  s->qcount = 0;
  free(s->q);
  s->q = NULL;
  free(s->fl);
  s->fl = NULL;
  return ODAI_OK;
}

const odai_calculator_def odai_calc_flow_limiter = {
    .name = "FlowLimiterCalculator",
    .description = "admits at most max_in_flight frames (FINISHED back edge), drops the rest",
    .state_size = sizeof(limiter),
    .contract = contract,
    .open = open_,
    .process = process,
    .close = close_,
};
