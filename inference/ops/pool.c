/* inference/ops/pool.c: AVERAGE_POOL_2D / MAX_POOL_2D (NHWC, SAME averages
 * over in-bounds elements only, as TFLite) and MEAN over constant axes.
 * Work items: output rows (N*OH) for pooling; MEAN runs as one item. */
#include <math.h>
#include <string.h>

#include "ops/op_kernels.h"

odai_status odai_prepare_pool(odai_plan_op *op, odai_error *err) {
  odai_rt_tensor *x = op_in(op, 0);
  if (!x || x->rank != 4 || x->dtype != ODAI_DTYPE_FLOAT32) return odai_op_error(op, err, "needs a 4-D float32 input");
  const odai_op_options *o = &op->opt;
  if (o->filter_w < 1 || o->filter_h < 1 || o->stride_w < 1 || o->stride_h < 1 || o->filter_w > 4096 ||
      o->filter_h > 4096 || o->stride_w > 4096 || o->stride_h > 4096 ||
      (o->padding != PAD_SAME && o->padding != PAD_VALID))
    return odai_op_error(op, err, "filter %dx%d stride %dx%d padding %d invalid", o->filter_w, o->filter_h,
                         o->stride_w, o->stride_h, o->padding);
  int pt, pl;
  int oh = odai_conv_out_size(x->shape[1], o->filter_h, o->stride_h, 1, o->padding == PAD_SAME, &pt);
  int ow = odai_conv_out_size(x->shape[2], o->filter_w, o->stride_w, 1, o->padding == PAD_SAME, &pl);
  int32_t shape[4] = {x->shape[0], oh, ow, x->shape[3]};
  odai_status st = odai_op_set_shape(op, 0, 4, shape, err);
  if (st) return st;
  op->pad_top = pt;
  op->pad_left = pl;
  if (oh < 1 || ow < 1) return odai_op_error(op, err, "window larger than the input");
  odai_pool_params p = {.kind = op->code == OP_MAX_POOL_2D ? ODAI_POOL_MAX : ODAI_POOL_AVG,
                        .batch = x->shape[0], .in_h = x->shape[1], .in_w = x->shape[2], .c = x->shape[3],
                        .out_h = oh, .out_w = ow, .k_h = o->filter_h, .k_w = o->filter_w,
                        .stride_h = o->stride_h, .stride_w = o->stride_w, .pad_top = pt, .pad_left = pl,
                        .out_min = op->act_min, .out_max = op->act_max};
  if ((st = odai_pool_plan(&p, &op->kop.pool, err))) return odai_error_prefix(err, "operator %d: ", op->model_index);
  op->n_items = odai_pool_num_tiles(&op->kop.pool);
  op->flops = (double)op_out(op, 0)->elems * o->filter_w * o->filter_h;
  return ODAI_OK;
}

void odai_run_pool(const odai_plan_op *op, int tid, int64_t begin, int64_t end) {
  (void)tid;
  odai_pool_run(&op->kop.pool, op_in(op, 0)->data, op_out(op, 0)->data, (int)begin, (int)end);
}

/* MEAN: p[0] = bitmask of reduced axes; astr = input strides mapped to output. */
odai_status odai_prepare_mean(odai_plan_op *op, odai_error *err) {
  odai_rt_tensor *x = op_in(op, 0), *ax = op_in(op, 1);
  if (!x || !ax || x->dtype != ODAI_DTYPE_FLOAT32 || ax->kind != RT_CONST || ax->dtype != ODAI_DTYPE_INT32)
    return odai_op_error(op, err, "needs a float32 input and constant INT32 axes");
  uint32_t mask = 0;
  for (int64_t i = 0; i < ax->elems; i++) {
    int32_t a = odai_const_i32(ax, i);
    if (a < 0) a += x->rank;
    if (a < 0 || a >= x->rank) return odai_op_error(op, err, "axis %d out of range", odai_const_i32(ax, i));
    mask |= 1u << a;
  }
  int32_t shape[ODAI_TENSOR_MAX_DIMS];
  int rank = 0;
  int64_t reduced = 1;
  for (int d = 0; d < x->rank; d++) {
    if (mask & (1u << d)) {
      reduced *= x->shape[d];
      if (op->opt.keep_dims) shape[rank++] = 1;
    } else {
      shape[rank++] = x->shape[d];
    }
  }
  odai_status st = odai_op_set_shape(op, 0, rank, shape, err);
  if (st) return st;
  /* output stride of each input dim (0 when reduced) */
  int64_t s = 1;
  for (int d = x->rank - 1; d >= 0; d--) {
    if (mask & (1u << d)) {
      op->astr[d] = 0;
    } else {
      op->astr[d] = s;
      s *= x->shape[d];
    }
  }
  op->p[0] = mask;
  op->p[1] = reduced;
  op->p[2] = 0;
  op->n_items = 1;
  op->flops = (double)x->elems;
  if (x->rank == 4 && mask == 6u && x->shape[1] > 0 && x->shape[2] > 0 && x->shape[3] > 0 && x->shape[0] > 0) {
    /* MEAN over H,W (selfie_landscape's squeeze-excite) = global average
     * pool: the kernels' vector pooling, one tile per image */
    odai_pool_params pp = {.kind = ODAI_POOL_AVG, .batch = x->shape[0], .in_h = x->shape[1], .in_w = x->shape[2],
                           .c = x->shape[3], .out_h = 1, .out_w = 1, .k_h = x->shape[1], .k_w = x->shape[2],
                           .stride_h = 1, .stride_w = 1, .out_min = -INFINITY, .out_max = INFINITY};
    if ((st = odai_pool_plan(&pp, &op->kop.pool, err))) return odai_error_prefix(err, "operator %d: ", op->model_index);
    op->p[2] = 1;
    op->n_items = odai_pool_num_tiles(&op->kop.pool);
  }
  return ODAI_OK;
}

void odai_run_mean(const odai_plan_op *op, int tid, int64_t begin, int64_t end) {
  (void)tid;
  const odai_rt_tensor *x = op_in(op, 0), *y = op_out(op, 0);
  if (op->p[2]) {
    odai_pool_run(&op->kop.pool, x->data, y->data, (int)begin, (int)end);
    return;
  }
  const float *in = x->data;
  float *out = y->data;
  memset(out, 0, sizeof(float) * (size_t)y->elems);
  int64_t idx[ODAI_TENSOR_MAX_DIMS] = {0};
  int64_t o = 0;
  for (int64_t i = 0; i < x->elems; i++) {
    out[o] += in[i];
    for (int d = x->rank - 1; d >= 0; d--) { /* odometer increment */
      idx[d]++;
      o += op->astr[d];
      if (idx[d] < x->shape[d]) break;
      o -= op->astr[d] * idx[d];
      idx[d] = 0;
    }
  }
  float scale = op->p[1] > 0 ? 1.f / (float)op->p[1] : 0.f;
  for (int64_t i = 0; i < y->elems; i++) out[i] *= scale;
}
