/* calculators/face/embedder.h: the face embedder core (internal; no graph
 * types): aligns each detected face (align.h), checks its quality, runs
 * MobileFaceNet through odai's inference core and returns one L2-normalised
 * embedding tagged with the model's sha256. The FaceEmbedderCalculator and
 * odai-faces wrap it.
 *
 * Input scaling is MobileFaceNet's (u8 - 127.5) / 128. With flip_sum (the
 * default) the model file's batch of 2 holds the face and its mirror image
 * and the embedding is normalise(normalise(row0) + normalise(row1)), as the
 * reference pipeline measured best; without it the input is resized to a
 * batch of 1.
 *
 * Thread-safety: an embedder is used by one thread at a time (it owns an
 * interpreter and scratch buffers); create one per thread. Embedding a face
 * allocates only the returned odai_embedding. */
#ifndef ODAI_CALCULATORS_FACE_EMBEDDER_H
#define ODAI_CALCULATORS_FACE_EMBEDDER_H

#include <stdbool.h>

#include "align.h"
#include "odai/detection.h"
#include "odai/embedding.h"
#include "odai/image.h"

typedef struct odai_face_embedder odai_face_embedder;

/* Most faces in one invoke of the model (with flip_sum, twice as many rows). */
#define ODAI_FACE_EMBED_MAX_BATCH 4

typedef struct odai_face_embedder_options {
  const char *model_path;          /* MobileFaceNet.tflite (required) */
  int num_threads;                 /* inside the model, >= 1 (default 1) */
  bool flip_sum;                   /* face + mirror image (default true) */
  bool skip_low_quality;           /* skip faces failing `limits` (default true) */
  odai_face_quality_limits limits; /* default odai_face_quality_default_limits */
  /* Most faces per invoke in odai_face_embedder_embed_batch, 1 to
   * ODAI_FACE_EMBED_MAX_BATCH; 0 (default) = automatic: 1 on one thread,
   * ODAI_FACE_EMBED_MAX_BATCH on more (bench_embed, Zen 5: per face, 1
   * thread 4.43 / 4.49 / 4.64 ms at 1 / 2 / 4 faces per invoke; 2 threads
   * 4.07 / 3.67 / 3.51 ms: a bigger batch gives the threads more work per
   * layer, on one thread it only grows the working set). */
  int max_batch_faces;
} odai_face_embedder_options;

void odai_face_embedder_options_init(odai_face_embedder_options *o);

/* Transfer full: free with odai_face_embedder_free. */
odai_status odai_face_embedder_create(const odai_face_embedder_options *o,
                                      odai_face_embedder **out, odai_error *err);
void odai_face_embedder_free(odai_face_embedder *e);
const uint8_t *odai_face_embedder_model_id(const odai_face_embedder *e); /* 32 bytes */
size_t odai_face_embedder_dim(const odai_face_embedder *e);

typedef struct odai_face_embed_result {
  odai_embedding *embedding; /* transfer full; NULL when the face was skipped */
  odai_face_quality quality;
  char skip_reason[96];      /* why it was skipped ("too small: ..."), "" otherwise */
  uint8_t crop[ODAI_FACE_CROP_SIZE * ODAI_FACE_CROP_SIZE * 3]; /* the aligned face */
} odai_face_embed_result;

/* Embed the face `det` (relative box and keypoints, MediaPipe order; at least
 * 4 keypoints) of img (RGB8/RGBA8/BGR8/BGRA8). A skipped face is ODAI_OK
 * with res->embedding NULL and res->skip_reason set. */
odai_status odai_face_embedder_embed(odai_face_embedder *e, const odai_image *img,
                                     const odai_detection *det, odai_face_embed_result *res,
                                     odai_error *err);


/* Embed n faces of one image: res[i] for dets[i], as odai_face_embedder_embed
 * would, but the trusted faces go through the model together, up to
 * max_batch_faces per invoke (the interpreter's batch follows the
 * number of faces; it is re-planned only when that number changes). A
 * detection with fewer than 4 keypoints is skipped with a reason here (not
 * an error). On an error no res[i].embedding is kept (all NULL). */
odai_status odai_face_embedder_embed_batch(odai_face_embedder *e, const odai_image *img,
                                           const odai_detection *dets, size_t n,
                                           odai_face_embed_result *res, odai_error *err);

#endif /* ODAI_CALCULATORS_FACE_EMBEDDER_H */
