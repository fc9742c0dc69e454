/* odai/face_recognizer.h: the face recognizer task: who is in the image.
 * Detects faces (BlazeFace full range plus the close-ups only short range
 * finds), aligns and embeds each with MobileFaceNet, and names it from a
 * face gallery (odai/gallery.h): the closest enrolled identity at or above
 * the gallery's threshold, else "unknown". Also enrols people and returns
 * embeddings. The same calculators as configs/face_recognition.pbtxt.
 *
 *   odai_face_recognizer_options o;
 *   odai_face_recognizer_options_init(&o);
 *   o.gallery_path = "faces.gallery";        (created when missing)
 *   odai_face_recognizer *fr;
 *   if (odai_face_recognizer_create(&o, &fr, &err) != ODAI_OK) ...;
 *   odai_face_recognizer_enroll(fr, "alice", alice_photo, &err);
 *   odai_face_recognizer_result r;
 *   if (odai_face_recognizer_recognize(fr, image, &r, &err) == ODAI_OK) {
 *     ... r.faces.items[i].identity, .identity_similarity ...;
 *     odai_face_recognizer_result_free(&r);
 *   }
 *   odai_face_recognizer_close(fr);
 *
 * Modes and frame dropping: see odai/task.h. In VIDEO and LIVE_STREAM modes
 * faces are tracked and each track's name is a vote over its recent frames
 * (FaceRecognizerCalculator's vote window, 15 frames); in IMAGE mode every
 * image is judged alone. LIVE_STREAM runs one frame at a time on a task
 * thread (the callback runs there); frames offered meanwhile are dropped
 * and counted.
 *
 * The gallery is biometric data: it stays on the device (docs/gallery.md).
 * Enrolment (IMAGE mode) writes it through its own writable handle, taking
 * the gallery's writer lock for the duration of the call; the running graph
 * re-reads the file before the next frame, so a new identity is recognised
 * at once, also by other processes using the same gallery.
 *
 * Thread-safety: create/close from one thread; close must not race other
 * calls on the same recognizer. The other calls may come from any thread:
 * calls on one recognizer are serialised. The LIVE_STREAM callback never
 * runs concurrently with itself and must not call close. */
#ifndef ODAI_FACE_RECOGNIZER_H
#define ODAI_FACE_RECOGNIZER_H

#include <stdint.h>

#include "odai/common.h"
#include "odai/detection.h"
#include "odai/embedding.h"
#include "odai/image.h"
#include "odai/task.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct odai_face_recognizer odai_face_recognizer;

/* One frame's faces. faces: relative boxes and keypoints (x right, y down,
 * [0,1] of the input image), score, label "face", identity (a gallery name
 * or "unknown"; "" when the face was not embedded: too small, blurred or
 * turned away) and identity_similarity; track_id is -1 in IMAGE mode.
 * embeddings[i] belongs to faces.items[i] (NULL when not embedded), unit
 * length, tagged with the embedder model's identity. Owned by the caller
 * after recognize / embed: free with odai_face_recognizer_result_free. */
typedef struct odai_face_recognizer_result {
  odai_detections faces;
  odai_embedding **embeddings; /* faces.count entries (NULL when count is 0) */
  int64_t timestamp_us;
} odai_face_recognizer_result;

/* LIVE_STREAM callback: result (transfer none, valid during the call) for
 * the frame given to recognize_async with timestamp_us; image is that frame.
 * status is ODAI_OK (ODAI_E_NOMEM with result NULL when the result could
 * not be built); a graph failure is returned by the next recognize_async. */
typedef void (*odai_face_recognizer_result_fn)(void *user, odai_status status,
                                               const odai_face_recognizer_result *result,
                                               const odai_image *image, int64_t timestamp_us);

typedef struct odai_face_recognizer_options {
  /* The gallery file (required). Created (empty, for the embedder model,
   * 192-d) when missing. */
  const char *gallery_path;
  const char *key_path;   /* key file of an encrypted gallery, or NULL */
  /* The embedding model. NULL (default) = MobileFaceNet.tflite from the
   * model cache (scripts/fetch-models.sh). The detector models are the
   * defaults of odai_face_detector. */
  const char *model_path;
  float threshold;        /* similarity needed for a name; < 0 (default) = the gallery's (0.55) */
  int num_threads;        /* embedder + scheduler threads, default 1 (1..64) */
  odai_running_mode running_mode;                  /* default ODAI_RUNNING_MODE_IMAGE */
  odai_face_recognizer_result_fn result_callback;  /* LIVE_STREAM only (required there) */
  void *user_data;
} odai_face_recognizer_options;

ODAI_API void odai_face_recognizer_options_init(odai_face_recognizer_options *o);

/* Load the models, open (or create) the gallery, start the graph. Errors:
 * ODAI_E_NOT_FOUND for a missing model (naming scripts/fetch-models.sh),
 * ODAI_E_INVALID for bad options or a gallery of another model, the
 * gallery's errors (ODAI_E_CORRUPT, ...). Transfer full. */
ODAI_API odai_status odai_face_recognizer_create(const odai_face_recognizer_options *o,
                                                 odai_face_recognizer **out, odai_error *err);

/* IMAGE mode: the named faces of image (transfer none; formats as
 * odai_face_detector_detect). On failure *result is left empty. */
ODAI_API odai_status odai_face_recognizer_recognize(odai_face_recognizer *r, odai_image *image,
                                                    odai_face_recognizer_result *result,
                                                    odai_error *err);
/* VIDEO mode: the same for a frame at timestamp_us (strictly increasing). */
ODAI_API odai_status odai_face_recognizer_recognize_for_video(odai_face_recognizer *r,
                                                              odai_image *image,
                                                              int64_t timestamp_us,
                                                              odai_face_recognizer_result *result,
                                                              odai_error *err);
/* LIVE_STREAM mode: offer a frame; returns at once (busy: dropped, counted). */
ODAI_API odai_status odai_face_recognizer_recognize_async(odai_face_recognizer *r,
                                                          odai_image *image, int64_t timestamp_us,
                                                          odai_error *err);

/* IMAGE mode: the faces of image with their embeddings (the same as
 * recognize; for products that keep their own store). */
ODAI_API odai_status odai_face_recognizer_embed(odai_face_recognizer *r, odai_image *image,
                                                odai_face_recognizer_result *result,
                                                odai_error *err);

/* IMAGE mode: enrol the largest face of image as `name` (1..127 bytes, not
 * "unknown") and save the gallery. ODAI_E_NOT_FOUND when the image has no
 * usable face (the message says why). */
ODAI_API odai_status odai_face_recognizer_enroll(odai_face_recognizer *r, const char *name,
                                                 odai_image *image, odai_error *err);

ODAI_API odai_task_stats odai_face_recognizer_stats(const odai_face_recognizer *r);

/* Free the contents of a result (NULL-safe; leaves it empty). */
ODAI_API void odai_face_recognizer_result_free(odai_face_recognizer_result *result);

/* Deliver frames in flight, stop, free (NULL-safe). */
ODAI_API void odai_face_recognizer_close(odai_face_recognizer *r);

/* The graph config text the recognizer runs (NULL options = defaults).
 * Transfer full: free with odai_task_string_free. */
ODAI_API char *odai_face_recognizer_graph_config(const odai_face_recognizer_options *o);

#ifdef __cplusplus
}
#endif

#endif /* ODAI_FACE_RECOGNIZER_H */
