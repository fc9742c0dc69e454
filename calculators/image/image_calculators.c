/* calculators/image/image_calculators.c: image-to-image nodes with
 * MediaPipe's names, ports and options: ColorConvertCalculator,
 * ImageTransformationCalculator (resize STRETCH/FIT/FILL_AND_CROP, rotate,
 * flip, letterbox padding), ImageCroppingCalculator (rect or normalised
 * rect, rotation supported) and ImagePropertiesCalculator. The pixel work is
 * io/'s (odai/image.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calculators/registry.h"
#include "odai/options.h"
#include "odai/packet_types.h"

/* ---- ColorConvertCalculator ---- */

static const struct {
  const char *in, *out;
  odai_pixel_format fmt;
} k_cc_tags[] = {{"RGB_IN", "RGB_OUT", ODAI_PIXEL_RGB8},     {"RGBA_IN", "RGBA_OUT", ODAI_PIXEL_RGBA8},
                 {"BGR_IN", "BGR_OUT", ODAI_PIXEL_BGR8},     {"BGRA_IN", "BGRA_OUT", ODAI_PIXEL_BGRA8},
                 {"GRAY_IN", "GRAY_OUT", ODAI_PIXEL_GRAY8},  {"YUYV_IN", "YUYV_OUT", ODAI_PIXEL_YUYV},
                 {"NV12_IN", "NV12_OUT", ODAI_PIXEL_NV12},   {"I420_IN", "I420_OUT", ODAI_PIXEL_I420}};
#define N_CC (sizeof k_cc_tags / sizeof k_cc_tags[0])

typedef struct cc_state {
  int in, out; /* indices into k_cc_tags */
} cc_state;

static odai_status cc_contract(odai_contract *c) {
  int nin = 0, nout = 0;
  for (size_t i = 0; i < N_CC; i++) {
    odai_contract_input(c, k_cc_tags[i].in, ODAI_TYPE_IMAGE, ODAI_PORT_OPTIONAL);
    odai_contract_output(c, k_cc_tags[i].out, ODAI_TYPE_IMAGE, ODAI_PORT_OPTIONAL);
    nin += odai_contract_input_count(c, k_cc_tags[i].in);
    nout += odai_contract_output_count(c, k_cc_tags[i].out);
  }
  odai_contract_timestamp_offset(c, 0);
  if (nin != 1 || nout != 1)
    return odai_contract_error(c, ODAI_E_INVALID,
                               "connect exactly one *_IN input and one *_OUT output (RGB, RGBA, "
                               "BGR, BGRA, GRAY, YUYV, NV12, I420)");
  return ODAI_OK;
}

static odai_status cc_open(odai_calc_ctx *ctx) {
  cc_state *st = odai_calc_state(ctx);
  for (size_t i = 0; i < N_CC; i++) {
    if (odai_calc_input_count(ctx, k_cc_tags[i].in) > 0) st->in = (int)i;
    if (odai_calc_output_count(ctx, k_cc_tags[i].out) > 0) st->out = (int)i;
  }
  return ODAI_OK;
}

static odai_status cc_process(odai_calc_ctx *ctx) {
  cc_state *st = odai_calc_state(ctx);
  const odai_image *img = odai_packet_image(odai_calc_input(ctx, k_cc_tags[st->in].in, 0));
  if (!img) return ODAI_OK;
  odai_image *out = NULL;
  odai_error e;
  if (odai_image_convert(img, k_cc_tags[st->out].fmt, &out, &e) != ODAI_OK)
    return odai_calc_error(ctx, e.code, "%s", e.message);
  return odai_calc_output(ctx, k_cc_tags[st->out].out, 0,
                          odai_packet_new_image(out, odai_calc_timestamp(ctx)));
}

const odai_calculator_def odai_calc_color_convert = {
    .name = "ColorConvertCalculator",
    .description = "converts images between RGB, RGBA, BGR, BGRA, GRAY, YUYV, NV12 and I420",
    .state_size = sizeof(cc_state),
    .contract = cc_contract,
    .open = cc_open,
    .process = cc_process,
};

