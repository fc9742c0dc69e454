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
  op->n_items = (int64_t)x->shape[0] * oh;
  op->flops = (double)op_out(op, 0)->elems * o->filter_w * o->filter_h;
  return ODAI_OK;
}

void odai_run_pool(const odai_plan_op *op, int64_t begin, int64_t end) {
  const odai_rt_tensor *x = op_in(op, 0), *y = op_out(op, 0);
  const int H = x->shape[1], W = x->shape[2], C = x->shape[3], OH = y->shape[1], OW = y->shape[2];
  const int fh = op->opt.filter_h, fw = op->opt.filter_w, sh = op->opt.stride_h, sw = op->opt.stride_w;
  const bool is_max = op->code == OP_MAX_POOL_2D;
  const float *in = x->data;
  float *out = y->data;
  for (int64_t row = begin; row < end; row++) {
    int n = (int)(row / OH), oy = (int)(row % OH);
    int y0 = oy * sh - op->pad_top, y1 = y0 + fh;
    if (y0 < 0) y0 = 0;
    if (y1 > H) y1 = H;
    for (int ox = 0; ox < OW; ox++) {
      int x0 = ox * sw - op->pad_left, x1 = x0 + fw;
      if (x0 < 0) x0 = 0;
      if (x1 > W) x1 = W;
      float *acc = out + (((size_t)n * OH + oy) * OW + ox) * C;
      for (int c = 0; c < C; c++) acc[c] = is_max ? -INFINITY : 0.f;
      for (int iy = y0; iy < y1; iy++)
        for (int ix = x0; ix < x1; ix++) {
          const float *px = in + (((size_t)n * H + iy) * W + ix) * C;
          if (is_max)
            for (int c = 0; c < C; c++) acc[c] = px[c] > acc[c] ? px[c] : acc[c];
          else
            for (int c = 0; c < C; c++) acc[c] += px[c];
        }
      int cnt = (y1 - y0) * (x1 - x0);
      float scale = cnt > 0 ? 1.f / (float)cnt : 0.f;
      for (int c = 0; c < C; c++) {
        float v = is_max ? acc[c] : acc[c] * scale;
        if (cnt == 0) v = 0.f;
        acc[c] = v < op->act_min ? op->act_min : v > op->act_max ? op->act_max : v;
      }
    }
  }
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
  op->n_items = 1;
  op->flops = (double)x->elems;
  return ODAI_OK;
}

void odai_run_mean(const odai_plan_op *op, int64_t begin, int64_t end) {
  (void)begin;
  (void)end;
  const odai_rt_tensor *x = op_in(op, 0), *y = op_out(op, 0);
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
