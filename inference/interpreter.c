/* inference/interpreter.c: odai_interpreter: turns a loaded model into a
 * run plan (load-time folding of fp16 DEQUANTIZE and DENSIFY, PReLU pattern
 * and activation fusion, RESHAPE aliasing), prepares each op through the op
 * table (ops/), plans one activation arena from tensor lifetimes and runs
 * the plan, splitting each op's rows across a persistent thread pool. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model.h"
#include "ops/ops.h"
#include "threadpool.h"

#define ARENA_ALIGN 64
/* Ops smaller than this many FLOPs run on the caller's thread only. With the
 * chunk-claiming pool (threadpool.c: a spinning worker joins in ~0.1 us, the
 * caller never waits for an idle one) 0.5 MFLOP (~3 us) pays: shared 2-vCPU
 * box, short range 2 threads forced split, when the other vCPU was free:
 * 0.36-0.39 ms vs 0.52 ms on 1 thread; thresholds 0.1-2 MFLOP were within
 * the noise of each other, load decides. Below that, or under load, the
 * adaptive choice (adapt_choose) runs the whole invoke on the caller.
 * ODAI_INFERENCE_SPLIT_MFLOP overrides it (for measuring). */
#define PARALLEL_MIN_FLOPS 5e5

struct odai_interpreter {
  const odai_model *model;
  int n_tensors, cap_tensors;
  odai_rt_tensor *T;
  int n_plan;
  odai_plan_op *plan;     /* live ops in execution order (incl. shape-only RESHAPEs) */
  int n_exec;
  int *exec;              /* indices into plan of the ops that run */
  uint8_t *arena;
  size_t arena_bytes;
  size_t max_memory; /* options.max_memory_bytes, resolved */
  uint8_t *scratch;       /* per-thread kernel scratch: threads x scratch_stride */
  size_t scratch_stride;
  odai_tpool *pool;
  size_t weight_bytes;
  size_t peak_live;       /* most activation bytes live at one step (arena lower bound) */
  double flops;
  /* adaptive threading (threads > 1): invoke times of the split (1) and the
   * caller-only (0) way, smoothed; the faster is used, the other re-tried
   * every ADAPT_PROBE invokes. Off with ODAI_INFERENCE_ADAPTIVE=0. */
  bool adaptive;
  double split_min_flops; /* PARALLEL_MIN_FLOPS, or ODAI_INFERENCE_SPLIT_MFLOP (measuring) */
  double adapt_ms[2];
  int adapt_n[2];
  uint64_t invokes;
};

#define ADAPT_PROBE 16

static int root_of(const odai_rt_tensor *T, int t) {
  while (T[t].kind == RT_ALIAS) t = T[t].alias_of;
  return t;
}

/* ---- load-time folding ------------------------------------------------ */

static odai_status fold_dequantize(odai_interpreter *it, const odai_mop *mop, int index, odai_error *err) {
  odai_rt_tensor *in = &it->T[mop->inputs[0]], *out = &it->T[mop->outputs[0]];
  if (out->dtype != ODAI_DTYPE_FLOAT32 || out->elems != in->elems)
    return odai_error_set(err, ODAI_E_CORRUPT, "corrupt .tflite: operator %d (DEQUANTIZE): output is not a "
                          "float32 tensor of the input's size", index);
  float *dst = odai_aligned_alloc((size_t)in->elems * sizeof(float));
  if (!dst) return odai_error_set(err, ODAI_E_NOMEM, "out of memory folding DEQUANTIZE");
  if (in->dtype == ODAI_DTYPE_FLOAT16)
    odai_f16_to_f32((const uint16_t *)in->data, dst, (size_t)in->elems);
  else if (in->dtype == ODAI_DTYPE_FLOAT32)
    memcpy(dst, in->data, (size_t)in->elems * 4);
  else {
    free(dst);
    return odai_error_set(err, ODAI_E_UNSUPPORTED, "operator %d (DEQUANTIZE): %s constants are not supported",
                          index, odai_dtype_name((odai_dtype)in->dtype));
  }
  out->kind = RT_CONST;
  out->owned = dst;
  out->data = dst;
  return ODAI_OK;
}

static uint32_t ld_w(const uint8_t *p, int w, int64_t i) {
  if (w == 4) return (uint32_t)p[4 * i] | ((uint32_t)p[4 * i + 1] << 8) | ((uint32_t)p[4 * i + 2] << 16) |
                     ((uint32_t)p[4 * i + 3] << 24);
  if (w == 2) return (uint32_t)p[2 * i] | ((uint32_t)p[2 * i + 1] << 8);
  return p[i];
}

static odai_status fold_densify(odai_interpreter *it, const odai_mop *mop, int index, odai_error *err) {
  const odai_mtensor *min = &it->model->tensors[mop->inputs[0]];
  odai_rt_tensor *out = &it->T[mop->outputs[0]];
  if (!min->has_sparsity || !min->data)
    return odai_error_set(err, ODAI_E_UNSUPPORTED, "operator %d (DENSIFY): input is not a constant sparse tensor",
                          index);
  size_t es = odai_dtype_size((odai_dtype)min->dtype);
  if (out->dtype != min->dtype || out->elems != min->elems || es == 0)
    return odai_error_set(err, ODAI_E_CORRUPT, "corrupt .tflite: operator %d (DENSIFY): output type/size differs "
                          "from the sparse input", index);
  if ((size_t)min->elems * es > it->max_memory)
    return odai_error_set(err, ODAI_E_NOMEM,
                          "operator %d (DENSIFY): the dense weights take %zu bytes, more than the "
                          "interpreter's max_memory_bytes (%zu)", index, (size_t)min->elems * es,
                          it->max_memory);
  uint8_t *dst = odai_aligned_alloc((size_t)min->elems * es);
  if (!dst) return odai_error_set(err, ODAI_E_NOMEM, "out of memory in DENSIFY");
  memset(dst, 0, (size_t)min->elems * es);
  const odai_sparsity *s = &min->sparsity;
  for (int64_t r = 0; r < s->rows; r++) {
    uint32_t b = ld_w(s->segments, s->seg_width, r), e = ld_w(s->segments, s->seg_width, r + 1);
    for (uint32_t k = b; k < e; k++) {
      uint32_t c = ld_w(s->indices, s->idx_width, k);
      memcpy(dst + ((size_t)r * (size_t)s->cols + c) * es, min->data + (size_t)k * es, es);
    }
  }
  out->kind = RT_CONST;
  out->owned = dst;
  out->data = dst;
  return ODAI_OK;
}

/* ---- fusion passes ---------------------------------------------------- */

