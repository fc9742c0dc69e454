/* calculators/registry.h: the built-in calculator table (one line per
 * calculator in calculators/registry.c). graph/ reads it through
 * odai_builtin_calculators(); users find calculators with
 * odai_calculator_find(). Internal header. */
#ifndef ODAI_CALCULATORS_REGISTRY_H
#define ODAI_CALCULATORS_REGISTRY_H

#include <stddef.h>

#include "odai/calculator.h"

/* The built-in table and its length. */
const odai_calculator_def *const *odai_builtin_calculators(size_t *n);

/* A file embedded in the library at build time (cmake/EmbedFiles.cmake). */
typedef struct odai_embedded_file {
  const char *name; /* base name, e.g. "face_detection_short_range_cpu.pbtxt" */
  const char *data; /* NUL-terminated */
  size_t size;      /* without the NUL */
} odai_embedded_file;

/* Built-in subgraphs: the .pbtxt files of configs/modules/, each with a `type:`. The
 * subgraph registry (graph/subgraph.c) falls back to these when a type is
 * not registered by the user, so user registrations take precedence. */
extern const odai_embedded_file odai_builtin_subgraph_files[];
extern const size_t odai_builtin_subgraph_files_count;

/* calculators/flow/ */
extern const odai_calculator_def odai_calc_pass_through;
extern const odai_calculator_def odai_calc_flow_limiter;
extern const odai_calculator_def odai_calc_packet_thinner;
extern const odai_calculator_def odai_calc_gate;
extern const odai_calculator_def odai_calc_previous_loopback;
extern const odai_calculator_def odai_calc_packet_cloner;
extern const odai_calculator_def odai_calc_side_packet_to_stream;
extern const odai_calculator_def odai_calc_constant_side_packet;
extern const odai_calculator_def odai_calc_counting_source;

/* calculators/inference/ */
extern const odai_calculator_def odai_calc_image_to_tensor;
extern const odai_calculator_def odai_calc_inference;
extern const odai_calculator_def odai_calc_inference_cpu;
extern const odai_calculator_def odai_calc_tflite_inference;
extern const odai_calculator_def odai_calc_tensors_to_floats;

/* calculators/detection/ */
extern const odai_calculator_def odai_calc_ssd_anchors;
extern const odai_calculator_def odai_calc_tensors_to_detections;
extern const odai_calculator_def odai_calc_non_max_suppression;
extern const odai_calculator_def odai_calc_detection_letterbox_removal;
extern const odai_calculator_def odai_calc_detection_projection;
extern const odai_calculator_def odai_calc_detections_to_rects;
extern const odai_calculator_def odai_calc_rect_transformation;
extern const odai_calculator_def odai_calc_detection_label_id_to_text;
extern const odai_calculator_def odai_calc_detection_tracking;
/* calculators/face/ */
extern const odai_calculator_def odai_calc_face_embedder;
extern const odai_calculator_def odai_calc_face_recognizer;
extern const odai_calculator_def odai_calc_face_detection_merge;
/* calculators/render/ */
extern const odai_calculator_def odai_calc_detections_to_render_data;
extern const odai_calculator_def odai_calc_annotation_overlay;
/* calculators/segmentation/ */
extern const odai_calculator_def odai_calc_tensors_to_segmentation;
extern const odai_calculator_def odai_calc_segmentation_smoothing;
extern const odai_calculator_def odai_calc_recolor;
extern const odai_calculator_def odai_calc_mask_overlay;

/* calculators/compat/ */
extern const odai_calculator_def odai_calc_local_file_contents;
extern const odai_calculator_def odai_calc_tflite_model;
extern const odai_calculator_def odai_calc_tflite_custom_op_resolver;
extern const odai_calculator_def odai_calc_switch_demux;
extern const odai_calculator_def odai_calc_switch_mux;
extern const odai_calculator_def odai_calc_alignment_points_to_detections;

/* calculators/capture/ */
extern const odai_calculator_def odai_calc_video_source;
extern const odai_calculator_def odai_calc_opencv_video_decoder;
extern const odai_calculator_def odai_calc_camera_source;
extern const odai_calculator_def odai_calc_image_file_source;

/* calculators/render/ (sinks) */
extern const odai_calculator_def odai_calc_image_file_sink;
extern const odai_calculator_def odai_calc_video_sink;
extern const odai_calculator_def odai_calc_opencv_video_encoder;
extern const odai_calculator_def odai_calc_sdl_display;
extern const odai_calculator_def odai_calc_detections_json_writer;
extern const odai_calculator_def odai_calc_media_sink;

/* calculators/image/ */
extern const odai_calculator_def odai_calc_color_convert;
extern const odai_calculator_def odai_calc_image_transformation;
extern const odai_calculator_def odai_calc_image_cropping;
extern const odai_calculator_def odai_calc_image_properties;
extern const odai_calculator_def odai_calc_to_image;
extern const odai_calculator_def odai_calc_from_image;

/* calculators/doorbell/ */
extern const odai_calculator_def odai_calc_motion_gate, odai_calc_visit_state, odai_calc_doorbell_clip,
    odai_calc_detections_fill;

#endif /* ODAI_CALCULATORS_REGISTRY_H */
