/* inference/kernels/kernels.h: the compute kernels of odai's inference core
 * (internal API, used by the op layer in inference/ and by tests/bench).
 *
 * Shape of the API (after XNNPACK's operator layer):
 *   plan   - odai_<op>_plan(&params, &op): validates the shape, picks the
 *            microkernel for the shape and the active ISA (see dispatch below)
 *            and fills a small value-type `op` the caller owns (no heap).
 *   pack   - odai_<op>_packed_size(&op) bytes, allocated by the caller with at
 *            least ODAI_KERNEL_ALIGN alignment; odai_<op>_pack() fills it once at
 *            load time (weights + bias [+ PReLU alpha]) in the kernel's layout.
 *   scratch- odai_<op>_scratch_size(&op) bytes per thread (may be 0), aligned
 *            to ODAI_KERNEL_ALIGN, caller-owned, reused across runs.
 *   run    - odai_<op>_run(&op, in, packed, out, scratch, tile_begin, tile_end)
 *            computes the tiles [tile_begin, tile_end) of odai_<op>_num_tiles(&op).
 *            Tiles write disjoint parts of `out`, so a thread pool may hand
 *            different tile ranges to different threads concurrently (each
 *            with its own scratch). The run path never allocates.
 *
 * Layouts: activations NHWC float32; conv weights OHWI; depthwise weights
 * 1HW(C*multiplier) (TFLite); fully-connected weights [out][in]; transpose
 * conv weights OHWI ([Cout][kh][kw][Cin], MediaPipe's custom op).
 * Pixel strides: conv/dwconv/pool accept a distance in floats between two
 * pixels of the input and of the output (0 = the channel count), so an op can
 * read a channel slice of a wider tensor or write into a channel-padded one
 * (BlazeFace's channel PAD becomes a strided write + zero fill).
 *
 * Fused activation: every producing kernel clamps to [out_min, out_max]
 * (use -INFINITY/+INFINITY for none, 0/INFINITY for RELU, 0/6 for RELU6);
 * conv/dwconv optionally apply a per-channel PReLU (alpha packed with the
 * weights) before the clamp and a HARD_SWISH after it, and conv can add a
 * residual tensor last (odai_conv2d_run_residual).
 *
 * Dispatch: odai_kernels_isa() is the active ISA level, detected once from the
 * CPU (x86: AVX2+FMA+F16C -> avx2, plus AVX-512F/BW/VL -> avx512; arm64: neon)
 * and overridable by the environment variable ODAI_ISA=ref|avx2|avx512|neon
 * (clamped to what the CPU supports) or by odai_kernels_set_isa() (tests,
 * bench). A plan records the kernel chosen at plan time: changing the ISA
 * later does not affect existing plans, and a packed buffer is only valid for
 * the op (hence the ISA) it was packed for.
 *
 * Thread-safety: plan/pack/size functions are pure; run is reentrant on
 * disjoint tiles/outputs. odai_kernels_set_isa() is not synchronised with
 * concurrent plan calls (call it at start-up or in tests).
 */
#ifndef ODAI_INFERENCE_KERNELS_H
#define ODAI_INFERENCE_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "odai/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Alignment (bytes) required of packed-weight and scratch buffers. */
#define ODAI_KERNEL_ALIGN 64

/* ---- CPU features and dispatch ------------------------------------------ */

typedef enum odai_isa {
  ODAI_ISA_REF = 0,    /* portable C reference kernels */
  ODAI_ISA_AVX2 = 1,   /* x86-64 AVX2 + FMA (+F16C) */
  ODAI_ISA_AVX512 = 2, /* x86-64 AVX-512 F/BW/VL (+ AVX2/FMA/F16C) */
  ODAI_ISA_NEON = 3    /* AArch64 Advanced SIMD */
} odai_isa;

typedef struct odai_cpu_features {
  int avx2, fma, f16c, avx512f, avx512bw, avx512vl, neon;
} odai_cpu_features;

