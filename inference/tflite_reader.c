/* inference/tflite_reader.c: a hand-written, bounds-checked FlatBuffers reader
 * for the .tflite schema (TFLITE_FORMAT.md). It trusts nothing in the file:
 * every offset, vtable, length, index and size is checked, and a failure
 * names the object and field. Output: the odai_model tables (model.h). */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

typedef struct rd {
  const uint8_t *p;
  size_t n;
  odai_error *err;
  char where[128]; /* "subgraph 0 tensor 12" etc. */
  odai_status code; /* code of the first failure */
} rd;

/* Record a failure with its code (the message goes to r->err). */
static int rfail(rd *r, odai_status code, const char *fmt, ...) ODAI_PRINTF(3, 4);
static int rfail(rd *r, odai_status code, const char *fmt, ...) {
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  r->code = code;
  odai_error_set(r->err, code, "%s", msg);
  return (int)code;
}

typedef struct tbl {
  size_t pos;
  size_t vt;
  uint16_t vt_bytes, tbl_bytes;
} tbl;

typedef struct vec {
  size_t pos; /* first element */
  uint32_t count;
} vec;

static uint16_t ld16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t ld32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static uint64_t ld64(const uint8_t *p) { return (uint64_t)ld32(p) | ((uint64_t)ld32(p + 4) << 32); }

static int bad(rd *r, const char *fmt, const char *field, unsigned long long a, unsigned long long b) {
  char msg[256];
  snprintf(msg, sizeof msg, fmt, field, a, b);
  rfail(r, ODAI_E_CORRUPT, "corrupt .tflite: %s%s%s", r->where, r->where[0] ? ": " : "", msg);
  return -1;
}

static int bad2(rd *r, const char *fmt, unsigned long long a, unsigned long long b) {
  char msg[256];
  snprintf(msg, sizeof msg, fmt, a, b);
  rfail(r, ODAI_E_CORRUPT, "corrupt .tflite: %s%s%s", r->where, r->where[0] ? ": " : "", msg);
  return -1;
}

static bool in_file(const rd *r, size_t pos, size_t len) { return pos <= r->n && len <= r->n - pos; }

/* Table at `pos`: check the soffset, the vtable and the inline size. */
static int table_at(rd *r, size_t pos, tbl *t, const char *what) {
  if (!in_file(r, pos, 4) || (pos & 3))
    return bad(r, "%s table at offset %llu outside the file or misaligned (size %llu)", what, pos, r->n);
  int32_t so = (int32_t)ld32(r->p + pos);
  int64_t vt = (int64_t)pos - (int64_t)so;
  if (vt < 0 || !in_file(r, (size_t)vt, 4) || (vt & 1))
    return bad(r, "%s vtable at offset %lld out of range (file size %llu)", what,
               (unsigned long long)vt, r->n);
  t->pos = pos;
  t->vt = (size_t)vt;
  t->vt_bytes = ld16(r->p + t->vt);
  t->tbl_bytes = ld16(r->p + t->vt + 2);
  if (t->vt_bytes < 4 || (t->vt_bytes & 1) || !in_file(r, t->vt, t->vt_bytes))
    return bad(r, "%s vtable size %llu invalid or past the end of the file (size %llu)", what,
               t->vt_bytes, r->n);
  if (t->tbl_bytes < 4 || !in_file(r, pos, t->tbl_bytes))
    return bad(r, "%s table size %llu invalid or past the end of the file (size %llu)", what,
               t->tbl_bytes, r->n);
  return 0;
}

/* Position of field `id` of `size` bytes: 0 absent, 1 present (*pos set), -1 corrupt. */
static int field(rd *r, const tbl *t, int id, size_t size, size_t *pos, const char *name) {
  size_t slot = 4 + 2 * (size_t)id;
  if (slot + 2 > t->vt_bytes) return 0;
  uint16_t vo = ld16(r->p + t->vt + slot);
  if (vo == 0) return 0;
  if (vo < 4 || (size_t)vo + size > t->tbl_bytes)
    return bad(r, "field %s at table offset %llu does not fit the table (%llu bytes)", name, vo,
               t->tbl_bytes);
  *pos = t->pos + vo;
  return 1;
}

static int get_u8(rd *r, const tbl *t, int id, uint8_t def, uint8_t *out, const char *name) {
  size_t pos;
  int f = field(r, t, id, 1, &pos, name);
  if (f < 0) return -1;
  *out = f ? r->p[pos] : def;
  return 0;
}
static int get_i8(rd *r, const tbl *t, int id, int8_t def, int *out, const char *name) {
  uint8_t v;
  if (get_u8(r, t, id, (uint8_t)def, &v, name)) return -1;
  *out = (int8_t)v;
  return 0;
}
static int get_bool(rd *r, const tbl *t, int id, bool *out, const char *name) {
  uint8_t v;
  if (get_u8(r, t, id, 0, &v, name)) return -1;
  if (v > 1) return bad(r, "bool field %s has value %llu%.0llu", name, v, 0);
  *out = v;
  return 0;
}
static int get_i32(rd *r, const tbl *t, int id, int32_t def, int32_t *out, const char *name) {
  size_t pos;
  int f = field(r, t, id, 4, &pos, name);
  if (f < 0) return -1;
  *out = f ? (int32_t)ld32(r->p + pos) : def;
  return 0;
}
static int get_u64(rd *r, const tbl *t, int id, uint64_t *out, const char *name) {
  size_t pos;
  int f = field(r, t, id, 8, &pos, name);
  if (f < 0) return -1;
  *out = f ? ld64(r->p + pos) : 0;
  return 0;
}

