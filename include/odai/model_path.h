/* odai/model_path.h: finding model files.
 *
 * Thread-safe (reads the environment only). */
#ifndef ODAI_MODEL_PATH_H
#define ODAI_MODEL_PATH_H

#include <stddef.h>

#include "odai/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Resolve a model path as written in a config or options: the path itself
 * when it exists, else its file name in $ODAI_MODEL_DIR, then
 * $ODAI_CACHE_DIR/models, then ~/.cache/odai/models (where
 * scripts/fetch-models.sh puts the models). So MediaPipe-style paths such
 * as "mediapipe/modules/face_detection/face_detection_short_range.tflite"
 * find the fetched model. Writes the path into out (n bytes).
 * ODAI_E_NOT_FOUND names the places searched and the fetch command. */
ODAI_API odai_status odai_model_path_resolve(const char *path, char *out, size_t n, odai_error *err);

#ifdef __cplusplus
}
#endif

#endif /* ODAI_MODEL_PATH_H */
