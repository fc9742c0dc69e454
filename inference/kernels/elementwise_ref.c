/* inference/kernels/elementwise_ref.c: reference binary (with broadcast
 * steps) and unary elementwise kernels. */
#include <math.h>
#include <string.h>

#include "kernels_internal.h"

#define REF_BINARY(name, expr)                                                             \
  static void name(const float *a, const float *b, float *out, size_t n, int as, int bs,   \
                   float mn, float mx) {                                                   \
    for (size_t i = 0; i < n; i++) {                                                       \
      float x = a[as ? i : 0], y = b[bs ? i : 0];                                          \
      out[i] = odai_clampf((expr), mn, mx);                                                \
    }                                                                                      \
  }
REF_BINARY(ref_add, x + y)
REF_BINARY(ref_sub, x - y)
REF_BINARY(ref_mul, x * y)
REF_BINARY(ref_div, x / y)
REF_BINARY(ref_max, x > y ? x : y)
REF_BINARY(ref_min, x < y ? x : y)
REF_BINARY(ref_sqdiff, (x - y) * (x - y))

void odai_binary_get_ref(odai_binary_kind kind, odai_binary_vfn *fn) {
  switch (kind) {
  case ODAI_BINARY_ADD: *fn = ref_add; break;
  case ODAI_BINARY_SUB: *fn = ref_sub; break;
  case ODAI_BINARY_MUL: *fn = ref_mul; break;
  case ODAI_BINARY_DIV: *fn = ref_div; break;
  case ODAI_BINARY_MAX: *fn = ref_max; break;
  case ODAI_BINARY_MIN: *fn = ref_min; break;
  case ODAI_BINARY_SQDIFF: *fn = ref_sqdiff; break;
  default: *fn = ref_add; break;
  }
}

void odai_unary_ref(odai_unary_kind kind, const odai_unary_args *args, const float *in,
                    float *out, size_t n) {
  switch (kind) {
  case ODAI_UNARY_COPY:
    if (out != in) memmove(out, in, n * sizeof(float));
    break;
  case ODAI_UNARY_CLAMP:
    for (size_t i = 0; i < n; i++) out[i] = odai_clampf(in[i], args->min, args->max);
    break;
  case ODAI_UNARY_HARDSWISH:
    for (size_t i = 0; i < n; i++) {
      float x = in[i];
      out[i] = x * odai_clampf(x + 3.0f, 0.0f, 6.0f) * (1.0f / 6.0f);
    }
    break;
  case ODAI_UNARY_LOGISTIC:
    for (size_t i = 0; i < n; i++) out[i] = 1.0f / (1.0f + expf(-in[i]));
    break;
  case ODAI_UNARY_TANH:
    for (size_t i = 0; i < n; i++) out[i] = tanhf(in[i]);
    break;
  case ODAI_UNARY_ABS:
    for (size_t i = 0; i < n; i++) out[i] = fabsf(in[i]);
    break;
  case ODAI_UNARY_NEG:
    for (size_t i = 0; i < n; i++) out[i] = -in[i];
    break;
  case ODAI_UNARY_EXP:
    for (size_t i = 0; i < n; i++) out[i] = expf(in[i]);
    break;
  case ODAI_UNARY_LEAKY_RELU:
    for (size_t i = 0; i < n; i++) out[i] = in[i] >= 0.0f ? in[i] : in[i] * args->alpha;
    break;
  case ODAI_UNARY_PRELU: {
    int c = args->channels > 0 ? args->channels : 1;
    for (size_t i = 0; i < n; i++) {
      float x = in[i];
      out[i] = x >= 0.0f ? x : x * args->alphas[i % (size_t)c];
    }
    break;
  }
  }
}
