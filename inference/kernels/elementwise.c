/* inference/kernels/elementwise.c: binary elementwise ops with NumPy/TFLite
 * broadcasting (shape merging into at most ODAI_KERNEL_MAX_DIMS dims, one
 * tile per innermost run) and the unary ops' ISA dispatch. */
#include <math.h>
#include <string.h>

#include "kernels_internal.h"

odai_status odai_binary_plan(const odai_binary_params *p, odai_binary_op *op, odai_error *err) {
  memset(op, 0, sizeof *op);
  if (p->a_rank < 0 || p->a_rank > ODAI_KERNEL_MAX_DIMS || p->b_rank < 0 ||
      p->b_rank > ODAI_KERNEL_MAX_DIMS || (int)p->kind < 0 || p->kind > ODAI_BINARY_SQDIFF ||
      isnan(p->out_min) || isnan(p->out_max) || p->out_min > p->out_max)
    return odai_error_set(err, ODAI_E_INVALID, "binary: bad params");
  op->p = *p;
  int r = p->a_rank > p->b_rank ? p->a_rank : p->b_rank;
  int as[ODAI_KERNEL_MAX_DIMS], bs[ODAI_KERNEL_MAX_DIMS], os[ODAI_KERNEL_MAX_DIMS];
  for (int i = 0; i < r; i++) {
    int ai = i - (r - p->a_rank), bi = i - (r - p->b_rank);
    as[i] = ai >= 0 ? p->a_shape[ai] : 1;
    bs[i] = bi >= 0 ? p->b_shape[bi] : 1;
    if (as[i] < 0 || bs[i] < 0)
      return odai_error_set(err, ODAI_E_INVALID, "binary: negative dimension");
    if (as[i] == bs[i] || bs[i] == 1) os[i] = as[i];
    else if (as[i] == 1) os[i] = bs[i];
    else
      return odai_error_set(err, ODAI_E_INVALID,
                            "binary: shapes do not broadcast (dim %d: %d vs %d)", i, as[i],
                            bs[i]);
    op->out_dims[i] = os[i];
  }
  op->out_rank = r;
  size_t total = 1;
  for (int i = 0; i < r; i++) {
    if (os[i] != 0 && total > ((size_t)1 << 40) / (size_t)os[i])
      return odai_error_set(err, ODAI_E_INVALID, "binary: too many elements");
    total *= (size_t)os[i];
  }
  op->out_elems = total;
  /* Contiguous strides of a and b in the output's index space (0 = broadcast). */
  size_t ast[ODAI_KERNEL_MAX_DIMS], bst[ODAI_KERNEL_MAX_DIMS];
  size_t sa = 1, sb = 1;
  for (int i = r - 1; i >= 0; i--) {
    ast[i] = (as[i] == 1 && os[i] != 1) ? 0 : sa;
    bst[i] = (bs[i] == 1 && os[i] != 1) ? 0 : sb;
    sa *= (size_t)as[i];
    sb *= (size_t)bs[i];
  }
  /* Drop size-1 dims, then merge neighbours with compatible strides. */
  int m = 0;
  int ms[ODAI_KERNEL_MAX_DIMS];
  size_t ma[ODAI_KERNEL_MAX_DIMS], mb[ODAI_KERNEL_MAX_DIMS];
  for (int i = 0; i < r; i++) {
    if (os[i] == 1) continue;
    if (m > 0) {
      int prev = m - 1;
      int a_ok = (ma[prev] == 0 && ast[i] == 0) ||
                 (ma[prev] != 0 && ast[i] != 0 && ma[prev] == ast[i] * (size_t)os[i]);
      int b_ok = (mb[prev] == 0 && bst[i] == 0) ||
                 (mb[prev] != 0 && bst[i] != 0 && mb[prev] == bst[i] * (size_t)os[i]);
      if (a_ok && b_ok) {
        ms[prev] *= os[i];
        ma[prev] = ast[i];
        mb[prev] = bst[i];
        continue;
      }
    }
    ms[m] = os[i];
    ma[m] = ast[i];
    mb[m] = bst[i];
    m++;
  }
  if (m == 0) {
    ms[0] = 1;
    ma[0] = mb[0] = 1;
    m = 1;
  }
  op->rank = m;
  for (int i = 0; i < m; i++) {
    op->out_shape[i] = ms[i];
    op->a_stride[i] = ma[i];
    op->b_stride[i] = mb[i];
  }
  size_t tiles = 1;
  for (int i = 0; i < m - 1; i++) tiles *= (size_t)ms[i];
  /* same-shape ADD/MUL of a whole tensor is one run: cut it in 8K chunks */
  op->chunk = (size_t)ms[m - 1];
  op->inner_chunks = 1;
  if (op->chunk > 8192) {
    op->inner_chunks = (int)((op->chunk + 8191) / 8192);
    op->chunk = 8192;
  }
  tiles *= (size_t)op->inner_chunks;
  /* many short runs (x[H,W,C] * s[C], C = 16..128): a tile takes a group of
   * runs, so the per-tile index arithmetic is paid per ~4K elements */
  op->rows_per_tile = 1;
  if (op->inner_chunks == 1 && op->chunk < 1024 && tiles > 1) {
    size_t g = 4096 / (op->chunk ? op->chunk : 1);
    if (g > tiles) g = tiles;
    op->rows_per_tile = (int)g;
    tiles = (tiles + g - 1) / g;
  }
  if (total == 0) tiles = 0;
  if (tiles > 0x7fffffff) return odai_error_set(err, ODAI_E_INVALID, "binary: too many tiles");
  op->num_tiles = (int)tiles;
  odai_isa isa = odai_kernels_isa();
  const odai_isa_table *t = odai_isa_table_get(isa);
  op->isa = t && t->binary_get ? isa : ODAI_ISA_REF;
  if (t && t->binary_get) t->binary_get(p->kind, &op->vfn);
  else odai_binary_get_ref(p->kind, &op->vfn);
  if (!op->vfn) odai_binary_get_ref(p->kind, &op->vfn);
  return ODAI_OK;
}

