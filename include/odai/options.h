/* odai/options.h: typed, read-only access to a calculator's options.
 *
 * A node's options come from its graph config (MediaPipe's
 * `options { [mediapipe.XOptions.ext] { ... } }`, `node_options: {
 * [type.googleapis.com/mediapipe.XOptions] { ... } }` or a plain
 * `options { key: value }`); a calculator gets them as an `odai_options`
 * from its context and reads fields by path. There is no schema: the
 * accessor asked decides the type, and a value of another type is a
 * mismatch (the plain getters then return the default; the _checked
 * variants report "file:line:col: option 'x': found ..., expected ...").
 * In a graph, a field that a plain getter could not use and that no getter
 * read successfully fails the node after its open with that same message
 * (max_in_flight: "x" is an error, not a silent default).
 *
 * Paths: field names joined by '.', into nested messages: "a.b.c". A
 * component may carry an index into a repeated field, "layer[2].stride",
 * or name an extension in brackets, "[mediapipe.FooOptions.ext].x".
 * Without an index, the first value is used (a singular field appears once).
 *
 * Every function accepts opts == NULL (no options: defaults, count 0).
 * Ownership: strings and messages returned are owned by the options
 * (transfer none) and live as long as the graph config that holds them.
 * Thread-safety: option values are immutable once a graph is built; all
 * readers may run concurrently (the plain getters only set, atomically, the
 * per-field "read" marks used for the check above). */
#ifndef ODAI_OPTIONS_H
#define ODAI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "odai/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An options message (opaque). */
typedef struct odai_pb_msg odai_options;

/* One enum value for odai_options_get_enum: {"INTERSECTION_OVER_UNION", 2}.
 * Tables end with {NULL, 0}. */
typedef struct odai_enum_value {
  const char *name;
  int value;
} odai_enum_value;

/* True when the path names at least one value. */
ODAI_API bool odai_options_has(const odai_options *opts, const char *path);

/* Number of values of a (repeated) field; 0 when absent. */
ODAI_API size_t odai_options_count(const odai_options *opts, const char *path);

/* Scalars: the value at path, or def when absent or of another type.
 * float/double accept integer and float literals (and inf/nan); int accepts
 * integer literals only; bool accepts true/false/True/False/t/f and 0/1. */
ODAI_API float odai_options_get_float(const odai_options *opts, const char *path, float def);
ODAI_API double odai_options_get_double(const odai_options *opts, const char *path, double def);
ODAI_API int64_t odai_options_get_int(const odai_options *opts, const char *path, int64_t def);
ODAI_API bool odai_options_get_bool(const odai_options *opts, const char *path, bool def);
/* A quoted string (escapes resolved). Transfer none; def when absent. */
ODAI_API const char *odai_options_get_string(const odai_options *opts, const char *path,
                                             const char *def);
/* A string that may hold NUL bytes: its bytes and length (*len = 0, NULL
 * when absent). Transfer none. */
ODAI_API const char *odai_options_get_bytes(const odai_options *opts, const char *path, size_t *len);
/* An enum written as an identifier ("WEIGHTED"): the identifier, or def.
 * Transfer none. */
ODAI_API const char *odai_options_get_enum_name(const odai_options *opts, const char *path,
                                                const char *def);
/* An enum mapped through `values`: the value of the identifier written, or
 * an integer literal that is one of the values (any integer when values is
 * NULL); def when absent or unknown. */
ODAI_API int odai_options_get_enum(const odai_options *opts, const char *path,
                                   const odai_enum_value *values, int def);

/* The i-th value of a repeated field (def when i >= count). */
ODAI_API float odai_options_get_float_at(const odai_options *opts, const char *path, size_t i,
                                         float def);
ODAI_API double odai_options_get_double_at(const odai_options *opts, const char *path, size_t i,
                                           double def);
ODAI_API int64_t odai_options_get_int_at(const odai_options *opts, const char *path, size_t i,
                                         int64_t def);
ODAI_API const char *odai_options_get_string_at(const odai_options *opts, const char *path,
                                                size_t i, const char *def);

/* A nested message (the first, or the i-th of a repeated one); NULL when
 * absent or not a message. Transfer none. */
ODAI_API const odai_options *odai_options_get_message(const odai_options *opts, const char *path);
ODAI_API const odai_options *odai_options_get_message_at(const odai_options *opts,
                                                         const char *path, size_t i);

/* Checked reads: when the path is absent, *out is left as it is (preset it
 * to the default) and ODAI_OK is returned; when present with the right type,
 * *out receives it; on a type mismatch or a bad path, ODAI_E_INVALID with
 * "file:line:col: option 'path': found string \"x\", expected a float".
 * Strings are transfer none. */
ODAI_API odai_status odai_options_get_float_checked(const odai_options *opts, const char *path,
                                                    float *out, odai_error *err);
ODAI_API odai_status odai_options_get_double_checked(const odai_options *opts, const char *path,
                                                     double *out, odai_error *err);
ODAI_API odai_status odai_options_get_int_checked(const odai_options *opts, const char *path,
                                                  int64_t *out, odai_error *err);
ODAI_API odai_status odai_options_get_bool_checked(const odai_options *opts, const char *path,
                                                   bool *out, odai_error *err);
ODAI_API odai_status odai_options_get_string_checked(const odai_options *opts, const char *path,
                                                     const char **out, odai_error *err);
/* Unknown identifiers report the allowed names. */
ODAI_API odai_status odai_options_get_enum_checked(const odai_options *opts, const char *path,
                                                   const odai_enum_value *values, int *out,
                                                   odai_error *err);

/* Report the first field of `opts` (top level only) whose name is not in
 * `known` (NULL-terminated): ODAI_E_INVALID with "file:line:col: found
 * unknown option 'x' in <what>, expected one of: a, b". Extension fields are
 * skipped. For a calculator's contract check. */
ODAI_API odai_status odai_options_check_fields(const odai_options *opts, const char *const *known,
                                               const char *what, odai_error *err);

#ifdef __cplusplus
}
#endif

#endif /* ODAI_OPTIONS_H */
