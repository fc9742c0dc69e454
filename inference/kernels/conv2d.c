/* inference/kernels/conv2d.c: CONV_2D and FULLY_CONNECTED front-end: shape
 * checks, kernel choice (1x1 direct GEMM, im2col + GEMM, or reference),
 * weight packing into GEMM panels, and the run entry point. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels_internal.h"

static size_t align_up(size_t v, size_t a) { return (v + a - 1) / a * a; }

static int panel_count(int out_c, int vl, int *npad) {
  int nr2 = 2 * vl;
  int full = out_c / nr2, rem = out_c % nr2;
  int n = full * nr2;
  int panels = full;
  if (rem > 0) {
    n += rem <= vl ? vl : nr2;
    panels++;
  }
  *npad = n;
  return panels;
}

/* The direct small-in_c kernel (conv2d_smallc_simd.inc) beats the GEMM path
 * when K = k_h*k_w*in_c is tiny (in_c <= 4). ODAI_CONV_SMALLC=0 in the
 * environment turns it off (bench before/after, bisecting). */
static int smallc_ok(const odai_conv2d_params *p, const odai_isa_table *t) {
  if (!t->conv2d_smallc || p->in_c > 4 || p->dil_h != 1 || p->dil_w != 1 || p->k_h > 32 ||
      p->k_w > 32)
    return 0;
  /* avx2 (bench_kernels --smallc-ab --isa avx2): wins for 16 and 32 output
   * channels, even or slightly behind the GEMM for 24 and 64 */
  if (t->vl == 8 && (p->out_c % 16 != 0 || p->out_c > 32)) return 0;
  const char *env = getenv("ODAI_CONV_SMALLC");
  return !(env && env[0] == '0');
}

/* A last panel of <= vl/2 output channels runs k in pairs (gemm_mr1p in
 * conv2d_simd.inc): needs even K runs (seglen) and more than one row.
 * ODAI_CONV_PAIR=0 in the environment turns it off (bench before/after). */
static int pair_ok(const odai_conv2d_op *op, const odai_isa_table *t, double m) {
  const odai_conv2d_params *p = &op->p;
  int vl = t->vl, rem = p->out_c % (2 * vl);
  int seglen = op->kind == ODAI_CONV_KIND_INDIRECT ? p->k_w * p->in_c : op->k_total;
  if (!t->gemm_pair || m < 2 || rem == 0 || rem > vl / 2 || seglen % 2 != 0) return 0;
  if (op->kind != ODAI_CONV_KIND_DIRECT1X1 && op->kind != ODAI_CONV_KIND_INDIRECT &&
      op->kind != ODAI_CONV_KIND_IM2COL)
    return 0;
  const char *env = getenv("ODAI_CONV_PAIR");
  return !(env && env[0] == '0');
}

/* One output pixel (squeeze-excite 1x1 convs): ODAI_CONV_ROW1=0 in the
 * environment keeps the general GEMM entry (bench before/after). */
static int row1_ok(void) {
  const char *env = getenv("ODAI_CONV_ROW1");
  return !(env && env[0] == '0');
}

