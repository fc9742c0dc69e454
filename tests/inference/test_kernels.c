/* tests/inference/test_kernels.c: inference/kernels tests. Every SIMD level
 * this CPU supports (avx2, avx512; neon in test_kernels_neon.c) against the
 * reference kernels on random shapes (kernel_cases.h states the tolerance),
 * plus hand-computed checks of the reference kernels themselves, fp16
 * conversion, transpose conv, dispatch and plan validation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "inference/kernels/kernels_internal.h"
#include "kernel_cases.h"

static const odai_isa k_levels[] = {ODAI_ISA_AVX2, ODAI_ISA_AVX512, ODAI_ISA_NEON};

#define FOR_EACH_ISA(body)                                                        \
  do {                                                                            \
    int ran_ = 0;                                                                 \
    for (size_t li_ = 0; li_ < sizeof k_levels / sizeof k_levels[0]; li_++) {     \
      odai_isa isa = k_levels[li_];                                               \
      if (!odai_isa_supported(isa)) continue;                                     \
      ran_++;                                                                     \
      body;                                                                       \
    }                                                                             \
    if (!ran_) print_message("no SIMD level on this CPU: reference only\n");      \
    odai_kernels_set_isa(odai_isa_best());                                        \
  } while (0)

static void test_conv2d_vs_ref(void **state) {
  (void)state;
  FOR_EACH_ISA(assert_int_equal(check_conv2d(isa, 300, 1000 + isa), 0));
}
static void test_fc_vs_ref(void **state) {
  (void)state;
  FOR_EACH_ISA(assert_int_equal(check_fc(isa, 60, 2000 + isa), 0));
}
static void test_dwconv_vs_ref(void **state) {
  (void)state;
  FOR_EACH_ISA(assert_int_equal(check_dwconv(isa, 400, 3000 + isa), 0));
}
/* Wide depthwise layers on small spatial sizes (the avx512 strip kernel
 * ODAI_DW_KIND_ROWX, the stride-2 pair kernel ODAI_DW_KIND_PAIR2 and its
 * 2x2-block form ODAI_DW_KIND_QUAD2 (a fifth of the cases: 128/256/512
 * channels, 3x3 stride 2, dense), the tap-major ODAI_DW_KIND_TAPS (a sixth: 256-512
 * channels on 10x10-16x16 maps, pixel strides too) where the plan picks them, the other
 * SIMD kernels
 * elsewhere): spatial 1-12 (and some up to 40), channels 1-300 (non-multiples
 * of 16 too), kernels 3/5/7, strides 1/2, pads, pixel strides, fused clamp /
 * PReLU / hardswish, tiles run in two halves. Checks that the plan picks the
 * strip and pair kernels exactly where they should. */
