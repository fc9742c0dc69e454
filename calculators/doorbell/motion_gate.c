/* calculators/doorbell/motion_gate.c: MotionGateCalculator, the doorbell's
 * cheap front door to inference: frame differencing on a small grey copy
 * lets a frame through only while something moves, for a hold time after
 * the last motion, and once every check interval while the scene is still.
 *
 *   node { calculator: "MotionGateCalculator"
 *          input_stream: "IMAGE:frames"
 *          output_stream: "IMAGE:moving_frames"     # gated (others: bound only)
 *          output_stream: "ALLOWED:inferred"         # optional bool, every frame
 *          options { [odai.MotionGateOptions.ext] {
 *            width: 80 pixel_threshold: 12 min_changed_fraction: 0.002
 *            hold_ms: 1500 check_interval_ms: 500 } } }
 *
 * The small copy is a box average (every second pixel of each cell) of the
 * luma of RGB8/BGR8/RGBA8/BGRA8/GRAY8 frames or the Y plane of YUV frames;
 * a pixel "changed" when its grey level moved by more than pixel_threshold
 * since the previous frame. No allocation per frame after the first. */
#include <stdlib.h>
#include <string.h>

#include "calculators/registry.h"
#include "odai/options.h"
#include "odai/packet_types.h"

#define OPTS "odai.MotionGateOptions"

typedef struct motion_gate {
  int sw, sh;         /* small copy size (fixed by the first frame) */
  int src_w, src_h;
  uint8_t *prev, *cur;
  bool have_prev;
  int64_t last_motion_ts, last_pass_ts;
  /* options */
  int width, pixel_threshold;
  double min_changed_fraction;
  int64_t hold_us, check_us;
  uint64_t frames, passed; /* counters (stats) */
} motion_gate;

static odai_status mg_contract(odai_contract *c) {
  odai_status st = odai_contract_input(c, "IMAGE", ODAI_TYPE_IMAGE, 0);
  if (!st) st = odai_contract_output(c, "IMAGE", ODAI_TYPE_IMAGE, 0);
  if (!st) st = odai_contract_output(c, "ALLOWED", ODAI_TYPE_BOOL, ODAI_PORT_OPTIONAL);
  if (st) return st;
  odai_contract_options(c, OPTS);
  odai_contract_timestamp_offset(c, 0);
  return ODAI_OK;
}

static odai_status mg_open(odai_calc_ctx *ctx) {
  motion_gate *s = odai_calc_state(ctx);
  const odai_options *o = odai_calc_options(ctx);
  s->width = (int)odai_options_get_int(o, "width", 80);
  s->pixel_threshold = (int)odai_options_get_int(o, "pixel_threshold", 12);
  s->min_changed_fraction = odai_options_get_double(o, "min_changed_fraction", 0.002);
  s->hold_us = odai_options_get_int(o, "hold_ms", 1500) * 1000;
  s->check_us = odai_options_get_int(o, "check_interval_ms", 500) * 1000;
  s->last_motion_ts = INT64_MIN / 2; /* no motion seen yet: no hold */
  if (s->width < 8 || s->width > 640)
    return odai_calc_error(ctx, ODAI_E_INVALID, "width %d: expected 8..640", s->width);
  if (s->pixel_threshold < 0 || s->pixel_threshold > 255)
    return odai_calc_error(ctx, ODAI_E_INVALID, "pixel_threshold %d: expected 0..255",
                           s->pixel_threshold);
  return ODAI_OK;
}

/* Luma of one pixel (BT.601 integer weights) for packed formats. */
static inline int luma_at(const uint8_t *p, odai_pixel_format f) {
  switch (f) {
    case ODAI_PIXEL_RGB8:
    case ODAI_PIXEL_RGBA8: return (77 * p[0] + 150 * p[1] + 29 * p[2]) >> 8;
    case ODAI_PIXEL_BGR8:
    case ODAI_PIXEL_BGRA8: return (77 * p[2] + 150 * p[1] + 29 * p[0]) >> 8;
    default: return p[0]; /* GRAY8, Y plane */
  }
}

static int step_of(odai_pixel_format f) {
  switch (f) {
    case ODAI_PIXEL_RGB8:
    case ODAI_PIXEL_BGR8: return 3;
    case ODAI_PIXEL_RGBA8:
    case ODAI_PIXEL_BGRA8: return 4;
    case ODAI_PIXEL_YUYV: return 2; /* Y every second byte */
    default: return 1;
  }
}

