/* inference/ops/conv.c: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and
 * MediaPipe's Convolution2DTransposeBias, float32 NHWC. Shapes, padding and
 * fused activation (or fused PReLU) are resolved here; the arithmetic is the
 * kernel layer's (inference/kernels/kernels.h: plan, pack once, run over
 * tiles with per-thread scratch). Work items = the kernel's tiles.
 *
 * Wanted from the kernel API (would let the op layer fuse more):
 *  - a residual input on depthwise (selfie's decoder: ADD(conv+relu, dw+relu)
 *    where the depthwise runs last: 3 ADD passes of 1 MB each);
 *  - a fast Convolution2DTransposeBias for out_c = 1 (selfie's last op is a
 *    2x2/s2 16->1 tconv: ~0.14 ms, 15 GFLOP/s with the GEMM path);
 *  - optionally a per-channel residual narrower than the output (BlazeFace's
 *    channel-padded residual, now a separate padded ADD pass). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/op_kernels.h"

odai_status odai_op_error(const odai_plan_op *op, odai_error *err, const char *fmt, ...) {
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return odai_error_set(err, ODAI_E_INVALID, "operator %d (%s): %s", op->model_index, op->name, msg);
}

/* (Re)allocate op->packed for `bytes`; packing is redone on every prepare
 * (create and resize) since a plan's layout may depend on the shape. */
static odai_status ensure_packed(odai_plan_op *op, size_t bytes, odai_error *err) {
  if (op->packed && op->packed_bytes >= bytes) return ODAI_OK;
  free(op->packed);
  op->packed = odai_aligned_alloc(bytes);
  op->packed_bytes = op->packed ? bytes : 0;
  if (!op->packed) return odai_error_set(err, ODAI_E_NOMEM, "out of memory packing weights (%zu bytes)", bytes);
  return ODAI_OK;
}

static odai_status conv_common(odai_plan_op *op, odai_error *err, int *O, int *kh, int *kw, int *I) {
  odai_rt_tensor *x = op_in(op, 0), *w = op_in(op, 1), *b = op_in(op, 2);
  if (!x || !w || x->rank != 4 || w->rank != 4 || x->dtype != ODAI_DTYPE_FLOAT32)
    return odai_op_error(op, err, "needs a 4-D float32 input and 4-D weights");
  if (w->kind != RT_CONST || w->dtype != ODAI_DTYPE_FLOAT32)
    return odai_op_error(op, err, "weights must be a float32 constant");
  if (b && (b->kind != RT_CONST || b->dtype != ODAI_DTYPE_FLOAT32))
    return odai_op_error(op, err, "bias must be a float32 constant");
  if (op->opt.stride_w < 1 || op->opt.stride_h < 1 || op->opt.dilation_w < 1 || op->opt.dilation_h < 1 ||
      op->opt.stride_w > 64 || op->opt.stride_h > 64 || op->opt.dilation_w > 64 || op->opt.dilation_h > 64)
    return odai_op_error(op, err, "stride %dx%d / dilation %dx%d invalid", op->opt.stride_w,
                         op->opt.stride_h, op->opt.dilation_w, op->opt.dilation_h);
  if (op->opt.padding != PAD_SAME && op->opt.padding != PAD_VALID)
    return odai_op_error(op, err, "unknown padding %d", op->opt.padding);
  *O = w->shape[0];
  *kh = w->shape[1];
  *kw = w->shape[2];
  *I = w->shape[3];
  if (*kh < 1 || *kw < 1 || *O < 1 || *I < 1 || *kh > 1024 || *kw > 1024)
    return odai_op_error(op, err, "bad weight shape");
  return ODAI_OK;
}

/* Output size and leading pad of one axis, honouring a fused PAD (explicit
 * zero padding before/after, then the conv's own VALID/SAME on the padded size). */
static int conv_axis(const odai_plan_op *op, int in, int k, int stride, int dil, int axis, int *pad_before) {
  if (!op->has_xpad) return odai_conv_out_size(in, k, stride, dil, op->opt.padding == PAD_SAME, pad_before);
  int before = op->xpad[axis * 2], after = op->xpad[axis * 2 + 1];
  int inner;
  int out = odai_conv_out_size(in + before + after, k, stride, dil, op->opt.padding == PAD_SAME, &inner);
  *pad_before = before + inner;
  return out;
}

