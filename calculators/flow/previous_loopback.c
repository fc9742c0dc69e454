/* calculators/flow/previous_loopback.c: PreviousLoopbackCalculator
 * (MediaPipe name): for each MAIN packet at T_k, emits on PREV_LOOP the
 * LOOP packet that had timestamp T_(k-1), restamped to T_k, or an empty
 * packet (a timestamp bound) when there was none or for the first frame.
 * LOOP is a back edge (input_stream_info { tag_index: "LOOP" back_edge:
 * true }); the node uses the immediate handler and waits on LOOP's bound. */
#include <stdlib.h>

#include "calculators/registry.h"

typedef struct loopback {
  odai_timestamp *pending; /* MAIN timestamps waiting for their output */
  size_t n, cap;
  bool have_prev;
  odai_timestamp prev;
  odai_packet *loop; /* newest LOOP packet */
} loopback;

static odai_status contract(odai_contract *c) {
  odai_status st = odai_contract_input(c, "MAIN", ODAI_TYPE_ANY, 0);
  if (!st) st = odai_contract_input(c, "LOOP", ODAI_TYPE_ANY, ODAI_PORT_BACK_EDGE_OK);
  if (!st) st = odai_contract_output(c, "PREV_LOOP", ODAI_TYPE_ANY, 0);
  if (st) return st;
  odai_contract_input_handler(c, "ImmediateInputStreamHandler");
  odai_contract_process_bounds(c, true);
  return ODAI_OK;
}

static odai_status process(odai_calc_ctx *ctx) {
  loopback *s = odai_calc_state(ctx);
  const odai_packet *m = odai_calc_input(ctx, "MAIN", 0);
  const odai_packet *l = odai_calc_input(ctx, "LOOP", 0);
  if (m) {
    if (s->n == s->cap) {
      size_t cap = s->cap ? s->cap * 2 : 8;
      odai_timestamp *v = realloc(s->pending, cap * sizeof *v);
      if (!v) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
      s->pending = v;
      s->cap = cap;
    }
    s->pending[s->n++] = odai_packet_timestamp(m);
  }
  if (l) {
    odai_packet_unref(s->loop);
    s->loop = odai_packet_ref(l);
  }
  odai_timestamp loop_bound = odai_calc_input_bound(ctx, "LOOP", 0);
  size_t done = 0;
  odai_status st = ODAI_OK;
  while (done < s->n && !st) {
    odai_timestamp t = s->pending[done];
    if (s->have_prev && s->loop && odai_packet_timestamp(s->loop) == s->prev) {
      odai_packet *q = odai_packet_at(s->loop, t);
      if (!q) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
      st = odai_calc_output(ctx, "PREV_LOOP", 0, q);
    } else if (!s->have_prev || loop_bound > s->prev) {
      st = odai_calc_set_bound(ctx, "PREV_LOOP", 0, odai_ts_next_allowed(t));
    } else {
      break; /* the LOOP value for prev may still come */
    }
    s->have_prev = true;
    s->prev = t;
    done++;
  }
  if (done) {
    for (size_t i = done; i < s->n; i++) s->pending[i - done] = s->pending[i];
    s->n -= done;
  }
  /* MAIN ended and every MAIN timestamp has its output: end PREV_LOOP, which
   * lets the loop (and then this node) finish. */
  if (!st && s->n == 0 && odai_calc_input_done(ctx, "MAIN", 0))
    st = odai_calc_close_output(ctx, "PREV_LOOP", 0);
  return st;
}

static odai_status close_(odai_calc_ctx *ctx) {
  loopback *s = odai_calc_state(ctx);
  free(s->pending);
  odai_packet_unref(s->loop);
  s->pending = NULL;
  s->loop = NULL;
  return ODAI_OK;
}

const odai_calculator_def odai_calc_previous_loopback = {
    .name = "PreviousLoopbackCalculator",
    .description = "emits, at each MAIN timestamp, the LOOP packet of the previous MAIN timestamp",
    .state_size = sizeof(loopback),
    .contract = contract,
    .process = process,
    .close = close_,
};
