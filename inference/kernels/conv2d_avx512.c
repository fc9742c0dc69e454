/* inference/kernels/conv2d_avx512.c: the GEMM-based CONV_2D / FULLY_CONNECTED
 * microkernels for avx512 (template: conv2d_simd.inc, vocabulary:
 * simd_avx512.h). Compiled with this ISA's target flags only. */
#include <string.h>

#include "kernels_internal.h"
#include "simd_avx512.h"

void ODAI_SIMD_FN(odai_conv2d_run)(const odai_conv2d_op *op, const float *in, const void *packed,
                                   const float *residual, float *out, void *scratch,
                                   int tile_begin, int tile_end);
#include "conv2d_simd.inc"

/* direct small-in_c conv (conv2d_smallc_simd.inc): output pixels per strip
 * with 1 / 2 vectors of output channels (16 / 16 accumulators) */
#define SC_MR1 16
#define SC_MR2 8
#define SC_MR_MAX 16
odai_conv2d_fn ODAI_SIMD_FN(odai_conv2d_smallc_get)(const odai_conv2d_params *p);
#include "conv2d_smallc_simd.inc"