static const float *prelu_alpha(const odai_plan_op *op, int channels) {
  if (op->prelu_alpha < 0) return NULL;
  const odai_rt_tensor *a = &op->T[op->prelu_alpha];
  return a->elems == channels ? a->data : NULL;
}

/* ---- CONV_2D --------------------------------------------------------- */

odai_status odai_prepare_conv2d(odai_plan_op *op, odai_error *err) {
  int O = 0, kh = 0, kw = 0, I = 0;
  odai_status st = conv_common(op, err, &O, &kh, &kw, &I);
  if (st) return st;
  odai_rt_tensor *x = op_in(op, 0), *w = op_in(op, 1), *b = op_in(op, 2);
  if (x->shape[3] != I) return odai_op_error(op, err, "input has %d channels, weights %d", x->shape[3], I);
  if (b && b->elems != O) return odai_op_error(op, err, "bias has %lld elements, expected %d", (long long)b->elems, O);
  int pt, pl;
  int oh = conv_axis(op, x->shape[1], kh, op->opt.stride_h, op->opt.dilation_h, 0, &pt);
  int ow = conv_axis(op, x->shape[2], kw, op->opt.stride_w, op->opt.dilation_w, 1, &pl);
  int32_t shape[4] = {x->shape[0], oh, ow, O};
  if ((st = odai_op_set_shape(op, 0, 4, shape, err))) return st;
  if (oh < 1 || ow < 1) return odai_op_error(op, err, "window larger than the input");
  const float *alpha = prelu_alpha(op, O);
  odai_conv2d_params p = {
      .batch = x->shape[0], .in_h = x->shape[1], .in_w = x->shape[2], .in_c = I,
      .out_h = oh, .out_w = ow, .out_c = O, .k_h = kh, .k_w = kw,
      .stride_h = op->opt.stride_h, .stride_w = op->opt.stride_w,
      .dil_h = op->opt.dilation_h, .dil_w = op->opt.dilation_w, .pad_top = pt, .pad_left = pl,
      .out_min = op->act_min, .out_max = op->act_max, .prelu = alpha != NULL, .hardswish = op->hardswish};
  if (op->residual >= 0) { /* fused ADD(conv, r): r must have the output's shape */
    const odai_rt_tensor *r = &op->T[op->residual];
    bool same = r->rank == 4 && r->dtype == ODAI_DTYPE_FLOAT32;
    for (int d = 0; same && d < 4; d++) same = r->shape[d] == shape[d];
    if (!same) return odai_op_error(op, err, "fused residual ADD operand does not match the conv output");
    p.residual = 1;
    p.res_min = op->res_min;
    p.res_max = op->res_max;
  }
  if ((st = odai_conv2d_plan(&p, &op->kop.conv, err))) return odai_error_prefix(err, "operator %d (CONV_2D): ", op->model_index);
  if ((st = ensure_packed(op, odai_conv2d_packed_size(&op->kop.conv), err))) return st;
  odai_conv2d_pack(&op->kop.conv, w->data, b ? b->data : NULL, alpha, op->packed);
  op->scratch_need = odai_conv2d_scratch_size(&op->kop.conv);
  op->n_items = odai_conv2d_num_tiles(&op->kop.conv);
  op->flops = 2.0 * (double)op_out(op, 0)->elems * kh * kw * I;
  return ODAI_OK;
}

void odai_run_conv2d(const odai_plan_op *op, int tid, int64_t begin, int64_t end) {
  odai_conv2d_run_residual(&op->kop.conv, op_in(op, 0)->data, op->packed,
                           op->residual >= 0 ? op->T[op->residual].data : NULL, op_out(op, 0)->data,
                           op->scratch ? op->scratch + (size_t)tid * op->scratch_stride : NULL, (int)begin,
                           (int)end);
}

/* ---- DEPTHWISE_CONV_2D ------------------------------------------------ */