static int check_dwconv_small_wide(odai_isa isa, int cases, uint64_t seed) {
  kc_rng r = {seed};
  int bad = 0, reported = 0, rowx = 0, pair2 = 0, quad2 = 0, taps = 0;
  for (int i = 0; i < cases; i++) {
    odai_dwconv_params p = {0};
    p.batch = kc_int(&r, 1, 2);
    int big = kc_int(&r, 0, 7) == 0;
    p.in_h = kc_int(&r, 1, big ? 40 : 12);
    p.in_w = kc_int(&r, 1, big ? 40 : 12);
    p.in_c = kc_int(&r, 0, 2) ? kc_int(&r, 65, 300) : kc_int(&r, 1, 300);
    if (kc_int(&r, 0, 3) == 0) p.in_c = 16 * kc_int(&r, 1, 18);
    p.multiplier = 1;
    static const int ks[] = {3, 3, 3, 3, 5, 7};
    p.k_h = p.k_w = ks[kc_int(&r, 0, 5)];
    p.stride_h = kc_int(&r, 1, 2);
    p.stride_w = kc_int(&r, 0, 2) ? 1 : 2;
    p.dil_h = p.dil_w = 1;
    kc_rand_spatial(&r, p.in_h, p.k_h, p.stride_h, 1, &p.pad_top, &p.out_h);
    kc_rand_spatial(&r, p.in_w, p.k_w, p.stride_w, 1, &p.pad_left, &p.out_w);
    if (kc_int(&r, 0, 3) == 0) p.in_pixel_stride = p.in_c + kc_int(&r, 1, 20);
    if (kc_int(&r, 0, 3) == 0) p.out_pixel_stride = p.in_c + kc_int(&r, 1, 20);
    if (kc_int(&r, 0, 4) == 0) { /* the QUAD2 shapes: dense 128/256/512 channels, 3x3 s2 */
      static const int qc[] = {128, 256, 512};
      p.in_c = qc[kc_int(&r, 0, 2)];
      p.k_h = p.k_w = 3;
      p.stride_h = p.stride_w = 2;
      kc_rand_spatial(&r, p.in_h, 3, 2, 1, &p.pad_top, &p.out_h);
      kc_rand_spatial(&r, p.in_w, 3, 2, 1, &p.pad_left, &p.out_w);
      p.in_pixel_stride = p.out_pixel_stride = 0;
    }
    if (kc_int(&r, 0, 5) == 0) { /* the TAPS shapes: 256-512 channels, 10x10 to 16x16, 3x3 */
      static const int tc[] = {256, 384, 512};
      p.in_c = tc[kc_int(&r, 0, 2)];
      p.in_h = kc_int(&r, 10, 16);
      p.in_w = kc_int(&r, 10, 16);
      p.k_h = p.k_w = 3;
      kc_rand_spatial(&r, p.in_h, 3, p.stride_h, 1, &p.pad_top, &p.out_h);
      kc_rand_spatial(&r, p.in_w, 3, p.stride_w, 1, &p.pad_left, &p.out_w);
      if (p.in_pixel_stride) p.in_pixel_stride = p.in_c + kc_int(&r, 1, 20);
      if (p.out_pixel_stride) p.out_pixel_stride = p.in_c + kc_int(&r, 1, 20);
    }
    kc_rand_act(&r, &p.out_min, &p.out_max);
    p.prelu = kc_int(&r, 0, 3) == 0;
    p.hardswish = kc_int(&r, 0, 4) == 0;

    odai_dwconv_op fop, rop;
    odai_kernels_set_isa(isa);
    odai_error perr = {0};
    if (odai_dwconv_plan(&p, &fop, &perr) != ODAI_OK) {
      printf("  dwconv small/wide: case %d: %s\n", i, perr.message);
      return bad + 1;
    }
    odai_kernels_set_isa(ODAI_ISA_REF);
    if (odai_dwconv_plan(&p, &rop, NULL) != ODAI_OK) return bad + 1;
    /* 3x3, 256+ channels (multiples of 128), 100+ input pixels: tap-major */
    int want_taps = isa == ODAI_ISA_AVX512 && p.k_h == 3 && p.in_c % 128 == 0 &&
                    p.in_c >= 256 && p.in_h * p.in_w >= 100;
    int want_rowx = isa == ODAI_ISA_AVX512 && p.k_h == 3 && p.stride_w == 1 && p.in_c > 64 &&
                    p.out_w <= 32 && !want_taps;
    if ((fop.kind == ODAI_DW_KIND_ROWX) != want_rowx) {
      printf("  dwconv small/wide: plan kind %d, strip kernel expected %d\n", fop.kind, want_rowx);
      bad++;
    }
    rowx += fop.kind == ODAI_DW_KIND_ROWX;
    /* up to 256 channels (512 at stride 2: tap-major, below) */
    int want_pair2 = isa == ODAI_ISA_AVX512 && p.k_h == 3 && p.stride_w == 2 && p.in_c > 64 &&
                     p.in_c <= 256 && !want_taps;
    int dense = (!p.in_pixel_stride || p.in_pixel_stride == p.in_c) &&
                (!p.out_pixel_stride || p.out_pixel_stride == p.in_c);
    int want_quad2 = want_pair2 && p.stride_h == 2 && dense &&
                     (p.in_c == 128 || p.in_c == 256);
    int want_kind = want_quad2 ? ODAI_DW_KIND_QUAD2 : want_pair2 ? ODAI_DW_KIND_PAIR2 : -1;
    if ((fop.kind == ODAI_DW_KIND_PAIR2 || fop.kind == ODAI_DW_KIND_QUAD2 || want_kind >= 0) &&
        fop.kind != want_kind) {
      printf("  dwconv small/wide: plan kind %d, pair kernel kind %d expected\n", fop.kind, want_kind);
      bad++;
    }
    pair2 += fop.kind == ODAI_DW_KIND_PAIR2;
    quad2 += fop.kind == ODAI_DW_KIND_QUAD2;
    if ((fop.kind == ODAI_DW_KIND_TAPS) != want_taps) {
      printf("  dwconv small/wide: plan kind %d, tap-major kernel expected %d\n", fop.kind,
             want_taps);
      bad++;
    }
    taps += fop.kind == ODAI_DW_KIND_TAPS;
    int ips = p.in_pixel_stride ? p.in_pixel_stride : p.in_c;
    int ops = p.out_pixel_stride ? p.out_pixel_stride : p.in_c;
    size_t in_n = (size_t)p.batch * p.in_h * p.in_w * ips;
    size_t out_n = (size_t)p.batch * p.out_h * p.out_w * ops;
    size_t w_n = (size_t)p.k_h * p.k_w * p.in_c;
    float *in = kc_alloc(in_n * 4), *w = kc_alloc(w_n * 4), *bias = kc_alloc((size_t)p.in_c * 4);
    float *alpha = kc_alloc((size_t)p.in_c * 4), *o1 = kc_alloc(out_n * 4);
    float *o2 = kc_alloc(out_n * 4);
    void *pk1 = kc_alloc(odai_dwconv_packed_size(&fop));
    void *pk2 = kc_alloc(odai_dwconv_packed_size(&rop));
    assert_non_null(in); assert_non_null(w); assert_non_null(bias); assert_non_null(alpha);
    assert_non_null(o1); assert_non_null(o2); assert_non_null(pk1); assert_non_null(pk2);
    kc_fill(&r, in, in_n);
    kc_fill(&r, w, w_n);
    kc_fill(&r, bias, (size_t)p.in_c);
    kc_fill(&r, alpha, (size_t)p.in_c);
    for (size_t j = 0; j < out_n; j++) o1[j] = o2[j] = KC_SENTINEL;
    odai_dwconv_pack(&fop, w, bias, alpha, pk1);
    odai_dwconv_pack(&rop, w, bias, alpha, pk2);
    int nt = odai_dwconv_num_tiles(&fop);
    odai_dwconv_run(&fop, in, pk1, o1, NULL, 0, nt / 2);
    odai_dwconv_run(&fop, in, pk1, o1, NULL, nt / 2, nt);
    odai_dwconv_run(&rop, in, pk2, o2, NULL, 0, odai_dwconv_num_tiles(&rop));
    int b = kc_compare("dwconv small/wide", o1, o2, out_n, (double)p.k_h * p.k_w, &reported);
    if (b && reported <= 5)
      printf("  dwconv small/wide: in %dx%dx%dx%d k %d s %dx%d pad %d,%d out %dx%d kind %d\n",
             p.batch, p.in_h, p.in_w, p.in_c, p.k_h, p.stride_h, p.stride_w, p.pad_top,
             p.pad_left, p.out_h, p.out_w, fop.kind);
    bad += b;
    free(in); free(w); free(bias); free(alpha); free(o1); free(o2); free(pk1); free(pk2);
  }
  if (isa == ODAI_ISA_AVX512 && rowx == 0) {
    printf("  dwconv small/wide: no case ran the strip kernel\n");
    bad++;
  }
  if (isa == ODAI_ISA_AVX512 && pair2 == 0) {
    printf("  dwconv small/wide: no case ran the stride-2 pair kernel\n");
    bad++;
  }
  if (isa == ODAI_ISA_AVX512 && taps < 20) {
    printf("  dwconv small/wide: only %d cases ran the tap-major kernel\n", taps);
    bad++;
  }
  if (isa == ODAI_ISA_AVX512 && quad2 < 10) {
    printf("  dwconv small/wide: only %d cases ran the 2x2 block kernel\n", quad2);
    bad++;
  }
  return bad;
}
static void test_dwconv_small_wide_vs_ref(void **state) {
  (void)state;
  FOR_EACH_ISA(assert_int_equal(check_dwconv_small_wide(isa, 300, 3500 + isa), 0));
}
static void test_binary_vs_ref(void **state) {
  (void)state;
  FOR_EACH_ISA(assert_int_equal(check_binary(isa, 400, 4000 + isa), 0));
}
static void test_unary_vs_ref(void **state) {
  (void)state;
  FOR_EACH_ISA(assert_int_equal(check_unary(isa, 5000 + isa), 0));
}
static void test_tconv_vs_ref(void **state) {
  (void)state;
  FOR_EACH_ISA(assert_int_equal(check_tconv(isa, 150, 8000 + isa), 0));
}
/* The direct small-in_c conv (ODAI_CONV_KIND_SMALLC, a model's first conv):
 * in_c 1-4, kernels 1x3..7x7 (3/5 wide are the specialised instances), strides
 * 1-3, random pads, odd sizes and widths past several 16-pixel strips (interior
 * strips, the shifted last strip, checked border columns), out_c not a
 * multiple of 16, pixel strides, PReLU / clamps / hard-swish / residual; then
 * the real first layers of the four bench models. Checks the plan chose it. */
