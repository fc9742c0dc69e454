/* tests/face/face_pipeline.c: see face_pipeline.h. */
#include "face_pipeline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calculators/detection/detection_ops.h"
#include "calculators/face/align.h"
#include "calculators/face/embedder.h"
#include "odai/image.h"
#include "odai/inference.h"

#define DET_SIZE 192

struct face_pipeline {
  odai_model *det_model;
  odai_interpreter *det;
  odai_face_embedder *embedder;
  odai_anchors anchors;
  odai_ssd_decode_options dopt;
  odai_nms_options nopt;
  odai_nms_scratch scratch;
  odai_face_embed_result res;
};

void face_pipeline_close(face_pipeline *fp) {
  if (!fp) return;
  odai_interpreter_free(fp->det);
  odai_face_embedder_free(fp->embedder);
  odai_model_free(fp->det_model);
  odai_anchors_fini(&fp->anchors);
  odai_nms_scratch_fini(&fp->scratch);
  free(fp);
}

odai_status face_pipeline_open(const char *model_dir, face_pipeline **out, odai_error *err) {
  *out = NULL;
  face_pipeline *fp = calloc(1, sizeof *fp);
  if (!fp) return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  char path[1024];
  odai_status st;
  snprintf(path, sizeof path, "%s/face_detection_full_range_sparse.tflite", model_dir);
  if ((st = odai_model_load_file(path, &fp->det_model, err)) != ODAI_OK) goto fail;
  if ((st = odai_interpreter_create(fp->det_model, NULL, &fp->det, err)) != ODAI_OK) goto fail;
  snprintf(path, sizeof path, "%s/MobileFaceNet.tflite", model_dir);
  odai_face_embedder_options eo;
  odai_face_embedder_options_init(&eo);
  eo.model_path = path;
  eo.skip_low_quality = false; /* measured and reported, not skipped, in the evaluation */
  if ((st = odai_face_embedder_create(&eo, &fp->embedder, err)) != ODAI_OK) goto fail;
  odai_ssd_anchor_options ao;
  odai_ssd_anchor_options_face_full_range(&ao);
  if ((st = odai_ssd_anchors_generate(&ao, &fp->anchors, err)) != ODAI_OK) goto fail;
  odai_ssd_decode_options_face_full_range(&fp->dopt);
  odai_nms_options_init(&fp->nopt);
  fp->nopt.min_suppression_threshold = 0.3f;
  fp->nopt.overlap_type = ODAI_OVERLAP_INTERSECTION_OVER_UNION;
  fp->nopt.algorithm = ODAI_NMS_WEIGHTED;
  *out = fp;
  return ODAI_OK;
fail:
  face_pipeline_close(fp);
  return st;
}

odai_status face_pipeline_embed_file(face_pipeline *fp, const char *path, odai_embedding **out,
                                     int *nfaces, char *quality_reason, odai_error *err) {
  *out = NULL;
  *nfaces = 0;
  if (quality_reason) quality_reason[0] = 0;
  uint8_t *rgb = NULL;
  int w, h;
  odai_status st = face_read_rgb8(path, &rgb, &w, &h, err);
  if (st != ODAI_OK) return st;
  odai_detections raw, faces;
  odai_detections_init(&raw);
  odai_detections_init(&faces);
  /* Letterbox into the 192x192 tensor: scale s, centred, black border; the
   * same warp as the alignment (pixel centres, bilinear, rounded to u8). */
  static uint8_t lb[DET_SIZE * DET_SIZE * 3];
  double s = fmin((double)DET_SIZE / w, (double)DET_SIZE / h);
  double ox = (DET_SIZE - w * s) / 2, oy = (DET_SIZE - h * s) / 2;
  float m[6] = {(float)(1 / s), 0, (float)(-ox / s), 0, (float)(1 / s), (float)(-oy / s)};
  if ((st = odai_warp_affine_rgb8(rgb, w, h, (size_t)w * 3, m, lb, DET_SIZE, DET_SIZE,
                                  DET_SIZE * 3, err)) != ODAI_OK)
    goto done;
  odai_tensor_info in, o0, o1;
  odai_interpreter_input(fp->det, 0, &in);
  float *x = in.data;
  for (int i = 0; i < DET_SIZE * DET_SIZE * 3; i++) x[i] = lb[i] / 127.5f - 1.0f;
  if ((st = odai_interpreter_invoke(fp->det, err)) != ODAI_OK) goto done;
  odai_interpreter_output(fp->det, 0, &o0);
  odai_interpreter_output(fp->det, 1, &o1);
  /* regressors (N x 16) and classificators (N x 1): tell them apart by size. */
  odai_tensor_info *reg = o0.bytes > o1.bytes ? &o0 : &o1, *cls = o0.bytes > o1.bytes ? &o1 : &o0;
  if ((st = odai_decode_detections(&fp->dopt, reg->data, reg->bytes / 4, cls->data,
                                   cls->bytes / 4, fp->anchors.items, fp->anchors.count, &raw,
                                   err)) != ODAI_OK)
    goto done;
  if ((st = odai_nms(&fp->nopt, &raw, &faces, &fp->scratch, err)) != ODAI_OK) goto done;
  const float pad[4] = {(float)(ox / DET_SIZE), (float)(oy / DET_SIZE), (float)(ox / DET_SIZE),
                        (float)(oy / DET_SIZE)};
  if ((st = odai_detections_remove_letterbox(&faces, pad, err)) != ODAI_OK) goto done;
  *nfaces = (int)faces.count;
  if (!faces.count) goto done;
  size_t best = 0;
  for (size_t i = 1; i < faces.count; i++)
    if (faces.items[i].width * faces.items[i].height >
        faces.items[best].width * faces.items[best].height)
      best = i;
  const odai_detection *d = &faces.items[best];
  if (d->num_keypoints < 4) {
    st = odai_error_set(err, ODAI_E_INTERNAL, "face without 4 keypoints");
    goto done;
  }
  odai_image *img = NULL;
  uint8_t *planes[1] = {rgb};
  int strides[1] = {w * 3};
  if ((st = odai_image_wrap(w, h, ODAI_PIXEL_RGB8, planes, strides, false, NULL, NULL, &img)) !=
      ODAI_OK) {
    odai_error_set(err, st, "cannot wrap the image");
    goto done;
  }
  st = odai_face_embedder_embed(fp->embedder, img, d, &fp->res, err);
  odai_image_unref(img);
  if (st != ODAI_OK) goto done;
  *out = fp->res.embedding;
  if (quality_reason) {
    const odai_face_quality *q = &fp->res.quality;
    if (!odai_face_quality_check(q, NULL, quality_reason, 96))
      snprintf(quality_reason, 96, "ok: eyes %.0f px, sharpness %.0f, frontal %.2f",
               (double)q->eye_distance_px, (double)q->sharpness, (double)q->frontalness);
  }
done:
  odai_detections_fini(&raw);
  odai_detections_fini(&faces);
  free(rgb);
  return st;
}
