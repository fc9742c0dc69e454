/* io/gst_source.c: odai_video_source, frames from GStreamer through appsink
 * (io/ layer). uridecodebin (or a caller's pipeline) -> videoconvert ->
 * appsink with the caller's format; samples become zero-copy odai_images. */
#include <stdlib.h>
#include <string.h>

#include <gst/app/gstappsink.h>

#include "gst_internal.h"
#include "odai/video.h"

struct odai_video_source {
  GstElement *pipeline;
  GstElement *sink; /* the appsink (own ref) */
  GstElement *convert; /* uri mode: where decoded video pads are linked */
  GstBus *bus;
  odai_video_source_options opt;
  char *what; /* "video 'file:///x.avi'" for messages */
  int eos;
  odai_error error; /* sticky: once the pipeline failed, every read says why */
  odai_error warning; /* the last bus warning, quoted in the end-of-stream message */
  GstCaps *caps;    /* caps of the last sample (own ref) */
  GstVideoInfo vinfo;
};

void odai_video_source_options_default(odai_video_source_options *o) {
  memset(o, 0, sizeof *o);
  o->format = ODAI_PIXEL_RGB8;
  o->max_queued = 4;
  o->open_timeout_ms = 10000;
}

/* uridecodebin pad-added: link the first video pad to videoconvert. */
static void on_pad_added(GstElement *decode, GstPad *pad, gpointer user) {
  GstElement *convert = user;
  (void)decode;
  GstCaps *caps = gst_pad_get_current_caps(pad);
  if (!caps) caps = gst_pad_query_caps(pad, NULL);
  const GstStructure *s = caps && gst_caps_get_size(caps) ? gst_caps_get_structure(caps, 0) : NULL;
  int video = s && g_str_has_prefix(gst_structure_get_name(s), "video/");
  if (caps) gst_caps_unref(caps);
  if (!video) return; /* audio, subtitles: left unlinked */
  GstPad *sinkpad = gst_element_get_static_pad(convert, "sink");
  if (!gst_pad_is_linked(sinkpad)) gst_pad_link(pad, sinkpad);
  gst_object_unref(sinkpad);
}

static odai_status build_uri_pipeline(odai_video_source *v, const char *uri, odai_error *err) {
  v->pipeline = gst_pipeline_new("odai-video-source");
  GstElement *decode = gst_element_factory_make("uridecodebin", "decode");
  v->convert = gst_element_factory_make("videoconvert", "convert");
  GstElement *sink = gst_element_factory_make("appsink", "sink");
  if (!v->pipeline || !decode || !v->convert || !sink) {
    if (decode) gst_object_unref(decode);
    if (v->convert) gst_object_unref(v->convert);
    if (sink) gst_object_unref(sink);
    v->convert = NULL;
    return odai_error_set(err, ODAI_E_UNSUPPORTED,
                          "%s: GStreamer elements uridecodebin/videoconvert/appsink missing "
                          "(install gstreamer1.0-plugins-base)", v->what);
  }
  g_object_set(decode, "uri", uri, NULL);
  gst_bin_add_many(GST_BIN(v->pipeline), decode, v->convert, sink, NULL);
  if (!gst_element_link(v->convert, sink))
    return odai_error_set(err, ODAI_E_INTERNAL, "%s: cannot link videoconvert to appsink", v->what);
  g_signal_connect(decode, "pad-added", G_CALLBACK(on_pad_added), v->convert);
  v->sink = gst_object_ref(sink);
  return ODAI_OK;
}

static odai_status build_description(odai_video_source *v, const char *desc, odai_error *err) {
  GError *e = NULL;
  GstElement *p = gst_parse_launch(desc, &e);
  if (!p || e) {
    odai_status st = odai_error_set(err, ODAI_E_PARSE, "%s: bad pipeline description: %s", v->what,
                                    e ? e->message : "unknown error");
    if (e) g_error_free(e);
    if (p) gst_object_unref(p);
    return st;
  }
  if (!GST_IS_PIPELINE(p)) {
    gst_object_unref(p);
    return odai_error_set(err, ODAI_E_INVALID, "%s: the description must be a pipeline", v->what);
  }
  v->pipeline = p;
  GstElement *sink = gst_bin_get_by_name(GST_BIN(p), "sink");
  if (!sink || !GST_IS_APP_SINK(sink)) {
    if (sink) gst_object_unref(sink);
    return odai_error_set(err, ODAI_E_INVALID,
                          "%s: the pipeline must end in an appsink named 'sink' (... ! appsink name=sink)",
                          v->what);
  }
  v->sink = sink;
  return ODAI_OK;
}