odai_status odai_conv2d_plan(const odai_conv2d_params *pin, odai_conv2d_op *op, odai_error *err) {
  memset(op, 0, sizeof *op);
  odai_conv2d_params p = *pin;
  if (p.dil_h <= 0) p.dil_h = 1;
  if (p.dil_w <= 0) p.dil_w = 1;
  if (p.in_pixel_stride <= 0) p.in_pixel_stride = p.in_c;
  if (p.out_pixel_stride <= 0) p.out_pixel_stride = p.out_c;
  if (p.residual) {
    p.residual = 1;
    if (p.res_pixel_stride <= 0) p.res_pixel_stride = p.out_c;
    if (p.res_pixel_stride < p.out_c || isnan(p.res_min) || isnan(p.res_max) ||
        p.res_min > p.res_max)
      return odai_error_set(err, ODAI_E_INVALID, "conv2d: bad residual params");
  } else {
    p.res_pixel_stride = 0;
    p.res_min = -INFINITY;
    p.res_max = INFINITY;
  }
  if (p.batch <= 0 || p.in_h <= 0 || p.in_w <= 0 || p.in_c <= 0 || p.out_h <= 0 || p.out_w <= 0 ||
      p.out_c <= 0 || p.k_h <= 0 || p.k_w <= 0 || p.stride_h <= 0 || p.stride_w <= 0 ||
      p.pad_top < 0 || p.pad_left < 0 || p.in_pixel_stride < p.in_c ||
      p.out_pixel_stride < p.out_c || isnan(p.out_min) || isnan(p.out_max) ||
      p.out_min > p.out_max)
    return odai_error_set(err, ODAI_E_INVALID,
                          "conv2d: bad params (in %dx%dx%dx%d, out %dx%dx%d, k %dx%d, s %dx%d)",
                          p.batch, p.in_h, p.in_w, p.in_c, p.out_h, p.out_w, p.out_c, p.k_h,
                          p.k_w, p.stride_h, p.stride_w);
  double k_total = (double)p.k_h * p.k_w * p.in_c;
  double m = (double)p.batch * p.out_h * p.out_w;
  if (k_total > INT_MAX / 64 || m * p.out_pixel_stride > (double)INT_MAX * 64 ||
      (double)p.batch * p.in_h * p.in_w * p.in_pixel_stride > (double)INT_MAX * 64 ||
      k_total * p.out_c > (double)INT_MAX)
    return odai_error_set(err, ODAI_E_INVALID, "conv2d: shape too large");
  op->p = p;
  op->k_total = (int)k_total;
  odai_isa isa = odai_kernels_isa();
  const odai_isa_table *t = odai_isa_table_get(isa);
  if (t && t->conv2d) {
    int direct = p.k_h == 1 && p.k_w == 1 && p.stride_h == 1 && p.stride_w == 1 &&
                 p.pad_top == 0 && p.pad_left == 0 && p.out_h == p.in_h && p.out_w == p.in_w;
    op->isa = isa;
    int dense = p.dil_w == 1 && p.in_pixel_stride == p.in_c && p.k_h <= 16;
    op->kind = direct  ? ODAI_CONV_KIND_DIRECT1X1
               : dense ? ODAI_CONV_KIND_INDIRECT
                       : ODAI_CONV_KIND_IM2COL;
    op->nr = 2 * t->vl;
    op->mr = t->gemm_mr2;
    /* Tile: a few microkernel row groups; A-tile (tile_m x K) should sit in L2. */
    int lcm = t->gemm_mr2 * t->gemm_mr1; /* multiple of both row counts */
    int tile_m = lcm;
    while (tile_m < 96) tile_m += lcm;
    while (tile_m > lcm && (double)tile_m * k_total * 4 > 256 * 1024) tile_m -= lcm;
    op->tile_m = tile_m;
    int m_tiles = (int)((m + tile_m - 1) / tile_m);
    int npad;
    int panels = panel_count(p.out_c, t->vl, &npad);
    /* Small layers (BlazeFace's 16x16 and 8x8 maps): also split the output
     * channels so two or more threads get work. */
    op->n_split = 1;
    while (m_tiles * op->n_split < 4 && op->n_split * 2 <= panels) op->n_split *= 2;
    op->num_tiles = m_tiles * op->n_split;
    op->packed_size = align_up(((size_t)2 * npad + (size_t)npad * op->k_total) * sizeof(float),
                               ODAI_KERNEL_ALIGN);
    op->scratch_size = 0;
    if (op->kind != ODAI_CONV_KIND_DIRECT1X1)
      op->scratch_size = align_up(odai_conv2d_scratch_ptr_bytes(op) +
                                      (odai_conv2d_scratch_zero_floats(op) +
                                       (size_t)tile_m * op->k_total) * sizeof(float) +
                                      256 /* slack for full-vector stores */,
                                  ODAI_KERNEL_ALIGN);
    op->run = t->conv2d;
    if (direct && m == 1 && row1_ok()) op->kind = ODAI_CONV_KIND_ROW1;
    if (!direct && smallc_ok(&p, t)) { /* a first conv on RGB: direct kernel, row tiles */
      op->kind = ODAI_CONV_KIND_SMALLC;
      op->mr = 1;
      op->tile_m = p.out_w;
      op->n_split = 1;
      op->num_tiles = p.batch * p.out_h;
      op->scratch_size = 0;
      op->run = t->conv2d_smallc(&p);
    }
    op->pair = pair_ok(op, t, m);
  } else {
    op->isa = ODAI_ISA_REF;
    op->kind = ODAI_CONV_KIND_REF;
    op->n_split = 1;
    op->num_tiles = p.batch * p.out_h;
    op->packed_size = align_up(((size_t)2 * p.out_c + (size_t)p.out_c * op->k_total) *
                                   sizeof(float),
                               ODAI_KERNEL_ALIGN);
    op->scratch_size = 0;
    op->run = odai_conv2d_run_ref;
  }
  return ODAI_OK;
}

