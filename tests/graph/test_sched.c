/* tests/graph/test_sched.c: the threaded scheduler: chains, graph inputs
 * and pollers, determinism (single thread vs pool), a user calculator
 * registered at run time, errors mid-stream (every opened node closed),
 * cancel, non-blocking add (ODAI_E_AGAIN), max_queue_size throttling,
 * side packets and executors. Labelled `threads` (run under TSan in CI). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "test_sched_util.h"

/* ---- user calculators registered at run time ---- */

static atomic_int g_opened, g_closed;

/* SumCalculator: default (synchronised) handler over inputs A and B. */
static odai_status sum_contract(odai_contract *c) {
  odai_status st = odai_contract_input(c, "A", ODAI_TYPE_INT, 0);
  if (!st) st = odai_contract_input(c, "B", ODAI_TYPE_INT, 0);
  if (!st) st = odai_contract_output(c, "", ODAI_TYPE_INT, 0);
  odai_contract_timestamp_offset(c, 0);
  return st;
}
static odai_status sum_open(odai_calc_ctx *ctx) {
  (void)ctx;
  atomic_fetch_add(&g_opened, 1);
  return ODAI_OK;
}
static odai_status sum_close(odai_calc_ctx *ctx) {
  (void)ctx;
  atomic_fetch_add(&g_closed, 1);
  return ODAI_OK;
}
static odai_status sum_process(odai_calc_ctx *ctx) {
  int64_t a = 0, b = -1; /* B may be empty at a timestamp (thinned out) */
  if (odai_packet_get_int(odai_calc_input(ctx, "A", 0), &a))
    return odai_calc_error(ctx, ODAI_E_INVALID, "missing input A");
  odai_packet_get_int(odai_calc_input(ctx, "B", 0), &b);
  return odai_calc_output(ctx, "", 0, odai_packet_new_int(a * 1000 + b, odai_calc_timestamp(ctx)));
}
static const odai_calculator_def k_sum = {
    .name = "TestSumCalculator", .state_size = 0, .contract = sum_contract,
    .open = sum_open, .process = sum_process, .close = sum_close};

/* FailAtCalculator: passes ints through, fails on value 50. */
static odai_status fail_contract(odai_contract *c) {
  odai_status st = odai_contract_input(c, "", ODAI_TYPE_INT, 0);
  if (!st) st = odai_contract_output(c, "", ODAI_TYPE_INT, 0);
  return st;
}
static odai_status fail_process(odai_calc_ctx *ctx) {
  int64_t v = 0;
  odai_packet_get_int(odai_calc_input(ctx, "", 0), &v);
  if (v == 50) return odai_calc_error(ctx, ODAI_E_CORRUPT, "value %lld is cursed", (long long)v);
  return odai_calc_output(ctx, "", 0, odai_packet_ref(odai_calc_input(ctx, "", 0)));
}
static const odai_calculator_def k_fail = {
    .name = "TestFailAtCalculator", .contract = fail_contract,
    .open = sum_open, .process = fail_process, .close = sum_close};

/* BlockCalculator: blocks in process until g_release is set. */
static atomic_int g_release, g_in_process;
static odai_status block_process(odai_calc_ctx *ctx) {
  atomic_fetch_add(&g_in_process, 1);
  while (!atomic_load(&g_release)) {
    struct timespec ts = {0, 200000};
    nanosleep(&ts, NULL);
  }
  return odai_calc_output(ctx, "", 0, odai_packet_ref(odai_calc_input(ctx, "", 0)));
}
static const odai_calculator_def k_block = {
    .name = "TestBlockCalculator", .contract = fail_contract, .process = block_process};

/* TakeCalculator: passes 5 packets, then ends itself (ODAI_E_EOF). */
static odai_status take_process(odai_calc_ctx *ctx) {
  int *n = odai_calc_state(ctx);
  if (++*n > 5) return ODAI_E_EOF;
  return odai_calc_output(ctx, "", 0, odai_packet_ref(odai_calc_input(ctx, "", 0)));
}
static const odai_calculator_def k_take = {
    .name = "TestTakeCalculator", .state_size = sizeof(int), .contract = fail_contract,
    .process = take_process};

