/* tests/inference/kernel_cases.h: randomized fast-vs-reference checks for
 * inference/kernels, shared by test_kernels.c (cmocka, x86 ISA levels) and
 * test_kernels_neon.c (plain program run under qemu-aarch64). Each check_*
 * runs `cases` random shapes through the kernel planned at `isa` and through
 * the reference kernel and returns the number of mismatches (printing the
 * first few). Tolerance: |fast - ref| <= 2e-5 * sqrt(K + 1) * (1 + |ref|),
 * K = reduction length (taps * channels); inputs and weights in [-1, 1]. */
#ifndef ODAI_TEST_KERNEL_CASES_H
#define ODAI_TEST_KERNEL_CASES_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inference/kernels/kernels.h"

typedef struct kc_rng {
  uint64_t s;
} kc_rng;
static uint32_t kc_next(kc_rng *r) {
  r->s = r->s * 6364136223846793005ULL + 1442695040888963407ULL;
  return (uint32_t)(r->s >> 33);
}
static int kc_int(kc_rng *r, int lo, int hi) { /* inclusive */
  return lo + (int)(kc_next(r) % (uint32_t)(hi - lo + 1));
}
static float kc_f(kc_rng *r) { return (float)kc_next(r) / 2147483648.0f - 1.0f; }
static void kc_fill(kc_rng *r, float *p, size_t n) {
  for (size_t i = 0; i < n; i++) p[i] = kc_f(r);
}
static void *kc_alloc(size_t n) {
  void *p = NULL;
  if (n == 0) n = 1;
  if (posix_memalign(&p, ODAI_KERNEL_ALIGN, (n + 63) / 64 * 64)) return NULL;
  memset(p, 0, n);
  return p;
}

#define KC_SENTINEL 12345.0f

/* Compare n floats; report at most a few mismatches. */
static int kc_compare(const char *what, const float *fast, const float *ref, size_t n, double k,
                      int *reported) {
  int bad = 0;
  double tol0 = 2e-5 * sqrt(k + 1.0);
  for (size_t i = 0; i < n; i++) {
    double d = fabs((double)fast[i] - (double)ref[i]);
    if (!(d <= tol0 * (1.0 + fabs((double)ref[i])))) {
      if (*reported < 5) {
        printf("  %s: mismatch at %zu: fast %.7g ref %.7g\n", what, i, fast[i], ref[i]);
        (*reported)++;
      }
      bad++;
    }
  }
  return bad;
}

static void kc_rand_act(kc_rng *r, float *mn, float *mx) {
  switch (kc_int(r, 0, 3)) {
  case 0: *mn = -INFINITY; *mx = INFINITY; break;
  case 1: *mn = 0.0f; *mx = INFINITY; break;
  case 2: *mn = 0.0f; *mx = 0.5f; break;
  default: *mn = -0.3f; *mx = 0.7f; break;
  }
}

static const int kc_channels[] = {1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 24, 31, 32, 33, 40, 48, 63, 64, 65, 96};
#define KC_NCH ((int)(sizeof kc_channels / sizeof kc_channels[0]))

