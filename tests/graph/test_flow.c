/* tests/graph/test_flow.c: the flow calculators of calculators/flow/:
 * FlowLimiter under overload (drops frames, queues stay bounded, single
 * thread and pool), Gate (stream, side packet, STATE_CHANGE),
 * PreviousLoopback on a back edge, PacketCloner, PacketThinner (ASYNC,
 * SYNC), SidePacketToStream. Labelled `threads`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "test_sched_util.h"

/* TestAccum: out = A + (B or 0), default (synchronised) handler. */
static odai_status accum_contract(odai_contract *c) {
  odai_status st = odai_contract_input(c, "A", ODAI_TYPE_INT, 0);
  if (!st) st = odai_contract_input(c, "B", ODAI_TYPE_INT, 0);
  if (!st) st = odai_contract_output(c, "", ODAI_TYPE_INT, 0);
  return st;
}
static odai_status accum_process(odai_calc_ctx *ctx) {
  int64_t a = 0, b = 0;
  odai_packet_get_int(odai_calc_input(ctx, "A", 0), &a);
  odai_packet_get_int(odai_calc_input(ctx, "B", 0), &b);
  return odai_calc_output(ctx, "", 0, odai_packet_new_int(a + b, odai_calc_timestamp(ctx)));
}
static const odai_calculator_def k_accum = {
    .name = "TestAccumCalculator", .contract = accum_contract, .process = accum_process};

static int setup(void **state) {
  (void)state;
  return odai_calculator_register(&k_accum, NULL) == ODAI_OK ? 0 : -1;
}

static const char *k_limited =
    "max_queue_size: 16\n"
    "node { calculator: 'CountingSourceCalculator' output_stream: 'frames'\n"
    "       options { max_count: 2000 batch_size: 10 } }\n"
    "node { name: 'limiter' calculator: 'FlowLimiterCalculator'\n"
    "       input_stream: 'frames' input_stream: 'FINISHED:done'\n"
    "       input_stream_info: { tag_index: 'FINISHED' back_edge: true }\n"
    "       output_stream: 'gated' output_stream: 'ALLOW:allowed' }\n"
    "node { calculator: 'PassThroughCalculator' input_stream: 'gated' output_stream: 'w1' }\n"
    "node { calculator: 'PassThroughCalculator' input_stream: 'w1' output_stream: 'w2' }\n"
    "node { calculator: 'PassThroughCalculator' input_stream: 'w2' output_stream: 'done' }\n";

static void test_flow_limiter_bad_option(void **state) {
  (void)state;
  /* max_in_flight: "x" used to be ignored (default 1); now the graph does
   * not start and the message points at the value */
  const char *text =
      "node { calculator: 'CountingSourceCalculator' output_stream: 'frames'\n"
      "       options { max_count: 2 } }\n"
      "node { calculator: 'FlowLimiterCalculator'\n"
      "       input_stream: 'frames' input_stream: 'FINISHED:done'\n"
      "       input_stream_info: { tag_index: 'FINISHED' back_edge: true }\n"
      "       output_stream: 'done'\n"
      "       options { [mediapipe.FlowLimiterCalculatorOptions.ext] { max_in_flight: 'x' } } }\n";
  odai_graph *g = make_graph(text);
  odai_error err = {0};
  odai_status st = odai_graph_start(g, &err);
  if (st == ODAI_OK) st = odai_graph_wait_until_done(g, &err);
  assert_int_equal(st, ODAI_E_INVALID);
  print_message("  %s\n", err.message);
  assert_non_null(strstr(err.message, "FlowLimiterCalculator"));
  assert_non_null(strstr(err.message, "test.pbtxt:7:80: option 'max_in_flight': found string"));
  assert_non_null(strstr(err.message, "expected an integer"));
  odai_graph_destroy(g);
}

