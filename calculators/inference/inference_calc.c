/* calculators/inference/inference_calc.c: InferenceCalculator (and
 * MediaPipe's InferenceCalculatorCpu alias): TENSORS in -> TENSORS out
 * through odai's own inference core.
 * Options: mediapipe.InferenceCalculatorOptions { model_path
 * delegate { xnnpack { num_threads } } } plus odai's `num_threads`;
 * or the model path as a string side packet MODEL_PATH (or MODEL), or a
 * loaded model as the MODEL side packet (TfLiteModelCalculator's output,
 * calculators/compat/compat_types.h), as MediaPipe's module graphs wire it.
 * A MediaPipe-style path resolves to the fetched model cache
 * (odai_model_path_resolve). Threads default to $ODAI_INFERENCE_THREADS, else 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calculators/compat/compat_types.h"
#include "calculators/registry.h"
#include "odai/model_path.h"
#include "odai/options.h"
#include "odai/packet_types.h"

typedef struct infer_state {
  odai_model *model;      /* owned, or NULL when borrowed from model_pkt */
  odai_packet *model_pkt; /* MODEL side packet holding a loaded model (a reference) */
  odai_interpreter *interp;
  int n_in, n_out;
} infer_state;

static odai_status infer_contract(odai_contract *c) {
  odai_contract_input(c, "TENSORS", ODAI_TYPE_TENSORS, 0);
  odai_contract_output(c, "TENSORS", ODAI_TYPE_TENSORS, 0);
  odai_contract_input_side(c, "MODEL_PATH", ODAI_TYPE_STRING, ODAI_PORT_OPTIONAL);
  odai_contract_input_side(c, "MODEL", ODAI_TYPE_ANY, ODAI_PORT_OPTIONAL); /* path or odai.TfLiteModel */
  odai_contract_input_side(c, "OP_RESOLVER", ODAI_TYPE_ANY, ODAI_PORT_OPTIONAL);
  odai_contract_options(c, "mediapipe.InferenceCalculatorOptions");
  odai_contract_timestamp_offset(c, 0);
  return ODAI_OK;
}

static int default_threads(void) {
  const char *e = getenv("ODAI_INFERENCE_THREADS");
  int n = e ? atoi(e) : 1;
  return n >= 1 && n <= 64 ? n : 1;
}

static odai_status infer_open(odai_calc_ctx *ctx) {
  infer_state *st = odai_calc_state(ctx);
  const odai_options *o = odai_calc_options(ctx);
  const char *path = odai_options_get_string(o, "model_path", NULL);
  const odai_model *model = NULL;
  const odai_packet *mp = odai_calc_side_input(ctx, "MODEL", 0);
  if (mp && odai_packet_get(mp, &odai_type_tflite_model)) {
    st->model_pkt = odai_packet_ref(mp);
    model = odai_packet_get(mp, &odai_type_tflite_model);
  } else if (mp && odai_packet_type(mp) != ODAI_TYPE_STRING) {
    return odai_calc_error(ctx, ODAI_E_INVALID, "MODEL side packet is %s, expected a model path string or a model "
                           "(TfLiteModelCalculator)", odai_packet_type(mp)->name);
  }
  const char *side_tags[] = {"MODEL_PATH", "MODEL"};
  for (int i = 0; i < 2; i++) {
    const odai_packet *sp = odai_calc_side_input(ctx, side_tags[i], 0);
    const char *s = NULL;
    if (sp && odai_packet_get_string(sp, &s) == ODAI_OK && s && *s) path = s;
  }
  odai_error e;
  if (model) goto have_model;
  if (!path || !*path)
    return odai_calc_error(ctx, ODAI_E_INVALID,
                           "no model: set options { model_path } or the MODEL_PATH side packet");
  char resolved[1024];
  if (odai_model_path_resolve(path, resolved, sizeof resolved, &e) != ODAI_OK)
    return odai_calc_error(ctx, e.code, "%s", e.message);
  if (odai_model_load_file(resolved, &st->model, &e) != ODAI_OK)
    return odai_calc_error(ctx, e.code, "%s", e.message);
  model = st->model;
have_model:;
  odai_interpreter_options io;
  odai_interpreter_options_init(&io);
  int threads = (int)odai_options_get_int(o, "num_threads", 0);
  if (threads <= 0) threads = (int)odai_options_get_int(o, "delegate.xnnpack.num_threads", 0);
  io.num_threads = threads > 0 && threads <= 64 ? threads : default_threads();
  if (odai_interpreter_create(model, &io, &st->interp, &e) != ODAI_OK)
    return odai_calc_error(ctx, e.code, "%s", e.message);
  st->n_in = odai_interpreter_input_count(st->interp);
  st->n_out = odai_interpreter_output_count(st->interp);
  return ODAI_OK;
}

