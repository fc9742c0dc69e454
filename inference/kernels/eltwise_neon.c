/* inference/kernels/eltwise_neon.c: binary/unary elementwise, pooling and
 * resize kernels for neon (template: eltwise_simd.inc), and the neon entry of
 * the dispatch table (dispatch.c), which also names conv2d_neon.c and
 * dwconv_neon.c. */
#include <math.h>
#include <string.h>

#include "kernels_internal.h"
#include "simd_neon.h"

#include "eltwise_simd.inc"

void ODAI_SIMD_FN(odai_conv2d_run)(const odai_conv2d_op *op, const float *in, const void *packed,
                                   const float *residual, float *out, void *scratch,
                                   int tile_begin, int tile_end);
void ODAI_SIMD_FN(odai_dwconv_run)(const odai_dwconv_op *op, const float *in, const void *packed,
                                   float *out, void *scratch, int tile_begin, int tile_end);

const odai_isa_table odai_isa_table_neon = {
    .vl = VL,
    .gemm_mr2 = GEMM_MR2,
    .gemm_mr1 = GEMM_MR1,
    .conv2d = ODAI_SIMD_FN(odai_conv2d_run),
    .dwconv = ODAI_SIMD_FN(odai_dwconv_run),
    .binary_get = ODAI_SIMD_FN(odai_binary_get),
    .unary = ODAI_SIMD_FN(odai_unary),
    .pool = ODAI_SIMD_FN(odai_pool_run),
    .resize = ODAI_SIMD_FN(odai_resize_run),
    .tconv = ODAI_SIMD_FN(odai_tconv_run),
};
