/* odai_person_detector (odai/person_detector.h): MediaPipe's pose detector
 * as a task object. Takes the built-in config (tasks/configs/
 * person_detector.pbtxt), sets its options and runs it through
 * task_runner; no detection code of its own. */
#include "odai/person_detector.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "odai/packet_types.h"
#include "task_runner.h"

#define TASK "person_detector"

struct odai_person_detector {
  odai_task_runner *r;
  int max_results; /* -1 = all */
  odai_person_detector_result_fn cb;
  void *user;
};

void odai_person_detector_options_init(odai_person_detector_options *o) {
  memset(o, 0, sizeof *o);
  o->model_path = NULL;
  o->min_confidence = -1.0f;
  o->suppression_threshold = 0.3f;
  o->max_results = -1;
  o->num_threads = 1;
  o->running_mode = ODAI_RUNNING_MODE_IMAGE;
}

/* The config text for o; resolve = look the model up (create) or keep the
 * config's MediaPipe-style path (graph_config with the default model). */
static odai_status build_config(const odai_person_detector_options *o, bool resolve, char **out,
                                odai_error *err) {
  *out = NULL;
  odai_person_detector_options d;
  if (!o) {
    odai_person_detector_options_init(&d);
    o = &d;
  }
  if (o->min_confidence > 1.0f)
    return odai_error_set(err, ODAI_E_INVALID, TASK ": min_confidence %g is above 1",
                          (double)o->min_confidence);
  if (!(o->suppression_threshold >= 0.0f && o->suppression_threshold <= 1.0f))
    return odai_error_set(err, ODAI_E_INVALID, TASK ": suppression_threshold %g is not in [0,1]",
                          (double)o->suppression_threshold);
  if (o->max_results == 0 || o->max_results < -1)
    return odai_error_set(err, ODAI_E_INVALID, TASK ": max_results %d (>= 1, or -1 for all)",
                          o->max_results);
  if (o->num_threads < 1 || o->num_threads > 64)
    return odai_error_set(err, ODAI_E_INVALID, TASK ": num_threads %d is not in 1..64",
                          o->num_threads);
  const char *file = "person_detector.pbtxt";
  const char *def = "mediapipe/modules/pose_detection/pose_detection.tflite";
  const char *text = odai_task_builtin_config(file, NULL);
  if (!text) return odai_error_set(err, ODAI_E_INTERNAL, TASK ": built-in config %s missing", file);
  odai_task_subst s[5];
  size_t n = 0;
  char model[1024];
  if (resolve || o->model_path) {
    if (resolve) {
      odai_status st = odai_task_resolve_model(o->model_path, def, model, sizeof model, err);
      if (st != ODAI_OK) return odai_error_prefix(err, TASK ": ");
    } else {
      snprintf(model, sizeof model, "%s", o->model_path);
    }
    if (odai_task_subst_string(&s[n++], "model_path", model, err) != ODAI_OK)
      return odai_error_prefix(err, TASK ": ");
  }
  if (o->min_confidence >= 0.0f) odai_task_subst_float(&s[n++], "min_score_thresh", o->min_confidence);
  odai_task_subst_float(&s[n++], "min_suppression_threshold", o->suppression_threshold);
  odai_task_subst_int(&s[n++], "max_num_detections", o->max_results);
  odai_task_subst_int(&s[n++], "num_threads", o->num_threads);
  return odai_task_config_apply(text, s, n, out, err);
}

char *odai_person_detector_graph_config(const odai_person_detector_options *o) {
  char *text = NULL;
  if (build_config(o, false, &text, NULL) != ODAI_OK) return NULL;
  return text;
}

/* max_results: the weighted NMS (MediaPipe's) ignores max_num_detections;
 * its output is sorted by score, so the best n are the first n. */
static size_t limit(int max_results, size_t n) {
  return max_results > 0 && (size_t)max_results < n ? (size_t)max_results : n;
}

static odai_status fill_result(const odai_packet *pkt, int64_t ts, int max_results,
                               odai_person_detector_result *res, odai_error *err) {
  odai_detections_init(&res->detections);
  res->timestamp_us = ts;
  const odai_detections *d = pkt ? odai_packet_detections(pkt) : NULL;
  if (d && odai_detections_copy(&res->detections, d, err) != ODAI_OK) return ODAI_E_NOMEM;
  res->detections.count = limit(max_results, res->detections.count);
  return ODAI_OK;
}

