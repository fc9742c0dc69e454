/* odai/types.h: registered packet payload types.
 *
 * A payload type is a `const odai_type` value: a name, a destructor and
 * optional clone/print hooks. Types are compared by pointer. graph/ knows
 * only the built-ins below (int64, double, bool, string) and the wildcard
 * ODAI_TYPE_ANY; layers that own richer payloads (images, tensors,
 * detections, ...) define their own `const odai_type` and register it with
 * odai_type_register() so tools can find it by name.
 *
 * Thread-safety: odai_type_register/odai_type_find are thread-safe. A type
 * value must stay valid (usually static const) for the life of the process. */
#ifndef ODAI_TYPES_H
#define ODAI_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "odai/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct odai_type {
  /* Unique, stable name, e.g. "int64", "odai.Image", "mediapipe.Detection". */
  const char *name;
  /* Frees a payload (transfer full). NULL: the payload is not freed (static
   * data or payloads stored inline by the packet makers below). */
  void (*destroy)(void *payload);
  /* Optional deep copy; NULL when the type cannot be cloned. */
  void *(*clone)(const void *payload);
  /* Optional: write a short human form into buf (snprintf semantics). */
  int (*print)(const void *payload, char *buf, size_t n);
} odai_type;

/* Built-in types. ODAI_TYPE_ANY is a wildcard for generic calculators
 * (PassThrough, Gate, ...): on a port it matches every producer/consumer
 * type; a packet is never created with it. */
ODAI_API extern const odai_type odai_type_any;
ODAI_API extern const odai_type odai_type_int64;  /* payload: int64_t */
ODAI_API extern const odai_type odai_type_double; /* payload: double */
ODAI_API extern const odai_type odai_type_bool;   /* payload: bool */
ODAI_API extern const odai_type odai_type_string; /* payload: NUL-terminated char[] */

#define ODAI_TYPE_ANY (&odai_type_any)
#define ODAI_TYPE_INT (&odai_type_int64)
#define ODAI_TYPE_FLOAT (&odai_type_double)
#define ODAI_TYPE_BOOL (&odai_type_bool)
#define ODAI_TYPE_STRING (&odai_type_string)

/* Register a type so odai_type_find() can return it by name (transfer none:
 * `type` must outlive every graph). Registering the same pointer twice is a
 * no-op; a different type with an existing name gives ODAI_E_INVALID. */
ODAI_API odai_status odai_type_register(const odai_type *type, odai_error *err);

/* Look a registered type (built-ins included) up by name; NULL if unknown. */
ODAI_API const odai_type *odai_type_find(const char *name);

/* True when a producer of type `a` may feed a consumer of type `b`:
 * identical pointers, or either is ODAI_TYPE_ANY (or NULL = undeclared). */
static inline bool odai_type_compatible(const odai_type *a, const odai_type *b) {
  return a == b || !a || !b || a == &odai_type_any || b == &odai_type_any;
}

#ifdef __cplusplus
}
#endif

#endif /* ODAI_TYPES_H */
