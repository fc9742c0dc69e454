/* odai_image_segmenter (odai/image_segmenter.h): selfie segmentation as a
 * task object. Takes the built-in config (tasks/configs/
 * image_segmenter.pbtxt), sets its options and runs it through task_runner;
 * the only pixel work here is the category mask (confidence > threshold). */
#include "odai/image_segmenter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "odai/packet_types.h"
#include "task_runner.h"

#define TASK "image_segmenter"

struct odai_image_segmenter {
  odai_task_runner *r;
  odai_image_segmenter_result_fn cb;
  void *user;
  bool want_conf, want_cat;
  float threshold;
};

void odai_image_segmenter_options_init(odai_image_segmenter_options *o) {
  memset(o, 0, sizeof *o);
  o->model = ODAI_IMAGE_SEGMENTER_GENERAL;
  o->output_confidence_mask = true;
  o->output_category_mask = true;
  o->category_threshold = 0.5f;
  o->num_threads = 1;
  o->running_mode = ODAI_RUNNING_MODE_IMAGE;
}

static odai_status build_config(const odai_image_segmenter_options *o, bool resolve, char **out,
                                odai_error *err) {
  *out = NULL;
  odai_image_segmenter_options d;
  if (!o) {
    odai_image_segmenter_options_init(&d);
    o = &d;
  }
  if (o->model != ODAI_IMAGE_SEGMENTER_GENERAL && o->model != ODAI_IMAGE_SEGMENTER_LANDSCAPE)
    return odai_error_set(err, ODAI_E_INVALID, TASK ": unknown model %d (GENERAL or LANDSCAPE)",
                          (int)o->model);
  if (!(o->category_threshold >= 0.0f && o->category_threshold <= 1.0f))
    return odai_error_set(err, ODAI_E_INVALID, TASK ": category_threshold %g is not in [0,1]",
                          (double)o->category_threshold);
  if (!o->output_confidence_mask && !o->output_category_mask)
    return odai_error_set(err, ODAI_E_INVALID, TASK ": neither mask asked for");
  if (o->num_threads < 1 || o->num_threads > 64)
    return odai_error_set(err, ODAI_E_INVALID, TASK ": num_threads %d is not in 1..64",
                          o->num_threads);
  const bool land = o->model == ODAI_IMAGE_SEGMENTER_LANDSCAPE;
  const char *def = land
                        ? "mediapipe/modules/selfie_segmentation/selfie_segmentation_landscape.tflite"
                        : "mediapipe/modules/selfie_segmentation/selfie_segmentation.tflite";
  const char *text = odai_task_builtin_config(o->running_mode == ODAI_RUNNING_MODE_IMAGE
                                                  ? "image_segmenter.pbtxt"
                                                  : "image_segmenter_video.pbtxt",
                                              NULL);
  if (!text) return odai_error_set(err, ODAI_E_INTERNAL, TASK ": built-in config missing");
  odai_task_subst s[3];
  size_t n = 0;
  char model[1024];
  if (resolve) {
    if (odai_task_resolve_model(o->model_path, def, model, sizeof model, err) != ODAI_OK)
      return odai_error_prefix(err, TASK ": ");
  } else {
    snprintf(model, sizeof model, "%s", o->model_path ? o->model_path : def);
  }
  if (resolve || o->model_path || land)
    if (odai_task_subst_string(&s[n++], "model_path", model, err) != ODAI_OK)
      return odai_error_prefix(err, TASK ": ");
  if (land) odai_task_subst_int(&s[n++], "output_tensor_height", 144);
  odai_task_subst_int(&s[n++], "num_threads", o->num_threads);
  return odai_task_config_apply(text, s, n, out, err);
}

char *odai_image_segmenter_graph_config(const odai_image_segmenter_options *o) {
  char *text = NULL;
  if (build_config(o, false, &text, NULL) != ODAI_OK) return NULL;
  return text;
}

/* Fill res from the mask packet: a reference to the confidence mask and a
 * new category mask. */
static odai_status fill_result(const odai_image_segmenter *s, const odai_packet *pkt, int64_t ts,
                               odai_image_segmenter_result *res, odai_error *err) {
  res->confidence_mask = res->category_mask = NULL;
  res->timestamp_us = ts;
  const odai_image *mask = pkt ? odai_packet_image(pkt) : NULL;
  if (!mask || odai_image_format(mask) != ODAI_PIXEL_F32)
    return odai_error_set(err, ODAI_E_INTERNAL, TASK ": the graph gave no F32 mask at %lld",
                          (long long)ts);
  if (s->want_cat) {
    int w = odai_image_width(mask), h = odai_image_height(mask);
    odai_image *cat = NULL;
    if (odai_image_new(w, h, ODAI_PIXEL_GRAY8, &cat) != ODAI_OK)
      return odai_error_set(err, ODAI_E_NOMEM, "out of memory for a %dx%d mask", w, h);
    const uint8_t *src = odai_image_cdata(mask, 0);
    uint8_t *dst = odai_image_data(cat, 0);
    int ss = odai_image_stride(mask, 0), ds = odai_image_stride(cat, 0);
    const float t = s->threshold;
    for (int y = 0; y < h; y++) {
      const float *m = (const float *)(const void *)(src + (size_t)y * (size_t)ss);
      uint8_t *c = dst + (size_t)y * (size_t)ds;
      for (int x = 0; x < w; x++) c[x] = m[x] > t;
    }
    res->category_mask = cat;
  }
  if (s->want_conf) res->confidence_mask = odai_image_ref((odai_image *)mask);
  return ODAI_OK;
}

