/* calculators/face/embedder.c: the face embedder core (embedder.h):
 * detection keypoints -> ArcFace alignment -> quality check -> MobileFaceNet
 * (odai's inference core) -> odai_embedding. No graph types. */
#include "embedder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "odai/inference.h"

#define CROP_FLOATS (ODAI_FACE_CROP_SIZE * ODAI_FACE_CROP_SIZE * 3)

struct odai_face_embedder {
  odai_face_embedder_options opts;
  odai_model *model;
  odai_interpreter *interp;
  uint8_t model_id[ODAI_MODEL_ID_SIZE];
  size_t dim;
  int batch;     /* rows the interpreter is sized for */
  int max_faces; /* faces per invoke in embed_batch */
};

void odai_face_embedder_options_init(odai_face_embedder_options *o) {
  memset(o, 0, sizeof *o);
  o->num_threads = 1;
  o->flip_sum = true;
  o->skip_low_quality = true;
  o->limits = odai_face_quality_default_limits;
}

void odai_face_embedder_free(odai_face_embedder *e) {
  if (!e) return;
  odai_interpreter_free(e->interp);
  odai_model_free(e->model);
  free(e);
}

odai_status odai_face_embedder_create(const odai_face_embedder_options *o,
                                      odai_face_embedder **out, odai_error *err) {
  if (!o || !out || !o->model_path)
    return odai_error_set(err, ODAI_E_INVALID, "face embedder: model_path is required");
  *out = NULL;
  odai_face_embedder *e = calloc(1, sizeof *e);
  if (!e) return odai_error_set(err, ODAI_E_NOMEM, "face embedder: out of memory");
  e->opts = *o;
  e->opts.model_path = NULL; /* not kept: the caller's string */
  odai_status st;
  if (o->max_batch_faces < 0 || o->max_batch_faces > ODAI_FACE_EMBED_MAX_BATCH) {
    st = odai_error_set(err, ODAI_E_INVALID, "face embedder: max_batch_faces must be 0..%d (got %d)",
                        ODAI_FACE_EMBED_MAX_BATCH, o->max_batch_faces);
    goto fail;
  }
  e->max_faces = o->max_batch_faces ? o->max_batch_faces
                 : o->num_threads > 1 ? ODAI_FACE_EMBED_MAX_BATCH : 1;
  if ((st = odai_model_id_of_file(o->model_path, e->model_id, err)) != ODAI_OK) goto fail;
  if ((st = odai_model_load_file(o->model_path, &e->model, err)) != ODAI_OK) goto fail;
  odai_interpreter_options io;
  odai_interpreter_options_init(&io);
  io.num_threads = o->num_threads > 0 ? o->num_threads : 1;
  if ((st = odai_interpreter_create(e->model, &io, &e->interp, err)) != ODAI_OK) goto fail;
  odai_tensor_info in, outp;
  odai_interpreter_input(e->interp, 0, &in);
  if (in.rank != 4 || in.shape[1] != ODAI_FACE_CROP_SIZE || in.shape[2] != ODAI_FACE_CROP_SIZE ||
      in.shape[3] != 3 || in.dtype != ODAI_DTYPE_FLOAT32) {
    st = odai_error_set(err, ODAI_E_UNSUPPORTED,
                        "face embedder: %s wants input %dx%dx%d, not a 112x112x3 float face",
                        o->model_path, in.rank > 1 ? in.shape[1] : 0,
                        in.rank > 2 ? in.shape[2] : 0, in.rank > 3 ? in.shape[3] : 0);
    goto fail;
  }
  int want = o->flip_sum ? 2 : 1;
  if (in.shape[0] != want) {
    int32_t shape[4] = {want, in.shape[1], in.shape[2], in.shape[3]};
    if ((st = odai_interpreter_resize_input(e->interp, 0, shape, 4, err)) != ODAI_OK) goto fail;
  }
  e->batch = want;
  odai_interpreter_output(e->interp, 0, &outp);
  if (outp.rank < 2 || outp.shape[0] != want || outp.dtype != ODAI_DTYPE_FLOAT32) {
    st = odai_error_set(err, ODAI_E_UNSUPPORTED, "face embedder: unexpected output shape");
    goto fail;
  }
  e->dim = (size_t)outp.shape[outp.rank - 1];
  if (e->dim == 0 || e->dim > ODAI_EMBEDDING_MAX_DIM || outp.bytes != e->dim * 4 * (size_t)want) {
    st = odai_error_set(err, ODAI_E_UNSUPPORTED, "face embedder: unexpected output size");
    goto fail;
  }
  *out = e;
  return ODAI_OK;
fail:
  odai_face_embedder_free(e);
  return st;
}

const uint8_t *odai_face_embedder_model_id(const odai_face_embedder *e) { return e->model_id; }
size_t odai_face_embedder_dim(const odai_face_embedder *e) { return e->dim; }

/* Size the interpreter's input to `rows` crops (a resize re-plans the
 * arena: done only when the number of faces per call changes). */