static void count_consumers(odai_interpreter *it, const bool *dead, int *producer) {
  for (int t = 0; t < it->n_tensors; t++) {
    it->T[t].consumers = it->T[t].is_output ? 1 : 0;
    producer[t] = -1;
  }
  for (int i = 0; i < it->n_plan; i++) {
    if (dead[i]) continue;
    for (int k = 0; k < it->plan[i].n_in; k++)
      if (it->plan[i].in[k] >= 0) it->T[it->plan[i].in[k]].consumers++;
    for (int k = 0; k < it->plan[i].n_out; k++) producer[it->plan[i].out[k]] = i;
  }
}

/* Producer op of t if it is live, has the given code and act NONE, and t
 * has exactly one consumer and is not a graph output. */
static odai_plan_op *single_use_producer(odai_interpreter *it, const bool *dead, const int *producer, int t,
                                         int code) {
  if (t < 0 || producer[t] < 0 || dead[producer[t]]) return NULL;
  odai_plan_op *p = &it->plan[producer[t]];
  if (p->code != code || p->opt.activation != ACT_NONE) return NULL;
  if (it->T[t].consumers != 1 || it->T[t].is_output) return NULL;
  return p;
}

/* MobileFaceNet's PReLU: y = RELU(x) + MUL(SUB(x, ABS(x)), a) -> PRELU(x, 2a).
 * Exact in float: for x < 0, a*(x - |x|) = a*(2x) = (2a)*x (scaling by 2). */
static odai_status fuse_prelu(odai_interpreter *it, bool *dead, int *producer, odai_error *err) {
  int fused = 0;
  for (int i = 0; i < it->n_plan; i++) {
    odai_plan_op *add = &it->plan[i];
    if (dead[i] || add->code != OP_ADD || add->opt.activation != ACT_NONE || add->n_in != 2) continue;
    for (int order = 0; order < 2; order++) {
      odai_plan_op *relu = single_use_producer(it, dead, producer, add->in[order], OP_RELU);
      odai_plan_op *mul = single_use_producer(it, dead, producer, add->in[1 - order], OP_MUL);
      if (!relu || !mul || mul->n_in != 2) continue;
      int x = relu->in[0];
      int s_idx = -1, a_idx = -1;
      for (int k = 0; k < 2; k++) {
        int t = mul->in[k];
        if (t >= 0 && it->T[t].kind == RT_CONST && it->T[t].dtype == ODAI_DTYPE_FLOAT32) a_idx = t;
        else s_idx = t;
      }
      if (a_idx < 0 || s_idx < 0) continue;
      odai_plan_op *sub = single_use_producer(it, dead, producer, s_idx, OP_SUB);
      if (!sub || sub->n_in != 2 || sub->in[0] != x) continue;
      odai_plan_op *abs = single_use_producer(it, dead, producer, sub->in[1], OP_ABS);
      if (!abs || abs->in[0] != x) continue;
      odai_rt_tensor *xa = &it->T[x], *a = &it->T[a_idx];
      if (xa->rank < 1 || a->elems != xa->shape[xa->rank - 1]) continue;
      bool ones = true;
      for (int d = 0; d + 1 < a->rank; d++) ones = ones && a->shape[d] == 1;
      if (!ones || it->n_tensors >= it->cap_tensors) continue;
      int na = it->n_tensors++;
      odai_rt_tensor *alpha = &it->T[na];
      memset(alpha, 0, sizeof *alpha);
      alpha->name = "prelu_alpha";
      alpha->dtype = ODAI_DTYPE_FLOAT32;
      alpha->rank = 1;
      alpha->shape[0] = (int32_t)a->elems;
      alpha->elems = a->elems;
      alpha->bytes = (size_t)a->elems * 4;
      alpha->kind = RT_CONST;
      float *ad = odai_aligned_alloc(alpha->bytes);
      if (!ad) return odai_error_set(err, ODAI_E_NOMEM, "out of memory fusing PReLU");
      const float *src = a->data;
      for (int64_t c = 0; c < a->elems; c++) ad[c] = 2.f * src[c];
      alpha->owned = alpha->data = ad;
      dead[relu - it->plan] = dead[mul - it->plan] = dead[sub - it->plan] = dead[abs - it->plan] = true;
      add->code = OP_PRELU;
      add->name = "PRELU";
      add->k = odai_op_find(OP_PRELU, ODAI_DTYPE_FLOAT32);
      add->in[0] = x;
      add->in[1] = na;
      add->fused_name = "PRELU<-RELU,ABS,SUB,MUL,ADD";
      fused++;
      count_consumers(it, dead, producer);
      break;
    }
  }
  (void)fused;
  return ODAI_OK;
}

/* A PRELU whose input comes only from a CONV_2D / DEPTHWISE_CONV_2D with no
 * activation runs inside that conv (the kernels apply per-channel alpha). */
static void fuse_prelu_into_conv(odai_interpreter *it, bool *dead, int *producer) {
  for (int i = 0; i < it->n_plan; i++) {
    odai_plan_op *pr = &it->plan[i];
    if (dead[i] || pr->code != OP_PRELU || pr->n_in != 2) continue;
    int x = pr->in[0], a = pr->in[1];
    if (x < 0 || a < 0 || producer[x] < 0 || dead[producer[x]]) continue;
    odai_plan_op *c = &it->plan[producer[x]];
    if ((c->code != OP_CONV_2D && c->code != OP_DEPTHWISE_CONV_2D) || c->opt.activation != ACT_NONE ||
        c->prelu_alpha >= 0 || c->n_out != 1)
      continue;
    const odai_rt_tensor *at = &it->T[a], *xt = &it->T[x];
    if (at->kind != RT_CONST || at->dtype != ODAI_DTYPE_FLOAT32 || xt->rank != 4 || at->elems != xt->shape[3])
      continue;
    bool ones = true;
    for (int d = 0; d + 1 < at->rank; d++) ones = ones && at->shape[d] == 1;
    if (!ones || xt->consumers != 1 || xt->is_output) continue;
    c->prelu_alpha = a;
    c->out[0] = pr->out[0];
    c->fused_name = "PRELU";
    dead[i] = true;
    count_consumers(it, dead, producer);
  }
}

/* ADD(y, PAD(x)) with zero padding after the channels only -> one padded
 * ADD (ops/elementwise.c); the padded tensor disappears. */
