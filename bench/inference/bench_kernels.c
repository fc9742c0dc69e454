/* bench/inference/bench_kernels.c: per-layer timing of odai's conv and
 * depthwise kernels on the real layer shapes of face_detection_short_range,
 * face_detection_full_range, selfie_segmentation and MobileFaceNet
 * (layers.h, from gen_layers.py), next to XNNPACK's operators on the same
 * shapes in the same process (when built with libxnnpack-dev), and the
 * machine's FMA peak measured in the same run. Prints figures; asserts none.
 *
 * Usage: bench_kernels [--runs N] [--model short|full|selfie|mfn] [--isa ref|avx2|avx512]
 *                      [--summary] [--cold] [--chain] [--max-cin N] [--smallc-ab]
 *                      [--ab VAR=VALUE]
 * --max-cin N: only the (non-depthwise) convs with at most N input channels.
 * --smallc-ab: per conv layer, odai with its direct small-in_c kernel (the
 * default for in_c <= 4), odai with it off (ODAI_CONV_SMALLC=0: the GEMM
 * path) and XNNPACK, samples interleaved A B C A B C ...
 * --ab VAR=VALUE: the same for any of the kernels' environment switches
 * (ODAI_DW_TAPS=0, ODAI_DW_QUAD2=0, ODAI_CONV_PAIR=0, ...): odai's default
 * plan, odai planned with VAR=VALUE, XNNPACK, on the layers whose plan it
 * changes.
 * odai and XNNPACK samples are interleaved (A B A B ...) so drift and other
 * load on the shared machine hit both; medians are reported. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "inference/kernels/kernels.h"
#include "layers.h"

#if defined(ODAI_BENCH_XNNPACK)
#include <xnnpack.h>
#endif

static void *xalloc(size_t n) {
  void *p = NULL;
  if (posix_memalign(&p, 64, n ? (n + 63) / 64 * 64 : 64)) {
    fprintf(stderr, "out of memory\n");
    exit(1);
  }
  memset(p, 0, n);
  return p;
}
static void fill(float *p, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; i++) {
    seed = seed * 1103515245u + 12345u;
    p[i] = (float)((seed >> 9) & 0xffff) / 32768.0f - 1.0f;
  }
}

/* One layer prepared for odai and (optionally) XNNPACK. */
typedef struct layer_run {
  const bench_layer *L;
  int oh, ow, pt, pl, pb, pr;
  double flops;
  float *in, *w, *bias, *out_odai, *out_xnn;
  int dw;
  odai_conv2d_op cop;
  odai_dwconv_op dop;
  void *packed, *scratch;
#if defined(ODAI_BENCH_XNNPACK)
  xnn_operator_t xop;
#endif
} layer_run;

/* --chain: all layers share one input and one output buffer (ping-pong
 * sized for the largest layer) and run back to back, once per sample, so
 * weights and activations are as cold as inside a whole model. */
static int g_chain = 0;
static float *g_chain_in, *g_chain_out, *g_chain_xout;

