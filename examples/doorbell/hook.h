/* examples/doorbell/hook.h: the --on-event hook: a worker thread runs
 * `sh -c COMMAND` for each event with the event JSON on standard input, from
 * a bounded queue, so a slow or failing command never blocks the graph; the
 * environment also has ODAI_EVENT_TYPE and ODAI_EVENT_VISIT. A
 * command that fails (exit status != 0) or runs past its timeout (killed) is
 * reported through the report callback as an `error` event; a full queue
 * drops the event (push returns false). Thread-safe. */
#ifndef ODAI_DOORBELL_HOOK_H
#define ODAI_DOORBELL_HOOK_H

#include <stdbool.h>
#include <stddef.h>

typedef struct db_hook db_hook;
/* Called on the worker thread with an event line about the hook. */
typedef void (*db_hook_report_fn)(void *user, const char *json);

/* NULL on failure (out of memory, thread). queue_cap >= 1. */
db_hook *db_hook_start(const char *command, size_t queue_cap, int timeout_ms,
                       db_hook_report_fn report, void *user);
/* Queue a copy of json; false when the queue is full (dropped). */
bool db_hook_push(db_hook *h, const char *json);
/* Wait up to wait_ms for queued events to run, then stop (a command still
 * running is killed) and free. NULL ok. */
void db_hook_stop(db_hook *h, int wait_ms);
/* Counters: commands run, failed (incl. timeouts), dropped. */
void db_hook_stats(db_hook *h, size_t *run, size_t *failed, size_t *dropped);

#endif
