/* tests/inference/tiny_tflite.h: a minimal FlatBuffers writer for hand-made
 * .tflite files in tests: a model spec (tensors, ops, graph I/O) becomes
 * bytes, and the positions of interesting fields are recorded so tests can
 * corrupt exactly one thing. Parents are written before children, so every
 * uoffset points forward as the format requires. */
#ifndef ODAI_TESTS_TINY_TFLITE_H
#define ODAI_TESTS_TINY_TFLITE_H

#include <stdint.h>
#include <string.h>

#define TT_CAP 16384

typedef struct tt_tensor {
  int rank;
  int32_t shape[8];
  int type;           /* TensorType */
  uint32_t buffer;    /* 0 = activation */
  const char *name;
} tt_tensor;

typedef struct tt_op {
  int code;           /* builtin code (written to both code fields) */
  int n_in, n_out;
  int32_t in[4], out[4];
} tt_op;

typedef struct tt_buffer {
  uint32_t bytes;     /* 0 = empty */
  const void *data;
} tt_buffer;

typedef struct tt_spec {
  int n_tensors, n_ops, n_buffers, n_inputs, n_outputs;
  tt_tensor tensors[8];
  tt_op ops[8];
  tt_buffer buffers[8];
  int32_t inputs[4], outputs[4];
} tt_spec;

typedef struct tt_pos {   /* where things landed */
  size_t root_table, tensors_vec, first_tensor_name_nul, first_op_inputs_vec;
} tt_pos;

typedef struct tt_b {
  uint8_t buf[TT_CAP];
  size_t n;
} tt_b;

static inline void tt_align(tt_b *b, size_t a) { while (b->n % a) b->buf[b->n++] = 0; }
static inline void tt_u32(tt_b *b, size_t at, uint32_t v) { memcpy(b->buf + at, &v, 4); }
static inline void tt_u16(tt_b *b, size_t at, uint16_t v) { memcpy(b->buf + at, &v, 2); }
static inline void tt_patch(tt_b *b, size_t at, size_t target) { tt_u32(b, at, (uint32_t)(target - at)); }

/* A table with nf fields, each present field in a 4-byte slot (present[i] != 0).
 * Returns the table position; slot[i] gets each field's absolute position. */
static inline size_t tt_table(tt_b *b, int nf, const int *present, size_t *slot) {
  tt_align(b, 4);
  size_t vt = b->n, vtb = 4 + 2 * (size_t)nf;
  b->n += vtb;
  tt_align(b, 4);
  size_t t = b->n;
  int np = 0;
  for (int i = 0; i < nf; i++) np += present[i] != 0;
  size_t tb = 4 + 4 * (size_t)np;
  memset(b->buf + t, 0, tb);
  b->n += tb;
  tt_u16(b, vt, (uint16_t)vtb);
  tt_u16(b, vt + 2, (uint16_t)tb);
  int k = 0;
  for (int i = 0; i < nf; i++) {
    uint16_t vo = present[i] ? (uint16_t)(4 + 4 * k++) : 0;
    tt_u16(b, vt + 4 + 2 * (size_t)i, vo);
    slot[i] = vo ? t + vo : 0;
  }
  tt_u32(b, t, (uint32_t)(int32_t)(t - vt)); /* soffset: vtable before table */
  return t;
}

static inline size_t tt_vec_i32(tt_b *b, int n, const int32_t *v) {
  tt_align(b, 4);
  size_t p = b->n;
  tt_u32(b, p, (uint32_t)n);
  memcpy(b->buf + p + 4, v, 4 * (size_t)n);
  b->n += 4 + 4 * (size_t)n;
  return p;
}

static inline size_t tt_vec_off(tt_b *b, int n) { /* elements patched later */
  tt_align(b, 4);
  size_t p = b->n;
  tt_u32(b, p, (uint32_t)n);
  memset(b->buf + p + 4, 0, 4 * (size_t)n);
  b->n += 4 + 4 * (size_t)n;
  return p;
}

static inline size_t tt_string(tt_b *b, const char *s, size_t *nul) {
  tt_align(b, 4);
  size_t p = b->n, l = strlen(s);
  tt_u32(b, p, (uint32_t)l);
  memcpy(b->buf + p + 4, s, l + 1);
  if (nul) *nul = p + 4 + l;
  b->n += 4 + l + 1;
  return p;
}