int odai_binary_num_tiles(const odai_binary_op *op) { return op->num_tiles; }

void odai_binary_run(const odai_binary_op *op, const float *a, const float *b, float *out,
                     int tile_begin, int tile_end) {
  if (tile_begin < 0) tile_begin = 0;
  if (tile_end > op->num_tiles) tile_end = op->num_tiles;
  int m = op->rank;
  size_t inner = (size_t)op->out_shape[m - 1];
  int a_step = op->a_stride[m - 1] != 0, b_step = op->b_stride[m - 1] != 0;
  const int nch = op->inner_chunks > 0 ? op->inner_chunks : 1;
  if (op->rows_per_tile > 1 && m == 2 && inner <= 1024 &&
      ((op->a_stride[0] == inner && op->b_stride[0] == 0 && b_step) ||
       (op->b_stride[0] == inner && op->a_stride[0] == 0 && a_step))) {
    /* x[R][C] op v[C] (SE gating): v repeated over the tile's rows in a
     * stack buffer, then one vector call over the whole block */
    float rep[4096] __attribute__((aligned(64)));
    size_t nruns = op->out_elems / inner;
    int b_rows = op->b_stride[0] == 0;
    const float *v = b_rows ? b : a;
    size_t filled = 0;
    for (int t = tile_begin; t < tile_end; t++) {
      size_t r0 = (size_t)t * (size_t)op->rows_per_tile, r1 = r0 + (size_t)op->rows_per_tile;
      if (r1 > nruns) r1 = nruns;
      size_t n = (r1 - r0) * inner;
      if (n > sizeof rep / sizeof rep[0]) n = 0; /* cannot happen: rows_per_tile * inner <= 4096 */
      for (; filled < n; filled += inner) memcpy(rep + filled, v, inner * sizeof(float));
      const float *rows = (b_rows ? a : b) + r0 * inner;
      if (b_rows)
        op->vfn(rows, rep, out + r0 * inner, n, 1, 1, op->p.out_min, op->p.out_max);
      else
        op->vfn(rep, rows, out + r0 * inner, n, 1, 1, op->p.out_min, op->p.out_max);
    }
    return;
  }
  if (op->rows_per_tile > 1) { /* grouped short runs: step the offsets like an odometer */
    size_t nruns = op->out_elems / inner;
    for (int t = tile_begin; t < tile_end; t++) {
      size_t r0 = (size_t)t * (size_t)op->rows_per_tile, r1 = r0 + (size_t)op->rows_per_tile;
      if (r1 > nruns) r1 = nruns;
      size_t idx[ODAI_KERNEL_MAX_DIMS] = {0}, rest = r0, ao = 0, bo = 0;
      for (int i = m - 2; i >= 0; i--) {
        idx[i] = rest % (size_t)op->out_shape[i];
        rest /= (size_t)op->out_shape[i];
        ao += idx[i] * op->a_stride[i];
        bo += idx[i] * op->b_stride[i];
      }
      for (size_t run = r0; run < r1; run++) {
        op->vfn(a + ao, b + bo, out + run * inner, inner, a_step, b_step, op->p.out_min, op->p.out_max);
        for (int i = m - 2; i >= 0; i--) { /* next run */
          ao += op->a_stride[i];
          bo += op->b_stride[i];
          if (++idx[i] < (size_t)op->out_shape[i]) break;
          ao -= op->a_stride[i] * (size_t)op->out_shape[i];
          bo -= op->b_stride[i] * (size_t)op->out_shape[i];
          idx[i] = 0;
        }
      }
    }
    return;
  }
  for (int t = tile_begin; t < tile_end; t++) {
    size_t run = (size_t)(t / nch), c0 = (size_t)(t % nch) * op->chunk;
    size_t len = inner - c0 < op->chunk ? inner - c0 : op->chunk;
    size_t rest = run, ao = 0, bo = 0;
    for (int i = m - 2; i >= 0; i--) {
      size_t idx = rest % (size_t)op->out_shape[i];
      rest /= (size_t)op->out_shape[i];
      ao += idx * op->a_stride[i];
      bo += idx * op->b_stride[i];
    }
    if (a_step) ao += c0;
    if (b_step) bo += c0;
    op->vfn(a + ao, b + bo, out + run * inner + c0, len, a_step, b_step, op->p.out_min,
            op->p.out_max);
  }
}

void odai_unary_run_isa(odai_isa isa, odai_unary_kind kind, const odai_unary_args *args,
                        const float *in, float *out, size_t n) {
  const odai_isa_table *t = odai_isa_table_get(isa);
  if (t && t->unary) t->unary(kind, args, in, out, n);
  else odai_unary_ref(kind, args, in, out, n);
}

void odai_unary_run(odai_unary_kind kind, const odai_unary_args *args, const float *in,
                    float *out, size_t n) {
  odai_unary_run_isa(odai_kernels_isa(), kind, args, in, out, n);
}
