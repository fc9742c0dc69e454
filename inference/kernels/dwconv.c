/* inference/kernels/dwconv.c: DEPTHWISE_CONV_2D front-end: shape checks,
 * kernel choice (SIMD channel-block kernel for multiplier 1, with the strip
 * kind ODAI_DW_KIND_ROWX for wide 3x3 stride-1 layers on avx512; reference
 * otherwise), packing, run entry point. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels_internal.h"

static size_t align_up(size_t v, size_t a) { return (v + a - 1) / a * a; }

/* Where the strip kernel measured faster than the pixel-major / row kernels
 * (bench_kernels, avx512, docs/kernels.md): 3x3, dilation 1, stride_w 1,
 * more than 64 channels, out_w <= 32 (6x6..32x32 layers: 1.03-1.9x XNNPACK,
 * was 0.78-0.98x). Stride 2 measured slower, so it keeps the old kernels. */
static int odai_dwconv_rowx_wins(const odai_dwconv_params *p, int out_c, odai_isa isa) {
  return isa == ODAI_ISA_AVX512 && p->k_h == 3 && p->k_w == 3 && p->dil_h == 1 &&
         p->dil_w == 1 && p->stride_w == 1 && out_c > 64 && p->out_w <= 32;
}

/* Stride-2 wide 3x3 layers (the pixel-major kernel's shapes): interior
 * output pixels in pairs. ODAI_DW_PAIR2=0 in the environment turns it off
 * (bench before/after). */
static int odai_dwconv_pair2_wins(const odai_dwconv_params *p, int out_c, int vl) {
  const char *env = getenv("ODAI_DW_PAIR2");
  if (env && env[0] == '0') return 0;
  return p->k_h == 3 && p->k_w == 3 && p->dil_h == 1 && p->dil_w == 1 && p->stride_w == 2 &&
         vl == 16 && out_c > 4 * vl /* 4: ODAI_DW_WIDE_BLOCKS */ &&
         /* 512 channels (MobileFaceNet's 14x14 s2): one pixel at a time is
          * faster (9 input streams; pairs make 15, 2x2 blocks 25), 1.00 vs
          * 0.95 / 0.93 of XNNPACK (bench_kernels, ODAI_DW_PAIR2/QUAD2=0) */
         out_c <= 256;
}

/* The tap-major kernel (ODAI_DW_KIND_TAPS): 3x3, 256+ channels, 100+ input
 * pixels. The three kernels side by side in one process (XNNPACK/odai):
 * 2x14x14x512 s2 1.22 (one pixel at a time 0.99), 1x12x12x256 s2 1.08 (2x2
 * blocks 0.99), 2x14x14x256 s1 1.09 (strips 1.03), 2x28x28x256 s2 1.10
 * (1.05); it loses on smaller maps and at 128 channels (7x7x256 s1 1.06 vs
 * 1.20, 6x6x384 1.03 vs 1.12, 24x24x128 1.09 vs 1.27, 56x56x128 s2 1.05 vs
 * 1.31). ODAI_DW_TAPS=0 in the environment turns it off. */
static int odai_dwconv_taps_wins(const odai_dwconv_params *p, int out_c, int vl) {
  const char *env = getenv("ODAI_DW_TAPS");
  if (env && env[0] == '0') return 0;
  return vl == 16 && p->k_h == 3 && p->k_w == 3 && p->dil_h == 1 && p->dil_w == 1 &&
         p->multiplier == 1 && out_c % ODAI_DW_TAPS_C == 0 && out_c >= 256 &&
         (long)p->in_h * p->in_w >= 100 &&
         out_c <= 4096; /* padding taps read dwconv_simd.inc's zero row */
}