odai_status odai_prepare_depthwise(odai_plan_op *op, odai_error *err) {
  int O = 0, kh = 0, kw = 0, I = 0;
  odai_status st = conv_common(op, err, &O, &kh, &kw, &I);
  if (st) return st;
  odai_rt_tensor *x = op_in(op, 0), *w = op_in(op, 1), *b = op_in(op, 2);
  int C = x->shape[3], dm = op->opt.depth_multiplier;
  if (O != 1 || dm < 1 || (int64_t)C * dm != I)
    return odai_op_error(op, err, "weights [%d,%d,%d,%d] do not match %d channels x multiplier %d", O, kh, kw, I, C, dm);
  if (b && b->elems != I) return odai_op_error(op, err, "bias has %lld elements, expected %d", (long long)b->elems, I);
  int pt, pl;
  int oh = conv_axis(op, x->shape[1], kh, op->opt.stride_h, op->opt.dilation_h, 0, &pt);
  int ow = conv_axis(op, x->shape[2], kw, op->opt.stride_w, op->opt.dilation_w, 1, &pl);
  int32_t shape[4] = {x->shape[0], oh, ow, I};
  if ((st = odai_op_set_shape(op, 0, 4, shape, err))) return st;
  if (oh < 1 || ow < 1) return odai_op_error(op, err, "window larger than the input");
  const float *alpha = prelu_alpha(op, I);
  odai_dwconv_params p = {
      .batch = x->shape[0], .in_h = x->shape[1], .in_w = x->shape[2], .in_c = C, .multiplier = dm,
      .out_h = oh, .out_w = ow, .k_h = kh, .k_w = kw,
      .stride_h = op->opt.stride_h, .stride_w = op->opt.stride_w,
      .dil_h = op->opt.dilation_h, .dil_w = op->opt.dilation_w, .pad_top = pt, .pad_left = pl,
      .out_min = op->act_min, .out_max = op->act_max, .prelu = alpha != NULL,
      .hardswish = op->hardswish};
  if ((st = odai_dwconv_plan(&p, &op->kop.dw, err)))
    return odai_error_prefix(err, "operator %d (DEPTHWISE_CONV_2D): ", op->model_index);
  op->res_add = NULL;
  if (op->residual >= 0) { /* fused ADD(dw, r): added per block of output rows, in cache */
    const odai_rt_tensor *r = &op->T[op->residual];
    bool same = r->rank == 4 && r->dtype == ODAI_DTYPE_FLOAT32;
    for (int d = 0; same && d < 4; d++) same = r->shape[d] == shape[d];
    if (!same) return odai_op_error(op, err, "fused residual ADD operand does not match the depthwise output");
    odai_binary_params bp = {.kind = ODAI_BINARY_ADD, .a_rank = 1, .b_rank = 1, .a_shape = {shape[2] * shape[3]},
                             .b_shape = {shape[2] * shape[3]}, .out_min = op->res_min, .out_max = op->res_max};
    odai_binary_op bo;
    if ((st = odai_binary_plan(&bp, &bo, err))) return odai_error_prefix(err, "operator %d: ", op->model_index);
    op->res_add = bo.vfn;
  }
  if ((st = ensure_packed(op, odai_dwconv_packed_size(&op->kop.dw), err))) return st;
  odai_dwconv_pack(&op->kop.dw, w->data, b ? b->data : NULL, alpha, op->packed);
  op->scratch_need = odai_dwconv_scratch_size(&op->kop.dw);
  op->n_items = odai_dwconv_num_tiles(&op->kop.dw);
  op->flops = 2.0 * (double)op_out(op, 0)->elems * kh * kw;
  return ODAI_OK;
}

void odai_run_depthwise(const odai_plan_op *op, int tid, int64_t begin, int64_t end) {
  void *scratch = op->scratch ? op->scratch + (size_t)tid * op->scratch_stride : NULL;
  const odai_rt_tensor *y = op_out(op, 0);
  if (op->residual < 0 || !op->res_add) {
    odai_dwconv_run(&op->kop.dw, op_in(op, 0)->data, op->packed, y->data, scratch, (int)begin, (int)end);
    return;
  }
  /* tiles are output rows: a few rows, then + r on them while they are hot */
  size_t row = (size_t)y->shape[2] * (size_t)y->shape[3];
  float *out = y->data;
  const float *res = op->T[op->residual].data;
  for (int64_t t = begin; t < end; t += 4) {
    int64_t te = t + 4 < end ? t + 4 : end;
    odai_dwconv_run(&op->kop.dw, op_in(op, 0)->data, op->packed, out, scratch, (int)t, (int)te);
    op->res_add(out + (size_t)t * row, res + (size_t)t * row, out + (size_t)t * row, (size_t)(te - t) * row, 1, 1,
                op->res_min, op->res_max);
  }
}