/* Box-average img into s->cur (sw x sh), sampling every second pixel. */
static void shrink(motion_gate *s, const odai_image *img) {
  odai_pixel_format f = odai_image_format(img);
  const uint8_t *base = odai_image_cdata(img, 0);
  int stride = odai_image_stride(img, 0), step = step_of(f);
  int w = s->src_w, h = s->src_h;
  for (int y = 0; y < s->sh; y++) {
    int y0 = y * h / s->sh, y1 = (y + 1) * h / s->sh;
    for (int x = 0; x < s->sw; x++) {
      int x0 = x * w / s->sw, x1 = (x + 1) * w / s->sw;
      unsigned sum = 0, n = 0;
      for (int yy = y0; yy < y1; yy += 2) {
        const uint8_t *row = base + (size_t)yy * (size_t)stride;
        for (int xx = x0; xx < x1; xx += 2) {
          sum += (unsigned)luma_at(row + (size_t)xx * (size_t)step, f);
          n++;
        }
      }
      s->cur[y * s->sw + x] = (uint8_t)(n ? sum / n : 0);
    }
  }
}

static bool supported(odai_pixel_format f) {
  return f == ODAI_PIXEL_RGB8 || f == ODAI_PIXEL_BGR8 || f == ODAI_PIXEL_RGBA8 ||
         f == ODAI_PIXEL_BGRA8 || f == ODAI_PIXEL_GRAY8 || f == ODAI_PIXEL_YUYV ||
         f == ODAI_PIXEL_NV12 || f == ODAI_PIXEL_I420;
}

static odai_status mg_process(odai_calc_ctx *ctx) {
  motion_gate *s = odai_calc_state(ctx);
  const odai_packet *pkt = odai_calc_input(ctx, "IMAGE", 0);
  const odai_image *img = odai_packet_image(pkt);
  if (!img) return ODAI_OK;
  int64_t ts = odai_calc_timestamp(ctx);
  odai_pixel_format f = odai_image_format(img);
  if (!supported(f))
    return odai_calc_error(ctx, ODAI_E_UNSUPPORTED, "frame format %s: convert first",
                           odai_pixel_format_name(f));
  int w = odai_image_width(img), h = odai_image_height(img);
  if (!s->cur || w != s->src_w || h != s->src_h) {
    /* first frame or a new size (camera reopened in another mode) */
    free(s->cur);
    free(s->prev);
    s->src_w = w;
    s->src_h = h;
    s->sw = s->width < w ? s->width : w;
    s->sh = (int)((int64_t)h * s->sw / w);
    if (s->sh < 1) s->sh = 1;
    s->cur = malloc((size_t)s->sw * (size_t)s->sh);
    s->prev = malloc((size_t)s->sw * (size_t)s->sh);
    s->have_prev = false;
    if (!s->cur || !s->prev) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  }
  shrink(s, img);
  bool motion = false; /* the first frame passes as a check, not as motion */
  if (s->have_prev) {
    int n = s->sw * s->sh, changed = 0;
    for (int i = 0; i < n; i++) {
      int d = (int)s->cur[i] - (int)s->prev[i];
      changed += (d > s->pixel_threshold || d < -s->pixel_threshold);
    }
    motion = changed > (int)(s->min_changed_fraction * n);
  }
  uint8_t *t = s->prev;
  s->prev = s->cur;
  s->cur = t;
  s->have_prev = true;
  s->frames++;
  if (motion) s->last_motion_ts = ts;
  bool pass = motion || s->passed == 0 || ts - s->last_motion_ts < s->hold_us ||
              ts - s->last_pass_ts >= s->check_us;
  if (odai_calc_output_count(ctx, "ALLOWED")) {
    odai_packet *b = odai_packet_new_bool(pass, ts);
    if (!b) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
    odai_status st = odai_calc_output(ctx, "ALLOWED", 0, b);
    if (st) return st;
  }
  if (!pass) return ODAI_OK; /* the offset-0 contract moves the IMAGE bound on */
  s->passed++;
  s->last_pass_ts = ts;
  return odai_calc_output(ctx, "IMAGE", 0, odai_packet_ref(pkt));
}

static odai_status mg_close(odai_calc_ctx *ctx) {
  motion_gate *s = odai_calc_state(ctx);
  free(s->cur);
  free(s->prev);
  s->cur = s->prev = NULL;
  return ODAI_OK;
}

const odai_calculator_def odai_calc_motion_gate = {
    .name = "MotionGateCalculator",
    .description = "passes frames on to inference only while something moves (frame differencing "
                   "on a small grey copy), with a hold time and a periodic check",
    .state_size = sizeof(motion_gate),
    .contract = mg_contract,
    .open = mg_open,
    .process = mg_process,
    .close = mg_close,
};