static void run_limited(int threads, bool det) {
  static collector out, allow;
  collector_init(&out);
  collector_init(&allow);
  odai_graph *g = make_graph(k_limited);
  assert_int_equal(odai_graph_observe_output(g, "done", collector_cb, &out), ODAI_OK);
  assert_int_equal(odai_graph_observe_output(g, "allowed", collector_cb, &allow), ODAI_OK);
  odai_graph_set_num_threads(g, threads);
  odai_graph_set_deterministic(g, det);
  odai_error err = {0};
  assert_int_equal(odai_graph_start(g, &err), ODAI_OK);
  assert_int_equal(odai_graph_wait_until_done(g, &err), ODAI_OK);
  /* one ALLOW decision per frame, in order; the limiter dropped frames */
  assert_int_equal(allow.n, 2000);
  assert_int_equal(allow.bad_order, 0);
  int admitted = 0;
  for (int i = 0; i < allow.n; i++) admitted += allow.val[i] != 0;
  print_message("  %d threads%s: %d of 2000 frames admitted\n", threads, det ? " (det)" : "",
                admitted);
  assert_int_equal(out.n, admitted);
  assert_int_equal(out.bad_order, 0);
  if (det) assert_true(admitted < 2000);
  assert_true(admitted >= 1);
  /* memory stays bounded: the source is throttled at max_queue_size (16),
   * so no queue holds more than a small multiple of it (a source batch of
   * 10 on top, and what the limiter emits while draining its input),
   * whatever the 2000 frames */
  for (size_t i = 0; i < odai_graph_num_nodes(g); i++) {
    odai_node_stats s;
    assert_int_equal(odai_graph_node_stats(g, i, &s), ODAI_OK);
    if (s.queue_high_water > 2 * (16 + 10))
      fail_msg("node %s: queue high-water %u", s.name, s.queue_high_water);
  }
  odai_graph_destroy(g);
}

static void test_flow_limiter_overload(void **state) {
  (void)state;
  run_limited(1, true);
  run_limited(2, false);
  run_limited(4, false);
}

static void test_flow_limiter_in_flight_timeout(void **state) {
  (void)state;
  /* FINISHED never arrives: without a timeout only the first frame would
   * pass; with in_flight_timeout 100 (stream µs) a frame admitted more than
   * 100 before the newest input counts as lost. Frames at 0, 50, 200, 250,
   * 400 -> 0 (admitted), 50 (0 still in flight), 200 (0 expired), 250
   * (dropped), 400 (200 expired). */
  const char *text =
      "input_stream: 'in' input_stream: 'fin' output_stream: 'out'\n"
      "node { calculator: 'FlowLimiterCalculator' input_stream: 'in' input_stream: 'FINISHED:fin'\n"
      "       output_stream: 'out'\n"
      "       options { [mediapipe.FlowLimiterCalculatorOptions.ext] { in_flight_timeout: 100 } } }\n";
  odai_graph *g = make_graph(text);
  odai_poller *p;
  odai_error e;
  assert_int_equal(odai_graph_add_poller(g, "out", &p, &e), ODAI_OK);
  assert_int_equal(odai_graph_start(g, &e), ODAI_OK);
  const int64_t ts[] = {0, 50, 200, 250, 400};
  for (int i = 0; i < 5; i++) {
    assert_int_equal(odai_graph_add_packet(g, "in", odai_packet_new_int(i, ts[i])), ODAI_OK);
    assert_int_equal(odai_graph_wait_until_idle(g, &e), ODAI_OK);
  }
  assert_int_equal(odai_graph_wait_until_done(g, &e), ODAI_OK);
  const int64_t want[] = {0, 200, 400};
  for (int i = 0; i < 3; i++) {
    odai_packet *o = NULL;
    assert_int_equal(odai_poller_next(p, 0, &o), ODAI_OK);
    assert_int_equal(odai_packet_timestamp(o), want[i]);
    odai_packet_unref(o);
  }
  odai_packet *extra = NULL;
  assert_int_not_equal(odai_poller_next(p, 0, &extra), ODAI_OK);
  odai_graph_destroy(g);
}

