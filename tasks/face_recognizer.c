/* odai_face_recognizer (odai/face_recognizer.h): face detection + alignment
 * + embedding + gallery identification as a task object. Runs the built-in
 * tasks/configs/face_recognizer.pbtxt (the calculators of
 * configs/face_recognition.pbtxt) through task_runner; enrolment adds the
 * graph's embedding of the largest face to the gallery (odai/gallery.h). */
#include "odai/face_recognizer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "odai/gallery.h"
#include "odai/packet_types.h"
#include "task_runner.h"

#define TASK "face_recognizer"
#define DEFAULT_DIM 192 /* MobileFaceNet */

struct odai_face_recognizer {
  odai_task_runner *r;
  odai_running_mode mode;
  odai_face_recognizer_result_fn cb;
  void *user;
  char gallery_path[1024];
  char key_path[1024];
};

void odai_face_recognizer_options_init(odai_face_recognizer_options *o) {
  memset(o, 0, sizeof *o);
  o->threshold = -1.0f;
  o->num_threads = 1;
  o->running_mode = ODAI_RUNNING_MODE_IMAGE;
}

static odai_status build_config(const odai_face_recognizer_options *o, bool resolve,
                                char *model, size_t model_n, char **out, odai_error *err) {
  *out = NULL;
  odai_face_recognizer_options d;
  if (!o) {
    odai_face_recognizer_options_init(&d);
    o = &d;
  }
  if (o->threshold > 1.0f)
    return odai_error_set(err, ODAI_E_INVALID, TASK ": threshold %g is above 1", (double)o->threshold);
  if (o->num_threads < 1 || o->num_threads > 64)
    return odai_error_set(err, ODAI_E_INVALID, TASK ": num_threads %d is not in 1..64",
                          o->num_threads);
  const char *def = "MobileFaceNet.tflite";
  const char *text = odai_task_builtin_config("face_recognizer.pbtxt", NULL);
  if (!text) return odai_error_set(err, ODAI_E_INTERNAL, TASK ": built-in config missing");
  odai_task_subst s[3];
  size_t n = 0;
  if (resolve) {
    if (odai_task_resolve_model(o->model_path, def, model, model_n, err) != ODAI_OK)
      return odai_error_prefix(err, TASK ": ");
  } else {
    snprintf(model, model_n, "%s", o->model_path ? o->model_path : def);
  }
  if (odai_task_subst_string(&s[n++], "model_path", model, err) != ODAI_OK)
    return odai_error_prefix(err, TASK ": ");
  odai_task_subst_int(&s[n++], "num_threads", o->num_threads);
  if (o->threshold >= 0.0f) {
    /* the recognizer's threshold option overrides the gallery's */
    s[n].key = "refresh_interval_ms";
    snprintf(s[n].value, sizeof s[n].value, "0  threshold: %.9g", (double)o->threshold);
    n++;
  }
  return odai_task_config_apply(text, s, n, out, err);
}

char *odai_face_recognizer_graph_config(const odai_face_recognizer_options *o) {
  char *text = NULL, model[1024];
  if (build_config(o, false, model, sizeof model, &text, NULL) != ODAI_OK) return NULL;
  return text;
}

void odai_face_recognizer_result_free(odai_face_recognizer_result *result) {
  if (!result) return;
  for (size_t i = 0; result->embeddings && i < result->faces.count; i++)
    odai_embedding_free(result->embeddings[i]);
  free(result->embeddings);
  result->embeddings = NULL;
  odai_detections_fini(&result->faces);
  odai_detections_init(&result->faces);
}

/* Copy the graph's outputs (named detections, embeddings; either may be
 * NULL: no face) into res. */