static void fuse_channel_pad_add(odai_interpreter *it, bool *dead, int *producer) {
  for (int i = 0; i < it->n_plan; i++) {
    odai_plan_op *add = &it->plan[i];
    if (dead[i] || add->code != OP_ADD || add->n_in != 2) continue;
    for (int k = 0; k < 2; k++) {
      int pt = add->in[k], yt = add->in[1 - k];
      odai_plan_op *pad = single_use_producer(it, dead, producer, pt, OP_PAD);
      if (!pad || pad->n_in < 2 || yt < 0) continue;
      const odai_rt_tensor *x = &it->T[pad->in[0]], *pd = &it->T[pad->in[1]], *y = &it->T[yt], *pp = &it->T[pt];
      if (pd->kind != RT_CONST || pd->dtype != ODAI_DTYPE_INT32 || pd->elems != 2 * x->rank || x->rank < 1 ||
          x->dtype != ODAI_DTYPE_FLOAT32)
        continue;
      bool chan_only = true;
      for (int d = 0; d < x->rank; d++) {
        int32_t b = odai_const_i32(pd, 2 * d), a = odai_const_i32(pd, 2 * d + 1);
        chan_only = chan_only && b == 0 && (d + 1 == x->rank ? a >= 0 : a == 0);
      }
      bool same = y->rank == pp->rank;
      for (int d = 0; same && d < y->rank; d++) same = y->shape[d] == pp->shape[d];
      if (!chan_only || !same) continue;
      add->code = OP_X_ADD_CHANNEL_PADDED;
      add->k = odai_op_find(OP_X_ADD_CHANNEL_PADDED, ODAI_DTYPE_FLOAT32);
      add->in[0] = yt;
      add->in[1] = pad->in[0];
      if (add->opt.activation == ACT_NONE) add->fused_name = "PAD";
      dead[pad - it->plan] = true;
      count_consumers(it, dead, producer);
      break;
    }
  }
}

/* Convolution2DTransposeBias followed by LOGISTIC (selfie's last two ops):
 * the sigmoid is applied to each tile's rows right after they are written. */
static void fuse_tconv_logistic(odai_interpreter *it, bool *dead, int *producer) {
  for (int i = 0; i < it->n_plan; i++) {
    odai_plan_op *lg = &it->plan[i];
    if (dead[i] || lg->code != OP_LOGISTIC || lg->n_in < 1) continue;
    odai_plan_op *tc = single_use_producer(it, dead, producer, lg->in[0], OP_X_CONV2D_TRANSPOSE_BIAS);
    if (!tc || tc->post_logistic) continue;
    tc->post_logistic = true;
    tc->out[0] = lg->out[0];
    tc->fused_name = "LOGISTIC";
    dead[i] = true;
    count_consumers(it, dead, producer);
  }
}

/* HARD_SWISH whose input comes only from a CONV_2D / DEPTHWISE_CONV_2D (any
 * fused clamp or PReLU, no residual yet): the kernels apply
 * x * relu6(x + 3) / 6 after the clamp as they write (selfie: 11 passes of
 * up to 1.5 MB gone). Runs before fuse_residual_add, whose kernel order is
 * conv, clamp, hard-swish, + r. */
static void fuse_hardswish(odai_interpreter *it, bool *dead, int *producer) {
  for (int i = 0; i < it->n_plan; i++) {
    odai_plan_op *hs = &it->plan[i];
    if (dead[i] || hs->code != OP_HARD_SWISH || hs->n_in < 1 || hs->n_out != 1) continue;
    int x = hs->in[0];
    if (x < 0 || producer[x] < 0 || dead[producer[x]]) continue;
    odai_plan_op *c = &it->plan[producer[x]];
    if ((c->code != OP_CONV_2D && c->code != OP_DEPTHWISE_CONV_2D) || c->n_out != 1 || c->hardswish ||
        c->residual >= 0)
      continue;
    if (it->T[x].consumers != 1 || it->T[x].is_output || it->T[x].dtype != ODAI_DTYPE_FLOAT32) continue;
    c->hardswish = true;
    c->out[0] = hs->out[0];
    c->fused_name = c->prelu_alpha >= 0 ? "PRELU+HARD_SWISH" : "HARD_SWISH";
    dead[i] = true;
    count_consumers(it, dead, producer);
  }
}

/* ADD(conv(x), r) -> the conv adds r as it writes its output (kernel's
 * residual path: conv activation, then + r, then the ADD's activation).
 * r must be ready when the conv runs (constant, graph input or produced
 * before the conv), must not be the conv's input, and must have the
 * conv output's shape. */
static void fuse_residual_add(odai_interpreter *it, bool *dead, int *producer) {
  for (int i = 0; i < it->n_plan; i++) {
    odai_plan_op *add = &it->plan[i];
    if (dead[i] || add->code != OP_ADD || add->n_in != 2) continue;
    for (int k = 0; k < 2; k++) {
      int ct = add->in[k], rt = add->in[1 - k];
      if (ct < 0 || rt < 0 || ct == rt || producer[ct] < 0 || dead[producer[ct]]) continue;
      odai_plan_op *c = &it->plan[producer[ct]];
      int ci = producer[ct];
      if ((c->code != OP_CONV_2D && c->code != OP_DEPTHWISE_CONV_2D) || c->residual >= 0 || c->n_out != 1 ||
          c->n_in > 3)
        continue;
      if (it->T[ct].consumers != 1 || it->T[ct].is_output) continue;
      /* the conv kernels may read r in place of the output, never the input;
       * depthwise adds r after each block of rows, so r may be its input */
      if (c->code == OP_CONV_2D && root_of(it->T, rt) == root_of(it->T, c->in[0])) continue;
      if (producer[rt] >= ci) continue; /* r computed after the conv */
      const odai_rt_tensor *r = &it->T[rt], *y = &it->T[ct];
      bool same = r->rank == 4 && y->rank == 4 && r->dtype == ODAI_DTYPE_FLOAT32;
      for (int d = 0; same && d < 4; d++) same = r->shape[d] == y->shape[d];
      if (!same) continue;
      /* r also becomes an input (slot 3), so lifetimes and consumers see it */
      while (c->n_in < 3) c->in[c->n_in++] = -1;
      c->in[3] = rt;
      c->n_in = 4;
      c->residual = rt;
      c->res_min = add->act_min;
      c->res_max = add->act_max;
      c->out[0] = add->out[0];
      if (c->hardswish)
        c->fused_name = add->opt.activation == ACT_NONE ? "HARD_SWISH+ADD" : "HARD_SWISH+ADD+ACT";
      else
        c->fused_name = add->opt.activation == ACT_RELU ? "ADD+RELU" : add->opt.activation == ACT_RELU6 ? "ADD+RELU6" : "ADD";
      dead[i] = true;
      count_consumers(it, dead, producer);
      break;
    }
  }
}

/* PAD (spatial only, zeros) feeding a VALID CONV_2D / DEPTHWISE_CONV_2D as its
 * only consumer: the conv reads the unpadded input with explicit padding
 * (the kernels treat out-of-range taps as zeros); the padded tensor and the
 * PAD pass disappear (sparse face / pose models pad before stride-2 convs). */
