/* calculators/inference/model_path.c: where a model named in a config lives.
 * MediaPipe configs name models by their path in MediaPipe's source tree
 * ("mediapipe/modules/face_detection/face_detection_short_range.tflite");
 * odai resolves such a path to the fetched model cache. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "odai/model_path.h"

static int exists(const char *p) { return access(p, R_OK) == 0; }

odai_status odai_model_path_resolve(const char *path, char *out, size_t n, odai_error *err) {
  if (!path || !*path || !out || n == 0)
    return odai_error_set(err, ODAI_E_INVALID, "model path: empty");
  if (exists(path)) {
    if (snprintf(out, n, "%s", path) >= (int)n)
      return odai_error_set(err, ODAI_E_INVALID, "model path too long: %s", path);
    return ODAI_OK;
  }
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  char dirs[3][1024];
  int nd = 0;
  const char *env = getenv("ODAI_MODEL_DIR");
  if (env && *env) snprintf(dirs[nd++], sizeof dirs[0], "%s", env);
  const char *cache = getenv("ODAI_CACHE_DIR");
  if (cache && *cache) snprintf(dirs[nd++], sizeof dirs[0], "%s/models", cache);
  const char *home = getenv("HOME");
  if (home && *home) snprintf(dirs[nd++], sizeof dirs[0], "%s/.cache/odai/models", home);
  for (int i = 0; i < nd; i++) {
    if (snprintf(out, n, "%s/%s", dirs[i], base) < (int)n && exists(out)) return ODAI_OK;
  }
  out[0] = '\0';
  return odai_error_set(err, ODAI_E_NOT_FOUND,
                        "model '%s' not found (looked for '%s' as given, in $ODAI_MODEL_DIR, "
                        "$ODAI_CACHE_DIR/models and ~/.cache/odai/models); fetch the models with "
                        "scripts/fetch-models.sh",
                        path, base);
}
