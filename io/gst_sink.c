/* io/gst_sink.c: odai_video_sink, frames into a GStreamer encode pipeline
 * through appsrc (io/ layer). The pipeline comes from the output path's
 * extension or from the caller; finish() sends EOS and waits for the file
 * to be complete (MP4's index is written then). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gst/app/gstappsrc.h>

#include "gst_internal.h"
#include "odai/video.h"

struct odai_video_sink {
  GstElement *pipeline;
  GstElement *src; /* the appsrc (own ref) */
  GstBus *bus;
  odai_video_sink_options opt;
  char *what;
  int layout_set, caps_set;
  int fps_num, fps_den; /* the rate in the caps */
  GstBuffer *pending;   /* first frame, held until the rate is known */
  int64_t pending_pts_us;
  GstVideoInfo vinfo;
  uint64_t frames;
  int finished;
  odai_error error; /* sticky pipeline error */
};

void odai_video_sink_options_default(odai_video_sink_options *o) {
  memset(o, 0, sizeof *o);
  o->fps_num = 0; /* from the timestamps */
  o->fps_den = 0;
  o->jpeg_quality = 85;
}

/* Encode chain (after appsrc, before filesink) for an output file. */
static char *chain_for_path(const char *path, const odai_video_sink_options *o) {
  const char *dot = strrchr(path, '.');
  const char *slash = strrchr(path, '/');
  if (!dot || (slash && dot < slash)) return NULL;
  /* I420 before x264enc: from RGB it would pick High 4:4:4, which most
   * players reject. 4:2:0 H.264 needs even sizes: odai_crop drops the last
   * column/row of odd-sized frames (set when the first frame arrives). */
  char x264[200];
  if (o->bitrate_kbps > 0)
    g_snprintf(x264, sizeof x264, "videocrop name=odai_crop ! videoconvert ! video/x-raw,format=I420 ! x264enc speed-preset=ultrafast tune=zerolatency bitrate=%d ! h264parse",
               o->bitrate_kbps);
  else
    g_snprintf(x264, sizeof x264, "videocrop name=odai_crop ! videoconvert ! video/x-raw,format=I420 ! x264enc speed-preset=ultrafast tune=zerolatency ! h264parse");
  if (!strcasecmp(dot, ".mp4") || !strcasecmp(dot, ".m4v") || !strcasecmp(dot, ".mov"))
    return g_strdup_printf("%s ! mp4mux", x264);
  if (!strcasecmp(dot, ".mkv")) return g_strdup_printf("%s ! matroskamux", x264);
  if (!strcasecmp(dot, ".avi"))
    return g_strdup_printf("videoconvert ! video/x-raw,format=I420 ! jpegenc quality=%d ! avimux",
                           o->jpeg_quality > 0 && o->jpeg_quality <= 100 ? o->jpeg_quality : 85);
  return NULL;
}

static odai_status sink_error(odai_video_sink *s, odai_error *err) {
  if (err) *err = s->error;
  return s->error.code;
}

/* Check the bus without waiting; a pipeline error becomes sticky. */
static odai_status poll_bus(odai_video_sink *s, GstClockTime wait, int *eos, odai_error *err) {
  if (s->error.code != ODAI_OK) return sink_error(s, err);
  odai_status st = odai_gst_bus_check(s->bus, wait, s->what, eos, &s->error);
  if (st != ODAI_OK) return sink_error(s, err);
  return ODAI_OK;
}