static int check_conv2d_smallc(odai_isa isa, int cases, uint64_t seed) {
  kc_rng r = {seed};
  int bad = 0, reported = 0;
  static const int ks[] = {3, 3, 5, 5, 1, 2, 7};
  static const int ocs[] = {1, 5, 8, 13, 16, 17, 24, 31, 32, 33, 40, 64, 70, 16, 32};
  int ran = 0;
  for (int i = 0; i < cases; i++) {
    odai_conv2d_params p = {0};
    p.batch = kc_int(&r, 1, 2);
    p.in_c = kc_int(&r, 1, 4);
    p.out_c = ocs[kc_int(&r, 0, (int)(sizeof ocs / sizeof ocs[0]) - 1)];
    p.k_h = ks[kc_int(&r, 0, 6)];
    p.k_w = kc_int(&r, 0, 3) == 0 ? ks[kc_int(&r, 0, 6)] : p.k_h;
    if (p.k_h == 1 && p.k_w == 1) p.k_w = 3;
    p.stride_h = kc_int(&r, 1, 2);
    p.stride_w = kc_int(&r, 0, 5) == 0 ? 3 : kc_int(&r, 1, 2);
    p.in_h = kc_int(&r, 1, 13);
    p.in_w = kc_int(&r, 0, 2) == 0 ? kc_int(&r, 1, 12) : kc_int(&r, 13, 90);
    kc_rand_spatial(&r, p.in_h, p.k_h, p.stride_h, 1, &p.pad_top, &p.out_h);
    kc_rand_spatial(&r, p.in_w, p.k_w, p.stride_w, 1, &p.pad_left, &p.out_w);
    if (kc_int(&r, 0, 4) == 0) p.in_pixel_stride = p.in_c + kc_int(&r, 1, 3);
    if (kc_int(&r, 0, 4) == 0) p.out_pixel_stride = p.out_c + kc_int(&r, 1, 5);
    kc_rand_conv_epilogue(&r, &p, 4, 4, 5);
    odai_conv2d_op op;
    odai_kernels_set_isa(isa);
    if (odai_conv2d_plan(&p, &op, NULL) != ODAI_OK) return bad + 1;
    /* avx512 takes every such shape; avx2 only out_c 16 / 32 (conv2d.c) */
    int want = isa == ODAI_ISA_AVX512 || (p.out_c % 16 == 0 && p.out_c <= 32);
    if ((op.kind == ODAI_CONV_KIND_SMALLC) != want) {
      printf("  smallc: case %d planned kind %d (out_c %d)\n", i, op.kind, p.out_c);
      bad++;
    }
    ran += op.kind == ODAI_CONV_KIND_SMALLC;
    bad += kc_conv_one(isa, &p, &r, &reported, "conv2d-smallc");
  }
  if (ran < cases / 8) {
    printf("  smallc: only %d of %d cases ran the direct kernel\n", ran, cases);
    bad++;
  }
  /* the bench models' first convs (TFLite SAME pads), hard-swish as selfie */
  static const int real[][6] = {/* in, c, k, s, oc, hswish */
                                {256, 3, 3, 2, 16, 1},
                                {192, 3, 3, 2, 32, 0},
                                {128, 3, 5, 2, 24, 0},
                                {112, 3, 3, 2, 64, 0}};
  for (size_t i = 0; i < sizeof real / sizeof real[0]; i++) {
    odai_conv2d_params p = {0};
    p.batch = 1;
    p.in_h = p.in_w = real[i][0];
    p.in_c = real[i][1];
    p.k_h = p.k_w = real[i][2];
    p.stride_h = p.stride_w = real[i][3];
    p.out_c = real[i][4];
    p.hardswish = real[i][5];
    p.out_min = -INFINITY;
    p.out_max = INFINITY;
    p.out_h = odai_conv_out_size(p.in_h, p.k_h, p.stride_h, 1, 1, &p.pad_top);
    p.out_w = odai_conv_out_size(p.in_w, p.k_w, p.stride_w, 1, 1, &p.pad_left);
    bad += kc_conv_one(isa, &p, &r, &reported, "conv2d-smallc-model");
  }
  return bad;
}
/* One output pixel (ODAI_CONV_KIND_ROW1: selfie's squeeze-excite 1x1 convs):
 * in_c 1-200, out_c across panel widths (1..2 vectors, several panels, split
 * into tiles for threads), pixel strides, PReLU / clamps / hard-swish /
 * residual. Checks the plan chose it. */
