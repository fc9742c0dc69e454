/* inference/ops/ops.h: the op layer's contract with the interpreter
 * (internal). An op kernel = prepare (shape inference, parameters, weight
 * packing; at create and resize time) + run over a range of work items
 * (invoke time, no allocation). The table in op_table.c is keyed by
 * (op code, data type) so int8 kernels can be added beside the float ones.
 *
 * Delegate hook (documented, none implemented yet): a delegate is an
 * odai_op_kernel table of its own plus claim(); at create time the
 * interpreter would offer each planned op to each registered delegate's
 * claim() before looking the op up in odai_op_table, and use the delegate's
 * prepare/run for claimed ops (a delegate may also merge a run of claimed
 * ops into one by marking the others skip_run). */
#ifndef ODAI_INFERENCE_OPS_H
#define ODAI_INFERENCE_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "kernels/kernels.h"

enum { RT_UNUSED = 0, RT_CONST, RT_ARENA, RT_ALIAS };

/* A tensor as the interpreter runs it. */
typedef struct odai_rt_tensor {
  const char *name;
  int dtype;
  int rank;
  int32_t shape[ODAI_TENSOR_MAX_DIMS];
  int64_t elems;
  size_t bytes;
  int kind;         /* RT_* */
  int alias_of;     /* RT_ALIAS: root tensor index */
  void *data;       /* set for constants at create, for arena tensors after planning */
  void *owned;      /* storage this tensor owns (folded/converted constants) */
  size_t arena_off;
  int first, last;  /* lifetime in executed-op indices (planner) */
  int consumers;    /* live consumer count (fusion passes) */
  bool is_input, is_output;
} odai_rt_tensor;

typedef struct odai_plan_op odai_plan_op;

typedef struct odai_op_kernel {
  int code;   /* BuiltinOperator or OP_X_* */
  int dtype;  /* data type of output 0 */
  odai_status (*prepare)(odai_plan_op *op, odai_error *err);
  void (*run)(const odai_plan_op *op, int tid, int64_t begin, int64_t end); /* tid: thread slot for scratch */
} odai_op_kernel;

struct odai_plan_op {
  const odai_op_kernel *k;
  int model_index;
  int code;
  const char *name;
  int n_in, n_out;
  int32_t in[16];   /* tensor indices (-1: omitted); more than 16 inputs is rejected */
  int32_t out[4];
  odai_op_options opt;
  const uint8_t *custom;
  size_t custom_len;
  odai_rt_tensor *T;     /* the interpreter's tensor array */
  bool skip_run;         /* aliased RESHAPE: shapes only */
  bool prepared_once;
  float act_min, act_max;/* fused activation clamp */
  int64_t n_items;       /* work items run() splits over */
  double flops;
  int pad_top, pad_left;
  int64_t p[8];          /* op-specific integers set by prepare */
  int64_t astr[ODAI_TENSOR_MAX_DIMS], bstr[ODAI_TENSOR_MAX_DIMS]; /* broadcast strides */
  void *packed;          /* packed weights (owned, 64-byte aligned) */
  size_t packed_bytes;
  int prelu_alpha;       /* tensor of a PReLU fused into conv/depthwise, -1 none */
  size_t scratch_need;   /* per-thread scratch bytes (set by prepare) */
  uint8_t *scratch;      /* interpreter-owned: thread tid uses scratch + tid * scratch_stride */
  size_t scratch_stride;
  union {                /* the kernel plan (inference/kernels/kernels.h) */
    odai_conv2d_op conv;
    odai_dwconv_op dw;
    odai_tconv_op tc;
    odai_binary_op bin;
    odai_pool_op pool;
    odai_resize_op rs;
  } kop;
  const char *fused_name;
  bool post_logistic;    /* Convolution2DTransposeBias: a following LOGISTIC fused in */
  int residual;          /* CONV_2D: tensor added after the conv (fused ADD), -1 none */
  bool has_xpad;         /* conv/depthwise: a spatial PAD fused in (explicit zero padding) */
  int xpad[4];           /* top, bottom, left, right */
  float res_min, res_max;/* the fused ADD's activation clamp */
  bool hardswish;        /* conv/depthwise: a following HARD_SWISH fused in (after the clamp) */
  odai_binary_vfn res_add; /* depthwise with a fused residual ADD: the clamped vector add */
};

/* Look up the kernel for (code, dtype); NULL when none. */
const odai_op_kernel *odai_op_find(int code, int dtype);

/* Helpers shared by op files. */
static inline odai_rt_tensor *op_in(const odai_plan_op *op, int i) {
  return i < op->n_in && op->in[i] >= 0 ? &op->T[op->in[i]] : NULL;
}
static inline odai_rt_tensor *op_out(const odai_plan_op *op, int i) { return &op->T[op->out[i]]; }
odai_status odai_op_set_shape(odai_plan_op *op, int out_index, int rank, const int32_t *shape,
                              odai_error *err);
void odai_op_set_activation(odai_plan_op *op, int act);
void *odai_aligned_alloc(size_t bytes);
/* Read element i of an INT32 constant (unaligned-safe). */
int32_t odai_const_i32(const odai_rt_tensor *t, int64_t i);

#endif
