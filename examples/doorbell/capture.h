/* examples/doorbell/capture.h: where odai-doorbell's frames come from: a V4L2
 * camera (/dev/videoN), a video file, a URL or GStreamer pipeline, or a
 * folder of JPEG/PNG images. The doorbell loop reads frames here and feeds
 * the graph; on a lost source it records camera_lost, reopens with back-off
 * and records camera_restored (app.c).
 * Thread-safety: one thread uses a capture. */
#ifndef ODAI_DOORBELL_CAPTURE_H
#define ODAI_DOORBELL_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "odai/camera.h"
#include "odai/common.h"
#include "odai/image.h"

typedef struct db_capture db_capture;

/* How cameras are opened (tests plug a simulated V4L2 device in here). */
typedef odai_status (*db_camera_open_fn)(const char *path, const odai_camera_options *o,
                                         odai_camera **out, odai_error *err);
void db_capture_set_camera_opener(db_camera_open_fn fn);

/* Open the source. Transfer full: db_capture_close. */
odai_status db_capture_open(const char *input, db_capture **out, odai_error *err);
/* Live sources (cameras, URLs, pipelines) drop frames when the graph is
 * busy and are reopened when lost; files and folders are read frame by
 * frame, each processed, and end at their end. */
bool db_capture_live(const db_capture *c);
/* Next frame (RGB8 or a camera's native format), its timestamp in µs
 * (strictly increasing across reopens). ODAI_E_EOF at the end of a file or
 * folder, ODAI_E_TIMEOUT, ODAI_E_DEVICE_LOST (or another error) when the
 * source is gone. *frame: transfer full. */
odai_status db_capture_read(db_capture *c, int timeout_ms, odai_image **frame, int64_t *ts,
                            odai_error *err);
/* One attempt to reopen a lost live source. */
odai_status db_capture_reopen(db_capture *c, odai_error *err);
void db_capture_close(db_capture *c);

#endif
