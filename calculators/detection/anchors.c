/* SSD anchor generation, following MediaPipe's SsdAnchorsCalculator (regular
 * per-layer grids with merged same-stride layers, and the multiscale
 * "focal loss" variant). Produces odai_anchors for decode.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "detection_ops.h"

void odai_ssd_anchor_options_init(odai_ssd_anchor_options *o) {
  memset(o, 0, sizeof(*o));
  o->anchor_offset_x = 0.5f;
  o->anchor_offset_y = 0.5f;
  o->interpolated_scale_aspect_ratio = 1.0f;
  o->min_level = 3;
  o->max_level = 7;
  o->anchor_scale = 4.0f;
  o->scales_per_octave = 2;
  o->normalize_coordinates = true;
}

void odai_ssd_anchor_options_face_short_range(odai_ssd_anchor_options *o) {
  odai_ssd_anchor_options_init(o);
  o->num_layers = 4;
  o->min_scale = 0.1484375f;
  o->max_scale = 0.75f;
  o->input_size_width = 128;
  o->input_size_height = 128;
  o->num_strides = 4;
  o->strides[0] = 8;
  o->strides[1] = 16;
  o->strides[2] = 16;
  o->strides[3] = 16;
  o->num_aspect_ratios = 1;
  o->aspect_ratios[0] = 1.0f;
  o->fixed_anchor_size = true;
  o->interpolated_scale_aspect_ratio = 1.0f;
}

void odai_ssd_anchor_options_face_full_range(odai_ssd_anchor_options *o) {
  odai_ssd_anchor_options_init(o);
  o->num_layers = 1;
  o->min_scale = 0.1484375f;
  o->max_scale = 0.75f;
  o->input_size_width = 192;
  o->input_size_height = 192;
  o->num_strides = 1;
  o->strides[0] = 4;
  o->num_aspect_ratios = 1;
  o->aspect_ratios[0] = 1.0f;
  o->fixed_anchor_size = true;
  o->interpolated_scale_aspect_ratio = 0.0f;
}

static void blaze_common(odai_ssd_anchor_options *o, int input, int nstrides, const int *strides) {
  odai_ssd_anchor_options_init(o);
  o->num_layers = nstrides;
  o->min_scale = 0.1484375f;
  o->max_scale = 0.75f;
  o->input_size_width = o->input_size_height = input;
  o->num_strides = nstrides;
  for (int i = 0; i < nstrides; i++) o->strides[i] = strides[i];
  o->num_aspect_ratios = 1;
  o->aspect_ratios[0] = 1.0f;
  o->fixed_anchor_size = true;
}

void odai_ssd_anchor_options_pose_detection(odai_ssd_anchor_options *o) {
  static const int strides[5] = {8, 16, 32, 32, 32};
  blaze_common(o, 224, 5, strides);
}

void odai_ssd_anchor_options_palm_detection(odai_ssd_anchor_options *o) {
  static const int strides[4] = {8, 16, 16, 16};
  blaze_common(o, 192, 4, strides);
}

/* Linear scale between min and max over the layers; the product is formed
 * in double as MediaPipe's `* 1.0 *` does, then rounded to float. */
static float layer_scale(float min_scale, float max_scale, int index, int count) {
  if (count == 1) return (min_scale + max_scale) * 0.5f;
  return (float)(min_scale + (max_scale - min_scale) * 1.0 * index / (count - 1.0f));
}

static int feature_map_dim(int input, int stride) {
  return (int)ceilf(1.0f * (float)input / (float)stride);
}