static inline size_t tt_build(const tt_spec *s, tt_b *b, tt_pos *pos) {
  memset(b, 0, sizeof *b);
  memset(pos, 0, sizeof *pos);
  b->n = 8;
  memcpy(b->buf + 4, "TFL3", 4);
  size_t f[16];
  int pm[5] = {1, 1, 1, 0, 1};
  size_t model = tt_table(b, 5, pm, f);
  size_t m_codes = f[1], m_sub = f[2], m_buf = f[4];
  tt_u32(b, 0, (uint32_t)model);
  pos->root_table = model;
  tt_u32(b, f[0], 3);
  /* operator codes: one per op (simple) */
  size_t codes = tt_vec_off(b, s->n_ops);
  tt_patch(b, m_codes, codes);
  for (int i = 0; i < s->n_ops; i++) {
    int pc[4] = {1, 0, 1, 1};
    size_t t = tt_table(b, 4, pc, f);
    b->buf[f[0]] = (uint8_t)(s->ops[i].code < 127 ? s->ops[i].code : 127);
    tt_u32(b, f[2], 1);
    tt_u32(b, f[3], (uint32_t)s->ops[i].code);
    tt_patch(b, codes + 4 + 4 * (size_t)i, t);
  }
  size_t subs = tt_vec_off(b, 1);
  tt_patch(b, m_sub, subs);
  int ps[4] = {1, 1, 1, 1};
  size_t sg = tt_table(b, 4, ps, f);
  tt_patch(b, subs + 4, sg);
  size_t sg_f[4] = {f[0], f[1], f[2], f[3]};
  size_t tv = tt_vec_off(b, s->n_tensors);
  pos->tensors_vec = tv;
  tt_patch(b, sg_f[0], tv);
  for (int i = 0; i < s->n_tensors; i++) {
    const tt_tensor *t = &s->tensors[i];
    int pt[4] = {1, 1, 1, 1};
    size_t tt = tt_table(b, 4, pt, f);
    tt_patch(b, tv + 4 + 4 * (size_t)i, tt);
    b->buf[f[1]] = (uint8_t)t->type;
    tt_u32(b, f[2], t->buffer);
    size_t fs = f[0], fn = f[3];
    tt_patch(b, fs, tt_vec_i32(b, t->rank, t->shape));
    size_t nul;
    tt_patch(b, fn, tt_string(b, t->name ? t->name : "t", &nul));
    if (i == 0) pos->first_tensor_name_nul = nul;
  }
  tt_patch(b, sg_f[1], tt_vec_i32(b, s->n_inputs, s->inputs));
  tt_patch(b, sg_f[2], tt_vec_i32(b, s->n_outputs, s->outputs));
  size_t ov = tt_vec_off(b, s->n_ops);
  tt_patch(b, sg_f[3], ov);
  for (int i = 0; i < s->n_ops; i++) {
    int po[3] = {1, 1, 1};
    size_t ot = tt_table(b, 3, po, f);
    tt_patch(b, ov + 4 + 4 * (size_t)i, ot);
    tt_u32(b, f[0], (uint32_t)i);
    size_t fi = f[1], fo = f[2];
    size_t iv = tt_vec_i32(b, s->ops[i].n_in, s->ops[i].in);
    if (i == 0) pos->first_op_inputs_vec = iv;
    tt_patch(b, fi, iv);
    tt_patch(b, fo, tt_vec_i32(b, s->ops[i].n_out, s->ops[i].out));
  }
  size_t bv = tt_vec_off(b, s->n_buffers);
  tt_patch(b, m_buf, bv);
  for (int i = 0; i < s->n_buffers; i++) {
    int pb[1] = {s->buffers[i].bytes > 0};
    size_t bt = tt_table(b, 1, pb, f);
    tt_patch(b, bv + 4 + 4 * (size_t)i, bt);
    if (s->buffers[i].bytes) {
      tt_align(b, 16);
      size_t d = b->n;
      tt_u32(b, d, s->buffers[i].bytes);
      memcpy(b->buf + d + 4, s->buffers[i].data, s->buffers[i].bytes);
      b->n += 4 + s->buffers[i].bytes;
      tt_patch(b, f[0], d);
    }
  }
  return b->n;
}

/* y = x + c, x: [1,2,2,3] input, c: [3] constant, y output. */
static inline void tt_spec_add(tt_spec *s) {
  static const float c[3] = {1.f, 2.f, 3.f};
  memset(s, 0, sizeof *s);
  s->n_tensors = 3;
  s->tensors[0] = (tt_tensor){4, {1, 2, 2, 3}, 0, 0, "x"};
  s->tensors[1] = (tt_tensor){1, {3}, 0, 1, "c"};
  s->tensors[2] = (tt_tensor){4, {1, 2, 2, 3}, 0, 0, "y"};
  s->n_buffers = 2;
  s->buffers[1] = (tt_buffer){12, c};
  s->n_ops = 1;
  s->ops[0] = (tt_op){0, 2, 1, {0, 1}, {2}};
  s->n_inputs = 1;
  s->inputs[0] = 0;
  s->n_outputs = 1;
  s->outputs[0] = 2;
}

#endif