/* TestBrokenSourceCalculator: emits 0..9, then fails like a truncated image
 * in a folder or an unplugged camera. */
static odai_status bsrc_contract(odai_contract *c) {
  return odai_contract_output(c, "", ODAI_TYPE_INT, 0);
}
static odai_status bsrc_process(odai_calc_ctx *ctx) {
  int *i = odai_calc_state(ctx);
  if (*i == 10) return odai_calc_error(ctx, ODAI_E_CORRUPT, "frame 10 is truncated");
  odai_status st = odai_calc_output(ctx, "", 0, odai_packet_new_int(*i, *i));
  (*i)++;
  return st;
}
static const odai_calculator_def k_bsrc = {
    .name = "TestBrokenSourceCalculator", .state_size = sizeof(int), .contract = bsrc_contract,
    .process = bsrc_process};

static int setup(void **state) {
  (void)state;
  assert_int_equal(odai_calculator_register(&k_bsrc, NULL), ODAI_OK);
  assert_int_equal(odai_calculator_register(&k_sum, NULL), ODAI_OK);
  assert_int_equal(odai_calculator_register(&k_fail, NULL), ODAI_OK);
  assert_int_equal(odai_calculator_register(&k_block, NULL), ODAI_OK);
  assert_int_equal(odai_calculator_register(&k_take, NULL), ODAI_OK);
  return 0;
}

/* A source that fails mid-stream: the frames it produced before are still
 * processed to the end of the graph (nothing already read is lost), then
 * the graph ends with the source's error. */
static void test_source_error_drains(void **state) {
  (void)state;
  for (int threads = 1; threads <= 4; threads *= 2) {
    static collector out;
    collector_init(&out);
    odai_graph *g = make_graph(
        "node { name: 'src' calculator: 'TestBrokenSourceCalculator' output_stream: 'a' }\n"
        "node { calculator: 'PassThroughCalculator' input_stream: 'a' output_stream: 'b' }\n"
        "node { calculator: 'PassThroughCalculator' input_stream: 'b' output_stream: 'c' }\n");
    assert_int_equal(odai_graph_observe_output(g, "c", collector_cb, &out), ODAI_OK);
    odai_graph_set_num_threads(g, threads);
    odai_error err = {0};
    assert_int_equal(odai_graph_start(g, &err), ODAI_OK);
    assert_int_equal(odai_graph_wait_until_done(g, &err), ODAI_E_CORRUPT);
    assert_non_null(strstr(err.message, "frame 10 is truncated"));
    assert_non_null(strstr(err.message, "'src'"));
    assert_int_equal(out.n, 10);
    assert_int_equal(out.bad_order, 0);
    odai_graph_destroy(g);
  }
}

static void test_register_runtime(void **state) {
  (void)state;
  assert_ptr_equal(odai_calculator_find("TestSumCalculator"), &k_sum);
  assert_int_equal(odai_calculator_register(&k_sum, NULL), ODAI_OK); /* same pointer: no-op */
  static const odai_calculator_def clash = {.name = "PassThroughCalculator",
                                            .contract = fail_contract,
                                            .process = fail_process};
  odai_error err;
  assert_int_equal(odai_calculator_register(&clash, &err), ODAI_E_INVALID);
  assert_non_null(odai_calculator_find("FlowLimiterCalculator"));
  assert_null(odai_calculator_find("NoSuchCalculator"));
  bool seen = false;
  for (size_t i = 0; odai_calculator_at(i); i++)
    seen = seen || odai_calculator_at(i) == &k_sum;
  assert_true(seen);
}

static const char *k_chain =
    "node { calculator: 'CountingSourceCalculator' output_stream: 'c0'\n"
    "       options { max_count: 500 batch_size: 3 } }\n"
    "node { calculator: 'PassThroughCalculator' input_stream: 'c0' output_stream: 'c1' }\n"
    "node { calculator: 'PassThroughCalculator' input_stream: 'c1' output_stream: 'c2' }\n"
    "node { calculator: 'PassThroughCalculator' input_stream: 'c2' output_stream: 'out' }\n";

