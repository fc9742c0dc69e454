/* examples/doorbell/events.h: the event writer: one JSON object per line to
 * the events file (flushed per line, 0600), then handed to the --on-event
 * hook and MQTT when they are set. Thread-safe: one mutex serialises every
 * call (the graph's observer threads, the capture loop, the hook worker). */
#ifndef ODAI_DOORBELL_EVENTS_H
#define ODAI_DOORBELL_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "odai/common.h"

typedef struct db_events db_events;
struct db_hook;
struct db_mqtt;

/* path NULL or "-": standard output. Transfer full: db_events_close. */
odai_status db_events_open(const char *path, db_events **out, odai_error *err);
/* Where events go besides the file (transfer none; set before events flow). */
void db_events_set_hook(db_events *ev, struct db_hook *hook);
void db_events_set_mqtt(db_events *ev, struct db_mqtt *mqtt);
/* One event line (a JSON object, no newline): written with a "time" field
 * (local wall clock, ISO 8601) added, then sent to the hook and MQTT. */
void db_events_emit(db_events *ev, const char *json);
/* The same, but not to the hook (reports about the hook itself). */
void db_events_note(db_events *ev, const char *json);
/* A program event: {"type":TYPE,"visit":0,"timestamp_us":TS,<extra>} where
 * extra is JSON members without braces ("" for none). */
void db_events_emitf(db_events *ev, const char *type, int64_t ts, const char *extra_fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Events that could not be written (disk full...). */
uint64_t db_events_write_errors(db_events *ev);
/* Flush, fsync and close (NULL ok). */
void db_events_close(db_events *ev);

/* Append s as a JSON string literal to out (cap bytes, always terminated). */
void db_json_string(char *out, size_t cap, const char *s);

#endif
