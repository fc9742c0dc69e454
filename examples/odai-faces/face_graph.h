/* examples/odai-faces/face_graph.h: runs odai's face graph on still images
 * through the public API only: FaceDetectionTwoPassCpu -> FaceEmbedderCalculator
 * (-> FaceRecognizerCalculator when a gallery is given), the same built-in
 * calculators and subgraph that configs/face_recognition.pbtxt uses, so the
 * odai-faces tool and the video graph agree. Shared by odai-faces and
 * tests/face/test_face_recognition_e2e.c.
 *
 * Thread-safety: one face_graph per thread. */
#ifndef ODAI_EXAMPLES_FACE_GRAPH_H
#define ODAI_EXAMPLES_FACE_GRAPH_H

#include <stddef.h>

#include "odai/detection.h"
#include "odai/embedding.h"
#include "odai/image.h"
#include "odai/packet_types.h"

typedef struct face_graph face_graph;

typedef struct face_hit {
  odai_detection det;          /* box/keypoints; identity/similarity when a gallery is used */
  odai_embedding *embedding;   /* owned; NULL when the face was skipped */
  char reason[ODAI_EMBEDDING_REASON_MAX]; /* why it was skipped, "" otherwise */
} face_hit;

typedef struct face_result {
  size_t count;
  face_hit *faces; /* owned, detector order */
} face_result;

/* model_path: MobileFaceNet (NULL = "MobileFaceNet.tflite", resolved in the
 * model directories); gallery_path: NULL for detection + embedding only,
 * else faces are also named (key_path for an encrypted gallery, may be NULL);
 * skip_low_quality: false embeds every face (the quality is still measured). */
odai_status face_graph_open(const char *model_path, const char *gallery_path,
                            const char *key_path, bool skip_low_quality, face_graph **out,
                            odai_error *err);
void face_graph_close(face_graph *fg);
/* Detect, embed (and name) every face of one image. */
odai_status face_graph_run_image(face_graph *fg, const odai_image *img, face_result *res,
                                 odai_error *err);
/* The same for an image file (JPEG/PNG). */
odai_status face_graph_run_file(face_graph *fg, const char *path, face_result *res,
                                odai_error *err);
void face_result_fini(face_result *res);
/* Index of the face with the largest box, or -1 when there is none. */
int face_result_largest(const face_result *res);

#endif