/* ---- ImageTransformationCalculator ---- */

enum { SCALE_STRETCH = 1, SCALE_FIT = 2, SCALE_FILL_AND_CROP = 3 };
static const odai_enum_value k_scale_modes[] = {
    {"UNKNOWN", 0}, {"STRETCH", 1}, {"FIT", 2}, {"FILL_AND_CROP", 3}, {NULL, 0}};
static const odai_enum_value k_rotations[] = {{"UNKNOWN", 0},      {"ROTATION_0", 1},
                                              {"ROTATION_90", 2},  {"ROTATION_180", 3},
                                              {"ROTATION_270", 4}, {NULL, 0}};

typedef struct xform_state {
  int out_w, out_h;
  int scale_mode;
  int rotation_ccw; /* degrees counter-clockwise, as MediaPipe */
  bool flip_h, flip_v;
  uint32_t pad_rgba;
  odai_resize_filter filter;
} xform_state;

static odai_status xf_contract(odai_contract *c) {
  odai_contract_input(c, "IMAGE", ODAI_TYPE_IMAGE, 0);
  odai_contract_input(c, "ROTATION_DEGREES", ODAI_TYPE_INT, ODAI_PORT_OPTIONAL);
  odai_contract_input(c, "FLIP_HORIZONTALLY", ODAI_TYPE_BOOL, ODAI_PORT_OPTIONAL);
  odai_contract_input(c, "FLIP_VERTICALLY", ODAI_TYPE_BOOL, ODAI_PORT_OPTIONAL);
  odai_contract_input(c, "OUTPUT_DIMENSIONS", ODAI_TYPE_IMAGE_SIZE, ODAI_PORT_OPTIONAL);
  odai_contract_output(c, "IMAGE", ODAI_TYPE_IMAGE, 0);
  odai_contract_output(c, "LETTERBOX_PADDING", ODAI_TYPE_FLOAT_VECTOR, ODAI_PORT_OPTIONAL);
  odai_contract_input_side(c, "ROTATION_DEGREES", ODAI_TYPE_INT, ODAI_PORT_OPTIONAL);
  odai_contract_options(c, "mediapipe.ImageTransformationCalculatorOptions");
  odai_contract_timestamp_offset(c, 0);
  return ODAI_OK;
}

static odai_status xf_open(odai_calc_ctx *ctx) {
  xform_state *st = odai_calc_state(ctx);
  const odai_options *o = odai_calc_options(ctx);
  st->out_w = (int)odai_options_get_int(o, "output_width", 0);
  st->out_h = (int)odai_options_get_int(o, "output_height", 0);
  st->scale_mode = odai_options_get_enum(o, "scale_mode", k_scale_modes, SCALE_STRETCH);
  if (st->scale_mode == 0) st->scale_mode = SCALE_STRETCH;
  int rot = odai_options_get_enum(o, "rotation_mode", k_rotations, 1);
  st->rotation_ccw = rot >= 1 ? (rot - 1) * 90 : 0;
  const odai_packet *rs = odai_calc_side_input(ctx, "ROTATION_DEGREES", 0);
  int64_t deg;
  if (rs && odai_packet_get_int(rs, &deg) == ODAI_OK) st->rotation_ccw = (int)(((deg % 360) + 360) % 360);
  st->flip_h = odai_options_get_bool(o, "flip_horizontally", false);
  st->flip_v = odai_options_get_bool(o, "flip_vertically", false);
  int r = (int)odai_options_get_int(o, "padding_color.red", 0);
  int g = (int)odai_options_get_int(o, "padding_color.green", 0);
  int b = (int)odai_options_get_int(o, "padding_color.blue", 0);
  st->pad_rgba = ((uint32_t)(r & 255) << 24) | ((uint32_t)(g & 255) << 16) |
                 ((uint32_t)(b & 255) << 8) | 255u;
  const char *interp = odai_options_get_enum_name(o, "interpolation_mode", "DEFAULT");
  st->filter = interp && !strcmp(interp, "NEAREST") ? ODAI_RESIZE_NEAREST : ODAI_RESIZE_BILINEAR;
  if (st->rotation_ccw % 90)
    return odai_calc_error(ctx, ODAI_E_UNSUPPORTED, "rotation must be a multiple of 90 degrees");
  return ODAI_OK;
}

