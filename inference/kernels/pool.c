/* inference/kernels/pool.c and resize front-ends: MAX/AVERAGE pooling (and
 * MEAN over H,W as a global average pool) and RESIZE_BILINEAR plans. */
#include <math.h>
#include <string.h>

#include "kernels_internal.h"

odai_status odai_pool_plan(const odai_pool_params *pin, odai_pool_op *op, odai_error *err) {
  memset(op, 0, sizeof *op);
  odai_pool_params p = *pin;
  if (p.in_pixel_stride <= 0) p.in_pixel_stride = p.c;
  if (p.out_pixel_stride <= 0) p.out_pixel_stride = p.c;
  if ((p.kind != ODAI_POOL_MAX && p.kind != ODAI_POOL_AVG) || p.batch <= 0 || p.in_h <= 0 ||
      p.in_w <= 0 || p.c <= 0 || p.out_h <= 0 || p.out_w <= 0 || p.k_h <= 0 || p.k_w <= 0 ||
      p.stride_h <= 0 || p.stride_w <= 0 || p.pad_top < 0 || p.pad_left < 0 ||
      p.in_pixel_stride < p.c || p.out_pixel_stride < p.c || isnan(p.out_min) ||
      isnan(p.out_max) || p.out_min > p.out_max ||
      (double)p.batch * p.in_h * p.in_w * p.in_pixel_stride > (double)(1ull << 40) ||
      (double)p.batch * p.out_h * p.out_w * p.out_pixel_stride > (double)(1ull << 40) ||
      (double)p.batch * p.out_h > 0x7fffffff)
    return odai_error_set(err, ODAI_E_INVALID, "pool: bad params");
  op->p = p;
  op->num_tiles = p.batch * p.out_h;
  odai_isa isa = odai_kernels_isa();
  const odai_isa_table *t = odai_isa_table_get(isa);
  op->isa = t && t->pool ? isa : ODAI_ISA_REF;
  op->run = t && t->pool ? t->pool : odai_pool_run_ref;
  return ODAI_OK;
}

int odai_pool_num_tiles(const odai_pool_op *op) { return op->num_tiles; }

void odai_pool_run(const odai_pool_op *op, const float *in, float *out, int tile_begin,
                   int tile_end) {
  if (tile_begin < 0) tile_begin = 0;
  if (tile_end > op->num_tiles) tile_end = op->num_tiles;
  if (tile_begin >= tile_end) return;
  op->run(op, in, out, tile_begin, tile_end);
}

odai_status odai_resize_plan(const odai_resize_params *p, odai_resize_op *op, odai_error *err) {
  memset(op, 0, sizeof *op);
  if (p->batch <= 0 || p->in_h <= 0 || p->in_w <= 0 || p->c <= 0 || p->out_h <= 0 ||
      p->out_w <= 0 || (p->align_corners && p->half_pixel_centers) ||
      (double)p->batch * p->out_h * p->out_w * p->c > (double)(1ull << 40) ||
      (double)p->batch * p->in_h * p->in_w * p->c > (double)(1ull << 40) ||
      (double)p->batch * p->out_h > 0x7fffffff)
    return odai_error_set(err, ODAI_E_INVALID, "resize_bilinear: bad params");
  op->p = *p;
  op->scale_h = (p->align_corners && p->out_h > 1) ? (float)(p->in_h - 1) / (float)(p->out_h - 1)
                                                    : (float)p->in_h / (float)p->out_h;
  op->scale_w = (p->align_corners && p->out_w > 1) ? (float)(p->in_w - 1) / (float)(p->out_w - 1)
                                                    : (float)p->in_w / (float)p->out_w;
  op->num_tiles = p->batch * p->out_h;
  odai_isa isa = odai_kernels_isa();
  const odai_isa_table *t = odai_isa_table_get(isa);
  op->isa = t && t->resize ? isa : ODAI_ISA_REF;
  op->run = t && t->resize ? t->resize : odai_resize_run_ref;
  return ODAI_OK;
}

int odai_resize_num_tiles(const odai_resize_op *op) { return op->num_tiles; }

void odai_resize_run(const odai_resize_op *op, const float *in, float *out, int tile_begin,
                     int tile_end) {
  if (tile_begin < 0) tile_begin = 0;
  if (tile_end > op->num_tiles) tile_end = op->num_tiles;
  if (tile_begin >= tile_end) return;
  op->run(op, in, out, tile_begin, tile_end);
}