static void run_chain(int threads, bool det) {
  static collector c;
  collector_init(&c);
  odai_graph *g = make_graph(k_chain);
  assert_int_equal(odai_graph_observe_output(g, "out", collector_cb, &c), ODAI_OK);
  odai_graph_set_num_threads(g, threads);
  odai_graph_set_deterministic(g, det);
  odai_error err = {0};
  assert_int_equal(odai_graph_start(g, &err), ODAI_OK);
  assert_int_equal(odai_graph_wait_until_done(g, &err), ODAI_OK);
  assert_int_equal(c.n, 500);
  assert_int_equal(c.bad_order, 0);
  for (int i = 0; i < 500; i++) {
    assert_int_equal(c.val[i], i);
    assert_int_equal(c.ts[i], i);
  }
  odai_node_stats s;
  assert_int_equal(odai_graph_node_stats(g, 1, &s), ODAI_OK);
  assert_int_equal(s.packets_in, 500);
  assert_int_equal(s.packets_out, 500);
  odai_graph_destroy(g);
}

static void test_chain(void **state) {
  (void)state;
  run_chain(1, false);
  run_chain(4, false);
  run_chain(0, true);
}

/* Diamond with a synchronising join: identical results single vs pool. */
static const char *k_diamond =
    "input_stream: 'in'\n"
    "node { calculator: 'PassThroughCalculator' input_stream: 'in' output_stream: 'a' }\n"
    "node { calculator: 'PacketThinnerCalculator' input_stream: 'in' output_stream: 'b'\n"
    "  options { [mediapipe.PacketThinnerCalculatorOptions.ext] { period: 3 } } }\n"
    "node { calculator: 'TestSumCalculator' input_stream: 'A:a' input_stream: 'B:b'\n"
    "       output_stream: 'out' }\n";

static int run_diamond(int threads, bool det, collector *c) {
  collector_init(c);
  odai_graph *g = make_graph(k_diamond);
  assert_int_equal(odai_graph_observe_output(g, "out", collector_cb, c), ODAI_OK);
  odai_graph_set_num_threads(g, threads);
  odai_graph_set_deterministic(g, det);
  odai_graph_set_max_queue_size(g, 8);
  assert_int_equal(odai_graph_start(g, NULL), ODAI_OK);
  for (int i = 0; i < 300; i++)
    assert_int_equal(odai_graph_add_packet(g, "in", odai_packet_new_int(i, i * 2)), ODAI_OK);
  odai_error err = {0};
  assert_int_equal(odai_graph_wait_until_done(g, &err), ODAI_OK);
  odai_graph_destroy(g);
  return c->n;
}

static void test_deterministic_identical(void **state) {
  (void)state;
  static collector a, b;
  atomic_store(&g_opened, 0);
  atomic_store(&g_closed, 0);
  run_diamond(1, true, &a);
  run_diamond(4, false, &b);
  assert_int_equal(a.n, 300);
  assert_int_equal(b.n, a.n);
  assert_memory_equal(a.ts, b.ts, sizeof(int64_t) * (size_t)a.n);
  assert_memory_equal(a.val, b.val, sizeof(int64_t) * (size_t)a.n);
  /* the thinner keeps timestamps 0, 4, 8, ... (period 3 over 0, 2, 4, ...):
   * the join sees B empty at the others, through bound propagation */
  assert_int_equal(a.val[0], 0);
  assert_int_equal(a.val[1], 1 * 1000 - 1);
  assert_int_equal(a.val[2], 2 * 1000 + 2);
  assert_int_equal(a.val[3], 3 * 1000 - 1);
  assert_int_equal(atomic_load(&g_opened), 2);
  assert_int_equal(atomic_load(&g_closed), 2);
}

