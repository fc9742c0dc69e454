/* Segmentation calculators: TensorsToSegmentationCalculator (MediaPipe
 * name/options: activation, output_layer_index; OUTPUT_SIZE), the
 * SegmentationSmoothingCalculator (combine_with_previous_ratio),
 * RecolorCalculator (MediaPipe's mask tint) and odai's
 * MaskOverlayCalculator (background blur / replacement / tint). Masks are
 * ODAI_PIXEL_F32 images. Graph wrappers over mask_ops.h; per-frame buffers
 * live in node state or come from the image pool. */
#include <stdlib.h>
#include <string.h>

#include "calculators/registry.h"
#include "mask_ops.h"
#include "odai/image.h"
#include "odai/options.h"
#include "odai/packet_types.h"

static odai_mask image_mask(odai_image *img) {
  odai_mask m = {(float *)(void *)odai_image_data(img, 0), odai_image_width(img),
                 odai_image_height(img), odai_image_stride(img, 0) / (ptrdiff_t)sizeof(float)};
  return m;
}

static odai_mask const_image_mask(const odai_image *img) {
  odai_mask m = {(float *)(uintptr_t)(const void *)odai_image_cdata(img, 0), odai_image_width(img),
                 odai_image_height(img), odai_image_stride(img, 0) / (ptrdiff_t)sizeof(float)};
  return m;
}

/* A float buffer kept in node state, grown on demand. */
typedef struct fbuf {
  float *v;
  size_t cap;
} fbuf;

static float *fbuf_get(fbuf *b, size_t n) {
  if (n > b->cap) {
    float *p = realloc(b->v, n * sizeof(float));
    if (!p) return NULL;
    b->v = p;
    b->cap = n;
  }
  return b->v;
}

static odai_status emit_image(odai_calc_ctx *ctx, const char *tag, odai_image *img) {
  odai_packet *p = odai_packet_new_image(img, odai_calc_timestamp(ctx));
  if (!p) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  return odai_calc_output(ctx, tag, 0, p);
}

/* ==== TensorsToSegmentationCalculator ================================== */

#define T2S_OPTS "mediapipe.TensorsToSegmentationCalculatorOptions"

typedef struct t2s_state {
  fbuf act;
} t2s_state;

static const odai_enum_value k_activation[] = {
    {"NONE", 0}, {"SIGMOID", 1}, {"SOFTMAX", 2}, {NULL, 0}};