static int check_conv2d_row1(odai_isa isa, int cases, uint64_t seed) {
  kc_rng r = {seed};
  int bad = 0, reported = 0;
  static const int ocs[] = {1, 2, 5, 8, 13, 16, 17, 24, 31, 32, 33, 40, 64, 96, 128, 130};
  for (int i = 0; i < cases; i++) {
    odai_conv2d_params p = {0};
    p.batch = p.in_h = p.in_w = p.out_h = p.out_w = 1;
    p.k_h = p.k_w = p.stride_h = p.stride_w = 1;
    p.in_c = kc_int(&r, 0, 2) == 0 ? kc_int(&r, 1, 8) : kc_int(&r, 9, 200);
    p.out_c = ocs[kc_int(&r, 0, (int)(sizeof ocs / sizeof ocs[0]) - 1)];
    if (kc_int(&r, 0, 4) == 0) p.in_pixel_stride = p.in_c + kc_int(&r, 1, 3);
    if (kc_int(&r, 0, 4) == 0) p.out_pixel_stride = p.out_c + kc_int(&r, 1, 5);
    kc_rand_conv_epilogue(&r, &p, 4, 4, 5);
    odai_conv2d_op op;
    odai_kernels_set_isa(isa);
    if (odai_conv2d_plan(&p, &op, NULL) != ODAI_OK) return bad + 1;
    if (op.kind != ODAI_CONV_KIND_ROW1) {
      printf("  row1: case %d planned kind %d (in_c %d out_c %d)\n", i, op.kind, p.in_c,
             p.out_c);
      bad++;
    }
    bad += kc_conv_one(isa, &p, &r, &reported, "conv2d-row1");
  }
  return bad;
}
/* A last panel of <= vl/2 output channels runs k in pairs (gemm_mr1p):
 * 1x1 direct, dense (indirection) and im2col convs whose K run is even,
 * out_c % (2*vl) in 1..vl/2 (e.g. 8, 40, 72 on avx512; 4, 20 on avx2), odd
 * row counts, pixel strides, fused PReLU / clamp / hardswish / residual,
 * tiles run in two halves. Checks the plan uses it exactly where it should. */