static void layer_setup(layer_run *r, const bench_layer *L) {
  memset(r, 0, sizeof *r);
  r->L = L;
  r->dw = L->dw;
  odai_conv_out_size(L->h, L->kh, L->sh, 1, L->same, &r->pt);
  odai_conv_out_size(L->w, L->kw, L->sw, 1, L->same, &r->pl);
  r->oh = odai_conv_out_size(L->h, L->kh, L->sh, 1, L->same, NULL);
  r->ow = odai_conv_out_size(L->w, L->kw, L->sw, 1, L->same, NULL);
  r->pb = (r->oh - 1) * L->sh + L->kh - L->h - r->pt;
  r->pr = (r->ow - 1) * L->sw + L->kw - L->w - r->pl;
  if (r->pb < 0) r->pb = 0;
  if (r->pr < 0) r->pr = 0;
  size_t in_n = (size_t)L->n * L->h * L->w * L->c;
  size_t out_n = (size_t)L->n * r->oh * r->ow * L->oc;
  size_t w_n = L->dw ? (size_t)L->kh * L->kw * L->oc : (size_t)L->oc * L->kh * L->kw * L->c;
  r->flops = 2.0 * (double)out_n * L->kh * L->kw * (L->dw ? 1 : L->c);
  r->in = g_chain ? g_chain_in : xalloc(in_n * 4);
  r->w = xalloc(w_n * 4);
  r->bias = xalloc((size_t)L->oc * 4);
  r->out_odai = g_chain ? g_chain_out : xalloc(out_n * 4);
  r->out_xnn = g_chain ? g_chain_xout : xalloc(out_n * 4);
  fill(r->in, in_n, 1);
  fill(r->w, w_n, 2);
  fill(r->bias, (size_t)L->oc, 3);
  odai_error err;
  if (L->dw) {
    odai_dwconv_params p = {L->n, L->h, L->w, L->c, 1, r->oh, r->ow, L->kh, L->kw, L->sh, L->sw,
                            1, 1, r->pt, r->pl, 0, 0, -INFINITY, INFINITY, 0, 0};
    if (odai_dwconv_plan(&p, &r->dop, &err)) {
      fprintf(stderr, "plan: %s\n", err.message);
      exit(1);
    }
    r->packed = xalloc(odai_dwconv_packed_size(&r->dop));
    odai_dwconv_pack(&r->dop, r->w, r->bias, NULL, r->packed);
  } else {
    odai_conv2d_params p = {L->n, L->h, L->w, L->c, r->oh, r->ow, L->oc, L->kh, L->kw, L->sh,
                            L->sw, 1, 1, r->pt, r->pl, 0, 0, -INFINITY, INFINITY, 0, 0, 0, 0, 0, 0};
    if (odai_conv2d_plan(&p, &r->cop, &err)) {
      fprintf(stderr, "plan: %s\n", err.message);
      exit(1);
    }
    r->packed = xalloc(odai_conv2d_packed_size(&r->cop));
    r->scratch = xalloc(odai_conv2d_scratch_size(&r->cop));
    odai_conv2d_pack(&r->cop, r->w, r->bias, NULL, r->packed);
  }
#if defined(ODAI_BENCH_XNNPACK)
  enum xnn_status st;
  if (L->dw)
    st = xnn_create_convolution2d_nhwc_f32(
        (uint32_t)r->pt, (uint32_t)r->pr, (uint32_t)r->pb, (uint32_t)r->pl, (uint32_t)L->kh,
        (uint32_t)L->kw, (uint32_t)L->sh, (uint32_t)L->sw, 1, 1, (uint32_t)L->c, 1, 1,
        (size_t)L->c, (size_t)L->c, r->w, r->bias, -INFINITY, INFINITY,
        XNN_FLAG_DEPTHWISE_CONVOLUTION, &r->xop);
  else
    st = xnn_create_convolution2d_nhwc_f32(
        (uint32_t)r->pt, (uint32_t)r->pr, (uint32_t)r->pb, (uint32_t)r->pl, (uint32_t)L->kh,
        (uint32_t)L->kw, (uint32_t)L->sh, (uint32_t)L->sw, 1, 1, 1, (size_t)L->c, (size_t)L->oc,
        (size_t)L->c, (size_t)L->oc, r->w, r->bias, -INFINITY, INFINITY, 0, &r->xop);
  if (st == xnn_status_success)
    st = xnn_setup_convolution2d_nhwc_f32(r->xop, (size_t)L->n, (size_t)L->h, (size_t)L->w, r->in,
                                          r->out_xnn, NULL);
  if (st != xnn_status_success) {
    fprintf(stderr, "xnnpack setup failed (%d)\n", (int)st);
    r->xop = NULL;
  }
#endif
}

static void layer_free(layer_run *r) {
  if (!g_chain) {
    free(r->in);
    free(r->out_odai);
    free(r->out_xnn);
  }
  free(r->w); free(r->bias);
  free(r->packed); free(r->scratch);
#if defined(ODAI_BENCH_XNNPACK)
  if (r->xop) xnn_delete_operator(r->xop);
#endif
}