static odai_status fill_result(odai_running_mode mode, const odai_packet *const *pkts, int64_t ts,
                               odai_face_recognizer_result *res, odai_error *err) {
  odai_detections_init(&res->faces);
  res->embeddings = NULL;
  res->timestamp_us = ts;
  const odai_detections *d = pkts[0] ? odai_packet_detections(pkts[0]) : NULL;
  const odai_embeddings *e = pkts[1] ? odai_packet_embeddings(pkts[1]) : NULL;
  if (!d || d->count == 0) return ODAI_OK;
  if (odai_detections_copy(&res->faces, d, err) != ODAI_OK) return ODAI_E_NOMEM;
  res->embeddings = calloc(d->count, sizeof *res->embeddings);
  if (!res->embeddings) goto nomem;
  for (size_t i = 0; i < d->count; i++) {
    if (mode == ODAI_RUNNING_MODE_IMAGE) res->faces.items[i].track_id = -1;
    if (e && e->count == d->count && e->items[i] &&
        odai_embedding_copy(e->items[i], &res->embeddings[i], err) != ODAI_OK)
      goto nomem;
  }
  return ODAI_OK;
nomem:
  odai_face_recognizer_result_free(res);
  return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
}

static void deliver(void *user, odai_status status, const odai_packet *const *pkts,
                    const odai_image *image, int64_t ts) {
  odai_face_recognizer *fr = user;
  odai_face_recognizer_result res;
  odai_error err;
  if (status == ODAI_OK) status = fill_result(fr->mode, pkts, ts, &res, &err);
  fr->cb(fr->user, status, status == ODAI_OK ? &res : NULL, image, ts);
  if (status == ODAI_OK) odai_face_recognizer_result_free(&res);
}

/* An empty gallery for the embedder model when the file is missing. */
static odai_status ensure_gallery(const odai_face_recognizer_options *o, const char *model,
                                  odai_error *err) {
  if (access(o->gallery_path, F_OK) == 0) return ODAI_OK;
  uint8_t id[ODAI_MODEL_ID_SIZE];
  odai_status st = odai_model_id_of_file(model, id, err);
  if (st != ODAI_OK) return st;
  odai_gallery_options go = {.key_path = o->key_path, .create_if_missing = true, .model_id = id,
                             .dim = DEFAULT_DIM, .lock_timeout_ms = 5000};
  odai_gallery *g = NULL;
  st = odai_gallery_open(o->gallery_path, &go, &g, err);
  if (st == ODAI_OK) st = odai_gallery_save(g, err);
  odai_gallery_close(g);
  return st;
}

odai_status odai_face_recognizer_create(const odai_face_recognizer_options *o,
                                        odai_face_recognizer **out, odai_error *err) {
  if (!o || !out) return odai_error_set(err, ODAI_E_INVALID, TASK ": options and out are required");
  *out = NULL;
  if (!o->gallery_path || !*o->gallery_path)
    return odai_error_set(err, ODAI_E_INVALID, TASK ": gallery_path is required");
  odai_face_recognizer *fr = calloc(1, sizeof *fr);
  if (!fr) return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  fr->mode = o->running_mode;
  fr->cb = o->result_callback;
  fr->user = o->user_data;
  snprintf(fr->gallery_path, sizeof fr->gallery_path, "%s", o->gallery_path);
  if (o->key_path) snprintf(fr->key_path, sizeof fr->key_path, "%s", o->key_path);
  char *text = NULL, model[1024];
  odai_status st = build_config(o, true, model, sizeof model, &text, err);
  if (st == ODAI_OK) {
    st = ensure_gallery(o, model, err);
    if (st != ODAI_OK) odai_error_prefix(err, TASK ": gallery %s: ", o->gallery_path);
  }
  if (st != ODAI_OK) goto fail;
  const char *sides[] = {"gallery_path", fr->gallery_path, o->key_path ? "key_path" : NULL,
                         fr->key_path, NULL};
  odai_task_runner_config rc = {
      .task_name = TASK,
      .config_text = text,
      .outputs = {"named_detections", "face_embeddings"},
      .n_outputs = 2,
      .frame_name_stream = "frame_name",
      .side_packets = sides,
      .num_threads = o->num_threads,
      .mode = o->running_mode,
      .live_worker = true,
      .deliver = o->result_callback ? deliver : NULL,
      .deliver_user = fr,
  };
  st = odai_task_runner_create(&rc, &fr->r, err);
  if (st != ODAI_OK) goto fail;
  free(text);
  *out = fr;
  return ODAI_OK;
fail:
  free(text);
  free(fr);
  return st;
}