static void deliver(void *user, odai_status status, const odai_packet *const *pkts,
                    const odai_image *image, int64_t ts) {
  const odai_packet *pkt = pkts ? pkts[0] : NULL;
  odai_image_segmenter *s = user;
  odai_image_segmenter_result res;
  odai_error err;
  if (status == ODAI_OK) status = fill_result(s, pkt, ts, &res, &err);
  s->cb(s->user, status, status == ODAI_OK ? &res : NULL, image, ts);
  if (status == ODAI_OK) odai_image_segmenter_result_free(&res);
}

odai_status odai_image_segmenter_create(const odai_image_segmenter_options *o,
                                        odai_image_segmenter **out, odai_error *err) {
  if (!o || !out)
    return odai_error_set(err, ODAI_E_INVALID, TASK ": options and out are required");
  *out = NULL;
  odai_image_segmenter *s = calloc(1, sizeof *s);
  if (!s) return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  s->cb = o->result_callback;
  s->user = o->user_data;
  s->want_conf = o->output_confidence_mask;
  s->want_cat = o->output_category_mask;
  s->threshold = o->category_threshold;
  char *text = NULL;
  odai_status st = build_config(o, true, &text, err);
  if (st != ODAI_OK) goto fail;
  odai_task_runner_config rc = {
      .task_name = TASK,
      .config_text = text,
      .output_stream = o->running_mode == ODAI_RUNNING_MODE_IMAGE ? "confidence_mask"
                                                                  : "smoothed_mask",
      .num_threads = o->num_threads,
      .mode = o->running_mode,
      .deliver = o->result_callback ? deliver : NULL,
      .deliver_user = s,
  };
  st = odai_task_runner_create(&rc, &s->r, err);
  free(text);
  if (st != ODAI_OK) goto fail;
  *out = s;
  return ODAI_OK;
fail:
  free(s);
  return st;
}

static odai_status run(odai_image_segmenter *s, odai_running_mode mode, odai_image *image,
                       int64_t ts, odai_image_segmenter_result *result, odai_error *err) {
  if (!s || !result)
    return odai_error_set(err, ODAI_E_INVALID, TASK ": segmenter and result are required");
  memset(result, 0, sizeof *result);
  odai_packet *pkt = NULL;
  int64_t used = 0;
  odai_status st = odai_task_runner_process(s->r, mode, image, ts, &pkt, &used, err);
  if (st == ODAI_OK) st = fill_result(s, pkt, used, result, err);
  odai_packet_unref(pkt);
  return st;
}

odai_status odai_image_segmenter_segment(odai_image_segmenter *s, odai_image *image,
                                         odai_image_segmenter_result *result, odai_error *err) {
  return run(s, ODAI_RUNNING_MODE_IMAGE, image, 0, result, err);
}

odai_status odai_image_segmenter_segment_for_video(odai_image_segmenter *s, odai_image *image,
                                                   int64_t timestamp_us,
                                                   odai_image_segmenter_result *result,
                                                   odai_error *err) {
  return run(s, ODAI_RUNNING_MODE_VIDEO, image, timestamp_us, result, err);
}

odai_status odai_image_segmenter_segment_async(odai_image_segmenter *s, odai_image *image,
                                               int64_t timestamp_us, odai_error *err) {
  if (!s) return odai_error_set(err, ODAI_E_INVALID, TASK ": segmenter is NULL");
  return odai_task_runner_send(s->r, image, timestamp_us, err);
}

odai_task_stats odai_image_segmenter_stats(const odai_image_segmenter *s) {
  return odai_task_runner_stats(s ? s->r : NULL);
}

void odai_image_segmenter_result_free(odai_image_segmenter_result *result) {
  if (!result) return;
  odai_image_unref(result->confidence_mask);
  odai_image_unref(result->category_mask);
  result->confidence_mask = result->category_mask = NULL;
}

void odai_image_segmenter_close(odai_image_segmenter *s) {
  if (!s) return;
  odai_task_runner_destroy(s->r);
  free(s);
}