/* Follow the uoffset stored in field `id`. 0 absent, 1 present, -1 corrupt. */
static int get_ref(rd *r, const tbl *t, int id, size_t *target, const char *name) {
  size_t pos;
  int f = field(r, t, id, 4, &pos, name);
  if (f <= 0) return f;
  uint32_t off = ld32(r->p + pos);
  if (off == 0 || (uint64_t)pos + off > r->n - 4 || r->n < 4)
    return bad(r, "offset of field %s (%llu) points outside the file (size %llu)", name, off, r->n);
  *target = pos + off;
  return 1;
}

static int vector_at(rd *r, size_t pos, size_t elem, vec *v, const char *name) {
  if (!in_file(r, pos, 4) || (pos & 3))
    return bad(r, "vector %s at offset %llu outside the file or misaligned (size %llu)", name, pos, r->n);
  uint32_t count = ld32(r->p + pos);
  uint64_t bytes = (uint64_t)count * elem;
  if (bytes > r->n || !in_file(r, pos + 4, (size_t)bytes))
    return bad(r, "vector %s length %llu overflows the file (size %llu)", name, count, r->n);
  v->pos = pos + 4;
  v->count = count;
  return 0;
}

/* Vector field: 0 absent (count 0), 1 present, -1 corrupt. */
static int get_vec(rd *r, const tbl *t, int id, size_t elem, vec *v, const char *name) {
  size_t target = 0;
  v->pos = 0;
  v->count = 0;
  int f = get_ref(r, t, id, &target, name);
  if (f <= 0) return f;
  if (vector_at(r, target, elem, v, name)) return -1;
  return 1;
}

/* Element i of a vector of tables. */
static int vec_table(rd *r, const vec *v, uint32_t i, tbl *t, const char *what) {
  size_t pos = v->pos + 4 * (size_t)i;
  uint32_t off = ld32(r->p + pos);
  if (off == 0 || (uint64_t)pos + off > r->n)
    return bad(r, "%s element offset %llu points outside the file (size %llu)", what, off, r->n);
  return table_at(r, pos + off, t, what);
}

/* String field: "" when absent; must be NUL-terminated in the file. */
static int get_str(rd *r, const tbl *t, int id, const char **out, const char *name) {
  vec v;
  *out = "";
  int f = get_vec(r, t, id, 1, &v, name);
  if (f <= 0) return f;
  if (!in_file(r, v.pos, (size_t)v.count + 1) || r->p[v.pos + v.count] != 0)
    return bad(r, "string %s of length %llu has no NUL terminator inside the file (size %llu)", name,
               v.count, r->n);
  if (memchr(r->p + v.pos, 0, v.count))
    return bad(r, "string %s of length %llu has an embedded NUL%.0llu", name, v.count, 0);
  *out = (const char *)(r->p + v.pos);
  return 1;
}

static int read_i32_vec(rd *r, const vec *v, int32_t **out, const char *name) {
  (void)name;
  *out = NULL;
  if (v->count == 0) return 0;
  *out = malloc(sizeof(int32_t) * v->count);
  if (!*out) return rfail(r, ODAI_E_NOMEM, "out of memory reading %s", name), -1;
  for (uint32_t i = 0; i < v->count; i++) (*out)[i] = (int32_t)ld32(r->p + v->pos + 4 * i);
  return 0;
}

/* ---- op names -------------------------------------------------------- */

