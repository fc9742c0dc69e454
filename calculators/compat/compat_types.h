/* calculators/compat/compat_types.h: payload types of the MediaPipe
 * compatibility calculators: a byte blob (LocalFileContentsCalculator's
 * CONTENTS) and a loaded model (TfLiteModelCalculator's MODEL, accepted by
 * InferenceCalculator's MODEL side packet). Internal header. */
#ifndef ODAI_CALCULATORS_COMPAT_TYPES_H
#define ODAI_CALCULATORS_COMPAT_TYPES_H

#include <stddef.h>

#include "odai/inference.h"
#include "odai/packet.h"

/* "odai.Blob": bytes of a file (MediaPipe's std::string contents). */
typedef struct odai_blob {
  size_t size;
  unsigned char data[]; /* size bytes, then a NUL (text use) */
} odai_blob;

/* "odai.TfLiteModel": payload is an odai_model* (freed with the packet).
 * The model is read-only once loaded, so several InferenceCalculators may
 * create interpreters from it; each keeps a reference to the packet. */
extern const odai_type odai_type_blob;
extern const odai_type odai_type_tflite_model;

/* New packets (transfer full), NULL on ENOMEM. The blob copies `size`
 * bytes; the model packet takes ownership of `model` (freed on failure). */
odai_packet *odai_packet_new_blob(const void *data, size_t size, odai_timestamp ts);
odai_packet *odai_packet_new_tflite_model(odai_model *model, odai_timestamp ts);

#endif
