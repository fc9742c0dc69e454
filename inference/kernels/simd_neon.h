/* inference/kernels/simd_neon.h: the v_* vector vocabulary for AArch64
 * Advanced SIMD (4 lanes). */
#ifndef ODAI_SIMD_NEON_H
#define ODAI_SIMD_NEON_H
#include <arm_neon.h>
#include <stddef.h>
#include <string.h>

typedef float32x4_t v_f32;
#define VL 4
/* Pin a vector in a register here: keeps the compiler from re-reading a
 * value that is used several times from memory (folded into each FMA). */
#define V_KEEP(x) __asm__("" : "+w"(x))
#define ODAI_SIMD_FN(name) name##_neon
#define GEMM_MR2 8 /* 8 rows x 8 channels = 16 q accumulators */
#define GEMM_MR1 8

static inline v_f32 v_zero(void) { return vdupq_n_f32(0.0f); }
static inline v_f32 v_set1(float x) { return vdupq_n_f32(x); }
static inline v_f32 v_load(const float *p) { return vld1q_f32(p); }
static inline void v_store(float *p, v_f32 v) { vst1q_f32(p, v); }
static inline v_f32 v_load_n(const float *p, int n) {
  float t[4] = {0, 0, 0, 0};
  memcpy(t, p, (size_t)n * sizeof(float));
  return vld1q_f32(t);
}
static inline void v_store_n(float *p, v_f32 v, int n) {
  float t[4];
  vst1q_f32(t, v);
  memcpy(p, t, (size_t)n * sizeof(float));
}
static inline v_f32 v_add(v_f32 a, v_f32 b) { return vaddq_f32(a, b); }
static inline v_f32 v_sub(v_f32 a, v_f32 b) { return vsubq_f32(a, b); }
static inline v_f32 v_mul(v_f32 a, v_f32 b) { return vmulq_f32(a, b); }
static inline v_f32 v_div(v_f32 a, v_f32 b) { return vdivq_f32(a, b); }
static inline v_f32 v_fma(v_f32 a, v_f32 b, v_f32 c) { return vfmaq_f32(c, a, b); }
static inline v_f32 v_max(v_f32 a, v_f32 b) { return vmaxq_f32(a, b); }
static inline v_f32 v_min(v_f32 a, v_f32 b) { return vminq_f32(a, b); }
static inline v_f32 v_abs(v_f32 a) { return vabsq_f32(a); }
static inline v_f32 v_prelu(v_f32 x, v_f32 a) {
  return vbslq_f32(vcltzq_f32(x), vmulq_f32(x, a), x);
}
static inline v_f32 v_round(v_f32 x) { return vrndnq_f32(x); }
static inline v_f32 v_exp2i(v_f32 n) {
  int32x4_t i = vcvtnq_s32_f32(n);
  return vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(i, vdupq_n_s32(127)), 23));
}
static inline float v_hsum(v_f32 a) { return vaddvq_f32(a); }
#endif
