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
