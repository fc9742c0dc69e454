/* inference/ops/shape_ops.c: data-movement ops: RESHAPE (aliased by the
 * interpreter; run() only copies when not aliased), CONCATENATION, PAD
 * (constant zero padding), DEPTH_TO_SPACE and RESIZE_BILINEAR
 * (align_corners / half_pixel_centers as TFLite). */
#include <math.h>
#include <string.h>

#include "ops/op_kernels.h"

/* ---- RESHAPE ---------------------------------------------------------- */
/* New shape from the INT32 shape input (preferred) or ReshapeOptions. One
 * -1 is inferred. When the stored shape does not fit because the batch was
 * resized, a leading dim equal to the file's batch follows the input's batch. */
odai_status odai_prepare_reshape(odai_plan_op *op, odai_error *err) {
  odai_rt_tensor *x = op_in(op, 0), *s = op_in(op, 1);
  if (!x) return odai_op_error(op, err, "missing input");
  int32_t shape[ODAI_TENSOR_MAX_DIMS];
  int rank;
  if (s && s->kind == RT_CONST && s->dtype == ODAI_DTYPE_INT32 && s->rank <= 1) {
    if (s->elems > ODAI_TENSOR_MAX_DIMS) return odai_op_error(op, err, "shape has %lld dims", (long long)s->elems);
    rank = (int)s->elems;
    for (int i = 0; i < rank; i++) shape[i] = odai_const_i32(s, i);
  } else if (s) {
    return odai_op_error(op, err, "shape input must be a constant INT32 vector");
  } else if (op->opt.n_new_shape >= 0) {
    rank = op->opt.n_new_shape;
    memcpy(shape, op->opt.new_shape, sizeof(int32_t) * (size_t)rank);
  } else {
    rank = op_out(op, 0)->rank; /* no shape given: keep the file's output shape */
    memcpy(shape, op_out(op, 0)->shape, sizeof(int32_t) * (size_t)rank);
  }
  int64_t known = 1;
  int infer = -1;
  for (int i = 0; i < rank; i++) {
    if (shape[i] == -1 && infer < 0) {
      infer = i;
    } else if (shape[i] < 0) {
      return odai_op_error(op, err, "new shape dim %d = %d invalid", i, shape[i]);
    } else {
      known *= shape[i];
      if (known > (INT64_C(1) << 40)) return odai_op_error(op, err, "new shape too large");
    }
  }
  if (infer >= 0) {
    if (known == 0 || x->elems % known) return odai_op_error(op, err, "cannot infer -1 dim");
    shape[infer] = (int32_t)(x->elems / known);
  } else if (known != x->elems && rank >= 1 && x->rank >= 1 && shape[0] > 0 &&
             known / shape[0] * x->shape[0] == x->elems) {
    shape[0] = x->shape[0]; /* batch follows the resized input */
  } else if (known != x->elems) {
    return odai_op_error(op, err, "new shape has %lld elements, input %lld", (long long)known,
                         (long long)x->elems);
  }
  op->n_items = 1;
  op->flops = 0;
  return odai_op_set_shape(op, 0, rank, shape, err);
}

void odai_run_reshape(const odai_plan_op *op, int tid, int64_t begin, int64_t end) {
  (void)tid;
  (void)begin;
  (void)end;
  const odai_rt_tensor *x = op_in(op, 0), *y = op_out(op, 0);
  if (x->data != y->data) memmove(y->data, x->data, y->bytes);
}

/* ---- CONCATENATION ---------------------------------------------------- */
/* p[0] = axis, p[1] = inner size (elements after the axis). Items: outer. */
odai_status odai_prepare_concat(odai_plan_op *op, odai_error *err) {
  odai_rt_tensor *x0 = op_in(op, 0);
  if (!x0 || op->n_in < 1) return odai_op_error(op, err, "no inputs");
  int rank = x0->rank, axis = op->opt.axis;
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) return odai_op_error(op, err, "axis %d out of range", op->opt.axis);
  int32_t shape[ODAI_TENSOR_MAX_DIMS];
  memcpy(shape, x0->shape, sizeof(int32_t) * (size_t)rank);
  int64_t total = 0;
  for (int k = 0; k < op->n_in; k++) {
    odai_rt_tensor *t = op_in(op, k);
    if (!t || t->rank != rank || t->dtype != ODAI_DTYPE_FLOAT32) return odai_op_error(op, err, "input %d rank/type mismatch", k);
    for (int d = 0; d < rank; d++)
      if (d != axis && t->shape[d] != x0->shape[d]) return odai_op_error(op, err, "input %d dim %d mismatch", k, d);
    total += t->shape[axis];
  }
  if (total > INT32_MAX) return odai_op_error(op, err, "concatenated dim too large");
  shape[axis] = (int32_t)total;
  odai_status st = odai_op_set_shape(op, 0, rank, shape, err);
  if (st) return st;
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; d++) outer *= shape[d];
  for (int d = axis + 1; d < rank; d++) inner *= shape[d];
  op->p[0] = axis;
  op->p[1] = inner;
  op->n_items = outer;
  op->flops = 0;
  odai_op_set_activation(op, op->opt.activation);
  return ODAI_OK;
}