static void test_gate(void **state) {
  (void)state;
  static collector out, change;
  collector_init(&out);
  collector_init(&change);
  odai_graph *g = make_graph(
      "input_stream: 'v' input_stream: 'allow'\n"
      "node { calculator: 'GateCalculator' input_stream: 'v' input_stream: 'ALLOW:allow'\n"
      "       output_stream: 'out' output_stream: 'STATE_CHANGE:chg' }");
  odai_graph_observe_output(g, "out", collector_cb, &out);
  odai_graph_observe_output(g, "chg", collector_cb, &change);
  assert_int_equal(odai_graph_start(g, NULL), ODAI_OK);
  for (int i = 0; i < 10; i++) {
    odai_graph_add_packet(g, "v", odai_packet_new_int(i, i));
    if (i != 5) odai_graph_add_packet(g, "allow", odai_packet_new_bool(i < 3 || i > 6, i));
  }
  assert_int_equal(odai_graph_wait_until_done(g, NULL), ODAI_OK);
  /* allowed: 0,1,2 and 7,8,9; ts 5 has no control packet: disallowed */
  assert_int_equal(out.n, 6);
  int64_t want[] = {0, 1, 2, 7, 8, 9};
  for (int i = 0; i < 6; i++) assert_int_equal(out.val[i], want[i]);
  assert_int_equal(change.n, 2);
  assert_int_equal(change.ts[0], 3);
  assert_int_equal(change.val[0], 0);
  assert_int_equal(change.ts[1], 7);
  odai_graph_destroy(g);

  collector_init(&out);
  g = make_graph("input_stream: 'v' input_side_packet: 'ok'\n"
                 "node { calculator: 'GateCalculator' input_stream: 'v'"
                 " input_side_packet: 'DISALLOW:ok' output_stream: 'out' }");
  odai_graph_observe_output(g, "out", collector_cb, &out);
  odai_graph_set_side_packet(g, "ok", odai_packet_new_bool(true, ODAI_TS_UNSET));
  assert_int_equal(odai_graph_start(g, NULL), ODAI_OK);
  for (int i = 0; i < 5; i++) odai_graph_add_packet(g, "v", odai_packet_new_int(i, i));
  assert_int_equal(odai_graph_wait_until_done(g, NULL), ODAI_OK);
  assert_int_equal(out.n, 0);
  odai_graph_destroy(g);
}

static void test_previous_loopback(void **state) {
  (void)state;
  for (int threads = 1; threads <= 3; threads += 2) {
    static collector out;
    collector_init(&out);
    odai_graph *g = make_graph(
        "input_stream: 'in'\n"
        "node { calculator: 'PreviousLoopbackCalculator' input_stream: 'MAIN:in'\n"
        "       input_stream: 'LOOP:sum' input_stream_info: { tag_index: 'LOOP' back_edge: true }\n"
        "       output_stream: 'PREV_LOOP:prev' }\n"
        "node { calculator: 'TestAccumCalculator' input_stream: 'A:in' input_stream: 'B:prev'\n"
        "       output_stream: 'sum' }\n");
    odai_graph_observe_output(g, "sum", collector_cb, &out);
    odai_graph_set_num_threads(g, threads);
    assert_int_equal(odai_graph_start(g, NULL), ODAI_OK);
    for (int i = 1; i <= 100; i++)
      assert_int_equal(odai_graph_add_packet(g, "in", odai_packet_new_int(i, i * 10)), ODAI_OK);
    assert_int_equal(odai_graph_wait_until_done(g, NULL), ODAI_OK);
    assert_int_equal(out.n, 100);
    for (int i = 1; i <= 100; i++) assert_int_equal(out.val[i - 1], i * (i + 1) / 2);
    odai_graph_destroy(g);
  }
}