odai_status odai_fc_plan(const odai_fc_params *p, odai_conv2d_op *op, odai_error *err) {
  odai_conv2d_params c = {0};
  c.batch = 1;
  c.in_h = c.out_h = 1;
  c.in_w = c.out_w = p->batch;
  c.in_c = p->in_features;
  c.out_c = p->out_features;
  c.k_h = c.k_w = 1;
  c.stride_h = c.stride_w = 1;
  c.out_min = p->out_min;
  c.out_max = p->out_max;
  return odai_conv2d_plan(&c, op, err);
}

size_t odai_conv2d_packed_size(const odai_conv2d_op *op) { return op->packed_size; }
size_t odai_conv2d_scratch_size(const odai_conv2d_op *op) { return op->scratch_size; }
int odai_conv2d_num_tiles(const odai_conv2d_op *op) { return op->num_tiles; }

void odai_conv2d_pack(const odai_conv2d_op *op, const float *w, const float *bias,
                      const float *alpha, void *packed) {
  const odai_conv2d_params *p = &op->p;
  float *dst = (float *)packed;
  int K = op->k_total;
  memset(packed, 0, op->packed_size);
  if (op->kind == ODAI_CONV_KIND_REF) {
    for (int o = 0; o < p->out_c; o++) {
      dst[o] = bias ? bias[o] : 0.0f;
      dst[p->out_c + o] = (p->prelu && alpha) ? alpha[o] : 0.0f;
    }
    memcpy(dst + 2 * p->out_c, w, (size_t)p->out_c * K * sizeof(float));
    return;
  }
  int vl = op->nr / 2, npad;
  panel_count(p->out_c, vl, &npad);
  for (int o = 0; o < p->out_c; o++) {
    dst[o] = bias ? bias[o] : 0.0f;
    dst[npad + o] = (p->prelu && alpha) ? alpha[o] : 0.0f;
  }
  /* Panel j covers channels [n0, n0 + nr): nr = 2*vl except a narrower last one;
   * stored k-major: panel[k][nr]. */
  float *panel = dst + 2 * (size_t)npad;
  for (int n0 = 0; n0 < p->out_c;) {
    int rem = p->out_c - n0;
    int nr = rem >= op->nr ? op->nr : (rem <= vl ? vl : op->nr);
    if (op->pair && rem <= vl / 2) { /* [K/2][vl]: lane 2j + t = channel j, k + t */
      for (int k = 0; k < K; k++)
        for (int j = 0; j < rem; j++)
          panel[(size_t)(k / 2) * vl + 2 * j + (k & 1)] = w[(size_t)(n0 + j) * K + k];
      break;
    }
    for (int k = 0; k < K; k++)
      for (int j = 0; j < nr && n0 + j < p->out_c; j++)
        panel[(size_t)k * nr + j] = w[(size_t)(n0 + j) * K + k];
    panel += (size_t)K * nr;
    n0 += nr;
  }
}

void odai_conv2d_run_residual(const odai_conv2d_op *op, const float *in, const void *packed,
                              const float *residual, float *out, void *scratch, int tile_begin,
                              int tile_end) {
  if (tile_begin < 0) tile_begin = 0;
  if (tile_end > op->num_tiles) tile_end = op->num_tiles;
  if (tile_begin >= tile_end) return;
  op->run(op, in, packed, op->p.residual ? residual : NULL, out, scratch, tile_begin, tile_end);
}

void odai_conv2d_run(const odai_conv2d_op *op, const float *in, const void *packed, float *out,
                     void *scratch, int tile_begin, int tile_end) {
  odai_conv2d_run_residual(op, in, packed, NULL, out, scratch, tile_begin, tile_end);
}