/* ---- conv2d ---- */
static int kc_conv_one(odai_isa isa, const odai_conv2d_params *p, kc_rng *r, int *reported,
                       const char *tag) {
  odai_conv2d_op fop, rop;
  odai_error err;
  odai_kernels_set_isa(isa);
  if (odai_conv2d_plan(p, &fop, &err) != ODAI_OK) {
    printf("  %s: plan failed: %s\n", tag, err.message);
    return 1;
  }
  odai_kernels_set_isa(ODAI_ISA_REF);
  if (odai_conv2d_plan(p, &rop, &err) != ODAI_OK) return 1;
  int ips = p->in_pixel_stride ? p->in_pixel_stride : p->in_c;
  int ops = p->out_pixel_stride ? p->out_pixel_stride : p->out_c;
  size_t in_n = (size_t)p->batch * p->in_h * p->in_w * ips;
  size_t out_n = (size_t)p->batch * p->out_h * p->out_w * ops;
  size_t w_n = (size_t)p->out_c * p->k_h * p->k_w * p->in_c;
  float *in = kc_alloc(in_n * 4), *w = kc_alloc(w_n * 4), *bias = kc_alloc((size_t)p->out_c * 4);
  float *alpha = kc_alloc((size_t)p->out_c * 4);
  float *o1 = kc_alloc(out_n * 4), *o2 = kc_alloc(out_n * 4);
  int rps = p->res_pixel_stride ? p->res_pixel_stride : p->out_c;
  size_t res_n = p->residual ? (size_t)p->batch * p->out_h * p->out_w * rps : 0;
  float *res = p->residual ? kc_alloc(res_n * 4) : NULL;
  if (res) kc_fill(r, res, res_n);
  void *pk1 = kc_alloc(odai_conv2d_packed_size(&fop)), *pk2 = kc_alloc(odai_conv2d_packed_size(&rop));
  void *s1 = kc_alloc(odai_conv2d_scratch_size(&fop)), *s2 = kc_alloc(odai_conv2d_scratch_size(&rop));
  int bad = 0;
  kc_fill(r, in, in_n);
  kc_fill(r, w, w_n);
  kc_fill(r, bias, (size_t)p->out_c);
  kc_fill(r, alpha, (size_t)p->out_c);
  for (size_t i = 0; i < out_n; i++) o1[i] = o2[i] = KC_SENTINEL;
  odai_conv2d_pack(&fop, w, bias, alpha, pk1);
  odai_conv2d_pack(&rop, w, bias, alpha, pk2);
  /* run fast in two halves, as two threads would */
  int nt = odai_conv2d_num_tiles(&fop);
  odai_conv2d_run_residual(&fop, in, pk1, res, o1, s1, 0, nt / 2);
  odai_conv2d_run_residual(&fop, in, pk1, res, o1, s1, nt / 2, nt);
  odai_conv2d_run_residual(&rop, in, pk2, res, o2, s2, 0, odai_conv2d_num_tiles(&rop));
  if (res) { /* the reference's fusion = its unfused conv, then the ADD */
    float *o3 = kc_alloc(out_n * 4);
    odai_conv2d_run(&rop, in, pk2, o3, s2, 0, odai_conv2d_num_tiles(&rop));
    for (size_t px = 0; px < out_n / (size_t)ops; px++)
      for (int c = 0; c < p->out_c; c++) {
        float v = o3[px * ops + c] + res[px * rps + c];
        v = v < p->res_min ? p->res_min : (v > p->res_max ? p->res_max : v);
        if (v != o2[px * ops + c]) {
          if ((*reported)++ < 5) printf("  %s: residual ref mismatch\n", tag);
          bad++;
          px = out_n;
          break;
        }
      }
    free(o3);
  }
  if (fop.isa != isa && isa != ODAI_ISA_REF) {
    printf("  %s: planned %s, wanted %s\n", tag, odai_isa_name(fop.isa), odai_isa_name(isa));
    bad++;
  }
  bad += kc_compare(tag, o1, o2, out_n, (double)p->k_h * p->k_w * p->in_c, reported);
  if (bad && *reported <= 5)
    printf("  %s: in %dx%dx%dx%d(ps %d) out %dx%dx%d(ps %d) k %dx%d s %dx%d d %dx%d pad %d,%d prelu %d "
           "clamp [%g,%g]\n",
           tag, p->batch, p->in_h, p->in_w, p->in_c, ips, p->out_h, p->out_w, p->out_c, ops,
           p->k_h, p->k_w, p->stride_h, p->stride_w, p->dil_h, p->dil_w, p->pad_top, p->pad_left,
           p->prelu, p->out_min, p->out_max);
  free(in); free(w); free(bias); free(alpha); free(o1); free(o2);
  free(pk1); free(pk2); free(s1); free(s2); free(res);
  return bad;
}

static void kc_rand_spatial(kc_rng *r, int in, int k, int stride, int dil, int *pad, int *out) {
  int ek = (k - 1) * dil + 1;
  int pb = kc_int(r, 0, k - 1), pa = kc_int(r, 0, k - 1);
  if (in + pb + pa < ek) pa = ek - in - pb;
  *pad = pb;
  *out = (in + pb + pa - ek) / stride + 1;
}