static const char *const k_op_names[] = {
    "ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D", "DEPTH_TO_SPACE",
    "DEQUANTIZE", "EMBEDDING_LOOKUP", "FLOOR", "FULLY_CONNECTED", "HASHTABLE_LOOKUP",
    "L2_NORMALIZATION", "L2_POOL_2D", "LOCAL_RESPONSE_NORMALIZATION", "LOGISTIC", "LSH_PROJECTION",
    "LSTM", "MAX_POOL_2D", "MUL", "RELU", "RELU_N1_TO_1", "RELU6", "RESHAPE", "RESIZE_BILINEAR", "RNN",
    "SOFTMAX", "SPACE_TO_DEPTH", "SVDF", "TANH", "CONCAT_EMBEDDINGS", "SKIP_GRAM", "CALL", "CUSTOM",
    "EMBEDDING_LOOKUP_SPARSE", "PAD", "UNIDIRECTIONAL_SEQUENCE_RNN", "GATHER", "BATCH_TO_SPACE_ND",
    "SPACE_TO_BATCH_ND", "TRANSPOSE", "MEAN", "SUB", "DIV", "SQUEEZE", "UNIDIRECTIONAL_SEQUENCE_LSTM",
    "STRIDED_SLICE", "BIDIRECTIONAL_SEQUENCE_RNN", "EXP", "TOPK_V2", "SPLIT", "LOG_SOFTMAX", "DELEGATE",
    "BIDIRECTIONAL_SEQUENCE_LSTM", "CAST", "PRELU", "MAXIMUM", "ARG_MAX", "MINIMUM", "LESS", "NEG",
    "PADV2", "GREATER", "GREATER_EQUAL", "LESS_EQUAL", "SELECT", "SLICE", "SIN", "TRANSPOSE_CONV",
    "SPARSE_TO_DENSE", "TILE", "EXPAND_DIMS", "EQUAL", "NOT_EQUAL", "LOG", "SUM", "SQRT", "RSQRT",
    "SHAPE", "POW", "ARG_MIN", "FAKE_QUANT", "REDUCE_PROD", "REDUCE_MAX", "PACK", "LOGICAL_OR",
    "ONE_HOT", "LOGICAL_AND", "LOGICAL_NOT", "UNPACK", "REDUCE_MIN", "FLOOR_DIV", "REDUCE_ANY",
    "SQUARE", "ZEROS_LIKE", "FILL", "FLOOR_MOD", "RANGE", "RESIZE_NEAREST_NEIGHBOR", "LEAKY_RELU",
    "SQUARED_DIFFERENCE", "MIRROR_PAD", "ABS", "SPLIT_V", "UNIQUE", "CEIL", "REVERSE_V2", "ADD_N",
    "GATHER_ND", "COS", "WHERE", "RANK", "ELU", "REVERSE_SEQUENCE", "MATRIX_DIAG", "QUANTIZE",
    "MATRIX_SET_DIAG", "ROUND", "HARD_SWISH", "IF", "WHILE", "NON_MAX_SUPPRESSION_V4",
    "NON_MAX_SUPPRESSION_V5", "SCATTER_ND", "SELECT_V2", "DENSIFY", "SEGMENT_SUM", "BATCH_MATMUL",
    "PLACEHOLDER_FOR_GREATER_OP_CODES", "CUMSUM", "CALL_ONCE", "BROADCAST_TO", "RFFT2D", "CONV_3D",
    "IMAG", "REAL", "COMPLEX_ABS", "HASHTABLE", "HASHTABLE_FIND", "HASHTABLE_IMPORT", "HASHTABLE_SIZE",
    "REDUCE_ALL", "CONV_3D_TRANSPOSE", "VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE",
    "BROADCAST_ARGS", "RANDOM_STANDARD_NORMAL", "BUCKETIZE", "RANDOM_UNIFORM", "MULTINOMIAL", "GELU",
    "DYNAMIC_UPDATE_SLICE", "RELU_0_TO_1", "UNSORTED_SEGMENT_PROD", "UNSORTED_SEGMENT_MAX",
    "UNSORTED_SEGMENT_SUM", "ATAN2", "UNSORTED_SEGMENT_MIN", "SIGN"};

const char *odai_builtin_op_name(int code) {
  if (code == OP_X_CONV2D_TRANSPOSE_BIAS) return "Convolution2DTransposeBias";
  if (code == OP_X_ADD_CHANNEL_PADDED) return "ADD";
  if (code < 0 || (size_t)code >= sizeof k_op_names / sizeof k_op_names[0]) return NULL;
  return k_op_names[code];
}

/* ---- options --------------------------------------------------------- */

/* The BuiltinOptions union tag each op of ours expects (0: takes no options). */
static int expected_options_tag(int code) {
  switch (code) {
  case OP_CONV_2D: return 1;
  case OP_DEPTHWISE_CONV_2D: return 2;
  case OP_AVERAGE_POOL_2D: case OP_MAX_POOL_2D: return 5;
  case OP_FULLY_CONNECTED: return 8;
  case OP_CONCATENATION: return 10;
  case OP_ADD: return 11;
  case OP_RESIZE_BILINEAR: return 15;
  case OP_RESHAPE: return 17;
  case OP_MUL: return 21;
  case OP_PAD: return 22;
  case OP_MEAN: return 27;
  case OP_SUB: return 28;
  case OP_DEQUANTIZE: return 38;
  case OP_ABS: return 78;
  case OP_HARD_SWISH: return 91;
  case OP_DEPTH_TO_SPACE: return 94;
  case OP_DENSIFY: return 99;
  default: return -1; /* unknown op or no options table: any tag tolerated */
  }
}

static int check_act(rd *r, int act) {
  if (act < 0 || act > ACT_SIGN_BIT) return bad(r, "%s %llu is not a known activation%.0llu",
                                                "fused_activation_function", (unsigned)act, 0);
  return 0;
}