static void test_poller_graph_input(void **state) {
  (void)state;
  odai_graph *g = make_graph("input_stream: 'in' output_stream: 'out'\n"
                             "node { calculator: 'PassThroughCalculator' input_stream: 'in'"
                             " output_stream: 'out' }");
  odai_poller *p = NULL;
  assert_int_equal(odai_graph_add_poller(g, "out", &p, NULL), ODAI_OK);
  assert_int_equal(odai_graph_start(g, NULL), ODAI_OK);
  for (int i = 0; i < 10; i++)
    assert_int_equal(odai_graph_add_packet(g, "in", odai_packet_new_int(i, i)), ODAI_OK);
  /* timestamps must increase */
  assert_int_equal(odai_graph_add_packet(g, "in", odai_packet_new_int(0, 3)), ODAI_E_INVALID);
  assert_int_equal(odai_graph_add_packet(g, "nope", odai_packet_new_int(0, 30)), ODAI_E_NOT_FOUND);
  for (int i = 0; i < 10; i++) {
    odai_packet *pkt = NULL;
    assert_int_equal(odai_poller_next(p, -1, &pkt), ODAI_OK);
    int64_t v;
    assert_int_equal(odai_packet_get_int(pkt, &v), ODAI_OK);
    assert_int_equal(v, i);
    odai_packet_unref(pkt);
  }
  odai_packet *pkt = NULL;
  assert_int_equal(odai_poller_next(p, 10, &pkt), ODAI_E_TIMEOUT);
  assert_int_equal(odai_graph_wait_until_idle(g, NULL), ODAI_OK);
  assert_int_equal(odai_graph_close_input(g, "in"), ODAI_OK);
  assert_int_equal(odai_poller_next(p, -1, &pkt), ODAI_E_EOF);
  assert_int_equal(odai_graph_wait_until_done(g, NULL), ODAI_OK);
  odai_graph_destroy(g);
}

static void test_error_mid_stream(void **state) {
  (void)state;
  atomic_store(&g_opened, 0);
  atomic_store(&g_closed, 0);
  for (int threads = 1; threads <= 3; threads += 2) {
    static collector c;
    collector_init(&c);
    odai_graph *g = make_graph(
        "node { calculator: 'CountingSourceCalculator' output_stream: 'c' }\n"
        "node { calculator: 'PassThroughCalculator' input_stream: 'c' output_stream: 'd' }\n"
        "node { name: 'cursed' calculator: 'TestFailAtCalculator' input_stream: 'd'"
        " output_stream: 'e' }\n"
        "node { calculator: 'TestFailAtCalculator' input_stream: 'c' output_stream: 'f' }\n"
        "node { calculator: 'PassThroughCalculator' input_stream: 'e' output_stream: 'out' }\n");
    assert_int_equal(odai_graph_observe_output(g, "out", collector_cb, &c), ODAI_OK);
    odai_graph_set_num_threads(g, threads);
    assert_int_equal(odai_graph_start(g, NULL), ODAI_OK);
    odai_error err = {0};
    assert_int_equal(odai_graph_wait_until_done(g, &err), ODAI_E_CORRUPT);
    assert_non_null(strstr(err.message, "is cursed"));
    assert_non_null(strstr(err.message, "TestFailAtCalculator"));
    assert_true(c.n <= 50);
    odai_error last;
    assert_int_equal(odai_graph_last_error(g, &last), ODAI_E_CORRUPT);
    odai_graph_destroy(g);
    assert_int_equal(atomic_load(&g_opened), atomic_load(&g_closed));
  }
  assert_int_equal(atomic_load(&g_opened), 4);
}

static void test_open_error_closes_opened(void **state) {
  (void)state;
  atomic_store(&g_opened, 0);
  atomic_store(&g_closed, 0);
  odai_graph *g = make_graph(
      "input_stream: 'a'\n"
      "node { calculator: 'TestFailAtCalculator' input_stream: 'a' output_stream: 'b' }\n"
      "node { calculator: 'FlowLimiterCalculator' input_stream: 'b' output_stream: 'c'\n"
      "  options { [mediapipe.FlowLimiterCalculatorOptions.ext] { max_in_flight: 0 } } }\n");
  odai_error err = {0};
  assert_int_equal(odai_graph_start(g, &err), ODAI_E_INVALID);
  assert_non_null(strstr(err.message, "FlowLimiterCalculator"));
  assert_non_null(strstr(err.message, "max_in_flight"));
  assert_int_equal(atomic_load(&g_opened), 1);
  assert_int_equal(atomic_load(&g_closed), 1);
  assert_int_equal(odai_graph_add_packet(g, "a", odai_packet_new_int(1, 1)), ODAI_E_CANCELLED);
  odai_graph_destroy(g);
}

