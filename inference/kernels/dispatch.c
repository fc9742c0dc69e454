/* inference/kernels/dispatch.c: CPU feature detection, the active ISA level
 * (ODAI_ISA env override, odai_kernels_set_isa) and the per-ISA kernel
 * tables; also the TFLite output-size helper and fp16 -> fp32 conversion. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kernels_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

static odai_cpu_features g_features;
static odai_isa g_best = ODAI_ISA_REF;
static odai_isa g_active = ODAI_ISA_REF;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static odai_isa clamp_isa(odai_isa want) {
  if (want == ODAI_ISA_NEON) return g_best == ODAI_ISA_NEON ? ODAI_ISA_NEON : g_best;
  if (g_best == ODAI_ISA_NEON) return want == ODAI_ISA_REF ? ODAI_ISA_REF : ODAI_ISA_NEON;
  if ((int)want > (int)g_best) return g_best;
  return want;
}

static void detect(void) {
  memset(&g_features, 0, sizeof g_features);
#if defined(__x86_64__)
  __builtin_cpu_init();
  g_features.avx2 = __builtin_cpu_supports("avx2") != 0;
  g_features.fma = __builtin_cpu_supports("fma") != 0;
  g_features.avx512f = __builtin_cpu_supports("avx512f") != 0;
  g_features.avx512bw = __builtin_cpu_supports("avx512bw") != 0;
  g_features.avx512vl = __builtin_cpu_supports("avx512vl") != 0;
  {
    /* F16C: CPUID.1:ECX bit 29 (gcc 12's __builtin_cpu_supports has no "f16c"). */
    unsigned a, b, c, d;
    __asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    g_features.f16c = (c >> 29) & 1;
  }
  if (g_features.avx2 && g_features.fma && g_features.f16c) g_best = ODAI_ISA_AVX2;
  if (g_best == ODAI_ISA_AVX2 && g_features.avx512f && g_features.avx512bw &&
      g_features.avx512vl)
    g_best = ODAI_ISA_AVX512;
#elif defined(__aarch64__)
  g_features.neon = 1;
  g_best = ODAI_ISA_NEON;
#endif
  g_active = g_best;
  const char *env = getenv("ODAI_ISA");
  if (env && *env) {
    odai_isa want = g_best;
    if (!strcmp(env, "ref") || !strcmp(env, "scalar")) want = ODAI_ISA_REF;
    else if (!strcmp(env, "avx2")) want = ODAI_ISA_AVX2;
    else if (!strcmp(env, "avx512")) want = ODAI_ISA_AVX512;
    else if (!strcmp(env, "neon")) want = ODAI_ISA_NEON;
    g_active = clamp_isa(want);
  }
}

const odai_cpu_features *odai_cpu_features_get(void) {
  pthread_once(&g_once, detect);
  return &g_features;
}

odai_isa odai_isa_best(void) {
  pthread_once(&g_once, detect);
  return g_best;
}

int odai_isa_supported(odai_isa isa) {
  pthread_once(&g_once, detect);
  if (isa == ODAI_ISA_REF) return 1;
  return clamp_isa(isa) == isa;
}

odai_isa odai_kernels_isa(void) {
  pthread_once(&g_once, detect);
  return g_active;
}

odai_isa odai_kernels_set_isa(odai_isa isa) {
  pthread_once(&g_once, detect);
  g_active = clamp_isa(isa);
  return g_active;
}

const char *odai_isa_name(odai_isa isa) {
  switch (isa) {
  case ODAI_ISA_REF: return "ref";
  case ODAI_ISA_AVX2: return "avx2";
  case ODAI_ISA_AVX512: return "avx512";
  case ODAI_ISA_NEON: return "neon";
  }
  return "unknown";
}

/* ODAI_KERNELS_REF_OPS=conv2d,dwconv,tconv,binary,unary,pool,resize: run the
 * listed ops on the reference kernels at every level (debugging a model:
 * bisect which SIMD kernel differs). Tables are patched copies, made once. */
