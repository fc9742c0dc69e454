/* calculators/face/face_calculators.c: FaceEmbedderCalculator (IMAGE +
 * DETECTIONS -> EMBEDDINGS, wrapping the embedder core of embedder.h) and
 * FaceRecognizerCalculator (DETECTIONS + EMBEDDINGS + GALLERY_PATH ->
 * DETECTIONS named from the gallery, with the per-track vote of recognizer.h).
 *
 * FaceEmbedderCalculator options (odai.FaceEmbedderCalculatorOptions):
 *   model_path (default "MobileFaceNet.tflite", resolved like
 *   InferenceCalculator's; or the MODEL_PATH / MODEL string side packet),
 *   num_threads (default $ODAI_INFERENCE_THREADS, else 1), flip_sum (true),
 *   skip_low_quality (true), min_eye_distance_px (10), min_sharpness (25),
 *   min_frontalness (0.15).
 * FaceDetectionMergeCalculator (the close-up second pass): PRIMARY +
 * SECONDARY DETECTIONS -> DETECTIONS: every primary (full-range) face, plus
 * the secondary (short-range) faces that overlap no primary face (intersection
 * over the smaller box < max_overlap, default 0.3) and are at least
 * min_secondary_height (default 0.25) of the image tall and score at least
 * min_secondary_score (default 0.8): the close-ups the full-range model
 * misses. (The short-range model gives large false faces at 0.55-0.71 on
 * two photos of shared/testdata/faces; the astronaut close-up that only it
 * finds scores 0.85.) A face both models find keeps the full-range
 * box and keypoints, which align better on faces of ordinary size.
 * FaceRecognizerCalculator: optional FILE_NAME input (VideoSourceCalculator's):
 * when it changes (the next photo of a directory) the track votes restart.
 * FaceRecognizerCalculator options (odai.FaceRecognizerCalculatorOptions):
 *   gallery_path (or the GALLERY_PATH side packet, which wins), key_path (or
 *   KEY_PATH), threshold (default: the gallery's stored, calibrated one),
 *   vote_window (15 frames), refresh_interval_ms (1000), allow_missing (false:
 *   a missing gallery file fails open; true: everyone is "unknown" until the
 *   file appears). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calculators/detection/detection_ops.h"
#include "calculators/registry.h"
#include "embedder.h"
#include "odai/calculator.h"
#include "odai/model_path.h"
#include "odai/options.h"
#include "odai/packet_types.h"
#include "recognizer.h"

/* ---- FaceEmbedderCalculator ---- */
/* Any pixel format: frames other than RGB8/RGBA8/BGR8/BGRA8 (a camera's
 * NV12, I420, YUYV) are converted to RGB8 once per frame with faces. */

typedef struct embed_state {
  odai_face_embedder *embedder;
  odai_face_embed_result *res; /* heap, res_cap entries (each holds a 112x112 crop) */
  size_t res_cap;
} embed_state;

static odai_status embed_contract(odai_contract *c) {
  odai_contract_input(c, "IMAGE", ODAI_TYPE_IMAGE, 0);
  odai_contract_input(c, "DETECTIONS", ODAI_TYPE_DETECTIONS, 0);
  odai_contract_output(c, "EMBEDDINGS", ODAI_TYPE_EMBEDDINGS, 0);
  odai_contract_input_side(c, "MODEL_PATH", ODAI_TYPE_STRING, ODAI_PORT_OPTIONAL);
  odai_contract_input_side(c, "MODEL", ODAI_TYPE_STRING, ODAI_PORT_OPTIONAL);
  odai_contract_options(c, "odai.FaceEmbedderCalculatorOptions");
  odai_contract_timestamp_offset(c, 0);
  return ODAI_OK;
}

static int env_threads(void) {
  const char *e = getenv("ODAI_INFERENCE_THREADS");
  int n = e ? atoi(e) : 1;
  return n >= 1 && n <= 64 ? n : 1;
}