odai_status odai_video_sink_open(const char *target, const odai_video_sink_options *options,
                                 odai_video_sink **out, odai_error *err) {
  if (!target || !out) return odai_error_set(err, ODAI_E_INVALID, "video sink: target and out required");
  *out = NULL;
  odai_status st = odai_gst_init(err);
  if (st != ODAI_OK) return st;
  odai_video_sink *s = calloc(1, sizeof *s);
  if (!s) return odai_error_set(err, ODAI_E_NOMEM, "video sink: out of memory");
  if (options)
    s->opt = *options;
  else
    odai_video_sink_options_default(&s->opt);
  char *desc = NULL;
  int is_file = !(strncmp(target, "appsrc", 6) == 0 && strchr(target, '!'));
  if (is_file) {
    s->what = g_strdup_printf("video sink '%s'", target);
    char *chain = chain_for_path(target, &s->opt);
    if (!chain) {
      st = odai_error_set(err, ODAI_E_UNSUPPORTED,
                          "%s: unknown output type (use .mp4, .mkv, .avi or an 'appsrc name=src ! ...' pipeline)",
                          s->what);
      goto fail;
    }
    desc = g_strdup_printf("appsrc name=src ! %s ! filesink name=odai_out", chain);
    g_free(chain);
  } else {
    s->what = g_strdup_printf("video sink pipeline '%s'", target);
    desc = g_strdup(target);
  }
  GError *e = NULL;
  s->pipeline = gst_parse_launch(desc, &e);
  g_free(desc);
  if (!s->pipeline || e) {
    st = odai_error_set(err, ODAI_E_PARSE, "%s: bad pipeline: %s", s->what, e ? e->message : "?");
    if (e) g_error_free(e);
    goto fail;
  }
  if (!GST_IS_PIPELINE(s->pipeline)) {
    st = odai_error_set(err, ODAI_E_INVALID, "%s: the description must be a pipeline", s->what);
    goto fail;
  }
  s->src = gst_bin_get_by_name(GST_BIN(s->pipeline), "src");
  if (!s->src || !GST_IS_APP_SRC(s->src)) {
    st = odai_error_set(err, ODAI_E_INVALID, "%s: the pipeline must start with 'appsrc name=src'",
                        s->what);
    goto fail;
  }
  if (is_file) {
    GstElement *fs = gst_bin_get_by_name(GST_BIN(s->pipeline), "odai_out");
    g_object_set(fs, "location", target, NULL);
    gst_object_unref(fs);
  }
  g_object_set(s->src, "format", GST_FORMAT_TIME, "is-live", FALSE, "block", FALSE,
               "max-bytes", (guint64)0, NULL);
  s->bus = gst_element_get_bus(s->pipeline);
  /* filesink opens its file in READY->PAUSED, inside this call. */
  GstStateChangeReturn r = gst_element_set_state(s->pipeline, GST_STATE_PLAYING);
  if ((st = poll_bus(s, 0, NULL, err)) != ODAI_OK) goto fail;
  if (r == GST_STATE_CHANGE_FAILURE) {
    st = odai_error_set(err, ODAI_E_IO, "%s: the pipeline failed to start", s->what);
    goto fail;
  }
  *out = s;
  return ODAI_OK;
fail:
  odai_video_sink_close(s);
  return st;
}

/* The buffer layout from the first frame (caps are applied later, once
 * the rate is known). */
static odai_status set_layout(odai_video_sink *s, const odai_image *img, odai_error *err) {
  GstVideoFormat gf = odai_gst_video_format(odai_image_format(img));
  if (gf == GST_VIDEO_FORMAT_UNKNOWN)
    return odai_error_set(err, ODAI_E_UNSUPPORTED, "%s: cannot encode %s frames", s->what,
                          odai_pixel_format_name(odai_image_format(img)));
  gst_video_info_set_format(&s->vinfo, gf, (guint)odai_image_width(img), (guint)odai_image_height(img));
  s->layout_set = 1;
  return ODAI_OK;
}

/* Fix the rate (given, measured from the first two timestamps, or 30/1)
 * and give appsrc its caps. */
