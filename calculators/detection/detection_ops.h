/* Graph-independent detection algorithms behind the detection calculators:
 * SSD anchors (SsdAnchorsCalculator), tensor decoding
 * (TensorsToDetectionsCalculator), non-maximum suppression
 * (NonMaxSuppressionCalculator), letterbox removal and projection
 * (DetectionLetterboxRemovalCalculator, DetectionProjectionCalculator),
 * detections to rects and rect transformation (DetectionsToRectsCalculator,
 * RectTransformationCalculator), label-id to text and an IoU tracker
 * (DetectionTrackingCalculator). Internal to libodai; the option structs
 * mirror MediaPipe's protos field by field so calculators can fill them
 * straight from a graph config. No function here allocates per element;
 * outputs go to caller-owned lists whose capacity is reused across frames.
 * Thread-safety: stateless functions are reentrant; a tracker or scratch
 * object belongs to one thread at a time. */
#ifndef ODAI_CALC_DETECTION_OPS_H
#define ODAI_CALC_DETECTION_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "odai/common.h"
#include "odai/detection.h"
#include "odai/types.h"

#define ODAI_SSD_MAX_LAYERS 16
#define ODAI_SSD_MAX_ASPECT_RATIOS 16
#define ODAI_MAX_CLASS_FILTER 32

/* Packet type of SsdAnchorsCalculator's side packet: payload odai_anchors *
 * ("odai.Anchors"), defined in detection_calculators.c. */
extern const odai_type odai_type_anchors;

/* ---- SsdAnchorsCalculatorOptions -------------------------------------- */

typedef struct odai_ssd_anchor_options {
  int32_t input_size_width, input_size_height;
  float min_scale, max_scale;
  float anchor_offset_x, anchor_offset_y; /* default 0.5 */
  int32_t num_layers;
  int32_t num_feature_map_width, num_feature_map_height;
  int32_t feature_map_width[ODAI_SSD_MAX_LAYERS];
  int32_t feature_map_height[ODAI_SSD_MAX_LAYERS];
  int32_t num_strides;
  int32_t strides[ODAI_SSD_MAX_LAYERS];
  int32_t num_aspect_ratios;
  float aspect_ratios[ODAI_SSD_MAX_ASPECT_RATIOS];
  bool reduce_boxes_in_lowest_layer;    /* default false */
  float interpolated_scale_aspect_ratio; /* default 1.0; 0 = no extra anchor */
  bool fixed_anchor_size;               /* default false */
  bool multiscale_anchor_generation;    /* default false */
  int32_t min_level, max_level;         /* default 3, 7 (multiscale only) */
  float anchor_scale;                   /* default 4.0 (multiscale only) */
  int32_t scales_per_octave;            /* default 2 (multiscale only) */
  bool normalize_coordinates;           /* default true (multiscale only) */
} odai_ssd_anchor_options;

/* Fill *o with the proto defaults (everything else zero). */
void odai_ssd_anchor_options_init(odai_ssd_anchor_options *o);

/* MediaPipe's face detection module presets: short range (128x128, 896
 * anchors) and full range (192x192, 2304 anchors). */
void odai_ssd_anchor_options_face_short_range(odai_ssd_anchor_options *o);
void odai_ssd_anchor_options_face_full_range(odai_ssd_anchor_options *o);
/* MediaPipe's pose_detection (224x224, 2254 anchors) and palm_detection
 * (192x192, 2016 anchors) presets. */
void odai_ssd_anchor_options_pose_detection(odai_ssd_anchor_options *o);
void odai_ssd_anchor_options_palm_detection(odai_ssd_anchor_options *o);

/* Generate anchors as SsdAnchorsCalculator does, into out (its old items
 * are freed). ODAI_E_INVALID with a message on inconsistent options. */
odai_status odai_ssd_anchors_generate(const odai_ssd_anchor_options *o, odai_anchors *out,
                                      odai_error *err);

/* ---- TensorsToDetectionsCalculatorOptions ----------------------------- */

typedef enum odai_box_format {
  ODAI_BOX_FORMAT_UNSPECIFIED = 0,
  ODAI_BOX_FORMAT_YXHW = 1,
  ODAI_BOX_FORMAT_XYWH = 2,
  ODAI_BOX_FORMAT_XYXY = 3
} odai_box_format;