static odai_status xf_process(odai_calc_ctx *ctx) {
  xform_state *st = odai_calc_state(ctx);
  const odai_image *in = odai_packet_image(odai_calc_input(ctx, "IMAGE", 0));
  if (!in) return ODAI_OK;
  odai_timestamp ts = odai_calc_timestamp(ctx);
  int rot = st->rotation_ccw;
  int64_t deg;
  if (odai_packet_get_int(odai_calc_input(ctx, "ROTATION_DEGREES", 0), &deg) == ODAI_OK)
    rot = (int)(((deg % 360) + 360) % 360);
  bool fh = st->flip_h, fv = st->flip_v, b;
  if (odai_packet_get_bool(odai_calc_input(ctx, "FLIP_HORIZONTALLY", 0), &b) == ODAI_OK) fh = b;
  if (odai_packet_get_bool(odai_calc_input(ctx, "FLIP_VERTICALLY", 0), &b) == ODAI_OK) fv = b;
  int ow = st->out_w, oh = st->out_h;
  const odai_packet *dp = odai_calc_input(ctx, "OUTPUT_DIMENSIONS", 0);
  const odai_image_size *dim = dp ? odai_packet_get(dp, ODAI_TYPE_IMAGE_SIZE) : NULL;
  if (dim) {
    ow = dim->width;
    oh = dim->height;
  }

  odai_error e;
  odai_image *cur = odai_image_ref((odai_image *)in), *next = NULL;
  odai_status s = ODAI_OK;
  float pad[4] = {0, 0, 0, 0};
  if (rot) { /* MediaPipe rotates counter-clockwise; io rotates clockwise */
    s = odai_image_rotate(cur, (360 - rot) % 360, &next, &e);
    odai_image_unref(cur);
    cur = next;
    if (s != ODAI_OK) goto fail;
  }
  int w = odai_image_width(cur), h = odai_image_height(cur);
  if (ow <= 0 || oh <= 0) {
    ow = w;
    oh = h;
  }
  if (ow != w || oh != h) {
    if (st->scale_mode == SCALE_FIT) {
      odai_letterbox box;
      s = odai_image_letterbox(cur, ow, oh, st->pad_rgba, st->filter, &next, &box, &e);
      if (s == ODAI_OK) {
        pad[0] = (float)box.pad_left / ow;
        pad[1] = (float)box.pad_top / oh;
        pad[2] = (float)box.pad_right / ow;
        pad[3] = (float)box.pad_bottom / oh;
      }
    } else if (st->scale_mode == SCALE_FILL_AND_CROP) {
      /* crop the centre to the output's aspect, then resize */
      double sa = (double)w / h, da = (double)ow / oh;
      int cw = w, ch = h;
      if (sa > da) cw = (int)lround(h * da);
      else ch = (int)lround(w / da);
      if (cw < 1) cw = 1;
      if (ch < 1) ch = 1;
      odai_image *crop = NULL;
      s = odai_image_crop_copy(cur, (w - cw) / 2, (h - ch) / 2, cw, ch, &crop, &e);
      if (s == ODAI_OK) {
        s = odai_image_resize(crop, ow, oh, st->filter, &next, &e);
        odai_image_unref(crop);
      }
    } else {
      s = odai_image_resize(cur, ow, oh, st->filter, &next, &e);
    }
    odai_image_unref(cur);
    cur = next;
    if (s != ODAI_OK) goto fail;
  }
  if (fh || fv) {
    s = odai_image_flip(cur, (fh ? ODAI_FLIP_HORIZONTAL : 0) | (fv ? ODAI_FLIP_VERTICAL : 0), &next, &e);
    odai_image_unref(cur);
    cur = next;
    if (s != ODAI_OK) goto fail;
  }
  s = odai_calc_output(ctx, "IMAGE", 0, odai_packet_new_image(cur, ts));
  if (s != ODAI_OK) return s;
  if (odai_calc_output_count(ctx, "LETTERBOX_PADDING") > 0) {
    odai_float_vector *v = calloc(1, sizeof *v);
    if (v) v->v = malloc(sizeof pad);
    if (!v || !v->v) {
      free(v);
      return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
    }
    v->n = 4;
    memcpy(v->v, pad, sizeof pad);
    s = odai_calc_output(ctx, "LETTERBOX_PADDING", 0, odai_packet_new_float_vector(v, ts));
  }
  return s;
fail:
  return odai_calc_error(ctx, s, "%s", e.message);
}

