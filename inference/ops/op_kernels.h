/* inference/ops/op_kernels.h: prepare/run entry points of every op file
 * (internal), listed once in the table of op_common.c. */
#ifndef ODAI_INFERENCE_OP_KERNELS_H
#define ODAI_INFERENCE_OP_KERNELS_H

#include "ops/ops.h"

#define ODAI_OP_DECL(x)                                                \
  odai_status odai_prepare_##x(odai_plan_op *op, odai_error *err); \
  void odai_run_##x(const odai_plan_op *op, int tid, int64_t begin, int64_t end);

ODAI_OP_DECL(binary)
ODAI_OP_DECL(conv2d)
ODAI_OP_DECL(depthwise)
ODAI_OP_DECL(fc)
ODAI_OP_DECL(tconv_bias)
ODAI_OP_DECL(pool)
ODAI_OP_DECL(mean)
ODAI_OP_DECL(unary)
ODAI_OP_DECL(reshape)
ODAI_OP_DECL(concat)
ODAI_OP_DECL(pad)
ODAI_OP_DECL(d2s)
ODAI_OP_DECL(resize)
ODAI_OP_DECL(add_chanpad)

/* Error helper: "operator 12 (CONV_2D): <msg>" with ODAI_E_INVALID. */
odai_status odai_op_error(const odai_plan_op *op, odai_error *err, const char *fmt, ...) ODAI_PRINTF(3, 4);


#endif