static void apply_caps(odai_video_sink *s, int64_t next_pts_us) {
  int num = s->opt.fps_num, den = s->opt.fps_den;
  if (num <= 0 || den <= 0) {
    num = 30;
    den = 1;
    if (s->pending && next_pts_us > s->pending_pts_us) {
      gint n = 0, d = 1;
      gst_util_double_to_fraction(1e6 / (double)(next_pts_us - s->pending_pts_us), &n, &d);
      if (n > 0 && d > 0) {
        num = n;
        den = d;
      }
    }
  }
  s->fps_num = num;
  s->fps_den = den;
  GST_VIDEO_INFO_FPS_N(&s->vinfo) = num;
  GST_VIDEO_INFO_FPS_D(&s->vinfo) = den;
  GstElement *crop = gst_bin_get_by_name(GST_BIN(s->pipeline), "odai_crop");
  if (crop) {
    g_object_set(crop, "right", GST_VIDEO_INFO_WIDTH(&s->vinfo) & 1, "bottom",
                 GST_VIDEO_INFO_HEIGHT(&s->vinfo) & 1, NULL);
    gst_object_unref(crop);
  }
  GstCaps *caps = gst_video_info_to_caps(&s->vinfo);
  gst_app_src_set_caps(GST_APP_SRC(s->src), caps);
  gst_caps_unref(caps);
  s->caps_set = 1;
}

static GstClockTime frame_duration(const odai_video_sink *s) {
  return gst_util_uint64_scale(GST_SECOND, (guint64)s->fps_den, (guint64)s->fps_num);
}

static odai_status push(odai_video_sink *s, GstBuffer *buf, odai_error *err) {
  if (GST_BUFFER_DURATION(buf) == GST_CLOCK_TIME_NONE) GST_BUFFER_DURATION(buf) = frame_duration(s);
  GstFlowReturn fr = gst_app_src_push_buffer(GST_APP_SRC(s->src), buf); /* takes buf */
  if (fr != GST_FLOW_OK) {
    odai_status st = poll_bus(s, 100 * GST_MSECOND, NULL, err);
    if (st != ODAI_OK) return st;
    return odai_error_set(err, ODAI_E_IO, "%s: push failed: %s", s->what, gst_flow_get_name(fr));
  }
  return ODAI_OK;
}