static odai_status embed_open(odai_calc_ctx *ctx) {
  embed_state *s = odai_calc_state(ctx);
  const odai_options *o = odai_calc_options(ctx);
  const char *path = odai_options_get_string(o, "model_path", "MobileFaceNet.tflite");
  const char *tags[] = {"MODEL_PATH", "MODEL"};
  for (int i = 0; i < 2; i++) {
    const char *sp = NULL;
    if (odai_packet_get_string(odai_calc_side_input(ctx, tags[i], 0), &sp) == ODAI_OK && sp &&
        *sp)
      path = sp;
  }
  char resolved[1024];
  odai_error e;
  if (odai_model_path_resolve(path, resolved, sizeof resolved, &e) != ODAI_OK)
    return odai_calc_error(ctx, e.code, "%s", e.message);
  odai_face_embedder_options eo;
  odai_face_embedder_options_init(&eo);
  eo.model_path = resolved;
  eo.num_threads = (int)odai_options_get_int(o, "num_threads", env_threads());
  eo.flip_sum = odai_options_get_bool(o, "flip_sum", true);
  eo.skip_low_quality = odai_options_get_bool(o, "skip_low_quality", true);
  eo.max_batch_faces = (int)odai_options_get_int(o, "max_batch_faces", 0);
  eo.limits.min_eye_distance_px =
      odai_options_get_float(o, "min_eye_distance_px", eo.limits.min_eye_distance_px);
  eo.limits.min_sharpness = odai_options_get_float(o, "min_sharpness", eo.limits.min_sharpness);
  eo.limits.min_frontalness =
      odai_options_get_float(o, "min_frontalness", eo.limits.min_frontalness);
  if (eo.num_threads < 1 || eo.num_threads > 64)
    return odai_calc_error(ctx, ODAI_E_INVALID, "num_threads must be 1..64");
  if (odai_face_embedder_create(&eo, &s->embedder, &e) != ODAI_OK)
    return odai_calc_error(ctx, e.code, "%s", e.message);
  return ODAI_OK;
}

static odai_status embed_process(odai_calc_ctx *ctx) {
  embed_state *s = odai_calc_state(ctx);
  const odai_image *img = odai_packet_image(odai_calc_input(ctx, "IMAGE", 0));
  const odai_detections *dets = odai_packet_detections(odai_calc_input(ctx, "DETECTIONS", 0));
  if (!dets) return ODAI_OK; /* no detections at this timestamp: no output */
  /* Alignment reads RGB8/RGBA8/BGR8/BGRA8; other frames (a camera's YUV)
   * are converted once per frame. */
  odai_image *conv = NULL;
  if (img && dets->count) {
    odai_pixel_format f = odai_image_format(img);
    if (f != ODAI_PIXEL_RGB8 && f != ODAI_PIXEL_RGBA8 && f != ODAI_PIXEL_BGR8 &&
        f != ODAI_PIXEL_BGRA8) {
      odai_error ce;
      if (odai_image_convert(img, ODAI_PIXEL_RGB8, &conv, &ce) != ODAI_OK)
        return odai_calc_error(ctx, ce.code, "%s", ce.message);
      img = conv;
    }
  }
  odai_embeddings *out = odai_embeddings_create(dets->count);
  if (!out) {
    odai_image_unref(conv);
    return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  }
  if (!img) {
    for (size_t i = 0; i < dets->count; i++)
      snprintf(out->skip_reasons[i], ODAI_EMBEDDING_REASON_MAX, "no image");
  } else if (dets->count) {
    /* every face of the frame in one call: the embedder batches them */
    if (dets->count > s->res_cap) {
      odai_face_embed_result *nr = realloc(s->res, dets->count * sizeof *nr);
      if (!nr) {
        odai_embeddings_free(out);
        odai_image_unref(conv);
        return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
      }
      s->res = nr;
      s->res_cap = dets->count;
    }
    odai_error e;
    if (odai_face_embedder_embed_batch(s->embedder, img, dets->items, dets->count, s->res, &e) !=
        ODAI_OK) {
      odai_embeddings_free(out);
      odai_image_unref(conv);
      return odai_calc_error(ctx, e.code, "%s", e.message);
    }
    for (size_t i = 0; i < dets->count; i++) {
      out->items[i] = s->res[i].embedding;
      if (!out->items[i])
        snprintf(out->skip_reasons[i], ODAI_EMBEDDING_REASON_MAX, "%s", s->res[i].skip_reason);
    }
  }
  odai_image_unref(conv);
  odai_packet *p = odai_packet_new_embeddings(out, odai_calc_timestamp(ctx));
  if (!p) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  return odai_calc_output(ctx, "EMBEDDINGS", 0, p);
}

static odai_status embed_close(odai_calc_ctx *ctx) {
  embed_state *s = odai_calc_state(ctx);
  odai_face_embedder_free(s->embedder);
  free(s->res);
  s->embedder = NULL;
  s->res = NULL;
  s->res_cap = 0;
  return ODAI_OK;
}