static int check_conv2d_pair(odai_isa isa, int cases, uint64_t seed) {
  kc_rng r = {seed};
  int bad = 0, reported = 0, paired = 0;
  const odai_isa_table *t = odai_isa_table_get(isa);
  int vl = t ? t->vl : 4;
  for (int i = 0; i < cases; i++) {
    odai_conv2d_params p = {0};
    p.batch = kc_int(&r, 1, 2);
    p.in_h = kc_int(&r, 1, 12);
    p.in_w = kc_int(&r, 1, 17);
    p.in_c = 2 * kc_int(&r, 1, 40) - (kc_int(&r, 0, 5) == 0); /* mostly even, some odd */
    p.out_c = 2 * vl * kc_int(&r, 0, 3) + kc_int(&r, 1, vl / 2 > 1 ? vl / 2 : 1);
    int shape = kc_int(&r, 0, 2);
    if (shape == 0) {
      p.k_h = p.k_w = p.stride_h = p.stride_w = 1;
      p.out_h = p.in_h;
      p.out_w = p.in_w;
    } else {
      p.k_h = kc_int(&r, 1, 3);
      p.k_w = kc_int(&r, 1, 3);
      p.stride_h = kc_int(&r, 1, 2);
      p.stride_w = kc_int(&r, 1, 2);
      p.dil_h = p.dil_w = shape == 2 ? 2 : 1;
      kc_rand_spatial(&r, p.in_h, p.k_h, p.stride_h, p.dil_h, &p.pad_top, &p.out_h);
      kc_rand_spatial(&r, p.in_w, p.k_w, p.stride_w, p.dil_w, &p.pad_left, &p.out_w);
    }
    if (kc_int(&r, 0, 3) == 0) p.in_pixel_stride = p.in_c + kc_int(&r, 1, 5);
    if (kc_int(&r, 0, 3) == 0) p.out_pixel_stride = p.out_c + kc_int(&r, 1, 5);
    kc_rand_conv_epilogue(&r, &p, 4, 5, 3);
    odai_conv2d_op op;
    odai_kernels_set_isa(isa);
    if (odai_conv2d_plan(&p, &op, NULL) != ODAI_OK) return bad + 1;
    int m = p.batch * p.out_h * p.out_w;
    int seglen = op.kind == ODAI_CONV_KIND_INDIRECT ? p.k_w * p.in_c : op.k_total;
    int want = t && t->gemm_pair && m > 1 && seglen % 2 == 0 &&
               (op.kind == ODAI_CONV_KIND_DIRECT1X1 || op.kind == ODAI_CONV_KIND_INDIRECT ||
                op.kind == ODAI_CONV_KIND_IM2COL);
    if (op.pair != want) {
      printf("  pair: case %d planned pair %d, want %d (kind %d, in_c %d out_c %d k %dx%d)\n", i,
             op.pair, want, op.kind, p.in_c, p.out_c, p.k_h, p.k_w);
      bad++;
    }
    paired += op.pair;
    bad += kc_conv_one(isa, &p, &r, &reported, "conv2d-pair");
  }
  if (t && t->gemm_pair && paired < cases / 3) {
    printf("  pair: only %d of %d cases ran the pair kernel\n", paired, cases);
    bad++;
  }
  return bad;
}
static void test_conv2d_pair_vs_ref(void **state) {
  (void)state;
  FOR_EACH_ISA(assert_int_equal(check_conv2d_pair(isa, 300, 9700 + isa), 0));
}
/* 1x1 convs read in place run full row groups through microkernels
 * instantiated per fused epilogue (clamp, residual, PReLU, hard-swish; full
 * or narrower last panel) and the rest through the run-time one: every
 * combination of PReLU / hard-swish / residual on panels of every width kind
 * (pair, one vector, two vectors, full and partial), row counts with and
 * without a partial last group, pixel strides. */
static int check_conv2d_epilogues(odai_isa isa, uint64_t seed) {
  kc_rng r = {seed};
  int bad = 0, reported = 0;
  const odai_isa_table *t = odai_isa_table_get(isa);
  int vl = t ? t->vl : 4;
  const int ocs[] = {vl / 2, vl / 2 - 1 > 0 ? vl / 2 - 1 : 1, vl, vl - 3, 2 * vl, 2 * vl - 1,
                     3 * vl, 2 * vl + vl / 2, 4 * vl + 3};
  for (int oi = 0; oi < (int)(sizeof ocs / sizeof ocs[0]); oi++)
    for (int combo = 0; combo < 8; combo++) {
      odai_conv2d_params p = {0};
      p.batch = 1;
      p.in_h = p.out_h = kc_int(&r, 2, 5);
      p.in_w = p.out_w = kc_int(&r, 7, 19);
      p.in_c = kc_int(&r, 1, 40);
      p.out_c = ocs[oi];
      p.k_h = p.k_w = p.stride_h = p.stride_w = 1;
      if (kc_int(&r, 0, 2) == 0) p.in_pixel_stride = p.in_c + kc_int(&r, 1, 5);
      if (kc_int(&r, 0, 2) == 0) p.out_pixel_stride = p.out_c + kc_int(&r, 1, 5);
      kc_rand_act(&r, &p.out_min, &p.out_max);
      p.prelu = combo & 1;
      p.hardswish = (combo >> 1) & 1;
      if (combo & 4) {
        p.residual = 1;
        if (kc_int(&r, 0, 2) == 0) p.res_pixel_stride = p.out_c + kc_int(&r, 1, 3);
        kc_rand_act(&r, &p.res_min, &p.res_max);
      }
      bad += kc_conv_one(isa, &p, &r, &reported, "conv2d-epilogue");
    }
  return bad;
}
static void test_conv2d_epilogues_vs_ref(void **state) {
  (void)state;
  FOR_EACH_ISA(assert_int_equal(check_conv2d_epilogues(isa, 9900 + isa), 0));
}
static void test_conv2d_row1_vs_ref(void **state) {
  (void)state;
  FOR_EACH_ISA(assert_int_equal(check_conv2d_row1(isa, 300, 9500 + isa), 0));
}
static void test_conv2d_smallc_vs_ref(void **state) {
  (void)state;
  FOR_EACH_ISA(if (isa != ODAI_ISA_NEON) assert_int_equal(check_conv2d_smallc(isa, 400, 9000 + isa), 0));
}

/* out_c = 1, kernel == stride (the tconv_small path: selfie's last layer is
 * 128x128x16 -> 256x256x1, 2x2/s2): widths with and without a 16-pixel tail,
 * in_c 16/32/48, k 1x1..2x4, clamps; whole range and split tile ranges. */
