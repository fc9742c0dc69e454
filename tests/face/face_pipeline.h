/* tests/face/face_pipeline.h: a plain-C face pipeline for tests and the
 * evaluation bench, without graphs: full-range BlazeFace (letterbox warp,
 * odai's inference core, anchors + decoding + weighted NMS) -> largest face
 * -> ArcFace alignment (calculators/face/align.c) -> MobileFaceNet with the
 * mirrored face as the second batch row -> flip-sum embedding. It mirrors
 * shared/testdata/tools/facepipe.py ("full-range sparse, arc4/sum"). */
#ifndef ODAI_TESTS_FACE_PIPELINE_H
#define ODAI_TESTS_FACE_PIPELINE_H

#include "odai/embedding.h"

typedef struct face_pipeline face_pipeline;

/* model_dir holds face_detection_full_range_sparse.tflite and MobileFaceNet.tflite. */
odai_status face_pipeline_open(const char *model_dir, face_pipeline **out, odai_error *err);
void face_pipeline_close(face_pipeline *fp);
/* The embedding of the largest face in the image at path; *nfaces receives
 * the number of faces found (0: *out stays NULL, ODAI_OK). quality_reason
 * (may be NULL, 96 bytes) receives why the face would be skipped, or
 * "ok: ..." with its quality measures. */
odai_status face_pipeline_embed_file(face_pipeline *fp, const char *path, odai_embedding **out,
                                     int *nfaces, char *quality_reason, odai_error *err);

/* tests/face/face_read.c (kept apart: image_io.h and detection_ops.h both
 * defined an odai_decode_options each before the detection one became
 * odai_ssd_decode_options). RGB8, tightly packed; free() it. */
odai_status face_read_rgb8(const char *path, uint8_t **rgb, int *w, int *h, odai_error *err);

#endif

/* The open-set evaluation on shared/testdata/faces (gallery/PERSON/PHOTO.jpg,
 * queries/QUERY.jpg + labels.json) at the gallery's default threshold. */
typedef struct face_eval_result {
  int queries, enrolled_queries, unknown_queries, noface_queries;
  int correct;          /* all categories */
  int enrolled_correct; /* named right */
  int unknown_correct;  /* came out unknown */
  int noface_correct;   /* no face found */
  int false_accepts;    /* a wrong name: unknown or noface named, or another enrolled person */
  int false_rejects;    /* enrolled person came out unknown or without a face */
  int rank1_correct;    /* enrolled queries whose best match is right, any threshold */
  int skipped_quality;  /* faces the quality check would skip (reported, still used) */
  float threshold;
  float genuine_min, genuine_median, genuine_max;
  float impostor_min, impostor_median, impostor_max;
  int genuine_n, impostor_n;
  double embed_ms_median; /* detection + alignment + embedding per image */
} face_eval_result;

/* dataset_dir: e.g. shared/testdata/faces (gallery/ and queries/ in it). */
odai_status face_eval_run(const char *dataset_dir, const char *model_dir, int verbose,
                          face_eval_result *r, odai_error *err);