const odai_calculator_def odai_calc_image_transformation = {
    .name = "ImageTransformationCalculator",
    .description = "resize (stretch/fit/fill), rotate by 90s, flip; reports letterbox padding",
    .state_size = sizeof(xform_state),
    .contract = xf_contract,
    .open = xf_open,
    .process = xf_process,
};

/* ---- ImageCroppingCalculator ---- */

typedef struct crop_state {
  const odai_options *o;
  bool replicate;
} crop_state;

static odai_status crop_contract(odai_contract *c) {
  odai_contract_input(c, "IMAGE", ODAI_TYPE_IMAGE, 0);
  odai_contract_input(c, "NORM_RECT", ODAI_TYPE_NORM_RECT, ODAI_PORT_OPTIONAL);
  odai_contract_input(c, "RECT", ODAI_TYPE_RECT, ODAI_PORT_OPTIONAL);
  odai_contract_output(c, "IMAGE", ODAI_TYPE_IMAGE, 0);
  odai_contract_options(c, "mediapipe.ImageCroppingCalculatorOptions");
  odai_contract_timestamp_offset(c, 0);
  return ODAI_OK;
}

static odai_status crop_open(odai_calc_ctx *ctx) {
  crop_state *st = odai_calc_state(ctx);
  st->o = odai_calc_options(ctx);
  const char *bm = odai_options_get_enum_name(st->o, "border_mode", "BORDER_ZERO");
  st->replicate = bm && !strcmp(bm, "BORDER_REPLICATE");
  return ODAI_OK;
}

/* Bilinear sample of a rotated rectangle of an 8-bit packed image. */
static void sample_rotated(const odai_image_planes *s, odai_image_planes *d, float cx, float cy,
                           float rw, float rh, float rot, bool replicate) {
  int ch = odai_pixel_format_bpp(s->format);
  float c = cosf(rot), sn = sinf(rot);
  for (int y = 0; y < d->height; y++) {
    uint8_t *o = d->data[0] + (size_t)y * d->stride[0];
    for (int x = 0; x < d->width; x++, o += ch) {
      float u = ((x + 0.5f) / d->width - 0.5f) * rw, v = ((y + 0.5f) / d->height - 0.5f) * rh;
      float fx = cx + u * c - v * sn - 0.5f, fy = cy + u * sn + v * c - 0.5f;
      int ix = (int)floorf(fx), iy = (int)floorf(fy);
      float ax = fx - ix, ay = fy - iy;
      for (int k = 0; k < ch; k++) {
        float acc = 0;
        for (int q = 0; q < 4; q++) {
          int xx = ix + (q & 1), yy = iy + (q >> 1);
          float w = ((q & 1) ? ax : 1 - ax) * ((q >> 1) ? ay : 1 - ay);
          if (xx < 0 || yy < 0 || xx >= s->width || yy >= s->height) {
            if (!replicate) continue;
            xx = xx < 0 ? 0 : xx >= s->width ? s->width - 1 : xx;
            yy = yy < 0 ? 0 : yy >= s->height ? s->height - 1 : yy;
          }
          acc += w * s->data[0][(size_t)yy * s->stride[0] + (size_t)xx * ch + k];
        }
        o[k] = (uint8_t)(acc + 0.5f > 255 ? 255 : acc + 0.5f);
      }
    }
  }
}