static odai_isa_table g_tables[4];
static int g_tables_ready[4];
static pthread_mutex_t g_tables_lock = PTHREAD_MUTEX_INITIALIZER;

static const odai_isa_table *patched(odai_isa isa, const odai_isa_table *t) {
  const char *env = getenv("ODAI_KERNELS_REF_OPS");
  if (!t || !env || !*env) return t;
  pthread_mutex_lock(&g_tables_lock);
  if (!g_tables_ready[isa]) {
    odai_isa_table c = *t;
    if (strstr(env, "conv2d")) {
      c.conv2d = NULL;
      c.conv2d_smallc = NULL;
    }
    if (strstr(env, "dwconv")) c.dwconv = NULL;
    if (strstr(env, "tconv")) c.tconv = NULL;
    if (strstr(env, "binary")) c.binary_get = NULL;
    if (strstr(env, "unary")) c.unary = NULL;
    if (strstr(env, "pool")) c.pool = NULL;
    if (strstr(env, "resize")) c.resize = NULL;
    g_tables[isa] = c;
    g_tables_ready[isa] = 1;
  }
  pthread_mutex_unlock(&g_tables_lock);
  return &g_tables[isa];
}

static const odai_isa_table *table_raw(odai_isa isa);
const odai_isa_table *odai_isa_table_get(odai_isa isa) {
  if (!odai_isa_supported(isa)) return NULL;
  return patched(isa, table_raw(isa));
}

static const odai_isa_table *table_raw(odai_isa isa) {
  switch (isa) {
#if defined(__x86_64__) && defined(ODAI_KERNELS_X86_SIMD)
  case ODAI_ISA_AVX2: return &odai_isa_table_avx2;
  case ODAI_ISA_AVX512: return &odai_isa_table_avx512;
#endif
#if defined(__aarch64__) && defined(ODAI_KERNELS_NEON)
  case ODAI_ISA_NEON: return &odai_isa_table_neon;
#endif
  default: return NULL;
  }
}

int odai_conv_out_size(int in, int k, int stride, int dilation, int same, int *pad_before) {
  if (stride < 1) stride = 1;
  if (dilation < 1) dilation = 1;
  int ek = (k - 1) * dilation + 1;
  int out;
  if (same) {
    out = (in + stride - 1) / stride;
    long need = (long)(out - 1) * stride + ek - in;
    if (need < 0) need = 0;
    if (pad_before) *pad_before = (int)(need / 2);
  } else {
    out = in >= ek ? (in - ek) / stride + 1 : 0;
    if (pad_before) *pad_before = 0;
  }
  return out;
}

float odai_f16_to_f32_scalar(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t man = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0) {
    if (man == 0) {
      bits = sign;
    } else { /* subnormal: value = man * 2^-24 */
      float v = (float)man * 5.9604644775390625e-8f;
      memcpy(&bits, &v, 4);
      bits |= sign;
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (man << 13);
  } else {
    bits = sign | ((exp + 112) << 23) | (man << 13);
  }
  float f;
  memcpy(&f, &bits, 4);
  return f;
}

#if defined(__x86_64__)
__attribute__((target("avx2,f16c"))) static void f16_to_f32_f16c(const uint16_t *in, float *out,
                                                                  size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m128i h = _mm_loadu_si128((const __m128i *)(in + i));
    _mm256_storeu_ps(out + i, _mm256_cvtph_ps(h));
  }
  for (; i < n; i++) out[i] = odai_f16_to_f32_scalar(in[i]);
}
#endif

void odai_f16_to_f32(const uint16_t *in, float *out, size_t n) {
#if defined(__x86_64__)
  if (odai_cpu_features_get()->f16c && odai_kernels_isa() != ODAI_ISA_REF) {
    f16_to_f32_f16c(in, out, n);
    return;
  }
#endif
  for (size_t i = 0; i < n; i++) out[i] = odai_f16_to_f32_scalar(in[i]);
}