static odai_status configure_sink(odai_video_source *v, int set_caps, odai_error *err) {
  GstCaps *have = NULL;
  g_object_get(v->sink, "caps", &have, NULL);
  if (set_caps || !have) {
    GstVideoFormat gf = odai_gst_video_format(v->opt.format);
    GstCaps *caps = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING,
                                        gst_video_format_to_string(gf), NULL);
    gst_app_sink_set_caps(GST_APP_SINK(v->sink), caps);
    gst_caps_unref(caps);
  }
  if (have) gst_caps_unref(have);
  int maxq = v->opt.drop_old_frames ? 1 : (v->opt.max_queued > 0 ? v->opt.max_queued : 4);
  g_object_set(v->sink, "max-buffers", (guint)maxq, "drop", (gboolean)v->opt.drop_old_frames,
               "sync", (gboolean)v->opt.realtime, "emit-signals", FALSE,
               "enable-last-sample", FALSE, NULL);
  (void)err;
  return ODAI_OK;
}

static int64_t now_ms(void) { return g_get_monotonic_time() / 1000; }

/* Start playing and wait for preroll (or an error) up to open_timeout_ms. */
static odai_status start(odai_video_source *v, odai_error *err) {
  GstStateChangeReturn r = gst_element_set_state(v->pipeline, GST_STATE_PLAYING);
  int64_t deadline = now_ms() + (v->opt.open_timeout_ms > 0 ? v->opt.open_timeout_ms : 10000);
  for (;;) {
    odai_status st = odai_gst_bus_check(v->bus, 0, v->what, &v->eos, err);
    if (st != ODAI_OK) return st;
    if (r == GST_STATE_CHANGE_FAILURE) {
      /* The reason may still be on its way from a streaming thread. */
      st = odai_gst_bus_check(v->bus, 500 * GST_MSECOND, v->what, NULL, err);
      if (st != ODAI_OK) return st;
      return odai_error_set(err, ODAI_E_IO, "%s: the pipeline failed to start", v->what);
    }
    if (r == GST_STATE_CHANGE_SUCCESS || r == GST_STATE_CHANGE_NO_PREROLL) return ODAI_OK;
    if (v->eos) return ODAI_OK; /* empty stream: reads say EOF */
    if (now_ms() >= deadline)
      return odai_error_set(err, ODAI_E_TIMEOUT, "%s: did not start within %d ms", v->what,
                            v->opt.open_timeout_ms);
    r = gst_element_get_state(v->pipeline, NULL, NULL, 20 * GST_MSECOND);
  }
}

odai_status odai_video_source_open(const char *input, const odai_video_source_options *options,
                                   odai_video_source **out, odai_error *err) {
  if (!input || !out) return odai_error_set(err, ODAI_E_INVALID, "video source: input and out required");
  *out = NULL;
  odai_status st = odai_gst_init(err);
  if (st != ODAI_OK) return st;
  odai_video_source *v = calloc(1, sizeof *v);
  if (!v) return odai_error_set(err, ODAI_E_NOMEM, "video source: out of memory");
  if (options)
    v->opt = *options;
  else
    odai_video_source_options_default(&v->opt);
  if (v->opt.format == ODAI_PIXEL_UNKNOWN) v->opt.format = ODAI_PIXEL_RGB8;
  if (odai_gst_video_format(v->opt.format) == GST_VIDEO_FORMAT_UNKNOWN) {
    st = odai_error_set(err, ODAI_E_UNSUPPORTED, "video source: output format %s not supported",
                        odai_pixel_format_name(v->opt.format));
    goto fail;
  }
  /* A pipeline names an appsink and links elements; an existing file wins. */
  if (strstr(input, "appsink") && strchr(input, '!') && !g_file_test(input, G_FILE_TEST_EXISTS)) {
    v->what = g_strdup_printf("video pipeline '%s'", input);
    st = build_description(v, input, err);
    if (st == ODAI_OK) st = configure_sink(v, 0, err);
  } else {
    gchar *uri = NULL;
    if (gst_uri_is_valid(input)) {
      uri = g_strdup(input);
    } else {
      GError *e = NULL;
      uri = gst_filename_to_uri(input, &e);
      if (!uri) {
        st = odai_error_set(err, ODAI_E_INVALID, "video '%s': not a path or URI: %s", input,
                            e ? e->message : "?");
        if (e) g_error_free(e);
        goto fail;
      }
    }
    v->what = g_strdup_printf("video '%s'", uri);
    st = build_uri_pipeline(v, uri, err);
    g_free(uri);
    if (st == ODAI_OK) st = configure_sink(v, 1, err);
  }
  if (st != ODAI_OK) goto fail;
  v->bus = gst_element_get_bus(v->pipeline);
  if ((st = start(v, err)) != ODAI_OK) goto fail;
  *out = v;
  return ODAI_OK;
fail:
  odai_video_source_close(v);
  return st;
}