/* Detected once (thread-safe, cached). Transfer none. */
const odai_cpu_features *odai_cpu_features_get(void);
/* Best ISA this CPU supports. */
odai_isa odai_isa_best(void);
/* Whether the CPU (and this build) can run kernels of level isa. */
int odai_isa_supported(odai_isa isa);
/* The active level: best, or ODAI_ISA from the environment, or the last
 * odai_kernels_set_isa(). */
odai_isa odai_kernels_isa(void);
/* Force a level; unsupported levels fall back to the best supported level
 * below them. Returns the level now active. */
odai_isa odai_kernels_set_isa(odai_isa isa);
/* "ref", "avx2", "avx512", "neon". */
const char *odai_isa_name(odai_isa isa);

/* ---- helpers -------------------------------------------------------------- */

/* TFLite output size and leading pad for one spatial axis.
 * same != 0: SAME padding, else VALID. Returns the output size (>= 0; 0 when
 * the window does not fit), *pad_before receives the leading padding. */
int odai_conv_out_size(int in, int k, int stride, int dilation, int same, int *pad_before);

/* ---- 2-D convolution (CONV_2D) ------------------------------------------- */

typedef struct odai_conv2d_params {
  int batch, in_h, in_w, in_c;
  int out_h, out_w, out_c;
  int k_h, k_w;
  int stride_h, stride_w;  /* >= 1 */
  int dil_h, dil_w;        /* >= 1 (0 is read as 1) */
  int pad_top, pad_left;   /* leading padding; trailing is implied by out_h/out_w */
  int in_pixel_stride;     /* floats between input pixels, 0 = in_c */
  int out_pixel_stride;    /* floats between output pixels, 0 = out_c */
  float out_min, out_max;  /* fused clamp */
  int prelu;               /* 1: per-channel PReLU alpha (given to pack) before clamp */
  int hardswish;           /* 1: then x * relu6(x + 3) / 6 (a following HARD_SWISH) */
  /* Fused residual ADD (a conv followed by ADD(conv, r)): with residual = 1,
   * odai_conv2d_run_residual() computes
   *   out = clamp(hswish?(clamp(prelu(conv))) + r, res_min, res_max)
   * i.e. the conv's own activation, then the ADD and the ADD's activation.
   * r has the output's shape with res_pixel_stride floats between pixels
   * (0 = out_c); it may be the output buffer itself when the strides match
   * (in-place), but never the input. */
  int residual;
  int res_pixel_stride;
  float res_min, res_max;
} odai_conv2d_params;

typedef struct odai_conv2d_op odai_conv2d_op;
typedef void (*odai_conv2d_fn)(const odai_conv2d_op *op, const float *in, const void *packed,
                               const float *residual, float *out, void *scratch, int tile_begin,
                               int tile_end);

struct odai_conv2d_op {
  odai_conv2d_params p; /* normalised copy (strides, dilations, pixel strides filled) */
  odai_isa isa;         /* level of the chosen kernel */
  int kind;             /* internal: which microkernel family (1x1 direct, im2col, ...) */
  int nr;               /* output channels per packed panel */
  int mr;               /* output pixels per microkernel call */
  int tile_m;           /* output pixels per tile */
  int n_split;          /* tiles also split the output channels in this many groups */
  int k_total;          /* k_h * k_w * in_c */
  int pair;             /* internal: the narrow last panel (<= nr/4 channels) is packed in k pairs */
  int num_tiles;
  size_t packed_size, scratch_size;
  odai_conv2d_fn run;
};

/* ODAI_OK, or ODAI_E_INVALID (bad/overflowing shape; message in err). */
odai_status odai_conv2d_plan(const odai_conv2d_params *p, odai_conv2d_op *op, odai_error *err);
size_t odai_conv2d_packed_size(const odai_conv2d_op *op);
/* w: OHWI [out_c][k_h][k_w][in_c]; bias: [out_c] or NULL (zeros);
 * alpha: [out_c] when p.prelu, else ignored. packed: packed_size bytes. */
