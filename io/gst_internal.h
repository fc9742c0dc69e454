/* io/gst_internal.h: helpers shared by the GStreamer source and sink (io/
 * layer, internal): one-time init, pixel format mapping, bus errors. */
#ifndef ODAI_IO_GST_INTERNAL_H
#define ODAI_IO_GST_INTERNAL_H

#include <gst/gst.h>
#include <gst/video/video.h>

#include "odai/common.h"
#include "odai/image.h"

/* gst_init once (pthread_once); ODAI_E_INTERNAL with GStreamer's reason
 * if it cannot start. */
odai_status odai_gst_init(odai_error *err);

/* gst_deinit, for test programs at exit (so leak checkers see a clean
 * heap). After it no GStreamer call may be made in the process. */
void odai_gst_shutdown(void);

/* GST_VIDEO_FORMAT_UNKNOWN / ODAI_PIXEL_UNKNOWN when there is no match. */
GstVideoFormat odai_gst_video_format(odai_pixel_format fmt);
odai_pixel_format odai_gst_pixel_format(GstVideoFormat fmt);

/* Turn an ERROR (or WARNING) message into *err: "<what>: element 'src':
 * message (debug)". Returns the mapped status. */
odai_status odai_gst_message_error(GstMessage *msg, const char *what, odai_error *err);

/* Pop the first ERROR on the bus, if any, into *err (returns its status)
 * and ODAI_OK when there is none. If eos is not NULL, *eos is set when an
 * EOS message was seen. Other messages are dropped. */
odai_status odai_gst_bus_check(GstBus *bus, GstClockTime wait_ns, const char *what, int *eos,
                               odai_error *err);
/* The same, also keeping the last WARNING seen in *warning ("warning:
 * element 'x': message (debug)"; its code is the mapped status), e.g.
 * rtspsrc's "The server closed the connection" that precedes an EOS. */
odai_status odai_gst_bus_check_warn(GstBus *bus, GstClockTime wait_ns, const char *what, int *eos,
                                    odai_error *warning, odai_error *err);

#endif
