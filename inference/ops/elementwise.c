/* inference/ops/elementwise.c: binary ops with NumPy broadcasting (ADD, SUB,
 * MUL, PRELU; fused activation clamp) and unary ops (RELU, RELU6,
 * RELU_N1_TO_1, LOGISTIC, HARD_SWISH, ABS, run-time DEQUANTIZE of fp16).
 * Work items: rows of the output's last dimension (binary), 4096-element
 * chunks (unary). */
#include <math.h>
#include <string.h>

#include "ops/op_kernels.h"

enum { BMODE_SAME = 0, BMODE_GENERAL = 1 };

odai_status odai_prepare_binary(odai_plan_op *op, odai_error *err) {
  odai_rt_tensor *a = op_in(op, 0), *b = op_in(op, 1);
  if (!a || !b || a->dtype != ODAI_DTYPE_FLOAT32 || b->dtype != ODAI_DTYPE_FLOAT32)
    return odai_op_error(op, err, "needs two float32 inputs");
  int rank = a->rank > b->rank ? a->rank : b->rank;
  if (rank < 1) rank = 1;
  int32_t shape[ODAI_TENSOR_MAX_DIMS];
  int64_t sa = 1, sb = 1;
  for (int i = rank - 1; i >= 0; i--) {
    int ia = i - (rank - a->rank), ib = i - (rank - b->rank);
    int32_t da = ia >= 0 ? a->shape[ia] : 1, db = ib >= 0 ? b->shape[ib] : 1;
    if (da != db && da != 1 && db != 1)
      return odai_op_error(op, err, "shapes cannot broadcast (dim %d: %d vs %d)", i, da, db);
    shape[i] = da == 1 ? db : da;
    op->astr[i] = da == 1 ? 0 : sa;
    op->bstr[i] = db == 1 ? 0 : sb;
    sa *= da;
    sb *= db;
  }
  odai_status st = odai_op_set_shape(op, 0, rank, shape, err);
  if (st) return st;
  odai_rt_tensor *y = op_out(op, 0);
  bool same = a->elems == y->elems && b->elems == y->elems;
  op->p[0] = same ? BMODE_SAME : BMODE_GENERAL;
  op->p[1] = rank;
  op->p[2] = shape[rank - 1] ? shape[rank - 1] : 1; /* row length */
  op->n_items = y->elems / op->p[2];
  op->flops = (double)y->elems;
  op->p[3] = 0;
  if (op->code == OP_PRELU && a->elems == y->elems && a->rank >= 1 && b->elems == a->shape[a->rank - 1]) {
    bool per_channel = true; /* alpha [..1.., C]: the kernels' per-channel PReLU */
    for (int d = 0; d + 1 < b->rank; d++) per_channel = per_channel && b->shape[d] == 1;
    if (per_channel && b->elems > 0) {
      op->p[3] = 2;
      op->p[2] = b->elems;
      op->n_items = a->elems / b->elems; /* pixels: ranges start on channel 0 */
    }
  } else if (op->code != OP_PRELU && a->rank <= ODAI_KERNEL_MAX_DIMS && b->rank <= ODAI_KERNEL_MAX_DIMS) {
    odai_binary_params p = {.kind = op->code == OP_ADD ? ODAI_BINARY_ADD : op->code == OP_SUB ? ODAI_BINARY_SUB
                                                                                              : ODAI_BINARY_MUL,
                            .a_rank = a->rank, .b_rank = b->rank, .out_min = op->act_min, .out_max = op->act_max};
    for (int i = 0; i < a->rank; i++) p.a_shape[i] = a->shape[i];
    for (int i = 0; i < b->rank; i++) p.b_shape[i] = b->shape[i];
    if ((st = odai_binary_plan(&p, &op->kop.bin, err))) return odai_error_prefix(err, "operator %d: ", op->model_index);
    op->p[3] = 1;
    op->n_items = odai_binary_num_tiles(&op->kop.bin);
  }
  if (op->code == OP_PRELU) {
    op->act_min = -INFINITY;
    op->act_max = INFINITY;
  }
  return ODAI_OK;
}

