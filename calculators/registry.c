/* calculators/registry.c: the one list of built-in calculators (as
 * FFmpeg's allfilters.c lists its filters). Adding a calculator = its .c
 * file + one extern in registry.h + one line here + a test + a line in
 * docs/calculators.md. */
#include "calculators/registry.h"

static const odai_calculator_def *const k_builtin[] = {
    /* flow/ */
    &odai_calc_pass_through,
    &odai_calc_flow_limiter,
    &odai_calc_packet_thinner,
    &odai_calc_gate,
    &odai_calc_previous_loopback,
    &odai_calc_packet_cloner,
    &odai_calc_side_packet_to_stream,
    &odai_calc_constant_side_packet,
    &odai_calc_counting_source,
    /* inference/ */
    &odai_calc_image_to_tensor,
    &odai_calc_inference,
    &odai_calc_inference_cpu,
    &odai_calc_tflite_inference,
    &odai_calc_tensors_to_floats,
    /* capture/ */
    &odai_calc_video_source,
    &odai_calc_opencv_video_decoder,
    &odai_calc_camera_source,
    &odai_calc_image_file_source,
    /* image/ */
    &odai_calc_color_convert,
    &odai_calc_image_transformation,
    &odai_calc_image_cropping,
    &odai_calc_image_properties,
    &odai_calc_to_image,
    &odai_calc_from_image,
    /* render/ sinks */
    &odai_calc_image_file_sink,
    &odai_calc_video_sink,
    &odai_calc_opencv_video_encoder,
    &odai_calc_sdl_display,
    &odai_calc_detections_json_writer,
    &odai_calc_media_sink,
    /* detection/ */
    &odai_calc_ssd_anchors,
    &odai_calc_tensors_to_detections,
    &odai_calc_non_max_suppression,
    &odai_calc_detection_letterbox_removal,
    &odai_calc_detection_projection,
    &odai_calc_detections_to_rects,
    &odai_calc_rect_transformation,
    &odai_calc_detection_label_id_to_text,
    &odai_calc_detection_tracking,
    &odai_calc_face_embedder,
    &odai_calc_face_recognizer,
    &odai_calc_face_detection_merge,
    /* render/ annotations */
    &odai_calc_detections_to_render_data,
    &odai_calc_annotation_overlay,
    /* segmentation/ */
    &odai_calc_tensors_to_segmentation,
    &odai_calc_segmentation_smoothing,
    &odai_calc_recolor,
    &odai_calc_mask_overlay,
    /* compat/ (MediaPipe module plumbing) */
    &odai_calc_local_file_contents,
    &odai_calc_tflite_model,
    &odai_calc_tflite_custom_op_resolver,
    &odai_calc_switch_demux,
    &odai_calc_switch_mux,
    &odai_calc_alignment_points_to_detections,
    /* doorbell/ */
    &odai_calc_motion_gate, &odai_calc_visit_state, &odai_calc_doorbell_clip,
    &odai_calc_detections_fill,
};

const odai_calculator_def *const *odai_builtin_calculators(size_t *n) {
  *n = sizeof k_builtin / sizeof k_builtin[0];
  return k_builtin;
}
