/* calculators/face/align.h: face alignment for the embedder (internal; no
 * graph types): the least-squares similarity transform from the detector's
 * keypoints to the 112x112 ArcFace template, a bilinear RGB8 warp, the
 * MobileFaceNet input conversion and face quality measures.
 *
 * Coordinates are continuous pixel coordinates: pixel (i, j) covers
 * [i, i+1) x [j, j+1), its centre is (i + 0.5, j + 0.5). Keypoints in source
 * pixels = the detector's image-relative keypoints times the image size.
 * Affine matrices are 2x3, row-major: x' = m[0] x + m[1] y + m[2],
 * y' = m[3] x + m[4] y + m[5].
 *
 * Thread-safety: pure functions, no state. */
#ifndef ODAI_CALCULATORS_FACE_ALIGN_H
#define ODAI_CALCULATORS_FACE_ALIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "odai/common.h"
#include "odai/image.h"

#define ODAI_FACE_CROP_SIZE 112

/* MediaPipe face detector keypoints, in its order: the subject's right eye
 * (image-left in an unmirrored photo), left eye, nose tip, mouth centre,
 * right ear tragion, left ear tragion. Alignment uses the first four. */
enum {
  ODAI_FACE_KP_RIGHT_EYE = 0,
  ODAI_FACE_KP_LEFT_EYE = 1,
  ODAI_FACE_KP_NOSE_TIP = 2,
  ODAI_FACE_KP_MOUTH_CENTER = 3,
  ODAI_FACE_KP_RIGHT_EAR = 4,
  ODAI_FACE_KP_LEFT_EAR = 5,
  ODAI_FACE_ALIGN_KPS = 4
};

/* The standard ArcFace 112x112 template (insightface) for those four points:
 * right eye (38.2946, 51.6963), left eye (73.5318, 51.5014), nose tip
 * (56.0252, 71.7366), mouth centre (56.1396, 92.2848) = the mean of the
 * template's mouth corners (41.5493, 92.3655) and (70.7299, 92.2041). */
extern const float odai_face_template[ODAI_FACE_ALIGN_KPS][2];

/* Least-squares similarity (rotation, uniform scale, translation; no
 * reflection) mapping src[i] onto dst[i], i < n (n >= 2): minimises
 * sum |M src_i - dst_i|^2. In 2D this linear solution is Umeyama's.
 * ODAI_E_INVALID when the source points coincide. */
odai_status odai_similarity_fit(const float (*src)[2], const float (*dst)[2], size_t n, float m[6],
                                odai_error *err);
odai_status odai_affine_invert(const float m[6], float inv[6], odai_error *err);
void odai_affine_apply(const float m[6], float x, float y, float *ox, float *oy);

/* The matrix mapping crop coordinates to source coordinates for a face with
 * these keypoints (the first ODAI_FACE_ALIGN_KPS of the detector's). */
odai_status odai_face_align_matrix(const float kps[ODAI_FACE_ALIGN_KPS][2], float crop_to_src[6],
                                   odai_error *err);

/* dst pixel (u, v) = src sampled bilinearly at m * (u + 0.5, v + 0.5) (pixel
 * centres at +0.5), pixels outside the source are black, rounded half up.
 * RGB8, strides in bytes. */
odai_status odai_warp_affine_rgb8(const uint8_t *src, int sw, int sh, size_t sstride,
                                  const float m[6], uint8_t *dst, int dw, int dh, size_t dstride,
                                  odai_error *err);

/* MobileFaceNet's input from an RGB8 crop: (u8 - 127.5) / 128, NHWC; mirror
 * flips left-right (the model file's second batch row). */
void odai_face_crop_to_input(const uint8_t *crop, int w, int h, size_t stride, bool mirror,
                             float *out);

/* Align a face: warp into crop (112*112*3 bytes, may be NULL) and/or the
 * float input (112*112*3 floats, may be NULL). */
odai_status odai_face_align_rgb8(const uint8_t *src, int sw, int sh, size_t sstride,
                                 const float kps[ODAI_FACE_ALIGN_KPS][2], uint8_t *crop,
                                 float *input, odai_error *err);

/* The same from an odai_image (RGB8, RGBA8, BGR8 or BGRA8; others give
 * ODAI_E_UNSUPPORTED: convert first). The crop is always RGB8. */
odai_status odai_face_align_image(const odai_image *img, const float kps[ODAI_FACE_ALIGN_KPS][2],
                                  uint8_t *crop, float *input, odai_error *err);

/* Quality of a face, to skip faces too small, blurred or turned to trust. */
typedef struct odai_face_quality {
  float eye_distance_px; /* between the eye keypoints, in source pixels (template: 35.2) */
  float sharpness;       /* variance of the 4-neighbour Laplacian of the grey crop's centre */
  float frontalness;     /* 1 = nose midway between the eyes, 0 = nose at an eye or beyond */
} odai_face_quality;

typedef struct odai_face_quality_limits {
  float min_eye_distance_px;
  float min_sharpness;
  float min_frontalness;
} odai_face_quality_limits;

/* Defaults: eye distance 10 px, sharpness 25, frontalness 0.15. On the 22
 * photos of shared/testdata/faces every face measured eye distance 44-230 px,
 * sharpness 268-3657, frontalness 0.33-1.00 (all recognised right), so these
 * only catch clearly bad faces; tune them on real camera frames. */
extern const odai_face_quality_limits odai_face_quality_default_limits;

/* kps: the source keypoints (at least 3: eyes and nose); crop: the aligned
 * 112x112 RGB8 crop. */
void odai_face_quality_measure(const float kps[ODAI_FACE_ALIGN_KPS][2], const uint8_t *crop,
                               size_t stride, odai_face_quality *q);
/* NULL when the face passes, else writes the reason ("too small: eye
 * distance 7.5 px < 10") into reason and returns it. */
const char *odai_face_quality_check(const odai_face_quality *q,
                                    const odai_face_quality_limits *limits, char *reason,
                                    size_t cap);

#endif /* ODAI_CALCULATORS_FACE_ALIGN_H */
