/* examples/odai-faces/face_graph.c: see face_graph.h. One graph, started
 * once, is fed one image per timestamp; the outputs of each image are
 * collected by observers after the graph is idle. */
#include "face_graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "odai/graph.h"
#include "odai/image_io.h"

static const char *k_embed_graph =
    "input_stream: \"IMAGE:image\"\n"
    "input_side_packet: \"model_path\"\n"
    "output_stream: \"DETECTIONS:faces\"\n"
    "output_stream: \"EMBEDDINGS:embeddings\"\n"
    "node { calculator: \"FaceDetectionTwoPassCpu\" input_stream: \"IMAGE:image\"\n"
    "       output_stream: \"DETECTIONS:faces\" }\n"
    "node { calculator: \"FaceEmbedderCalculator\" input_stream: \"IMAGE:image\"\n"
    "       input_stream: \"DETECTIONS:faces\" output_stream: \"EMBEDDINGS:embeddings\"\n"
    "       input_side_packet: \"MODEL_PATH:model_path\"\n"
    "       options { [odai.FaceEmbedderCalculatorOptions.ext] { skip_low_quality: %s } } }\n";

static const char *k_recognize_nodes =
    "input_side_packet: \"gallery_path\"\n"
    "input_side_packet: \"key_path\"\n"
    "output_stream: \"DETECTIONS:named\"\n"
    "node { calculator: \"FaceRecognizerCalculator\" input_stream: \"DETECTIONS:faces\"\n"
    "       input_stream: \"EMBEDDINGS:embeddings\" output_stream: \"DETECTIONS:named\"\n"
    "       input_side_packet: \"GALLERY_PATH:gallery_path\"\n"
    "       input_side_packet: \"KEY_PATH:key_path\"\n"
    "       options { [odai.FaceRecognizerCalculatorOptions.ext] { refresh_interval_ms: 0 } } }\n";

struct face_graph {
  odai_graph *g;
  int64_t ts;
  bool named;
  odai_packet *faces, *embeddings, *named_faces; /* this image's outputs (references) */
};

static odai_status keep(odai_packet **slot, const odai_packet *p) {
  odai_packet_unref(*slot);
  *slot = odai_packet_ref(p);
  return ODAI_OK;
}
static odai_status on_faces(void *u, const odai_packet *p) {
  return keep(&((face_graph *)u)->faces, p);
}
static odai_status on_embeddings(void *u, const odai_packet *p) {
  return keep(&((face_graph *)u)->embeddings, p);
}
static odai_status on_named(void *u, const odai_packet *p) {
  return keep(&((face_graph *)u)->named_faces, p);
}

static void drop_outputs(face_graph *fg) {
  odai_packet_unref(fg->faces);
  odai_packet_unref(fg->embeddings);
  odai_packet_unref(fg->named_faces);
  fg->faces = fg->embeddings = fg->named_faces = NULL;
}

void face_graph_close(face_graph *fg) {
  if (!fg) return;
  if (fg->g) {
    odai_graph_wait_until_done(fg->g, NULL);
    odai_graph_destroy(fg->g);
  }
  drop_outputs(fg);
  free(fg);
}