void odai_run_concat(const odai_plan_op *op, int tid, int64_t begin, int64_t end) {
  (void)tid;
  const int axis = (int)op->p[0];
  const int64_t inner = op->p[1];
  const odai_rt_tensor *y = op_out(op, 0);
  float *Y = y->data;
  const int64_t row = (int64_t)y->shape[axis] * inner;
  for (int64_t o = begin; o < end; o++) {
    float *dst = Y + o * row;
    for (int k = 0; k < op->n_in; k++) {
      const odai_rt_tensor *t = op_in(op, k);
      int64_t n = (int64_t)t->shape[axis] * inner;
      memcpy(dst, (const float *)t->data + o * n, sizeof(float) * (size_t)n);
      if (op->opt.activation != ACT_NONE)
        for (int64_t i = 0; i < n; i++) dst[i] = dst[i] < op->act_min ? op->act_min : dst[i] > op->act_max ? op->act_max : dst[i];
      dst += n;
    }
  }
}

/* ---- PAD -------------------------------------------------------------- */
/* Rank <= 4, viewed as 4-D (leading 1s). p[0..3] = pad before per 4-D dim. */
odai_status odai_prepare_pad(odai_plan_op *op, odai_error *err) {
  odai_rt_tensor *x = op_in(op, 0), *pd = op_in(op, 1);
  if (!x || !pd || x->dtype != ODAI_DTYPE_FLOAT32 || x->rank > 4 || x->rank < 1)
    return odai_op_error(op, err, "needs a float32 input of rank 1..4 and paddings");
  if (pd->kind != RT_CONST || pd->dtype != ODAI_DTYPE_INT32 || pd->elems != 2 * x->rank)
    return odai_op_error(op, err, "paddings must be a constant INT32 [%d,2]", x->rank);
  int32_t shape[4];
  int off = 4 - x->rank;
  for (int d = 0; d < 4; d++) op->p[d] = 0;
  for (int d = 0; d < x->rank; d++) {
    int32_t b = odai_const_i32(pd, 2 * d), a = odai_const_i32(pd, 2 * d + 1);
    if (b < 0 || a < 0 || b > (1 << 20) || a > (1 << 20)) return odai_op_error(op, err, "padding %d/%d invalid", b, a);
    shape[d] = x->shape[d] + b + a;
    op->p[off + d] = b;
  }
  odai_status st = odai_op_set_shape(op, 0, x->rank, shape, err);
  if (st) return st;
  int32_t y4[4] = {1, 1, 1, 1}, x4[4] = {1, 1, 1, 1};
  for (int d = 0; d < x->rank; d++) {
    y4[off + d] = shape[d];
    x4[off + d] = x->shape[d];
  }
  for (int d = 0; d < 4; d++) {
    op->astr[d] = x4[d];
    op->bstr[d] = y4[d];
  }
  op->n_items = (int64_t)y4[0] * y4[1];
  op->flops = 0;
  return ODAI_OK;
}

void odai_run_pad(const odai_plan_op *op, int tid, int64_t begin, int64_t end) {
  (void)tid;
  const float *X = op_in(op, 0)->data;
  float *Y = op_out(op, 0)->data;
  const int64_t XH = op->astr[1], XW = op->astr[2], XC = op->astr[3];
  const int64_t XN = op->astr[0];
  const int64_t YH = op->bstr[1], YW = op->bstr[2], YC = op->bstr[3];
  const int64_t pn = op->p[0], ph = op->p[1], pw = op->p[2], pc = op->p[3];
  for (int64_t row = begin; row < end; row++) {
    int64_t n = row / YH, y = row % YH;
    float *dst = Y + row * YW * YC;
    int64_t in_n = n - pn, in_y = y - ph;
    if (in_n < 0 || in_n >= XN || in_y < 0 || in_y >= XH) {
      memset(dst, 0, sizeof(float) * (size_t)(YW * YC));
      continue;
    }
    for (int64_t x = 0; x < YW; x++) {
      float *d = dst + x * YC;
      int64_t in_x = x - pw;
      if (in_x < 0 || in_x >= XW) {
        memset(d, 0, sizeof(float) * (size_t)YC);
        continue;
      }
      const float *s = X + ((in_n * XH + in_y) * XW + in_x) * XC;
      if (pc) memset(d, 0, sizeof(float) * (size_t)pc);
      memcpy(d + pc, s, sizeof(float) * (size_t)XC);
      int64_t after = YC - pc - XC;
      if (after) memset(d + pc + XC, 0, sizeof(float) * (size_t)after);
    }
  }
}