static void run_odai(layer_run *r) {
  if (r->dw) odai_dwconv_run(&r->dop, r->in, r->packed, r->out_odai, NULL, 0, r->dop.num_tiles);
  else odai_conv2d_run(&r->cop, r->in, r->packed, r->out_odai, r->scratch, 0, r->cop.num_tiles);
}

static int run_xnn(layer_run *r) {
#if defined(ODAI_BENCH_XNNPACK)
  if (!r->xop) return 0;
  xnn_run_operator(r->xop, NULL);
  return 1;
#else
  (void)r;
  return 0;
#endif
}

/* Seconds per call: median over `runs` samples; each sample repeats the
 * call enough times to last >= 50 us. A and B interleave. */
/* --cold: evict caches (write 32 MB) before every sample, one call per
 * sample, as in a whole model where a layer's weights and input are not hot. */
static int g_cold = 0;
static char *g_flush;
static void flush_caches(void) {
  if (!g_flush) g_flush = xalloc(32u << 20);
  for (size_t i = 0; i < (32u << 20); i += 64) g_flush[i]++;
}

static void time_pair(layer_run *r, int runs, double *t_odai, double *t_xnn) {
  run_odai(r);
  int have_x = run_xnn(r);
  double t0 = now_s();
  run_odai(r);
  double one = now_s() - t0;
  int reps = one > 0 ? (int)(50e-6 / one) + 1 : 1;
  if (reps > 1000) reps = 1000;
  if (g_cold) reps = 1;
  double *a = xalloc(sizeof(double) * (size_t)runs), *b = xalloc(sizeof(double) * (size_t)runs);
  for (int i = 0; i < runs; i++) {
    if (g_cold) flush_caches();
    t0 = now_s();
    for (int k = 0; k < reps; k++) run_odai(r);
    a[i] = (now_s() - t0) / reps;
    if (have_x) {
      if (g_cold) flush_caches();
      t0 = now_s();
      for (int k = 0; k < reps; k++) run_xnn(r);
      b[i] = (now_s() - t0) / reps;
    }
  }
  *t_odai = median(a, runs);
  *t_xnn = have_x ? median(b, runs) : 0;
  free(a);
  free(b);
}

static double max_rel_diff(const layer_run *r) {
  size_t n = (size_t)r->L->n * r->oh * r->ow * r->L->oc;
  double m = 0;
  for (size_t i = 0; i < n; i++) {
    double d = fabs((double)r->out_odai[i] - r->out_xnn[i]) / (1.0 + fabs((double)r->out_xnn[i]));
    if (d > m) m = d;
  }
  return m;
}

/* --smallc-ab: odai default plan (r), odai with ODAI_CONV_SMALLC=0 (r0),
 * XNNPACK (r's operator), interleaved; medians. */
static void time_triple(layer_run *r, layer_run *r0, int runs, double *t1, double *t0g,
                        double *tx) {
  run_odai(r);
  run_odai(r0);
  int have_x = run_xnn(r);
  double t0 = now_s();
  run_odai(r);
  double one = now_s() - t0;
  int reps = one > 0 ? (int)(50e-6 / one) + 1 : 1;
  if (reps > 1000) reps = 1000;
  double *a = xalloc(sizeof(double) * (size_t)runs), *b = xalloc(sizeof(double) * (size_t)runs),
         *c = xalloc(sizeof(double) * (size_t)runs);
  for (int i = 0; i < runs; i++) {
    t0 = now_s();
    for (int k = 0; k < reps; k++) run_odai(r);
    a[i] = (now_s() - t0) / reps;
    t0 = now_s();
    for (int k = 0; k < reps; k++) run_odai(r0);
    b[i] = (now_s() - t0) / reps;
    if (have_x) {
      t0 = now_s();
      for (int k = 0; k < reps; k++) run_xnn(r);
      c[i] = (now_s() - t0) / reps;
    }
  }
  *t1 = median(a, runs);
  *t0g = median(b, runs);
  *tx = have_x ? median(c, runs) : 0;
  free(a);
  free(b);
  free(c);
}

