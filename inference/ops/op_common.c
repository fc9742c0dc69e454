/* inference/ops/op_common.c: the op table keyed by (op code, dtype), and
 * helpers shared by the op files (shape setting, fused activation clamps,
 * aligned allocation, fp16 conversion). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ops/ops.h"
#include "ops/op_kernels.h"

static const odai_op_kernel k_table[] = {
    {OP_ADD, ODAI_DTYPE_FLOAT32, odai_prepare_binary, odai_run_binary},
    {OP_SUB, ODAI_DTYPE_FLOAT32, odai_prepare_binary, odai_run_binary},
    {OP_MUL, ODAI_DTYPE_FLOAT32, odai_prepare_binary, odai_run_binary},
    {OP_PRELU, ODAI_DTYPE_FLOAT32, odai_prepare_binary, odai_run_binary},
    {OP_X_ADD_CHANNEL_PADDED, ODAI_DTYPE_FLOAT32, odai_prepare_add_chanpad, odai_run_add_chanpad},
    {OP_CONV_2D, ODAI_DTYPE_FLOAT32, odai_prepare_conv2d, odai_run_conv2d},
    {OP_DEPTHWISE_CONV_2D, ODAI_DTYPE_FLOAT32, odai_prepare_depthwise, odai_run_depthwise},
    {OP_FULLY_CONNECTED, ODAI_DTYPE_FLOAT32, odai_prepare_fc, odai_run_fc},
    {OP_X_CONV2D_TRANSPOSE_BIAS, ODAI_DTYPE_FLOAT32, odai_prepare_tconv_bias, odai_run_tconv_bias},
    {OP_AVERAGE_POOL_2D, ODAI_DTYPE_FLOAT32, odai_prepare_pool, odai_run_pool},
    {OP_MAX_POOL_2D, ODAI_DTYPE_FLOAT32, odai_prepare_pool, odai_run_pool},
    {OP_MEAN, ODAI_DTYPE_FLOAT32, odai_prepare_mean, odai_run_mean},
    {OP_RELU, ODAI_DTYPE_FLOAT32, odai_prepare_unary, odai_run_unary},
    {OP_RELU6, ODAI_DTYPE_FLOAT32, odai_prepare_unary, odai_run_unary},
    {OP_RELU_N1_TO_1, ODAI_DTYPE_FLOAT32, odai_prepare_unary, odai_run_unary},
    {OP_LOGISTIC, ODAI_DTYPE_FLOAT32, odai_prepare_unary, odai_run_unary},
    {OP_HARD_SWISH, ODAI_DTYPE_FLOAT32, odai_prepare_unary, odai_run_unary},
    {OP_ABS, ODAI_DTYPE_FLOAT32, odai_prepare_unary, odai_run_unary},
    {OP_DEQUANTIZE, ODAI_DTYPE_FLOAT32, odai_prepare_unary, odai_run_unary},
    {OP_RESHAPE, ODAI_DTYPE_FLOAT32, odai_prepare_reshape, odai_run_reshape},
    {OP_RESHAPE, ODAI_DTYPE_INT32, odai_prepare_reshape, odai_run_reshape},
    {OP_CONCATENATION, ODAI_DTYPE_FLOAT32, odai_prepare_concat, odai_run_concat},
    {OP_PAD, ODAI_DTYPE_FLOAT32, odai_prepare_pad, odai_run_pad},
    {OP_DEPTH_TO_SPACE, ODAI_DTYPE_FLOAT32, odai_prepare_d2s, odai_run_d2s},
    {OP_RESIZE_BILINEAR, ODAI_DTYPE_FLOAT32, odai_prepare_resize, odai_run_resize},
    /* DENSIFY runs only as a load-time fold of constants (interpreter.c);
     * its entry marks it supported for FLOAT16/FLOAT32 weights. */
    {OP_DENSIFY, ODAI_DTYPE_FLOAT16, NULL, NULL},
    {OP_DENSIFY, ODAI_DTYPE_FLOAT32, NULL, NULL},
};

const odai_op_kernel *odai_op_find(int code, int dtype) {
  for (size_t i = 0; i < sizeof k_table / sizeof k_table[0]; i++)
    if (k_table[i].code == code && k_table[i].dtype == dtype) return &k_table[i];
  return NULL;
}

bool odai_op_supported(int code, int dtype) { return odai_op_find(code, dtype) != NULL; }

odai_status odai_op_set_shape(odai_plan_op *op, int oi, int rank, const int32_t *shape, odai_error *err) {
  odai_rt_tensor *t = op_out(op, oi);
  if (rank < 0 || rank > ODAI_TENSOR_MAX_DIMS)
    return odai_error_set(err, ODAI_E_INVALID, "operator %d (%s): output rank %d", op->model_index,
                          op->name, rank);
  int64_t e = 1;
  for (int i = 0; i < rank; i++) {
    if (shape[i] < 0 || (shape[i] && e > ODAI_MAX_TENSOR_ELEMS / shape[i]))
      return odai_error_set(err, ODAI_E_INVALID, "operator %d (%s): output dim %d = %d invalid",
                            op->model_index, op->name, i, shape[i]);
    e *= shape[i];
  }
  t->rank = rank;
  memcpy(t->shape, shape, sizeof(int32_t) * (size_t)rank);
  t->elems = e;
  t->bytes = (size_t)e * odai_dtype_size((odai_dtype)t->dtype);
  return ODAI_OK;
}

void odai_op_set_activation(odai_plan_op *op, int act) {
  op->opt.activation = act;
  op->act_min = -INFINITY;
  op->act_max = INFINITY;
  op->fused_name = "";
  switch (act) {
  case ACT_RELU: op->act_min = 0.f; op->fused_name = "RELU"; break;
  case ACT_RELU6: op->act_min = 0.f; op->act_max = 6.f; op->fused_name = "RELU6"; break;
  case ACT_RELU_N1_TO_1: op->act_min = -1.f; op->act_max = 1.f; op->fused_name = "RELU_N1_TO_1"; break;
  default: break;
  }
}

void *odai_aligned_alloc(size_t bytes) {
  void *p = NULL;
  if (posix_memalign(&p, 64, bytes ? (bytes + 63) & ~(size_t)63 : 64) != 0) return NULL;
  return p;
}

int32_t odai_const_i32(const odai_rt_tensor *t, int64_t i) {
  int32_t v;
  memcpy(&v, (const uint8_t *)t->data + 4 * i, 4);
  return v;
}

