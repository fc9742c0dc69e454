/* io/gst_common.c: GStreamer plumbing shared by io/gst_source.c and
 * io/gst_sink.c: thread-safe one-time gst_init, odai <-> GstVideoFormat
 * mapping, bus error messages with the failing element's name. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "gst_internal.h"

static pthread_once_t gst_once = PTHREAD_ONCE_INIT;
static int gst_ok;
static char gst_why[256];

static void do_init(void) {
  GError *e = NULL;
  gst_ok = gst_init_check(NULL, NULL, &e) ? 1 : 0;
  if (!gst_ok) snprintf(gst_why, sizeof gst_why, "%s", e ? e->message : "unknown reason");
  if (e) g_error_free(e);
}

odai_status odai_gst_init(odai_error *err) {
  pthread_once(&gst_once, do_init);
  if (!gst_ok)
    return odai_error_set(err, ODAI_E_INTERNAL, "GStreamer failed to initialise: %s", gst_why);
  return ODAI_OK;
}

void odai_gst_shutdown(void) {
  if (gst_ok) gst_deinit();
}

static const struct {
  odai_pixel_format odai;
  GstVideoFormat gst;
} formats[] = {
    {ODAI_PIXEL_RGB8, GST_VIDEO_FORMAT_RGB},   {ODAI_PIXEL_RGBA8, GST_VIDEO_FORMAT_RGBA},
    {ODAI_PIXEL_BGR8, GST_VIDEO_FORMAT_BGR},   {ODAI_PIXEL_BGRA8, GST_VIDEO_FORMAT_BGRA},
    {ODAI_PIXEL_GRAY8, GST_VIDEO_FORMAT_GRAY8}, {ODAI_PIXEL_YUYV, GST_VIDEO_FORMAT_YUY2},
    {ODAI_PIXEL_NV12, GST_VIDEO_FORMAT_NV12},  {ODAI_PIXEL_I420, GST_VIDEO_FORMAT_I420},
};

GstVideoFormat odai_gst_video_format(odai_pixel_format fmt) {
  for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
    if (formats[i].odai == fmt) return formats[i].gst;
  return GST_VIDEO_FORMAT_UNKNOWN;
}

odai_pixel_format odai_gst_pixel_format(GstVideoFormat fmt) {
  for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
    if (formats[i].gst == fmt) return formats[i].odai;
  return ODAI_PIXEL_UNKNOWN;
}

static odai_status map_error(const GError *e) {
  if (!e) return ODAI_E_IO;
  if (e->domain == GST_RESOURCE_ERROR) {
    if (e->code == GST_RESOURCE_ERROR_NOT_FOUND) return ODAI_E_NOT_FOUND;
    return ODAI_E_IO;
  }
  if (e->domain == GST_STREAM_ERROR) {
    switch (e->code) {
    case GST_STREAM_ERROR_CODEC_NOT_FOUND:
    case GST_STREAM_ERROR_NOT_IMPLEMENTED:
    case GST_STREAM_ERROR_WRONG_TYPE:
    case GST_STREAM_ERROR_TYPE_NOT_FOUND:
    case GST_STREAM_ERROR_FORMAT:
      return ODAI_E_UNSUPPORTED;
    case GST_STREAM_ERROR_DECODE:
    case GST_STREAM_ERROR_DEMUX:
      return ODAI_E_CORRUPT;
    default:
      return ODAI_E_IO;
    }
  }
  if (e->domain == GST_CORE_ERROR && e->code == GST_CORE_ERROR_MISSING_PLUGIN)
    return ODAI_E_UNSUPPORTED;
  return ODAI_E_IO;
}

odai_status odai_gst_message_error(GstMessage *msg, const char *what, odai_error *err) {
  GError *e = NULL;
  gchar *dbg = NULL;
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_WARNING)
    gst_message_parse_warning(msg, &e, &dbg);
  else
    gst_message_parse_error(msg, &e, &dbg);
  odai_status st = map_error(e);
  const char *name = GST_MESSAGE_SRC(msg) ? GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)) : "?";
  /* The debug string is "file.c(line): func (): /GstPipeline:p/GstX:name:
   * the actual cause" — keep just the cause (the useful part, e.g. "Error
   * while writing to file descriptor 12: File too large") so it is not lost
   * when the message is cut to ODAI_ERROR_MESSAGE_MAX. */
  const char *cause = dbg;
  if (dbg && name) {
    char key[256];
    snprintf(key, sizeof key, ":%s:", name);
    const char *k = strstr(dbg, key);
    if (k) {
      cause = k + strlen(key);
      while (*cause == ' ' || *cause == '\n') cause++;
    }
  }
  odai_error_set(err, st, "%s: element '%s': %s%s%s%s", what, name ? name : "?",
                 e ? e->message : "unknown error", cause && *cause ? " (" : "",
                 cause && *cause ? cause : "", cause && *cause ? ")" : "");
  if (err)
    for (char *c = err->message; *c; c++)
      if (*c == '\n') *c = ' '; /* GStreamer's debug strings span lines */
  if (e) g_error_free(e);
  g_free(dbg);
  return st;
}

odai_status odai_gst_bus_check_warn(GstBus *bus, GstClockTime wait_ns, const char *what, int *eos,
                                    odai_error *warning, odai_error *err) {
  GstMessage *msg;
  int first = 1;
  GstMessageType types = GST_MESSAGE_ERROR | GST_MESSAGE_EOS | (warning ? GST_MESSAGE_WARNING : 0);
  while ((msg = gst_bus_timed_pop_filtered(bus, first ? wait_ns : 0, types)) != NULL) {
    first = 0;
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
      odai_status st = odai_gst_message_error(msg, what, err);
      gst_message_unref(msg);
      return st;
    }
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_WARNING)
      odai_gst_message_error(msg, "warning", warning);
    else if (eos)
      *eos = 1;
    gst_message_unref(msg);
  }
  return ODAI_OK;
}

odai_status odai_gst_bus_check(GstBus *bus, GstClockTime wait_ns, const char *what, int *eos,
                               odai_error *err) {
  return odai_gst_bus_check_warn(bus, wait_ns, what, eos, NULL, err);
}