static void run_smallc_ab(const char *only, int max_cin, int runs) {
  const int nl = (int)(sizeof bench_layers / sizeof bench_layers[0]);
  printf("%-6s %-17s %-6s %2s %4s | %9s %9s %9s | %8s %8s %8s\n", "model", "input", "kernel",
         "s", "oc", "odai ms", "gemm ms", "xnn ms", "x/odai", "x/gemm", "maxdiff");
  for (int li = 0; li < nl; li++) {
    const bench_layer *L = &bench_layers[li];
    if ((only && strcmp(L->model, only)) || L->dw || L->c > max_cin) continue;
    layer_run r, r0;
    setenv("ODAI_CONV_SMALLC", "0", 1);
    layer_setup(&r0, L);
    unsetenv("ODAI_CONV_SMALLC");
    layer_setup(&r, L);
    double t1, tg, tx;
    time_triple(&r, &r0, runs, &t1, &tg, &tx);
    double md = tx > 0 ? max_rel_diff(&r) : 0;
    printf("%-6s %dx%dx%dx%-9d cv%dx%d %2d %4d | %9.4f %9.4f %9.4f | %8.2f %8.2f %8.1e\n",
           L->model, L->n, L->h, L->w, L->c, L->kh, L->kw, L->sh, L->oc, t1 * 1e3, tg * 1e3,
           tx * 1e3, tx > 0 ? tx / t1 : 0, tx > 0 ? tx / tg : 0, md);
    layer_free(&r);
    layer_free(&r0);
  }
}

/* --ab VAR=VALUE: per layer, odai's default plan (A) and its plan with VAR
 * set to VALUE in the environment (B: the kernels' A/B switches, e.g.
 * ODAI_DW_TAPS=0, ODAI_CONV_PAIR=0), interleaved with XNNPACK; only the
 * layers whose two plans differ. */
static void run_env_ab(const char *only, const char *var, const char *val, int runs) {
  const int nl = (int)(sizeof bench_layers / sizeof bench_layers[0]);
  printf("B = %s=%s; layers whose plan it changes\n", var, val);
  printf("%-6s %-3s %-17s %-6s %2s %4s | %9s %9s %9s | %8s %8s\n", "model", "#", "input",
         "kernel", "s", "oc", "A ms", "B ms", "xnn ms", "x/A", "x/B");
  int shown = 0;
  for (int li = 0, idx = 0; li < nl; li++, idx++) {
    const bench_layer *L = &bench_layers[li];
    if (li > 0 && strcmp(L->model, bench_layers[li - 1].model)) idx = 0; /* # within the model */
    if (only && strcmp(L->model, only)) continue;
    layer_run a, b;
    const char *old = getenv(var);
    char *saved = old ? strdup(old) : NULL;
    setenv(var, val, 1);
    layer_setup(&b, L);
    if (saved) setenv(var, saved, 1);
    else unsetenv(var);
    free(saved);
    layer_setup(&a, L);
    int differ = L->dw ? a.dop.kind != b.dop.kind
                       : a.cop.kind != b.cop.kind || a.cop.pair != b.cop.pair;
    if (differ) {
      double ta, tb, tx;
      time_triple(&a, &b, runs, &ta, &tb, &tx);
      printf("%-6s %-3d %dx%dx%dx%-9d %s%dx%d %2d %4d | %9.4f %9.4f %9.4f | %8.2f %8.2f\n",
             L->model, idx, L->n, L->h, L->w, L->c, L->dw ? "dw" : "cv", L->kh, L->kw, L->sh,
             L->oc, ta * 1e3, tb * 1e3, tx * 1e3, tx > 0 ? tx / ta : 0, tx > 0 ? tx / tb : 0);
      shown++;
    }
    layer_free(&a);
    layer_free(&b);
  }
  if (!shown) printf("(no layer's plan depends on %s)\n", var);
}