odai_status odai_dwconv_plan(const odai_dwconv_params *pin, odai_dwconv_op *op, odai_error *err) {
  memset(op, 0, sizeof *op);
  odai_dwconv_params p = *pin;
  if (p.multiplier <= 0) p.multiplier = 1;
  if (p.dil_h <= 0) p.dil_h = 1;
  if (p.dil_w <= 0) p.dil_w = 1;
  if (p.in_c > 0 && p.multiplier > INT_MAX / p.in_c)
    return odai_error_set(err, ODAI_E_INVALID, "dwconv: channels overflow");
  int out_c = p.in_c * p.multiplier;
  if (p.in_pixel_stride <= 0) p.in_pixel_stride = p.in_c;
  if (p.out_pixel_stride <= 0) p.out_pixel_stride = out_c;
  if (p.batch <= 0 || p.in_h <= 0 || p.in_w <= 0 || p.in_c <= 0 || p.out_h <= 0 ||
      p.out_w <= 0 || p.k_h <= 0 || p.k_w <= 0 || p.stride_h <= 0 || p.stride_w <= 0 ||
      p.pad_top < 0 || p.pad_left < 0 || p.in_pixel_stride < p.in_c ||
      p.out_pixel_stride < out_c || isnan(p.out_min) || isnan(p.out_max) ||
      p.out_min > p.out_max)
    return odai_error_set(err, ODAI_E_INVALID,
                          "dwconv: bad params (in %dx%dx%dx%d, out %dx%d, k %dx%d, s %dx%d)",
                          p.batch, p.in_h, p.in_w, p.in_c, p.out_h, p.out_w, p.k_h, p.k_w,
                          p.stride_h, p.stride_w);
  if ((double)p.k_h * p.k_w * out_c > (double)INT_MAX / 4 ||
      (double)p.batch * p.out_h * p.out_w * p.out_pixel_stride > (double)INT_MAX * 64 ||
      (double)p.batch * p.in_h * p.in_w * p.in_pixel_stride > (double)INT_MAX * 64 ||
      (double)p.batch * p.out_h > INT_MAX)
    return odai_error_set(err, ODAI_E_INVALID, "dwconv: shape too large");
  op->p = p;
  op->out_c = out_c;
  op->num_tiles = p.batch * p.out_h;
  odai_isa isa = odai_kernels_isa();
  const odai_isa_table *t = odai_isa_table_get(isa);
  size_t taps = (size_t)p.k_h * p.k_w;
  if (t && t->dwconv && p.multiplier == 1) {
    op->isa = isa;
    op->kind = ODAI_DW_KIND_SIMD;
    op->cblock = t->vl;
    size_t blocks = (size_t)(out_c + t->vl - 1) / t->vl;
    op->packed_size = align_up(blocks * (2 + taps) * t->vl * sizeof(float), ODAI_KERNEL_ALIGN);
    op->run = t->dwconv;
    if (odai_dwconv_rowx_wins(&p, out_c, isa)) op->kind = ODAI_DW_KIND_ROWX;
    else if (odai_dwconv_pair2_wins(&p, out_c, t->vl)) {
      op->kind = ODAI_DW_KIND_PAIR2;
      const char *env = getenv("ODAI_DW_QUAD2");
      if (!(env && env[0] == '0') && p.stride_h == 2 && p.dil_h == 1 &&
          p.in_pixel_stride == out_c && p.out_pixel_stride == out_c &&
          (out_c == 128 || out_c == 256)) {
        op->kind = ODAI_DW_KIND_QUAD2;
        op->num_tiles = p.batch * ((p.out_h + 1) / 2); /* two output rows per tile */
      }
    }
    if (odai_dwconv_taps_wins(&p, out_c, t->vl)) {
      op->kind = ODAI_DW_KIND_TAPS;
      op->cblock = ODAI_DW_TAPS_C;
      op->num_tiles = p.batch * p.out_h;
    }
  } else {
    op->isa = ODAI_ISA_REF;
    op->kind = ODAI_DW_KIND_REF;
    op->cblock = 1;
    op->packed_size = align_up((2 + taps) * out_c * sizeof(float), ODAI_KERNEL_ALIGN);
    op->run = odai_dwconv_run_ref;
  }
  op->scratch_size = 0;
  return ODAI_OK;
}

size_t odai_dwconv_packed_size(const odai_dwconv_op *op) { return op->packed_size; }
size_t odai_dwconv_scratch_size(const odai_dwconv_op *op) { return op->scratch_size; }
int odai_dwconv_num_tiles(const odai_dwconv_op *op) { return op->num_tiles; }

void odai_dwconv_pack(const odai_dwconv_op *op, const float *w, const float *bias,
                      const float *alpha, void *packed) {
  const odai_dwconv_params *p = &op->p;
  float *dst = (float *)packed;
  int C = op->out_c, taps = p->k_h * p->k_w;
  memset(packed, 0, op->packed_size);
  if (op->kind == ODAI_DW_KIND_REF) {
    for (int c = 0; c < C; c++) {
      dst[c] = bias ? bias[c] : 0.0f;
      dst[C + c] = (p->prelu && alpha) ? alpha[c] : 0.0f;
    }
    memcpy(dst + 2 * C, w, (size_t)taps * C * sizeof(float));
    return;
  }
  /* Block of vl channels: bias[vl], alpha[vl], taps x w[vl]. */
  int vl = op->cblock;
  for (int c0 = 0; c0 < C; c0 += vl) {
    for (int j = 0; j < vl && c0 + j < C; j++) {
      dst[j] = bias ? bias[c0 + j] : 0.0f;
      dst[vl + j] = (p->prelu && alpha) ? alpha[c0 + j] : 0.0f;
      for (int k = 0; k < taps; k++) dst[(size_t)(2 + k) * vl + j] = w[(size_t)k * C + c0 + j];
    }
    dst += (size_t)(2 + taps) * vl;
  }
}

void odai_dwconv_run(const odai_dwconv_op *op, const float *in, const void *packed, float *out,
                     void *scratch, int tile_begin, int tile_end) {
  if (tile_begin < 0) tile_begin = 0;
  if (tile_end > op->num_tiles) tile_end = op->num_tiles;
  if (tile_begin >= tile_end) return;
  op->run(op, in, packed, out, scratch, tile_begin, tile_end);
}