static int parse_options(rd *r, const tbl *ot, bool present, int code, odai_op_options *o) {
  memset(o, 0, sizeof *o);
  o->stride_w = o->stride_h = 1;
  o->dilation_w = o->dilation_h = 1;
  o->filter_w = o->filter_h = 1;
  o->depth_multiplier = 1;
  o->n_new_shape = -1;
  if (!present) {
    /* Defaults: AddOptions etc. without a table. Conv-like ops need one. */
    if (code == OP_CONV_2D || code == OP_DEPTHWISE_CONV_2D || code == OP_AVERAGE_POOL_2D ||
        code == OP_MAX_POOL_2D || code == OP_DEPTH_TO_SPACE)
      return bad(r, "%s has no options table (stride/filter required)%.0llu%.0llu",
                 odai_builtin_op_name(code), 0, 0);
    return 0;
  }
  switch (code) {
  case OP_CONV_2D:
  case OP_DEPTHWISE_CONV_2D: {
    bool dw = code == OP_DEPTHWISE_CONV_2D;
    if (get_i8(r, ot, 0, 0, &o->padding, "padding")) return -1;
    if (get_i32(r, ot, 1, 0, &o->stride_w, "stride_w")) return -1;
    if (get_i32(r, ot, 2, 0, &o->stride_h, "stride_h")) return -1;
    if (dw && get_i32(r, ot, 3, 0, &o->depth_multiplier, "depth_multiplier")) return -1;
    if (get_i8(r, ot, dw ? 4 : 3, 0, &o->activation, "fused_activation_function")) return -1;
    if (get_i32(r, ot, dw ? 5 : 4, 1, &o->dilation_w, "dilation_w_factor")) return -1;
    if (get_i32(r, ot, dw ? 6 : 5, 1, &o->dilation_h, "dilation_h_factor")) return -1;
    if (dw && o->depth_multiplier == 0) o->depth_multiplier = 1; /* old writers leave 0 */
    break;
  }
  case OP_AVERAGE_POOL_2D:
  case OP_MAX_POOL_2D:
    if (get_i8(r, ot, 0, 0, &o->padding, "padding")) return -1;
    if (get_i32(r, ot, 1, 0, &o->stride_w, "stride_w")) return -1;
    if (get_i32(r, ot, 2, 0, &o->stride_h, "stride_h")) return -1;
    if (get_i32(r, ot, 3, 0, &o->filter_w, "filter_width")) return -1;
    if (get_i32(r, ot, 4, 0, &o->filter_h, "filter_height")) return -1;
    if (get_i8(r, ot, 5, 0, &o->activation, "fused_activation_function")) return -1;
    break;
  case OP_FULLY_CONNECTED:
    if (get_i8(r, ot, 0, 0, &o->activation, "fused_activation_function")) return -1;
    {
      int wf;
      if (get_i8(r, ot, 1, 0, &wf, "weights_format")) return -1;
      if (wf != 0) return bad(r, "%s %llu not supported%.0llu", "weights_format", (unsigned)wf, 0);
    }
    if (get_bool(r, ot, 2, &o->keep_dims, "keep_num_dims")) return -1;
    break;
  case OP_CONCATENATION:
    if (get_i32(r, ot, 0, 0, &o->axis, "axis")) return -1;
    if (get_i8(r, ot, 1, 0, &o->activation, "fused_activation_function")) return -1;
    break;
  case OP_ADD: case OP_MUL: case OP_SUB:
    if (get_i8(r, ot, 0, 0, &o->activation, "fused_activation_function")) return -1;
    break;
  case OP_RESIZE_BILINEAR:
    if (get_bool(r, ot, 2, &o->align_corners, "align_corners")) return -1;
    if (get_bool(r, ot, 3, &o->half_pixel_centers, "half_pixel_centers")) return -1;
    break;
  case OP_RESHAPE: {
    vec ns;
    int f = get_vec(r, ot, 0, 4, &ns, "new_shape");
    if (f < 0) return -1;
    if (f) {
      if (ns.count > ODAI_TENSOR_MAX_DIMS)
        return bad(r, "%s has %llu dims (max %llu)", "new_shape", ns.count, ODAI_TENSOR_MAX_DIMS);
      o->n_new_shape = (int)ns.count;
      for (uint32_t i = 0; i < ns.count; i++) o->new_shape[i] = (int32_t)ld32(r->p + ns.pos + 4 * i);
    }
    break;
  }
  case OP_MEAN:
    if (get_bool(r, ot, 0, &o->keep_dims, "keep_dims")) return -1;
    break;
  case OP_DEPTH_TO_SPACE:
    if (get_i32(r, ot, 0, 0, &o->block_size, "block_size")) return -1;
    break;
  default: break;
  }
  return check_act(r, o->activation);
}

/* ---- tensors --------------------------------------------------------- */

static int parse_index_vector(rd *r, const tbl *dm, int id, const uint8_t **data, int *width,
                              uint32_t *count, const char *name) {
  uint8_t tag;
  if (get_u8(r, dm, id, 0, &tag, name)) return -1;
  size_t target;
  int f = get_ref(r, dm, id + 1, &target, name);
  if (f < 0) return -1;
  if (!f || tag == 0 || tag > 3) return bad(r, "sparse %s missing or of unknown type %llu%.0llu", name, tag, 0);
  tbl t;
  if (table_at(r, target, &t, name)) return -1;
  int w = tag == 1 ? 4 : tag == 2 ? 2 : 1;
  vec v;
  f = get_vec(r, &t, 0, (size_t)w, &v, name);
  if (f < 0) return -1;
  *data = r->p + v.pos;
  *width = w;
  *count = v.count;
  return 0;
}

