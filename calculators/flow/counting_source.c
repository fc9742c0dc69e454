/* calculators/flow/counting_source.c: CountingSourceCalculator, a source
 * for tests, demos and benchmarks (as MediaPipe's test calculator): emits
 * int packets initial_value, initial_value+1, ... at timestamps 0, step,
 * 2*step, ..., batch_size per process call, max_count in all (0 = forever
 * until cancelled), then ends. error_count >= 0 fails the node when that
 * many packets were sent. Options (plain or odai.CountingSourceCalculatorOptions):
 * max_count, batch_size (1), initial_value (0), timestamp_step (1),
 * error_count (-1); the MAX_COUNT, ERROR_COUNT, BATCH_SIZE and
 * INITIAL_VALUE int side packets override them. */
#include "calculators/registry.h"
#include "odai/options.h"

#define OPTS "odai.CountingSourceCalculatorOptions"

typedef struct counter {
  int64_t max, batch, value, step, error_at, sent;
} counter;

static odai_status contract(odai_contract *c) {
  odai_status st = odai_contract_output(c, "", ODAI_TYPE_INT, 0);
  if (!st) st = odai_contract_input_side(c, "MAX_COUNT", ODAI_TYPE_INT, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_input_side(c, "ERROR_COUNT", ODAI_TYPE_INT, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_input_side(c, "BATCH_SIZE", ODAI_TYPE_INT, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_input_side(c, "INITIAL_VALUE", ODAI_TYPE_INT, ODAI_PORT_OPTIONAL);
  if (st) return st;
  odai_contract_options(c, OPTS);
  return ODAI_OK;
}

static void side_int(odai_calc_ctx *ctx, const char *tag, int64_t *v) {
  int64_t x;
  if (odai_packet_get_int(odai_calc_side_input(ctx, tag, 0), &x) == ODAI_OK) *v = x;
}

static odai_status open_(odai_calc_ctx *ctx) {
  counter *s = odai_calc_state(ctx);
  const odai_options *o = odai_calc_options(ctx);
  s->max = odai_options_get_int(o, "max_count", 0);
  s->batch = odai_options_get_int(o, "batch_size", 1);
  s->value = odai_options_get_int(o, "initial_value", 0);
  s->step = odai_options_get_int(o, "timestamp_step", 1);
  s->error_at = odai_options_get_int(o, "error_count", -1);
  side_int(ctx, "MAX_COUNT", &s->max);
  side_int(ctx, "ERROR_COUNT", &s->error_at);
  side_int(ctx, "BATCH_SIZE", &s->batch);
  side_int(ctx, "INITIAL_VALUE", &s->value);
  if (s->batch < 1 || s->step < 1 || s->max < 0)
    return odai_calc_error(ctx, ODAI_E_INVALID, "batch_size and timestamp_step must be >= 1, "
                                                "max_count >= 0");
  return ODAI_OK;
}

static odai_status process(odai_calc_ctx *ctx) {
  counter *s = odai_calc_state(ctx);
  for (int64_t i = 0; i < s->batch; i++) {
    if (s->max && s->sent >= s->max) return ODAI_E_EOF;
    if (s->error_at >= 0 && s->sent == s->error_at)
      return odai_calc_error(ctx, ODAI_E_INVALID, "error_count reached after %lld packets",
                             (long long)s->sent);
    odai_packet *p = odai_packet_new_int(s->value + s->sent, s->sent * s->step);
    if (!p) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
    odai_status st = odai_calc_output(ctx, "", 0, p);
    if (st) return st;
    s->sent++;
  }
  if (s->max && s->sent >= s->max) return ODAI_E_EOF;
  return ODAI_OK;
}

const odai_calculator_def odai_calc_counting_source = {
    .name = "CountingSourceCalculator",
    .description = "source of int packets 0,1,2,... (tests, demos, benchmarks)",
    .state_size = sizeof(counter),
    .contract = contract,
    .open = open_,
    .process = process,
};