const odai_calculator_def odai_calc_face_embedder = {
    .name = "FaceEmbedderCalculator",
    .description = "IMAGE + face DETECTIONS -> EMBEDDINGS (ArcFace alignment, MobileFaceNet, "
                   "one unit vector per detection, low-quality faces skipped with a reason)",
    .state_size = sizeof(embed_state),
    .contract = embed_contract,
    .open = embed_open,
    .process = embed_process,
    .close = embed_close,
};

/* ---- FaceDetectionMergeCalculator ---- */

typedef struct merge_state {
  float max_overlap, min_height, min_score;
} merge_state;

static odai_status merge_contract(odai_contract *c) {
  odai_contract_input(c, "PRIMARY", ODAI_TYPE_DETECTIONS, 0);
  odai_contract_input(c, "SECONDARY", ODAI_TYPE_DETECTIONS, 0);
  odai_contract_output(c, "DETECTIONS", ODAI_TYPE_DETECTIONS, 0);
  odai_contract_options(c, "odai.FaceDetectionMergeCalculatorOptions");
  odai_contract_timestamp_offset(c, 0);
  return ODAI_OK;
}

static odai_status merge_open(odai_calc_ctx *ctx) {
  merge_state *s = odai_calc_state(ctx);
  const odai_options *o = odai_calc_options(ctx);
  s->max_overlap = odai_options_get_float(o, "max_overlap", 0.3f);
  s->min_height = odai_options_get_float(o, "min_secondary_height", 0.25f);
  s->min_score = odai_options_get_float(o, "min_secondary_score", 0.8f);
  if (!(s->max_overlap >= 0 && s->max_overlap <= 1) || !(s->min_height >= 0))
    return odai_calc_error(ctx, ODAI_E_INVALID,
                           "max_overlap must be in [0, 1] and min_secondary_height >= 0");
  return ODAI_OK;
}

static odai_status merge_process(odai_calc_ctx *ctx) {
  merge_state *s = odai_calc_state(ctx);
  const odai_detections *a = odai_packet_detections(odai_calc_input(ctx, "PRIMARY", 0));
  const odai_detections *b = odai_packet_detections(odai_calc_input(ctx, "SECONDARY", 0));
  if (!a && !b) return ODAI_OK;
  odai_detections *out = a ? odai_detections_clone(a) : odai_detections_create(4);
  if (!out) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  size_t nprimary = out->count;
  for (size_t j = 0; b && j < b->count; j++) {
    const odai_detection *d = &b->items[j];
    if (d->height < s->min_height || d->score < s->min_score) continue;
    bool overlaps = false;
    for (size_t i = 0; i < nprimary && !overlaps; i++)
      overlaps = odai_box_overlap(ODAI_OVERLAP_INTERSECTION_OVER_MIN, &out->items[i], d) >=
                 s->max_overlap;
    if (overlaps) continue;
    if (odai_detections_push(out, d, NULL) != ODAI_OK) {
      odai_detections_free(out);
      return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
    }
  }
  if (out->count == 0) {
    odai_detections_free(out); /* like the detectors: no packet when no face */
    return ODAI_OK;
  }
  odai_packet *p = odai_packet_new_detections(out, odai_calc_timestamp(ctx));
  if (!p) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  return odai_calc_output(ctx, "DETECTIONS", 0, p);
}

const odai_calculator_def odai_calc_face_detection_merge = {
    .name = "FaceDetectionMergeCalculator",
    .description = "full-range faces + the large short-range faces they miss (close-ups)",
    .state_size = sizeof(merge_state),
    .contract = merge_contract,
    .open = merge_open,
    .process = merge_process,
};

/* ---- FaceRecognizerCalculator ---- */