static void run_chain(const char *model, int runs) {
  const int nl = (int)(sizeof bench_layers / sizeof bench_layers[0]);
  size_t maxn = 0;
  int n = 0;
  for (int i = 0; i < nl; i++) {
    const bench_layer *L = &bench_layers[i];
    if (strcmp(L->model, model)) continue;
    size_t a = (size_t)L->n * L->h * L->w * (L->c > L->oc ? L->c : L->oc);
    if (a > maxn) maxn = a;
    n++;
  }
  g_chain_in = xalloc(maxn * 4);
  g_chain_out = xalloc(maxn * 4);
  g_chain_xout = xalloc(maxn * 4);
  layer_run *rs = xalloc(sizeof(layer_run) * (size_t)n);
  double flops = 0;
  for (int i = 0, k = 0; i < nl; i++)
    if (!strcmp(bench_layers[i].model, model)) {
      layer_setup(&rs[k], &bench_layers[i]);
      flops += rs[k++].flops;
    }
  double *a = xalloc(sizeof(double) * (size_t)runs), *b = xalloc(sizeof(double) * (size_t)runs);
  int have_x = 1;
  for (int i = 0; i < runs; i++) {
    double t0 = now_s();
    for (int k = 0; k < n; k++) run_odai(&rs[k]);
    a[i] = now_s() - t0;
    t0 = now_s();
    for (int k = 0; k < n; k++) have_x &= run_xnn(&rs[k]);
    b[i] = now_s() - t0;
  }
  double ta = median(a, runs), tb = median(b, runs);
  printf("%-6s chain %3d layers back to back: odai %.3f ms (%.1f GFLOP/s) | xnnpack %.3f ms | "
         "xnn/odai %.2f\n",
         model, n, ta * 1e3, flops / ta / 1e9, have_x ? tb * 1e3 : 0, have_x ? tb / ta : 0);
  for (int k = 0; k < n; k++) layer_free(&rs[k]);
  free(rs); free(a); free(b);
  free(g_chain_in); free(g_chain_out); free(g_chain_xout);
}

int main(int argc, char **argv) {
  int runs = 21, summary = 0, max_cin = 0, smallc_ab = 0;
  const char *only = NULL;
  char ab_var[64] = "", *ab_val = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--runs") && i + 1 < argc) runs = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--model") && i + 1 < argc) only = argv[++i];
    else if (!strcmp(argv[i], "--summary")) summary = 1;
    else if (!strcmp(argv[i], "--cold")) g_cold = 1;
    else if (!strcmp(argv[i], "--chain")) g_chain = 1;
    else if (!strcmp(argv[i], "--max-cin") && i + 1 < argc) max_cin = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--smallc-ab")) smallc_ab = 1;
    else if (!strcmp(argv[i], "--ab") && i + 1 < argc && strchr(argv[i + 1], '=') &&
             strlen(argv[i + 1]) < sizeof ab_var) {
      strcpy(ab_var, argv[++i]);
      ab_val = strchr(ab_var, '=');
      *ab_val++ = '\0';
    }
    else if (!strcmp(argv[i], "--isa") && i + 1 < argc) {
      const char *s = argv[++i];
      odai_kernels_set_isa(!strcmp(s, "ref") ? ODAI_ISA_REF
                           : !strcmp(s, "avx2") ? ODAI_ISA_AVX2
                           : !strcmp(s, "neon") ? ODAI_ISA_NEON : ODAI_ISA_AVX512);
    } else {
      fprintf(stderr, "usage: %s [--runs N] [--model short|full|selfie|mfn] [--isa ref|avx2|avx512] [--summary] [--cold] [--chain] [--max-cin N] [--smallc-ab] [--ab VAR=VALUE]\n", argv[0]);
      return 2;
    }
  }
  if (runs < 1) runs = 1;
  odai_isa isa = odai_kernels_isa();
  double peak = measure_peak(isa == ODAI_ISA_REF ? odai_isa_best() : isa);
#if defined(ODAI_BENCH_XNNPACK)
  if (xnn_initialize(NULL) != xnn_status_success) {
    fprintf(stderr, "xnn_initialize failed\n");
    return 1;
  }
  const char *peer = "XNNPACK (libxnnpack-dev, 1 thread)";
#else
  const char *peer = "none (built without XNNPACK)";