static int check_tconv_small(odai_isa isa, uint64_t seed) {
  kc_rng r = {seed};
  int bad = 0, reported = 0;
  static const int widths[] = {16, 37, 128, 5, 33};
  for (int i = 0; i < 40; i++) {
    odai_tconv_params p = {0};
    p.batch = kc_int(&r, 1, 2);
    p.in_h = kc_int(&r, 1, 6);
    p.in_w = widths[i % 5];
    p.in_c = 16 * kc_int(&r, 1, 3);
    p.out_c = 1;
    p.k_h = p.stride_h = kc_int(&r, 1, 2);
    p.k_w = p.stride_w = kc_int(&r, 1, 4);
    p.out_h = p.in_h * p.stride_h;
    p.out_w = p.in_w * p.stride_w;
    kc_rand_act(&r, &p.out_min, &p.out_max);
    odai_tconv_op fop, rop;
    odai_kernels_set_isa(isa);
    if (odai_tconv_plan(&p, &fop, NULL) != ODAI_OK) return bad + 1;
    odai_kernels_set_isa(ODAI_ISA_REF);
    if (odai_tconv_plan(&p, &rop, NULL) != ODAI_OK) return bad + 1;
    size_t in_n = (size_t)p.batch * p.in_h * p.in_w * p.in_c, out_n = (size_t)p.batch * p.out_h * p.out_w;
    size_t w_n = (size_t)p.k_h * p.k_w * p.in_c;
    float *in = kc_alloc(in_n * 4), *w = kc_alloc(w_n * 4), *bias = kc_alloc(4);
    float *o1 = kc_alloc(out_n * 4), *o2 = kc_alloc(out_n * 4);
    void *pk1 = kc_alloc(odai_tconv_packed_size(&fop)), *pk2 = kc_alloc(odai_tconv_packed_size(&rop));
    kc_fill(&r, in, in_n);
    kc_fill(&r, w, w_n);
    kc_fill(&r, bias, 1);
    odai_tconv_pack(&fop, w, bias, pk1);
    odai_tconv_pack(&rop, w, bias, pk2);
    int nt = odai_tconv_num_tiles(&fop), mid = kc_int(&r, 0, nt);
    odai_tconv_run(&fop, in, pk1, o1, 0, mid);
    odai_tconv_run(&fop, in, pk1, o1, mid, nt);
    odai_tconv_run(&rop, in, pk2, o2, 0, odai_tconv_num_tiles(&rop));
    bad += kc_compare("tconv_small", o1, o2, out_n, (double)p.k_h * p.k_w * p.in_c, &reported);
    free(in); free(w); free(bias); free(o1); free(o2); free(pk1); free(pk2);
  }
  return bad;
}
static void test_tconv_small_vs_ref(void **state) {
  (void)state;
  FOR_EACH_ISA(assert_int_equal(check_tconv_small(isa, 8500 + isa), 0));
}
/* x[R][C] op v[C] and v[C] op x[R][C] (the grouped, replicated-operand path
 * of odai_binary_run: SE gating) against a naive loop, split tile ranges. */
static void test_binary_channel_broadcast(void **state) {
  (void)state;
  static const int chans[] = {1, 3, 16, 24, 100, 700};
  static const int rows[] = {1, 37, 1000, 4099};
  kc_rng r = {9100};
  for (size_t ci = 0; ci < sizeof chans / sizeof chans[0]; ci++)
    for (size_t ri = 0; ri < sizeof rows / sizeof rows[0]; ri++)
      for (int order = 0; order < 2; order++)
        for (int kind = 0; kind < 2; kind++) {
          int C = chans[ci], R = rows[ri];
          size_t n = (size_t)R * C;
          float *x = kc_alloc(n * 4), *v = kc_alloc((size_t)C * 4), *o = kc_alloc(n * 4);
          kc_fill(&r, x, n);
          kc_fill(&r, v, (size_t)C);
          odai_binary_params p = {.kind = kind ? ODAI_BINARY_MUL : ODAI_BINARY_SUB, .out_min = -0.8f, .out_max = 0.9f};
          int xs[3] = {R / (R > 37 ? 37 : 1), R > 37 ? 37 : 1, C}, vs[1] = {C};
          if (xs[0] * xs[1] != R) { xs[0] = R; xs[1] = 1; }
          if (order == 0) {
            p.a_rank = 3; memcpy(p.a_shape, xs, sizeof xs);
            p.b_rank = 1; memcpy(p.b_shape, vs, sizeof vs);
          } else {
            p.b_rank = 3; memcpy(p.b_shape, xs, sizeof xs);
            p.a_rank = 1; memcpy(p.a_shape, vs, sizeof vs);
          }
          odai_binary_op op;
          assert_int_equal(odai_binary_plan(&p, &op, NULL), ODAI_OK);
          int nt = odai_binary_num_tiles(&op), mid = nt / 3;
          const float *a = order == 0 ? x : v, *b = order == 0 ? v : x;
          odai_binary_run(&op, a, b, o, 0, mid);
          odai_binary_run(&op, a, b, o, mid, nt);
          for (size_t i = 0; i < n; i++) {
            float xa = x[i], va = v[i % (size_t)C];
            float e = order == 0 ? (kind ? xa * va : xa - va) : (kind ? va * xa : va - xa);
            e = e < -0.8f ? -0.8f : e > 0.9f ? 0.9f : e;
            if (fabsf(o[i] - e) > 1e-6f) fail_msg("C %d R %d order %d kind %d: [%zu] %g vs %g", C, R, order, kind, i, o[i], e);
          }
          free(x); free(v); free(o);
        }
}
static void test_pool_vs_ref(void **state) {
  (void)state;
  FOR_EACH_ISA(assert_int_equal(check_pool(isa, 200, 6000 + isa), 0));
}
static void test_resize_vs_ref(void **state) {
  (void)state;
  FOR_EACH_ISA(assert_int_equal(check_resize(isa, 200, 7000 + isa), 0));
}

