/* odai/tensors.h: a list of tensors as a graph payload (MediaPipe's
 * std::vector<Tensor>), passed between ImageToTensorCalculator,
 * InferenceCalculator and the TensorsTo* calculators.
 *
 * Ownership: an odai_tensors owns its tensors' data (64-byte aligned). Once
 * inside a packet it is immutable; free it only through odai_tensors_free
 * (the packet type does that). Not thread-safe while being filled. */
#ifndef ODAI_TENSORS_H
#define ODAI_TENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "odai/common.h"
#include "odai/inference.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct odai_tensor {
  odai_dtype dtype;
  int rank;
  int32_t shape[ODAI_TENSOR_MAX_DIMS];
  size_t bytes;
  void *data; /* owned, 64-byte aligned, `bytes` long */
} odai_tensor;

typedef struct odai_tensors {
  int count;
  odai_tensor *v;
} odai_tensors;

/* A list of `count` empty tensors (transfer full). NULL on ENOMEM. */
ODAI_API odai_tensors *odai_tensors_create(int count);
/* Give tensor i a shape and zeroed storage (replacing any). */
ODAI_API odai_status odai_tensors_alloc(odai_tensors *t, int i, odai_dtype dtype, int rank,
                                        const int32_t *shape);
/* Same, contents undefined: for producers that overwrite every element
 * (ImageToTensor, Inference). Buffers of freed tensors are recycled, so a
 * steady stream of same-shaped tensors allocates (and page-faults) nothing. */
ODAI_API odai_status odai_tensors_alloc_uninit(odai_tensors *t, int i, odai_dtype dtype, int rank,
                                               const int32_t *shape);
/* Element count of a tensor (product of its shape). */
ODAI_API size_t odai_tensor_elements(const odai_tensor *t);
/* Deep copy (transfer full), NULL on ENOMEM. */
ODAI_API odai_tensors *odai_tensors_clone(const odai_tensors *t);
ODAI_API void odai_tensors_free(odai_tensors *t);

#ifdef __cplusplus
}
#endif

#endif /* ODAI_TENSORS_H */