static void fuse_pad_into_conv(odai_interpreter *it, bool *dead, int *producer) {
  for (int i = 0; i < it->n_plan; i++) {
    odai_plan_op *c = &it->plan[i];
    if (dead[i] || (c->code != OP_CONV_2D && c->code != OP_DEPTHWISE_CONV_2D) || c->has_xpad ||
        c->opt.padding != PAD_VALID || c->n_in < 1)
      continue;
    odai_plan_op *pad = single_use_producer(it, dead, producer, c->in[0], OP_PAD);
    if (!pad || pad->n_in < 2 || pad->in[1] < 0) continue;
    const odai_rt_tensor *x = &it->T[pad->in[0]], *pd = &it->T[pad->in[1]];
    if (x->rank != 4 || pd->kind != RT_CONST || pd->dtype != ODAI_DTYPE_INT32 || pd->elems != 8) continue;
    int32_t v[8];
    for (int k = 0; k < 8; k++) v[k] = odai_const_i32(pd, k);
    if (v[0] || v[1] || v[6] || v[7] || v[2] < 0 || v[3] < 0 || v[4] < 0 || v[5] < 0 || v[2] > 64 || v[3] > 64 ||
        v[4] > 64 || v[5] > 64)
      continue;
    c->has_xpad = true;
    c->xpad[0] = v[2];
    c->xpad[1] = v[3];
    c->xpad[2] = v[4];
    c->xpad[3] = v[5];
    c->in[0] = pad->in[0];
    dead[pad - it->plan] = true;
    count_consumers(it, dead, producer);
  }
}

static bool can_fuse_activation(int code) {
  switch (code) {
  case OP_CONV_2D: case OP_DEPTHWISE_CONV_2D: case OP_FULLY_CONNECTED: case OP_ADD: case OP_SUB:
  case OP_MUL: case OP_AVERAGE_POOL_2D: case OP_MAX_POOL_2D:
    return true;
  default:
    return false;
  }
}

static void fuse_activations(odai_interpreter *it, bool *dead, int *producer) {
  for (int i = 0; i < it->n_plan; i++) {
    odai_plan_op *r = &it->plan[i];
    if (dead[i] || r->n_in < 1) continue;
    int act = r->code == OP_RELU ? ACT_RELU : r->code == OP_RELU6 ? ACT_RELU6
            : r->code == OP_RELU_N1_TO_1 ? ACT_RELU_N1_TO_1 : -1;
    if (act < 0) continue;
    int t = r->in[0];
    if (t < 0 || producer[t] < 0 || dead[producer[t]]) continue;
    odai_plan_op *p = &it->plan[producer[t]];
    if (!can_fuse_activation(p->code) || p->opt.activation != ACT_NONE || p->n_out != 1) continue;
    if (it->T[t].consumers != 1 || it->T[t].is_output) continue;
    p->out[0] = r->out[0];
    odai_op_set_activation(p, act);
    dead[i] = true;
    count_consumers(it, dead, producer);
  }
}

/* ---- prepare and arena planning --------------------------------------- */

static odai_status prepare_all(odai_interpreter *it, bool check_file_shapes, odai_error *err) {
  for (int i = 0; i < it->n_plan; i++) {
    odai_plan_op *op = &it->plan[i];
    odai_status st = op->k->prepare(op, err);
    if (st) return st;
    op->prepared_once = true;
    odai_rt_tensor *y = &it->T[op->out[0]];
    if (op->code == OP_RESHAPE) {
      odai_rt_tensor *x = &it->T[op->in[0]];
      if (y->kind == RT_CONST) y->data = x->data;
    }
    if (check_file_shapes && op->out[0] < it->model->n_tensors) {
      const odai_mtensor *mt = &it->model->tensors[op->out[0]];
      bool same = mt->rank == y->rank;
      for (int d = 0; same && d < y->rank; d++) same = mt->shape[d] == y->shape[d];
      if (!same && mt->rank > 0) {
        char a[96] = "", b[96] = "";
        for (int d = 0; d < mt->rank; d++)
          snprintf(a + strlen(a), sizeof a - strlen(a), "%s%d", d ? "," : "", mt->shape[d]);
        for (int d = 0; d < y->rank; d++)
          snprintf(b + strlen(b), sizeof b - strlen(b), "%s%d", d ? "," : "", y->shape[d]);
        return odai_error_set(err, ODAI_E_CORRUPT,
                              "corrupt .tflite: operator %d (%s): output tensor %d '%s' is declared [%s] "
                              "but the op computes [%s]", op->model_index, op->name, op->out[0], mt->name, a, b);
      }
    }
  }
  return ODAI_OK;
}

typedef struct placed {
  size_t off, end;
  int first, last;
} placed;

static int cmp_off(const void *a, const void *b) {
  const placed *x = a, *y = b;
  return x->off < y->off ? -1 : x->off > y->off;
}

/* Orders tried by the planner (first fit in each; the smallest arena wins). */
enum { ORDER_SIZE, ORDER_FIRST_USE, ORDER_LIFETIME, ORDER_COUNT };

static long long order_key(const odai_rt_tensor *t, int order, int k) {
  long long size = (long long)t->bytes, life = t->last - t->first;
  if (order == ORDER_SIZE) return k == 0 ? -size : t->first;
  if (order == ORDER_FIRST_USE) return k == 0 ? t->first : -size;
  return k == 0 ? -(life * 4 + (size > 0)) * (size >> 6) : t->first;
}

/* Insertion sort keeps this qsort_r-free; n is a few hundred. */
static void sort_order(int *idx, int n, const odai_rt_tensor *T, int order) {
  for (int i = 1; i < n; i++) {
    int v = idx[i], j = i - 1;
    while (j >= 0) {
      long long a0 = order_key(&T[idx[j]], order, 0), b0 = order_key(&T[v], order, 0);
      long long a1 = order_key(&T[idx[j]], order, 1), b1 = order_key(&T[v], order, 1);
      if (a0 < b0 || (a0 == b0 && (a1 < b1 || (a1 == b1 && idx[j] < v)))) break;
      idx[j + 1] = idx[j];
      j--;
    }
    idx[j + 1] = v;
  }
}

