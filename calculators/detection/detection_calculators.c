/* The detection calculators with MediaPipe's names, tags and option fields:
 * SsdAnchors, TensorsToDetections, NonMaxSuppression,
 * DetectionLetterboxRemoval, DetectionProjection, DetectionsToRects,
 * RectTransformation, DetectionLabelIdToText, and odai's
 * DetectionTracking. Thin graph wrappers over detection_ops.h: options are
 * read once in open, per-frame work reuses buffers kept in node state. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calculators/registry.h"
#include "detection_ops.h"
#include "odai/options.h"
#include "odai/packet_types.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* ---- anchors payload type ---- */

static void anchors_destroy(void *p) {
  odai_anchors_fini(p);
  free(p);
}

const odai_type odai_type_anchors = {"odai.Anchors", anchors_destroy, NULL, NULL};

/* Emit a freshly allocated detections list on an output (transfer full). */
static odai_status emit_detections(odai_calc_ctx *ctx, const char *tag, int index,
                                   odai_detections *d) {
  odai_packet *p = odai_packet_new_detections(d, odai_calc_timestamp(ctx));
  if (!p) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  return odai_calc_output(ctx, tag, index, p);
}

/* ==== SsdAnchorsCalculator ============================================== */

#define SSD_OPTS "mediapipe.SsdAnchorsCalculatorOptions"

static odai_status ssd_contract(odai_contract *c) {
  odai_type_register(&odai_type_anchors, NULL);
  odai_status st = odai_contract_output_side(c, "", &odai_type_anchors, 0);
  if (st) return st;
  odai_contract_options(c, SSD_OPTS);
  return ODAI_OK;
}

static int read_int_list(const odai_options *o, const char *path, int32_t *dst, int max) {
  size_t n = odai_options_count(o, path);
  if (n > (size_t)max) n = (size_t)max;
  for (size_t i = 0; i < n; i++) dst[i] = (int32_t)odai_options_get_int_at(o, path, i, 0);
  return (int)n;
}

static odai_status ssd_open(odai_calc_ctx *ctx) {
  const odai_options *o = odai_calc_options(ctx);
  odai_anchors *a = calloc(1, sizeof(*a));
  if (!a) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  size_t nfixed = odai_options_count(o, "fixed_anchors");
  if (nfixed > 0) {
    a->items = malloc(nfixed * sizeof(odai_anchor));
    if (!a->items) {
      free(a);
      return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < nfixed; i++) {
      const odai_options *m = odai_options_get_message_at(o, "fixed_anchors", i);
      a->items[i] = (odai_anchor){odai_options_get_float(m, "x_center", 0),
                                  odai_options_get_float(m, "y_center", 0),
                                  odai_options_get_float(m, "w", 0),
                                  odai_options_get_float(m, "h", 0)};
    }
    a->count = nfixed;
  } else {
    odai_ssd_anchor_options so;
    odai_ssd_anchor_options_init(&so);
    so.input_size_width = (int32_t)odai_options_get_int(o, "input_size_width", 0);
    so.input_size_height = (int32_t)odai_options_get_int(o, "input_size_height", 0);
    so.min_scale = odai_options_get_float(o, "min_scale", 0);
    so.max_scale = odai_options_get_float(o, "max_scale", 0);
    so.anchor_offset_x = odai_options_get_float(o, "anchor_offset_x", 0.5f);
    so.anchor_offset_y = odai_options_get_float(o, "anchor_offset_y", 0.5f);
    so.num_layers = (int32_t)odai_options_get_int(o, "num_layers", 0);
    so.num_feature_map_width =
        read_int_list(o, "feature_map_width", so.feature_map_width, ODAI_SSD_MAX_LAYERS);
    so.num_feature_map_height =
        read_int_list(o, "feature_map_height", so.feature_map_height, ODAI_SSD_MAX_LAYERS);
    so.num_strides = read_int_list(o, "strides", so.strides, ODAI_SSD_MAX_LAYERS);
    size_t nar = odai_options_count(o, "aspect_ratios");
    if (nar > ODAI_SSD_MAX_ASPECT_RATIOS) nar = ODAI_SSD_MAX_ASPECT_RATIOS;
    for (size_t i = 0; i < nar; i++)
      so.aspect_ratios[i] = odai_options_get_float_at(o, "aspect_ratios", i, 1.0f);
    so.num_aspect_ratios = (int32_t)nar;
    so.reduce_boxes_in_lowest_layer = odai_options_get_bool(o, "reduce_boxes_in_lowest_layer", 0);
    so.interpolated_scale_aspect_ratio =
        odai_options_get_float(o, "interpolated_scale_aspect_ratio", 1.0f);
    so.fixed_anchor_size = odai_options_get_bool(o, "fixed_anchor_size", false);
    so.multiscale_anchor_generation =
        odai_options_get_bool(o, "multiscale_anchor_generation", false);
    so.min_level = (int32_t)odai_options_get_int(o, "min_level", 3);
    so.max_level = (int32_t)odai_options_get_int(o, "max_level", 7);
    so.anchor_scale = odai_options_get_float(o, "anchor_scale", 4.0f);
    so.scales_per_octave = (int32_t)odai_options_get_int(o, "scales_per_octave", 2);
    so.normalize_coordinates = odai_options_get_bool(o, "normalize_coordinates", true);
    odai_error err;
    if (odai_ssd_anchors_generate(&so, a, &err) != ODAI_OK) {
      free(a);
      return odai_calc_error(ctx, err.code, "%s", err.message);
    }
  }
  odai_packet *p = NULL;
  odai_status st = odai_packet_new(&odai_type_anchors, a, &p);
  if (st != ODAI_OK) return odai_calc_error(ctx, st, "out of memory");
  return odai_calc_side_output(ctx, "", 0, p);
}

