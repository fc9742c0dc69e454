/* odai_face_detector (odai/face_detector.h): BlazeFace short/full range as
 * a task object, running the built-in config tasks/configs/
 * face_detector_*_range.pbtxt.
 * A thin typed wrapper over tasks/detector_task.c, which checks the
 * options, fills in the built-in config and runs it; no detection code of
 * its own. */
#include "odai/face_detector.h"

#include <stdlib.h>
#include <string.h>

#include "detector_task.h"

#define TASK "face_detector"

struct odai_face_detector {
  odai_det_task t;
  odai_face_detector_result_fn cb;
  void *user;
};

void odai_face_detector_options_init(odai_face_detector_options *o) {
  memset(o, 0, sizeof *o);
  o->model_path = NULL;
  o->model = ODAI_FACE_DETECTOR_SHORT_RANGE;
  o->min_confidence = -1.0f;
  o->suppression_threshold = 0.3f;
  o->max_results = -1;
  o->num_threads = 1;
  o->running_mode = ODAI_RUNNING_MODE_IMAGE;
}

static odai_det_options common(const odai_face_detector_options *o) {
  odai_det_options c = {o->model_path, o->min_confidence, o->suppression_threshold,
                        o->max_results, o->num_threads, o->running_mode};
  return c;
}

/* The config text for o; resolve = look the model up (create) or keep the
 * config's MediaPipe-style path (graph_config with the default model). */
static odai_status build_config(const odai_face_detector_options *o, bool resolve, char **out,
                                odai_error *err) {
  *out = NULL;
  odai_face_detector_options d;
  if (!o) {
    odai_face_detector_options_init(&d);
    o = &d;
  }
  if (o->model != ODAI_FACE_DETECTOR_SHORT_RANGE && o->model != ODAI_FACE_DETECTOR_FULL_RANGE)
    return odai_error_set(err, ODAI_E_INVALID, TASK ": unknown model %d (SHORT_RANGE or FULL_RANGE)",
                          (int)o->model);
  const bool full = o->model == ODAI_FACE_DETECTOR_FULL_RANGE;
  odai_det_options c = common(o);
  return odai_det_task_config(TASK, &c, full ? "face_detector_full_range.pbtxt" : "face_detector_short_range.pbtxt", 
      full ? "mediapipe/modules/face_detection/face_detection_full_range_sparse.tflite"
           : "mediapipe/modules/face_detection/face_detection_short_range.tflite", resolve, out, err);
}

char *odai_face_detector_graph_config(const odai_face_detector_options *o) {
  char *text = NULL;
  if (build_config(o, false, &text, NULL) != ODAI_OK) return NULL;
  return text;
}

static void emit(void *owner, odai_status status, const odai_detections *dets,
                 const odai_image *image, int64_t ts) {
  odai_face_detector *x = owner;
  odai_face_detector_result res;
  if (dets) {
    res.detections = *dets; /* borrowed for the call: no copy */
    res.timestamp_us = ts;
  }
  x->cb(x->user, status, dets ? &res : NULL, image, ts);
}

odai_status odai_face_detector_create(const odai_face_detector_options *o, odai_face_detector **out,
                                  odai_error *err) {
  if (!o || !out) return odai_error_set(err, ODAI_E_INVALID, TASK ": options and out are required");
  *out = NULL;
  odai_face_detector *x = calloc(1, sizeof *x);
  if (!x) return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  x->cb = o->result_callback;
  x->user = o->user_data;
  char *text = NULL;
  odai_status st = build_config(o, true, &text, err);
  if (st == ODAI_OK) {
    odai_det_options c = common(o);
    st = odai_det_task_open(&x->t, TASK, text, &c, o->result_callback ? emit : NULL, x,
                            err);
  }
  free(text);
  if (st != ODAI_OK) {
    free(x);
    return st;
  }
  *out = x;
  return ODAI_OK;
}

static odai_status run(odai_face_detector *x, odai_running_mode mode, odai_image *image, int64_t ts,
                       odai_face_detector_result *result, odai_error *err) {
  if (!x || !result)
    return odai_error_set(err, ODAI_E_INVALID, TASK ": detector and result are required");
  return odai_det_task_run(&x->t, mode, image, ts, &result->detections, &result->timestamp_us,
                           err);
}

odai_status odai_face_detector_detect(odai_face_detector *x, odai_image *image, odai_face_detector_result *result,
                                  odai_error *err) {
  return run(x, ODAI_RUNNING_MODE_IMAGE, image, 0, result, err);
}

odai_status odai_face_detector_detect_for_video(odai_face_detector *x, odai_image *image, int64_t timestamp_us,
                                            odai_face_detector_result *result, odai_error *err) {
  return run(x, ODAI_RUNNING_MODE_VIDEO, image, timestamp_us, result, err);
}

odai_status odai_face_detector_detect_async(odai_face_detector *x, odai_image *image, int64_t timestamp_us,
                                        odai_error *err) {
  if (!x) return odai_error_set(err, ODAI_E_INVALID, TASK ": detector is NULL");
  return odai_det_task_send(&x->t, image, timestamp_us, err);
}

odai_task_stats odai_face_detector_stats(const odai_face_detector *x) {
  return odai_det_task_stats(x ? &x->t : NULL);
}

void odai_face_detector_result_free(odai_face_detector_result *result) {
  if (!result) return;
  odai_detections_fini(&result->detections);
  odai_detections_init(&result->detections);
}

void odai_face_detector_close(odai_face_detector *x) {
  if (!x) return;
  odai_det_task_close(&x->t);
  free(x);
}
