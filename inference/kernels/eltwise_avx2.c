/* inference/kernels/eltwise_avx2.c: binary/unary elementwise, pooling and
 * resize kernels for avx2 (template: eltwise_simd.inc), and the avx2 entry of
 * the dispatch table (dispatch.c), which also names conv2d_avx2.c and
 * dwconv_avx2.c. */
#include <math.h>
#include <string.h>

#include "kernels_internal.h"
#include "simd_avx2.h"

#include "eltwise_simd.inc"

void ODAI_SIMD_FN(odai_conv2d_run)(const odai_conv2d_op *op, const float *in, const void *packed,
                                   const float *residual, float *out, void *scratch,
                                   int tile_begin, int tile_end);
odai_conv2d_fn ODAI_SIMD_FN(odai_conv2d_smallc_get)(const odai_conv2d_params *p);
void ODAI_SIMD_FN(odai_dwconv_run)(const odai_dwconv_op *op, const float *in, const void *packed,
                                   float *out, void *scratch, int tile_begin, int tile_end);

const odai_isa_table odai_isa_table_avx2 = {
    .vl = VL,
    .gemm_mr2 = GEMM_MR2,
    .gemm_mr1 = GEMM_MR1,
    .gemm_pair = 1,
    .conv2d = ODAI_SIMD_FN(odai_conv2d_run),
    .conv2d_smallc = ODAI_SIMD_FN(odai_conv2d_smallc_get),
    .dwconv = ODAI_SIMD_FN(odai_dwconv_run),
    .binary_get = ODAI_SIMD_FN(odai_binary_get),
    .unary = ODAI_SIMD_FN(odai_unary),
    .pool = ODAI_SIMD_FN(odai_pool_run),
    .resize = ODAI_SIMD_FN(odai_resize_run),
    .tconv = ODAI_SIMD_FN(odai_tconv_run),
};