odai_status odai_video_sink_write(odai_video_sink *s, const odai_image *img, int64_t pts_us,
                                  odai_error *err) {
  if (!s || !img) return odai_error_set(err, ODAI_E_INVALID, "video sink: NULL argument");
  if (s->finished) return odai_error_set(err, ODAI_E_INVALID, "%s: already finished", s->what);
  odai_status st = poll_bus(s, 0, NULL, err);
  if (st != ODAI_OK) return st;
  if (!s->layout_set && (st = set_layout(s, img, err)) != ODAI_OK) return st;
  if (odai_image_width(img) != (int)GST_VIDEO_INFO_WIDTH(&s->vinfo) ||
      odai_image_height(img) != (int)GST_VIDEO_INFO_HEIGHT(&s->vinfo) ||
      odai_gst_video_format(odai_image_format(img)) != GST_VIDEO_INFO_FORMAT(&s->vinfo))
    return odai_error_set(err, ODAI_E_INVALID, "%s: frame %dx%d %s differs from the first %dx%d %s",
                          s->what, odai_image_width(img), odai_image_height(img),
                          odai_pixel_format_name(odai_image_format(img)),
                          GST_VIDEO_INFO_WIDTH(&s->vinfo), GST_VIDEO_INFO_HEIGHT(&s->vinfo),
                          GST_VIDEO_INFO_NAME(&s->vinfo));

  /* Back-pressure: wait while more than 4 frames are queued in appsrc,
   * watching the bus so a failed pipeline cannot hang us. */
  while (gst_app_src_get_current_level_bytes(GST_APP_SRC(s->src)) > 4 * GST_VIDEO_INFO_SIZE(&s->vinfo))
    if ((st = poll_bus(s, 2 * GST_MSECOND, NULL, err)) != ODAI_OK) return st;

  GstBuffer *buf = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&s->vinfo), NULL);
  if (!buf) return odai_error_set(err, ODAI_E_NOMEM, "%s: cannot allocate a buffer", s->what);
  GstVideoFrame vf;
  if (!gst_video_frame_map(&vf, &s->vinfo, buf, GST_MAP_WRITE)) {
    gst_buffer_unref(buf);
    return odai_error_set(err, ODAI_E_INTERNAL, "%s: cannot map a buffer", s->what);
  }
  odai_image_planes p;
  odai_image_get_planes(img, &p);
  for (int pl = 0; pl < p.num_planes; pl++) {
    int pw, ph;
    size_t row;
    odai_pixel_format_plane_size(p.format, p.width, p.height, pl, &pw, &ph, &row);
    uint8_t *d = GST_VIDEO_FRAME_PLANE_DATA(&vf, pl);
    int ds = GST_VIDEO_FRAME_PLANE_STRIDE(&vf, pl);
    for (int y = 0; y < ph; y++) memcpy(d + (size_t)y * ds, p.data[pl] + (size_t)y * p.stride[pl], row);
  }
  gst_video_frame_unmap(&vf);
  GST_BUFFER_DURATION(buf) = GST_CLOCK_TIME_NONE; /* set at push, once the rate is known */

  if (!s->caps_set) {
    int auto_rate = s->opt.fps_num <= 0 || s->opt.fps_den <= 0;
    if (auto_rate && pts_us >= 0 && !s->pending) {
      /* Hold the first frame until the second one's timestamp gives the rate. */
      GST_BUFFER_PTS(buf) = (GstClockTime)pts_us * 1000;
      s->pending = buf;
      s->pending_pts_us = pts_us;
      s->frames++;
      return ODAI_OK;
    }
    apply_caps(s, pts_us);
    if (s->pending) {
      GstBuffer *first = s->pending;
      s->pending = NULL;
      if ((st = push(s, first, err)) != ODAI_OK) {
        gst_buffer_unref(buf);
        return st;
      }
    }
  }
  GST_BUFFER_PTS(buf) = pts_us >= 0 ? (GstClockTime)pts_us * 1000 : s->frames * frame_duration(s);
  if ((st = push(s, buf, err)) != ODAI_OK) return st;
  s->frames++;
  return ODAI_OK;
}

odai_status odai_video_sink_finish(odai_video_sink *s, int timeout_ms, odai_error *err) {
  if (!s) return odai_error_set(err, ODAI_E_INVALID, "video sink: NULL");
  if (s->finished) return ODAI_OK;
  s->finished = 1;
  odai_status st = poll_bus(s, 0, NULL, err);
  if (st == ODAI_OK && s->pending) { /* a single frame: no second timestamp came */
    apply_caps(s, -1);
    GstBuffer *first = s->pending;
    s->pending = NULL;
    st = push(s, first, err);
  }
  if (st == ODAI_OK) {
    gst_app_src_end_of_stream(GST_APP_SRC(s->src));
    gint64 deadline = timeout_ms < 0 ? -1 : g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    int eos = 0;
    while (!eos) {
      if ((st = poll_bus(s, 20 * GST_MSECOND, &eos, err)) != ODAI_OK) break;
      if (!eos && deadline >= 0 && g_get_monotonic_time() >= deadline) {
        st = odai_error_set(err, ODAI_E_TIMEOUT, "%s: not finished within %d ms", s->what, timeout_ms);
        break;
      }
    }
  }
  gst_element_set_state(s->pipeline, GST_STATE_NULL);
  return st;
}

uint64_t odai_video_sink_frames(const odai_video_sink *s) { return s ? s->frames : 0; }

void odai_video_sink_close(odai_video_sink *s) {
  if (!s) return;
  if (s->pipeline) {
    gst_element_set_state(s->pipeline, GST_STATE_NULL);
    gst_object_unref(s->pipeline);
  }
  if (s->pending) gst_buffer_unref(s->pending);
  if (s->src) gst_object_unref(s->src);
  if (s->bus) gst_object_unref(s->bus);
  g_free(s->what);
  free(s);
}