#define BIN_LOOP(EXPR)                                                   \
  for (int64_t j = 0; j < L; j++) {                                      \
    const float x = pa[j * as], w = pb[j * bs];                          \
    float v = (EXPR);                                                    \
    py[j] = v < lo ? lo : v > hi ? hi : v;                               \
  }

void odai_run_binary(const odai_plan_op *op, int tid, int64_t begin, int64_t end) {
  (void)tid;
  const odai_rt_tensor *ta = op_in(op, 0), *tb = op_in(op, 1), *ty = op_out(op, 0);
  if (op->p[3] == 1) {
    odai_binary_run(&op->kop.bin, ta->data, tb->data, ty->data, (int)begin, (int)end);
    return;
  }
  if (op->p[3] == 2) {
    const int64_t C = op->p[2];
    odai_unary_args args = {.alphas = tb->data, .channels = (int)C};
    odai_unary_run(ODAI_UNARY_PRELU, &args, (const float *)ta->data + begin * C, (float *)ty->data + begin * C,
                   (size_t)((end - begin) * C));
    return;
  }
  const float *A = ta->data, *B = tb->data;
  float *Y = ty->data;
  const int64_t L = op->p[2];
  const int rank = (int)op->p[1];
  const float lo = op->act_min, hi = op->act_max;
  for (int64_t row = begin; row < end; row++) {
    int64_t oa = 0, ob = 0, as = 1, bs = 1;
    if (op->p[0] == BMODE_SAME) {
      oa = ob = row * L;
    } else {
      int64_t r = row;
      for (int d = rank - 2; d >= 0; d--) {
        int64_t i = r % ty->shape[d];
        r /= ty->shape[d];
        oa += i * op->astr[d];
        ob += i * op->bstr[d];
      }
      as = op->astr[rank - 1];
      bs = op->bstr[rank - 1];
    }
    const float *pa = A + oa, *pb = B + ob;
    float *py = Y + row * L;
    switch (op->code) {
    case OP_ADD: BIN_LOOP(x + w) break;
    case OP_SUB: BIN_LOOP(x - w) break;
    case OP_MUL: BIN_LOOP(x * w) break;
    case OP_PRELU: BIN_LOOP(x >= 0.f ? x : x * w) break;
    default: break;
    }
  }
}

/* ---- ADD with a channel-padded operand ----------------------------------
 * BlazeFace's residual: ADD(y, PAD(x, channels 0..k)) becomes one pass
 * y[c] + (c < Cx ? x[c] : 0): no padded tensor is written or read.
 * in[0] = y [.., Cy], in[1] = x [.., Cx] with Cx <= Cy. Items: pixels. */
#define CHANPAD_PIXELS 64
odai_status odai_prepare_add_chanpad(odai_plan_op *op, odai_error *err) {
  odai_rt_tensor *y = op_in(op, 0), *x = op_in(op, 1);
  if (!y || !x || y->rank != x->rank || y->rank < 1 || y->dtype != ODAI_DTYPE_FLOAT32 ||
      x->dtype != ODAI_DTYPE_FLOAT32)
    return odai_op_error(op, err, "padded ADD needs float32 inputs of the same rank");
  int r = y->rank;
  for (int d = 0; d + 1 < r; d++)
    if (y->shape[d] != x->shape[d]) return odai_op_error(op, err, "padded ADD: dim %d differs", d);
  if (x->shape[r - 1] > y->shape[r - 1] || y->shape[r - 1] < 1)
    return odai_op_error(op, err, "padded ADD: %d channels padded to %d", x->shape[r - 1], y->shape[r - 1]);
  odai_status st = odai_op_set_shape(op, 0, r, y->shape, err);
  if (st) return st;
  op->p[0] = y->shape[r - 1];
  op->p[1] = x->shape[r - 1];
  op->p[2] = y->elems / y->shape[r - 1]; /* pixels */
  op->n_items = (op->p[2] + CHANPAD_PIXELS - 1) / CHANPAD_PIXELS;
  op->flops = (double)y->elems;
  return ODAI_OK;
}

