/* examples/doorbell/mqtt.h: --mqtt: events to a local MQTT broker through
 * libmosquitto (its own network thread; publishing never blocks the graph).
 * Topics (docs/doorbell.md), <id> = --id or the host name:
 *   odai/doorbell/<id>/availability  "online" / "offline" (retained; the
 *                                    broker publishes "offline" as our last
 *                                    will if the program dies)
 *   odai/doorbell/<id>/event         every event (JSON), QoS 1
 *   odai/doorbell/<id>/event/<type>  the same, by type (visit_start, ...)
 *   odai/doorbell/<id>/visitor       the last identified / unknown_visitor
 *                                    event (retained)
 * Thread-safe. */
#ifndef ODAI_DOORBELL_MQTT_H
#define ODAI_DOORBELL_MQTT_H

#include "odai/common.h"

typedef struct db_mqtt db_mqtt;

/* host_port: "HOST:PORT" or "HOST" (1883). Connects in the background (and
 * reconnects); fails only on a bad argument or a library error. */
odai_status db_mqtt_start(const char *host_port, const char *id, db_mqtt **out, odai_error *err);
void db_mqtt_publish_event(db_mqtt *m, const char *json);
/* Publish "offline" (retained), disconnect, free. NULL ok. */
void db_mqtt_stop(db_mqtt *m);
/* The topic prefix "odai/doorbell/<id>" (transfer none). */
const char *db_mqtt_prefix(const db_mqtt *m);

#endif