/* The reference kernels against hand-computed values. */
static void test_ref_known_values(void **state) {
  (void)state;
  odai_kernels_set_isa(ODAI_ISA_REF);
  /* conv 3x3 SAME on a 3x3 ramp, 1 -> 1 channel, all-ones kernel, bias 1:
   * centre = 1 + sum(1..9) = 46; corner (0,0) = 1 + 1+2+4+5 = 13. */
  float in[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, w[9], bias = 1, out[9];
  for (int i = 0; i < 9; i++) w[i] = 1;
  odai_conv2d_params p = {1, 3, 3, 1, 3, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, -INFINITY, INFINITY, 0, 0, 0, 0, 0, 0};
  odai_conv2d_op op;
  assert_int_equal(odai_conv2d_plan(&p, &op, NULL), ODAI_OK);
  float pk[64];
  assert_true(odai_conv2d_packed_size(&op) <= sizeof pk);
  odai_conv2d_pack(&op, w, &bias, NULL, pk);
  odai_conv2d_run(&op, in, pk, out, NULL, 0, odai_conv2d_num_tiles(&op));
  assert_float_equal(out[4], 46.0f, 1e-6);
  assert_float_equal(out[0], 13.0f, 1e-6);
  assert_float_equal(out[8], 1 + 5 + 6 + 8 + 9, 1e-6);

  /* resize 1x2 -> 1x4, half-pixel: [0,1] -> [0, 0.25, 0.75, 1] */
  odai_resize_params rp = {1, 1, 2, 1, 1, 4, 0, 1};
  odai_resize_op rop;
  assert_int_equal(odai_resize_plan(&rp, &rop, NULL), ODAI_OK);
  float rin[2] = {0, 1}, rout[4];
  odai_resize_run(&rop, rin, rout, 0, 1);
  assert_float_equal(rout[0], 0.0f, 1e-6);
  assert_float_equal(rout[1], 0.25f, 1e-6);
  assert_float_equal(rout[2], 0.75f, 1e-6);
  assert_float_equal(rout[3], 1.0f, 1e-6);

  /* avg pool 2x2 s2 SAME on 3x3: bottom-right window holds one tap. */
  odai_pool_params pp = {ODAI_POOL_AVG, 1, 3, 3, 1, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, -INFINITY, INFINITY};
  odai_pool_op pop;
  assert_int_equal(odai_pool_plan(&pp, &pop, NULL), ODAI_OK);
  float pout[4];
  odai_pool_run(&pop, in, pout, 0, 2);
  assert_float_equal(pout[0], (1 + 2 + 4 + 5) / 4.0f, 1e-6);
  assert_float_equal(pout[3], 9.0f, 1e-6);

  /* depthwise 3x3 VALID on 3x3x2 with weights 1 (ch0) and -1 (ch1) */
  float din[18], dw[18], dout[2];
  for (int i = 0; i < 9; i++) {
    din[2 * i] = (float)(i + 1);
    din[2 * i + 1] = 1;
    dw[2 * i] = 1;
    dw[2 * i + 1] = -1;
  }
  odai_dwconv_params dp = {1, 3, 3, 2, 1, 1, 1, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, -INFINITY, INFINITY, 0, 0};
  odai_dwconv_op dop;
  assert_int_equal(odai_dwconv_plan(&dp, &dop, NULL), ODAI_OK);
  float dpk[64];
  odai_dwconv_pack(&dop, dw, NULL, NULL, dpk);
  odai_dwconv_run(&dop, din, dpk, dout, NULL, 0, 1);
  assert_float_equal(dout[0], 45.0f, 1e-6);
  assert_float_equal(dout[1], -9.0f, 1e-6);
  odai_kernels_set_isa(odai_isa_best());
}

/* Convolution2DTransposeBias 2x2 s2: disjoint 2x2 output blocks. */
static void test_tconv(void **state) {
  (void)state;
  kc_rng r = {77};
  const int H = 3, W = 4, C = 5, O = 2;
  float in[3 * 4 * 5], w[2 * 2 * 2 * 5], bias[2] = {0.5f, -0.25f}, out[6 * 8 * 2];
  kc_fill(&r, in, sizeof in / 4);
  kc_fill(&r, w, sizeof w / 4);
  odai_tconv_params p = {1, H, W, C, 2 * H, 2 * W, O, 2, 2, 2, 2, 0, 0, -INFINITY, INFINITY};
  odai_tconv_op op;
  assert_int_equal(odai_tconv_plan(&p, &op, NULL), ODAI_OK);
  float *pk = kc_alloc(odai_tconv_packed_size(&op));
  odai_tconv_pack(&op, w, bias, pk);
  odai_tconv_run(&op, in, pk, out, 0, odai_tconv_num_tiles(&op));
  for (int y = 0; y < 2 * H; y++)
    for (int x = 0; x < 2 * W; x++)
      for (int o = 0; o < O; o++) {
        float e = bias[o];
        for (int c = 0; c < C; c++)
          e += in[((y / 2) * W + x / 2) * C + c] * w[((o * 2 + y % 2) * 2 + x % 2) * C + c];
        assert_float_equal(out[(y * 2 * W + x) * O + o], e, 1e-5);
      }
  free(pk);
}

static void test_f16(void **state) {
  (void)state;
  assert_float_equal(odai_f16_to_f32_scalar(0x3c00), 1.0f, 0);
  assert_float_equal(odai_f16_to_f32_scalar(0xc000), -2.0f, 0);
  assert_float_equal(odai_f16_to_f32_scalar(0x7bff), 65504.0f, 0);
  assert_float_equal(odai_f16_to_f32_scalar(0x0001), 5.9604644775390625e-8f, 0);
  assert_true(isinf(odai_f16_to_f32_scalar(0x7c00)));
  assert_true(isnan(odai_f16_to_f32_scalar(0x7e00)));
  assert_true(signbit(odai_f16_to_f32_scalar(0x8000)));
  uint16_t *h = malloc(65536 * 2);
  float *f = malloc(65536 * 4);
  assert_non_null(h);
  assert_non_null(f);
  for (int i = 0; i < 65536; i++) h[i] = (uint16_t)i;
  odai_f16_to_f32(h, f, 65536); /* F16C where available */
  for (int i = 0; i < 65536; i++) {
    float s = odai_f16_to_f32_scalar((uint16_t)i);
    if (isnan(s)) assert_true(isnan(f[i]));
    else assert_memory_equal(&s, &f[i], 4);
  }
  free(h);
  free(f);
}

static void test_dispatch_and_validation(void **state) {
  (void)state;
  const odai_cpu_features *f = odai_cpu_features_get();
  assert_non_null(f);
  odai_isa best = odai_isa_best();
  assert_true(odai_isa_supported(best));
  assert_int_equal(odai_kernels_set_isa(ODAI_ISA_REF), ODAI_ISA_REF);
  assert_int_equal(odai_kernels_set_isa(ODAI_ISA_AVX512), best == ODAI_ISA_NEON ? ODAI_ISA_NEON : (best >= ODAI_ISA_AVX512 ? ODAI_ISA_AVX512 : best));
  odai_kernels_set_isa(best);
  assert_string_equal(odai_isa_name(ODAI_ISA_AVX512), "avx512");

  int pad;
  assert_int_equal(odai_conv_out_size(128, 5, 2, 1, 1, &pad), 64);
  assert_int_equal(pad, 1); /* need = 63*2+5-128 = 3 -> before 1 */
  assert_int_equal(odai_conv_out_size(7, 7, 1, 1, 0, &pad), 1);
  assert_int_equal(odai_conv_out_size(3, 5, 1, 1, 0, &pad), 0);

  odai_error err;
  odai_conv2d_op op;
  odai_conv2d_params bad = {1, 4, 4, 3, 4, 4, 8, 3, 3, 0, 1, 1, 1, 1, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0};
  assert_int_equal(odai_conv2d_plan(&bad, &op, &err), ODAI_E_INVALID);
  odai_conv2d_params huge = {1, 1 << 20, 1 << 20, 1 << 10, 1 << 20, 1 << 20, 8, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0};
  assert_int_equal(odai_conv2d_plan(&huge, &op, &err), ODAI_E_INVALID);
  odai_binary_params bp = {ODAI_BINARY_ADD, 2, 2, {3, 4}, {2, 4}, -INFINITY, INFINITY};
  odai_binary_op bop;
  assert_int_equal(odai_binary_plan(&bp, &bop, &err), ODAI_E_INVALID);
  odai_dwconv_params dp = {1, 4, 4, 3, 1, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0};
  odai_dwconv_op dop;
  assert_int_equal(odai_dwconv_plan(&dp, &dop, &err), ODAI_E_INVALID); /* min > max */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_dispatch_and_validation),
      cmocka_unit_test(test_ref_known_values),
      cmocka_unit_test(test_f16),
      cmocka_unit_test(test_tconv),
      cmocka_unit_test(test_conv2d_vs_ref),
      cmocka_unit_test(test_conv2d_smallc_vs_ref),
      cmocka_unit_test(test_conv2d_row1_vs_ref),
      cmocka_unit_test(test_conv2d_pair_vs_ref),
      cmocka_unit_test(test_conv2d_epilogues_vs_ref),
      cmocka_unit_test(test_fc_vs_ref),
      cmocka_unit_test(test_dwconv_vs_ref),
      cmocka_unit_test(test_dwconv_small_wide_vs_ref),
      cmocka_unit_test(test_binary_vs_ref),
      cmocka_unit_test(test_unary_vs_ref),
      cmocka_unit_test(test_pool_vs_ref),
      cmocka_unit_test(test_tconv_vs_ref),
      cmocka_unit_test(test_tconv_small_vs_ref),
      cmocka_unit_test(test_binary_channel_broadcast),
      cmocka_unit_test(test_resize_vs_ref),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