static odai_status check_options(const odai_ssd_anchor_options *o, int num_layers,
                                 odai_error *err) {
  if (o->num_feature_map_height == 0 && o->num_strides == 0)
    return odai_error_set(err, ODAI_E_INVALID,
                          "SsdAnchors: both feature map shape and strides are missing");
  if (num_layers <= 0 || num_layers > ODAI_SSD_MAX_LAYERS)
    return odai_error_set(err, ODAI_E_INVALID, "SsdAnchors: num_layers %d out of range 1..%d",
                          num_layers, ODAI_SSD_MAX_LAYERS);
  if (o->num_feature_map_height) {
    if (o->num_feature_map_height != num_layers || o->num_feature_map_width != num_layers)
      return odai_error_set(err, ODAI_E_INVALID,
                            "SsdAnchors: %d feature_map_height and %d feature_map_width "
                            "values for %d layers",
                            o->num_feature_map_height, o->num_feature_map_width, num_layers);
    for (int i = 0; i < num_layers; i++)
      if (o->feature_map_height[i] <= 0 || o->feature_map_width[i] <= 0 ||
          o->feature_map_height[i] > 4096 || o->feature_map_width[i] > 4096)
        return odai_error_set(err, ODAI_E_INVALID, "SsdAnchors: bad feature map size at %d", i);
  } else {
    if (o->num_strides != num_layers)
      return odai_error_set(err, ODAI_E_INVALID, "SsdAnchors: %d strides for %d layers",
                            o->num_strides, num_layers);
    if (o->input_size_width <= 0 || o->input_size_height <= 0 ||
        o->input_size_width > 65536 || o->input_size_height > 65536)
      return odai_error_set(err, ODAI_E_INVALID, "SsdAnchors: input size %dx%d is not valid",
                            o->input_size_width, o->input_size_height);
    for (int i = 0; i < num_layers; i++)
      if (o->strides[i] <= 0)
        return odai_error_set(err, ODAI_E_INVALID, "SsdAnchors: stride %d is %d", i,
                              o->strides[i]);
  }
  if (o->num_aspect_ratios < 0 || o->num_aspect_ratios > ODAI_SSD_MAX_ASPECT_RATIOS)
    return odai_error_set(err, ODAI_E_INVALID, "SsdAnchors: too many aspect ratios");
  for (int i = 0; i < o->num_aspect_ratios; i++)
    if (!(o->aspect_ratios[i] > 0.0f))
      return odai_error_set(err, ODAI_E_INVALID, "SsdAnchors: aspect ratio %d must be > 0", i);
  return ODAI_OK;
}

static void layer_dims(const odai_ssd_anchor_options *o, int layer, int *h, int *w) {
  if (o->num_feature_map_height) {
    *h = o->feature_map_height[layer];
    *w = o->feature_map_width[layer];
  } else {
    *h = feature_map_dim(o->input_size_height, o->strides[layer]);
    *w = feature_map_dim(o->input_size_width, o->strides[layer]);
  }
}

static odai_status generate_multiscale(const odai_ssd_anchor_options *o, int num_layers,
                                       odai_anchors *out, odai_error *err) {
  if (o->scales_per_octave <= 0 || o->scales_per_octave > 64 || o->num_aspect_ratios == 0)
    return odai_error_set(err, ODAI_E_INVALID,
                          "SsdAnchors: multiscale needs scales_per_octave > 0 and aspect ratios");
  size_t total = 0;
  for (int l = 0; l < num_layers; l++) {
    int h, w;
    layer_dims(o, l, &h, &w);
    total += (size_t)h * (size_t)w * (size_t)o->num_aspect_ratios * (size_t)o->scales_per_octave;
  }
  odai_anchor *a = malloc((total ? total : 1) * sizeof(*a));
  if (!a) return odai_error_set(err, ODAI_E_NOMEM, "SsdAnchors: out of memory");
  size_t n = 0;
  for (int l = 0; l < num_layers; l++) {
    int level = o->min_level + l;
    float stride = (float)pow(2.0, level);
    float base = stride * o->anchor_scale;
    /* Offset: half a stride on axes whose input size divides by 2^level. */
    int denom = (int)pow(2, level);
    float off_y = (o->input_size_height % denom == 0 || o->input_size_height == 1) ? stride / 2.0f
                                                                                   : 0.0f;
    float off_x = (o->input_size_width % denom == 0 || o->input_size_width == 1) ? stride / 2.0f
                                                                                 : 0.0f;
    int h, w;
    layer_dims(o, l, &h, &w);
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        for (int j = 0; j < o->num_aspect_ratios; j++)
          for (int k = 0; k < o->scales_per_octave; k++) {
            float scale = (float)pow(2.0, (double)k / (double)o->scales_per_octave);
            float rs = sqrtf(o->aspect_ratios[j]);
            odai_anchor an = {.h = scale * base / rs,
                              .w = scale * rs * base,
                              .y_center = (float)y * stride + off_y,
                              .x_center = (float)x * stride + off_x};
            if (o->normalize_coordinates) {
              an.h /= (float)o->input_size_height;
              an.w /= (float)o->input_size_width;
              an.y_center /= (float)o->input_size_height;
              an.x_center /= (float)o->input_size_width;
            }
            a[n++] = an;
          }
  }
  free(out->items);
  out->items = a;
  out->count = n;
  return ODAI_OK;
}

