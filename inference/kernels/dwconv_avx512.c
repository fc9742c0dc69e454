/* inference/kernels/dwconv_avx512.c: DEPTHWISE_CONV_2D microkernels for avx512
 * (template: dwconv_simd.inc, vocabulary: simd_avx512.h). */
#include "kernels_internal.h"
#include "simd_avx512.h"

void ODAI_SIMD_FN(odai_dwconv_run)(const odai_dwconv_op *op, const float *in, const void *packed,
                                   float *out, void *scratch, int tile_begin, int tile_end);
#include "dwconv_simd.inc"
