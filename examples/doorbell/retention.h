/* examples/doorbell/retention.h: --retain-days: delete the doorbell's own
 * files (visit-*.jpg, visit-*.mp4, ...) older than N days from a folder. */
#ifndef ODAI_DOORBELL_RETENTION_H
#define ODAI_DOORBELL_RETENTION_H

#include <time.h>

/* Delete regular files named "visit-*" in dir whose mtime is more than
 * days * 86400 s before now. Returns how many were deleted (-1 when the
 * folder cannot be read). */
int db_retention_sweep(const char *dir, int days, time_t now);

#endif