static uint32_t ld_w(const uint8_t *p, int w, uint64_t i) {
  return w == 4 ? ld32(p + 4 * i) : w == 2 ? ld16(p + 2 * i) : p[i];
}

static int parse_sparsity(rd *r, size_t pos, odai_mtensor *t) {
  tbl sp;
  if (table_at(r, pos, &sp, "sparsity")) return -1;
  vec trav, blk, dims;
  if (get_vec(r, &sp, 0, 4, &trav, "traversal_order") < 0) return -1;
  if (get_vec(r, &sp, 1, 4, &blk, "block_map") < 0) return -1;
  if (get_vec(r, &sp, 2, 4, &dims, "dim_metadata") < 0) return -1;
  if (blk.count != 0 || (int)trav.count != t->rank || (int)dims.count != t->rank || t->rank < 1)
    return rfail(r, ODAI_E_UNSUPPORTED,
                          "%s: sparsity with block_map or traversal/dim count != rank is not supported",
                          r->where), -1;
  for (uint32_t i = 0; i < trav.count; i++)
    if ((int32_t)ld32(r->p + trav.pos + 4 * i) != (int32_t)i)
      return rfail(r, ODAI_E_UNSUPPORTED,
                            "%s: sparse traversal order other than identity is not supported", r->where), -1;
  odai_sparsity *s = &t->sparsity;
  s->rows = 1;
  for (uint32_t d = 0; d < dims.count; d++) {
    tbl dm;
    if (vec_table(r, &dims, d, &dm, "dim_metadata")) return -1;
    int format;
    int32_t dense_size;
    if (get_i8(r, &dm, 0, 0, &format, "format")) return -1;
    if (get_i32(r, &dm, 1, 0, &dense_size, "dense_size")) return -1;
    bool last = d + 1 == dims.count;
    if (!last) {
      if (format != 0 || dense_size != t->shape[d])
        return rfail(r, ODAI_E_UNSUPPORTED,
                              "%s: only DENSE leading dims with dense_size == shape are supported "
                              "(dim %u format %d dense_size %d)", r->where, d, format, dense_size), -1;
      s->rows *= t->shape[d];
      continue;
    }
    if (format != 1)
      return rfail(r, ODAI_E_UNSUPPORTED, "%s: last sparse dim must be SPARSE_CSR",
                            r->where), -1;
    uint32_t nseg, nidx;
    if (parse_index_vector(r, &dm, 2, &s->segments, &s->seg_width, &nseg, "array_segments")) return -1;
    if (parse_index_vector(r, &dm, 4, &s->indices, &s->idx_width, &nidx, "array_indices")) return -1;
    s->cols = t->shape[d];
    if ((int64_t)nseg != s->rows + 1)
      return bad2(r, "sparse array_segments has %llu entries, expected rows+1 = %llu", nseg,
                 (unsigned long long)(s->rows + 1));
    uint32_t prev = 0;
    for (uint32_t i = 0; i < nseg; i++) {
      uint32_t sg = ld_w(s->segments, s->seg_width, i);
      if ((i == 0 && sg != 0) || sg < prev || sg > nidx)
        return bad2(r, "sparse array_segments[%llu] = %llu is not a valid CSR row pointer", i, sg);
      prev = sg;
    }
    if (prev != nidx)
      return bad2(r, "sparse segments end at %llu but there are %llu indices", prev, nidx);
    for (uint32_t i = 0; i < nidx; i++)
      if (ld_w(s->indices, s->idx_width, i) >= (uint64_t)s->cols)
        return bad2(r, "sparse array_indices[%llu] = %llu out of range", i,
                   ld_w(s->indices, s->idx_width, i));
    s->nnz = nidx;
  }
  t->has_sparsity = true;
  return 0;
}