static odai_status set_rows(odai_face_embedder *e, int rows, odai_error *err) {
  if (e->batch == rows) return ODAI_OK;
  int32_t shape[4] = {rows, ODAI_FACE_CROP_SIZE, ODAI_FACE_CROP_SIZE, 3};
  odai_status st = odai_interpreter_resize_input(e->interp, 0, shape, 4, err);
  if (st != ODAI_OK) return st;
  odai_tensor_info outp;
  odai_interpreter_output(e->interp, 0, &outp);
  if (outp.rank < 2 || outp.shape[0] != rows || outp.bytes != e->dim * 4 * (size_t)rows)
    return odai_error_set(err, ODAI_E_UNSUPPORTED, "face embedder: unexpected output size at batch %d", rows);
  e->batch = rows;
  return ODAI_OK;
}

/* Align a face into res->crop and check it; *use = false when it is skipped
 * (too few keypoints, or below the quality limits: res->skip_reason says). */
static odai_status prepare(odai_face_embedder *e, const odai_image *img, const odai_detection *det,
                           odai_face_embed_result *res, bool *use, odai_error *err) {
  res->embedding = NULL;
  res->skip_reason[0] = 0;
  memset(&res->quality, 0, sizeof res->quality);
  *use = false;
  if (det->num_keypoints < ODAI_FACE_ALIGN_KPS) {
    snprintf(res->skip_reason, sizeof res->skip_reason, "no face keypoints (%d < %d)",
             (int)det->num_keypoints, ODAI_FACE_ALIGN_KPS);
    return ODAI_OK;
  }
  const float w = (float)odai_image_width(img), h = (float)odai_image_height(img);
  float kps[ODAI_FACE_ALIGN_KPS][2];
  for (int k = 0; k < ODAI_FACE_ALIGN_KPS; k++) {
    kps[k][0] = det->keypoints[k].x * w;
    kps[k][1] = det->keypoints[k].y * h;
  }
  odai_status st = odai_face_align_image(img, kps, res->crop, NULL, err);
  if (st != ODAI_OK) return st;
  odai_face_quality_measure(kps, res->crop, ODAI_FACE_CROP_SIZE * 3, &res->quality);
  if (e->opts.skip_low_quality &&
      odai_face_quality_check(&res->quality, &e->opts.limits, res->skip_reason,
                              sizeof res->skip_reason))
    return ODAI_OK;
  res->skip_reason[0] = 0;
  *use = true;
  return ODAI_OK;
}

/* One invoke for the m faces res[idx[0..m)] (each with its mirror image
 * when flip_sum). */
static odai_status run_batch(odai_face_embedder *e, odai_face_embed_result *res, const int *idx,
                             int m, odai_error *err) {
  const int per = e->opts.flip_sum ? 2 : 1;
  odai_status st = set_rows(e, m * per, err);
  if (st != ODAI_OK) return st;
  odai_tensor_info in, outp;
  odai_interpreter_input(e->interp, 0, &in);
  float *x = in.data;
  for (int j = 0; j < m; j++)
    for (int f = 0; f < per; f++)
      odai_face_crop_to_input(res[idx[j]].crop, ODAI_FACE_CROP_SIZE, ODAI_FACE_CROP_SIZE,
                              ODAI_FACE_CROP_SIZE * 3, f == 1, x + (size_t)(j * per + f) * CROP_FLOATS);
  if ((st = odai_interpreter_invoke(e->interp, err)) != ODAI_OK) return st;
  odai_interpreter_output(e->interp, 0, &outp);
  const float *rows = outp.data;
  for (int j = 0; j < m; j++) {
    const float *r = rows + (size_t)(j * per) * e->dim;
    if ((st = odai_embedding_from_rows(e->dim, e->model_id, r, per == 2 ? r + e->dim : NULL,
                                       &res[idx[j]].embedding, err)) != ODAI_OK)
      return st;
  }
  return ODAI_OK;
}

odai_status odai_face_embedder_embed_batch(odai_face_embedder *e, const odai_image *img,
                                           const odai_detection *dets, size_t n,
                                           odai_face_embed_result *res, odai_error *err) {
  if (!e || !img || (n && (!dets || !res)))
    return odai_error_set(err, ODAI_E_INVALID, "face embedder: NULL argument");
  for (size_t i = 0; i < n; i++) res[i].embedding = NULL;
  int idx[ODAI_FACE_EMBED_MAX_BATCH];
  int m = 0;
  odai_status st = ODAI_OK;
  for (size_t i = 0; i < n && st == ODAI_OK; i++) {
    bool use;
    st = prepare(e, img, &dets[i], &res[i], &use, err);
    if (st == ODAI_OK && use) idx[m++] = (int)i;
    if (st == ODAI_OK && m > 0 && (m == e->max_faces || i + 1 == n)) {
      st = run_batch(e, res, idx, m, err);
      m = 0;
    }
  }
  if (st != ODAI_OK) /* all or nothing */
    for (size_t i = 0; i < n; i++) {
      odai_embedding_free(res[i].embedding);
      res[i].embedding = NULL;
    }
  return st;
}

odai_status odai_face_embedder_embed(odai_face_embedder *e, const odai_image *img,
                                     const odai_detection *det, odai_face_embed_result *res,
                                     odai_error *err) {
  if (!det || !res) return odai_error_set(err, ODAI_E_INVALID, "face embedder: NULL argument");
  if (det->num_keypoints < ODAI_FACE_ALIGN_KPS)
    return odai_error_set(err, ODAI_E_INVALID,
                          "face embedder: the detection has %d keypoints, alignment needs %d",
                          (int)det->num_keypoints, ODAI_FACE_ALIGN_KPS);
  return odai_face_embedder_embed_batch(e, img, det, 1, res, err);
}
