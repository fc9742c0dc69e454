/* odai/inference.h: load .tflite models and run them with odai's own
 * inference core (no TensorFlow Lite). Depends on nothing in graph/.
 *
 * Typical use:
 *   odai_model *m; odai_interpreter *it; odai_tensor_info in, out;
 *   odai_model_load_file("face.tflite", &m, &err);
 *   odai_interpreter_create(m, NULL, &it, &err);
 *   odai_interpreter_input(it, 0, &in);   memcpy(in.data, pixels, in.bytes);
 *   odai_interpreter_invoke(it, &err);
 *   odai_interpreter_output(it, 0, &out); use (const float *)out.data;
 *   odai_interpreter_free(it); odai_model_free(m);
 *
 * Thread-safety: an odai_model is immutable after loading and may be shared
 * by any number of interpreters on any threads. An odai_interpreter is used
 * by one thread at a time (the caller's); it owns a small thread pool that
 * splits work inside an op. Different interpreters are independent. */
#ifndef ODAI_INFERENCE_H
#define ODAI_INFERENCE_H

#include <stddef.h>
#include <stdint.h>

#include "odai/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct odai_model odai_model;
typedef struct odai_interpreter odai_interpreter;

/* Element types; values equal TFLite's TensorType enum. */
typedef enum odai_dtype {
  ODAI_DTYPE_FLOAT32 = 0,
  ODAI_DTYPE_FLOAT16 = 1,
  ODAI_DTYPE_INT32 = 2,
  ODAI_DTYPE_UINT8 = 3,
  ODAI_DTYPE_INT64 = 4,
  ODAI_DTYPE_BOOL = 6,
  ODAI_DTYPE_INT16 = 7,
  ODAI_DTYPE_INT8 = 9
} odai_dtype;

#define ODAI_TENSOR_MAX_DIMS 8

/* A view of one tensor. All pointers are transfer none: `name` lives as long
 * as the model; `data` (interpreter tensors) stays valid until the next
 * odai_interpreter_resize_input() or odai_interpreter_free(). For model
 * tensors `data` points at constant data in the file (NULL for activations;
 * constants may be FLOAT16 or sparse and are not necessarily aligned). */
typedef struct odai_tensor_info {
  const char *name;
  odai_dtype dtype;
  int rank;
  int32_t shape[ODAI_TENSOR_MAX_DIMS];
  size_t bytes;  /* product(shape) * element size */
  void *data;
  int is_constant;
  int is_sparse; /* model tensors only: stored CSR-sparse */
} odai_tensor_info;

/* An operator as stored in the model or as planned by an interpreter. */
typedef struct odai_op_info {
  const char *name;     /* "CONV_2D", custom ops by their custom code */
  int code;             /* TFLite BuiltinOperator code (32 = CUSTOM) */
  int model_index;      /* index of the op in the model file */
  int n_inputs, n_outputs;
  const int32_t *inputs;  /* tensor indices, -1 = omitted optional input */
  const int32_t *outputs;
  const char *fused;    /* planned ops: fused activation ("RELU", "RELU6", ...) or "" */
  double flops;         /* planned ops: floating point operations per invoke */
} odai_op_info;

/* Element size of a dtype in bytes, 0 for unknown. */
ODAI_API size_t odai_dtype_size(odai_dtype dtype);
/* Short name ("FLOAT32"), transfer none. */
ODAI_API const char *odai_dtype_name(odai_dtype dtype);

/* ---- model ---------------------------------------------------------- */

/* Load and validate a .tflite file. Every offset, length, index and size is
 * checked; a bad file gives ODAI_E_CORRUPT with a message naming the field.
 * An op the core cannot run gives ODAI_E_UNSUPPORTED naming the op and its
 * index. On success *out is a new model (transfer full: odai_model_free). */
ODAI_API odai_status odai_model_load_file(const char *path, odai_model **out, odai_error *err);
/* Same from memory; the bytes are copied (the caller keeps ownership). */
ODAI_API odai_status odai_model_load_from_memory(const void *data, size_t size, odai_model **out,
                                                 odai_error *err);
/* Free a model. All interpreters created from it must be freed first. NULL is a no-op. */
ODAI_API void odai_model_free(odai_model *model);

ODAI_API const char *odai_model_description(const odai_model *model); /* transfer none, "" if none */
ODAI_API int odai_model_tensor_count(const odai_model *model);
ODAI_API odai_status odai_model_tensor(const odai_model *model, int index, odai_tensor_info *info);
ODAI_API int odai_model_op_count(const odai_model *model);
ODAI_API odai_status odai_model_op(const odai_model *model, int index, odai_op_info *info);
ODAI_API int odai_model_input_count(const odai_model *model);
ODAI_API int odai_model_output_count(const odai_model *model);
/* Tensor index of graph input/output `i`, -1 when out of range. */
ODAI_API int odai_model_input_tensor(const odai_model *model, int i);
ODAI_API int odai_model_output_tensor(const odai_model *model, int i);
/* Bytes of constant data stored in the file (weights, biases, shapes). */
ODAI_API size_t odai_model_weight_bytes(const odai_model *model);

