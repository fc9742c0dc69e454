/* util/status.c: status names and error formatting, shared by every layer. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "odai/common.h"

const char *odai_status_str(odai_status status) {
  switch (status) {
  case ODAI_OK: return "ODAI_OK: success";
  case ODAI_E_INVALID: return "ODAI_E_INVALID: invalid argument";
  case ODAI_E_PARSE: return "ODAI_E_PARSE: parse error";
  case ODAI_E_NOT_FOUND: return "ODAI_E_NOT_FOUND: not found";
  case ODAI_E_NOMEM: return "ODAI_E_NOMEM: out of memory";
  case ODAI_E_IO: return "ODAI_E_IO: input/output error";
  case ODAI_E_UNSUPPORTED: return "ODAI_E_UNSUPPORTED: not supported";
  case ODAI_E_CORRUPT: return "ODAI_E_CORRUPT: corrupt data";
  case ODAI_E_CANCELLED: return "ODAI_E_CANCELLED: cancelled";
  case ODAI_E_AGAIN: return "ODAI_E_AGAIN: try again";
  case ODAI_E_EOF: return "ODAI_E_EOF: end of stream";
  case ODAI_E_TIMEOUT: return "ODAI_E_TIMEOUT: timed out";
  case ODAI_E_INTERNAL: return "ODAI_E_INTERNAL: internal error";
  case ODAI_E_DEVICE_LOST: return "ODAI_E_DEVICE_LOST: device lost";
  }
  return "unknown status";
}

odai_status odai_error_set(odai_error *err, odai_status code, const char *fmt, ...) {
  if (err) {
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
  }
  return code;
}

odai_status odai_error_prefix(odai_error *err, const char *fmt, ...) {
  if (!err) return ODAI_E_INVALID;
  char prefix[ODAI_ERROR_MESSAGE_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  char old[ODAI_ERROR_MESSAGE_MAX];
  memcpy(old, err->message, sizeof old);
  old[sizeof old - 1] = '\0';
  size_t np = strlen(prefix), no = strlen(old);
  if (np > sizeof err->message - 1) np = sizeof err->message - 1;
  if (no > sizeof err->message - 1 - np) no = sizeof err->message - 1 - np;
  memcpy(err->message, prefix, np);
  memcpy(err->message + np, old, no);
  err->message[np + no] = '\0';
  return err->code;
}

const char *odai_version(void) { return ODAI_VERSION_STRING; }
