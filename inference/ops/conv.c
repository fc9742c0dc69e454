/* inference/ops/conv.c: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and
 * MediaPipe's Convolution2DTransposeBias, float32 NHWC. Weights are packed
 * once in prepare ([kh][kw][I][O] so the inner loop runs over contiguous
 * output channels); run() covers a range of output rows (N*OH) so the
 * thread pool can split it. These are the portable kernels of the op layer;
 * the SIMD kernels of inference/kernels/ plug in behind the same prepare/run.
 *
 * Need from the kernel API (inference/kernels/kernels.h, helper D): a conv /
 * depthwise entry taking packed weights + bias + [oy_begin, oy_end) + min/max
 * clamp, and a pack function called from prepare. */
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

static inline float clampf(float v, float lo, float hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Common checks: 4-D float input, constant 4-D weights, optional [O] bias. */
static odai_status conv_common(odai_plan_op *op, odai_error *err, int *O, int *kh, int *kw, int *I) {
  odai_rt_tensor *x = op_in(op, 0), *w = op_in(op, 1), *b = op_in(op, 2);
  if (!x || !w || x->rank != 4 || w->rank != 4)
    return odai_op_error(op, err, "needs a 4-D input and 4-D weights");
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
  if (*kh < 1 || *kw < 1 || *O < 1 || *I < 1) return odai_op_error(op, err, "empty weights");
  return ODAI_OK;
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
  int oh = odai_conv_out_size(x->shape[1], kh, op->opt.stride_h, op->opt.dilation_h, op->opt.padding == PAD_SAME, &pt);
  int ow = odai_conv_out_size(x->shape[2], kw, op->opt.stride_w, op->opt.dilation_w, op->opt.padding == PAD_SAME, &pl);
  int32_t shape[4] = {x->shape[0], oh, ow, O};
  if ((st = odai_op_set_shape(op, 0, 4, shape, err))) return st;
  op->pad_top = pt;
  op->pad_left = pl;
  op->p[0] = kh; op->p[1] = kw; op->p[2] = O; op->p[3] = I;
  op->n_items = (int64_t)x->shape[0] * oh;
  op->flops = 2.0 * (double)op_out(op, 0)->elems * kh * kw * I;
  if (!op->packed) {
    size_t n = (size_t)O + (size_t)kh * kw * I * O;
    op->packed = odai_aligned_alloc(n * sizeof(float));
    if (!op->packed) return odai_error_set(err, ODAI_E_NOMEM, "out of memory packing weights");
    op->packed_bytes = n * sizeof(float);
    const float *wd = w->data;
    for (int o = 0; o < O; o++) op->packed[o] = b ? ((const float *)b->data)[o] : 0.f;
    float *pw = op->packed + O;
    for (int o = 0; o < O; o++)
      for (int ky = 0; ky < kh; ky++)
        for (int kx = 0; kx < kw; kx++)
          for (int i = 0; i < I; i++)
            pw[(((size_t)ky * kw + kx) * I + i) * O + o] = wd[(((size_t)o * kh + ky) * kw + kx) * I + i];
  }
  return ODAI_OK;
}

void odai_run_conv2d(const odai_plan_op *op, int64_t begin, int64_t end) {
  const odai_rt_tensor *x = op_in(op, 0), *y = op_out(op, 0);
  const int H = x->shape[1], W = x->shape[2], C = x->shape[3];
  const int OH = y->shape[1], OW = y->shape[2];
  const int kh = (int)op->p[0], kw = (int)op->p[1], O = (int)op->p[2];
  const int sh = op->opt.stride_h, sw = op->opt.stride_w, dh = op->opt.dilation_h, dw = op->opt.dilation_w;
  const float *bias = op->packed, *pw = op->packed + O;
  const float lo = op->act_min, hi = op->act_max;
  const float *in = x->data;
  float *out = y->data;
  for (int64_t row = begin; row < end; row++) {
    int n = (int)(row / OH), oy = (int)(row % OH);
    for (int ox = 0; ox < OW; ox++) {
      float *restrict acc = out + (((size_t)n * OH + oy) * OW + ox) * O;
      memcpy(acc, bias, sizeof(float) * (size_t)O);
      for (int ky = 0; ky < kh; ky++) {
        int iy = oy * sh - op->pad_top + ky * dh;
        if (iy < 0 || iy >= H) continue;
        for (int kx = 0; kx < kw; kx++) {
          int ix = ox * sw - op->pad_left + kx * dw;
          if (ix < 0 || ix >= W) continue;
          const float *px = in + (((size_t)n * H + iy) * W + ix) * C;
          const float *wk = pw + ((size_t)ky * kw + kx) * C * O;
          for (int c = 0; c < C; c++) {
            const float a = px[c];
            const float *restrict wr = wk + (size_t)c * O;
            for (int o = 0; o < O; o++) acc[o] += a * wr[o];
          }
        }
      }
      for (int o = 0; o < O; o++) acc[o] = clampf(acc[o], lo, hi);
    }
  }
}

/* ---- DEPTHWISE_CONV_2D ------------------------------------------------ */

odai_status odai_prepare_depthwise(odai_plan_op *op, odai_error *err) {
  int O = 0, kh = 0, kw = 0, I = 0;
  odai_status st = conv_common(op, err, &O, &kh, &kw, &I);
  if (st) return st;
  odai_rt_tensor *x = op_in(op, 0), *w = op_in(op, 1), *b = op_in(op, 2);
  int C = x->shape[3];
  if (O != 1 || op->opt.depth_multiplier != 1 || I != C)
    return odai_op_error(op, err, "only depth_multiplier 1 with [1,kh,kw,%d] weights is supported", C);
  if (b && b->elems != C) return odai_op_error(op, err, "bias has %lld elements, expected %d", (long long)b->elems, C);
  int pt, pl;
  int oh = odai_conv_out_size(x->shape[1], kh, op->opt.stride_h, op->opt.dilation_h, op->opt.padding == PAD_SAME, &pt);
  int ow = odai_conv_out_size(x->shape[2], kw, op->opt.stride_w, op->opt.dilation_w, op->opt.padding == PAD_SAME, &pl);
  int32_t shape[4] = {x->shape[0], oh, ow, C};
  if ((st = odai_op_set_shape(op, 0, 4, shape, err))) return st;
  op->pad_top = pt;
  op->pad_left = pl;
  op->p[0] = kh; op->p[1] = kw; op->p[2] = C;
  op->n_items = (int64_t)x->shape[0] * oh;
  op->flops = 2.0 * (double)op_out(op, 0)->elems * kh * kw;
  if (!op->packed) {
    size_t n = (size_t)C + (size_t)kh * kw * C;
    op->packed = odai_aligned_alloc(n * sizeof(float));
    if (!op->packed) return odai_error_set(err, ODAI_E_NOMEM, "out of memory packing weights");
    op->packed_bytes = n * sizeof(float);
    for (int c = 0; c < C; c++) op->packed[c] = b ? ((const float *)b->data)[c] : 0.f;
    memcpy(op->packed + C, w->data, sizeof(float) * (size_t)kh * kw * C);
  }
  return ODAI_OK;
}

void odai_run_depthwise(const odai_plan_op *op, int64_t begin, int64_t end) {
  const odai_rt_tensor *x = op_in(op, 0), *y = op_out(op, 0);
  const int H = x->shape[1], W = x->shape[2], C = x->shape[3];
  const int OH = y->shape[1], OW = y->shape[2];
  const int kh = (int)op->p[0], kw = (int)op->p[1];
  const int sh = op->opt.stride_h, sw = op->opt.stride_w, dh = op->opt.dilation_h, dw = op->opt.dilation_w;
  const float *bias = op->packed, *pw = op->packed + C;
  const float lo = op->act_min, hi = op->act_max;
  const float *in = x->data;
  float *out = y->data;
  for (int64_t row = begin; row < end; row++) {
    int n = (int)(row / OH), oy = (int)(row % OH);
    for (int ox = 0; ox < OW; ox++) {
      float *restrict acc = out + (((size_t)n * OH + oy) * OW + ox) * C;
      memcpy(acc, bias, sizeof(float) * (size_t)C);
      for (int ky = 0; ky < kh; ky++) {
        int iy = oy * sh - op->pad_top + ky * dh;
        if (iy < 0 || iy >= H) continue;
        for (int kx = 0; kx < kw; kx++) {
          int ix = ox * sw - op->pad_left + kx * dw;
          if (ix < 0 || ix >= W) continue;
          const float *restrict px = in + (((size_t)n * H + iy) * W + ix) * C;
          const float *restrict wk = pw + ((size_t)ky * kw + kx) * C;
          for (int c = 0; c < C; c++) acc[c] += px[c] * wk[c];
        }
      }
      for (int c = 0; c < C; c++) acc[c] = clampf(acc[c], lo, hi);
    }
  }
}

/* ---- FULLY_CONNECTED ------------------------------------------------ */

odai_status odai_prepare_fc(odai_plan_op *op, odai_error *err) {
  odai_rt_tensor *x = op_in(op, 0), *w = op_in(op, 1), *b = op_in(op, 2);
  if (!x || !w || w->rank != 2 || w->kind != RT_CONST || w->dtype != ODAI_DTYPE_FLOAT32)
    return odai_op_error(op, err, "needs an input and float32 constant [O,I] weights");
  int O = w->shape[0], I = w->shape[1];
  if (O < 1 || I < 1 || x->elems % I) return odai_op_error(op, err, "input size not a multiple of %d", I);
  if (b && (b->kind != RT_CONST || b->elems != O)) return odai_op_error(op, err, "bias must be a [%d] constant", O);
  int64_t rows = x->elems / I;
  int32_t shape[ODAI_TENSOR_MAX_DIMS];
  int rank;
  if (op->opt.keep_dims) {
    rank = x->rank;
    memcpy(shape, x->shape, sizeof(int32_t) * (size_t)rank);
    if (rank < 1 || x->shape[rank - 1] != I) return odai_op_error(op, err, "keep_num_dims needs last dim %d", I);
    shape[rank - 1] = O;
  } else {
    rank = 2;
    if (rows > INT32_MAX) return odai_op_error(op, err, "too many rows");
    shape[0] = (int32_t)rows;
    shape[1] = O;
  }
  odai_status st = odai_op_set_shape(op, 0, rank, shape, err);
  if (st) return st;
  op->p[0] = O; op->p[1] = I;
  op->n_items = rows;
  op->flops = 2.0 * (double)rows * O * I;
  if (!op->packed) {
    size_t n = (size_t)O + (size_t)O * I;
    op->packed = odai_aligned_alloc(n * sizeof(float));
    if (!op->packed) return odai_error_set(err, ODAI_E_NOMEM, "out of memory packing weights");
    op->packed_bytes = n * sizeof(float);
    const float *wd = w->data;
    for (int o = 0; o < O; o++) op->packed[o] = b ? ((const float *)b->data)[o] : 0.f;
    for (int o = 0; o < O; o++)
      for (int i = 0; i < I; i++) op->packed[O + (size_t)i * O + o] = wd[(size_t)o * I + i];
  }
  return ODAI_OK;
}

void odai_run_fc(const odai_plan_op *op, int64_t begin, int64_t end) {
  const int O = (int)op->p[0], I = (int)op->p[1];
  const float *in = op_in(op, 0)->data;
  float *out = op_out(op, 0)->data;
  for (int64_t r = begin; r < end; r++) {
    float *restrict acc = out + r * O;
    memcpy(acc, op->packed, sizeof(float) * (size_t)O);
    for (int i = 0; i < I; i++) {
      const float a = in[r * I + i];
      const float *restrict wr = op->packed + O + (size_t)i * O;
      for (int o = 0; o < O; o++) acc[o] += a * wr[o];
    }
    for (int o = 0; o < O; o++) acc[o] = clampf(acc[o], op->act_min, op->act_max);
  }
}

/* ---- Convolution2DTransposeBias (MediaPipe custom) -------------------- */
/* custom_options: int32 padding (1 SAME, 2 VALID), stride_w, stride_h.
 * Computed as a gather per output pixel so rows split across threads. */

odai_status odai_prepare_tconv_bias(odai_plan_op *op, odai_error *err) {
  odai_rt_tensor *x = op_in(op, 0), *w = op_in(op, 1), *b = op_in(op, 2);
  if (op->custom_len != 12) return odai_op_error(op, err, "custom_options is %zu bytes, expected 12", op->custom_len);
  int32_t prm[3];
  memcpy(prm, op->custom, 12);
  int padding = prm[0], sw = prm[1], sh = prm[2];
  if ((padding != 1 && padding != 2) || sw < 1 || sh < 1 || sw > 64 || sh > 64)
    return odai_op_error(op, err, "custom options padding %d stride %dx%d invalid", padding, sw, sh);
  if (!x || !w || !b || x->rank != 4 || w->rank != 4 || w->kind != RT_CONST || b->kind != RT_CONST ||
      w->dtype != ODAI_DTYPE_FLOAT32 || b->dtype != ODAI_DTYPE_FLOAT32)
    return odai_op_error(op, err, "needs input, float32 constant [O,kh,kw,I] weights and bias");
  int O = w->shape[0], kh = w->shape[1], kw = w->shape[2], I = w->shape[3];
  if (I != x->shape[3] || b->elems != O || O < 1 || kh < 1 || kw < 1)
    return odai_op_error(op, err, "weights/bias do not match the input");
  int H = x->shape[1], W = x->shape[2];
  int oh, ow, pt, pl;
  if (padding == 1) {
    oh = H * sh;
    ow = W * sw;
    int th = (H - 1) * sh + kh - oh, tw = (W - 1) * sw + kw - ow;
    pt = th > 0 ? th / 2 : 0;
    pl = tw > 0 ? tw / 2 : 0;
  } else {
    oh = (H - 1) * sh + kh;
    ow = (W - 1) * sw + kw;
    pt = pl = 0;
  }
  int32_t shape[4] = {x->shape[0], oh, ow, O};
  odai_status st = odai_op_set_shape(op, 0, 4, shape, err);
  if (st) return st;
  op->pad_top = pt;
  op->pad_left = pl;
  op->p[0] = kh; op->p[1] = kw; op->p[2] = O; op->p[3] = I; op->p[4] = sh; op->p[5] = sw;
  op->n_items = (int64_t)x->shape[0] * oh;
  op->flops = 2.0 * (double)x->elems * kh * kw * O;
  odai_op_set_activation(op, ACT_NONE);
  return ODAI_OK;
}

void odai_run_tconv_bias(const odai_plan_op *op, int64_t begin, int64_t end) {
  const odai_rt_tensor *x = op_in(op, 0), *y = op_out(op, 0);
  const int H = x->shape[1], W = x->shape[2], C = x->shape[3], OH = y->shape[1], OW = y->shape[2];
  const int kh = (int)op->p[0], kw = (int)op->p[1], O = (int)op->p[2], sh = (int)op->p[4], sw = (int)op->p[5];
  const float *in = x->data, *w = op_in(op, 1)->data, *bias = op_in(op, 2)->data;
  float *out = y->data;
  for (int64_t row = begin; row < end; row++) {
    int n = (int)(row / OH), oy = (int)(row % OH);
    for (int ox = 0; ox < OW; ox++) {
      float *acc = out + (((size_t)n * OH + oy) * OW + ox) * O;
      for (int o = 0; o < O; o++) acc[o] = bias[o];
      for (int ky = 0; ky < kh; ky++) {
        int ty = oy + op->pad_top - ky;
        if (ty < 0 || ty % sh) continue;
        int iy = ty / sh;
        if (iy >= H) continue;
        for (int kx = 0; kx < kw; kx++) {
          int tx = ox + op->pad_left - kx;
          if (tx < 0 || tx % sw) continue;
          int ix = tx / sw;
          if (ix >= W) continue;
          const float *px = in + (((size_t)n * H + iy) * W + ix) * C;
          for (int o = 0; o < O; o++) {
            const float *wr = w + (((size_t)o * kh + ky) * kw + kx) * C;
            float s = 0.f;
            for (int c = 0; c < C; c++) s += px[c] * wr[c];
            acc[o] += s;
          }
        }
      }
    }
  }
}