/* ---- DEPTH_TO_SPACE --------------------------------------------------- */
odai_status odai_prepare_d2s(odai_plan_op *op, odai_error *err) {
  odai_rt_tensor *x = op_in(op, 0);
  int b = op->opt.block_size;
  if (!x || x->rank != 4 || x->dtype != ODAI_DTYPE_FLOAT32 || b < 1 || b > 64 || x->shape[3] % (b * b))
    return odai_op_error(op, err, "needs a 4-D float32 input with channels divisible by block_size^2 (block %d)", b);
  int32_t shape[4] = {x->shape[0], x->shape[1] * b, x->shape[2] * b, x->shape[3] / (b * b)};
  odai_status st = odai_op_set_shape(op, 0, 4, shape, err);
  if (st) return st;
  op->n_items = (int64_t)shape[0] * shape[1];
  op->flops = 0;
  return ODAI_OK;
}

void odai_run_d2s(const odai_plan_op *op, int tid, int64_t begin, int64_t end) {
  (void)tid;
  const odai_rt_tensor *x = op_in(op, 0), *y = op_out(op, 0);
  const int b = op->opt.block_size, H = x->shape[1], W = x->shape[2], C = x->shape[3];
  const int OH = y->shape[1], OW = y->shape[2], OC = y->shape[3];
  const float *X = x->data;
  float *Y = y->data;
  for (int64_t row = begin; row < end; row++) {
    int n = (int)(row / OH), oy = (int)(row % OH);
    int iy = oy / b, dy = oy % b;
    for (int ox = 0; ox < OW; ox++) {
      int ix = ox / b, dx = ox % b;
      memcpy(Y + (((size_t)n * OH + oy) * OW + ox) * OC,
             X + (((size_t)n * H + iy) * W + ix) * C + (size_t)(dy * b + dx) * OC, sizeof(float) * (size_t)OC);
    }
  }
}

/* ---- RESIZE_BILINEAR --------------------------------------------------- */
odai_status odai_prepare_resize(odai_plan_op *op, odai_error *err) {
  odai_rt_tensor *x = op_in(op, 0), *sz = op_in(op, 1);
  if (!x || x->rank != 4 || x->dtype != ODAI_DTYPE_FLOAT32) return odai_op_error(op, err, "needs a 4-D float32 input");
  if (!sz || sz->kind != RT_CONST || sz->dtype != ODAI_DTYPE_INT32 || sz->elems != 2)
    return odai_op_error(op, err, "size must be a constant INT32 [2]");
  int32_t oh = odai_const_i32(sz, 0), ow = odai_const_i32(sz, 1);
  if (oh < 1 || ow < 1 || oh > (1 << 16) || ow > (1 << 16)) return odai_op_error(op, err, "size %dx%d invalid", oh, ow);
  if (op->opt.align_corners && op->opt.half_pixel_centers)
    return odai_op_error(op, err, "align_corners and half_pixel_centers both set");
  int32_t shape[4] = {x->shape[0], oh, ow, x->shape[3]};
  odai_status st = odai_op_set_shape(op, 0, 4, shape, err);
  if (st) return st;
  odai_resize_params p = {.batch = x->shape[0], .in_h = x->shape[1], .in_w = x->shape[2], .c = x->shape[3],
                          .out_h = oh, .out_w = ow, .align_corners = op->opt.align_corners,
                          .half_pixel_centers = op->opt.half_pixel_centers};
  if ((st = odai_resize_plan(&p, &op->kop.rs, err))) return odai_error_prefix(err, "operator %d: ", op->model_index);
  op->n_items = odai_resize_num_tiles(&op->kop.rs);
  op->flops = 4.0 * (double)op_out(op, 0)->elems;
  return ODAI_OK;
}

void odai_run_resize(const odai_plan_op *op, int tid, int64_t begin, int64_t end) {
  (void)tid;
  odai_resize_run(&op->kop.rs, op_in(op, 0)->data, op_out(op, 0)->data, (int)begin, (int)end);
}
