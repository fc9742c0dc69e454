/* inference/kernels/kernels_internal.h: what the op front-ends (conv2d.c,
 * dwconv.c, ...) share with the per-ISA microkernel files (*_avx2.c,
 * *_avx512.c, *_neon.c) and the reference kernels (*_ref.c). Not for the op
 * layer: it uses kernels.h only. */
#ifndef ODAI_INFERENCE_KERNELS_INTERNAL_H
#define ODAI_INFERENCE_KERNELS_INTERNAL_H

#include "kernels.h"

/* conv2d kinds */
enum {
  ODAI_CONV_KIND_REF = 0,
  ODAI_CONV_KIND_DIRECT1X1 = 1,
  ODAI_CONV_KIND_IM2COL = 2,
  ODAI_CONV_KIND_INDIRECT = 3,
  ODAI_CONV_KIND_SMALLC = 4, /* direct conv for in_c <= 4 (conv2d_smallc_simd.inc) */
  /* 1x1 conv / FC on a single output pixel (squeeze-excite): the GEMM kernel's
   * one-row path entered straight away, without the per-tile setup */
  ODAI_CONV_KIND_ROW1 = 5
};
/* Scratch layout of the im2col/indirect kinds: [pointer area][zeros][data]. */
static inline size_t odai_conv2d_scratch_ptr_bytes(const odai_conv2d_op *op) {
  size_t n = (size_t)op->tile_m * (op->kind == ODAI_CONV_KIND_INDIRECT ? op->p.k_h : 1);
  return (n * sizeof(float *) + 63) / 64 * 64;
}
static inline size_t odai_conv2d_scratch_zero_floats(const odai_conv2d_op *op) {
  size_t n = op->kind == ODAI_CONV_KIND_INDIRECT ? (size_t)op->p.k_w * op->p.in_c : 0;
  return (n + 15) / 16 * 16;
}
/* dwconv kinds */
enum {
  ODAI_DW_KIND_REF = 0,
  ODAI_DW_KIND_SIMD = 1,
  /* 3x3, dilation 1, stride_w 1, avx512, wide layers on small spatial
   * sizes: strips of output pixels with column reuse (dwconv_rowx_simd.inc);
   * same packed layout as SIMD. */
  ODAI_DW_KIND_ROWX = 2,
  /* 3x3, dilation 1, stride_w 2, wide layers: the pixel-major kernel taking
   * interior output pixels in pairs (shared middle column, weights loaded
   * once per pair; dwconv_simd.inc); same packed layout as SIMD. */
  ODAI_DW_KIND_PAIR2 = 3,
  /* PAIR2 with stride_h 2 on dense 128/256-channel tensors: a tile is
   * two output rows, whose interior pixel pairs run as 2x2 blocks sharing
   * the middle input row (5 input rows x 5 columns for 4 outputs). */
  ODAI_DW_KIND_QUAD2 = 4,
  /* 3x3, dilation 1, avx512, 256+ channels (a multiple of 128) on maps of
   * 100+ input pixels (full range 12x12x256, MobileFaceNet 28x28x256,
   * 14x14x256, 14x14x512): per output pixel a group of 128 channels is held
   * in 8 accumulators while the 9 taps stream by, tap after tap (packed
   * [bias][alpha][tap 0..8] per group: the SIMD layout with cblock = 128). */
  ODAI_DW_KIND_TAPS = 5
};
#define ODAI_DW_TAPS_C 128 /* channels per group of ODAI_DW_KIND_TAPS */

/* Per-ISA kernel table, filled in dispatch.c from the ISA files compiled into
 * this build. NULL entries fall back to the reference kernels. */
typedef struct odai_isa_table {
  int vl;             /* float lanes per vector */
  int gemm_mr2;       /* rows of the 2-vector-wide GEMM microkernel */
  int gemm_mr1;       /* rows of the 1-vector-wide GEMM microkernel */
  int gemm_pair;      /* has the k-pair kernel for a last panel of <= vl/2 channels */
  odai_conv2d_fn conv2d;
  /* Direct conv for in_c <= 4, dilation 1, k_h <= 32 (a model's first conv):
   * returns the kernel for p's shape; weights packed as for the GEMM kinds,
   * one tile per output row, no scratch. NULL: not available. */
  odai_conv2d_fn (*conv2d_smallc)(const odai_conv2d_params *p);
  odai_dwconv_fn dwconv;
  void (*binary_get)(odai_binary_kind kind, odai_binary_vfn *fn);
  void (*unary)(odai_unary_kind kind, const odai_unary_args *args, const float *in, float *out,
                size_t n);
  odai_pool_fn pool;
  odai_resize_fn resize;
  odai_tconv_fn tconv; /* non-overlapping case (k == stride) only */
  /* k == stride, no padding, exact output size, out_c == 1, in_c a multiple
   * of tconv_small_c, k_w <= 4 (selfie's last 2x2/s2 16->1 layer): pixels in
   * vector lanes (a register transpose of the input) instead of a GEMM with
   * N = k_w * out_c. Packed layout: the plain one (bias, OHWI weights). */
  odai_tconv_fn tconv_small;
  int tconv_small_c;
} odai_isa_table;

/* NULL for ODAI_ISA_REF or a level not built/supported. */
const odai_isa_table *odai_isa_table_get(odai_isa isa);

/* Reference kernels (the ground truth). */
void odai_conv2d_run_ref(const odai_conv2d_op *op, const float *in, const void *packed,
                         const float *residual, float *out, void *scratch, int tile_begin,
                         int tile_end);
void odai_dwconv_run_ref(const odai_dwconv_op *op, const float *in, const void *packed, float *out,
                         void *scratch, int tile_begin, int tile_end);
void odai_binary_get_ref(odai_binary_kind kind, odai_binary_vfn *fn);
void odai_unary_ref(odai_unary_kind kind, const odai_unary_args *args, const float *in,
                    float *out, size_t n);
void odai_pool_run_ref(const odai_pool_op *op, const float *in, float *out, int tile_begin,
                       int tile_end);
void odai_tconv_run_ref(const odai_tconv_op *op, const float *in, const void *packed, float *out,
                        int tile_begin, int tile_end);
void odai_resize_run_ref(const odai_resize_op *op, const float *in, float *out, int tile_begin,
                         int tile_end);

/* Per-ISA tables (defined only in builds that compile that ISA). */
#if defined(__x86_64__)
extern const odai_isa_table odai_isa_table_avx2;
extern const odai_isa_table odai_isa_table_avx512;
#endif
#if defined(__aarch64__)
extern const odai_isa_table odai_isa_table_neon;
#endif

static inline float odai_clampf(float v, float mn, float mx) {
  return v < mn ? mn : (v > mx ? mx : v);
}

#endif
