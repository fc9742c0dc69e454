/* odai/timestamp.h: packet timestamps (int64 microseconds) and MediaPipe's
 * special timestamp values.
 *
 * Ordering: UNSET < UNSTARTED < PRESTREAM < MIN <= ordinary values <= MAX <
 * POSTSTREAM < DONE. Ordinary ("range") timestamps lie in [MIN, MAX].
 * PRESTREAM and POSTSTREAM packets are the only packet on their stream.
 * DONE is a bound, never a packet timestamp: "this stream has ended".
 *
 * Thread-safety: all functions here are pure and thread-safe. */
#ifndef ODAI_TIMESTAMP_H
#define ODAI_TIMESTAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "odai/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef int64_t odai_timestamp;

#define ODAI_TS_UNSET ((odai_timestamp)INT64_MIN)
#define ODAI_TS_UNSTARTED ((odai_timestamp)(INT64_MIN + 1))
#define ODAI_TS_PRESTREAM ((odai_timestamp)(INT64_MIN + 2))
#define ODAI_TS_MIN ((odai_timestamp)(INT64_MIN + 3))
#define ODAI_TS_MAX ((odai_timestamp)(INT64_MAX - 2))
#define ODAI_TS_POSTSTREAM ((odai_timestamp)(INT64_MAX - 1))
#define ODAI_TS_DONE ((odai_timestamp)INT64_MAX)

/* True for ordinary timestamps in [ODAI_TS_MIN, ODAI_TS_MAX]. */
static inline bool odai_ts_is_range(odai_timestamp ts) {
  return ts >= ODAI_TS_MIN && ts <= ODAI_TS_MAX;
}

/* True for values a packet may carry: range values, PRESTREAM, POSTSTREAM. */
static inline bool odai_ts_is_allowed_in_stream(odai_timestamp ts) {
  return odai_ts_is_range(ts) || ts == ODAI_TS_PRESTREAM || ts == ODAI_TS_POSTSTREAM;
}

/* The smallest timestamp that may follow a packet at `ts` on the same
 * stream (MediaPipe's NextAllowedInStream): ts + 1 for range values below
 * MAX; DONE after MAX, PRESTREAM or POSTSTREAM. */
static inline odai_timestamp odai_ts_next_allowed(odai_timestamp ts) {
  if (ts >= ODAI_TS_MAX || ts == ODAI_TS_PRESTREAM) return ODAI_TS_DONE;
  if (ts < ODAI_TS_MIN) return ODAI_TS_MIN;
  return ts + 1;
}

/* ts + offset, saturating: special values stay as they are, range values
 * are clamped to [MIN, MAX]. Used for timestamp-offset bound propagation. */
static inline odai_timestamp odai_ts_add(odai_timestamp ts, int64_t offset) {
  if (!odai_ts_is_range(ts)) return ts;
  if (offset > 0 && ts > ODAI_TS_MAX - offset) return ODAI_TS_MAX;
  if (offset < 0 && ts < ODAI_TS_MIN - offset) return ODAI_TS_MIN;
  return ts + offset;
}

/* Writes a readable form ("1234", "PRESTREAM", "DONE", ...) into buf
 * (always NUL-terminated when n > 0) and returns buf. */
ODAI_API const char *odai_ts_str(odai_timestamp ts, char *buf, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* ODAI_TIMESTAMP_H */
