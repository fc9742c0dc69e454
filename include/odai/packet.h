/* odai/packet.h: immutable, reference-counted packets (payload + timestamp).
 *
 * A packet owns one payload of a registered odai_type (odai/types.h) and
 * carries an int64 microsecond timestamp (odai/timestamp.h). Packets are
 * immutable after creation and shared by reference: every consumer of a
 * stream sees the same packet. An "empty" packet is simply NULL.
 *
 * Lifetime: refcounts are atomic; odai_packet_ref/unref may be called from
 * any thread. The payload is destroyed with its type's destructor when the
 * last packet sharing it is released. Everything else is read-only and safe
 * to call concurrently on a shared packet. */
#ifndef ODAI_PACKET_H
#define ODAI_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "odai/common.h"
#include "odai/timestamp.h"
#include "odai/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct odai_packet odai_packet;

/* Make a packet holding `payload` of `type`, timestamp ODAI_TS_UNSET.
 * Takes ownership of payload (transfer full): on failure too, the payload is
 * destroyed with type->destroy. *out receives the packet (transfer full,
 * refcount 1). Errors: ODAI_E_INVALID (NULL type/out, ODAI_TYPE_ANY),
 * ODAI_E_NOMEM. */
ODAI_API odai_status odai_packet_new(const odai_type *type, void *payload, odai_packet **out);

/* Take one more reference (returns pkt; NULL-safe). */
ODAI_API odai_packet *odai_packet_ref(const odai_packet *pkt);
/* Drop a reference (NULL-safe); the last one frees the packet. */
ODAI_API void odai_packet_unref(odai_packet *pkt);

ODAI_API odai_timestamp odai_packet_timestamp(const odai_packet *pkt);
/* The payload's type (never NULL for a non-NULL packet). */
ODAI_API const odai_type *odai_packet_type(const odai_packet *pkt);

/* A new packet sharing pkt's payload with timestamp ts (MediaPipe's
 * packet.At(ts)). Transfer full; NULL on ENOMEM or when pkt is NULL.
 * pkt itself is unchanged and keeps its reference. */
ODAI_API odai_packet *odai_packet_at(const odai_packet *pkt, odai_timestamp ts);

/* The payload if pkt's type is `expected` (or expected is ODAI_TYPE_ANY),
 * else NULL. Transfer none: valid while the caller holds pkt. */
ODAI_API const void *odai_packet_get(const odai_packet *pkt, const odai_type *expected);

/* Convenience makers: the packet carries a copy of the value and timestamp
 * ts. Transfer full; NULL on ENOMEM. Built-in scalar payloads live inside
 * the packet (one allocation). */
ODAI_API odai_packet *odai_packet_new_int(int64_t v, odai_timestamp ts);
ODAI_API odai_packet *odai_packet_new_float(double v, odai_timestamp ts);
ODAI_API odai_packet *odai_packet_new_bool(bool v, odai_timestamp ts);
ODAI_API odai_packet *odai_packet_new_string(const char *s, odai_timestamp ts);

/* Convenience getters: ODAI_OK and *out set when pkt has that type;
 * ODAI_E_INVALID (pkt NULL or another type) otherwise. The string getter
 * returns a pointer into the packet (transfer none). */
ODAI_API odai_status odai_packet_get_int(const odai_packet *pkt, int64_t *out);
ODAI_API odai_status odai_packet_get_float(const odai_packet *pkt, double *out);
ODAI_API odai_status odai_packet_get_bool(const odai_packet *pkt, bool *out);
ODAI_API odai_status odai_packet_get_string(const odai_packet *pkt, const char **out);

/* A short description "type@ts: value" for logs (value via type->print). */
ODAI_API const char *odai_packet_str(const odai_packet *pkt, char *buf, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* ODAI_PACKET_H */
