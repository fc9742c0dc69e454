/* calculators/inference/tensors_to_floats.c: TensorsToFloatsCalculator, as
 * in MediaPipe: the first tensor's values as FLOATS (a float vector) and/or
 * FLOAT (its single value). Options: mediapipe.TensorsToFloatsCalculatorOptions
 * { activation: NONE | SIGMOID }. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calculators/registry.h"
#include "odai/options.h"
#include "odai/packet_types.h"

typedef struct t2f_state {
  bool sigmoid;
} t2f_state;

static odai_status t2f_contract(odai_contract *c) {
  odai_contract_input(c, "TENSORS", ODAI_TYPE_TENSORS, 0);
  odai_contract_output(c, "FLOATS", ODAI_TYPE_FLOAT_VECTOR, ODAI_PORT_OPTIONAL);
  odai_contract_output(c, "FLOAT", ODAI_TYPE_FLOAT, ODAI_PORT_OPTIONAL);
  odai_contract_options(c, "mediapipe.TensorsToFloatsCalculatorOptions");
  odai_contract_timestamp_offset(c, 0);
  if (odai_contract_output_count(c, "FLOATS") + odai_contract_output_count(c, "FLOAT") == 0)
    return odai_contract_error(c, ODAI_E_INVALID, "connect FLOATS or FLOAT");
  return ODAI_OK;
}

static odai_status t2f_open(odai_calc_ctx *ctx) {
  t2f_state *st = odai_calc_state(ctx);
  const char *a = odai_options_get_enum_name(odai_calc_options(ctx), "activation", "NONE");
  st->sigmoid = a && strcmp(a, "SIGMOID") == 0;
  return ODAI_OK;
}

static odai_status t2f_process(odai_calc_ctx *ctx) {
  t2f_state *st = odai_calc_state(ctx);
  const odai_tensors *in = odai_packet_tensors(odai_calc_input(ctx, "TENSORS", 0));
  if (!in) return ODAI_OK;
  if (in->count < 1 || in->v[0].dtype != ODAI_DTYPE_FLOAT32)
    return odai_calc_error(ctx, ODAI_E_INVALID, "expected a float32 tensor");
  size_t n = odai_tensor_elements(&in->v[0]);
  const float *src = in->v[0].data;
  odai_timestamp ts = odai_calc_timestamp(ctx);
  if (odai_calc_output_count(ctx, "FLOAT") > 0) {
    if (n != 1)
      return odai_calc_error(ctx, ODAI_E_INVALID, "FLOAT needs a 1-element tensor, got %zu", n);
    float v = st->sigmoid ? 1.f / (1.f + expf(-src[0])) : src[0];
    odai_status s = odai_calc_output(ctx, "FLOAT", 0, odai_packet_new_float(v, ts));
    if (s != ODAI_OK) return s;
  }
  if (odai_calc_output_count(ctx, "FLOATS") > 0) {
    odai_float_vector *v = calloc(1, sizeof *v);
    if (v) v->v = malloc((n ? n : 1) * sizeof(float));
    if (!v || !v->v) {
      free(v);
      return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
    }
    v->n = n;
    for (size_t i = 0; i < n; i++) v->v[i] = st->sigmoid ? 1.f / (1.f + expf(-src[i])) : src[i];
    return odai_calc_output(ctx, "FLOATS", 0, odai_packet_new_float_vector(v, ts));
  }
  return ODAI_OK;
}

const odai_calculator_def odai_calc_tensors_to_floats = {
    .name = "TensorsToFloatsCalculator",
    .description = "tensor values as a float vector / single float (optional sigmoid)",
    .state_size = sizeof(t2f_state),
    .contract = t2f_contract,
    .open = t2f_open,
    .process = t2f_process,
};
