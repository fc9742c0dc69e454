/* calculators/compat/compat_calculators.c: calculators that let MediaPipe's
 * CPU module graphs run unchanged: LocalFileContentsCalculator,
 * TfLiteModelCalculator, TfLiteCustomOpResolverCalculator, and the
 * SwitchDemux/SwitchMux pair that SwitchContainer expands into at run-time
 * selection (switch_container.c). Payload types: compat_types.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calculators/compat/compat_types.h"
#include "calculators/registry.h"
#include "graph/config_text.h"
#include "odai/model_path.h"
#include "odai/options.h"

/* ------------------------------------------------------------- payloads */

static void blob_destroy(void *p) { free(p); }
static int blob_print(const void *p, char *buf, size_t n) {
  return snprintf(buf, n, "blob(%zu bytes)", ((const odai_blob *)p)->size);
}
static void model_destroy(void *p) { odai_model_free(p); }
static int model_print(const void *p, char *buf, size_t n) {
  return snprintf(buf, n, "tflite model (%d ops)", odai_model_op_count(p));
}

const odai_type odai_type_blob = {"odai.Blob", blob_destroy, NULL, blob_print};
const odai_type odai_type_tflite_model = {"odai.TfLiteModel", model_destroy, NULL, model_print};

static odai_packet *make(const odai_type *type, void *payload, odai_timestamp ts) {
  odai_packet *p = NULL;
  if (odai_packet_new(type, payload, &p) != ODAI_OK) return NULL; /* payload freed by the type */
  odai_packet *q = odai_packet_at(p, ts);
  odai_packet_unref(p);
  return q;
}

odai_packet *odai_packet_new_blob(const void *data, size_t size, odai_timestamp ts) {
  odai_blob *b = malloc(sizeof *b + size + 1);
  if (!b) return NULL;
  b->size = size;
  if (size) memcpy(b->data, data, size);
  b->data[size] = 0;
  return make(&odai_type_blob, b, ts);
}

odai_packet *odai_packet_new_tflite_model(odai_model *model, odai_timestamp ts) {
  if (!model) return NULL;
  return make(&odai_type_tflite_model, model, ts);
}

/* ------------------------------------------------ LocalFileContents */

static odai_status lfc_contract(odai_contract *c) {
  odai_contract_input_side(c, "FILE_PATH", ODAI_TYPE_STRING, ODAI_PORT_MULTIPLE);
  odai_contract_output_side(c, "CONTENTS", &odai_type_blob, ODAI_PORT_MULTIPLE);
  odai_contract_options(c, "mediapipe.LocalFileContentsCalculatorOptions");
  if (odai_contract_input_side_count(c, "FILE_PATH") != odai_contract_output_side_count(c, "CONTENTS"))
    return odai_contract_error(c, ODAI_E_INVALID, "needs as many CONTENTS as FILE_PATH side packets (%d vs %d)",
                               odai_contract_output_side_count(c, "CONTENTS"),
                               odai_contract_input_side_count(c, "FILE_PATH"));
  return ODAI_OK;
}

static odai_status read_all(odai_calc_ctx *ctx, const char *path, odai_packet **out) {
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) return odai_calc_error(ctx, ODAI_E_NOT_FOUND, "%s: cannot open", path);
  odai_status st = ODAI_OK;
  unsigned char *buf = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (len == cap) {
      size_t nc = cap ? cap * 2 : 1 << 16;
      if (nc > ((size_t)1 << 31)) {
        st = odai_calc_error(ctx, ODAI_E_INVALID, "%s: larger than 2 GiB", path);
        goto done;
      }
      unsigned char *nb = realloc(buf, nc);
      if (!nb) {
        st = odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory reading %s", path);
        goto done;
      }
      buf = nb;
      cap = nc;
    }
    size_t r = fread(buf + len, 1, cap - len, f);
    len += r;
    if (r == 0) break;
  }
  if (ferror(f)) {
    st = odai_calc_error(ctx, ODAI_E_IO, "%s: read error", path);
    goto done;
  }
  if (!(*out = odai_packet_new_blob(buf, len, ODAI_TS_UNSET))) st = odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
done:
  free(buf);
  fclose(f);
  return st;
}