static int parse_tensor(rd *r, const tbl *tt, const vec *buffers, odai_mtensor *t) {
  vec shape;
  if (get_vec(r, tt, 0, 4, &shape, "shape") < 0) return -1;
  if (shape.count > ODAI_TENSOR_MAX_DIMS)
    return bad(r, "%s rank %llu exceeds the maximum %llu", "shape", shape.count, ODAI_TENSOR_MAX_DIMS);
  t->rank = (int)shape.count;
  t->elems = 1;
  for (int i = 0; i < t->rank; i++) {
    int32_t d = (int32_t)ld32(r->p + shape.pos + 4 * (size_t)i);
    if (d < 0) return bad(r, "%s dim %llu is negative (%lld)", "shape", (unsigned)i, (unsigned long long)(long long)d);
    t->shape[i] = d;
    if (d != 0 && t->elems > (INT64_C(1) << 40) / d)
      return bad(r, "%s product overflows (dim %llu = %llu)", "shape", (unsigned)i, (unsigned)d);
    t->elems *= d;
  }
  if (get_i8(r, tt, 1, 0, &t->dtype, "type")) return -1;
  if (t->elems > ODAI_MAX_TENSOR_ELEMS)
    return rfail(r, ODAI_E_UNSUPPORTED, "%s: tensor of %lld elements exceeds the limit of %lld", r->where,
                 (long long)t->elems, (long long)ODAI_MAX_TENSOR_ELEMS), -1;
  uint32_t buf_index = 0;
  {
    int32_t b;
    if (get_i32(r, tt, 2, 0, &b, "buffer")) return -1;
    buf_index = (uint32_t)b;
  }
  if (get_str(r, tt, 3, &t->name, "name") < 0) return -1;
  size_t sp;
  int f = get_ref(r, tt, 6, &sp, "sparsity");
  if (f < 0) return -1;
  if (buf_index >= buffers->count)
    return bad2(r, "buffer index %llu out of range (%llu buffers)", buf_index, buffers->count);
  if (buf_index > 0) {
    tbl bt;
    if (vec_table(r, buffers, buf_index, &bt, "buffer")) return -1;
    vec data;
    if (get_vec(r, &bt, 0, 1, &data, "buffer data") < 0) return -1;
    uint64_t off = 0, sz = 0;
    if (get_u64(r, &bt, 1, &off, "buffer offset") || get_u64(r, &bt, 2, &sz, "buffer size")) return -1;
    if (off > 1)
      return rfail(r, ODAI_E_UNSUPPORTED,
                            "%s: buffer %u stores data outside the flatbuffer (offset/size form)",
                            r->where, buf_index), -1;
    if (data.count > 0) {
      t->data = r->p + data.pos;
      t->data_bytes = data.count;
    }
  }
  size_t es = odai_dtype_size((odai_dtype)t->dtype);
  if (f) {
    if (parse_sparsity(r, sp, t)) return -1;
    if (!t->data) return bad(r, "%s tensor has no data%.0llu%.0llu", "sparse", 0, 0);
    if (es == 0 || (uint64_t)t->sparsity.nnz * es != t->data_bytes)
      return bad2(r, "sparse data has %llu bytes, expected %llu (non-zeros x element size)",
                 (unsigned long long)t->data_bytes, (unsigned long long)(t->sparsity.nnz * (int64_t)es));
  } else if (t->data) {
    if (es == 0)
      return rfail(r, ODAI_E_UNSUPPORTED, "%s: constant of type %d not supported",
                            r->where, t->dtype), -1;
    if ((uint64_t)t->elems * es != t->data_bytes)
      return bad2(r, "constant data has %llu bytes but the shape needs %llu",
                 (unsigned long long)t->data_bytes, (unsigned long long)t->elems * es);
  }
  return 0;
}

/* ---- model ----------------------------------------------------------- */

static int check_tensor_list(rd *r, const int32_t *idx, int n, int n_tensors, bool optional,
                             const char *what) {
  for (int i = 0; i < n; i++) {
    if (optional && idx[i] == -1) continue;
    if (idx[i] < 0 || idx[i] >= n_tensors)
      return bad(r, "%s tensor index %lld out of range (%llu tensors)", what,
                 (unsigned long long)(long long)idx[i], (unsigned)n_tensors);
  }
  return 0;
}

