/* inference/kernels/conv2d_avx2.c: the GEMM-based CONV_2D / FULLY_CONNECTED
 * microkernels for avx2 (template: conv2d_simd.inc, vocabulary:
 * simd_avx2.h). Compiled with this ISA's target flags only. */
#include <string.h>

#include "kernels_internal.h"
#include "simd_avx2.h"

void ODAI_SIMD_FN(odai_conv2d_run)(const odai_conv2d_op *op, const float *in, const void *packed,
                                   const float *residual, float *out, void *scratch,
                                   int tile_begin, int tile_end);
#include "conv2d_simd.inc"

/* direct small-in_c conv (conv2d_smallc_simd.inc): output pixels per strip
 * with 1 / 2 vectors of output channels (12 / 12 accumulators) */
#define SC_MR1 12
#define SC_MR2 6
#define SC_MR_MAX 12
odai_conv2d_fn ODAI_SIMD_FN(odai_conv2d_smallc_get)(const odai_conv2d_params *p);
#include "conv2d_smallc_simd.inc"