/* First-fit offsets for tensors idx[0..n) in that order; returns the total. */
static size_t first_fit(const int *idx, int n, const odai_rt_tensor *T, placed *pl, placed *tmp, size_t *offs) {
  size_t total = 0;
  for (int i = 0; i < n; i++) {
    const odai_rt_tensor *t = &T[idx[i]];
    size_t size = (t->bytes + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (size == 0) size = ARENA_ALIGN;
    int nc = 0;
    for (int j = 0; j < i; j++)
      if (pl[j].first <= t->last && t->first <= pl[j].last) tmp[nc++] = pl[j];
    qsort(tmp, (size_t)nc, sizeof *tmp, cmp_off);
    size_t off = 0;
    for (int j = 0; j < nc; j++) {
      if (off + size <= tmp[j].off) break;
      if (tmp[j].end > off) off = tmp[j].end;
    }
    pl[i] = (placed){off, off + size, t->first, t->last};
    offs[i] = off;
    if (off + size > total) total = off + size;
  }
  return total;
}

static odai_status plan_arena(odai_interpreter *it, odai_error *err) {
  odai_rt_tensor *T = it->T;
  const int END = it->n_exec + 1;
  for (int t = 0; t < it->n_tensors; t++) {
    T[t].first = INT_MAX;
    T[t].last = -1;
  }
  const odai_model *m = it->model;
  for (int i = 0; i < m->n_inputs; i++) {
    int r = root_of(T, m->inputs[i]);
    T[r].first = 0;
    T[r].last = END;
  }
  for (int e = 0; e < it->n_exec; e++) {
    odai_plan_op *op = &it->plan[it->exec[e]];
    for (int k = 0; k < op->n_in + op->n_out; k++) {
      int t = k < op->n_in ? op->in[k] : op->out[k - op->n_in];
      if (t < 0) continue;
      int r = root_of(T, t);
      if (T[r].kind != RT_ARENA) continue;
      if (e + 1 < T[r].first) T[r].first = e + 1;
      if (e + 1 > T[r].last) T[r].last = e + 1;
    }
  }
  for (int i = 0; i < m->n_outputs; i++) {
    int r = root_of(T, m->outputs[i]);
    if (T[r].kind != RT_ARENA) continue;
    if (T[r].first == INT_MAX) T[r].first = 0;
    T[r].last = END;
  }
  int *idx = malloc(sizeof(int) * (size_t)(it->n_tensors + 1));
  placed *pl = malloc(sizeof(placed) * (size_t)(it->n_tensors + 1));
  placed *tmp = malloc(sizeof(placed) * (size_t)(it->n_tensors + 1));
  size_t *offs = malloc(sizeof(size_t) * (size_t)(it->n_tensors + 1));
  if (!idx || !pl || !tmp || !offs) {
    free(idx); free(pl); free(tmp); free(offs);
    return odai_error_set(err, ODAI_E_NOMEM, "out of memory planning the arena");
  }
  int n = 0;
  for (int t = 0; t < it->n_tensors; t++)
    if (T[t].kind == RT_ARENA && T[t].first <= T[t].last) idx[n++] = t;
  size_t total = SIZE_MAX;
  int *best = malloc(sizeof(int) * (size_t)(it->n_tensors + 1));
  size_t *best_offs = malloc(sizeof(size_t) * (size_t)(it->n_tensors + 1));
  if (!best || !best_offs) {
    free(idx); free(pl); free(tmp); free(offs); free(best); free(best_offs);
    return odai_error_set(err, ODAI_E_NOMEM, "out of memory planning the arena");
  }
  for (int order = 0; order < ORDER_COUNT; order++) {
    sort_order(idx, n, T, order);
    size_t tot = first_fit(idx, n, T, pl, tmp, offs);
    if (tot < total) {
      total = tot;
      memcpy(best, idx, sizeof(int) * (size_t)n);
      memcpy(best_offs, offs, sizeof(size_t) * (size_t)n);
    }
  }
  if (n == 0) total = 0;
  memcpy(idx, best, sizeof(int) * (size_t)n);
  memcpy(offs, best_offs, sizeof(size_t) * (size_t)n);
  free(best);
  free(best_offs);
  /* lower bound: the most bytes live at any step */
  it->peak_live = 0;
  for (int step = 0; step <= END; step++) {
    size_t live = 0;
    for (int i = 0; i < n; i++)
      if (T[idx[i]].first <= step && step <= T[idx[i]].last) live += T[idx[i]].bytes;
    if (live > it->peak_live) it->peak_live = live;
  }
  if (total > it->max_memory) {
    free(idx); free(pl); free(tmp); free(offs);
    return odai_error_set(err, ODAI_E_NOMEM,
                          "the model needs a %zu-byte activation arena, more than the interpreter's "
                          "max_memory_bytes (%zu)", total, it->max_memory);
  }
  uint8_t *arena = odai_aligned_alloc(total ? total : ARENA_ALIGN);
  if (!arena) {
    free(idx); free(pl); free(tmp); free(offs);
    return odai_error_set(err, ODAI_E_NOMEM, "out of memory allocating a %zu-byte arena", total);
  }
  memset(arena, 0, total);
  free(it->arena);
  it->arena = arena;
  it->arena_bytes = total;
  for (int t = 0; t < it->n_tensors; t++)
    if (T[t].kind == RT_ARENA) T[t].data = NULL;
  for (int i = 0; i < n; i++) {
    T[idx[i]].arena_off = offs[i];
    T[idx[i]].data = arena + offs[i];
  }
  for (int t = 0; t < it->n_tensors; t++)
    if (T[t].kind == RT_ALIAS) T[t].data = T[root_of(T, t)].data;
  free(idx); free(pl); free(tmp); free(offs);
  /* stats */
  it->flops = 0;
  for (int e = 0; e < it->n_exec; e++) it->flops += it->plan[it->exec[e]].flops;
  return ODAI_OK;
}

/* Per-thread scratch for the kernels (im2col tiles etc.), sized for the
 * largest op and the current thread count. */
static odai_status alloc_scratch(odai_interpreter *it, int threads, odai_error *err) {
  size_t need = 0;
  for (int i = 0; i < it->n_plan; i++)
    if (it->plan[i].scratch_need > need) need = it->plan[i].scratch_need;
  need = (need + 63) & ~(size_t)63;
  uint8_t *s = NULL;
  if (need) {
    s = odai_aligned_alloc(need * (size_t)threads);
    if (!s) return odai_error_set(err, ODAI_E_NOMEM, "out of memory for %zu bytes of kernel scratch", need * threads);
  }
  free(it->scratch);
  it->scratch = s;
  it->scratch_stride = need;
  for (int i = 0; i < it->n_plan; i++) {
    it->plan[i].scratch = s;
    it->plan[i].scratch_stride = need;
  }
  return ODAI_OK;
}

static void compute_weight_bytes(odai_interpreter *it) {
  uint8_t *seen = calloc((size_t)it->n_tensors + 1, 1);
  size_t w = 0;
  for (int e = 0; e < it->n_exec; e++) {
    odai_plan_op *op = &it->plan[it->exec[e]];
    w += op->packed_bytes;
    for (int k = 0; k < op->n_in; k++) {
      int t = op->in[k];
      if (t < 0 || it->T[t].kind != RT_CONST || (op->packed && k > 0)) continue;
      if (seen && seen[t]) continue;
      if (seen) seen[t] = 1;
      w += it->T[t].bytes;
    }
  }
  free(seen);
  it->weight_bytes = w;
}

/* ---- create / free ---------------------------------------------------- */

void odai_interpreter_options_init(odai_interpreter_options *o) {
  if (!o) return;
  o->num_threads = 1;
  o->max_memory_bytes = 0;
}

void odai_interpreter_free(odai_interpreter *it) {
  if (!it) return;
  odai_tpool_free(it->pool);
  if (it->plan)
    for (int i = 0; i < it->n_plan; i++) free(it->plan[i].packed);
  if (it->T)
    for (int t = 0; t < it->n_tensors; t++) free(it->T[t].owned);
  free(it->plan);
  free(it->exec);
  free(it->T);
  free(it->arena);
  free(it->scratch);
  free(it);
}

odai_status odai_interpreter_create(const odai_model *m, const odai_interpreter_options *opt,
                                    odai_interpreter **out, odai_error *err) {
  if (!m || !out) return odai_error_set(err, ODAI_E_INVALID, "odai_interpreter_create: NULL argument");
  *out = NULL;
  odai_interpreter_options defaults;
  odai_interpreter_options_init(&defaults);
  if (!opt) opt = &defaults;
  odai_status st = ODAI_OK;
  bool *dead = NULL;
  int *producer = NULL;
  odai_interpreter *it = calloc(1, sizeof *it);
  if (!it) return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  it->model = m;
  it->max_memory = opt->max_memory_bytes ? opt->max_memory_bytes : ODAI_INTERPRETER_DEFAULT_MAX_MEMORY;
  it->n_tensors = m->n_tensors;
  it->cap_tensors = m->n_tensors + m->n_ops + 1;
  it->T = calloc((size_t)it->cap_tensors, sizeof *it->T);
  it->plan = calloc((size_t)m->n_ops + 1, sizeof *it->plan);
  it->exec = calloc((size_t)m->n_ops + 1, sizeof *it->exec);
  dead = calloc((size_t)m->n_ops + 1, sizeof *dead);
  producer = calloc((size_t)it->cap_tensors, sizeof *producer);
  if (!it->T || !it->plan || !it->exec || !dead || !producer) {
    st = odai_error_set(err, ODAI_E_NOMEM, "out of memory");
    goto fail;
  }
  for (int t = 0; t < m->n_tensors; t++) {
    const odai_mtensor *mt = &m->tensors[t];
    odai_rt_tensor *rt = &it->T[t];
    rt->name = mt->name;
    rt->dtype = mt->dtype;
    rt->rank = mt->rank;
    memcpy(rt->shape, mt->shape, sizeof mt->shape);
    rt->elems = mt->elems;
    rt->bytes = (size_t)mt->elems * odai_dtype_size((odai_dtype)mt->dtype);
    rt->kind = RT_ARENA;
    if (mt->data) {
      rt->kind = RT_CONST;
      rt->data = (void *)mt->data;
      if (!mt->has_sparsity && (mt->dtype == ODAI_DTYPE_FLOAT32 || mt->dtype == ODAI_DTYPE_INT32) &&
          ((uintptr_t)mt->data & 3)) {
        rt->owned = odai_aligned_alloc(mt->data_bytes);
        if (!rt->owned) {
          st = odai_error_set(err, ODAI_E_NOMEM, "out of memory");
          goto fail;
        }
        memcpy(rt->owned, mt->data, mt->data_bytes);
        rt->data = rt->owned;
      }
    }
  }
  for (int i = 0; i < m->n_inputs; i++) it->T[m->inputs[i]].is_input = true;
  for (int i = 0; i < m->n_outputs; i++) it->T[m->outputs[i]].is_output = true;

  /* Build the plan; fold constant DEQUANTIZE / DENSIFY. */
  for (int i = 0; i < m->n_ops; i++) {
    const odai_mop *mop = &m->ops[i];
    if (mop->n_outputs < 1 || mop->n_outputs > 4 || mop->n_inputs > 16) {
      st = odai_error_set(err, ODAI_E_UNSUPPORTED, "operator %d (%s): %d inputs / %d outputs not supported", i,
                          mop->name, mop->n_inputs, mop->n_outputs);
      goto fail;
    }
    bool const_in = mop->n_inputs >= 1 && mop->inputs[0] >= 0 && it->T[mop->inputs[0]].kind == RT_CONST;
    if (mop->code == OP_DEQUANTIZE && const_in && mop->n_outputs == 1 &&
        !m->tensors[mop->inputs[0]].has_sparsity) {
      if ((st = fold_dequantize(it, mop, i, err))) goto fail;
      continue;
    }
    if (mop->code == OP_DENSIFY) {
      if (!const_in || mop->n_outputs != 1) {
        st = odai_error_set(err, ODAI_E_UNSUPPORTED, "operator %d (DENSIFY): only constant inputs are supported", i);
        goto fail;
      }
      if ((st = fold_densify(it, mop, i, err))) goto fail;
      continue;
    }
    if (mop->n_inputs < 1) {
      st = odai_error_set(err, ODAI_E_CORRUPT, "corrupt .tflite: operator %d (%s) has no inputs", i, mop->name);
      goto fail;
    }
    int dt = it->T[mop->outputs[0]].dtype;
    const odai_op_kernel *k = odai_op_find(mop->code, dt);
    if (!k || !k->prepare) {
      st = odai_error_set(err, ODAI_E_UNSUPPORTED, "operator %d: unsupported op %s for %s", i, mop->name,
                          odai_dtype_name((odai_dtype)dt));
      goto fail;
    }
    odai_plan_op *op = &it->plan[it->n_plan++];
    op->k = k;
    op->model_index = i;
    op->code = mop->code;
    op->name = mop->name;
    op->n_in = mop->n_inputs;
    op->n_out = mop->n_outputs;
    memcpy(op->in, mop->inputs, sizeof(int32_t) * (size_t)mop->n_inputs);
    memcpy(op->out, mop->outputs, sizeof(int32_t) * (size_t)mop->n_outputs);
    op->opt = mop->opt;
    op->custom = mop->custom_options;
    op->custom_len = mop->custom_options_len;
    op->T = it->T;
    op->prelu_alpha = -1;
    op->residual = -1;
    odai_op_set_activation(op, mop->opt.activation);
    if (mop->opt.activation == ACT_TANH || mop->opt.activation == ACT_SIGN_BIT) {
      st = odai_error_set(err, ODAI_E_UNSUPPORTED, "operator %d (%s): fused activation %d not supported", i,
                          mop->name, mop->opt.activation);
      goto fail;
    }
    for (int k2 = 0; k2 < mop->n_outputs; k2++)
      if (it->T[mop->outputs[k2]].kind == RT_CONST) {
        st = odai_error_set(err, ODAI_E_CORRUPT, "corrupt .tflite: operator %d (%s) writes a constant", i, mop->name);
        goto fail;
      }
  }

  /* Fusion passes. */
  count_consumers(it, dead, producer);
  if ((st = fuse_prelu(it, dead, producer, err))) goto fail;
  fuse_prelu_into_conv(it, dead, producer);
  fuse_activations(it, dead, producer);
  fuse_channel_pad_add(it, dead, producer);
  fuse_pad_into_conv(it, dead, producer);
  fuse_hardswish(it, dead, producer);
  fuse_residual_add(it, dead, producer);
  fuse_tconv_logistic(it, dead, producer);
  {
    int n = 0;
    for (int i = 0; i < it->n_plan; i++) {
      if (dead[i]) {
        free(it->plan[i].packed);
        continue;
      }
      it->plan[n++] = it->plan[i];
    }
    it->n_plan = n;
  }
  for (int i = 0; i < it->n_plan; i++) it->plan[i].T = it->T;
  /* RESHAPE aliasing: the output shares the input's storage. */
  for (int i = 0; i < it->n_plan; i++) {
    odai_plan_op *op = &it->plan[i];
    if (op->code != OP_RESHAPE) continue;
    odai_rt_tensor *x = &it->T[op->in[0]], *y = &it->T[op->out[0]];
    if (x->dtype != y->dtype) {
      st = odai_error_set(err, ODAI_E_CORRUPT, "corrupt .tflite: operator %d (RESHAPE) changes the type",
                          op->model_index);
      goto fail;
    }
    op->skip_run = true;
    if (x->kind == RT_CONST) {
      y->kind = RT_CONST;
    } else {
      y->kind = RT_ALIAS;
      y->alias_of = op->in[0];
    }
  }
  it->n_exec = 0;
  for (int i = 0; i < it->n_plan; i++)
    if (!it->plan[i].skip_run) it->exec[it->n_exec++] = i;

  if ((st = prepare_all(it, true, err))) goto fail;
  if ((st = plan_arena(it, err))) goto fail;
  compute_weight_bytes(it);
  if ((st = odai_tpool_create(opt->num_threads, &it->pool, err))) goto fail;
  {
    const char *ad = getenv("ODAI_INFERENCE_ADAPTIVE");
    it->adaptive = !(ad && ad[0] == '0');
    const char *sm = getenv("ODAI_INFERENCE_SPLIT_MFLOP");
    it->split_min_flops = sm && *sm ? atof(sm) * 1e6 : PARALLEL_MIN_FLOPS;
  }
  if ((st = alloc_scratch(it, odai_tpool_threads(it->pool), err))) goto fail;
  free(dead);
  free(producer);
  *out = it;
  return ODAI_OK;
fail:
  free(dead);
  free(producer);
  odai_interpreter_free(it);
  return st;
}

/* ---- run ------------------------------------------------------------- */

static void run_range(void *ctx, int tid, int64_t b, int64_t e) {
  const odai_plan_op *op = ctx;
  op->k->run(op, tid, b, e);
}

/* Denormals: like XNNPACK (pthreadpool's DISABLE_DENORMALS), invoke runs
 * with flush-to-zero and denormals-are-zero set, restored on return. On the
 * Xeon here a denormal result costs a microcode assist (selfie's sigmoid
 * head and gating ops ran 3-6x slower than on Zen, which has no penalty);
 * results change by at most ~1e-38 absolute. Pool workers set it once. */
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
typedef unsigned int fp_env;
static fp_env fp_enter(void) {
  fp_env old = _mm_getcsr();
  _mm_setcsr(old | 0x8040u); /* FTZ | DAZ */
  return old;
}
static void fp_leave(fp_env old) { _mm_setcsr(old); }
#else
typedef int fp_env;
static fp_env fp_enter(void) { return 0; }
static void fp_leave(fp_env old) { (void)old; }
#endif

static double mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Which way to run this invoke: 1 = split ops over the pool, 0 = the
 * caller's thread only. With 2+ threads on a busy machine (or a small
 * model) the split can be slower than one thread: measure both ways and
 * keep the faster, re-trying the other now and then (load changes). */