/* ---- interpreter ---------------------------------------------------- */

typedef struct odai_interpreter_options {
  int num_threads; /* threads that split work inside an op, >= 1 (default 1) */
  /* Most bytes create / resize may allocate for the activation arena and
   * for one densified weight tensor; 0 = ODAI_INTERPRETER_DEFAULT_MAX_MEMORY.
   * A model asking for more fails with ODAI_E_NOMEM and the size in the
   * message, before anything that big is allocated: a small hostile .tflite
   * that declares huge tensors cannot make a product allocate gigabytes.
   * The shipped models need 1.5-5.1 MB. */
  size_t max_memory_bytes;
} odai_interpreter_options;

#define ODAI_INTERPRETER_DEFAULT_MAX_MEMORY ((size_t)1 << 30) /* 1 GiB */

ODAI_API void odai_interpreter_options_init(odai_interpreter_options *options);

/* Create an interpreter: folds fp16 DEQUANTIZE and DENSIFY of constants,
 * aliases RESHAPE, fuses activations and MobileFaceNet's decomposed PReLU,
 * packs weights and plans one activation arena. `options` may be NULL.
 * `model` must outlive the interpreter (transfer none). *out: transfer full. */
ODAI_API odai_status odai_interpreter_create(const odai_model *model,
                                             const odai_interpreter_options *options,
                                             odai_interpreter **out, odai_error *err);
ODAI_API void odai_interpreter_free(odai_interpreter *interp);

ODAI_API int odai_interpreter_input_count(const odai_interpreter *interp);
ODAI_API int odai_interpreter_output_count(const odai_interpreter *interp);
/* Info on input/output `index`; `data` is the writable (input) or readable
 * (output) buffer inside the arena. ODAI_E_INVALID when out of range. */
ODAI_API odai_status odai_interpreter_input(const odai_interpreter *interp, int index,
                                            odai_tensor_info *info);
ODAI_API odai_status odai_interpreter_output(const odai_interpreter *interp, int index,
                                             odai_tensor_info *info);
/* Index of the input/output whose tensor is named `name`, -1 if none. */
ODAI_API int odai_interpreter_input_index(const odai_interpreter *interp, const char *name);
ODAI_API int odai_interpreter_output_index(const odai_interpreter *interp, const char *name);

/* Change the shape of input `index` (typically its batch) and re-plan: shapes
 * propagate through the graph, the arena is re-allocated (old data pointers
 * become invalid). ODAI_E_INVALID if an op cannot take the new shape; the
 * interpreter then keeps its previous shapes. */
ODAI_API odai_status odai_interpreter_resize_input(odai_interpreter *interp, int index,
                                                   const int32_t *shape, int rank,
                                                   odai_error *err);

/* Run the model on the current input data. Allocates nothing. */
ODAI_API odai_status odai_interpreter_invoke(odai_interpreter *interp, odai_error *err);

/* Like invoke, and writes the wall time of each executed op (milliseconds)
 * to op_ms[0 .. stats.op_count); for profiling (odai-model bench --profile). */
ODAI_API odai_status odai_interpreter_invoke_timed(odai_interpreter *interp, double *op_ms,
                                                   odai_error *err);

/* Threads used inside ops (>= 1). Starts/stops pool threads; not during invoke. */
ODAI_API odai_status odai_interpreter_set_num_threads(odai_interpreter *interp, int num_threads,
                                                      odai_error *err);
ODAI_API int odai_interpreter_num_threads(const odai_interpreter *interp);

typedef struct odai_interpreter_stats {
  size_t arena_bytes;   /* activation arena */
  size_t peak_live_bytes; /* most activation bytes live at one op (lower bound for the arena) */
  size_t weight_bytes;  /* constants as used at run time (fp32, packed) */
  int op_count;         /* ops executed per invoke after load-time folding/fusion */
  double flops;         /* floating point operations per invoke */
} odai_interpreter_stats;

ODAI_API void odai_interpreter_get_stats(const odai_interpreter *interp,
                                         odai_interpreter_stats *stats);
/* The planned (executed) ops, in order. Pointers are valid until resize/free. */
ODAI_API odai_status odai_interpreter_plan_op(const odai_interpreter *interp, int index,
                                              odai_op_info *info);
/* Info on tensor `index` (model numbering) as the interpreter sees it:
 * current shape, and data pointer (arena or folded constant; NULL if unused). */
ODAI_API odai_status odai_interpreter_tensor(const odai_interpreter *interp, int index,
                                             odai_tensor_info *info);

#ifdef __cplusplus
}
#endif

#endif /* ODAI_INFERENCE_H */