/* A conv's fused epilogue at random: clamp (kc_rand_act), PReLU one time in
 * pn, hard-swish one in hn, a residual one in rn (with its own pixel stride
 * one in 3 and its own clamp). */
static void kc_rand_conv_epilogue(kc_rng *r, odai_conv2d_params *p, int pn, int hn, int rn) {
  kc_rand_act(r, &p->out_min, &p->out_max);
  p->prelu = kc_int(r, 0, pn - 1) == 0;
  p->hardswish = kc_int(r, 0, hn - 1) == 0;
  if (kc_int(r, 0, rn - 1) == 0) {
    p->residual = 1;
    if (kc_int(r, 0, 2) == 0) p->res_pixel_stride = p->out_c + kc_int(r, 1, 3);
    kc_rand_act(r, &p->res_min, &p->res_max);
  }
}

static int check_conv2d(odai_isa isa, int cases, uint64_t seed) {
  kc_rng r = {seed};
  int bad = 0, reported = 0;
  for (int i = 0; i < cases; i++) {
    odai_conv2d_params p = {0};
    p.batch = kc_int(&r, 1, 2);
    p.in_h = kc_int(&r, 1, 11);
    p.in_w = kc_int(&r, 1, 13);
    p.in_c = kc_channels[kc_int(&r, 0, KC_NCH - 1)];
    p.out_c = kc_channels[kc_int(&r, 0, KC_NCH - 1)];
    int shape = kc_int(&r, 0, 3);
    if (shape == 0) { /* 1x1 s1 direct */
      p.k_h = p.k_w = 1;
      p.stride_h = p.stride_w = 1;
    } else {
      p.k_h = kc_int(&r, 1, 5);
      p.k_w = shape == 1 ? p.k_h : kc_int(&r, 1, 5);
      p.stride_h = kc_int(&r, 1, 3);
      p.stride_w = kc_int(&r, 1, 3);
      p.dil_h = kc_int(&r, 1, 2);
      p.dil_w = kc_int(&r, 1, 2);
    }
    int dh = p.dil_h ? p.dil_h : 1, dw = p.dil_w ? p.dil_w : 1;
    if (shape == 0) {
      p.out_h = p.in_h;
      p.out_w = p.in_w;
    } else {
      kc_rand_spatial(&r, p.in_h, p.k_h, p.stride_h, dh, &p.pad_top, &p.out_h);
      kc_rand_spatial(&r, p.in_w, p.k_w, p.stride_w, dw, &p.pad_left, &p.out_w);
    }
    if (kc_int(&r, 0, 3) == 0) p.in_pixel_stride = p.in_c + kc_int(&r, 1, 5);
    if (kc_int(&r, 0, 3) == 0) p.out_pixel_stride = p.out_c + kc_int(&r, 1, 5);
    kc_rand_conv_epilogue(&r, &p, 4, 5, 4);
    bad += kc_conv_one(isa, &p, &r, &reported, "conv2d");
  }
  /* a larger K for the accumulation tolerance and the L2 tile logic */
  odai_conv2d_params big = {1, 9, 9, 300, 9, 9, 70, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, -INFINITY, INFINITY, 0, 0, 0, 0, 0, 0};
  bad += kc_conv_one(isa, &big, &r, &reported, "conv2d-bigK");
  return bad;
}

static int check_fc(odai_isa isa, int cases, uint64_t seed) {
  kc_rng r = {seed};
  int bad = 0, reported = 0;
  for (int i = 0; i < cases; i++) {
    odai_fc_params f = {kc_int(&r, 1, 5), kc_int(&r, 1, 200), kc_int(&r, 1, 70), -INFINITY, INFINITY};
    kc_rand_act(&r, &f.out_min, &f.out_max);
    odai_conv2d_op op;
    odai_kernels_set_isa(isa);
    if (odai_fc_plan(&f, &op, NULL) != ODAI_OK) return 1;
    bad += kc_conv_one(isa, &op.p, &r, &reported, "fc");
  }
  return bad;
}