typedef struct odai_ssd_decode_options {
  int32_t num_classes, num_boxes, num_coords;
  int32_t keypoint_coord_offset;
  int32_t num_keypoints;           /* default 0 */
  int32_t num_values_per_keypoint; /* default 2 (only 2 supported) */
  int32_t box_coord_offset;        /* default 0 */
  float x_scale, y_scale, w_scale, h_scale;
  bool apply_exponential_on_box_size;
  bool reverse_output_order; /* XYWH when box_format is unset */
  int32_t num_ignore_classes, ignore_classes[ODAI_MAX_CLASS_FILTER];
  int32_t num_allow_classes, allow_classes[ODAI_MAX_CLASS_FILTER];
  bool sigmoid_score;
  bool has_score_clipping_thresh;
  float score_clipping_thresh;
  bool flip_vertically;
  bool has_min_score_thresh;
  float min_score_thresh;
  int32_t max_results; /* default -1 (no limit) */
  bool has_box_format;
  odai_box_format box_format;
} odai_ssd_decode_options;

void odai_ssd_decode_options_init(odai_ssd_decode_options *o);

/* MediaPipe FaceDetectionShortRange / FullRange decoding presets
 * (min_score_thresh 0.5 / 0.6). */
void odai_ssd_decode_options_face_short_range(odai_ssd_decode_options *o);
void odai_ssd_decode_options_face_full_range(odai_ssd_decode_options *o);
/* pose_detection: 12 coords, 4 keypoints; palm_detection: 18 coords, 7
 * keypoints (both min_score_thresh 0.5). */
void odai_ssd_decode_options_pose_detection(odai_ssd_decode_options *o);
void odai_ssd_decode_options_palm_detection(odai_ssd_decode_options *o);

/* Check the options once (at open time): sizes, offsets, scales. */
odai_status odai_ssd_decode_options_check(const odai_ssd_decode_options *o, odai_error *err);

/* Decode raw model outputs into detections appended to `out`:
 * raw_boxes holds num_boxes*num_coords floats, raw_scores num_boxes*
 * num_classes, anchors num_boxes entries. Scores are sigmoid-ed (with
 * clipping) when asked, the best allowed class wins, boxes under
 * min_score_thresh or with negative/NaN size are dropped. Boxes whose score
 * is clearly under the threshold are skipped before any exp() or box maths,
 * so decoding 2304 anchors costs a few microseconds. */
odai_status odai_decode_detections(const odai_ssd_decode_options *o, const float *raw_boxes,
                                   size_t raw_boxes_len, const float *raw_scores,
                                   size_t raw_scores_len, const odai_anchor *anchors,
                                   size_t num_anchors, odai_detections *out, odai_error *err);

/* ---- NonMaxSuppressionCalculatorOptions ------------------------------- */

typedef enum odai_overlap_type {
  ODAI_OVERLAP_UNSPECIFIED = 0,
  /* MediaPipe's JACCARD: intersection / area of the box enclosing both. */
  ODAI_OVERLAP_JACCARD = 1,
  /* intersection / area of the second (the newer, lower-scored) box. */
  ODAI_OVERLAP_MODIFIED_JACCARD = 2,
  /* intersection / (area1 + area2 - intersection), the usual IoU. */
  ODAI_OVERLAP_INTERSECTION_OVER_UNION = 3,
  /* odai: intersection / the smaller area (IoM): suppresses a box nested
   * inside a bigger one whatever their size ratio. */
  ODAI_OVERLAP_INTERSECTION_OVER_MIN = 4
} odai_overlap_type;

typedef enum odai_nms_algorithm { ODAI_NMS_DEFAULT = 0, ODAI_NMS_WEIGHTED = 1 } odai_nms_algorithm;

typedef struct odai_nms_options {
  int32_t num_detection_streams;   /* default 1 */
  int32_t max_num_detections;      /* default -1 (no limit; DEFAULT only) */
  float min_score_threshold;       /* default -1 (off) */
  float min_suppression_threshold; /* default 1.0 */
  odai_overlap_type overlap_type;  /* default JACCARD */
  bool return_empty_detections;    /* default false */
  odai_nms_algorithm algorithm;    /* default DEFAULT */
} odai_nms_options;

void odai_nms_options_init(odai_nms_options *o);

/* Reusable working memory for odai_nms (grown on demand, then reused). */
typedef struct odai_nms_scratch {
  uint32_t *order, *remained, *candidates;
  size_t capacity;
} odai_nms_scratch;

void odai_nms_scratch_fini(odai_nms_scratch *s);

/* Overlap of two relative boxes (xmin, ymin, width, height) by `type`;
 * 0 when they do not touch or the normaliser is 0. */
float odai_box_overlap(odai_overlap_type type, const odai_detection *a, const odai_detection *b);

/* Suppress overlapping detections: out receives (replacing its contents)
 * the survivors by decreasing score. DEFAULT keeps the best of each
 * cluster; WEIGHTED replaces it with the score-weighted mean box and
 * keypoints of its cluster (the top detection's score and labels kept). */
