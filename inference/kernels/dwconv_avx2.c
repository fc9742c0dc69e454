/* inference/kernels/dwconv_avx2.c: DEPTHWISE_CONV_2D microkernels for avx2
 * (template: dwconv_simd.inc, vocabulary: simd_avx2.h). */
#include "kernels_internal.h"
#include "simd_avx2.h"

void ODAI_SIMD_FN(odai_dwconv_run)(const odai_dwconv_op *op, const float *in, const void *packed,
                                   float *out, void *scratch, int tile_begin, int tile_end);
#include "dwconv_simd.inc"