static int adapt_choose(const odai_interpreter *it) {
  if (!it->adaptive) return 1;
  if (it->adapt_n[1] < 2) return 1;
  if (it->adapt_n[0] < 2) return 0;
  int best = it->adapt_ms[1] <= it->adapt_ms[0] ? 1 : 0;
  return it->invokes % ADAPT_PROBE == ADAPT_PROBE - 1 ? 1 - best : best;
}

static void adapt_record(odai_interpreter *it, int mode, double ms) {
  it->invokes++;
  if (!it->adaptive) return;
  double *m = &it->adapt_ms[mode];
  if (it->adapt_n[mode]++ == 0) {
    *m = ms;
    return;
  }
  /* robust smoothing: a preempted run counts at most twice the estimate */
  if (ms > 2.0 * *m) ms = 2.0 * *m;
  *m += 0.25 * (ms - *m);
}

odai_status odai_interpreter_invoke(odai_interpreter *it, odai_error *err) {
  if (!it) return odai_error_set(err, ODAI_E_INVALID, "odai_interpreter_invoke: NULL interpreter");
  int threads = odai_tpool_threads(it->pool);
  int split = threads > 1 ? adapt_choose(it) : 0;
  double t0 = threads > 1 ? mono_ms() : 0.0;
  fp_env fpe = fp_enter();
  for (int e = 0; e < it->n_exec; e++) {
    odai_plan_op *op = &it->plan[it->exec[e]];
    if (op->n_items <= 0) continue;
    if (split && op->n_items > 1 && op->flops >= it->split_min_flops)
      odai_tpool_run(it->pool, op->n_items, run_range, op);
    else
      op->k->run(op, 0, 0, op->n_items);
  }
  fp_leave(fpe);
  if (threads > 1) adapt_record(it, split, mono_ms() - t0);
  return ODAI_OK;
}