void odai_conv2d_pack(const odai_conv2d_op *op, const float *w, const float *bias,
                      const float *alpha, void *packed);
size_t odai_conv2d_scratch_size(const odai_conv2d_op *op);
int odai_conv2d_num_tiles(const odai_conv2d_op *op);
void odai_conv2d_run(const odai_conv2d_op *op, const float *in, const void *packed, float *out,
                     void *scratch, int tile_begin, int tile_end);
/* As odai_conv2d_run, adding `residual` (see odai_conv2d_params.residual;
 * NULL or a plan without residual: same as odai_conv2d_run). */
void odai_conv2d_run_residual(const odai_conv2d_op *op, const float *in, const void *packed,
                              const float *residual, float *out, void *scratch, int tile_begin,
                              int tile_end);

/* ---- fully connected (FULLY_CONNECTED) ------------------------------------
 * A 1x1 convolution over `batch` rows: params map to conv2d with
 * in_h = 1, in_w = batch. w: [out][in]. */
typedef struct odai_fc_params {
  int batch, in_features, out_features;
  float out_min, out_max;
} odai_fc_params;
odai_status odai_fc_plan(const odai_fc_params *p, odai_conv2d_op *op, odai_error *err);
/* then odai_conv2d_packed_size/pack/scratch_size/num_tiles/run on `op`. */

/* ---- depthwise convolution (DEPTHWISE_CONV_2D) ---------------------------- */

typedef struct odai_dwconv_params {
  int batch, in_h, in_w, in_c;
  int multiplier;          /* >= 1; out_c = in_c * multiplier */
  int out_h, out_w;
  int k_h, k_w;
  int stride_h, stride_w;
  int dil_h, dil_w;
  int pad_top, pad_left;
  int in_pixel_stride, out_pixel_stride; /* 0 = in_c / out_c */
  float out_min, out_max;
  int prelu;
  int hardswish; /* 1: x * relu6(x + 3) / 6 after the clamp */
} odai_dwconv_params;

typedef struct odai_dwconv_op odai_dwconv_op;
typedef void (*odai_dwconv_fn)(const odai_dwconv_op *op, const float *in, const void *packed,
                               float *out, void *scratch, int tile_begin, int tile_end);
struct odai_dwconv_op {
  odai_dwconv_params p;
  odai_isa isa;
  int kind;
  int out_c;
  int cblock;    /* channels per packed block (vector lanes) */
  int num_tiles; /* batch * out_h (one output row per tile) */
  size_t packed_size, scratch_size;
  odai_dwconv_fn run;
};

odai_status odai_dwconv_plan(const odai_dwconv_params *p, odai_dwconv_op *op, odai_error *err);
size_t odai_dwconv_packed_size(const odai_dwconv_op *op);
/* w: [k_h][k_w][out_c] (TFLite 1HWC); bias/alpha: [out_c] (bias may be NULL). */
void odai_dwconv_pack(const odai_dwconv_op *op, const float *w, const float *bias,
                      const float *alpha, void *packed);
size_t odai_dwconv_scratch_size(const odai_dwconv_op *op);
int odai_dwconv_num_tiles(const odai_dwconv_op *op);
void odai_dwconv_run(const odai_dwconv_op *op, const float *in, const void *packed, float *out,
                     void *scratch, int tile_begin, int tile_end);

/* ---- transpose convolution (MediaPipe Convolution2DTransposeBias) ---------
 * out[b][y][x][o] = bias[o] + sum over (iy,ix,ky,kx) with
 * y = iy*stride_h + ky - pad_top, x = ix*stride_w + kx - pad_left of
 * in[b][iy][ix][c] * w[o][ky][kx][c]. One tile per batch*out_h row.
 * Packed layout: bias[out_c] then the OHWI weights, or (gemm) one conv2d
 * packing per kernel row. */