/* ---- depthwise ---- */
static int check_dwconv(odai_isa isa, int cases, uint64_t seed) {
  kc_rng r = {seed};
  int bad = 0, reported = 0;
  for (int i = 0; i < cases; i++) {
    odai_dwconv_params p = {0};
    p.batch = kc_int(&r, 1, 2);
    p.in_h = kc_int(&r, 1, 12);
    p.in_w = kc_int(&r, 1, 14);
    p.in_c = kc_channels[kc_int(&r, 0, KC_NCH - 1)];
    p.multiplier = kc_int(&r, 0, 5) == 0 ? 2 : 1;
    static const int ks[] = {3, 3, 5, 5, 7, 1, 2, 4};
    p.k_h = ks[kc_int(&r, 0, 7)];
    p.k_w = kc_int(&r, 0, 4) == 0 ? ks[kc_int(&r, 0, 7)] : p.k_h;
    p.stride_h = kc_int(&r, 1, 2);
    p.stride_w = kc_int(&r, 0, 3) == 0 ? kc_int(&r, 1, 3) : p.stride_h;
    p.dil_h = kc_int(&r, 0, 4) == 0 ? 2 : 1;
    p.dil_w = kc_int(&r, 0, 4) == 0 ? 2 : 1;
    kc_rand_spatial(&r, p.in_h, p.k_h, p.stride_h, p.dil_h, &p.pad_top, &p.out_h);
    kc_rand_spatial(&r, p.in_w, p.k_w, p.stride_w, p.dil_w, &p.pad_left, &p.out_w);
    int oc = p.in_c * p.multiplier;
    if (kc_int(&r, 0, 3) == 0) p.in_pixel_stride = p.in_c + kc_int(&r, 1, 4);
    if (kc_int(&r, 0, 3) == 0) p.out_pixel_stride = oc + kc_int(&r, 1, 4);
    kc_rand_act(&r, &p.out_min, &p.out_max);
    p.prelu = kc_int(&r, 0, 3) == 0;
    p.hardswish = kc_int(&r, 0, 4) == 0;

    odai_dwconv_op fop, rop;
    odai_kernels_set_isa(isa);
    if (odai_dwconv_plan(&p, &fop, NULL) != ODAI_OK) return bad + 1;
    odai_kernels_set_isa(ODAI_ISA_REF);
    if (odai_dwconv_plan(&p, &rop, NULL) != ODAI_OK) return bad + 1;
    int ips = p.in_pixel_stride ? p.in_pixel_stride : p.in_c;
    int ops = p.out_pixel_stride ? p.out_pixel_stride : oc;
    size_t in_n = (size_t)p.batch * p.in_h * p.in_w * ips;
    size_t out_n = (size_t)p.batch * p.out_h * p.out_w * ops;
    size_t w_n = (size_t)p.k_h * p.k_w * oc;
    float *in = kc_alloc(in_n * 4), *w = kc_alloc(w_n * 4), *bias = kc_alloc((size_t)oc * 4);
    float *alpha = kc_alloc((size_t)oc * 4), *o1 = kc_alloc(out_n * 4), *o2 = kc_alloc(out_n * 4);
    void *pk1 = kc_alloc(odai_dwconv_packed_size(&fop)), *pk2 = kc_alloc(odai_dwconv_packed_size(&rop));
    kc_fill(&r, in, in_n);
    kc_fill(&r, w, w_n);
    kc_fill(&r, bias, (size_t)oc);
    kc_fill(&r, alpha, (size_t)oc);
    for (size_t j = 0; j < out_n; j++) o1[j] = o2[j] = KC_SENTINEL;
    odai_dwconv_pack(&fop, w, bias, alpha, pk1);
    odai_dwconv_pack(&rop, w, bias, alpha, pk2);
    int nt = odai_dwconv_num_tiles(&fop);
    odai_dwconv_run(&fop, in, pk1, o1, NULL, 0, nt / 3);
    odai_dwconv_run(&fop, in, pk1, o1, NULL, nt / 3, nt);
    odai_dwconv_run(&rop, in, pk2, o2, NULL, 0, odai_dwconv_num_tiles(&rop));
    int b = kc_compare("dwconv", o1, o2, out_n, (double)p.k_h * p.k_w, &reported);
    if (p.multiplier == 1 && isa != ODAI_ISA_REF && fop.isa != isa) b++;
    if (b && reported <= 5)
      printf("  dwconv: in %dx%dx%dx%d m%d k %dx%d s %dx%d d %dx%d pad %d,%d out %dx%d prelu %d\n",
             p.batch, p.in_h, p.in_w, p.in_c, p.multiplier, p.k_h, p.k_w, p.stride_h, p.stride_w,
             p.dil_h, p.dil_w, p.pad_top, p.pad_left, p.out_h, p.out_w, p.prelu);
    bad += b;
    free(in); free(w); free(bias); free(alpha); free(o1); free(o2); free(pk1); free(pk2);
  }
  return bad;
}