static odai_status run(odai_face_recognizer *fr, odai_running_mode mode, odai_image *image,
                       int64_t ts, odai_face_recognizer_result *result, odai_error *err) {
  if (!fr || !result)
    return odai_error_set(err, ODAI_E_INVALID, TASK ": recognizer and result are required");
  odai_detections_init(&result->faces);
  result->embeddings = NULL;
  result->timestamp_us = 0;
  odai_packet *pkts[ODAI_TASK_MAX_OUTPUTS] = {NULL};
  int64_t used = 0;
  odai_status st = odai_task_runner_process(fr->r, mode, image, ts, pkts, &used, err);
  if (st == ODAI_OK) st = fill_result(mode, (const odai_packet *const *)pkts, used, result, err);
  odai_packet_unref(pkts[0]);
  odai_packet_unref(pkts[1]);
  return st;
}

odai_status odai_face_recognizer_recognize(odai_face_recognizer *r, odai_image *image,
                                           odai_face_recognizer_result *result, odai_error *err) {
  return run(r, ODAI_RUNNING_MODE_IMAGE, image, 0, result, err);
}

odai_status odai_face_recognizer_recognize_for_video(odai_face_recognizer *r, odai_image *image,
                                                     int64_t timestamp_us,
                                                     odai_face_recognizer_result *result,
                                                     odai_error *err) {
  return run(r, ODAI_RUNNING_MODE_VIDEO, image, timestamp_us, result, err);
}

odai_status odai_face_recognizer_recognize_async(odai_face_recognizer *r, odai_image *image,
                                                 int64_t timestamp_us, odai_error *err) {
  if (!r) return odai_error_set(err, ODAI_E_INVALID, TASK ": recognizer is NULL");
  return odai_task_runner_send(r->r, image, timestamp_us, err);
}

odai_status odai_face_recognizer_embed(odai_face_recognizer *r, odai_image *image,
                                       odai_face_recognizer_result *result, odai_error *err) {
  return run(r, ODAI_RUNNING_MODE_IMAGE, image, 0, result, err);
}

odai_status odai_face_recognizer_enroll(odai_face_recognizer *r, const char *name,
                                        odai_image *image, odai_error *err) {
  if (!r || !name) return odai_error_set(err, ODAI_E_INVALID, TASK ": recognizer and name are required");
  odai_face_recognizer_result res;
  odai_status st = run(r, ODAI_RUNNING_MODE_IMAGE, image, 0, &res, err);
  if (st != ODAI_OK) return st;
  int best = -1;
  float area = 0;
  for (size_t i = 0; i < res.faces.count; i++) {
    const odai_detection *d = &res.faces.items[i];
    if (res.embeddings[i] && d->width * d->height > area) {
      area = d->width * d->height;
      best = (int)i;
    }
  }
  if (best < 0) {
    if (res.faces.count)
      st = odai_error_set(err, ODAI_E_NOT_FOUND,
                          TASK ": enroll '%s': no usable face (%zu found: too small, blurred or "
                          "turned away)", name, res.faces.count);
    else
      st = odai_error_set(err, ODAI_E_NOT_FOUND, TASK ": enroll '%s': no face found", name);
    odai_face_recognizer_result_free(&res);
    return st;
  }
  odai_gallery_options go = {.key_path = r->key_path[0] ? r->key_path : NULL,
                             .lock_timeout_ms = 5000};
  odai_gallery *g = NULL;
  st = odai_gallery_open(r->gallery_path, &go, &g, err);
  if (st == ODAI_OK) st = odai_gallery_add(g, name, res.embeddings[best], err);
  if (st == ODAI_OK) st = odai_gallery_save(g, err);
  odai_gallery_close(g);
  odai_face_recognizer_result_free(&res);
  if (st != ODAI_OK) odai_error_prefix(err, TASK ": enroll '%s': ", name);
  return st;
}

odai_task_stats odai_face_recognizer_stats(const odai_face_recognizer *r) {
  return odai_task_runner_stats(r ? r->r : NULL);
}

void odai_face_recognizer_close(odai_face_recognizer *r) {
  if (!r) return;
  odai_task_runner_destroy(r->r);
  free(r);
}