void odai_run_add_chanpad(const odai_plan_op *op, int tid, int64_t begin, int64_t end) {
  (void)tid;
  const int64_t Cy = op->p[0], Cx = op->p[1], npix = op->p[2];
  const float *Y = op_in(op, 0)->data, *X = op_in(op, 1)->data;
  float *O = op_out(op, 0)->data;
  const float lo = op->act_min, hi = op->act_max;
  int64_t p1 = end * CHANPAD_PIXELS < npix ? end * CHANPAD_PIXELS : npix;
  for (int64_t p = begin * CHANPAD_PIXELS; p < p1; p++) {
    const float *restrict y = Y + p * Cy, *restrict x = X + p * Cx;
    float *restrict o = O + p * Cy;
    for (int64_t c = 0; c < Cx; c++) {
      float v = y[c] + x[c];
      o[c] = v < lo ? lo : v > hi ? hi : v;
    }
    for (int64_t c = Cx; c < Cy; c++) {
      float v = y[c];
      o[c] = v < lo ? lo : v > hi ? hi : v;
    }
  }
}

/* ---- unary ------------------------------------------------------------ */

#define UNARY_CHUNK 4096

odai_status odai_prepare_unary(odai_plan_op *op, odai_error *err) {
  odai_rt_tensor *x = op_in(op, 0);
  if (!x) return odai_op_error(op, err, "missing input");
  if (op->code == OP_DEQUANTIZE) {
    if (x->dtype != ODAI_DTYPE_FLOAT16 && x->dtype != ODAI_DTYPE_FLOAT32)
      return odai_op_error(op, err, "DEQUANTIZE of %s is not supported", odai_dtype_name((odai_dtype)x->dtype));
  } else if (x->dtype != ODAI_DTYPE_FLOAT32) {
    return odai_op_error(op, err, "needs a float32 input");
  }
  odai_status st = odai_op_set_shape(op, 0, x->rank, x->shape, err);
  if (st) return st;
  op->n_items = (x->elems + UNARY_CHUNK - 1) / UNARY_CHUNK;
  op->flops = (double)x->elems;
  return ODAI_OK;
}

void odai_run_unary(const odai_plan_op *op, int tid, int64_t begin, int64_t end) {
  (void)tid;
  const odai_rt_tensor *tx = op_in(op, 0);
  float *Y = op_out(op, 0)->data;
  int64_t i0 = begin * UNARY_CHUNK, i1 = end * UNARY_CHUNK;
  if (i1 > tx->elems) i1 = tx->elems;
  if (op->code == OP_DEQUANTIZE) {
    if (tx->dtype == ODAI_DTYPE_FLOAT16)
      odai_f16_to_f32((const uint16_t *)tx->data + i0, Y + i0, (size_t)(i1 - i0));
    else
      memmove(Y + i0, (const float *)tx->data + i0, sizeof(float) * (size_t)(i1 - i0));
    return;
  }
  const float *X = tx->data;
  odai_unary_args args = {.min = -INFINITY, .max = INFINITY};
  odai_unary_kind kind = ODAI_UNARY_CLAMP;
  switch (op->code) {
  case OP_RELU: args.min = 0.f; break;
  case OP_RELU6: args.min = 0.f; args.max = 6.f; break;
  case OP_RELU_N1_TO_1: args.min = -1.f; args.max = 1.f; break;
  case OP_ABS: kind = ODAI_UNARY_ABS; break;
  case OP_LOGISTIC: kind = ODAI_UNARY_LOGISTIC; break;
  case OP_HARD_SWISH: kind = ODAI_UNARY_HARDSWISH; break;
  default: return;
  }
  odai_unary_run(kind, &args, X + i0, Y + i0, (size_t)(i1 - i0));
}