static void *wait_thread(void *arg) {
  return (void *)(intptr_t)odai_graph_wait_until_done(arg, NULL);
}

static void *cancel_thread(void *arg) {
  struct timespec ts = {0, 2000000};
  nanosleep(&ts, NULL);
  odai_graph_cancel(arg);
  return NULL;
}

static void test_cancel(void **state) {
  (void)state;
  odai_graph *g = make_graph(
      "node { calculator: 'CountingSourceCalculator' output_stream: 'c' }\n"
      "node { calculator: 'PassThroughCalculator' input_stream: 'c' output_stream: 'out' }\n");
  odai_poller *p;
  assert_int_equal(odai_graph_add_poller(g, "out", &p, NULL), ODAI_OK);
  odai_graph_set_num_threads(g, 2);
  assert_int_equal(odai_graph_start(g, NULL), ODAI_OK);
  for (int i = 0; i < 20; i++) {
    odai_packet *pkt = NULL;
    assert_int_equal(odai_poller_next(p, -1, &pkt), ODAI_OK);
    odai_packet_unref(pkt);
  }
  odai_graph_cancel(g);
  odai_graph_cancel(g);
  odai_error err = {0};
  assert_int_equal(odai_graph_wait_until_done(g, &err), ODAI_E_CANCELLED);
  odai_packet *pkt = NULL;
  while (odai_poller_next(p, 0, &pkt) == ODAI_OK) odai_packet_unref(pkt);
  assert_int_equal(odai_poller_next(p, -1, &pkt), ODAI_E_EOF);
  odai_graph_destroy(g);

  /* two threads waiting at once while a third cancels */
  g = make_graph("node { calculator: 'CountingSourceCalculator' output_stream: 'c' }\n"
                 "node { calculator: 'PassThroughCalculator' input_stream: 'c' output_stream: 'o' }");
  assert_int_equal(odai_graph_start(g, NULL), ODAI_OK);
  pthread_t waiter, canceller;
  assert_int_equal(pthread_create(&waiter, NULL, wait_thread, g), 0);
  assert_int_equal(pthread_create(&canceller, NULL, cancel_thread, g), 0);
  assert_int_equal(odai_graph_wait_until_done(g, &err), ODAI_E_CANCELLED);
  void *res = NULL;
  pthread_join(waiter, &res);
  pthread_join(canceller, NULL);
  assert_int_equal((intptr_t)res, ODAI_E_CANCELLED);
  odai_graph_destroy(g);

  /* destroy of a running graph cancels it */
  g = make_graph("node { calculator: 'CountingSourceCalculator' output_stream: 'c' }\n"
                 "node { calculator: 'PassThroughCalculator' input_stream: 'c' output_stream: 'o' }");
  assert_int_equal(odai_graph_start(g, NULL), ODAI_OK);
  odai_graph_destroy(g);
}

static void test_try_add_again(void **state) {
  (void)state;
  atomic_store(&g_release, 0);
  atomic_store(&g_in_process, 0);
  static collector c;
  collector_init(&c);
  odai_graph *g = make_graph("input_stream: 'in'\nmax_queue_size: 2\n"
                             "node { calculator: 'TestBlockCalculator' input_stream: 'in'"
                             " output_stream: 'out' }");
  assert_int_equal(odai_graph_observe_output(g, "out", collector_cb, &c), ODAI_OK);
  odai_graph_set_num_threads(g, 2);
  assert_int_equal(odai_graph_start(g, NULL), ODAI_OK);
  assert_int_equal(odai_graph_try_add_packet(g, "in", odai_packet_new_int(0, 0)), ODAI_OK);
  while (!atomic_load(&g_in_process)) {
    struct timespec ts = {0, 100000};
    nanosleep(&ts, NULL);
  }
  /* the node holds packet 0; the queue takes 2 more, then it is full */
  odai_status st = ODAI_OK;
  int added = 1;
  odai_packet *pkt = NULL;
  for (int i = 1; i < 10 && st == ODAI_OK; i++) {
    pkt = odai_packet_new_int(i, i);
    st = odai_graph_try_add_packet(g, "in", pkt);
    if (st == ODAI_OK) added++;
  }
  assert_int_equal(st, ODAI_E_AGAIN);
  assert_int_equal(added, 3);
  odai_packet_unref(pkt); /* not consumed on AGAIN */
  atomic_store(&g_release, 1);
  assert_int_equal(odai_graph_add_packet(g, "in", odai_packet_new_int(100, 100)), ODAI_OK);
  assert_int_equal(odai_graph_wait_until_done(g, NULL), ODAI_OK);
  assert_int_equal(c.n, 4);
  odai_graph_destroy(g);
}