odai_status odai_ssd_anchors_generate(const odai_ssd_anchor_options *o, odai_anchors *out,
                                      odai_error *err) {
  if (!o || !out) return odai_error_set(err, ODAI_E_INVALID, "SsdAnchors: NULL argument");
  int num_layers =
      o->multiscale_anchor_generation ? o->max_level - o->min_level + 1 : o->num_layers;
  odai_status st = check_options(o, num_layers, err);
  if (st != ODAI_OK) return st;
  if (o->multiscale_anchor_generation) {
    if (o->input_size_width <= 0 || o->input_size_height <= 0 || o->min_level < 0 ||
        o->max_level > 30)
      return odai_error_set(err, ODAI_E_INVALID, "SsdAnchors: bad multiscale options");
    return generate_multiscale(o, num_layers, out, err);
  }

  /* Pass 0 counts, pass 1 fills: one allocation. */
  odai_anchor *a = NULL;
  size_t n = 0;
  for (int pass = 0; pass < 2; pass++) {
    if (pass == 1) {
      a = malloc((n ? n : 1) * sizeof(*a));
      if (!a) return odai_error_set(err, ODAI_E_NOMEM, "SsdAnchors: out of memory");
      n = 0;
    }
    int layer = 0;
    while (layer < o->num_layers) {
      float heights[3 * ODAI_SSD_MAX_LAYERS * (ODAI_SSD_MAX_ASPECT_RATIOS + 1)];
      float widths[3 * ODAI_SSD_MAX_LAYERS * (ODAI_SSD_MAX_ASPECT_RATIOS + 1)];
      int na = 0;
      /* Layers with the same stride share one grid; their anchors interleave. */
      /* Without strides (feature map sizes given) each layer stands alone. */
      int count = o->num_strides ? o->num_strides : o->num_layers;
      int last = layer;
      while (o->num_strides ? (last < o->num_strides && o->strides[last] == o->strides[layer])
                            : last == layer) {
        float scale = layer_scale(o->min_scale, o->max_scale, last, count);
        if (last == 0 && o->reduce_boxes_in_lowest_layer) {
          static const float ar[3] = {1.0f, 2.0f, 0.5f};
          float sc[3] = {0.1f, scale, scale};
          for (int i = 0; i < 3; i++) {
            float r = sqrtf(ar[i]);
            heights[na] = sc[i] / r;
            widths[na++] = sc[i] * r;
          }
        } else {
          for (int i = 0; i < o->num_aspect_ratios; i++) {
            float r = sqrtf(o->aspect_ratios[i]);
            heights[na] = scale / r;
            widths[na++] = scale * r;
          }
          if (o->interpolated_scale_aspect_ratio > 0.0f) {
            float next = last == count - 1
                             ? 1.0f
                             : layer_scale(o->min_scale, o->max_scale, last + 1, count);
            float s = sqrtf(scale * next);
            float r = sqrtf(o->interpolated_scale_aspect_ratio);
            heights[na] = s / r;
            widths[na++] = s * r;
          }
        }
        last++;
      }
      int fh, fw;
      layer_dims(o, layer, &fh, &fw);
      if (pass == 0) {
        n += (size_t)fh * (size_t)fw * (size_t)na;
      } else {
        for (int y = 0; y < fh; y++)
          for (int x = 0; x < fw; x++)
            for (int k = 0; k < na; k++) {
              odai_anchor an;
              an.x_center = ((float)x + o->anchor_offset_x) * 1.0f / (float)fw;
              an.y_center = ((float)y + o->anchor_offset_y) * 1.0f / (float)fh;
              an.w = o->fixed_anchor_size ? 1.0f : widths[k];
              an.h = o->fixed_anchor_size ? 1.0f : heights[k];
              a[n++] = an;
            }
      }
      layer = last;
    }
  }
  free(out->items);
  out->items = a;
  out->count = n;
  return ODAI_OK;
}