typedef struct recog_state {
  odai_gallery *gallery;
  odai_face_voter *voter;
  float threshold;
  bool threshold_override;
  int64_t refresh_ns, last_refresh_ns;
  char source[256]; /* the last FILE_NAME: a new photo starts new votes */
  char *path, *key;  /* kept for allow_missing: open the gallery once it appears */
} recog_state;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static odai_status recog_contract(odai_contract *c) {
  odai_contract_input(c, "DETECTIONS", ODAI_TYPE_DETECTIONS, 0);
  odai_contract_input(c, "EMBEDDINGS", ODAI_TYPE_EMBEDDINGS, 0);
  odai_contract_input(c, "FILE_NAME", ODAI_TYPE_STRING, ODAI_PORT_OPTIONAL);
  odai_contract_output(c, "DETECTIONS", ODAI_TYPE_DETECTIONS, 0);
  odai_contract_input_side(c, "GALLERY_PATH", ODAI_TYPE_STRING, ODAI_PORT_OPTIONAL);
  odai_contract_input_side(c, "KEY_PATH", ODAI_TYPE_STRING, ODAI_PORT_OPTIONAL);
  odai_contract_options(c, "odai.FaceRecognizerCalculatorOptions");
  odai_contract_timestamp_offset(c, 0);
  return ODAI_OK;
}

/* The gallery allows 127-byte names, a detection holds 63: cut at a UTF-8
 * character boundary. */
static void set_identity(odai_detection *d, const char *name) {
  size_t n = strlen(name);
  if (n >= sizeof d->identity) {
    n = sizeof d->identity - 1;
    while (n > 0 && ((unsigned char)name[n] & 0xC0) == 0x80) n--;
  }
  memcpy(d->identity, name, n);
  d->identity[n] = 0;
}

static const char *side_or_option(odai_calc_ctx *ctx, const char *tag, const char *opt) {
  const char *s = NULL;
  if (odai_packet_get_string(odai_calc_side_input(ctx, tag, 0), &s) == ODAI_OK && s && *s)
    return s;
  s = odai_options_get_string(odai_calc_options(ctx), opt, NULL);
  return s && *s ? s : NULL;
}

static odai_status recog_open(odai_calc_ctx *ctx) {
  recog_state *s = odai_calc_state(ctx);
  const odai_options *o = odai_calc_options(ctx);
  const char *path = side_or_option(ctx, "GALLERY_PATH", "gallery_path");
  if (!path)
    return odai_calc_error(ctx, ODAI_E_INVALID,
                           "no gallery: set the GALLERY_PATH side packet or options { gallery_path }"
                           " (create one with odai-faces create / enroll)");
  odai_gallery_options go = {0};
  go.key_path = side_or_option(ctx, "KEY_PATH", "key_path");
  go.read_only = true;
  odai_error e;
  if (odai_gallery_open(path, &go, &s->gallery, &e) != ODAI_OK) {
    /* allow_missing: a device whose gallery is not enrolled yet names
     * everyone "unknown" until the file appears (checked every refresh). */
    if (e.code != ODAI_E_NOT_FOUND || !odai_options_get_bool(o, "allow_missing", false))
      return odai_calc_error(ctx, e.code, "%s", e.message);
    s->gallery = NULL;
  }
  s->path = strdup(path);
  s->key = go.key_path ? strdup(go.key_path) : NULL;
  if (!s->path || (go.key_path && !s->key))
    return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  s->threshold_override = odai_options_has(o, "threshold");
  s->threshold = s->threshold_override ? odai_options_get_float(o, "threshold", 0.55f)
               : s->gallery           ? odai_gallery_threshold(s->gallery)
                                      : ODAI_GALLERY_DEFAULT_THRESHOLD;
  if (!(s->threshold >= -1.0f && s->threshold <= 1.0f))
    return odai_calc_error(ctx, ODAI_E_INVALID, "threshold must be in [-1, 1]");
  int64_t window = odai_options_get_int(o, "vote_window", ODAI_FACE_VOTE_DEFAULT_WINDOW);
  if (window < 1 || window > ODAI_FACE_VOTE_MAX_WINDOW)
    return odai_calc_error(ctx, ODAI_E_INVALID, "vote_window must be 1..%d",
                           ODAI_FACE_VOTE_MAX_WINDOW);
  s->voter = odai_face_voter_create((int)window);
  if (!s->voter) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  int64_t ms = odai_options_get_int(o, "refresh_interval_ms", 1000);
  s->refresh_ns = ms < 0 ? -1 : ms * 1000000;
  s->last_refresh_ns = now_ns();
  return ODAI_OK;
}