/* ---- frames ----------------------------------------------------------------- */

typedef struct held_frame {
  GstSample *sample;
  GstVideoFrame frame;
} held_frame;

static void release_frame(void *user) {
  held_frame *h = user;
  gst_video_frame_unmap(&h->frame);
  gst_sample_unref(h->sample);
  g_free(h);
}

static odai_status sample_to_image(odai_video_source *v, GstSample *sample, odai_image **out,
                                   int64_t *pts_us, odai_error *err) {
  GstCaps *caps = gst_sample_get_caps(sample);
  GstBuffer *buf = gst_sample_get_buffer(sample);
  if (!caps || !buf) {
    gst_sample_unref(sample);
    return odai_error_set(err, ODAI_E_INTERNAL, "%s: sample without caps or buffer", v->what);
  }
  if (caps != v->caps && (!v->caps || !gst_caps_is_equal(caps, v->caps))) {
    GstVideoInfo vi;
    if (!gst_video_info_from_caps(&vi, caps)) {
      gst_sample_unref(sample);
      return odai_error_set(err, ODAI_E_UNSUPPORTED, "%s: caps are not raw video", v->what);
    }
    v->vinfo = vi;
  }
  if (caps != v->caps) gst_caps_replace(&v->caps, caps);
  odai_pixel_format fmt = odai_gst_pixel_format(GST_VIDEO_INFO_FORMAT(&v->vinfo));
  if (fmt == ODAI_PIXEL_UNKNOWN) {
    gst_sample_unref(sample);
    return odai_error_set(err, ODAI_E_UNSUPPORTED,
                          "%s: appsink delivered %s, which odai has no pixel format for (add a "
                          "videoconvert and a format to the appsink caps)",
                          v->what, GST_VIDEO_INFO_NAME(&v->vinfo));
  }
  held_frame *h = g_new0(held_frame, 1);
  h->sample = sample;
  if (!gst_video_frame_map(&h->frame, &v->vinfo, buf, GST_MAP_READ)) {
    gst_sample_unref(sample);
    g_free(h);
    return odai_error_set(err, ODAI_E_IO, "%s: cannot map a video buffer", v->what);
  }
  uint8_t *planes[ODAI_IMAGE_MAX_PLANES] = {0};
  int strides[ODAI_IMAGE_MAX_PLANES] = {0};
  for (guint i = 0; i < GST_VIDEO_FRAME_N_PLANES(&h->frame) && i < ODAI_IMAGE_MAX_PLANES; i++) {
    planes[i] = GST_VIDEO_FRAME_PLANE_DATA(&h->frame, i);
    strides[i] = GST_VIDEO_FRAME_PLANE_STRIDE(&h->frame, i);
  }
  if (pts_us) {
    /* Running time: from 0 at the start, monotonic across segments
     * (concatenated streams, seeks); equals the PTS for a plain file. */
    *pts_us = -1;
    if (GST_BUFFER_PTS_IS_VALID(buf)) {
      const GstSegment *seg = gst_sample_get_segment(sample);
      guint64 t = GST_BUFFER_PTS(buf);
      if (seg && seg->format == GST_FORMAT_TIME) {
        guint64 rt = gst_segment_to_running_time(seg, GST_FORMAT_TIME, t);
        if (GST_CLOCK_TIME_IS_VALID(rt)) t = rt;
      }
      *pts_us = (int64_t)(t / 1000);
    }
  }
  /* On failure wrap() calls release_frame itself. */
  odai_status st = odai_image_wrap(GST_VIDEO_INFO_WIDTH(&v->vinfo), GST_VIDEO_INFO_HEIGHT(&v->vinfo),
                                   fmt, planes, strides, false, release_frame, h, out);
  if (st != ODAI_OK) return odai_error_set(err, st, "%s: cannot wrap a frame", v->what);
  return ODAI_OK;
}