odai_status odai_tflite_parse(odai_model *m, odai_error *err) {
  rd r = {.p = m->bytes, .n = m->size, .err = err, .code = ODAI_OK};
  r.where[0] = 0;
  int32_t *op_codes = NULL;
  const char **op_custom = NULL;
  int32_t *op_versions = NULL;
  if (m->size < 8) {
    rfail(&r, ODAI_E_CORRUPT, "corrupt .tflite: file is %zu bytes, too small", m->size);
    goto fail;
  }
  if (memcmp(m->bytes + 4, "TFL3", 4) != 0) {
    rfail(&r, ODAI_E_CORRUPT, "corrupt .tflite: file identifier is not TFL3");
    goto fail;
  }
  tbl root;
  if (table_at(&r, ld32(m->bytes), &root, "root (Model)")) goto fail;
  int32_t version;
  if (get_i32(&r, &root, 0, 0, &version, "version")) goto fail;
  if (version != 3) {
    rfail(&r, ODAI_E_UNSUPPORTED, "model schema version %d (only 3 supported)", version);
    goto fail;
  }
  vec codes, subgraphs, buffers;
  if (get_vec(&r, &root, 1, 4, &codes, "operator_codes") < 0) goto fail;
  if (get_vec(&r, &root, 2, 4, &subgraphs, "subgraphs") < 0) goto fail;
  if (get_str(&r, &root, 3, &m->description, "description") < 0) goto fail;
  if (get_vec(&r, &root, 4, 4, &buffers, "buffers") < 0) goto fail;
  if (subgraphs.count < 1) {
    bad(&r, "%s: model has %llu subgraphs%.0llu", "subgraphs", subgraphs.count, 0);
    goto fail;
  }
  if (buffers.count < 1) {
    bad(&r, "%s: model has %llu buffers (buffer 0 must be the empty sentinel)%.0llu", "buffers",
        buffers.count, 0);
    goto fail;
  }
  op_codes = calloc(codes.count + 1, sizeof *op_codes);
  op_custom = calloc(codes.count + 1, sizeof *op_custom);
  op_versions = calloc(codes.count + 1, sizeof *op_versions);
  if (!op_codes || !op_custom || !op_versions) {
    rfail(&r, ODAI_E_NOMEM, "out of memory");
    goto fail;
  }
  for (uint32_t i = 0; i < codes.count; i++) {
    snprintf(r.where, sizeof r.where, "operator_codes[%u]", i);
    tbl ct;
    int dep;
    int32_t code, ver;
    if (vec_table(&r, &codes, i, &ct, "OperatorCode")) goto fail;
    if (get_i8(&r, &ct, 0, 0, &dep, "deprecated_builtin_code")) goto fail;
    if (get_str(&r, &ct, 1, &op_custom[i], "custom_code") < 0) goto fail;
    if (get_i32(&r, &ct, 2, 1, &ver, "version")) goto fail;
    if (get_i32(&r, &ct, 3, 0, &code, "builtin_code")) goto fail;
    code = code > dep ? code : dep;
    if (code < 0) {
      bad(&r, "%s %llu is negative%.0llu", "builtin_code", (unsigned)code, 0);
      goto fail;
    }
    op_codes[i] = code;
    op_versions[i] = ver;
  }
  r.where[0] = 0;
  tbl sg;
  snprintf(r.where, sizeof r.where, "subgraph 0");
  if (vec_table(&r, &subgraphs, 0, &sg, "SubGraph")) goto fail;
  vec tensors, ins, outs, ops;
  if (get_vec(&r, &sg, 0, 4, &tensors, "tensors") < 0) goto fail;
  if (get_vec(&r, &sg, 1, 4, &ins, "inputs") < 0) goto fail;
  if (get_vec(&r, &sg, 2, 4, &outs, "outputs") < 0) goto fail;
  if (get_vec(&r, &sg, 3, 4, &ops, "operators") < 0) goto fail;
  if (tensors.count > (1u << 24) || ops.count > (1u << 24)) {
    bad(&r, "%s: %llu tensors / %llu operators is implausible", "subgraph", tensors.count, ops.count);
    goto fail;
  }
  m->n_tensors = (int)tensors.count;
  m->tensors = calloc(tensors.count + 1, sizeof *m->tensors);
  m->n_ops = (int)ops.count;
  m->ops = calloc(ops.count + 1, sizeof *m->ops);
  if (!m->tensors || !m->ops) {
    rfail(&r, ODAI_E_NOMEM, "out of memory");
    goto fail;
  }
  for (uint32_t i = 0; i < tensors.count; i++) {
    snprintf(r.where, sizeof r.where, "tensor %u", i);
    tbl tt;
    if (vec_table(&r, &tensors, i, &tt, "Tensor")) goto fail;
    if (parse_tensor(&r, &tt, &buffers, &m->tensors[i])) goto fail;
    if (m->tensors[i].data) m->weight_bytes += m->tensors[i].data_bytes;
  }
  r.where[0] = 0;
  m->n_inputs = (int)ins.count;
  m->n_outputs = (int)outs.count;
  snprintf(r.where, sizeof r.where, "subgraph 0");
  if (read_i32_vec(&r, &ins, &m->inputs, "inputs") || read_i32_vec(&r, &outs, &m->outputs, "outputs")) {
    goto fail;
  }
  if (check_tensor_list(&r, m->inputs, m->n_inputs, m->n_tensors, false, "graph input") ||
      check_tensor_list(&r, m->outputs, m->n_outputs, m->n_tensors, false, "graph output"))
    goto fail;
  for (uint32_t i = 0; i < ops.count; i++) {
    odai_mop *op = &m->ops[i];
    tbl ot;
    snprintf(r.where, sizeof r.where, "operator %u", i);
    if (vec_table(&r, &ops, i, &ot, "Operator")) goto fail;
    int32_t oc;
    if (get_i32(&r, &ot, 0, 0, &oc, "opcode_index")) goto fail;
    if (oc < 0 || (uint32_t)oc >= codes.count) {
      bad(&r, "%s %llu out of range (%llu operator codes)", "opcode_index", (unsigned)oc, codes.count);
      goto fail;
    }
    op->file_code = op_codes[oc];
    op->code = op_codes[oc];
    op->version = op_versions[oc];
    op->name = odai_builtin_op_name(op->code);
    if (op->code == OP_CUSTOM) {
      op->name = op_custom[oc];
      if (strcmp(op_custom[oc], "Convolution2DTransposeBias") == 0) op->code = OP_X_CONV2D_TRANSPOSE_BIAS;
    }
    snprintf(r.where, sizeof r.where, "operator %u (%s)", i, op->name ? op->name : "?");
    vec oi, oo, co;
    if (get_vec(&r, &ot, 1, 4, &oi, "inputs") < 0 || get_vec(&r, &ot, 2, 4, &oo, "outputs") < 0)
      goto fail;
    if (read_i32_vec(&r, &oi, &op->inputs, "inputs") || read_i32_vec(&r, &oo, &op->outputs, "outputs"))
      goto fail;
    op->n_inputs = (int)oi.count;
    op->n_outputs = (int)oo.count;
    if (check_tensor_list(&r, op->inputs, op->n_inputs, m->n_tensors, true, "input") ||
        check_tensor_list(&r, op->outputs, op->n_outputs, m->n_tensors, false, "output"))
      goto fail;
    uint8_t tag;
    if (get_u8(&r, &ot, 3, 0, &tag, "builtin_options_type")) goto fail;
    size_t opos = 0;
    int f = get_ref(&r, &ot, 4, &opos, "builtin_options");
    if (f < 0) goto fail;
    int want = expected_options_tag(op->code);
    bool have = false;
    tbl opt;
    if (tag != 0 && f) {
      if (want > 0 && tag != want) {
        bad2(&r, "builtin_options_type %llu does not match the op (expected %llu)", tag, (unsigned)want);
        goto fail;
      }
      if (want > 0) {
        if (table_at(&r, opos, &opt, "builtin_options")) goto fail;
        have = true;
      }
    } else if (tag != 0 && !f && want > 0) {
      bad(&r, "%s tag %llu set but the options table is missing%.0llu", "builtin_options", tag, 0);
      goto fail;
    }
    if (parse_options(&r, have ? &opt : NULL, have, op->code, &op->opt)) goto fail;
    if (get_vec(&r, &ot, 5, 1, &co, "custom_options") < 0) goto fail;
    if (co.count) {
      op->custom_options = r.p + co.pos;
      op->custom_options_len = co.count;
    }
  }
  r.where[0] = 0;
  /* Unsupported ops: reported by name and index, at load. */
  for (int i = 0; i < m->n_ops; i++) {
    odai_mop *op = &m->ops[i];
    int dt = op->n_outputs > 0 ? m->tensors[op->outputs[0]].dtype : ODAI_DTYPE_FLOAT32;
    if (!odai_op_supported(op->code, dt)) {
      rfail(&r, ODAI_E_UNSUPPORTED, "operator %d: unsupported op %s (code %d, %s output)",
                          i, op->name && op->name[0] ? op->name : "<unnamed custom>", op->file_code,
                          odai_dtype_name((odai_dtype)dt));
      goto fail;
    }
  }
  /* Data flow: every op input must be a constant, a graph input or the output
   * of an earlier op; each tensor is produced once (no cycles). */
  {
    uint8_t *state = calloc((size_t)m->n_tensors + 1, 1); /* 1 available, 2 produced */
    if (!state) {
      rfail(&r, ODAI_E_NOMEM, "out of memory");
      goto fail;
    }
    for (int i = 0; i < m->n_tensors; i++)
      if (m->tensors[i].data) state[i] = 1;
    for (int i = 0; i < m->n_inputs; i++) {
      if (m->tensors[m->inputs[i]].data) {
        free(state);
        rfail(&r, ODAI_E_CORRUPT, "corrupt .tflite: graph input %d (tensor %d) is a constant",
                       i, m->inputs[i]);
        goto fail;
      }
      state[m->inputs[i]] = 1;
    }
    for (int i = 0; i < m->n_ops; i++) {
      odai_mop *op = &m->ops[i];
      for (int k = 0; k < op->n_inputs; k++) {
        int t = op->inputs[k];
        if (t >= 0 && !state[t]) {
          free(state);
          rfail(&r, ODAI_E_CORRUPT,
                         "corrupt .tflite: operator %d (%s) reads tensor %d ('%s') before any op "
                         "produces it (cycle or wrong order)",
                         i, op->name, t, m->tensors[t].name);
          goto fail;
        }
      }
      for (int k = 0; k < op->n_outputs; k++) {
        int t = op->outputs[k];
        if (state[t]) {
          free(state);
          rfail(&r, ODAI_E_CORRUPT,
                         "corrupt .tflite: operator %d (%s) writes tensor %d ('%s') which is a "
                         "constant, a graph input or already produced",
                         i, op->name, t, m->tensors[t].name);
          goto fail;
        }
        state[t] = 2;
      }
    }
    for (int i = 0; i < m->n_outputs; i++) {
      if (!state[m->outputs[i]]) {
        free(state);
        rfail(&r, ODAI_E_CORRUPT, "corrupt .tflite: graph output %d (tensor %d) is never produced",
                       i, m->outputs[i]);
        goto fail;
      }
    }
    free(state);
  }
  free(op_codes);
  free(op_custom);
  free(op_versions);
  return ODAI_OK;
fail:
  free(op_codes);
  free(op_custom);
  free(op_versions);
  if (r.code == ODAI_OK) r.code = rfail(&r, ODAI_E_INTERNAL, "model parse failed without a reason");
  return r.code;
}