static void test_packet_cloner(void **state) {
  (void)state;
  static collector out;
  collector_init(&out);
  odai_graph *g = make_graph(
      "input_stream: 'base' input_stream: 'tick'\n"
      "node { calculator: 'PacketClonerCalculator' input_stream: 'base' input_stream: 'tick'\n"
      "       output_stream: 'cloned' }");
  odai_graph_observe_output(g, "cloned", collector_cb, &out);
  assert_int_equal(odai_graph_start(g, NULL), ODAI_OK);
  odai_graph_add_packet(g, "tick", odai_packet_new_int(-1, 0)); /* nothing to clone yet */
  odai_graph_wait_until_idle(g, NULL);
  odai_graph_add_packet(g, "base", odai_packet_new_int(7, 1));
  odai_graph_wait_until_idle(g, NULL);
  odai_graph_add_packet(g, "tick", odai_packet_new_int(-1, 2));
  odai_graph_add_packet(g, "tick", odai_packet_new_int(-1, 3));
  odai_graph_wait_until_idle(g, NULL);
  odai_graph_add_packet(g, "base", odai_packet_new_int(8, 4));
  odai_graph_wait_until_idle(g, NULL);
  odai_graph_add_packet(g, "tick", odai_packet_new_int(-1, 5));
  assert_int_equal(odai_graph_wait_until_done(g, NULL), ODAI_OK);
  assert_int_equal(out.n, 3);
  assert_int_equal(out.ts[0], 2);
  assert_int_equal(out.val[0], 7);
  assert_int_equal(out.ts[1], 3);
  assert_int_equal(out.val[2], 8);
  assert_int_equal(out.ts[2], 5);
  odai_graph_destroy(g);
}

static void test_packet_thinner(void **state) {
  (void)state;
  static collector a, s;
  collector_init(&a);
  collector_init(&s);
  odai_graph *g = make_graph(
      "input_stream: 'in'\n"
      "node { calculator: 'PacketThinnerCalculator' input_stream: 'in' output_stream: 'async'\n"
      "  options { [mediapipe.PacketThinnerCalculatorOptions.ext] { period: 10 } } }\n"
      "node { calculator: 'PacketThinnerCalculator' input_stream: 'in' output_stream: 'sync'\n"
      "  node_options: { [type.googleapis.com/mediapipe.PacketThinnerCalculatorOptions] {\n"
      "    thinner_type: SYNC period: 10 } } }\n");
  odai_graph_observe_output(g, "async", collector_cb, &a);
  odai_graph_observe_output(g, "sync", collector_cb, &s);
  assert_int_equal(odai_graph_start(g, NULL), ODAI_OK);
  int64_t ts[] = {0, 3, 9, 10, 12, 21, 25, 33, 41};
  for (size_t i = 0; i < sizeof ts / sizeof *ts; i++)
    odai_graph_add_packet(g, "in", odai_packet_new_int((int64_t)i, ts[i]));
  assert_int_equal(odai_graph_wait_until_done(g, NULL), ODAI_OK);
  /* ASYNC: 0, 10, 21, 33 (>= 10 since the last one kept) */
  assert_int_equal(a.n, 4);
  assert_int_equal(a.ts[1], 10);
  assert_int_equal(a.ts[2], 21);
  assert_int_equal(a.ts[3], 33);
  /* SYNC (MediaPipe's rule): intervals centred on 0, 10, 20, ...; of each
   * interval the most central packet (ties: the later one), restamped to the
   * centre, emitted when a later interval starts or at close:
   * {0,3}->0 (0), {9,10,12}->10 (10), {21}->20, {25,33}->30 (33), {41}->40 */
  assert_int_equal(s.n, 5);
  const int64_t sts[] = {0, 10, 20, 30, 40}, sval[] = {0, 3, 5, 7, 8};
  for (int i = 0; i < 5; i++) {
    assert_int_equal(s.ts[i], sts[i]);
    assert_int_equal(s.val[i], sval[i]);
  }
  odai_graph_destroy(g);
}

/* SYNC without restamping, start_time/end_time, the PERIOD side packet, and
 * the errors of open. */