static void deliver(void *user, odai_status status, const odai_packet *const *pkts,
                    const odai_image *image, int64_t ts) {
  const odai_packet *pkt = pkts ? pkts[0] : NULL;
  odai_person_detector *pd = user;
  odai_person_detector_result res;
  /* The result borrows the packet's items: no copy on the callback path. */
  odai_detections_init(&res.detections);
  const odai_detections *d = pkt ? odai_packet_detections(pkt) : NULL;
  if (d) res.detections = *d;
  res.detections.count = limit(pd->max_results, res.detections.count);
  res.timestamp_us = ts;
  pd->cb(pd->user, status, status == ODAI_OK ? &res : NULL, image, ts);
}

odai_status odai_person_detector_create(const odai_person_detector_options *o,
                                      odai_person_detector **out, odai_error *err) {
  if (!o || !out) return odai_error_set(err, ODAI_E_INVALID, TASK ": options and out are required");
  *out = NULL;
  odai_person_detector *pd = calloc(1, sizeof *pd);
  if (!pd) return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  pd->cb = o->result_callback;
  pd->max_results = o->max_results;
  pd->user = o->user_data;
  char *text = NULL;
  odai_status st = build_config(o, true, &text, err);
  if (st != ODAI_OK) goto fail;
  odai_task_runner_config rc = {
      .task_name = TASK,
      .config_text = text,
      .output_stream = o->running_mode == ODAI_RUNNING_MODE_IMAGE ? "detections"
                                                                  : "tracked_detections",
      .num_threads = o->num_threads,
      .mode = o->running_mode,
      .deliver = o->result_callback ? deliver : NULL,
      .deliver_user = pd,
  };
  st = odai_task_runner_create(&rc, &pd->r, err);
  free(text);
  if (st != ODAI_OK) goto fail;
  *out = pd;
  return ODAI_OK;
fail:
  free(pd);
  return st;
}

static odai_status run(odai_person_detector *d, odai_running_mode mode, odai_image *image,
                       int64_t ts, odai_person_detector_result *result, odai_error *err) {
  if (!d || !result) return odai_error_set(err, ODAI_E_INVALID, TASK ": detector and result are required");
  odai_detections_init(&result->detections);
  result->timestamp_us = 0;
  odai_packet *pkt = NULL;
  int64_t used = 0;
  odai_status st = odai_task_runner_process(d->r, mode, image, ts, &pkt, &used, err);
  if (st == ODAI_OK) st = fill_result(pkt, used, d->max_results, result, err);
  odai_packet_unref(pkt);
  return st;
}

odai_status odai_person_detector_detect(odai_person_detector *d, odai_image *image,
                                      odai_person_detector_result *result, odai_error *err) {
  return run(d, ODAI_RUNNING_MODE_IMAGE, image, 0, result, err);
}

odai_status odai_person_detector_detect_for_video(odai_person_detector *d, odai_image *image,
                                                int64_t timestamp_us,
                                                odai_person_detector_result *result,
                                                odai_error *err) {
  return run(d, ODAI_RUNNING_MODE_VIDEO, image, timestamp_us, result, err);
}

odai_status odai_person_detector_detect_async(odai_person_detector *d, odai_image *image,
                                            int64_t timestamp_us, odai_error *err) {
  if (!d) return odai_error_set(err, ODAI_E_INVALID, TASK ": detector is NULL");
  return odai_task_runner_send(d->r, image, timestamp_us, err);
}

odai_task_stats odai_person_detector_stats(const odai_person_detector *d) {
  return odai_task_runner_stats(d ? d->r : NULL);
}

void odai_person_detector_result_free(odai_person_detector_result *result) {
  if (!result) return;
  odai_detections_fini(&result->detections);
  odai_detections_init(&result->detections);
}

void odai_person_detector_close(odai_person_detector *d) {
  if (!d) return;
  odai_task_runner_destroy(d->r);
  free(d);
}
