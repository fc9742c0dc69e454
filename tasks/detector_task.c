/* tasks/detector_task.c: the shared body of the detection tasks (see
 * detector_task.h). No detection code: the graph config does the work. */
#include "detector_task.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "odai/packet_types.h"

odai_status odai_det_task_config(const char *name, const odai_det_options *o, const char *file,
                                 const char *default_model, bool resolve, char **out,
                                 odai_error *err) {
  *out = NULL;
  if (o->min_confidence > 1.0f)
    return odai_error_set(err, ODAI_E_INVALID, "%s: min_confidence %g is above 1", name,
                          (double)o->min_confidence);
  if (!(o->suppression_threshold >= 0.0f && o->suppression_threshold <= 1.0f))
    return odai_error_set(err, ODAI_E_INVALID, "%s: suppression_threshold %g is not in [0,1]",
                          name, (double)o->suppression_threshold);
  if (o->max_results == 0 || o->max_results < -1)
    return odai_error_set(err, ODAI_E_INVALID, "%s: max_results %d (>= 1, or -1 for all)", name,
                          o->max_results);
  if (o->num_threads < 1 || o->num_threads > 64)
    return odai_error_set(err, ODAI_E_INVALID, "%s: num_threads %d is not in 1..64", name,
                          o->num_threads);
  const char *text = odai_task_builtin_config(file, NULL);
  if (!text) return odai_error_set(err, ODAI_E_INTERNAL, "%s: built-in config %s missing", name, file);
  odai_task_subst s[5];
  size_t n = 0;
  char model[1024];
  if (resolve || o->model_path) {
    if (resolve) {
      if (odai_task_resolve_model(o->model_path, default_model, model, sizeof model, err) != ODAI_OK)
        return odai_error_prefix(err, "%s: ", name);
    } else {
      snprintf(model, sizeof model, "%s", o->model_path);
    }
    if (odai_task_subst_string(&s[n++], "model_path", model, err) != ODAI_OK)
      return odai_error_prefix(err, "%s: ", name);
  }
  if (o->min_confidence >= 0.0f) odai_task_subst_float(&s[n++], "min_score_thresh", o->min_confidence);
  odai_task_subst_float(&s[n++], "min_suppression_threshold", o->suppression_threshold);
  odai_task_subst_int(&s[n++], "max_num_detections", o->max_results);
  odai_task_subst_int(&s[n++], "num_threads", o->num_threads);
  return odai_task_config_apply(text, s, n, out, err);
}

/* max_results: the weighted NMS (MediaPipe's) ignores max_num_detections;
 * its output is sorted by score, so the best n are the first n. */
static size_t limit(int max_results, size_t n) {
  return max_results > 0 && (size_t)max_results < n ? (size_t)max_results : n;
}

static void deliver(void *user, odai_status status, const odai_packet *const *pkts,
                    const odai_image *image, int64_t ts) {
  odai_det_task *t = user;
  const odai_packet *pkt = pkts ? pkts[0] : NULL;
  /* The result borrows the packet's items: no copy on the callback path. */
  odai_detections d;
  odai_detections_init(&d);
  const odai_detections *src = pkt ? odai_packet_detections(pkt) : NULL;
  if (src) d = *src;
  d.count = limit(t->max_results, d.count);
  t->emit(t->owner, status, status == ODAI_OK ? &d : NULL, image, ts);
}

odai_status odai_det_task_open(odai_det_task *t, const char *name, const char *config_text,
                               const odai_det_options *o, odai_det_emit_fn emit, void *owner,
                               odai_error *err) {
  memset(t, 0, sizeof *t);
  t->name = name;
  t->max_results = o->max_results;
  t->emit = emit;
  t->owner = owner;
  odai_task_runner_config rc = {
      .task_name = name,
      .config_text = config_text,
      .output_stream = o->running_mode == ODAI_RUNNING_MODE_IMAGE ? "detections"
                                                                  : "tracked_detections",
      .num_threads = o->num_threads,
      .mode = o->running_mode,
      .deliver = emit ? deliver : NULL,
      .deliver_user = t,
  };
  return odai_task_runner_create(&rc, &t->r, err);
}

odai_status odai_det_task_run(odai_det_task *t, odai_running_mode mode, odai_image *image,
                              int64_t ts, odai_detections *out, int64_t *timestamp_us,
                              odai_error *err) {
  odai_detections_init(out);
  *timestamp_us = 0;
  odai_packet *pkt = NULL;
  int64_t used = 0;
  odai_status st = odai_task_runner_process(t->r, mode, image, ts, &pkt, &used, err);
  if (st == ODAI_OK) {
    *timestamp_us = used;
    const odai_detections *d = pkt ? odai_packet_detections(pkt) : NULL;
    if (d && odai_detections_copy(out, d, err) != ODAI_OK) st = ODAI_E_NOMEM;
    out->count = limit(t->max_results, out->count);
  }
  odai_packet_unref(pkt);
  return st;
}

odai_status odai_det_task_send(odai_det_task *t, odai_image *image, int64_t ts, odai_error *err) {
  return odai_task_runner_send(t->r, image, ts, err);
}

odai_task_stats odai_det_task_stats(const odai_det_task *t) {
  return odai_task_runner_stats(t ? t->r : NULL);
}

void odai_det_task_close(odai_det_task *t) {
  odai_task_runner_destroy(t->r);
  t->r = NULL;
}
