/* tasks/detector_task.h: the shared body of the detection tasks
 * (odai_face_detector, odai_person_detector): option checks, the built-in
 * config with options substituted, the runner, IMAGE/VIDEO runs and
 * LIVE_STREAM delivery. Each public task is a thin typed wrapper over it.
 * Internal header. */
#ifndef ODAI_TASKS_DETECTOR_TASK_H
#define ODAI_TASKS_DETECTOR_TASK_H

#include <stdbool.h>

#include "odai/detection.h"
#include "odai/task.h"
#include "task_runner.h"

/* The options every detection task has, copied from its public options. */
typedef struct odai_det_options {
  const char *model_path;      /* NULL = default_model */
  float min_confidence;        /* < 0: the config's own threshold */
  float suppression_threshold; /* [0, 1] */
  int max_results;             /* >= 1, or -1 for all */
  int num_threads;             /* 1..64 */
  odai_running_mode running_mode;
} odai_det_options;

/* LIVE_STREAM delivery to the wrapper: dets are transfer none (the frame's
 * detections, already limited to max_results; NULL on error). */
typedef void (*odai_det_emit_fn)(void *owner, odai_status status, const odai_detections *dets,
                                 const odai_image *image, int64_t timestamp_us);

typedef struct odai_det_task {
  const char *name; /* "face_detector" (static) */
  odai_task_runner *r;
  int max_results;
  odai_det_emit_fn emit;
  void *owner;
} odai_det_task;

/* The built-in config `file` with o's options substituted. resolve: look
 * the model up in the cache (create) rather than keep a MediaPipe-style
 * path (graph_config). Checks the options; errors name the task. */
odai_status odai_det_task_config(const char *name, const odai_det_options *o, const char *file,
                                 const char *default_model, bool resolve, char **out,
                                 odai_error *err);

/* Start the task's graph from config_text (emit may be NULL outside
 * LIVE_STREAM). t is caller-owned memory. */
odai_status odai_det_task_open(odai_det_task *t, const char *name, const char *config_text,
                               const odai_det_options *o, odai_det_emit_fn emit, void *owner,
                               odai_error *err);

/* IMAGE/VIDEO: run one frame; *out receives a copy (transfer full: free
 * with odai_detections_fini), *timestamp_us the frame's timestamp. */
odai_status odai_det_task_run(odai_det_task *t, odai_running_mode mode, odai_image *image,
                              int64_t ts, odai_detections *out, int64_t *timestamp_us,
                              odai_error *err);

/* LIVE_STREAM: offer a frame (dropped and counted when busy). */
odai_status odai_det_task_send(odai_det_task *t, odai_image *image, int64_t ts, odai_error *err);

odai_task_stats odai_det_task_stats(const odai_det_task *t);
void odai_det_task_close(odai_det_task *t);

#endif