odai_status odai_interpreter_invoke_timed(odai_interpreter *it, double *op_ms, odai_error *err) {
  if (!it || !op_ms) return odai_error_set(err, ODAI_E_INVALID, "odai_interpreter_invoke_timed: NULL argument");
  int threads = odai_tpool_threads(it->pool);
  fp_env fpe = fp_enter();
  for (int e = 0; e < it->n_exec; e++) {
    odai_plan_op *op = &it->plan[it->exec[e]];
    double t0 = mono_ms();
    if (op->n_items > 0) {
      if (threads > 1 && op->n_items > 1 && op->flops >= it->split_min_flops)
        odai_tpool_run(it->pool, op->n_items, run_range, op);
      else
        op->k->run(op, 0, 0, op->n_items);
    }
    op_ms[e] = mono_ms() - t0;
  }
  fp_leave(fpe);
  return ODAI_OK;
}

odai_status odai_interpreter_resize_input(odai_interpreter *it, int index, const int32_t *shape, int rank,
                                          odai_error *err) {
  if (!it || !shape || index < 0 || index >= it->model->n_inputs || rank < 0 || rank > ODAI_TENSOR_MAX_DIMS)
    return odai_error_set(err, ODAI_E_INVALID, "odai_interpreter_resize_input: bad argument");
  odai_rt_tensor *saved = malloc(sizeof *saved * (size_t)it->n_tensors);
  if (!saved) return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  memcpy(saved, it->T, sizeof *saved * (size_t)it->n_tensors);
  odai_rt_tensor *t = &it->T[it->model->inputs[index]];
  int64_t e = 1;
  for (int d = 0; d < rank; d++) {
    if (shape[d] < 1 || e > ODAI_MAX_TENSOR_ELEMS / shape[d]) {
      free(saved);
      return odai_error_set(err, ODAI_E_INVALID, "resize_input: dim %d = %d invalid", d, shape[d]);
    }
    e *= shape[d];
  }
  t->rank = rank;
  memcpy(t->shape, shape, sizeof(int32_t) * (size_t)rank);
  t->elems = e;
  t->bytes = (size_t)e * odai_dtype_size((odai_dtype)t->dtype);
  odai_status st = prepare_all(it, false, err);
  if (st == ODAI_OK) st = plan_arena(it, err);
  if (st == ODAI_OK) st = alloc_scratch(it, odai_tpool_threads(it->pool), err);
  if (st != ODAI_OK) {
    /* back to the old shapes: per-op parameters, arena offsets and data
     * pointers are derived again (the arena may already have been replaced) */
    memcpy(it->T, saved, sizeof *saved * (size_t)it->n_tensors);
    odai_error e2;
    if (prepare_all(it, false, &e2) != ODAI_OK || plan_arena(it, &e2) != ODAI_OK ||
        alloc_scratch(it, odai_tpool_threads(it->pool), &e2) != ODAI_OK) {
      free(saved);
      return odai_error_set(err, ODAI_E_NOMEM, "resize_input %d failed and the old shapes could not be restored "
                            "(%s); free the interpreter", index, e2.message);
    }
    free(saved);
    if (err) odai_error_prefix(err, "resize_input %d: ", index);
    return err ? err->code : st;
  }
  free(saved);
  it->adapt_n[0] = it->adapt_n[1] = 0; /* new shapes: measure both ways again */
  return ODAI_OK;
}