static odai_status infer_process(odai_calc_ctx *ctx) {
  infer_state *st = odai_calc_state(ctx);
  const odai_packet *ip = odai_calc_input(ctx, "TENSORS", 0);
  if (!ip) return ODAI_OK;
  const odai_tensors *in = odai_packet_tensors(ip);
  if (!in) return odai_calc_error(ctx, ODAI_E_INVALID, "TENSORS packet is not odai.Tensors");
  if (in->count != st->n_in)
    return odai_calc_error(ctx, ODAI_E_INVALID, "model takes %d input tensors, got %d", st->n_in,
                           in->count);
  odai_error e;
  for (int i = 0; i < st->n_in; i++) {
    odai_tensor_info info;
    odai_interpreter_input(st->interp, i, &info);
    const odai_tensor *t = &in->v[i];
    if (t->bytes != info.bytes) {
      /* Same rank, another batch (e.g. MobileFaceNet stores 2): re-plan. */
      if (t->rank != info.rank ||
          odai_interpreter_resize_input(st->interp, i, t->shape, t->rank, &e) != ODAI_OK)
        return odai_calc_error(ctx, ODAI_E_INVALID,
                               "input %d: got %zu bytes (rank %d), model wants %zu (rank %d)", i,
                               t->bytes, t->rank, info.bytes, info.rank);
      odai_interpreter_input(st->interp, i, &info);
      if (t->bytes != info.bytes)
        return odai_calc_error(ctx, ODAI_E_INVALID, "input %d: size mismatch after resize", i);
    }
    memcpy(info.data, t->data, t->bytes);
  }
  if (odai_interpreter_invoke(st->interp, &e) != ODAI_OK)
    return odai_calc_error(ctx, e.code, "%s", e.message);
  odai_tensors *out = odai_tensors_create(st->n_out);
  if (!out) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  for (int i = 0; i < st->n_out; i++) {
    odai_tensor_info info;
    odai_interpreter_output(st->interp, i, &info);
    if (odai_tensors_alloc_uninit(out, i, info.dtype, info.rank, info.shape) != ODAI_OK) {
      odai_tensors_free(out);
      return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
    }
    memcpy(out->v[i].data, info.data, info.bytes);
  }
  return odai_calc_output(ctx, "TENSORS", 0, odai_packet_new_tensors(out, odai_calc_timestamp(ctx)));
}

static odai_status infer_close(odai_calc_ctx *ctx) {
  infer_state *st = odai_calc_state(ctx);
  odai_interpreter_free(st->interp);
  odai_model_free(st->model);
  odai_packet_unref(st->model_pkt);
  st->interp = NULL;
  st->model = NULL;
  st->model_pkt = NULL;
  return ODAI_OK;
}

const odai_calculator_def odai_calc_inference = {
    .name = "InferenceCalculator",
    .description = "runs a .tflite model on odai's inference core (TENSORS -> TENSORS)",
    .state_size = sizeof(infer_state),
    .contract = infer_contract,
    .open = infer_open,
    .process = infer_process,
    .close = infer_close,
};

/* MediaPipe graphs also name the CPU variant directly. */
const odai_calculator_def odai_calc_inference_cpu = {
    .name = "InferenceCalculatorCpu",
    .description = "alias of InferenceCalculator",
    .state_size = sizeof(infer_state),
    .contract = infer_contract,
    .open = infer_open,
    .process = infer_process,
    .close = infer_close,
};

/* TfLiteInferenceCalculator (MediaPipe's older name) takes the same options
 * message under another name; odai accepts both. */
static odai_status tflite_contract(odai_contract *c) {
  odai_status s = infer_contract(c);
  odai_contract_options(c, "mediapipe.TfLiteInferenceCalculatorOptions");
  return s;
}

const odai_calculator_def odai_calc_tflite_inference = {
    .name = "TfLiteInferenceCalculator",
    .description = "alias of InferenceCalculator (MediaPipe's older name)",
    .state_size = sizeof(infer_state),
    .contract = tflite_contract,
    .open = infer_open,
    .process = infer_process,
    .close = infer_close,
};