/* FixedSizeInputStreamHandler keeps only the newest packets. */
static void test_fixed_size_handler(void **state) {
  (void)state;
  atomic_store(&g_release, 0);
  atomic_store(&g_in_process, 0);
  static collector c;
  collector_init(&c);
  odai_graph *g = make_graph(
      "input_stream: 'in'\n"
      "node { calculator: 'TestBlockCalculator' input_stream: 'in' output_stream: 'out'\n"
      "  input_stream_handler { input_stream_handler: 'FixedSizeInputStreamHandler'\n"
      "    options { [mediapipe.FixedSizeInputStreamHandlerOptions.ext] {\n"
      "      trigger_queue_size: 2 target_queue_size: 1 } } } }");
  assert_int_equal(odai_graph_observe_output(g, "out", collector_cb, &c), ODAI_OK);
  odai_graph_set_num_threads(g, 2);
  assert_int_equal(odai_graph_start(g, NULL), ODAI_OK);
  assert_int_equal(odai_graph_add_packet(g, "in", odai_packet_new_int(0, 0)), ODAI_OK);
  while (!atomic_load(&g_in_process)) {
    struct timespec ts = {0, 100000};
    nanosleep(&ts, NULL);
  }
  /* queue depth after each add: 1, 2, 3→1, 2, 3→1, ... so 9 and 10 remain */
  for (int i = 1; i <= 10; i++)
    assert_int_equal(odai_graph_add_packet(g, "in", odai_packet_new_int(i, i)), ODAI_OK);
  atomic_store(&g_release, 1);
  assert_int_equal(odai_graph_wait_until_done(g, NULL), ODAI_OK);
  assert_int_equal(c.n, 3);
  assert_int_equal(c.val[0], 0);
  assert_int_equal(c.val[1], 9);
  assert_int_equal(c.val[2], 10);
  odai_graph_destroy(g);

  odai_graph *bad = NULL;
  odai_error err = {0};
  const char *t = "input_stream: 'in'\n"
                  "node { calculator: 'PassThroughCalculator' input_stream: 'in' output_stream: 'o'\n"
                  "  input_stream_handler { input_stream_handler: 'MagicInputStreamHandler' } }";
  assert_int_equal(odai_graph_create(t, strlen(t), "h.pbtxt", &bad, &err), ODAI_E_UNSUPPORTED);
  assert_non_null(strstr(err.message, "MagicInputStreamHandler"));
}

static void test_max_queue_throttles_source(void **state) {
  (void)state;
  static collector c;
  collector_init(&c);
  odai_graph *g = make_graph(
      "max_queue_size: 5\n"
      "node { calculator: 'CountingSourceCalculator' output_stream: 'c'"
      " options { max_count: 3000 } }\n"
      "node { calculator: 'TestBlockCalculator' input_stream: 'c' output_stream: 'out' }\n");
  atomic_store(&g_release, 1);
  assert_int_equal(odai_graph_observe_output(g, "out", collector_cb, &c), ODAI_OK);
  odai_graph_set_num_threads(g, 2);
  assert_int_equal(odai_graph_start(g, NULL), ODAI_OK);
  assert_int_equal(odai_graph_wait_until_done(g, NULL), ODAI_OK);
  assert_int_equal(c.n, 3000);
  odai_node_stats s;
  assert_int_equal(odai_graph_node_stats(g, 1, &s), ODAI_OK);
  assert_true(s.queue_high_water <= 5);
  odai_graph_destroy(g);
}