static odai_status crop_process(odai_calc_ctx *ctx) {
  crop_state *st = odai_calc_state(ctx);
  const odai_image *in = odai_packet_image(odai_calc_input(ctx, "IMAGE", 0));
  if (!in) return ODAI_OK;
  int W = odai_image_width(in), H = odai_image_height(in);
  float cx, cy, rw, rh, rot;
  const odai_norm_rect *nr = odai_packet_norm_rect(odai_calc_input(ctx, "NORM_RECT", 0));
  const odai_rect *pr = odai_packet_rect(odai_calc_input(ctx, "RECT", 0));
  if (nr) {
    cx = nr->x_center * W; cy = nr->y_center * H; rw = nr->width * W; rh = nr->height * H; rot = nr->rotation;
  } else if (pr) {
    cx = (float)pr->x_center; cy = (float)pr->y_center; rw = (float)pr->width; rh = (float)pr->height; rot = pr->rotation;
  } else if (odai_options_has(st->o, "norm_width")) {
    cx = odai_options_get_float(st->o, "norm_center_x", 0.5f) * W;
    cy = odai_options_get_float(st->o, "norm_center_y", 0.5f) * H;
    rw = odai_options_get_float(st->o, "norm_width", 1.f) * W;
    rh = odai_options_get_float(st->o, "norm_height", 1.f) * H;
    rot = odai_options_get_float(st->o, "rotation", 0.f);
  } else {
    rw = (float)odai_options_get_int(st->o, "width", W);
    rh = (float)odai_options_get_int(st->o, "height", H);
    cx = (float)odai_options_get_int(st->o, "x_center", W / 2);
    cy = (float)odai_options_get_int(st->o, "y_center", H / 2);
    rot = odai_options_get_float(st->o, "rotation", 0.f);
  }
  int ow = (int)lroundf(rw), oh = (int)lroundf(rh);
  if (ow < 1 || oh < 1) return ODAI_OK; /* empty rect: no output */
  if (ow > ODAI_IMAGE_MAX_DIM || oh > ODAI_IMAGE_MAX_DIM)
    return odai_calc_error(ctx, ODAI_E_INVALID, "crop of %dx%d is too large", ow, oh);
  odai_error e;
  odai_image *src = NULL, *out = NULL;
  odai_pixel_format f = odai_image_format(in);
  bool packed8 = f == ODAI_PIXEL_RGB8 || f == ODAI_PIXEL_RGBA8 || f == ODAI_PIXEL_BGR8 ||
                 f == ODAI_PIXEL_BGRA8 || f == ODAI_PIXEL_GRAY8;
  odai_status s = packed8 ? (src = odai_image_ref((odai_image *)in), ODAI_OK)
                          : odai_image_convert(in, ODAI_PIXEL_RGB8, &src, &e);
  if (s != ODAI_OK) return odai_calc_error(ctx, s, "%s", e.message);
  int x0 = (int)lroundf(cx - rw / 2), y0 = (int)lroundf(cy - rh / 2);
  if (fabsf(rot) < 1e-6f && x0 >= 0 && y0 >= 0 && x0 + ow <= W && y0 + oh <= H) {
    s = odai_image_crop_copy(src, x0, y0, ow, oh, &out, &e);
  } else {
    s = odai_image_new(ow, oh, odai_image_format(src), &out);
    if (s == ODAI_OK) {
      odai_image_planes sp, dp;
      odai_image_get_planes(src, &sp);
      odai_image_get_planes(out, &dp);
      sample_rotated(&sp, &dp, cx, cy, rw, rh, rot, st->replicate);
    } else {
      odai_error_set(&e, s, "out of memory");
    }
  }
  odai_image_unref(src);
  if (s != ODAI_OK) return odai_calc_error(ctx, s, "%s", e.message);
  return odai_calc_output(ctx, "IMAGE", 0, odai_packet_new_image(out, odai_calc_timestamp(ctx)));
}

