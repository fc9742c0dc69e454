/* odai/common.h: status codes, error details, export macros and version.
 *
 * Every fallible odai call returns an odai_status (ODAI_OK == 0, errors are
 * negative). Calls that can explain a failure take an `odai_error *err`
 * out-parameter (may be NULL); on failure it receives the code and a human
 * message with context (file:line:col, node name, op index, device path).
 * The library never aborts or exits on bad input.
 *
 * Thread-safety: all functions here are thread-safe; an odai_error is plain
 * caller-owned memory, one per thread or call. */
#ifndef ODAI_COMMON_H
#define ODAI_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "odai/version.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(ODAI_BUILDING_LIBRARY)
#define ODAI_API __attribute__((visibility("default")))
#else
#define ODAI_API
#endif

#if defined(__GNUC__)
#define ODAI_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define ODAI_PRINTF(fmt, args)
#endif

typedef enum odai_status {
  ODAI_OK = 0,
  ODAI_E_INVALID = -1,     /* invalid argument or state */
  ODAI_E_PARSE = -2,       /* malformed text (config, JSON, option value) */
  ODAI_E_NOT_FOUND = -3,   /* missing file, stream, calculator, tensor, ... */
  ODAI_E_NOMEM = -4,       /* allocation failed */
  ODAI_E_IO = -5,          /* read/write/device failure (errno in message) */
  ODAI_E_UNSUPPORTED = -6, /* valid but not supported (op, format, option) */
  ODAI_E_CORRUPT = -7,     /* untrusted binary data failed a check */
  ODAI_E_CANCELLED = -8,   /* the operation was cancelled */
  ODAI_E_AGAIN = -9,       /* would block (non-blocking mode, queue full) */
  ODAI_E_EOF = -10,        /* end of stream */
  ODAI_E_TIMEOUT = -11,    /* a wait ran out of time */
  ODAI_E_INTERNAL = -12,   /* a bug in odai: please report */
  ODAI_E_DEVICE_LOST = -13 /* a camera or stream disappeared */
} odai_status;

#define ODAI_ERROR_MESSAGE_MAX 512

/* Details of a failure. Caller-owned; zero-initialise or leave garbage:
 * odai only writes it when a call fails. */
typedef struct odai_error {
  odai_status code;
  char message[ODAI_ERROR_MESSAGE_MAX];
} odai_error;

/* A short, static name for a status ("ODAI_E_PARSE: parse error").
 * Never NULL; unknown codes give "unknown status". Transfer none. */
ODAI_API const char *odai_status_str(odai_status status);

/* Fill *err (if err != NULL) with code and a printf-formatted message.
 * Returns code so callers can `return odai_error_set(err, ODAI_E_IO, ...)`.
 * Longer messages are truncated. */
ODAI_API odai_status odai_error_set(odai_error *err, odai_status code, const char *fmt, ...)
    ODAI_PRINTF(3, 4);

/* Prefix an existing message in *err with more context ("node 'x': ..."),
 * keeping its code. No-op when err is NULL. Returns err->code. */
ODAI_API odai_status odai_error_prefix(odai_error *err, const char *fmt, ...) ODAI_PRINTF(2, 3);

/* The library's version string, e.g. "0.1.0" (transfer none). */
ODAI_API const char *odai_version(void);

#ifdef __cplusplus
}
#endif

#endif /* ODAI_COMMON_H */