/* A consumer that ends early drops later packets: no throttling, no growth. */
static void test_early_eof_consumer(void **state) {
  (void)state;
  static collector c, all;
  collector_init(&c);
  collector_init(&all);
  odai_graph *g = make_graph(
      "max_queue_size: 4\n"
      "node { calculator: 'CountingSourceCalculator' output_stream: 'c'"
      " options { max_count: 2000 } }\n"
      "node { calculator: 'TestTakeCalculator' input_stream: 'c' output_stream: 'out' }\n"
      "node { calculator: 'PassThroughCalculator' input_stream: 'c' output_stream: 'all' }\n");
  assert_int_equal(odai_graph_observe_output(g, "out", collector_cb, &c), ODAI_OK);
  assert_int_equal(odai_graph_observe_output(g, "all", collector_cb, &all), ODAI_OK);
  odai_graph_set_num_threads(g, 2);
  assert_int_equal(odai_graph_start(g, NULL), ODAI_OK);
  assert_int_equal(odai_graph_wait_until_done(g, NULL), ODAI_OK);
  assert_int_equal(c.n, 5);
  assert_int_equal(all.n, 2000);
  odai_node_stats s;
  assert_int_equal(odai_graph_node_stats(g, 1, &s), ODAI_OK);
  assert_true(s.queue_high_water <= 4);
  odai_graph_destroy(g);
}

/* A registered subgraph is expanded inline and runs. */
static void test_subgraph_runs(void **state) {
  (void)state;
  const char *sub = "type: 'TestTwoStages'\n"
                    "input_stream: 'IN:x' output_stream: 'OUT:y'\n"
                    "node { calculator: 'PassThroughCalculator' input_stream: 'x' output_stream: 'm' }\n"
                    "node { calculator: 'PassThroughCalculator' input_stream: 'm' output_stream: 'y' }\n";
  odai_error err = {0};
  assert_int_equal(odai_graph_register_subgraph(sub, strlen(sub), "sub.pbtxt", &err), ODAI_OK);
  static collector c;
  collector_init(&c);
  odai_graph *g = make_graph(
      "node { calculator: 'CountingSourceCalculator' output_stream: 'c' options { max_count: 9 } }\n"
      "node { calculator: 'TestTwoStages' input_stream: 'IN:c' output_stream: 'OUT:out' }\n");
  assert_int_equal(odai_graph_num_nodes(g), 3);
  assert_int_equal(odai_graph_observe_output(g, "out", collector_cb, &c), ODAI_OK);
  assert_int_equal(odai_graph_start(g, NULL), ODAI_OK);
  assert_int_equal(odai_graph_wait_until_done(g, NULL), ODAI_OK);
  assert_int_equal(c.n, 9);
  odai_graph_destroy(g);
}