static odai_status lfc_open(odai_calc_ctx *ctx) {
  for (int i = 0;; i++) {
    const odai_packet *sp = odai_calc_side_input(ctx, "FILE_PATH", i);
    if (!sp) break;
    const char *path = NULL;
    if (odai_packet_get_string(sp, &path) != ODAI_OK || !path || !path[0])
      return odai_calc_error(ctx, ODAI_E_INVALID, "FILE_PATH %d is not a non-empty string", i);
    /* A MediaPipe-style model path finds the fetched model (any existing path is used as it is). */
    char resolved[1024];
    odai_error e;
    const char *use = path;
    FILE *probe = fopen(path, "rb");
    if (probe)
      fclose(probe);
    else if (odai_model_path_resolve(path, resolved, sizeof resolved, &e) == ODAI_OK)
      use = resolved;
    odai_packet *p;
    odai_status st = read_all(ctx, use, &p);
    if (st) return st;
    if ((st = odai_calc_side_output(ctx, "CONTENTS", i, p))) return st;
  }
  return ODAI_OK;
}

static odai_status eof_process(odai_calc_ctx *ctx) {
  (void)ctx;
  return ODAI_E_EOF; /* side packets only: done at once */
}

const odai_calculator_def odai_calc_local_file_contents = {
    .name = "LocalFileContentsCalculator",
    .description = "FILE_PATH side packet -> CONTENTS blob (model paths resolve to the fetched models)",
    .contract = lfc_contract,
    .open = lfc_open,
    .process = eof_process,
};

/* ---------------------------------------------------------- TfLiteModel */

static odai_status tfm_contract(odai_contract *c) {
  odai_contract_input_side(c, "MODEL_BLOB", &odai_type_blob, 0);
  odai_contract_output_side(c, "MODEL", &odai_type_tflite_model, 0);
  odai_contract_options(c, "mediapipe.TfLiteModelCalculatorOptions");
  return ODAI_OK;
}

static odai_status tfm_open(odai_calc_ctx *ctx) {
  const odai_blob *b = odai_packet_get(odai_calc_side_input(ctx, "MODEL_BLOB", 0), &odai_type_blob);
  if (!b) return odai_calc_error(ctx, ODAI_E_INVALID, "MODEL_BLOB is not a blob (LocalFileContentsCalculator's CONTENTS)");
  odai_model *m = NULL;
  odai_error e;
  if (odai_model_load_from_memory(b->data, b->size, &m, &e) != ODAI_OK)
    return odai_calc_error(ctx, e.code, "%s", e.message);
  odai_packet *p = odai_packet_new_tflite_model(m, ODAI_TS_UNSET);
  if (!p) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  return odai_calc_side_output(ctx, "MODEL", 0, p);
}

const odai_calculator_def odai_calc_tflite_model = {
    .name = "TfLiteModelCalculator",
    .description = "MODEL_BLOB side packet -> MODEL (a loaded model for InferenceCalculator)",
    .contract = tfm_contract,
    .open = tfm_open,
    .process = eof_process,
};

/* ---------------------------------------------- TfLiteCustomOpResolver */

static odai_status tcor_contract(odai_contract *c) {
  odai_contract_output_side(c, "OP_RESOLVER", ODAI_TYPE_ANY, 0);
  odai_contract_options(c, "mediapipe.TfLiteCustomOpResolverCalculatorOptions");
  return ODAI_OK;
}

static odai_status tcor_open(odai_calc_ctx *ctx) {
  /* odai's inference core knows the custom ops MediaPipe's models use
   * (Convolution2DTransposeBias, MaxPoolingWithArgmax2D, ...); the packet
   * only satisfies the wiring. */
  odai_packet *p = odai_packet_new_string("odai-builtin-op-resolver", ODAI_TS_UNSET);
  if (!p) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  return odai_calc_side_output(ctx, "OP_RESOLVER", 0, p);
}

const odai_calculator_def odai_calc_tflite_custom_op_resolver = {
    .name = "TfLiteCustomOpResolverCalculator",
    .description = "OP_RESOLVER side packet placeholder (odai's core has the custom ops built in)",
    .contract = tcor_contract,
    .open = tcor_open,
    .process = eof_process,
};

/* ------------------------------------------------- SwitchDemux / Mux */

typedef struct switch_state {
  int select;
  int channels;
} switch_state;

/* "C<k>__TAG" -> k and the TAG part; -1 when the tag has no channel. */
static int parse_chan(const char *tag, const char **rest) {
  if (tag[0] != 'C') return -1;
  int k = 0, d = 0;
  const char *p = tag + 1;
  while (*p >= '0' && *p <= '9' && d < 3) {
    k = k * 10 + (*p++ - '0');
    d++;
  }
  if (!d || p[0] != '_' || p[1] != '_') return -1;
  *rest = p + 2;
  return k;
}