odai_status odai_video_source_read(odai_video_source *v, int timeout_ms, odai_image **frame,
                                   int64_t *pts_us, odai_error *err) {
  if (!v || !frame) return odai_error_set(err, ODAI_E_INVALID, "video source: NULL argument");
  *frame = NULL;
  if (v->error.code != ODAI_OK) {
    if (err) *err = v->error;
    return v->error.code;
  }
  int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
  for (;;) {
    int64_t slice = 50;
    if (deadline >= 0) {
      int64_t left = deadline - now_ms();
      if (left < slice) slice = left < 0 ? 0 : left;
    }
    GstSample *s = gst_app_sink_try_pull_sample(GST_APP_SINK(v->sink), (GstClockTime)slice * GST_MSECOND);
    if (s) return sample_to_image(v, s, frame, pts_us, err);
    /* EOS first, then the bus: a warning posted before the EOS (rtspsrc's
     * "The server closed the connection" when a live stream's server went
     * away) is then already seen and quoted. */
    int at_eos = gst_app_sink_is_eos(GST_APP_SINK(v->sink));
    odai_status st = odai_gst_bus_check_warn(v->bus, 0, v->what, NULL, &v->warning, &v->error);
    if (st != ODAI_OK) {
      if (err) *err = v->error;
      return st;
    }
    if (at_eos) {
      if (v->warning.code != ODAI_OK)
        return odai_error_set(err, ODAI_E_EOF, "%s: end of stream (after %s)", v->what,
                              v->warning.message);
      return odai_error_set(err, ODAI_E_EOF, "%s: end of stream", v->what);
    }
    if (deadline >= 0 && now_ms() >= deadline) {
      if (v->warning.code != ODAI_OK)
        return odai_error_set(err, ODAI_E_TIMEOUT, "%s: no frame within %d ms (after %s)", v->what,
                              timeout_ms, v->warning.message);
      return odai_error_set(err, ODAI_E_TIMEOUT, "%s: no frame within %d ms", v->what, timeout_ms);
    }
  }
}

odai_status odai_video_source_info(odai_video_source *v, odai_video_info *info, odai_error *err) {
  if (!v || !info) return odai_error_set(err, ODAI_E_INVALID, "video source: NULL argument");
  memset(info, 0, sizeof *info);
  info->duration_us = -1;
  info->fps_den = 1;
  GstVideoInfo vi;
  int have = 0;
  if (v->caps) {
    vi = v->vinfo;
    have = 1;
  } else {
    GstPad *pad = gst_element_get_static_pad(v->sink, "sink");
    GstCaps *caps = pad ? gst_pad_get_current_caps(pad) : NULL;
    if (caps) {
      have = gst_video_info_from_caps(&vi, caps);
      gst_caps_unref(caps);
    }
    if (pad) gst_object_unref(pad);
  }
  if (!have)
    return odai_error_set(err, ODAI_E_AGAIN, "%s: caps not negotiated yet", v->what);
  info->width = GST_VIDEO_INFO_WIDTH(&vi);
  info->height = GST_VIDEO_INFO_HEIGHT(&vi);
  info->format = odai_gst_pixel_format(GST_VIDEO_INFO_FORMAT(&vi));
  if (GST_VIDEO_INFO_FPS_N(&vi) > 0 && GST_VIDEO_INFO_FPS_D(&vi) > 0) {
    info->fps_num = GST_VIDEO_INFO_FPS_N(&vi);
    info->fps_den = GST_VIDEO_INFO_FPS_D(&vi);
  }
  gint64 dur = -1;
  if (gst_element_query_duration(v->pipeline, GST_FORMAT_TIME, &dur) && dur >= 0)
    info->duration_us = dur / 1000;
  return ODAI_OK;
}

void odai_video_source_close(odai_video_source *v) {
  if (!v) return;
  if (v->pipeline) {
    gst_element_set_state(v->pipeline, GST_STATE_NULL);
    gst_object_unref(v->pipeline);
  }
  if (v->sink) gst_object_unref(v->sink);
  if (v->bus) gst_object_unref(v->bus);
  if (v->caps) gst_caps_unref(v->caps);
  g_free(v->what);
  free(v);
}