odai_status odai_nms(const odai_nms_options *o, const odai_detections *in, odai_detections *out,
                     odai_nms_scratch *scratch, odai_error *err);

/* ---- letterbox removal and projection --------------------------------- */

/* Undo letterbox padding (left, top, right, bottom, relative to the padded
 * tensor, as ImageToTensorCalculator's LETTERBOX_PADDING) in place. */
odai_status odai_detections_remove_letterbox(odai_detections *dets, const float padding[4],
                                             odai_error *err);

/* Map boxes and keypoints through a row-major 4x4 projection matrix (only
 * the 2D affine part is used), in place; the box becomes the axis-aligned
 * bound of the projected corners (DetectionProjectionCalculator). */
void odai_detections_project(odai_detections *dets, const float m[16]);

/* ---- DetectionsToRectsCalculatorOptions, RectTransformation ----------- */

typedef enum odai_rect_conversion {
  ODAI_RECT_CONVERSION_DEFAULT = 0,
  ODAI_RECT_CONVERSION_USE_BOUNDING_BOX = 1,
  ODAI_RECT_CONVERSION_USE_KEYPOINTS = 2
} odai_rect_conversion;

typedef struct odai_detections_to_rects_options {
  bool has_rotation_vector; /* start/end keypoint indices and angle set */
  int32_t rotation_vector_start_keypoint_index;
  int32_t rotation_vector_end_keypoint_index;
  float rotation_vector_target_angle; /* radians (use degrees * pi / 180) */
  bool output_zero_rect_for_empty_detections;
  odai_rect_conversion conversion_mode;
} odai_detections_to_rects_options;

/* Angle wrapped to [-pi, pi) as MediaPipe's NormalizeRadians. */
float odai_normalize_radians(float angle);

/* Detection -> NormalizedRect. image_width/height are needed for rotation
 * (pass 0 when there is no IMAGE_SIZE; rotation then errors). */
odai_status odai_detection_to_norm_rect(const odai_detections_to_rects_options *o,
                                        const odai_detection *d, int image_width,
                                        int image_height, odai_norm_rect *out, odai_error *err);

/* Detection -> pixel Rect (keypoint mode and rotation use the image size). */
odai_status odai_detection_to_rect(const odai_detections_to_rects_options *o,
                                   const odai_detection *d, int image_width, int image_height,
                                   odai_rect *out, odai_error *err);

typedef struct odai_rect_transform_options {
  float scale_x, scale_y; /* default 1.0 */
  bool has_rotation;
  float rotation; /* radians, added to the rect's rotation */
  float shift_x, shift_y;
  bool square_long, square_short;
} odai_rect_transform_options;

void odai_rect_transform_options_init(odai_rect_transform_options *o);

/* RectTransformationCalculator on a NormalizedRect / Rect, in place. As in
 * MediaPipe, the rotation option only steers the shift direction: the
 * rect's own rotation field is left as it was. */
void odai_norm_rect_transform(const odai_rect_transform_options *o, odai_norm_rect *r,
                              int image_width, int image_height);
void odai_rect_transform(const odai_rect_transform_options *o, odai_rect *r);

/* ---- DetectionLabelIdToTextCalculator --------------------------------- */

/* Set each detection's label from labels[label_id] (ids out of range keep
 * their label); when keep_label_id is false the id is reset to -1. */
void odai_detections_label_id_to_text(odai_detections *dets, const char *const *labels,
                                      size_t num_labels, bool keep_label_id);

/* ---- tracking ------------------------------------------------------- */

typedef struct odai_tracker_options {
  float iou_threshold;   /* min IoU to continue a track (default 0.3) */
  int max_missed_frames; /* frames a track survives unseen (default 5) */
} odai_tracker_options;

void odai_tracker_options_init(odai_tracker_options *o);

typedef struct odai_tracker odai_tracker;

/* transfer full; NULL on OOM or bad options (err says which). */
odai_tracker *odai_tracker_create(const odai_tracker_options *o, odai_error *err);
void odai_tracker_free(odai_tracker *t);

/* Assign track_id to every detection in place: a detection continues the
 * live track it overlaps most (greedy by IoU, at least iou_threshold; same
 * label_id), else starts a new track with a fresh id (1, 2, ...). Tracks
 * unseen for more than max_missed_frames are dropped. A detection without an
 * identity inherits its track's last identity (so recognition need not run
 * every frame); one with an identity updates its track's. */
odai_status odai_tracker_update(odai_tracker *t, odai_detections *dets, odai_error *err);

/* Live tracks (seen within max_missed_frames). */
size_t odai_tracker_num_tracks(const odai_tracker *t);

#endif /* ODAI_CALC_DETECTION_OPS_H */