static void test_packet_thinner_options(void **state) {
  (void)state;
  static collector k, w;
  collector_init(&k);
  collector_init(&w);
  odai_graph *g = make_graph(
      "input_stream: 'in' input_side_packet: 'period'\n"
      "node { calculator: 'PacketThinnerCalculator' input_stream: 'in' output_stream: 'keep'\n"
      "  options { [mediapipe.PacketThinnerCalculatorOptions.ext] {\n"
      "    thinner_type: SYNC period: 10 sync_output_timestamps: false } } }\n"
      "node { calculator: 'PacketThinnerCalculator' input_stream: 'in' output_stream: 'window'\n"
      "  input_side_packet: 'PERIOD:period'\n"
      "  options { [mediapipe.PacketThinnerCalculatorOptions.ext] {\n"
      "    period: 1000 start_time: 5 end_time: 30 } } }\n");
  odai_graph_observe_output(g, "keep", collector_cb, &k);
  odai_graph_observe_output(g, "window", collector_cb, &w);
  odai_graph_set_side_packet(g, "period", odai_packet_new_int(10, ODAI_TS_UNSET));
  assert_int_equal(odai_graph_start(g, NULL), ODAI_OK);
  int64_t ts[] = {0, 3, 9, 10, 12, 21, 25, 33, 41};
  for (size_t i = 0; i < sizeof ts / sizeof *ts; i++)
    odai_graph_add_packet(g, "in", odai_packet_new_int((int64_t)i, ts[i]));
  assert_int_equal(odai_graph_wait_until_done(g, NULL), ODAI_OK);
  /* same choice as above, original timestamps */
  const int64_t kts[] = {0, 10, 21, 33, 41};
  assert_int_equal(k.n, 5);
  for (int i = 0; i < 5; i++) assert_int_equal(k.ts[i], kts[i]);
  /* ASYNC, the side packet's period 10 over the option's 1000, only
   * [5, 30): 9, 21 (12 is < 9 + 10) */
  assert_int_equal(w.n, 2);
  assert_int_equal(w.ts[0], 9);
  assert_int_equal(w.ts[1], 21);
  odai_graph_destroy(g);

  odai_error err = {0};
  g = make_graph("input_stream: 'in'\n"
                 "node { calculator: 'PacketThinnerCalculator' input_stream: 'in' output_stream: 'o'\n"
                 "  options { [mediapipe.PacketThinnerCalculatorOptions.ext] { period: 0 } } }\n");
  assert_int_not_equal(odai_graph_start(g, &err), ODAI_OK);
  assert_non_null(strstr(err.message, "period must be positive"));
  odai_graph_destroy(g);
  g = make_graph("input_stream: 'in'\n"
                 "node { calculator: 'PacketThinnerCalculator' input_stream: 'in' output_stream: 'o'\n"
                 "  options { [mediapipe.PacketThinnerCalculatorOptions.ext] { start_time: 9 end_time: 9 } } }\n");
  assert_int_not_equal(odai_graph_start(g, &err), ODAI_OK);
  assert_non_null(strstr(err.message, "must be earlier than end_time"));
  odai_graph_destroy(g);
}

static void test_side_packet_to_stream(void **state) {
  (void)state;
  static collector z, t;
  collector_init(&z);
  collector_init(&t);
  odai_graph *g = make_graph(
      "input_side_packet: 'k' input_stream: 'tick'\n"
      "node { calculator: 'SidePacketToStreamCalculator' input_side_packet: 'k'"
      " output_stream: 'AT_ZERO:z' }\n"
      "node { calculator: 'SidePacketToStreamCalculator' input_side_packet: 'k'"
      " input_stream: 'TICK:tick' output_stream: 'AT_TICK:t' }\n");
  odai_graph_observe_output(g, "z", collector_cb, &z);
  odai_graph_observe_output(g, "t", collector_cb, &t);
  odai_graph_set_side_packet(g, "k", odai_packet_new_int(42, ODAI_TS_UNSET));
  assert_int_equal(odai_graph_start(g, NULL), ODAI_OK);
  for (int i = 0; i < 3; i++) odai_graph_add_packet(g, "tick", odai_packet_new_int(0, 100 + i));
  assert_int_equal(odai_graph_wait_until_done(g, NULL), ODAI_OK);
  assert_int_equal(z.n, 1);
  assert_int_equal(z.ts[0], 0);
  assert_int_equal(z.val[0], 42);
  assert_int_equal(t.n, 3);
  assert_int_equal(t.ts[2], 102);
  assert_int_equal(t.val[2], 42);
  odai_graph_destroy(g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_flow_limiter_overload), cmocka_unit_test(test_flow_limiter_bad_option),
      cmocka_unit_test(test_flow_limiter_in_flight_timeout), cmocka_unit_test(test_gate),
      cmocka_unit_test(test_previous_loopback),     cmocka_unit_test(test_packet_cloner),
      cmocka_unit_test(test_packet_thinner), cmocka_unit_test(test_packet_thinner_options),        cmocka_unit_test(test_side_packet_to_stream),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