static odai_status declare_select(odai_contract *c) {
  odai_status st = odai_contract_input_side(c, "SELECT", ODAI_TYPE_INT, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_input_side(c, "ENABLE", ODAI_TYPE_BOOL, ODAI_PORT_OPTIONAL);
  return st;
}

static odai_status read_select(odai_calc_ctx *ctx) {
  switch_state *s = odai_calc_state(ctx);
  const odai_options *o = odai_calc_options(ctx);
  s->channels = (int)odai_options_get_int(o, "channels", 2);
  s->select = (int)odai_options_get_int(o, "select", 0);
  const odai_packet *sp = odai_calc_side_input(ctx, "SELECT", 0);
  const odai_packet *ep = odai_calc_side_input(ctx, "ENABLE", 0);
  if (sp) {
    int64_t v;
    if (odai_packet_get_int(sp, &v) != ODAI_OK) return odai_calc_error(ctx, ODAI_E_INVALID, "SELECT is not an int");
    if (v < 0 || v >= s->channels)
      return odai_calc_error(ctx, ODAI_E_INVALID, "SELECT %lld is out of range (%d contained nodes)", (long long)v,
                             s->channels);
    s->select = (int)v;
  } else if (ep) {
    bool b;
    if (odai_packet_get_bool(ep, &b) != ODAI_OK) return odai_calc_error(ctx, ODAI_E_INVALID, "ENABLE is not a bool");
    s->select = b ? 1 : 0;
  }
  if (s->select < 0 || s->select >= s->channels)
    return odai_calc_error(ctx, ODAI_E_INVALID, "select %d is out of range (%d contained nodes)", s->select,
                           s->channels);
  return ODAI_OK;
}

static odai_status demux_contract(odai_contract *c) {
  const odai_options *o = odai_contract_get_options(c);
  int channels = (int)odai_options_get_int(o, "channels", 0);
  if (channels < 1 || channels > 64)
    return odai_contract_error(c, ODAI_E_INVALID, "SwitchDemuxCalculator is made by SwitchContainer (options channels 1..64)");
  odai_status st = declare_select(c);
  const char *tag;
  for (int i = 0; !st && (tag = odai_contract_input_tag(c, i)); i++) {
    bool dup = false;
    for (int j = 0; j < i; j++) dup |= strcmp(odai_contract_input_tag(c, j), tag) == 0;
    if (dup) continue;
    st = odai_contract_input(c, tag, ODAI_TYPE_ANY, ODAI_PORT_MULTIPLE);
    for (int k = 0; !st && k < channels; k++) {
      char t[300];
      snprintf(t, sizeof t, "C%d__%s", k, tag);
      /* contracts keep the tag pointer: intern the generated name */
      const char *it = odai_pb_intern(t);
      st = it ? odai_contract_output(c, it, ODAI_TYPE_ANY, ODAI_PORT_MULTIPLE | ODAI_PORT_OPTIONAL)
              : odai_contract_error(c, ODAI_E_NOMEM, "out of memory");
    }
  }
  odai_contract_timestamp_offset(c, 0); /* unselected channels see the bound move on */
  return st;
}

static odai_status demux_process(odai_calc_ctx *ctx) {
  switch_state *s = odai_calc_state(ctx);
  int n = odai_calc_num_inputs(ctx);
  for (int k = 0; k < n; k++) {
    const odai_packet *p = odai_calc_input_at(ctx, k);
    if (!p) continue;
    int index = 0;
    const char *tag = odai_calc_input_tag_at(ctx, k, &index);
    char t[300];
    snprintf(t, sizeof t, "C%d__%s", s->select, tag);
    odai_status st = odai_calc_output(ctx, t, index, odai_packet_ref(p));
    if (st) return st;
  }
  return ODAI_OK;
}

const odai_calculator_def odai_calc_switch_demux = {
    .name = "SwitchDemuxCalculator",
    .description = "SwitchContainer's input side: forwards TAG to C<select>__TAG",
    .state_size = sizeof(switch_state),
    .contract = demux_contract,
    .open = read_select,
    .process = demux_process,
};

static odai_status mux_contract(odai_contract *c) {
  const odai_options *o = odai_contract_get_options(c);
  int channels = (int)odai_options_get_int(o, "channels", 0);
  if (channels < 1 || channels > 64)
    return odai_contract_error(c, ODAI_E_INVALID, "SwitchMuxCalculator is made by SwitchContainer (options channels 1..64)");
  odai_status st = declare_select(c);
  const char *tag;
  for (int i = 0; !st && (tag = odai_contract_input_tag(c, i)); i++) {
    bool dup = false;
    for (int j = 0; j < i; j++) dup |= strcmp(odai_contract_input_tag(c, j), tag) == 0;
    const char *rest;
    if (parse_chan(tag, &rest) < 0)
      return odai_contract_error(c, ODAI_E_INVALID, "input tag %s is not C<k>__TAG", tag);
    if (!dup) st = odai_contract_input(c, tag, ODAI_TYPE_ANY, ODAI_PORT_MULTIPLE | ODAI_PORT_OPTIONAL);
  }
  for (int i = 0; !st && (tag = odai_contract_output_tag(c, i)); i++) {
    bool dup = false;
    for (int j = 0; j < i; j++) dup |= strcmp(odai_contract_output_tag(c, j), tag) == 0;
    if (!dup) st = odai_contract_output(c, tag, ODAI_TYPE_ANY, ODAI_PORT_MULTIPLE);
  }
  size_t ns = odai_options_count(o, "side_tag");
  for (size_t i = 0; !st && i < ns; i++) {
    const char *t = odai_pb_intern(odai_options_get_string_at(o, "side_tag", i, ""));
    if (!t) return odai_contract_error(c, ODAI_E_NOMEM, "out of memory");
    st = odai_contract_output_side(c, t, ODAI_TYPE_ANY, ODAI_PORT_MULTIPLE);
    for (int k = 0; !st && k < channels; k++) {
      char ct[300];
      snprintf(ct, sizeof ct, "C%d__%s", k, t);
      const char *it = odai_pb_intern(ct);
      st = it ? odai_contract_input_side(c, it, ODAI_TYPE_ANY, ODAI_PORT_MULTIPLE | ODAI_PORT_OPTIONAL)
              : odai_contract_error(c, ODAI_E_NOMEM, "out of memory");
    }
  }
  /* The unselected channels never deliver: take packets as they come. */
  odai_contract_input_handler(c, "ImmediateInputStreamHandler");
  odai_contract_process_bounds(c, true);
  return st;
}

static odai_status mux_open(odai_calc_ctx *ctx) {
  odai_status st = read_select(ctx);
  if (st) return st;
  switch_state *s = odai_calc_state(ctx);
  const odai_options *o = odai_calc_options(ctx);
  size_t ns = odai_options_count(o, "side_tag");
  for (size_t i = 0; i < ns; i++) {
    const char *t = odai_options_get_string_at(o, "side_tag", i, "");
    char ct[300];
    snprintf(ct, sizeof ct, "C%d__%s", s->select, t);
    for (int idx = 0; idx < 1024; idx++) {
      const odai_packet *p = odai_calc_side_input(ctx, ct, idx);
      if (!p) break;
      if ((st = odai_calc_side_output(ctx, t, idx, odai_packet_ref(p)))) return st;
    }
  }
  return ODAI_OK;
}

static odai_status mux_process(odai_calc_ctx *ctx) {
  switch_state *s = odai_calc_state(ctx);
  int n = odai_calc_num_inputs(ctx);
  if (n == 0) return ODAI_E_EOF; /* side packets only */
  for (int k = 0; k < n; k++) {
    int index = 0;
    const char *tag = odai_calc_input_tag_at(ctx, k, &index);
    const char *rest = NULL;
    if (parse_chan(tag, &rest) != s->select) continue;
    const odai_packet *p = odai_calc_input_at(ctx, k);
    odai_status st;
    if (p) {
      st = odai_calc_output(ctx, rest, index, odai_packet_ref(p));
    } else {
      odai_timestamp b = odai_calc_input_bound(ctx, tag, index);
      st = b == ODAI_TS_DONE ? odai_calc_close_output(ctx, rest, index) : odai_calc_set_bound(ctx, rest, index, b);
    }
    if (st) return st;
  }
  return ODAI_OK;
}

const odai_calculator_def odai_calc_switch_mux = {
    .name = "SwitchMuxCalculator",
    .description = "SwitchContainer's output side: forwards C<select>__TAG to TAG (streams and side packets)",
    .state_size = sizeof(switch_state),
    .contract = mux_contract,
    .open = mux_open,
    .process = mux_process,
};