typedef struct odai_tconv_params {
  int batch, in_h, in_w, in_c;
  int out_h, out_w, out_c;
  int k_h, k_w, stride_h, stride_w;
  int pad_top, pad_left;
  float out_min, out_max;
} odai_tconv_params;
typedef struct odai_tconv_op odai_tconv_op;
typedef void (*odai_tconv_fn)(const odai_tconv_op *op, const float *in, const void *packed,
                              float *out, int tile_begin, int tile_end);
struct odai_tconv_op {
  odai_tconv_params p;
  int num_tiles;
  size_t packed_size;
  odai_isa isa;
  odai_tconv_fn run; /* GEMM / SIMD when kernel == stride (no overlap), else reference */
  int gemm;          /* 1: each output row is a 1x1 conv of one input row (row_op) */
  odai_conv2d_op row_op;
};
odai_status odai_tconv_plan(const odai_tconv_params *p, odai_tconv_op *op, odai_error *err);
size_t odai_tconv_packed_size(const odai_tconv_op *op);
void odai_tconv_pack(const odai_tconv_op *op, const float *w, const float *bias, void *packed);
int odai_tconv_num_tiles(const odai_tconv_op *op);
void odai_tconv_run(const odai_tconv_op *op, const float *in, const void *packed, float *out,
                    int tile_begin, int tile_end);

/* ---- binary elementwise with NumPy/TFLite broadcasting (ADD, MUL, SUB, ...) */

typedef enum odai_binary_kind {
  ODAI_BINARY_ADD,
  ODAI_BINARY_SUB,
  ODAI_BINARY_MUL,
  ODAI_BINARY_DIV,
  ODAI_BINARY_MAX,
  ODAI_BINARY_MIN,
  ODAI_BINARY_SQDIFF
} odai_binary_kind;

#define ODAI_KERNEL_MAX_DIMS 6
typedef struct odai_binary_params {
  odai_binary_kind kind;
  int a_rank, b_rank; /* 0..ODAI_KERNEL_MAX_DIMS; shapes right-aligned as in NumPy */
  int a_shape[ODAI_KERNEL_MAX_DIMS];
  int b_shape[ODAI_KERNEL_MAX_DIMS];
  float out_min, out_max;
} odai_binary_params;

typedef struct odai_binary_op odai_binary_op;
typedef void (*odai_binary_vfn)(const float *a, const float *b, float *out, size_t n,
                                int a_step, int b_step, float mn, float mx);
struct odai_binary_op {
  odai_binary_params p;
  odai_isa isa;
  int rank;                            /* after merging dims */
  int out_shape[ODAI_KERNEL_MAX_DIMS]; /* merged output shape, innermost last */
  size_t a_stride[ODAI_KERNEL_MAX_DIMS], b_stride[ODAI_KERNEL_MAX_DIMS]; /* 0 = broadcast */
  int out_rank;                        /* rank of the broadcast output */
  int out_dims[ODAI_KERNEL_MAX_DIMS];  /* unmerged output shape */
  size_t out_elems;
  int num_tiles;    /* innermost runs x chunks per run */
  int inner_chunks; /* long innermost runs are cut in chunks so threads can share them */
  size_t chunk;     /* elements per chunk */
  int rows_per_tile;/* short innermost runs (channel broadcast): this many runs per tile */
  odai_binary_vfn vfn;
};
/* ODAI_E_INVALID when the shapes don't broadcast. */
odai_status odai_binary_plan(const odai_binary_params *p, odai_binary_op *op, odai_error *err);
int odai_binary_num_tiles(const odai_binary_op *op);
/* out may alias a or b when that operand has the output's shape. */
void odai_binary_run(const odai_binary_op *op, const float *a, const float *b, float *out,
                     int tile_begin, int tile_end);

/* ---- unary elementwise ---------------------------------------------------- */