/* No input streams: the scheduler treats the node as a source; it has
 * nothing to stream, so it ends at once. */
static odai_status ssd_process(odai_calc_ctx *ctx) {
  (void)ctx;
  return ODAI_E_EOF;
}

const odai_calculator_def odai_calc_ssd_anchors = {
    "SsdAnchorsCalculator", "SSD anchors as an output side packet (MediaPipe options)", 0,
    ssd_contract, ssd_open, ssd_process, NULL};

/* ==== TensorsToDetectionsCalculator ==================================== */

#define T2D_OPTS "mediapipe.TensorsToDetectionsCalculatorOptions"

typedef struct t2d_state {
  odai_ssd_decode_options opt;
  int box_idx[4]; /* ymin, xmin, ymax, xmax for post-processed models */
} t2d_state;

static const odai_enum_value k_box_formats[] = {
    {"UNSPECIFIED", 0}, {"YXHW", 1}, {"XYWH", 2}, {"XYXY", 3}, {NULL, 0}};

static odai_status t2d_contract(odai_contract *c) {
  odai_type_register(&odai_type_anchors, NULL);
  odai_status st = odai_contract_input(c, "TENSORS", ODAI_TYPE_TENSORS, 0);
  if (!st) st = odai_contract_input_side(c, "ANCHORS", &odai_type_anchors, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_output(c, "DETECTIONS", ODAI_TYPE_DETECTIONS, 0);
  if (st) return st;
  odai_contract_options(c, T2D_OPTS);
  odai_contract_timestamp_offset(c, 0);
  return ODAI_OK;
}

static odai_status t2d_open(odai_calc_ctx *ctx) {
  t2d_state *s = odai_calc_state(ctx);
  const odai_options *o = odai_calc_options(ctx);
  odai_ssd_decode_options *d = &s->opt;
  odai_ssd_decode_options_init(d);
  if (!odai_options_has(o, "num_classes") || !odai_options_has(o, "num_coords"))
    return odai_calc_error(ctx, ODAI_E_INVALID, "options need num_classes and num_coords");
  d->num_classes = (int32_t)odai_options_get_int(o, "num_classes", 0);
  d->num_boxes = (int32_t)odai_options_get_int(o, "num_boxes", 0);
  d->num_coords = (int32_t)odai_options_get_int(o, "num_coords", 0);
  d->keypoint_coord_offset = (int32_t)odai_options_get_int(o, "keypoint_coord_offset", 0);
  d->num_keypoints = (int32_t)odai_options_get_int(o, "num_keypoints", 0);
  d->num_values_per_keypoint = (int32_t)odai_options_get_int(o, "num_values_per_keypoint", 2);
  d->box_coord_offset = (int32_t)odai_options_get_int(o, "box_coord_offset", 0);
  d->x_scale = odai_options_get_float(o, "x_scale", 0);
  d->y_scale = odai_options_get_float(o, "y_scale", 0);
  d->w_scale = odai_options_get_float(o, "w_scale", 0);
  d->h_scale = odai_options_get_float(o, "h_scale", 0);
  d->apply_exponential_on_box_size = odai_options_get_bool(o, "apply_exponential_on_box_size", 0);
  d->reverse_output_order = odai_options_get_bool(o, "reverse_output_order", false);
  d->num_ignore_classes = read_int_list(o, "ignore_classes", d->ignore_classes, ODAI_MAX_CLASS_FILTER);
  d->num_allow_classes = read_int_list(o, "allow_classes", d->allow_classes, ODAI_MAX_CLASS_FILTER);
  d->sigmoid_score = odai_options_get_bool(o, "sigmoid_score", false);
  d->has_score_clipping_thresh = odai_options_has(o, "score_clipping_thresh");
  d->score_clipping_thresh = odai_options_get_float(o, "score_clipping_thresh", 0);
  d->flip_vertically = odai_options_get_bool(o, "flip_vertically", false);
  d->has_min_score_thresh = odai_options_has(o, "min_score_thresh");
  d->min_score_thresh = odai_options_get_float(o, "min_score_thresh", 0);
  d->max_results = (int32_t)odai_options_get_int(o, "max_results", -1);
  d->has_box_format = odai_options_has(o, "box_format");
  d->box_format = (odai_box_format)odai_options_get_enum(o, "box_format", k_box_formats, 0);
  const odai_options *bi = odai_options_get_message(o, "box_boundaries_indices");
  s->box_idx[0] = (int)odai_options_get_int(bi, "ymin", 0);
  s->box_idx[1] = (int)odai_options_get_int(bi, "xmin", 1);
  s->box_idx[2] = (int)odai_options_get_int(bi, "ymax", 2);
  s->box_idx[3] = (int)odai_options_get_int(bi, "xmax", 3);
  int bits = 0;
  for (int i = 0; i < 4; i++)
    if (s->box_idx[i] >= 0 && s->box_idx[i] < 4) bits |= 1 << s->box_idx[i];
  if (bits != 15)
    return odai_calc_error(ctx, ODAI_E_INVALID,
                           "box_boundaries_indices must cover indices 0, 1, 2 and 3");
  if (d->num_ignore_classes && d->num_allow_classes)
    return odai_calc_error(ctx, ODAI_E_INVALID, "allow_classes and ignore_classes are exclusive");
  if (d->num_values_per_keypoint != 2)
    return odai_calc_error(ctx, ODAI_E_UNSUPPORTED, "num_values_per_keypoint must be 2");
  if (d->max_results == 0) return odai_calc_error(ctx, ODAI_E_INVALID, "max_results must not be 0");
  return ODAI_OK;
}

static const odai_tensor *f32_tensor(const odai_tensors *t, int i) {
  if (i >= t->count || t->v[i].dtype != ODAI_DTYPE_FLOAT32 || !t->v[i].data) return NULL;
  return &t->v[i];
}

/* Models with built-in post-processing: boxes [1,N,num_coords], classes
 * [1,N], scores [1,N], count [1]. */
static odai_status t2d_postprocessed(odai_calc_ctx *ctx, t2d_state *s, const odai_tensors *t,
                                     odai_detections *out) {
  const odai_tensor *bx = f32_tensor(t, 0), *cl = f32_tensor(t, 1), *sc = f32_tensor(t, 2),
                    *nt = f32_tensor(t, 3);
  const odai_ssd_decode_options *d = &s->opt;
  if (!bx || !cl || !sc || !nt || odai_tensor_elements(nt) < 1)
    return odai_calc_error(ctx, ODAI_E_INVALID, "expected 4 float32 tensors");
  size_t cap = odai_tensor_elements(cl);
  if (odai_tensor_elements(sc) < cap || d->num_coords < 4 ||
      odai_tensor_elements(bx) < cap * (size_t)d->num_coords)
    return odai_calc_error(ctx, ODAI_E_INVALID, "post-processed tensors disagree in size");
  float nf = ((const float *)nt->data)[0];
  size_t n = nf > 0 && nf < (float)cap ? (size_t)nf : (nf >= (float)cap ? cap : 0);
  const float *b = bx->data, *c = cl->data, *v = sc->data;
  for (size_t i = 0; i < n; i++) {
    if (d->max_results > 0 && out->count >= (size_t)d->max_results) break;
    int cls = (int)c[i];
    bool allowed = true;
    if (d->num_allow_classes) {
      allowed = false;
      for (int k = 0; k < d->num_allow_classes; k++) allowed |= d->allow_classes[k] == cls;
    }
    for (int k = 0; k < d->num_ignore_classes; k++)
      if (d->ignore_classes[k] == cls) allowed = false;
    if (!allowed || (d->has_min_score_thresh && v[i] < d->min_score_thresh)) continue;
    const float *r = b + i * (size_t)d->num_coords;
    float ymin = r[s->box_idx[0]], xmin = r[s->box_idx[1]];
    float ymax = r[s->box_idx[2]], xmax = r[s->box_idx[3]];
    odai_detection det;
    odai_detection_init(&det);
    det.score = v[i];
    det.label_id = cls;
    det.xmin = xmin;
    det.ymin = d->flip_vertically ? 1.f - ymax : ymin;
    det.width = xmax - xmin;
    det.height = ymax - ymin;
    if (det.width < 0 || det.height < 0 || isnan(det.width) || isnan(det.height)) continue;
    int nk = d->num_keypoints;
    if (nk > ODAI_DETECTION_MAX_KEYPOINTS) nk = ODAI_DETECTION_MAX_KEYPOINTS;
    for (int k = 0; k < nk && d->keypoint_coord_offset + 2 * k + 1 < d->num_coords; k++) {
      det.keypoints[k].x = r[d->keypoint_coord_offset + 2 * k];
      float y = r[d->keypoint_coord_offset + 2 * k + 1];
      det.keypoints[k].y = d->flip_vertically ? 1.f - y : y;
      det.num_keypoints = k + 1;
    }
    if (odai_detections_push(out, &det, NULL) != ODAI_OK)
      return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  }
  return ODAI_OK;
}

static odai_status t2d_process(odai_calc_ctx *ctx) {
  t2d_state *s = odai_calc_state(ctx);
  const odai_tensors *t = odai_packet_tensors(odai_calc_input(ctx, "TENSORS", 0));
  if (!t) return ODAI_OK;
  odai_detections *out = odai_detections_create(16);
  if (!out) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  odai_status st = ODAI_OK;
  if (t->count == 4) {
    st = t2d_postprocessed(ctx, s, t, out);
  } else if (t->count == 2 || t->count == 3) {
    const odai_tensor *bx = f32_tensor(t, 0), *sc = f32_tensor(t, 1);
    const odai_anchor *anchors = NULL;
    size_t nanchors = 0;
    odai_anchor *tmp = NULL;
    if (!bx || !sc) {
      st = odai_calc_error(ctx, ODAI_E_INVALID, "boxes and scores must be float32 tensors");
    } else if (t->count == 3) {
      /* Anchors as a third tensor [num_boxes, 4] = y, x, h, w. */
      const odai_tensor *at = f32_tensor(t, 2);
      if (!at || odai_tensor_elements(at) != (size_t)s->opt.num_boxes * 4) {
        st = odai_calc_error(ctx, ODAI_E_INVALID, "anchor tensor must be [num_boxes, 4] float32");
      } else {
        nanchors = (size_t)s->opt.num_boxes;
        tmp = malloc(nanchors * sizeof(*tmp));
        if (!tmp) {
          st = odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
        } else {
          const float *r = at->data;
          for (size_t i = 0; i < nanchors; i++)
            tmp[i] = (odai_anchor){r[4 * i + 1], r[4 * i], r[4 * i + 3], r[4 * i + 2]};
          anchors = tmp;
        }
      }
    } else {
      const odai_anchors *a = odai_packet_get(odai_calc_side_input(ctx, "ANCHORS", 0),
                                              &odai_type_anchors);
      if (!a) {
        st = odai_calc_error(ctx, ODAI_E_INVALID, "no anchor data available (ANCHORS side packet)");
      } else {
        anchors = a->items;
        nanchors = a->count;
      }
    }
    if (st == ODAI_OK) {
      odai_error err;
      st = odai_decode_detections(&s->opt, bx->data, odai_tensor_elements(bx), sc->data,
                                  odai_tensor_elements(sc), anchors, nanchors, out, &err);
      if (st != ODAI_OK) odai_calc_error(ctx, st, "%s", err.message);
    }
    free(tmp);
  } else {
    st = odai_calc_error(ctx, ODAI_E_INVALID, "expected 2, 3 or 4 tensors, got %d", t->count);
  }
  if (st != ODAI_OK) {
    odai_detections_free(out);
    return st;
  }
  return emit_detections(ctx, "DETECTIONS", 0, out);
}

const odai_calculator_def odai_calc_tensors_to_detections = {
    "TensorsToDetectionsCalculator", "decodes SSD-style model outputs into detections",
    sizeof(t2d_state), t2d_contract, t2d_open, t2d_process, NULL};

/* ==== NonMaxSuppressionCalculator ====================================== */

#define NMS_OPTS "mediapipe.NonMaxSuppressionCalculatorOptions"

typedef struct nms_state {
  odai_nms_options opt;
  odai_detections all;
  odai_nms_scratch scratch;
} nms_state;

static const odai_enum_value k_overlap[] = {{"UNSPECIFIED_OVERLAP_TYPE", 0},
                                            {"JACCARD", 1},
                                            {"MODIFIED_JACCARD", 2},
                                            {"INTERSECTION_OVER_UNION", 3},
                                            {"INTERSECTION_OVER_MIN", 4},
                                            {NULL, 0}};
static const odai_enum_value k_nms_algo[] = {{"DEFAULT", 0}, {"WEIGHTED", 1}, {NULL, 0}};

static odai_status nms_contract(odai_contract *c) {
  const odai_options *o = odai_contract_get_options(c);
  (void)o;
  odai_status st = odai_contract_input(c, "", ODAI_TYPE_DETECTIONS, ODAI_PORT_MULTIPLE);
  if (!st) st = odai_contract_input(c, "IMAGE", ODAI_TYPE_IMAGE, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_output(c, "", ODAI_TYPE_DETECTIONS, 0);
  if (st) return st;
  if (odai_contract_input_count(c, "") < 1)
    return odai_contract_error(c, ODAI_E_INVALID, "needs at least one detections input stream");
  odai_contract_options(c, NMS_OPTS);
  odai_contract_timestamp_offset(c, 0);
  return ODAI_OK;
}

static odai_status nms_open(odai_calc_ctx *ctx) {
  nms_state *s = odai_calc_state(ctx);
  const odai_options *o = odai_calc_options(ctx);
  odai_nms_options_init(&s->opt);
  s->opt.num_detection_streams = (int32_t)odai_options_get_int(o, "num_detection_streams", 1);
  s->opt.max_num_detections = (int32_t)odai_options_get_int(o, "max_num_detections", -1);
  s->opt.min_score_threshold = odai_options_get_float(o, "min_score_threshold", -1.0f);
  s->opt.min_suppression_threshold = odai_options_get_float(o, "min_suppression_threshold", 1.0f);
  s->opt.overlap_type =
      (odai_overlap_type)odai_options_get_enum(o, "overlap_type", k_overlap, ODAI_OVERLAP_JACCARD);
  s->opt.return_empty_detections = odai_options_get_bool(o, "return_empty_detections", false);
  s->opt.algorithm = (odai_nms_algorithm)odai_options_get_enum(o, "algorithm", k_nms_algo, 0);
  if (s->opt.max_num_detections == 0)
    return odai_calc_error(ctx, ODAI_E_INVALID,
                           "max_num_detections=0 is not valid; use -1 for no limit");
  if (s->opt.num_detection_streams < 1)
    return odai_calc_error(ctx, ODAI_E_INVALID, "num_detection_streams must be > 0");
  odai_detections_init(&s->all);
  return ODAI_OK;
}

static odai_status nms_process(odai_calc_ctx *ctx) {
  nms_state *s = odai_calc_state(ctx);
  s->all.count = 0;
  int n = odai_calc_input_count(ctx, "");
  if (n > s->opt.num_detection_streams) n = s->opt.num_detection_streams;
  for (int i = 0; i < n; i++) {
    const odai_detections *d = odai_packet_detections(odai_calc_input(ctx, "", i));
    if (!d) continue;
    if (odai_detections_reserve(&s->all, s->all.count + d->count, NULL) != ODAI_OK)
      return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
    if (d->count) memcpy(s->all.items + s->all.count, d->items, d->count * sizeof(*d->items));
    s->all.count += d->count;
  }
  if (s->all.count == 0) {
    if (!s->opt.return_empty_detections) return ODAI_OK;
    odai_detections *e = odai_detections_create(0);
    if (!e) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
    return emit_detections(ctx, "", 0, e);
  }
  odai_detections *out = odai_detections_create(8);
  if (!out) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  odai_error err;
  odai_status st = odai_nms(&s->opt, &s->all, out, &s->scratch, &err);
  if (st != ODAI_OK) {
    odai_detections_free(out);
    return odai_calc_error(ctx, st, "%s", err.message);
  }
  return emit_detections(ctx, "", 0, out);
}

static odai_status nms_close(odai_calc_ctx *ctx) {
  nms_state *s = odai_calc_state(ctx);
  odai_detections_fini(&s->all);
  odai_nms_scratch_fini(&s->scratch);
  return ODAI_OK;
}

const odai_calculator_def odai_calc_non_max_suppression = {
    "NonMaxSuppressionCalculator", "non-maximum suppression (default or weighted)",
    sizeof(nms_state), nms_contract, nms_open, nms_process, nms_close};

/* ==== DetectionLetterboxRemovalCalculator =============================== */

static const float *float_vector(const odai_packet *p, size_t n) {
  const odai_float_vector *v = odai_packet_get(p, ODAI_TYPE_FLOAT_VECTOR);
  return v && v->n == n ? v->v : NULL;
}

static odai_status lb_contract(odai_contract *c) {
  odai_status st = odai_contract_input(c, "DETECTIONS", ODAI_TYPE_DETECTIONS, 0);
  if (!st) st = odai_contract_input(c, "LETTERBOX_PADDING", ODAI_TYPE_FLOAT_VECTOR, 0);
  if (!st) st = odai_contract_output(c, "DETECTIONS", ODAI_TYPE_DETECTIONS, 0);
  if (st) return st;
  odai_contract_timestamp_offset(c, 0);
  return ODAI_OK;
}

static odai_status lb_process(odai_calc_ctx *ctx) {
  const odai_detections *in = odai_packet_detections(odai_calc_input(ctx, "DETECTIONS", 0));
  if (!in) return ODAI_OK;
  const odai_packet *pp = odai_calc_input(ctx, "LETTERBOX_PADDING", 0);
  const float *pad = float_vector(pp, 4);
  if (!pad)
    return odai_calc_error(ctx, ODAI_E_INVALID, "LETTERBOX_PADDING must be 4 floats (l, t, r, b)");
  odai_detections *out = odai_detections_clone(in);
  if (!out) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  odai_error err;
  if (odai_detections_remove_letterbox(out, pad, &err) != ODAI_OK) {
    odai_detections_free(out);
    return odai_calc_error(ctx, err.code, "%s", err.message);
  }
  return emit_detections(ctx, "DETECTIONS", 0, out);
}

const odai_calculator_def odai_calc_detection_letterbox_removal = {
    "DetectionLetterboxRemovalCalculator", "maps detections from a letterboxed tensor to the image",
    0, lb_contract, NULL, lb_process, NULL};

/* ==== DetectionProjectionCalculator ===================================== */

static odai_status proj_contract(odai_contract *c) {
  odai_status st = odai_contract_input(c, "DETECTIONS", ODAI_TYPE_DETECTIONS, ODAI_PORT_MULTIPLE);
  if (!st) st = odai_contract_input(c, "PROJECTION_MATRIX", ODAI_TYPE_FLOAT_VECTOR, 0);
  if (!st) st = odai_contract_output(c, "DETECTIONS", ODAI_TYPE_DETECTIONS, ODAI_PORT_MULTIPLE);
  if (st) return st;
  if (odai_contract_input_count(c, "DETECTIONS") != odai_contract_output_count(c, "DETECTIONS"))
    return odai_contract_error(c, ODAI_E_INVALID,
                               "same number of DETECTIONS inputs and outputs is required");
  odai_contract_timestamp_offset(c, 0);
  return ODAI_OK;
}

static odai_status proj_process(odai_calc_ctx *ctx) {
  const float *m = float_vector(odai_calc_input(ctx, "PROJECTION_MATRIX", 0), 16);
  if (!m) return ODAI_OK;
  int n = odai_calc_input_count(ctx, "DETECTIONS");
  for (int i = 0; i < n; i++) {
    const odai_detections *in = odai_packet_detections(odai_calc_input(ctx, "DETECTIONS", i));
    if (!in) continue;
    odai_detections *out = odai_detections_clone(in);
    if (!out) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
    odai_detections_project(out, m);
    odai_status st = emit_detections(ctx, "DETECTIONS", i, out);
    if (st != ODAI_OK) return st;
  }
  return ODAI_OK;
}

const odai_calculator_def odai_calc_detection_projection = {
    "DetectionProjectionCalculator", "maps detections through a 4x4 projection matrix", 0,
    proj_contract, NULL, proj_process, NULL};

/* ==== DetectionsToRectsCalculator ====================================== */

#define D2R_OPTS "mediapipe.DetectionsToRectsCalculatorOptions"

static const odai_enum_value k_conv[] = {
    {"DEFAULT", 0}, {"USE_BOUNDING_BOX", 1}, {"USE_KEYPOINTS", 2}, {NULL, 0}};

static odai_status d2r_contract(odai_contract *c) {
  odai_status st = odai_contract_input(c, "DETECTION", ODAI_TYPE_DETECTIONS, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_input(c, "DETECTIONS", ODAI_TYPE_DETECTIONS, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_input(c, "IMAGE_SIZE", ODAI_TYPE_IMAGE_SIZE, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_output(c, "NORM_RECT", ODAI_TYPE_NORM_RECT, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_output(c, "NORM_RECTS", ODAI_TYPE_NORM_RECTS, ODAI_PORT_OPTIONAL);
  if (st) return st;
  if ((odai_contract_input_count(c, "DETECTION") > 0) ==
      (odai_contract_input_count(c, "DETECTIONS") > 0))
    return odai_contract_error(c, ODAI_E_INVALID,
                               "exactly one of DETECTION or DETECTIONS must be connected");
  if (odai_contract_output_count(c, "RECT") || odai_contract_output_count(c, "RECTS"))
    return odai_contract_error(c, ODAI_E_UNSUPPORTED,
                               "pixel RECT/RECTS outputs are not supported; use NORM_RECT(S)");
  if ((odai_contract_output_count(c, "NORM_RECT") > 0) +
          (odai_contract_output_count(c, "NORM_RECTS") > 0) != 1)
    return odai_contract_error(c, ODAI_E_INVALID,
                               "exactly one of NORM_RECT or NORM_RECTS must be connected");
  odai_contract_options(c, D2R_OPTS);
  odai_contract_timestamp_offset(c, 0);
  return ODAI_OK;
}

static void d2r_read(const odai_options *o, odai_detections_to_rects_options *r) {
  memset(r, 0, sizeof(*r));
  r->has_rotation_vector = odai_options_has(o, "rotation_vector_start_keypoint_index");
  r->rotation_vector_start_keypoint_index =
      (int32_t)odai_options_get_int(o, "rotation_vector_start_keypoint_index", 0);
  r->rotation_vector_end_keypoint_index =
      (int32_t)odai_options_get_int(o, "rotation_vector_end_keypoint_index", 0);
  if (odai_options_has(o, "rotation_vector_target_angle"))
    r->rotation_vector_target_angle = odai_options_get_float(o, "rotation_vector_target_angle", 0);
  else
    r->rotation_vector_target_angle =
        (float)M_PI * odai_options_get_float(o, "rotation_vector_target_angle_degrees", 0) / 180.f;
  r->output_zero_rect_for_empty_detections =
      odai_options_get_bool(o, "output_zero_rect_for_empty_detections", false);
  r->conversion_mode = (odai_rect_conversion)odai_options_get_enum(o, "conversion_mode", k_conv, 0);
}

static odai_status d2r_process(odai_calc_ctx *ctx) {
  odai_detections_to_rects_options r;
  d2r_read(odai_calc_options(ctx), &r);
  const bool single = odai_calc_input_count(ctx, "DETECTION") > 0;
  const odai_detections *in =
      odai_packet_detections(odai_calc_input(ctx, single ? "DETECTION" : "DETECTIONS", 0));
  if (!in) return ODAI_OK;
  const odai_image_size *isz =
      odai_packet_get(odai_calc_input(ctx, "IMAGE_SIZE", 0), ODAI_TYPE_IMAGE_SIZE);
  if (r.has_rotation_vector && !isz) return ODAI_OK; /* MediaPipe waits for the size */
  const int iw = isz ? isz->width : 0, ih = isz ? isz->height : 0;
  const odai_timestamp ts = odai_calc_timestamp(ctx);
  const bool want_one = odai_calc_output_count(ctx, "NORM_RECT") > 0;
  odai_error err;
  if (in->count == 0) {
    if (!r.output_zero_rect_for_empty_detections) return ODAI_OK;
    if (want_one) {
      odai_norm_rect *z = calloc(1, sizeof(*z));
      odai_packet *p = z ? odai_packet_new_norm_rect(z, ts) : NULL;
      if (!p) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
      return odai_calc_output(ctx, "NORM_RECT", 0, p);
    }
    odai_norm_rects *l = calloc(1, sizeof(*l));
    odai_norm_rect z = {0};
    if (!l || odai_norm_rects_push(l, &z, NULL) != ODAI_OK) {
      if (l) odai_norm_rects_fini(l);
      free(l);
      return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
    }
    odai_packet *p = odai_packet_new_norm_rects(l, ts);
    if (!p) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
    return odai_calc_output(ctx, "NORM_RECTS", 0, p);
  }
  if (want_one) {
    odai_norm_rect *nr = calloc(1, sizeof(*nr));
    if (!nr) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
    if (odai_detection_to_norm_rect(&r, &in->items[0], iw, ih, nr, &err) != ODAI_OK) {
      free(nr);
      return odai_calc_error(ctx, err.code, "%s", err.message);
    }
    odai_packet *p = odai_packet_new_norm_rect(nr, ts);
    if (!p) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
    return odai_calc_output(ctx, "NORM_RECT", 0, p);
  }
  odai_norm_rects *l = calloc(1, sizeof(*l));
  if (!l) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  for (size_t i = 0; i < in->count; i++) {
    odai_norm_rect nr;
    odai_status st = odai_detection_to_norm_rect(&r, &in->items[i], iw, ih, &nr, &err);
    if (st == ODAI_OK) st = odai_norm_rects_push(l, &nr, &err);
    if (st != ODAI_OK) {
      odai_norm_rects_fini(l);
      free(l);
      return odai_calc_error(ctx, err.code, "%s", err.message);
    }
  }
  odai_packet *p = odai_packet_new_norm_rects(l, ts);
  if (!p) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  return odai_calc_output(ctx, "NORM_RECTS", 0, p);
}

const odai_calculator_def odai_calc_detections_to_rects = {
    "DetectionsToRectsCalculator", "detections to normalized rects (box or keypoints, rotation)",
    0, d2r_contract, NULL, d2r_process, NULL};

/* ==== RectTransformationCalculator ===================================== */

#define RT_OPTS "mediapipe.RectTransformationCalculatorOptions"

static odai_status rt_contract(odai_contract *c) {
  odai_status st = odai_contract_input(c, "NORM_RECT", ODAI_TYPE_NORM_RECT, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_input(c, "NORM_RECTS", ODAI_TYPE_NORM_RECTS, ODAI_PORT_OPTIONAL);
  if (!st) st = odai_contract_input(c, "IMAGE_SIZE", ODAI_TYPE_IMAGE_SIZE, ODAI_PORT_OPTIONAL);
  bool one = odai_contract_input_count(c, "NORM_RECT") > 0;
  if (!st)
    st = odai_contract_output(c, "", one ? ODAI_TYPE_NORM_RECT : ODAI_TYPE_NORM_RECTS, 0);
  if (st) return st;
  if (odai_contract_input_count(c, "RECT") || odai_contract_input_count(c, "RECTS"))
    return odai_contract_error(c, ODAI_E_UNSUPPORTED, "pixel RECT/RECTS inputs are not supported");
  if (one == (odai_contract_input_count(c, "NORM_RECTS") > 0))
    return odai_contract_error(c, ODAI_E_INVALID,
                               "exactly one of NORM_RECT or NORM_RECTS must be connected");
  if (odai_contract_input_count(c, "IMAGE_SIZE") < 1)
    return odai_contract_error(c, ODAI_E_INVALID, "NORM_RECT(S) input requires IMAGE_SIZE");
  odai_contract_options(c, RT_OPTS);
  odai_contract_timestamp_offset(c, 0);
  return ODAI_OK;
}

static odai_status rt_process(odai_calc_ctx *ctx) {
  const odai_options *o = odai_calc_options(ctx);
  odai_rect_transform_options t;
  odai_rect_transform_options_init(&t);
  t.scale_x = odai_options_get_float(o, "scale_x", 1.0f);
  t.scale_y = odai_options_get_float(o, "scale_y", 1.0f);
  if (odai_options_has(o, "rotation")) {
    t.has_rotation = true;
    t.rotation = odai_options_get_float(o, "rotation", 0);
  } else if (odai_options_has(o, "rotation_degrees")) {
    t.has_rotation = true;
    t.rotation = (float)M_PI * (float)odai_options_get_int(o, "rotation_degrees", 0) / 180.f;
  }
  t.shift_x = odai_options_get_float(o, "shift_x", 0);
  t.shift_y = odai_options_get_float(o, "shift_y", 0);
  t.square_long = odai_options_get_bool(o, "square_long", false);
  t.square_short = odai_options_get_bool(o, "square_short", false);
  const odai_image_size *isz =
      odai_packet_get(odai_calc_input(ctx, "IMAGE_SIZE", 0), ODAI_TYPE_IMAGE_SIZE);
  if (!isz) return ODAI_OK;
  const odai_timestamp ts = odai_calc_timestamp(ctx);
  const odai_norm_rect *one = odai_packet_norm_rect(odai_calc_input(ctx, "NORM_RECT", 0));
  if (one) {
    odai_norm_rect *r = malloc(sizeof(*r));
    if (!r) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
    *r = *one;
    odai_norm_rect_transform(&t, r, isz->width, isz->height);
    odai_packet *p = odai_packet_new_norm_rect(r, ts);
    if (!p) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
    return odai_calc_output(ctx, "", 0, p);
  }
  const odai_norm_rects *many = odai_packet_norm_rects(odai_calc_input(ctx, "NORM_RECTS", 0));
  if (!many) return ODAI_OK;
  odai_norm_rects *l = calloc(1, sizeof(*l));
  if (!l) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  for (size_t i = 0; i < many->count; i++) {
    odai_norm_rect r = many->items[i];
    odai_norm_rect_transform(&t, &r, isz->width, isz->height);
    if (odai_norm_rects_push(l, &r, NULL) != ODAI_OK) {
      odai_norm_rects_fini(l);
      free(l);
      return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
    }
  }
  odai_packet *p = odai_packet_new_norm_rects(l, ts);
  if (!p) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  return odai_calc_output(ctx, "", 0, p);
}

const odai_calculator_def odai_calc_rect_transformation = {
    "RectTransformationCalculator", "scales, shifts, squares and rotates normalized rects", 0,
    rt_contract, NULL, rt_process, NULL};

/* ==== DetectionLabelIdToTextCalculator ================================= */

#define L2T_OPTS "mediapipe.DetectionLabelIdToTextCalculatorOptions"
#define L2T_MAX_LABELS 4096

typedef struct l2t_state {
  char **labels; /* owned strings, NULL for ids without a name */
  size_t n;
  bool keep_label_id;
} l2t_state;

static odai_status l2t_contract(odai_contract *c) {
  odai_status st = odai_contract_input(c, "", ODAI_TYPE_DETECTIONS, 0);
  if (!st) st = odai_contract_output(c, "", ODAI_TYPE_DETECTIONS, 0);
  if (st) return st;
  odai_contract_options(c, L2T_OPTS);
  odai_contract_timestamp_offset(c, 0);
  return ODAI_OK;
}

static odai_status l2t_set(l2t_state *s, size_t id, const char *name, size_t len) {
  if (id >= L2T_MAX_LABELS) return ODAI_E_INVALID;
  if (id >= s->n) {
    char **p = realloc(s->labels, (id + 1) * sizeof(char *));
    if (!p) return ODAI_E_NOMEM;
    for (size_t i = s->n; i <= id; i++) p[i] = NULL;
    s->labels = p;
    s->n = id + 1;
  }
  char *c = malloc(len + 1);
  if (!c) return ODAI_E_NOMEM;
  memcpy(c, name, len);
  c[len] = '\0';
  free(s->labels[id]);
  s->labels[id] = c;
  return ODAI_OK;
}

static odai_status l2t_open(odai_calc_ctx *ctx) {
  l2t_state *s = odai_calc_state(ctx);
  const odai_options *o = odai_calc_options(ctx);
  s->keep_label_id = odai_options_get_bool(o, "keep_label_id", false);
  const char *path = odai_options_get_string(o, "label_map_path", NULL);
  size_t nl = odai_options_count(o, "label");
  size_t ni = odai_options_count(o, "label_items");
  if ((path != NULL) + (nl > 0) + (ni > 0) > 1)
    return odai_calc_error(ctx, ODAI_E_INVALID,
                           "use only one of label_map_path, label and label_items");
  if (path) {
    FILE *f = fopen(path, "r");
    if (!f) return odai_calc_error(ctx, ODAI_E_NOT_FOUND, "cannot open label map '%s'", path);
    char line[512];
    size_t id = 0;
    while (fgets(line, sizeof line, f)) {
      size_t len = strcspn(line, "\r\n");
      if (l2t_set(s, id++, line, len) != ODAI_OK) {
        fclose(f);
        return odai_calc_error(ctx, ODAI_E_INVALID, "label map '%s' too large", path);
      }
    }
    fclose(f);
  }
  for (size_t i = 0; i < nl; i++) {
    const char *t = odai_options_get_string_at(o, "label", i, "");
    if (l2t_set(s, i, t, strlen(t)) != ODAI_OK)
      return odai_calc_error(ctx, ODAI_E_INVALID, "too many labels");
  }
  for (size_t i = 0; i < ni; i++) {
    const odai_options *m = odai_options_get_message_at(o, "label_items", i);
    int64_t key = odai_options_get_int(m, "key", -1);
    const odai_options *v = odai_options_get_message(m, "value");
    const char *name = odai_options_get_string(v, "name", "");
    if (key < 0 || l2t_set(s, (size_t)key, name, strlen(name)) != ODAI_OK)
      return odai_calc_error(ctx, ODAI_E_INVALID, "bad label_items key %lld", (long long)key);
  }
  return ODAI_OK;
}

static odai_status l2t_process(odai_calc_ctx *ctx) {
  l2t_state *s = odai_calc_state(ctx);
  const odai_detections *in = odai_packet_detections(odai_calc_input(ctx, "", 0));
  if (!in) return ODAI_OK;
  odai_detections *out = odai_detections_clone(in);
  if (!out) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  odai_detections_label_id_to_text(out, (const char *const *)s->labels, s->n, s->keep_label_id);
  return emit_detections(ctx, "", 0, out);
}

static odai_status l2t_close(odai_calc_ctx *ctx) {
  l2t_state *s = odai_calc_state(ctx);
  for (size_t i = 0; i < s->n; i++) free(s->labels[i]);
  free(s->labels);
  s->labels = NULL;
  s->n = 0;
  return ODAI_OK;
}

const odai_calculator_def odai_calc_detection_label_id_to_text = {
    "DetectionLabelIdToTextCalculator", "sets detection labels from a label map",
    sizeof(l2t_state), l2t_contract, l2t_open, l2t_process, l2t_close};

/* ==== DetectionTrackingCalculator (odai) =============================== */

#define TRK_OPTS "odai.DetectionTrackingCalculatorOptions"

typedef struct trk_state {
  odai_tracker *t;
} trk_state;

static odai_status trk_contract(odai_contract *c) {
  odai_status st = odai_contract_input(c, "DETECTIONS", ODAI_TYPE_DETECTIONS, 0);
  if (!st) st = odai_contract_output(c, "DETECTIONS", ODAI_TYPE_DETECTIONS, 0);
  if (st) return st;
  odai_contract_options(c, TRK_OPTS);
  odai_contract_timestamp_offset(c, 0);
  return ODAI_OK;
}

static odai_status trk_open(odai_calc_ctx *ctx) {
  trk_state *s = odai_calc_state(ctx);
  const odai_options *o = odai_calc_options(ctx);
  odai_tracker_options to;
  odai_tracker_options_init(&to);
  to.iou_threshold = odai_options_get_float(o, "iou_threshold", to.iou_threshold);
  to.max_missed_frames = (int)odai_options_get_int(o, "max_missed_frames", to.max_missed_frames);
  odai_error err;
  s->t = odai_tracker_create(&to, &err);
  if (!s->t) return odai_calc_error(ctx, err.code, "%s", err.message);
  return ODAI_OK;
}

static odai_status trk_process(odai_calc_ctx *ctx) {
  trk_state *s = odai_calc_state(ctx);
  const odai_detections *in = odai_packet_detections(odai_calc_input(ctx, "DETECTIONS", 0));
  if (!in) return ODAI_OK;
  odai_detections *out = odai_detections_clone(in);
  if (!out) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  odai_error err;
  if (odai_tracker_update(s->t, out, &err) != ODAI_OK) {
    odai_detections_free(out);
    return odai_calc_error(ctx, err.code, "%s", err.message);
  }
  return emit_detections(ctx, "DETECTIONS", 0, out);
}

static odai_status trk_close(odai_calc_ctx *ctx) {
  trk_state *s = odai_calc_state(ctx);
  odai_tracker_free(s->t);
  s->t = NULL;
  return ODAI_OK;
}

const odai_calculator_def odai_calc_detection_tracking = {
    "DetectionTrackingCalculator", "stable track ids across frames (IoU matching)",
    sizeof(trk_state), trk_contract, trk_open, trk_process, trk_close};