/* ---- binary elementwise with broadcasting ---- */
static int check_binary(odai_isa isa, int cases, uint64_t seed) {
  kc_rng r = {seed};
  int bad = 0, reported = 0;
  for (int i = 0; i < cases; i++) {
    odai_binary_params p = {0};
    p.kind = (odai_binary_kind)kc_int(&r, 0, ODAI_BINARY_SQDIFF);
    int rank = kc_int(&r, 1, 4);
    int full[4];
    for (int d = 0; d < rank; d++) full[d] = kc_int(&r, 1, 7) * (d == rank - 1 ? kc_int(&r, 1, 5) : 1);
    if (i % 50 == 0) full[rank - 1] = 8192 * 2 + kc_int(&r, 1, 9); /* chunked innermost run */
    p.a_rank = rank;
    p.b_rank = kc_int(&r, 0, 2) == 0 ? kc_int(&r, 0, rank) : rank;
    for (int d = 0; d < rank; d++) p.a_shape[d] = kc_int(&r, 0, 4) == 0 ? 1 : full[d];
    for (int d = 0; d < p.b_rank; d++)
      p.b_shape[d] = kc_int(&r, 0, 2) == 0 ? 1 : full[rank - p.b_rank + d];
    if (kc_int(&r, 0, 1)) { /* swap roles sometimes */
      odai_binary_params q = p;
      q.a_rank = p.b_rank; q.b_rank = p.a_rank;
      memcpy(q.a_shape, p.b_shape, sizeof q.a_shape);
      memcpy(q.b_shape, p.a_shape, sizeof q.b_shape);
      p = q;
    }
    kc_rand_act(&r, &p.out_min, &p.out_max);
    odai_binary_op fop, rop;
    odai_kernels_set_isa(isa);
    if (odai_binary_plan(&p, &fop, NULL) != ODAI_OK) { bad++; continue; }
    odai_kernels_set_isa(ODAI_ISA_REF);
    if (odai_binary_plan(&p, &rop, NULL) != ODAI_OK) { bad++; continue; }
    size_t an = 1, bn = 1;
    for (int d = 0; d < p.a_rank; d++) an *= (size_t)p.a_shape[d];
    for (int d = 0; d < p.b_rank; d++) bn *= (size_t)p.b_shape[d];
    float *a = kc_alloc(an * 4), *b = kc_alloc(bn * 4);
    float *o1 = kc_alloc(fop.out_elems * 4), *o2 = kc_alloc(fop.out_elems * 4);
    float *o3 = kc_alloc(fop.out_elems * 4);
    kc_fill(&r, a, an);
    kc_fill(&r, b, bn);
    if (p.kind == ODAI_BINARY_DIV)
      for (size_t j = 0; j < bn; j++) b[j] = b[j] < 0 ? b[j] - 0.5f : b[j] + 0.5f;
    int nt = odai_binary_num_tiles(&fop);
    odai_binary_run(&fop, a, b, o1, 0, nt / 2);
    odai_binary_run(&fop, a, b, o1, nt / 2, nt);
    odai_binary_run(&rop, a, b, o2, 0, odai_binary_num_tiles(&rop));
    /* independent naive broadcast */
    int orank = fop.out_rank;
    for (size_t e = 0; e < fop.out_elems; e++) {
      size_t rest = e, ai = 0, bi = 0, am = 1, bm = 1;
      for (int d = orank - 1; d >= 0; d--) {
        size_t idx = rest % (size_t)fop.out_dims[d];
        rest /= (size_t)fop.out_dims[d];
        int ad = d - (orank - p.a_rank), bd = d - (orank - p.b_rank);
        if (ad >= 0) { if (p.a_shape[ad] != 1) ai += idx * am; am *= (size_t)p.a_shape[ad]; }
        if (bd >= 0) { if (p.b_shape[bd] != 1) bi += idx * bm; bm *= (size_t)p.b_shape[bd]; }
      }
      float x = a[ai], y = b[bi], v = 0;
      switch (p.kind) {
      case ODAI_BINARY_ADD: v = x + y; break;
      case ODAI_BINARY_SUB: v = x - y; break;
      case ODAI_BINARY_MUL: v = x * y; break;
      case ODAI_BINARY_DIV: v = x / y; break;
      case ODAI_BINARY_MAX: v = x > y ? x : y; break;
      case ODAI_BINARY_MIN: v = x < y ? x : y; break;
      case ODAI_BINARY_SQDIFF: v = (x - y) * (x - y); break;
      }
      o3[e] = v < p.out_min ? p.out_min : (v > p.out_max ? p.out_max : v);
    }
    bad += kc_compare("binary-fast", o1, o3, fop.out_elems, 1, &reported);
    bad += kc_compare("binary-ref", o2, o3, fop.out_elems, 1, &reported);
    free(a); free(b); free(o1); free(o2); free(o3);
  }
  return bad;
}

