/* inference/model.h: the in-memory form of a loaded .tflite model (internal).
 * Filled by tflite_reader.c after every bounds check; read by the
 * interpreter (interpreter.c) and the op layer (ops/). Immutable once loaded. */
#ifndef ODAI_INFERENCE_MODEL_H
#define ODAI_INFERENCE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "odai/inference.h"

/* BuiltinOperator codes the core knows by name (see TFLITE_FORMAT.md §4). */
enum {
  OP_ADD = 0, OP_AVERAGE_POOL_2D = 1, OP_CONCATENATION = 2, OP_CONV_2D = 3,
  OP_DEPTHWISE_CONV_2D = 4, OP_DEPTH_TO_SPACE = 5, OP_DEQUANTIZE = 6,
  OP_FULLY_CONNECTED = 9, OP_LOGISTIC = 14, OP_MAX_POOL_2D = 17, OP_MUL = 18,
  OP_RELU = 19, OP_RELU_N1_TO_1 = 20, OP_RELU6 = 21, OP_RESHAPE = 22,
  OP_RESIZE_BILINEAR = 23, OP_CUSTOM = 32, OP_PAD = 34, OP_MEAN = 40, OP_SUB = 41,
  OP_PRELU = 54, OP_ABS = 101, OP_HARD_SWISH = 117, OP_DENSIFY = 124,
  /* odai-internal codes for custom ops (never in files: file codes are < 256) */
  OP_X_CONV2D_TRANSPOSE_BIAS = 1000,
  OP_X_ADD_CHANNEL_PADDED = 1001 /* ADD(y, PAD(x) on channels) fused at load */
};

/* Largest tensor the core accepts (elements): keeps every index and byte
 * count of the kernels (int tiles, size_t bytes) far from overflow. 2^29
 * float32 = 2 GiB; the largest real tensor (pnet) is 12 M elements. */
#define ODAI_MAX_TENSOR_ELEMS (INT64_C(1) << 29)

enum { ACT_NONE = 0, ACT_RELU = 1, ACT_RELU_N1_TO_1 = 2, ACT_RELU6 = 3, ACT_TANH = 4, ACT_SIGN_BIT = 5 };
enum { PAD_SAME = 0, PAD_VALID = 1 };

/* Parsed options of one op (only the fields of its options table are meaningful). */
typedef struct odai_op_options {
  int padding;                  /* PAD_SAME / PAD_VALID */
  int stride_w, stride_h;
  int dilation_w, dilation_h;
  int filter_w, filter_h;
  int depth_multiplier;
  int activation;               /* ACT_* */
  int axis;
  int block_size;
  bool align_corners, half_pixel_centers, keep_dims;
  int n_new_shape;              /* ReshapeOptions.new_shape, -1 = absent */
  int32_t new_shape[ODAI_TENSOR_MAX_DIMS];
} odai_op_options;

/* CSR sparsity of a [O,1,1,I]-like kernel: DENSE,...,DENSE,SPARSE_CSR. */
typedef struct odai_sparsity {
  int64_t rows;            /* product of the dense leading dims */
  int64_t cols;            /* size of the last (sparse) dim */
  int64_t nnz;
  const uint8_t *segments; int seg_width;   /* rows+1 entries of 1/2/4 bytes */
  const uint8_t *indices;  int idx_width;   /* nnz entries */
} odai_sparsity;

typedef struct odai_mtensor {
  const char *name;        /* NUL-terminated (checked) inside the model bytes, or "" */
  int dtype;               /* TensorType */
  int rank;
  int32_t shape[ODAI_TENSOR_MAX_DIMS];
  int64_t elems;           /* product(shape) (overflow-checked) */
  const uint8_t *data;     /* constant bytes (unaligned) or NULL */
  size_t data_bytes;
  bool has_sparsity;
  odai_sparsity sparsity;
} odai_mtensor;

typedef struct odai_mop {
  int code;                /* max(deprecated_builtin_code, builtin_code) or OP_X_* */
  int file_code;           /* as in the file (32 for custom ops) */
  const char *name;        /* op name or custom code */
  int version;
  int n_inputs, n_outputs;
  int32_t *inputs, *outputs;
  odai_op_options opt;
  const uint8_t *custom_options; size_t custom_options_len;
} odai_mop;

struct odai_model {
  uint8_t *bytes;          /* owned copy of the file */
  size_t size;
  const char *description;
  int n_tensors; odai_mtensor *tensors;
  int n_ops; odai_mop *ops;
  int n_inputs; int32_t *inputs;
  int n_outputs; int32_t *outputs;
  size_t weight_bytes;
};

/* Name of a builtin op code ("CONV_2D"), or NULL when unknown. */
const char *odai_builtin_op_name(int code);
/* Whether the op layer has a kernel for (code, dtype); see ops/op_table.c. */
bool odai_op_supported(int code, int dtype);

/* Parse and validate `model->bytes` (already copied in). Fills the model. */
odai_status odai_tflite_parse(odai_model *model, odai_error *err);

#endif