typedef enum odai_unary_kind {
  ODAI_UNARY_COPY,
  ODAI_UNARY_CLAMP,     /* min/max (RELU: 0,inf; RELU6: 0,6; RELU_N1_TO_1) */
  ODAI_UNARY_HARDSWISH, /* x * relu6(x + 3) / 6 */
  ODAI_UNARY_LOGISTIC,  /* 1 / (1 + exp(-x)) */
  ODAI_UNARY_TANH,
  ODAI_UNARY_ABS,
  ODAI_UNARY_NEG,
  ODAI_UNARY_EXP,
  ODAI_UNARY_LEAKY_RELU, /* x >= 0 ? x : alpha * x */
  ODAI_UNARY_PRELU       /* per-channel alpha[c], c = index % channels */
} odai_unary_kind;

typedef struct odai_unary_args {
  float min, max;       /* CLAMP */
  float alpha;          /* LEAKY_RELU */
  const float *alphas;  /* PRELU: [channels] */
  int channels;         /* PRELU */
} odai_unary_args;

/* n elements; for PRELU n must be a multiple of channels and in/out start on
 * a channel-0 element. out may equal in. Split work by calling with ranges
 * (PRELU ranges must start at a multiple of channels). Uses the active ISA. */
void odai_unary_run(odai_unary_kind kind, const odai_unary_args *args, const float *in,
                    float *out, size_t n);
void odai_unary_run_isa(odai_isa isa, odai_unary_kind kind, const odai_unary_args *args,
                        const float *in, float *out, size_t n);

/* ---- pooling (MAX_POOL_2D, AVERAGE_POOL_2D, MEAN over H,W) ----------------
 * Average divides by the number of in-bounds taps (TFLite semantics). */
typedef enum odai_pool_kind { ODAI_POOL_MAX, ODAI_POOL_AVG } odai_pool_kind;
typedef struct odai_pool_params {
  odai_pool_kind kind;
  int batch, in_h, in_w, c;
  int out_h, out_w;
  int k_h, k_w, stride_h, stride_w;
  int pad_top, pad_left;
  int in_pixel_stride, out_pixel_stride; /* 0 = c */
  float out_min, out_max;
} odai_pool_params;
typedef struct odai_pool_op odai_pool_op;
typedef void (*odai_pool_fn)(const odai_pool_op *op, const float *in, float *out,
                             int tile_begin, int tile_end);
struct odai_pool_op {
  odai_pool_params p;
  odai_isa isa;
  int num_tiles; /* batch * out_h */
  odai_pool_fn run;
};
odai_status odai_pool_plan(const odai_pool_params *p, odai_pool_op *op, odai_error *err);
int odai_pool_num_tiles(const odai_pool_op *op);
void odai_pool_run(const odai_pool_op *op, const float *in, float *out, int tile_begin,
                   int tile_end);

/* ---- RESIZE_BILINEAR (TFLite semantics) ---------------------------------- */
typedef struct odai_resize_params {
  int batch, in_h, in_w, c, out_h, out_w;
  int align_corners, half_pixel_centers;
} odai_resize_params;
typedef struct odai_resize_op odai_resize_op;
typedef void (*odai_resize_fn)(const odai_resize_op *op, const float *in, float *out,
                               int tile_begin, int tile_end);
struct odai_resize_op {
  odai_resize_params p;
  odai_isa isa;
  float scale_h, scale_w;
  int num_tiles; /* batch * out_h */
  odai_resize_fn run;
};
odai_status odai_resize_plan(const odai_resize_params *p, odai_resize_op *op, odai_error *err);
int odai_resize_num_tiles(const odai_resize_op *op);
void odai_resize_run(const odai_resize_op *op, const float *in, float *out, int tile_begin,
                     int tile_end);

/* ---- conversions ---------------------------------------------------------- */
/* IEEE half -> float (F16C when available, exact scalar path otherwise;
 * handles subnormals, inf, NaN). */
void odai_f16_to_f32(const uint16_t *in, float *out, size_t n);
float odai_f16_to_f32_scalar(uint16_t h);

#ifdef __cplusplus
}
#endif
#endif /* ODAI_INFERENCE_KERNELS_H */
