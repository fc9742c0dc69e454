/* examples/doorbell/signals.h: SIGINT/SIGTERM ask the capture loop to stop
 * (then every file is flushed and closed in order); SIGPIPE (a hook that
 * does not read its input) and SIGXFSZ (a file-size limit) are ignored.
 * Thread-safe: the flag is a lock-free atomic. */
#ifndef ODAI_DOORBELL_SIGNALS_H
#define ODAI_DOORBELL_SIGNALS_H

#include <stdbool.h>

void db_signals_install(void);
bool db_stop_requested(void);
/* The signal that asked to stop (0 if none). */
int db_stop_signal(void);
/* Ask to stop from the program itself (e.g. the preview window closed). */
void db_request_stop(void);
/* Forget a stop request (tests that run the program twice in-process). */
void db_stop_reset(void);

#endif