static void test_side_packets_and_executors(void **state) {
  (void)state;
  static collector c;
  collector_init(&c);
  /* a required side packet that nobody provides */
  odai_graph *g = make_graph(
      "input_side_packet: 'n'\n"
      "node { name: 's2s' calculator: 'SidePacketToStreamCalculator' input_side_packet: 'n'"
      " output_stream: 'AT_ZERO:z' }\n");
  odai_error err = {0};
  assert_int_equal(odai_graph_start(g, &err), ODAI_E_NOT_FOUND); /* 'n' missing */
  assert_non_null(strstr(err.message, "'n'"));
  assert_non_null(strstr(err.message, "'s2s'"));
  odai_graph_destroy(g);


  /* an optional side packet (FlowLimiter's MAX_IN_FLIGHT) may be left out */
  g = make_graph("input_side_packet: 'mif' input_stream: 'in'\n"
                 "node { calculator: 'FlowLimiterCalculator' input_stream: 'in'"
                 " input_side_packet: 'MAX_IN_FLIGHT:mif' output_stream: 'out' }");
  assert_int_equal(odai_graph_start(g, &err), ODAI_OK);
  assert_int_equal(odai_graph_wait_until_done(g, &err), ODAI_OK);
  odai_graph_destroy(g);

  g = make_graph(
      "input_side_packet: 'n'\n"
      "executor { name: 'worker' type: 'ThreadPoolExecutor'"
      "  options { [mediapipe.ThreadPoolExecutorOptions.ext] { num_threads: 2 } } }\n"
      "node { calculator: 'CountingSourceCalculator' output_stream: 'c'"
      " input_side_packet: 'MAX_COUNT:n' input_side_packet: 'INITIAL_VALUE:start' }\n"
      "node { calculator: 'ConstantSidePacketCalculator' output_side_packet: 'PACKET:start'\n"
      "  options { [mediapipe.ConstantSidePacketCalculatorOptions.ext] {"
      "    packet { int_value: 1000 } } } }\n"
      "node { calculator: 'PassThroughCalculator' input_stream: 'c' output_stream: 'out'"
      " executor: 'worker' }\n");
  assert_int_equal(odai_graph_observe_output(g, "out", collector_cb, &c), ODAI_OK);
  assert_int_equal(odai_graph_set_side_packet(g, "n", odai_packet_new_string("7", ODAI_TS_UNSET)),
                   ODAI_OK);
  assert_int_equal(odai_graph_start(g, &err), ODAI_E_INVALID); /* wrong type */
  assert_non_null(strstr(err.message, "input side packet 'n' is string, expected int64"));
  odai_graph_destroy(g);
  g = make_graph(
      "input_side_packet: 'n'\n"
      "executor { name: 'worker' type: 'ThreadPoolExecutor'"
      "  options { [mediapipe.ThreadPoolExecutorOptions.ext] { num_threads: 2 } } }\n"
      "node { calculator: 'CountingSourceCalculator' output_stream: 'c'"
      " input_side_packet: 'MAX_COUNT:n' input_side_packet: 'INITIAL_VALUE:start' }\n"
      "node { calculator: 'ConstantSidePacketCalculator' output_side_packet: 'PACKET:start'\n"
      "  options { [mediapipe.ConstantSidePacketCalculatorOptions.ext] {"
      "    packet { int_value: 1000 } } } }\n"
      "node { calculator: 'PassThroughCalculator' input_stream: 'c' output_stream: 'out'"
      " executor: 'worker' }\n");
  assert_int_equal(odai_graph_observe_output(g, "out", collector_cb, &c), ODAI_OK);
  assert_int_equal(odai_graph_set_side_packet(g, "n", odai_packet_new_int(7, ODAI_TS_UNSET)), ODAI_OK);
  assert_int_equal(odai_graph_start(g, &err), ODAI_OK);
  assert_int_equal(odai_graph_wait_until_done(g, &err), ODAI_OK);
  assert_int_equal(c.n, 7);
  assert_int_equal(c.val[0], 1000);
  odai_packet *sp = odai_graph_get_side_packet(g, "start");
  int64_t start = 0;
  assert_int_equal(odai_packet_get_int(sp, &start), ODAI_OK);
  assert_int_equal(start, 1000);
  odai_packet_unref(sp);
  assert_null(odai_graph_get_side_packet(g, "nope"));
  assert_int_equal(c.val[6], 1006);
  odai_graph_destroy(g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_register_runtime),
      cmocka_unit_test(test_chain),
      cmocka_unit_test(test_deterministic_identical),
      cmocka_unit_test(test_poller_graph_input),
      cmocka_unit_test(test_error_mid_stream),
      cmocka_unit_test(test_source_error_drains),
      cmocka_unit_test(test_open_error_closes_opened),
      cmocka_unit_test(test_cancel),
      cmocka_unit_test(test_try_add_again),
      cmocka_unit_test(test_fixed_size_handler),
      cmocka_unit_test(test_max_queue_throttles_source),
      cmocka_unit_test(test_early_eof_consumer),
      cmocka_unit_test(test_subgraph_runs),
      cmocka_unit_test(test_side_packets_and_executors),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