const odai_calculator_def odai_calc_image_cropping = {
    .name = "ImageCroppingCalculator",
    .description = "crops a (rotated) rectangle given as RECT, NORM_RECT or options",
    .state_size = sizeof(crop_state),
    .contract = crop_contract,
    .open = crop_open,
    .process = crop_process,
};

/* ---- ImagePropertiesCalculator ---- */

static odai_status props_contract(odai_contract *c) {
  odai_contract_input(c, "IMAGE", ODAI_TYPE_IMAGE, ODAI_PORT_OPTIONAL);
  odai_contract_input(c, "IMAGE_CPU", ODAI_TYPE_IMAGE, ODAI_PORT_OPTIONAL);
  odai_contract_output(c, "SIZE", ODAI_TYPE_IMAGE_SIZE, 0);
  odai_contract_timestamp_offset(c, 0);
  return ODAI_OK;
}

static odai_status props_process(odai_calc_ctx *ctx) {
  const odai_packet *p = odai_calc_input(ctx, "IMAGE", 0);
  if (!p) p = odai_calc_input(ctx, "IMAGE_CPU", 0);
  const odai_image *img = odai_packet_image(p);
  if (!img) return ODAI_OK;
  return odai_calc_output(ctx, "SIZE", 0,
                          odai_packet_new_image_size(odai_image_width(img), odai_image_height(img),
                                                     odai_calc_timestamp(ctx)));
}

const odai_calculator_def odai_calc_image_properties = {
    .name = "ImagePropertiesCalculator",
    .description = "image -> its SIZE (width, height)",
    .state_size = 0,
    .contract = props_contract,
    .process = props_process,
};

/* ---- ToImageCalculator / FromImageCalculator ----
 * MediaPipe converts between its CPU ImageFrame, GPU buffers and the
 * unified Image type with these; odai has one image type, so they forward
 * the packet unchanged (no copy) from whichever tag is connected. */

static const char *const k_image_tags[] = {"IMAGE", "IMAGE_CPU", "IMAGE_GPU"};

static odai_status to_from_contract(odai_contract *c) {
  int nin = 0, nout = 0;
  for (int i = 0; i < 3; i++) {
    odai_contract_input(c, k_image_tags[i], ODAI_TYPE_IMAGE, ODAI_PORT_OPTIONAL);
    odai_contract_output(c, k_image_tags[i], ODAI_TYPE_IMAGE, ODAI_PORT_OPTIONAL);
    nin += odai_contract_input_count(c, k_image_tags[i]);
    nout += odai_contract_output_count(c, k_image_tags[i]);
  }
  odai_contract_timestamp_offset(c, 0);
  if (nin != 1 || nout != 1)
    return odai_contract_error(c, ODAI_E_INVALID, "connect one of IMAGE, IMAGE_CPU, IMAGE_GPU as input and as output");
  return ODAI_OK;
}

static odai_status to_from_process(odai_calc_ctx *ctx) {
  const odai_packet *in = NULL;
  for (int i = 0; i < 3 && !in; i++) in = odai_calc_input(ctx, k_image_tags[i], 0);
  if (!in) return ODAI_OK;
  for (int i = 0; i < 3; i++)
    if (odai_calc_output_count(ctx, k_image_tags[i]) > 0)
      return odai_calc_output(ctx, k_image_tags[i], 0, odai_packet_ref(in));
  return ODAI_OK;
}

const odai_calculator_def odai_calc_to_image = {
    .name = "ToImageCalculator",
    .description = "MediaPipe compatibility: IMAGE_CPU/IMAGE_GPU -> IMAGE (no copy)",
    .contract = to_from_contract,
    .process = to_from_process,
};

const odai_calculator_def odai_calc_from_image = {
    .name = "FromImageCalculator",
    .description = "MediaPipe compatibility: IMAGE -> IMAGE_CPU/IMAGE_GPU (no copy)",
    .contract = to_from_contract,
    .process = to_from_process,
};