odai_status face_graph_open(const char *model_path, const char *gallery_path,
                            const char *key_path, bool skip_low_quality, face_graph **out,
                            odai_error *err) {
  *out = NULL;
  face_graph *fg = calloc(1, sizeof *fg);
  if (!fg) return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  fg->named = gallery_path != NULL;
  char text[4096];
  int n = snprintf(text, sizeof text, k_embed_graph, skip_low_quality ? "true" : "false");
  if (fg->named) snprintf(text + n, sizeof text - (size_t)n, "%s", k_recognize_nodes);
  odai_status st = odai_graph_create(text, strlen(text), "odai-faces", &fg->g, err);
  if (st != ODAI_OK) goto fail;
  odai_graph_set_side_packet(fg->g, "model_path",
                             odai_packet_new_string(model_path ? model_path
                                                               : "MobileFaceNet.tflite",
                                                    ODAI_TS_UNSET));
  if (fg->named) {
    odai_graph_set_side_packet(fg->g, "gallery_path",
                               odai_packet_new_string(gallery_path, ODAI_TS_UNSET));
    odai_graph_set_side_packet(fg->g, "key_path",
                               odai_packet_new_string(key_path ? key_path : "", ODAI_TS_UNSET));
  }
  if ((st = odai_graph_observe_output(fg->g, "faces", on_faces, fg)) != ODAI_OK ||
      (st = odai_graph_observe_output(fg->g, "embeddings", on_embeddings, fg)) != ODAI_OK ||
      (fg->named && (st = odai_graph_observe_output(fg->g, "named", on_named, fg)) != ODAI_OK)) {
    odai_error_set(err, st, "cannot observe the face graph's outputs");
    goto fail;
  }
  if ((st = odai_graph_start(fg->g, err)) != ODAI_OK) goto fail;
  *out = fg;
  return ODAI_OK;
fail:
  face_graph_close(fg);
  return st;
}

void face_result_fini(face_result *res) {
  if (!res) return;
  for (size_t i = 0; i < res->count; i++) odai_embedding_free(res->faces[i].embedding);
  free(res->faces);
  res->faces = NULL;
  res->count = 0;
}

int face_result_largest(const face_result *res) {
  int best = -1;
  for (size_t i = 0; i < res->count; i++) {
    const odai_detection *d = &res->faces[i].det;
    if (best < 0 || d->width * d->height >
                        res->faces[best].det.width * res->faces[best].det.height)
      best = (int)i;
  }
  return best;
}

odai_status face_graph_run_image(face_graph *fg, const odai_image *img, face_result *res,
                                 odai_error *err) {
  memset(res, 0, sizeof *res);
  drop_outputs(fg);
  odai_image *ref = odai_image_ref((odai_image *)img);
  odai_packet *p = odai_packet_new_image(ref, fg->ts++);
  if (!p) return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  odai_status st = odai_graph_add_packet(fg->g, "image", p);
  if (st == ODAI_OK) st = odai_graph_wait_until_idle(fg->g, err);
  else odai_graph_last_error(fg->g, err);
  if (st != ODAI_OK) return st;
  const odai_detections *dets =
      odai_packet_detections(fg->named ? fg->named_faces : fg->faces);
  const odai_embeddings *emb = odai_packet_embeddings(fg->embeddings);
  if (!dets || !dets->count) goto done;
  if (!emb || emb->count != dets->count) {
    st = odai_error_set(err, ODAI_E_INTERNAL, "face graph: embeddings missing for %zu faces",
                        dets->count);
    goto done;
  }
  res->faces = calloc(dets->count, sizeof *res->faces);
  if (!res->faces) {
    st = odai_error_set(err, ODAI_E_NOMEM, "out of memory");
    goto done;
  }
  res->count = dets->count;
  for (size_t i = 0; i < dets->count; i++) {
    face_hit *h = &res->faces[i];
    h->det = dets->items[i];
    snprintf(h->reason, sizeof h->reason, "%s", emb->skip_reasons[i]);
    if (emb->items[i] && (st = odai_embedding_copy(emb->items[i], &h->embedding, err)) != ODAI_OK)
      goto done;
  }
done:
  drop_outputs(fg);
  if (st != ODAI_OK) face_result_fini(res);
  return st;
}

odai_status face_graph_run_file(face_graph *fg, const char *path, face_result *res,
                                odai_error *err) {
  memset(res, 0, sizeof *res);
  odai_image *img = NULL;
  odai_status st = odai_image_read_file(path, ODAI_PIXEL_RGB8, &img, err);
  if (st != ODAI_OK) return st;
  st = face_graph_run_image(fg, img, res, err);
  odai_image_unref(img);
  return st;
}