/* ---- FULLY_CONNECTED ------------------------------------------------ */

odai_status odai_prepare_fc(odai_plan_op *op, odai_error *err) {
  odai_rt_tensor *x = op_in(op, 0), *w = op_in(op, 1), *b = op_in(op, 2);
  if (!x || !w || w->rank != 2 || w->kind != RT_CONST || w->dtype != ODAI_DTYPE_FLOAT32 || x->dtype != ODAI_DTYPE_FLOAT32)
    return odai_op_error(op, err, "needs a float32 input and float32 constant [O,I] weights");
  int O = w->shape[0], I = w->shape[1];
  if (O < 1 || I < 1 || x->elems % I) return odai_op_error(op, err, "input size not a multiple of %d", I);
  if (b && (b->kind != RT_CONST || b->elems != O || b->dtype != ODAI_DTYPE_FLOAT32))
    return odai_op_error(op, err, "bias must be a float32 [%d] constant", O);
  int64_t rows = x->elems / I;
  if (rows < 1 || rows > INT32_MAX) return odai_op_error(op, err, "bad row count");
  int32_t shape[ODAI_TENSOR_MAX_DIMS];
  int rank;
  if (op->opt.keep_dims) {
    rank = x->rank;
    if (rank < 1 || x->shape[rank - 1] != I) return odai_op_error(op, err, "keep_num_dims needs last dim %d", I);
    memcpy(shape, x->shape, sizeof(int32_t) * (size_t)rank);
    shape[rank - 1] = O;
  } else {
    rank = 2;
    shape[0] = (int32_t)rows;
    shape[1] = O;
  }
  odai_status st = odai_op_set_shape(op, 0, rank, shape, err);
  if (st) return st;
  odai_fc_params p = {.batch = (int)rows, .in_features = I, .out_features = O, .out_min = op->act_min,
                      .out_max = op->act_max};
  if ((st = odai_fc_plan(&p, &op->kop.conv, err)))
    return odai_error_prefix(err, "operator %d (FULLY_CONNECTED): ", op->model_index);
  if ((st = ensure_packed(op, odai_conv2d_packed_size(&op->kop.conv), err))) return st;
  odai_conv2d_pack(&op->kop.conv, w->data, b ? b->data : NULL, NULL, op->packed);
  op->scratch_need = odai_conv2d_scratch_size(&op->kop.conv);
  op->n_items = odai_conv2d_num_tiles(&op->kop.conv);
  op->flops = 2.0 * (double)rows * O * I;
  return ODAI_OK;
}

void odai_run_fc(const odai_plan_op *op, int tid, int64_t begin, int64_t end) {
  odai_conv2d_run(&op->kop.conv, op_in(op, 0)->data, op->packed, op_out(op, 0)->data,
                  op->scratch ? op->scratch + (size_t)tid * op->scratch_stride : NULL, (int)begin, (int)end);
}

/* ---- Convolution2DTransposeBias (MediaPipe custom) -------------------- */
/* custom_options: int32 padding (1 SAME, 2 VALID; TFLite C enum), stride_w, stride_h. */

