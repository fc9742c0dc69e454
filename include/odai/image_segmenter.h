/* odai/image_segmenter.h: the image segmenter task (MediaPipe's selfie
 * segmentation models): hand it an image or a video frame, get a person /
 * background confidence mask (float, 1 = person) and a category mask
 * (u8: 1 = person, 0 = background), both at the input image's size.
 *
 *   odai_image_segmenter_options o;
 *   odai_image_segmenter_options_init(&o);
 *   odai_image_segmenter *seg;
 *   if (odai_image_segmenter_create(&o, &seg, &err) != ODAI_OK) ...;
 *   odai_image_segmenter_result r;
 *   if (odai_image_segmenter_segment(seg, image, &r, &err) == ODAI_OK) {
 *     const float *row = (const float *)odai_image_cdata(r.confidence_mask, 0);
 *     ...;
 *     odai_image_segmenter_result_free(&r);
 *   }
 *   odai_image_segmenter_close(seg);
 *
 * The detect names of the other tasks are segment here:
 * odai_image_segmenter_segment (IMAGE), _segment_for_video (VIDEO),
 * _segment_async (LIVE_STREAM). Modes and frame dropping: see odai/task.h;
 * in VIDEO and LIVE_STREAM modes the mask is smoothed over time
 * (MediaPipe's SegmentationSmoothingCalculator, ratio 0.7).
 *
 * Thread-safety: create/close from one thread; close must not race other
 * calls on the same segmenter. segment, segment_for_video, segment_async
 * and stats may be called from any thread: calls on one segmenter are
 * serialised. The LIVE_STREAM callback runs on a scheduler thread, never
 * concurrently with itself for one segmenter; it must not call close on its
 * own segmenter. Result masks are immutable images: they may be read from
 * any thread. */
#ifndef ODAI_IMAGE_SEGMENTER_H
#define ODAI_IMAGE_SEGMENTER_H

#include <stdbool.h>
#include <stdint.h>

#include "odai/common.h"
#include "odai/image.h"
#include "odai/task.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum odai_image_segmenter_model {
  ODAI_IMAGE_SEGMENTER_GENERAL = 0,  /* selfie_segmentation.tflite, 256x256 */
  ODAI_IMAGE_SEGMENTER_LANDSCAPE = 1 /* selfie_segmentation_landscape.tflite, 256x144 (cheaper) */
} odai_image_segmenter_model;

typedef struct odai_image_segmenter odai_image_segmenter;

/* One frame's masks, each at the input image's width x height. Owned by the
 * caller after segment / segment_for_video (one reference each; free with
 * odai_image_segmenter_result_free). Read-only: the confidence mask may be
 * shared with the graph (odai_image_copy it to write). */
typedef struct odai_image_segmenter_result {
  odai_image *confidence_mask; /* ODAI_PIXEL_F32, [0,1], 1 = person; NULL if not asked for */
  odai_image *category_mask;   /* ODAI_PIXEL_GRAY8, 1 = person (confidence > category_threshold),
                                  0 = background; NULL if not asked for */
  int64_t timestamp_us;        /* the frame's timestamp (IMAGE mode: a counter) */
} odai_image_segmenter_result;

/* LIVE_STREAM callback: result holds the masks of the frame given to
 * segment_async with timestamp_us; image is that frame. result, its masks
 * and image are transfer none: valid during the call only (odai_image_ref
 * what you keep). status is ODAI_OK (ODAI_E_NOMEM with result NULL when the result
 * could not be built); a graph failure is returned by the
 * next segment_async call instead. */
typedef void (*odai_image_segmenter_result_fn)(void *user, odai_status status,
                                               const odai_image_segmenter_result *result,
                                               const odai_image *image, int64_t timestamp_us);

typedef struct odai_image_segmenter_options {
  /* Model file. NULL (default) = the model's default file found in the
   * model cache (odai_model_path_resolve: $ODAI_MODEL_DIR, then
   * ~/.cache/odai/models, filled by scripts/fetch-models.sh). A custom
   * model must have the chosen model's input size and one sigmoid output
   * channel. */
  const char *model_path;
  odai_image_segmenter_model model; /* default ODAI_IMAGE_SEGMENTER_GENERAL */
  bool output_confidence_mask;      /* default true */
  bool output_category_mask;        /* default true */
  float category_threshold;         /* category mask: person where confidence > this (0.5) */
  int num_threads;                  /* inference + scheduler threads, default 1 (1..64) */
  odai_running_mode running_mode;   /* default ODAI_RUNNING_MODE_IMAGE */
  odai_image_segmenter_result_fn result_callback; /* LIVE_STREAM only (required there) */
  void *user_data;                  /* passed to result_callback */
} odai_image_segmenter_options;

/* Fill *o with the defaults above. */
ODAI_API void odai_image_segmenter_options_init(odai_image_segmenter_options *o);

/* Load the model and start the segmenter's graph. Errors: ODAI_E_NOT_FOUND
 * when the model is missing (the message names scripts/fetch-models.sh),
 * ODAI_E_INVALID for bad options. Transfer full: close with
 * odai_image_segmenter_close. */
ODAI_API odai_status odai_image_segmenter_create(const odai_image_segmenter_options *o,
                                                 odai_image_segmenter **out, odai_error *err);

/* IMAGE mode: the masks of `image` (transfer none). Formats: RGB8, RGBA8,
 * BGR8, BGRA8, GRAY8, NV12, I420, YUYV (others: ODAI_E_UNSUPPORTED naming
 * these). On success *result is filled (free with
 * odai_image_segmenter_result_free); on failure it is left empty. */
ODAI_API odai_status odai_image_segmenter_segment(odai_image_segmenter *s, odai_image *image,
                                                  odai_image_segmenter_result *result,
                                                  odai_error *err);
/* VIDEO mode: same for a frame at timestamp_us (strictly increasing). */
ODAI_API odai_status odai_image_segmenter_segment_for_video(odai_image_segmenter *s,
                                                            odai_image *image, int64_t timestamp_us,
                                                            odai_image_segmenter_result *result,
                                                            odai_error *err);
/* LIVE_STREAM mode: offer a frame and return at once (the segmenter takes a
 * reference to image until processed or dropped). A busy segmenter drops
 * the frame and counts it (ODAI_OK). ODAI_E_INVALID when timestamp_us does
 * not increase. */
ODAI_API odai_status odai_image_segmenter_segment_async(odai_image_segmenter *s, odai_image *image,
                                                        int64_t timestamp_us, odai_error *err);

/* Frame counters (NULL-safe: zeros). */
ODAI_API odai_task_stats odai_image_segmenter_stats(const odai_image_segmenter *s);

/* Drop the result's mask references (NULL-safe; leaves it empty). */
ODAI_API void odai_image_segmenter_result_free(odai_image_segmenter_result *result);

/* Wait for frames in flight (LIVE_STREAM callbacks are delivered first),
 * stop the graph and free everything (NULL-safe). */
ODAI_API void odai_image_segmenter_close(odai_image_segmenter *s);

/* The graph config text the segmenter runs with options o (NULL =
 * defaults). Transfer full: free with odai_task_string_free. NULL on bad
 * options or no memory. */
ODAI_API char *odai_image_segmenter_graph_config(const odai_image_segmenter_options *o);

#ifdef __cplusplus
}
#endif

#endif /* ODAI_IMAGE_SEGMENTER_H */