static odai_status recog_process(odai_calc_ctx *ctx) {
  recog_state *s = odai_calc_state(ctx);
  const odai_detections *in = odai_packet_detections(odai_calc_input(ctx, "DETECTIONS", 0));
  const odai_embeddings *emb = odai_packet_embeddings(odai_calc_input(ctx, "EMBEDDINGS", 0));
  if (!in) return ODAI_OK;
  odai_error e;
  /* Pick up enrolment during the run: one stat per refresh interval. */
  int64_t t = now_ns();
  if (s->refresh_ns >= 0 && t - s->last_refresh_ns >= s->refresh_ns) {
    s->last_refresh_ns = t;
    bool changed = false;
    if (!s->gallery) {
      odai_gallery_options go = {.key_path = s->key, .read_only = true};
      changed = odai_gallery_open(s->path, &go, &s->gallery, &e) == ODAI_OK;
      if (!changed && e.code != ODAI_E_NOT_FOUND)
        return odai_calc_error(ctx, e.code, "%s", e.message);
    } else if (odai_gallery_refresh(s->gallery, &changed, &e) != ODAI_OK) {
      changed = false;
    }
    if (changed) {
      odai_face_voter_reset(s->voter); /* old votes were cast against the old gallery */
      if (!s->threshold_override) s->threshold = odai_gallery_threshold(s->gallery);
    }
    /* a failed refresh (file being replaced, damaged) keeps the loaded gallery */
  }
  if (emb && emb->count != in->count)
    return odai_calc_error(ctx, ODAI_E_INVALID,
                           "EMBEDDINGS has %zu slots for %zu detections at the same timestamp",
                           emb->count, in->count);
  /* A directory of photos: each photo is a scene of its own, so votes of
   * the previous photo (whose boxes the tracker may have linked) are dropped. */
  const char *src = NULL;
  if (odai_packet_get_string(odai_calc_input(ctx, "FILE_NAME", 0), &src) == ODAI_OK && src &&
      strncmp(src, s->source, sizeof s->source - 1) != 0) {
    odai_face_voter_reset(s->voter);
    snprintf(s->source, sizeof s->source, "%s", src);
  }
  odai_detections *out = odai_detections_clone(in);
  if (!out) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  odai_face_voter_next_frame(s->voter);
  for (size_t i = 0; i < out->count; i++) {
    odai_detection *d = &out->items[i];
    const odai_embedding *x = emb ? emb->items[i] : NULL;
    char name[ODAI_GALLERY_NAME_MAX + 1] = "";
    float sim = 0.0f;
    bool have = false;
    if (x && !s->gallery) {
      snprintf(name, sizeof name, "%s", ODAI_GALLERY_UNKNOWN); /* no gallery yet */
      have = true;
    } else if (x) {
      if (odai_face_decide(s->gallery, x, s->threshold, name, &sim, &e) != ODAI_OK) {
        odai_detections_free(out);
        return odai_calc_error(ctx, e.code, "%s", e.message);
      }
      have = true;
    }
    if (d->track_id >= 0) {
      char shown[ODAI_GALLERY_NAME_MAX + 1];
      float ssim;
      if (odai_face_voter_vote(s->voter, d->track_id, have ? name : NULL, sim, shown, &ssim,
                               &e) != ODAI_OK) {
        odai_detections_free(out);
        return odai_calc_error(ctx, e.code, "%s", e.message);
      }
      snprintf(name, sizeof name, "%s", shown);
      sim = ssim;
      have = shown[0] != 0;
    }
    if (have) {
      set_identity(d, name);
      d->identity_similarity = sim;
    } else {
      d->identity[0] = 0; /* not decided: no embedding and no track history */
      d->identity_similarity = 0.0f;
    }
  }
  odai_packet *p = odai_packet_new_detections(out, odai_calc_timestamp(ctx));
  if (!p) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  return odai_calc_output(ctx, "DETECTIONS", 0, p);
}

static odai_status recog_close(odai_calc_ctx *ctx) {
  recog_state *s = odai_calc_state(ctx);
  odai_gallery_close(s->gallery);
  odai_face_voter_free(s->voter);
  free(s->path);
  free(s->key);
  s->path = s->key = NULL;
  s->gallery = NULL;
  s->voter = NULL;
  return ODAI_OK;
}

const odai_calculator_def odai_calc_face_recognizer = {
    .name = "FaceRecognizerCalculator",
    .description = "DETECTIONS + EMBEDDINGS + GALLERY_PATH -> DETECTIONS with identity (name or "
                   "unknown) and similarity; per-track vote; gallery reloaded when it changes",
    .state_size = sizeof(recog_state),
    .contract = recog_contract,
    .open = recog_open,
    .process = recog_process,
    .close = recog_close,
};