/* ---- unary ---- */
static int check_unary(odai_isa isa, uint64_t seed) {
  kc_rng r = {seed};
  int bad = 0, reported = 0;
  size_t n = 1000 + 13;
  float *in = kc_alloc(n * 4), *o1 = kc_alloc(n * 4), *o2 = kc_alloc(n * 4), *al = kc_alloc(64 * 4);
  for (size_t i = 0; i < n; i++) in[i] = kc_f(&r) * 12.0f;
  in[0] = -100.0f; in[1] = 100.0f; in[2] = 0.0f; in[3] = -3.0f; in[4] = 3.0f;
  kc_fill(&r, al, 64);
  for (int k = ODAI_UNARY_COPY; k <= ODAI_UNARY_PRELU; k++) {
    odai_unary_args a = {-0.5f, 2.0f, 0.2f, al, 11};
    size_t m = k == ODAI_UNARY_PRELU ? 11 * 92 : n;
    memset(o1, 0, n * 4);
    odai_unary_run_isa(isa, (odai_unary_kind)k, &a, in, o1, m / 2 - (m / 2) % 11);
    odai_unary_run_isa(isa, (odai_unary_kind)k, &a, in + m / 2 - (m / 2) % 11,
                       o1 + m / 2 - (m / 2) % 11, m - (m / 2 - (m / 2) % 11));
    odai_unary_run_isa(ODAI_ISA_REF, (odai_unary_kind)k, &a, in, o2, m);
    char tag[32];
    snprintf(tag, sizeof tag, "unary-%d", k);
    bad += kc_compare(tag, o1, o2, m, k == ODAI_UNARY_EXP ? 16 : 4, &reported);
  }
  /* in place */
  memcpy(o1, in, n * 4);
  odai_unary_args a = {0.0f, 6.0f, 0, NULL, 0};
  odai_unary_run_isa(isa, ODAI_UNARY_CLAMP, &a, o1, o1, n);
  for (size_t i = 0; i < n; i++)
    if (o1[i] != (in[i] < 0 ? 0 : (in[i] > 6 ? 6 : in[i]))) { bad++; break; }
  free(in); free(o1); free(o2); free(al);
  return bad;
}