static odai_status t2s_contract(odai_contract *c) {
  odai_status st = odai_contract_input(c, "TENSORS", ODAI_TYPE_TENSORS, 0);
  if (!st) st = odai_contract_input(c, "OUTPUT_SIZE", ODAI_TYPE_IMAGE_SIZE, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_output(c, "MASK", ODAI_TYPE_IMAGE, 0);
  if (st) return st;
  odai_contract_options(c, T2S_OPTS);
  odai_contract_timestamp_offset(c, 0);
  return ODAI_OK;
}

static odai_status t2s_process(odai_calc_ctx *ctx) {
  t2s_state *s = odai_calc_state(ctx);
  const odai_options *o = odai_calc_options(ctx);
  const odai_tensors *t = odai_packet_tensors(odai_calc_input(ctx, "TENSORS", 0));
  if (!t) return ODAI_OK;
  if (t->count < 1 || t->v[0].dtype != ODAI_DTYPE_FLOAT32 || !t->v[0].data)
    return odai_calc_error(ctx, ODAI_E_INVALID, "expected a float32 segmentation tensor");
  const odai_tensor *x = &t->v[0];
  int h, w, c;
  if (x->rank == 4 && x->shape[0] == 1) {
    h = x->shape[1];
    w = x->shape[2];
    c = x->shape[3];
  } else if (x->rank == 3) {
    h = x->shape[0];
    w = x->shape[1];
    c = x->shape[2];
  } else {
    return odai_calc_error(ctx, ODAI_E_INVALID, "segmentation tensor must be [1,H,W,C] or [H,W,C]");
  }
  if (h <= 0 || w <= 0 || c <= 0)
    return odai_calc_error(ctx, ODAI_E_INVALID, "empty segmentation tensor");
  int act = odai_options_get_enum(o, "activation", k_activation, 0);
  int layer = c == 1 ? 0 : (int)odai_options_get_int(o, "output_layer_index", 1);
  float *buf = fbuf_get(&s->act, (size_t)w * (size_t)h);
  if (!buf) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  odai_mask am = {buf, w, h, w};
  odai_error err;
  odai_status st = odai_mask_from_tensor(x->data, w, h, c, (odai_mask_activation)act, layer, &am,
                                         &err);
  if (st != ODAI_OK) return odai_calc_error(ctx, st, "%s", err.message);
  int ow = w, oh = h;
  const odai_image_size *sz =
      odai_packet_get(odai_calc_input(ctx, "OUTPUT_SIZE", 0), ODAI_TYPE_IMAGE_SIZE);
  if (sz) {
    ow = sz->width;
    oh = sz->height;
  }
  odai_image *img = NULL;
  st = odai_image_new(ow, oh, ODAI_PIXEL_F32, &img);
  if (st != ODAI_OK) return odai_calc_error(ctx, st, "cannot make a %dx%d mask", ow, oh);
  odai_mask om = image_mask(img);
  st = odai_mask_resize(&am, 0, 0, 1, 1, &om, &err);
  if (st != ODAI_OK) {
    odai_image_unref(img);
    return odai_calc_error(ctx, st, "%s", err.message);
  }
  return emit_image(ctx, "MASK", img);
}

static odai_status t2s_close(odai_calc_ctx *ctx) {
  t2s_state *s = odai_calc_state(ctx);
  free(s->act.v);
  s->act.v = NULL;
  return ODAI_OK;
}

const odai_calculator_def odai_calc_tensors_to_segmentation = {
    "TensorsToSegmentationCalculator", "segmentation tensor to a float mask at the output size",
    sizeof(t2s_state), t2s_contract, NULL, t2s_process, t2s_close};

/* ==== SegmentationSmoothingCalculator ================================== */

#define SMOOTH_OPTS "mediapipe.SegmentationSmoothingCalculatorOptions"

static odai_status sm_contract(odai_contract *c) {
  odai_status st = odai_contract_input(c, "MASK", ODAI_TYPE_IMAGE, 0);
  if (!st) st = odai_contract_input(c, "MASK_PREVIOUS", ODAI_TYPE_IMAGE, 0);
  if (!st) st = odai_contract_output(c, "MASK_SMOOTHED", ODAI_TYPE_IMAGE, 0);
  if (st) return st;
  odai_contract_options(c, SMOOTH_OPTS);
  odai_contract_timestamp_offset(c, 0);
  return ODAI_OK;
}

static odai_status sm_process(odai_calc_ctx *ctx) {
  const odai_packet *cp = odai_calc_input(ctx, "MASK", 0);
  const odai_image *cur = odai_packet_image(cp);
  if (!cur) return ODAI_OK;
  const odai_image *prev = odai_packet_image(odai_calc_input(ctx, "MASK_PREVIOUS", 0));
  if (!prev) /* pass the current mask through */
    return odai_calc_output(ctx, "MASK_SMOOTHED", 0, odai_packet_ref(cp));
  if (odai_image_format(cur) != ODAI_PIXEL_F32 || odai_image_format(prev) != ODAI_PIXEL_F32)
    return odai_calc_error(ctx, ODAI_E_INVALID, "only 1-channel float (F32) masks are supported");
  float ratio = odai_options_get_float(odai_calc_options(ctx), "combine_with_previous_ratio", 0);
  odai_image *out = NULL;
  odai_status st = odai_image_new(odai_image_width(cur), odai_image_height(cur), ODAI_PIXEL_F32, &out);
  if (st != ODAI_OK) return odai_calc_error(ctx, st, "out of memory");
  odai_mask c = const_image_mask(cur), p = const_image_mask(prev), o = image_mask(out);
  odai_error err;
  st = odai_mask_smooth(&c, &p, &o, ratio, &err);
  if (st != ODAI_OK) {
    odai_image_unref(out);
    return odai_calc_error(ctx, st, "%s", err.message);
  }
  return emit_image(ctx, "MASK_SMOOTHED", out);
}

const odai_calculator_def odai_calc_segmentation_smoothing = {
    "SegmentationSmoothingCalculator", "blends a mask with the previous one where uncertain", 0,
    sm_contract, NULL, sm_process, NULL};

/* ==== RecolorCalculator and MaskOverlayCalculator ====================== */

#define RECOLOR_OPTS "mediapipe.RecolorCalculatorOptions"
#define OVERLAY_OPTS "odai.MaskOverlayCalculatorOptions"

typedef enum { MODE_TINT = 0, MODE_BLUR = 1, MODE_REPLACE = 2 } overlay_mode;

typedef struct overlay_state {
  fbuf mask, conv;
  odai_mask_scratch scratch;
} overlay_state;

static const odai_enum_value k_modes[] = {{"TINT", 0}, {"BLUR", 1}, {"REPLACE", 2}, {NULL, 0}};

static odai_status ov_contract_common(odai_contract *c, const char *opts, bool background) {
  odai_status st = odai_contract_input(c, "IMAGE", ODAI_TYPE_IMAGE, 0);
  if (!st) st = odai_contract_input(c, "MASK", ODAI_TYPE_IMAGE, 0);
  if (!st && background)
    st = odai_contract_input(c, "BACKGROUND", ODAI_TYPE_IMAGE, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_output(c, "IMAGE", ODAI_TYPE_IMAGE, 0);
  if (st) return st;
  if (odai_contract_input_count(c, "IMAGE_GPU"))
    return odai_contract_error(c, ODAI_E_UNSUPPORTED, "IMAGE_GPU is not supported (CPU only)");
  odai_contract_options(c, opts);
  odai_contract_timestamp_offset(c, 0);
  return ODAI_OK;
}

static odai_status recolor_contract(odai_contract *c) {
  return ov_contract_common(c, RECOLOR_OPTS, false);
}
static odai_status overlay_contract(odai_contract *c) {
  return ov_contract_common(c, OVERLAY_OPTS, true);
}

static bool canvas_of(odai_image *img, odai_canvas *c) {
  return odai_canvas_from_image(img, c, NULL) == ODAI_OK;
}

static odai_status overlay_run(odai_calc_ctx *ctx, bool recolor) {
  overlay_state *s = odai_calc_state(ctx);
  const odai_options *o = odai_calc_options(ctx);
  const odai_image *in = odai_packet_image(odai_calc_input(ctx, "IMAGE", 0));
  const odai_image *mimg = odai_packet_image(odai_calc_input(ctx, "MASK", 0));
  if (!in) return ODAI_OK;
  if (!mimg) /* no mask at this timestamp: the frame goes through as is */
    return odai_calc_output(ctx, "IMAGE", 0, odai_packet_ref(odai_calc_input(ctx, "IMAGE", 0)));
  const odai_pixel_format mf = odai_image_format(mimg);
  if (mf != ODAI_PIXEL_F32 && mf != ODAI_PIXEL_GRAY8)
    return odai_calc_error(ctx, ODAI_E_INVALID, "MASK must be a F32 or GRAY8 image");
  odai_image *out = NULL;
  odai_error err;
  odai_canvas cv;
  odai_status st = odai_image_copy(in, &out);
  if (st == ODAI_OK && !canvas_of(out, &cv)) {
    odai_image_unref(out);
    out = NULL;
    st = odai_image_convert(in, ODAI_PIXEL_RGB8, &out, &err);
    if (st == ODAI_OK && !canvas_of(out, &cv)) {
      odai_image_unref(out);
      st = ODAI_E_UNSUPPORTED;
    }
  }
  if (st != ODAI_OK) return odai_calc_error(ctx, st, "cannot copy the frame to draw on");
  /* The mask as floats (GRAY8 masks are u8 / 255, as MediaPipe reads
   * them), at the frame's size. */
  odai_mask m;
  if (mf == ODAI_PIXEL_GRAY8) {
    const int w = odai_image_width(mimg), h = odai_image_height(mimg);
    float *buf = fbuf_get(&s->conv, (size_t)w * (size_t)h);
    if (!buf) {
      odai_image_unref(out);
      return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
    }
    const uint8_t *g = odai_image_cdata(mimg, 0);
    const int gs = odai_image_stride(mimg, 0);
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) buf[(size_t)y * w + x] = g[(size_t)y * gs + x] * (1.0f / 255.0f);
    m = (odai_mask){buf, w, h, w};
  } else {
    m = const_image_mask(mimg);
  }
  if (m.width != cv.width || m.height != cv.height) {
    float *buf = fbuf_get(&s->mask, (size_t)cv.width * (size_t)cv.height);
    if (!buf) {
      odai_image_unref(out);
      return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
    }
    odai_mask r = {buf, cv.width, cv.height, cv.width};
    st = odai_mask_resize(&m, 0, 0, 1, 1, &r, &err);
    m = r;
  }
  const odai_options *cm = odai_options_get_message(o, "color");
  odai_color color = {(uint8_t)odai_options_get_int(cm, "r", 0),
                      (uint8_t)odai_options_get_int(cm, "g", 0),
                      (uint8_t)odai_options_get_int(cm, "b", 0), 255};
  const bool invert = odai_options_get_bool(o, "invert_mask", false);
  if (st == ODAI_OK) {
    if (recolor) {
      st = odai_mask_recolor(&cv, &m, color, invert,
                             odai_options_get_bool(o, "adjust_with_luminance", false), &err);
    } else {
      int mode = odai_options_get_enum(o, "mode", k_modes, MODE_BLUR);
      if (mode == MODE_TINT) {
        st = odai_mask_tint(&cv, &m, color, odai_options_get_float(o, "alpha", 0.5f), invert, &err);
      } else if (mode == MODE_REPLACE) {
        const odai_image *bgi = odai_packet_image(odai_calc_input(ctx, "BACKGROUND", 0));
        odai_canvas bgc;
        bool have_bg = false;
        if (bgi && odai_image_width(bgi) == cv.width && odai_image_height(bgi) == cv.height &&
            odai_image_format(bgi) == odai_image_format(out)) {
          /* Read only: the canvas is only a source here. */
          bgc = (odai_canvas){(uint8_t *)(uintptr_t)odai_image_cdata(bgi, 0), cv.width, cv.height,
                              odai_image_stride(bgi, 0), cv.channels, cv.bgr};
          have_bg = true;
        }
        st = odai_mask_replace_background(&cv, &m, have_bg ? &bgc : NULL, color, &err);
      } else {
        int radius = (int)odai_options_get_int(o, "blur_radius", 0);
        if (radius <= 0) radius = cv.width / 40 > 3 ? cv.width / 40 : 3;
        st = odai_mask_blur_background(&cv, &m, radius, &s->scratch, &err);
      }
    }
  }
  if (st != ODAI_OK) {
    odai_image_unref(out);
    return odai_calc_error(ctx, st, "%s", err.message);
  }
  return emit_image(ctx, "IMAGE", out);
}

static odai_status recolor_process(odai_calc_ctx *ctx) { return overlay_run(ctx, true); }
static odai_status overlay_process(odai_calc_ctx *ctx) { return overlay_run(ctx, false); }

static odai_status overlay_close(odai_calc_ctx *ctx) {
  overlay_state *s = odai_calc_state(ctx);
  free(s->mask.v);
  free(s->conv.v);
  s->mask.v = s->conv.v = NULL;
  odai_mask_scratch_fini(&s->scratch);
  return ODAI_OK;
}

const odai_calculator_def odai_calc_recolor = {
    "RecolorCalculator", "tints the masked region of a frame (MediaPipe)", sizeof(overlay_state),
    recolor_contract, NULL, recolor_process, overlay_close};

const odai_calculator_def odai_calc_mask_overlay = {
    "MaskOverlayCalculator", "background blur, replacement or tint from a mask",
    sizeof(overlay_state), overlay_contract, NULL, overlay_process, overlay_close};