odai_status odai_interpreter_set_num_threads(odai_interpreter *it, int n, odai_error *err) {
  if (!it || n < 1) return odai_error_set(err, ODAI_E_INVALID, "set_num_threads: need >= 1 thread");
  if (n == odai_tpool_threads(it->pool)) return ODAI_OK;
  odai_tpool *p;
  odai_status st = odai_tpool_create(n, &p, err);
  if (st) return st;
  if ((st = alloc_scratch(it, n, err))) {
    odai_tpool_free(p);
    return st;
  }
  odai_tpool_free(it->pool);
  it->pool = p;
  it->adapt_n[0] = it->adapt_n[1] = 0;
  return ODAI_OK;
}

int odai_interpreter_num_threads(const odai_interpreter *it) { return it ? odai_tpool_threads(it->pool) : 0; }

/* ---- accessors ------------------------------------------------------- */

static void fill_info(const odai_interpreter *it, int t, odai_tensor_info *info) {
  const odai_rt_tensor *rt = &it->T[t];
  memset(info, 0, sizeof *info);
  info->name = rt->name ? rt->name : "";
  info->dtype = (odai_dtype)rt->dtype;
  info->rank = rt->rank;
  memcpy(info->shape, rt->shape, sizeof(int32_t) * (size_t)rt->rank);
  info->bytes = rt->bytes;
  info->data = rt->data;
  info->is_constant = rt->kind == RT_CONST;
}

int odai_interpreter_input_count(const odai_interpreter *it) { return it ? it->model->n_inputs : 0; }
int odai_interpreter_output_count(const odai_interpreter *it) { return it ? it->model->n_outputs : 0; }

odai_status odai_interpreter_input(const odai_interpreter *it, int index, odai_tensor_info *info) {
  if (!it || !info || index < 0 || index >= it->model->n_inputs) return ODAI_E_INVALID;
  fill_info(it, it->model->inputs[index], info);
  return ODAI_OK;
}

odai_status odai_interpreter_output(const odai_interpreter *it, int index, odai_tensor_info *info) {
  if (!it || !info || index < 0 || index >= it->model->n_outputs) return ODAI_E_INVALID;
  fill_info(it, it->model->outputs[index], info);
  return ODAI_OK;
}

odai_status odai_interpreter_tensor(const odai_interpreter *it, int index, odai_tensor_info *info) {
  if (!it || !info || index < 0 || index >= it->n_tensors) return ODAI_E_INVALID;
  fill_info(it, index, info);
  return ODAI_OK;
}

int odai_interpreter_input_index(const odai_interpreter *it, const char *name) {
  if (!it || !name) return -1;
  for (int i = 0; i < it->model->n_inputs; i++)
    if (strcmp(it->T[it->model->inputs[i]].name, name) == 0) return i;
  return -1;
}

int odai_interpreter_output_index(const odai_interpreter *it, const char *name) {
  if (!it || !name) return -1;
  for (int i = 0; i < it->model->n_outputs; i++)
    if (strcmp(it->T[it->model->outputs[i]].name, name) == 0) return i;
  return -1;
}

void odai_interpreter_get_stats(const odai_interpreter *it, odai_interpreter_stats *s) {
  if (!s) return;
  memset(s, 0, sizeof *s);
  if (!it) return;
  s->arena_bytes = it->arena_bytes;
  s->peak_live_bytes = it->peak_live;
  s->weight_bytes = it->weight_bytes;
  s->op_count = it->n_exec;
  s->flops = it->flops;
}

odai_status odai_interpreter_plan_op(const odai_interpreter *it, int index, odai_op_info *info) {
  if (!it || !info || index < 0 || index >= it->n_exec) return ODAI_E_INVALID;
  const odai_plan_op *op = &it->plan[it->exec[index]];
  memset(info, 0, sizeof *info);
  info->name = op->name ? op->name : "?";
  info->code = op->code;
  info->model_index = op->model_index;
  info->n_inputs = op->n_in;
  info->n_outputs = op->n_out;
  info->inputs = op->in;
  info->outputs = op->out;
  info->fused = op->fused_name ? op->fused_name : "";
  info->flops = op->flops;
  return ODAI_OK;
}
