/* odai/person_detector.h: the person detector task (MediaPipe's pose
 * detector, pose_detection.tflite): hand it an image or a video frame, get
 * one whole-body box per person (centred on the hip centre, as tall as twice
 * its distance to the full-body scale point, half as wide; the model's own
 * box covers only the face) with four keypoints (hip centre, full-body
 * scale point, shoulder centre, upper-body scale point), relative to the
 * input image.
 *
 *   odai_person_detector_options o;
 *   odai_person_detector_options_init(&o);
 *   odai_person_detector *pd;
 *   if (odai_person_detector_create(&o, &pd, &err) != ODAI_OK) ...;
 *   odai_person_detector_result r;
 *   if (odai_person_detector_detect(pd, image, &r, &err) == ODAI_OK) {
 *     ... r.detections.items[i] ...;
 *     odai_person_detector_result_free(&r);
 *   }
 *   odai_person_detector_close(pd);
 *
 * Modes and frame dropping: see odai/task.h. docs/tasks.md has the details
 * and complete examples.
 *
 * Thread-safety: create/close from one thread; close must not race other
 * calls on the same detector. detect, detect_for_video, detect_async and
 * stats may be called from any thread: calls on one detector are
 * serialised (one frame at a time in IMAGE/VIDEO mode). The LIVE_STREAM
 * callback runs on a scheduler thread, never concurrently with itself for
 * one detector; it must not call close on its own detector. Different
 * detectors are independent. */
#ifndef ODAI_PERSON_DETECTOR_H
#define ODAI_PERSON_DETECTOR_H

#include <stdint.h>

#include "odai/common.h"
#include "odai/detection.h"
#include "odai/image.h"
#include "odai/task.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct odai_person_detector odai_person_detector;

/* One frame's people. detections: relative boxes and keypoints (x right, y
 * down, [0,1] of the input image), score, label "person"; track_id is -1 in
 * IMAGE mode and stable across frames in VIDEO/LIVE_STREAM mode. Owned by
 * the caller after detect / detect_for_video: free the contents with
 * odai_person_detector_result_free. */
typedef struct odai_person_detector_result {
  odai_detections detections;
  int64_t timestamp_us; /* the frame's timestamp (IMAGE mode: a counter) */
} odai_person_detector_result;

/* LIVE_STREAM callback. On success status is ODAI_OK and result holds the
 * people of the frame given to detect_async with timestamp_us; image is that
 * frame. result and image are transfer none: valid during the call only
 * (copy what you keep; odai_image_ref the image). status is ODAI_OK; a
 * graph failure is returned by the next detect_async call instead. */
typedef void (*odai_person_detector_result_fn)(void *user, odai_status status,
                                             const odai_person_detector_result *result,
                                             const odai_image *image, int64_t timestamp_us);

typedef struct odai_person_detector_options {
  /* Model file. NULL (default) = the model's default file found in the
   * model cache (odai_model_path_resolve: $ODAI_MODEL_DIR, then
   * ~/.cache/odai/models, filled by scripts/fetch-models.sh). */
  const char *model_path;
  float min_confidence;        /* score threshold; < 0 (default) = the config's 0.5 */
  float suppression_threshold; /* NMS IoU threshold (weighted NMS), default 0.3 */
  int max_results;             /* at most this many people (best first); -1 (default) = all */
  int num_threads;             /* inference + scheduler threads, default 1 (1..64) */
  odai_running_mode running_mode;        /* default ODAI_RUNNING_MODE_IMAGE */
  odai_person_detector_result_fn result_callback; /* LIVE_STREAM only (required there) */
  void *user_data;                       /* passed to result_callback */
} odai_person_detector_options;

/* Fill *o with the defaults above (min_confidence = -1: the config's
 * default). */
ODAI_API void odai_person_detector_options_init(odai_person_detector_options *o);

/* Load the model and start the detector's graph. Errors: ODAI_E_NOT_FOUND
 * when the model is missing (the message names scripts/fetch-models.sh),
 * ODAI_E_INVALID for bad options. Transfer full: close with
 * odai_person_detector_close. */
ODAI_API odai_status odai_person_detector_create(const odai_person_detector_options *o,
                                               odai_person_detector **out, odai_error *err);

/* IMAGE mode: the people of `image` (transfer none: the detector holds a
 * reference only during the call). Formats: RGB8, RGBA8, BGR8, BGRA8,
 * GRAY8, NV12, I420, YUYV (others: ODAI_E_UNSUPPORTED naming these). On
 * success *result is filled (free with odai_person_detector_result_free); on
 * failure it is left empty. */
ODAI_API odai_status odai_person_detector_detect(odai_person_detector *d, odai_image *image,
                                               odai_person_detector_result *result, odai_error *err);
/* VIDEO mode: same for a video frame at timestamp_us (microseconds,
 * strictly increasing: ODAI_E_INVALID otherwise). */
ODAI_API odai_status odai_person_detector_detect_for_video(odai_person_detector *d, odai_image *image,
                                                         int64_t timestamp_us,
                                                         odai_person_detector_result *result,
                                                         odai_error *err);
/* LIVE_STREAM mode: offer a frame and return at once. The detector takes a
 * reference to `image` (a wrapped camera buffer is released through its
 * release callback once processed or dropped). When the detector is busy
 * the frame is dropped and counted (ODAI_OK is still returned).
 * ODAI_E_INVALID when timestamp_us does not increase. */
ODAI_API odai_status odai_person_detector_detect_async(odai_person_detector *d, odai_image *image,
                                                     int64_t timestamp_us, odai_error *err);

/* Frame counters (NULL-safe for d: zeros). */
ODAI_API odai_task_stats odai_person_detector_stats(const odai_person_detector *d);

/* Free the contents of a result (NULL-safe; leaves it empty). */
ODAI_API void odai_person_detector_result_free(odai_person_detector_result *result);

/* Wait for frames in flight (LIVE_STREAM callbacks are delivered first),
 * stop the graph and free everything (NULL-safe). */
ODAI_API void odai_person_detector_close(odai_person_detector *d);

/* The graph config text the detector runs with options o (NULL = the
 * defaults, model path as written in the built-in config): save it and
 * customise it, run it with odai-run (see docs/tasks.md). Transfer full:
 * free with odai_task_string_free. NULL on bad options or no memory. */
ODAI_API char *odai_person_detector_graph_config(const odai_person_detector_options *o);

#ifdef __cplusplus
}
#endif

#endif /* ODAI_PERSON_DETECTOR_H */