/* ---- pooling and resize ---- */
static int check_pool(odai_isa isa, int cases, uint64_t seed) {
  kc_rng r = {seed};
  int bad = 0, reported = 0;
  for (int i = 0; i < cases; i++) {
    odai_pool_params p = {0};
    p.kind = kc_int(&r, 0, 1) ? ODAI_POOL_AVG : ODAI_POOL_MAX;
    p.batch = kc_int(&r, 1, 2);
    p.in_h = kc_int(&r, 1, 16);
    p.in_w = kc_int(&r, 1, 16);
    p.c = kc_channels[kc_int(&r, 0, KC_NCH - 1)];
    if (kc_int(&r, 0, 3) == 0) { /* global */
      p.k_h = p.in_h; p.k_w = p.in_w; p.stride_h = p.k_h; p.stride_w = p.k_w;
      p.out_h = p.out_w = 1;
    } else {
      p.k_h = kc_int(&r, 1, 3); p.k_w = kc_int(&r, 1, 3);
      p.stride_h = kc_int(&r, 1, 2); p.stride_w = kc_int(&r, 1, 2);
      kc_rand_spatial(&r, p.in_h, p.k_h, p.stride_h, 1, &p.pad_top, &p.out_h);
      kc_rand_spatial(&r, p.in_w, p.k_w, p.stride_w, 1, &p.pad_left, &p.out_w);
    }
    if (kc_int(&r, 0, 3) == 0) p.in_pixel_stride = p.c + 3;
    if (kc_int(&r, 0, 3) == 0) p.out_pixel_stride = p.c + 2;
    kc_rand_act(&r, &p.out_min, &p.out_max);
    odai_pool_op fop, rop;
    odai_kernels_set_isa(isa);
    if (odai_pool_plan(&p, &fop, NULL) != ODAI_OK) return bad + 1;
    odai_kernels_set_isa(ODAI_ISA_REF);
    if (odai_pool_plan(&p, &rop, NULL) != ODAI_OK) return bad + 1;
    int ips = p.in_pixel_stride ? p.in_pixel_stride : p.c;
    int ops = p.out_pixel_stride ? p.out_pixel_stride : p.c;
    size_t in_n = (size_t)p.batch * p.in_h * p.in_w * ips, out_n = (size_t)p.batch * p.out_h * p.out_w * ops;
    float *in = kc_alloc(in_n * 4), *o1 = kc_alloc(out_n * 4), *o2 = kc_alloc(out_n * 4);
    kc_fill(&r, in, in_n);
    for (size_t j = 0; j < out_n; j++) o1[j] = o2[j] = KC_SENTINEL;
    odai_pool_run(&fop, in, o1, 0, odai_pool_num_tiles(&fop));
    odai_pool_run(&rop, in, o2, 0, odai_pool_num_tiles(&rop));
    bad += kc_compare("pool", o1, o2, out_n, (double)p.k_h * p.k_w, &reported);
    free(in); free(o1); free(o2);
  }
  return bad;
}

static int check_resize(odai_isa isa, int cases, uint64_t seed) {
  kc_rng r = {seed};
  int bad = 0, reported = 0;
  for (int i = 0; i < cases; i++) {
    odai_resize_params p = {0};
    p.batch = kc_int(&r, 1, 2);
    p.in_h = kc_int(&r, 1, 9); p.in_w = kc_int(&r, 1, 9);
    p.c = kc_channels[kc_int(&r, 0, KC_NCH - 1)];
    int f = kc_int(&r, 0, 2);
    p.out_h = f == 0 ? 2 * p.in_h : kc_int(&r, 1, 20);
    p.out_w = f == 0 ? 2 * p.in_w : kc_int(&r, 1, 20);
    if (i == 0) { /* wider than the SIMD kernel's tap table */
      p.batch = 1;
      p.out_h = 2;
      p.out_w = 1100;
    }
    int mode = kc_int(&r, 0, 2);
    p.align_corners = mode == 1;
    p.half_pixel_centers = mode == 2;
    odai_resize_op fop, rop;
    odai_kernels_set_isa(isa);
    if (odai_resize_plan(&p, &fop, NULL) != ODAI_OK) return bad + 1;
    odai_kernels_set_isa(ODAI_ISA_REF);
    if (odai_resize_plan(&p, &rop, NULL) != ODAI_OK) return bad + 1;
    size_t in_n = (size_t)p.batch * p.in_h * p.in_w * p.c, out_n = (size_t)p.batch * p.out_h * p.out_w * p.c;
    float *in = kc_alloc(in_n * 4), *o1 = kc_alloc(out_n * 4), *o2 = kc_alloc(out_n * 4);
    kc_fill(&r, in, in_n);
    odai_resize_run(&fop, in, o1, 0, odai_resize_num_tiles(&fop));
    odai_resize_run(&rop, in, o2, 0, odai_resize_num_tiles(&rop));
    bad += kc_compare("resize", o1, o2, out_n, 4, &reported);
    free(in); free(o1); free(o2);
  }
  return bad;
}