#endif
  printf("odai kernels: isa %s; peer: %s; FMA peak of one core (%s) measured now: %.1f GFLOP/s\n",
         odai_isa_name(isa), peer, odai_isa_name(isa == ODAI_ISA_REF ? odai_isa_best() : isa),
         peak);
  printf("1 thread, median of %d interleaved samples%s; shared machine: compare ratios, not "
         "absolutes\n\n",
         runs, g_cold ? ", caches evicted before each sample" : "");
  const int nl = (int)(sizeof bench_layers / sizeof bench_layers[0]);
  const char *models[] = {"short", "full", "selfie", "mfn"};
  if (smallc_ab) {
    run_smallc_ab(only, max_cin > 0 ? max_cin : 4, runs);
    return 0;
  }
  if (ab_val) {
    run_env_ab(only, ab_var, ab_val, runs);
    return 0;
  }
  if (g_chain) {
    for (int mi = 0; mi < 4; mi++)
      if (!only || !strcmp(only, models[mi])) run_chain(models[mi], runs);
    return 0;
  }
  for (int mi = 0; mi < 4; mi++) {
    if (only && strcmp(only, models[mi])) continue;
    double sum_o = 0, sum_x = 0, sum_f = 0, sum_o_dw = 0, sum_x_dw = 0, sum_o_c = 0, sum_x_c = 0;
    int worse = 0, count = 0;
    if (!summary)
      printf("%-6s %-3s %-17s %-9s %4s %4s | %9s %7s %5s | %9s %7s | %6s %8s\n", "model", "#",
             "input", "kernel", "s", "oc", "odai ms", "GFLOP/s", "%pk", "xnn ms", "GFLOP/s",
             "x/odai", "maxdiff");
    for (int li = 0, idx = 0; li < nl; li++) {
      const bench_layer *L = &bench_layers[li];
      if (strcmp(L->model, models[mi])) continue;
      if (max_cin > 0 && (L->dw || L->c > max_cin)) continue;
      layer_run r;
      layer_setup(&r, L);
      double to, tx;
      time_pair(&r, runs, &to, &tx);
      double md = tx > 0 ? max_rel_diff(&r) : 0;
      sum_o += to;
      sum_x += tx;
      sum_f += r.flops;
      if (L->dw) { sum_o_dw += to; sum_x_dw += tx; }
      else { sum_o_c += to; sum_x_c += tx; }
      count++;
      if (tx > 0 && to > tx * 1.05) worse++;
      if (!summary) {
        char shape[32], ker[16];
        snprintf(shape, sizeof shape, "%dx%dx%dx%d", L->n, L->h, L->w, L->c);
        snprintf(ker, sizeof ker, "%s%dx%d", L->dw ? "dw" : "cv", L->kh, L->kw);
        printf("%-6s %-3d %-17s %-9s %4d %4d | %9.4f %7.1f %5.1f | %9.4f %7.1f | %6.2f %8.1e\n",
               L->model, idx, shape, ker, L->sh, L->oc, to * 1e3, r.flops / to / 1e9,
               peak > 0 ? 100.0 * r.flops / to / 1e9 / peak : 0, tx * 1e3,
               tx > 0 ? r.flops / tx / 1e9 : 0, tx > 0 ? tx / to : 0, md);
      }
      idx++;
      layer_free(&r);
    }
    printf("%-6s total %3d layers: odai %.3f ms (%.1f GFLOP/s, %.0f%% of peak) | xnnpack %.3f ms | "
           "xnn/odai %.2f; conv %.3f vs %.3f, depthwise %.3f vs %.3f ms; layers >5%% slower than "
           "xnnpack: %d\n",
           models[mi], count, sum_o * 1e3, sum_f / sum_o / 1e9,
           peak > 0 ? 100.0 * sum_f / sum_o / 1e9 / peak : 0, sum_x * 1e3,
           sum_x > 0 ? sum_x / sum_o : 0, sum_o_c * 1e3, sum_x_c * 1e3, sum_o_dw * 1e3,
           sum_x_dw * 1e3, worse);
    if (!summary) printf("\n");
  }
  return 0;
}
