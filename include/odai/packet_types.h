/* odai/packet_types.h: the payload types that built-in calculators put in
 * packets, so graphs can check producer/consumer types at validation time
 * and user code can read what graphs output.
 *
 * | type                    | name                   | payload (const in a packet) |
 * |-------------------------|------------------------|-----------------------------|
 * | odai_type_image         | "odai.Image"           | odai_image * (one reference) |
 * | odai_type_tensors       | "odai.Tensors"         | odai_tensors *              |
 * | odai_type_detections    | "odai.Detections"      | odai_detections *           |
 * | odai_type_rect          | "odai.Rect"            | odai_rect *                 |
 * | odai_type_norm_rect     | "odai.NormalizedRect"  | odai_norm_rect *            |
 * | odai_type_norm_rects    | "odai.NormalizedRects" | odai_norm_rects *           |
 * | odai_type_landmarks     | "odai.Landmarks"       | odai_landmarks *            |
 * | odai_type_render_data   | "odai.RenderData"      | odai_render_data *          |
 * | odai_type_float_vector  | "odai.FloatVector"     | odai_float_vector *         |
 * | odai_type_image_size    | "odai.ImageSize"       | odai_image_size *           |
 * | odai_type_embeddings    | "odai.Embeddings"      | odai_embeddings *           |
 *
 * Segmentation masks are images of format ODAI_PIXEL_F32.
 * The makers below take ownership of the payload (transfer full, also on
 * failure: the payload is freed) and return NULL only on ENOMEM.
 *
 * Thread-safety: every function here is reentrant. A payload in a packet is
 * immutable once the packet exists, so packets and their payloads may be
 * read from any number of threads at once (the typed getters); a payload
 * that is not yet in a packet belongs to one thread. */
#ifndef ODAI_PACKET_TYPES_H
#define ODAI_PACKET_TYPES_H

#include "odai/common.h"
#include "odai/detection.h"
#include "odai/embedding.h"
#include "odai/image.h"
#include "odai/packet.h"
#include "odai/tensors.h"
#include "odai/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct odai_float_vector {
  size_t n;
  float *v; /* owned */
} odai_float_vector;

typedef struct odai_image_size {
  int width, height;
} odai_image_size;

/* One embedding slot per detection of the DETECTIONS packet with the same
 * timestamp, in the same order (FaceEmbedderCalculator's EMBEDDINGS).
 * items[i] == NULL means detection i has no embedding: it was skipped, and
 * skip_reasons[i] says why ("too small: eye distance 7.5 px < 10", "no
 * keypoints", ...); for an embedded face skip_reasons[i] is "". */
#define ODAI_EMBEDDING_REASON_MAX 96
typedef struct odai_embeddings {
  size_t count;
  odai_embedding **items;                        /* owned, count slots, NULL = skipped */
  char (*skip_reasons)[ODAI_EMBEDDING_REASON_MAX]; /* owned, count slots */
} odai_embeddings;

/* count empty slots (all NULL, reasons ""). Transfer full; NULL on ENOMEM. */
ODAI_API odai_embeddings *odai_embeddings_create(size_t count);
/* Frees the list and every embedding in it (odai_embeddings_create's or a
 * caller's own, never one read from a packet); NULL is a no-op. */
ODAI_API void odai_embeddings_free(odai_embeddings *e);

ODAI_API extern const odai_type odai_type_image;
ODAI_API extern const odai_type odai_type_tensors;
ODAI_API extern const odai_type odai_type_detections;
ODAI_API extern const odai_type odai_type_rect;
ODAI_API extern const odai_type odai_type_norm_rect;
ODAI_API extern const odai_type odai_type_norm_rects;
ODAI_API extern const odai_type odai_type_landmarks;
ODAI_API extern const odai_type odai_type_render_data;
ODAI_API extern const odai_type odai_type_float_vector;
ODAI_API extern const odai_type odai_type_image_size;
ODAI_API extern const odai_type odai_type_embeddings;

#define ODAI_TYPE_IMAGE (&odai_type_image)
#define ODAI_TYPE_TENSORS (&odai_type_tensors)
#define ODAI_TYPE_DETECTIONS (&odai_type_detections)
#define ODAI_TYPE_RECT (&odai_type_rect)
#define ODAI_TYPE_NORM_RECT (&odai_type_norm_rect)
#define ODAI_TYPE_NORM_RECTS (&odai_type_norm_rects)
#define ODAI_TYPE_LANDMARKS (&odai_type_landmarks)
#define ODAI_TYPE_RENDER_DATA (&odai_type_render_data)
#define ODAI_TYPE_FLOAT_VECTOR (&odai_type_float_vector)
#define ODAI_TYPE_IMAGE_SIZE (&odai_type_image_size)
#define ODAI_TYPE_EMBEDDINGS (&odai_type_embeddings)

/* Packet makers (transfer full of the payload; the packet gets timestamp ts).
 * The new packet is returned with one reference for the caller (transfer
 * full: odai_packet_unref, or hand it on to odai_calc_output). */
ODAI_API odai_packet *odai_packet_new_image(odai_image *img, odai_timestamp ts);
ODAI_API odai_packet *odai_packet_new_tensors(odai_tensors *t, odai_timestamp ts);
ODAI_API odai_packet *odai_packet_new_detections(odai_detections *d, odai_timestamp ts);
ODAI_API odai_packet *odai_packet_new_render_data(odai_render_data *rd, odai_timestamp ts);
ODAI_API odai_packet *odai_packet_new_rect(odai_rect *r, odai_timestamp ts);
ODAI_API odai_packet *odai_packet_new_norm_rect(odai_norm_rect *r, odai_timestamp ts);
ODAI_API odai_packet *odai_packet_new_norm_rects(odai_norm_rects *r, odai_timestamp ts);
ODAI_API odai_packet *odai_packet_new_float_vector(odai_float_vector *v, odai_timestamp ts);
ODAI_API odai_packet *odai_packet_new_image_size(int width, int height, odai_timestamp ts);
ODAI_API odai_packet *odai_packet_new_embeddings(odai_embeddings *e, odai_timestamp ts);

/* Typed getters: the payload, or NULL when pkt is NULL or of another type
 * (transfer none). */
ODAI_API const odai_image *odai_packet_image(const odai_packet *pkt);
ODAI_API const odai_tensors *odai_packet_tensors(const odai_packet *pkt);
ODAI_API const odai_detections *odai_packet_detections(const odai_packet *pkt);
ODAI_API const odai_render_data *odai_packet_render_data(const odai_packet *pkt);
ODAI_API const odai_rect *odai_packet_rect(const odai_packet *pkt);
ODAI_API const odai_norm_rect *odai_packet_norm_rect(const odai_packet *pkt);
ODAI_API const odai_norm_rects *odai_packet_norm_rects(const odai_packet *pkt);
ODAI_API const odai_embeddings *odai_packet_embeddings(const odai_packet *pkt);

/* Register all of the above with odai_type_register (idempotent and
 * thread-safe; the calculator registry calls it once). */
ODAI_API void odai_packet_types_register(void);

#ifdef __cplusplus
}
#endif

#endif /* ODAI_PACKET_TYPES_H */