/* ---- transpose conv (SIMD when kernel == stride) ---- */
static int check_tconv(odai_isa isa, int cases, uint64_t seed) {
  kc_rng r = {seed};
  int bad = 0, reported = 0;
  for (int i = 0; i < cases; i++) {
    odai_tconv_params p = {0};
    p.batch = kc_int(&r, 1, 2);
    p.in_h = kc_int(&r, 1, 7);
    p.in_w = kc_int(&r, 1, 9);
    p.in_c = kc_channels[kc_int(&r, 0, KC_NCH - 1)];
    p.out_c = kc_int(&r, 1, 5);
    p.stride_h = kc_int(&r, 1, 3);
    p.stride_w = kc_int(&r, 1, 3);
    int same = kc_int(&r, 0, 2) != 0;
    p.k_h = same ? p.stride_h : kc_int(&r, 1, 4);
    p.k_w = same ? p.stride_w : kc_int(&r, 1, 4);
    p.pad_top = kc_int(&r, 0, p.k_h - 1);
    p.pad_left = kc_int(&r, 0, p.k_w - 1);
    p.out_h = p.in_h * p.stride_h + kc_int(&r, -1, 1);
    p.out_w = p.in_w * p.stride_w + kc_int(&r, -1, 1);
    if (p.out_h < 1) p.out_h = 1;
    if (p.out_w < 1) p.out_w = 1;
    kc_rand_act(&r, &p.out_min, &p.out_max);
    odai_tconv_op fop, rop;
    odai_kernels_set_isa(isa);
    if (odai_tconv_plan(&p, &fop, NULL) != ODAI_OK) return bad + 1;
    odai_kernels_set_isa(ODAI_ISA_REF);
    if (odai_tconv_plan(&p, &rop, NULL) != ODAI_OK) return bad + 1;
    size_t in_n = (size_t)p.batch * p.in_h * p.in_w * p.in_c;
    size_t out_n = (size_t)p.batch * p.out_h * p.out_w * p.out_c;
    size_t w_n = (size_t)p.out_c * p.k_h * p.k_w * p.in_c;
    float *in = kc_alloc(in_n * 4), *w = kc_alloc(w_n * 4), *bias = kc_alloc((size_t)p.out_c * 4);
    float *o1 = kc_alloc(out_n * 4), *o2 = kc_alloc(out_n * 4);
    void *pk1 = kc_alloc(odai_tconv_packed_size(&fop)), *pk2 = kc_alloc(odai_tconv_packed_size(&rop));
    kc_fill(&r, in, in_n);
    kc_fill(&r, w, w_n);
    kc_fill(&r, bias, (size_t)p.out_c);
    odai_tconv_pack(&fop, w, bias, pk1);
    odai_tconv_pack(&rop, w, bias, pk2);
    int nt = odai_tconv_num_tiles(&fop);
    odai_tconv_run(&fop, in, pk1, o1, 0, nt / 2);
    odai_tconv_run(&fop, in, pk1, o1, nt / 2, nt);
    odai_tconv_run(&rop, in, pk2, o2, 0, odai_tconv_num_tiles(&rop));
    bad += kc_compare("tconv", o1, o2, out_n, (double)p.k_h * p.k_w * p.in_c, &reported);
    if (same && isa != ODAI_ISA_REF && fop.isa != isa) bad++;
    free(in); free(w); free(bias); free(o1); free(o2); free(pk1); free(pk2);
  }
  return bad;
}

#endif
