/* examples/doorbell/app.h: one odai-doorbell run: the graph (configs/
 * doorbell.pbtxt, built in, or --config), the capture loop with camera
 * loss/return, events out, and an orderly stop. */
#ifndef ODAI_DOORBELL_APP_H
#define ODAI_DOORBELL_APP_H

#include "cli.h"

/* The process exit status: 0 after a clean end (end of file, SIGINT or
 * SIGTERM), 1 on a failure (reported on stderr and as an error event). */
int db_app_run(const db_cli *cli);

/* The built-in configs/doorbell.pbtxt (transfer none). */
const char *db_builtin_config(size_t *len);

#endif
