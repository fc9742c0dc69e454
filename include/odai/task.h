/* odai/task.h: what every task object (face_detector.h, person_detector.h,
 * image_segmenter.h) shares: the running modes, the frame counters and the
 * string type returned by the *_graph_config() functions.
 *
 * A task wraps a graph config built into libodai (the same calculators as
 * configs/) behind create / detect / close. Three running modes, chosen at
 * create time (MediaPipe Tasks' modes):
 * - ODAI_RUNNING_MODE_IMAGE: detect(image) -> result; independent images.
 * - ODAI_RUNNING_MODE_VIDEO: detect_for_video(image, timestamp_us) ->
 *   result; timestamps must increase; tracking (detectors) or temporal
 *   smoothing (segmenter) is on.
 * - ODAI_RUNNING_MODE_LIVE_STREAM: detect_async(image, timestamp_us)
 *   returns at once; the options' result callback receives each result on
 *   a scheduler thread, in timestamp order. When the caller offers frames
 *   faster than the task processes them, frames are dropped (counted in
 *   odai_task_stats.dropped), never queued without bound.
 *
 * Thread-safety: the functions here are thread-safe. */
#ifndef ODAI_TASK_H
#define ODAI_TASK_H

#include <stdint.h>

#include "odai/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum odai_running_mode {
  ODAI_RUNNING_MODE_IMAGE = 0,
  ODAI_RUNNING_MODE_VIDEO = 1,
  ODAI_RUNNING_MODE_LIVE_STREAM = 2
} odai_running_mode;

/* A short static name ("IMAGE", "VIDEO", "LIVE_STREAM"; "?" otherwise). */
ODAI_API const char *odai_running_mode_name(odai_running_mode mode);

/* Frame counters of a task (snapshot). */
typedef struct odai_task_stats {
  uint64_t offered;   /* frames handed to detect / detect_for_video / detect_async */
  uint64_t processed; /* frames whose result was returned or delivered */
  uint64_t dropped;   /* LIVE_STREAM frames dropped because the task was busy */
  uint32_t in_flight; /* LIVE_STREAM frames admitted and not yet delivered */
} odai_task_stats;

/* Free a string returned by a *_graph_config() function (NULL-safe). */
ODAI_API void odai_task_string_free(char *s);

#ifdef __cplusplus
}
#endif

#endif /* ODAI_TASK_H */