odai_status odai_prepare_tconv_bias(odai_plan_op *op, odai_error *err) {
  odai_rt_tensor *x = op_in(op, 0), *w = op_in(op, 1), *b = op_in(op, 2);
  if (op->custom_len != 12) return odai_op_error(op, err, "custom_options is %zu bytes, expected 12", op->custom_len);
  int32_t prm[3];
  memcpy(prm, op->custom, 12);
  int padding = prm[0], sw = prm[1], sh = prm[2];
  if ((padding != 1 && padding != 2) || sw < 1 || sh < 1 || sw > 64 || sh > 64)
    return odai_op_error(op, err, "custom options padding %d stride %dx%d invalid", padding, sw, sh);
  if (!x || !w || !b || x->rank != 4 || w->rank != 4 || w->kind != RT_CONST || b->kind != RT_CONST ||
      x->dtype != ODAI_DTYPE_FLOAT32 || w->dtype != ODAI_DTYPE_FLOAT32 || b->dtype != ODAI_DTYPE_FLOAT32)
    return odai_op_error(op, err, "needs input, float32 constant [O,kh,kw,I] weights and bias");
  int O = w->shape[0], kh = w->shape[1], kw = w->shape[2], I = w->shape[3];
  if (I != x->shape[3] || b->elems != O || O < 1 || kh < 1 || kw < 1)
    return odai_op_error(op, err, "weights/bias do not match the input");
  int H = x->shape[1], W = x->shape[2];
  int64_t oh, ow;
  int pt, pl;
  if (padding == 1) {
    oh = (int64_t)H * sh;
    ow = (int64_t)W * sw;
    int64_t th = ((int64_t)H - 1) * sh + kh - oh, tw = ((int64_t)W - 1) * sw + kw - ow;
    pt = th > 0 ? (int)(th / 2) : 0;
    pl = tw > 0 ? (int)(tw / 2) : 0;
  } else {
    oh = ((int64_t)H - 1) * sh + kh;
    ow = ((int64_t)W - 1) * sw + kw;
    pt = pl = 0;
  }
  if (oh > (1 << 20) || ow > (1 << 20)) return odai_op_error(op, err, "output too large");
  int32_t shape[4] = {x->shape[0], (int32_t)oh, (int32_t)ow, O};
  odai_status st = odai_op_set_shape(op, 0, 4, shape, err);
  if (st) return st;
  odai_tconv_params p = {.batch = x->shape[0], .in_h = H, .in_w = W, .in_c = I, .out_h = (int)oh, .out_w = (int)ow,
                         .out_c = O, .k_h = kh, .k_w = kw, .stride_h = sh, .stride_w = sw, .pad_top = pt,
                         .pad_left = pl, .out_min = -INFINITY, .out_max = INFINITY};
  if ((st = odai_tconv_plan(&p, &op->kop.tc, err))) return odai_error_prefix(err, "operator %d: ", op->model_index);
  /* A fused LOGISTIC (selfie's last two ops) is applied to each tile's
   * output rows right after the tile is computed, while they are in cache.
   * Tiles are output rows; if a plan ever tiles differently the whole op
   * runs as one item. */
  op->p[0] = odai_tconv_num_tiles(&op->kop.tc) == x->shape[0] * (int64_t)oh;
  if ((st = ensure_packed(op, odai_tconv_packed_size(&op->kop.tc), err))) return st;
  odai_tconv_pack(&op->kop.tc, w->data, b->data, op->packed);
  op->n_items = op->post_logistic && !op->p[0] ? 1 : odai_tconv_num_tiles(&op->kop.tc);
  op->flops = 2.0 * (double)x->elems * kh * kw * O;
  op->act_min = -INFINITY; /* no fused clamp (keeps fused_name) */
  op->act_max = INFINITY;
  return ODAI_OK;
}

void odai_run_tconv_bias(const odai_plan_op *op, int tid, int64_t begin, int64_t end) {
  (void)tid;
  const odai_rt_tensor *y = op_out(op, 0);
  float *out = y->data;
  if (!op->p[0] && op->post_logistic) { /* one item: everything, then the sigmoid */
    odai_tconv_run(&op->kop.tc, op_in(op, 0)->data, op->packed, out, 0, odai_tconv_num_tiles(&op->kop.tc));
    odai_unary_run(ODAI_UNARY_LOGISTIC, &(odai_unary_args){0}, out, out, (size_t)y->elems);
    return;
  }
  odai_tconv_run(&op->kop.tc, op_in(op, 0)->data, op->packed, out, (int)begin, (int)end);
  if (op->post_logistic) {
    size_t row = (size_t)y->shape[2] * (size_t)y->shape[3];
    odai_unary_run(ODAI_UNARY_LOGISTIC, &(odai_unary_args){0}, out + (size_t)begin * row, out + (size_t)begin * row,
                   (size_t)(end - begin) * row);
  }
}
