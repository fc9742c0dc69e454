/* calculators/render/media_sinks.c: where annotated frames go —
 * ImageFileSinkCalculator (JPEG/PNG files), VideoSinkCalculator (GStreamer
 * encode; MediaPipe's OpenCvVideoEncoderCalculator name too) and
 * SdlDisplayCalculator (an SDL2 preview window on its own thread).
 *
 * ImageFileSinkCalculator: input IMAGE (or VIDEO), optional FILE_NAME
 * (string, names each output after its source image); side packet
 * OUTPUT_PATH / OUTPUT_VIDEO_PATH (a directory, or a pattern with one %d)
 * or options { path every_n quality format: "jpg"|"png" }.
 * VideoSinkCalculator: input VIDEO (or IMAGE); side packet
 * OUTPUT_VIDEO_PATH / OUTPUT_FILE_PATH, or options { path fps }; the file is
 * finished (MP4 index written) in close, also when the graph is cancelled
 * (Ctrl-C). A file this node created is removed again when writing or
 * finishing it failed (full disk, file size limit) or no frame reached it
 * (the graph failed first): such a file is unplayable. A missing path disables the sink
 * (frames are dropped), so configs can make the output optional.
 * SdlDisplayCalculator: input VIDEO (or IMAGE); options { title }. Closing
 * the window stops the graph with ODAI_E_CANCELLED ("preview window
 * closed"), which odai-run reports as a normal end. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calculators/registry.h"
#include "odai/display.h"
#include "odai/image_io.h"
#include "odai/options.h"
#include "odai/packet_types.h"
#include "odai/video.h"

static const odai_packet *frame_input(odai_calc_ctx *ctx) {
  const odai_packet *p = odai_calc_input(ctx, "VIDEO", 0);
  if (!p) p = odai_calc_input(ctx, "IMAGE", 0);
  if (!p) p = odai_calc_input(ctx, "", 0);
  return p;
}

static void frame_ports(odai_contract *c) {
  odai_contract_input(c, "VIDEO", ODAI_TYPE_IMAGE, ODAI_PORT_OPTIONAL);
  odai_contract_input(c, "IMAGE", ODAI_TYPE_IMAGE, ODAI_PORT_OPTIONAL);
  odai_contract_input(c, "", ODAI_TYPE_IMAGE, ODAI_PORT_OPTIONAL);
}

static odai_status require_frame_port(odai_contract *c) {
  if (odai_contract_input_count(c, "VIDEO") + odai_contract_input_count(c, "IMAGE") +
          odai_contract_input_count(c, "") != 1)
    return odai_contract_error(c, ODAI_E_INVALID, "connect exactly one of VIDEO, IMAGE or an untagged image input");
  return ODAI_OK;
}

static const char *side_path(odai_calc_ctx *ctx, const char *const *tags, int n) {
  for (int i = 0; i < n; i++) {
    const char *s = NULL;
    const odai_packet *p = odai_calc_side_input(ctx, tags[i], 0);
    if (p && odai_packet_get_string(p, &s) == ODAI_OK && s) return s;
  }
  return odai_options_get_string(odai_calc_options(ctx), "path", NULL);
}

/* ---- ImageFileSinkCalculator ---- */

typedef struct file_sink {
  char *path;
  bool is_dir, pattern;
  int64_t every_n, count;
  int quality;
  char ext[8];
} file_sink;

static odai_status fsink_contract(odai_contract *c) {
  frame_ports(c);
  odai_contract_input(c, "FILE_NAME", ODAI_TYPE_STRING, ODAI_PORT_OPTIONAL);
  odai_contract_input_side(c, "OUTPUT_PATH", ODAI_TYPE_STRING, ODAI_PORT_OPTIONAL);
  odai_contract_input_side(c, "OUTPUT_VIDEO_PATH", ODAI_TYPE_STRING, ODAI_PORT_OPTIONAL);
  odai_contract_options(c, "odai.ImageFileSinkOptions");
  return require_frame_port(c);
}

static odai_status fsink_open_at(odai_calc_ctx *ctx, file_sink *st, const char *path) {
  const odai_options *o = odai_calc_options(ctx);
  st->every_n = odai_options_get_int(o, "every_n", 1);
  if (st->every_n < 1) st->every_n = 1;
  st->quality = (int)odai_options_get_int(o, "quality", 90);
  snprintf(st->ext, sizeof st->ext, "%s", odai_options_get_string(o, "format", "jpg"));
  if (!path || !*path) return ODAI_OK; /* disabled */
  if (!(st->path = strdup(path))) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  st->pattern = strstr(path, "%") != NULL;
  if (!st->pattern && odai_image_codec_from_path(path) == ODAI_CODEC_UNKNOWN) {
    /* A directory: create it (0700: frames may show people). */
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
      return odai_calc_error(ctx, ODAI_E_IO, "cannot create output directory '%s': %s", path,
                             strerror(errno));
    st->is_dir = true;
  }
  return ODAI_OK;
}

static odai_status fsink_open(odai_calc_ctx *ctx) {
  static const char *const tags[] = {"OUTPUT_PATH", "OUTPUT_VIDEO_PATH"};
  return fsink_open_at(ctx, odai_calc_state(ctx), side_path(ctx, tags, 2));
}

static odai_status fsink_process_at(odai_calc_ctx *ctx, file_sink *st) {
  const odai_image *img = odai_packet_image(frame_input(ctx));
  if (!img || !st->path) return ODAI_OK;
  int64_t n = st->count++;
  if (n % st->every_n) return ODAI_OK;
  char out[4096];
  const char *name = NULL;
  const odai_packet *fp = odai_calc_input(ctx, "FILE_NAME", 0);
  if (fp) odai_packet_get_string(fp, &name);
  if (st->pattern) {
    snprintf(out, sizeof out, st->path, (int)n);
  } else if (st->is_dir) {
    if (name && *name) {
      /* keep the source's name, with the sink's extension */
      char base[1024];
      snprintf(base, sizeof base, "%s", name);
      char *dot = strrchr(base, '.');
      if (dot) *dot = '\0';
      snprintf(out, sizeof out, "%s/%s.%s", st->path, base, st->ext);
    } else {
      snprintf(out, sizeof out, "%s/frame_%06lld.%s", st->path, (long long)n, st->ext);
    }
  } else {
    snprintf(out, sizeof out, "%s", st->path); /* one file, overwritten */
  }
  odai_error e;
  if (odai_image_write_file(img, out, st->quality, &e) != ODAI_OK)
    return odai_calc_error(ctx, e.code, "%s", e.message);
  return ODAI_OK;
}

static odai_status fsink_process(odai_calc_ctx *ctx) {
  return fsink_process_at(ctx, odai_calc_state(ctx));
}

static void fsink_close_at(file_sink *st) {
  free(st->path);
  st->path = NULL;
}

static odai_status fsink_close(odai_calc_ctx *ctx) {
  fsink_close_at(odai_calc_state(ctx));
  return ODAI_OK;
}

const odai_calculator_def odai_calc_image_file_sink = {
    .name = "ImageFileSinkCalculator",
    .description = "writes frames as JPEG/PNG files (a directory, a %d pattern, every Nth)",
    .state_size = sizeof(file_sink),
    .contract = fsink_contract,
    .open = fsink_open,
    .process = fsink_process,
    .close = fsink_close,
};

/* ---- VideoSinkCalculator ---- */

typedef struct video_sink {
  odai_video_sink *sink;
  char *path;
  odai_video_sink_options vo;
  bool finished;
  bool created; /* the path was a new regular file: removed again if unusable */
  bool failed;  /* a write failed */
} video_sink;

static odai_status vsink_contract(odai_contract *c) {
  frame_ports(c);
  odai_contract_input(c, "VIDEO_PRESTREAM", ODAI_TYPE_ANY, ODAI_PORT_OPTIONAL);
  odai_contract_input_side(c, "OUTPUT_VIDEO_PATH", ODAI_TYPE_STRING, ODAI_PORT_OPTIONAL);
  odai_contract_input_side(c, "OUTPUT_FILE_PATH", ODAI_TYPE_STRING, ODAI_PORT_OPTIONAL);
  odai_contract_options(c, "odai.VideoSinkOptions");
  return require_frame_port(c);
}

static odai_status vsink_open_at(odai_calc_ctx *ctx, video_sink *st, const char *path) {
  odai_video_sink_options_default(&st->vo);
  const odai_options *o = odai_calc_options(ctx);
  double fps = odai_options_get_double(o, "fps", 0);
  if (fps > 0) {
    st->vo.fps_num = (int)(fps * 1000 + 0.5);
    st->vo.fps_den = 1000;
  }
  st->vo.bitrate_kbps = (int)odai_options_get_int(o, "bitrate_kbps", 0);
  if (!path || !*path) return ODAI_OK; /* disabled */
  if (!(st->path = strdup(path))) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  odai_error e;
  struct stat sb;
  bool existed = stat(path, &sb) == 0;
  if (odai_video_sink_open(path, &st->vo, &st->sink, &e) != ODAI_OK)
    return odai_calc_error(ctx, e.code, "%s", e.message);
  st->created = !existed && stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
  return ODAI_OK;
}

static odai_status vsink_open(odai_calc_ctx *ctx) {
  static const char *const tags[] = {"OUTPUT_VIDEO_PATH", "OUTPUT_FILE_PATH"};
  return vsink_open_at(ctx, odai_calc_state(ctx), side_path(ctx, tags, 2));
}

static odai_status vsink_process_at(odai_calc_ctx *ctx, video_sink *st) {
  const odai_image *img = odai_packet_image(frame_input(ctx));
  if (!img || !st->sink) return ODAI_OK;
  odai_error e;
  if (odai_video_sink_write(st->sink, img, odai_calc_timestamp(ctx), &e) != ODAI_OK) {
    st->failed = true;
    return odai_calc_error(ctx, e.code, "%s", e.message); /* names the file already */
  }
  return ODAI_OK;
}

static odai_status vsink_process(odai_calc_ctx *ctx) {
  return vsink_process_at(ctx, odai_calc_state(ctx));
}

static odai_status vsink_close_at(odai_calc_ctx *ctx, video_sink *st) {
  odai_status s = ODAI_OK;
  bool usable = false;
  if (st->sink && odai_video_sink_frames(st->sink) > 0 && !st->failed) {
    odai_error e;
    s = odai_video_sink_finish(st->sink, 30000, &e);
    if (s != ODAI_OK) odai_calc_error(ctx, s, "finishing '%s': %s", st->path, e.message);
    usable = s == ODAI_OK;
  }
  odai_video_sink_close(st->sink);
  st->sink = NULL;
  /* no half-written, unplayable file left behind */
  if (st->created && !usable && st->path) unlink(st->path);
  st->created = st->failed = false;
  free(st->path);
  st->path = NULL;
  return s;
}

static odai_status vsink_close(odai_calc_ctx *ctx) {
  return vsink_close_at(ctx, odai_calc_state(ctx));
}

const odai_calculator_def odai_calc_video_sink = {
    .name = "VideoSinkCalculator",
    .description = "encodes frames to a video file (.mp4 H.264, .mkv, .avi MJPEG) or pipeline",
    .state_size = sizeof(video_sink),
    .contract = vsink_contract,
    .open = vsink_open,
    .process = vsink_process,
    .close = vsink_close,
};

const odai_calculator_def odai_calc_opencv_video_encoder = {
    .name = "OpenCvVideoEncoderCalculator",
    .description = "MediaPipe's name for VideoSinkCalculator (VIDEO, OUTPUT_FILE_PATH)",
    .state_size = sizeof(video_sink),
    .contract = vsink_contract,
    .open = vsink_open,
    .process = vsink_process,
    .close = vsink_close,
};

/* ---- SdlDisplayCalculator ----
 * SDL wants one thread: the window lives on a thread of its own; process
 * hands it the newest frame (an older one not yet shown is dropped, so a
 * slow screen never slows the graph). */

typedef struct display_sink {
  pthread_t thread;
  bool started;
  pthread_mutex_t mu; /* guards pending, stop, closed, error */
  pthread_cond_t cv;
  odai_image *pending;
  bool stop, closed, opened;
  odai_error error;
  bool failed;
  char title[128];
} display_sink;

static void *display_main(void *arg) {
  display_sink *st = arg;
  odai_display_options o;
  odai_display_options_default(&o);
  o.title = st->title;
  odai_display *d = NULL;
  odai_error e;
  odai_status s = odai_display_open(&o, &d, &e);
  pthread_mutex_lock(&st->mu);
  if (s != ODAI_OK) {
    st->failed = true;
    st->error = e;
  }
  st->opened = true;
  pthread_cond_broadcast(&st->cv);
  pthread_mutex_unlock(&st->mu);
  if (s != ODAI_OK) return NULL;
  for (;;) {
    pthread_mutex_lock(&st->mu);
    while (!st->pending && !st->stop) {
      struct timespec ts;
      clock_gettime(CLOCK_REALTIME, &ts);
      ts.tv_nsec += 20 * 1000000;
      if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
      }
      pthread_cond_timedwait(&st->cv, &st->mu, &ts);
      if (!st->pending && !st->stop) break; /* timeout: poll window events */
    }
    odai_image *img = st->pending;
    st->pending = NULL;
    bool stop = st->stop;
    pthread_mutex_unlock(&st->mu);
    bool closed;
    if (img) {
      closed = odai_display_show(d, img, &e) == ODAI_E_CANCELLED;
      odai_image_unref(img);
    } else {
      closed = odai_display_poll(d);
    }
    if (closed) {
      pthread_mutex_lock(&st->mu);
      st->closed = true;
      pthread_mutex_unlock(&st->mu);
    }
    if (stop || closed) break;
  }
  odai_display_close(d);
  return NULL;
}

static odai_status dsink_contract(odai_contract *c) {
  frame_ports(c);
  odai_contract_options(c, "odai.SdlDisplayOptions");
  return require_frame_port(c);
}

static odai_status dsink_open(odai_calc_ctx *ctx) {
  display_sink *st = odai_calc_state(ctx);
  snprintf(st->title, sizeof st->title, "%s",
           odai_options_get_string(odai_calc_options(ctx), "title", "odai"));
  pthread_mutex_init(&st->mu, NULL);
  pthread_cond_init(&st->cv, NULL);
  if (pthread_create(&st->thread, NULL, display_main, st) != 0)
    return odai_calc_error(ctx, ODAI_E_NOMEM, "cannot start the display thread");
  st->started = true;
  pthread_mutex_lock(&st->mu);
  while (!st->opened) pthread_cond_wait(&st->cv, &st->mu);
  bool failed = st->failed;
  pthread_mutex_unlock(&st->mu);
  if (failed) return odai_calc_error(ctx, st->error.code, "preview window: %s", st->error.message);
  return ODAI_OK;
}

static odai_status dsink_process(odai_calc_ctx *ctx) {
  display_sink *st = odai_calc_state(ctx);
  const odai_image *img = odai_packet_image(frame_input(ctx));
  pthread_mutex_lock(&st->mu);
  bool closed = st->closed;
  if (img && !closed) {
    odai_image_unref(st->pending); /* drop a frame the screen did not take yet */
    st->pending = odai_image_ref((odai_image *)img);
    pthread_cond_signal(&st->cv);
  }
  pthread_mutex_unlock(&st->mu);
  if (closed) return odai_calc_error(ctx, ODAI_E_CANCELLED, "preview window closed");
  return ODAI_OK;
}

static odai_status dsink_close(odai_calc_ctx *ctx) {
  display_sink *st = odai_calc_state(ctx);
  if (!st->started) return ODAI_OK;
  pthread_mutex_lock(&st->mu);
  st->stop = true;
  pthread_cond_signal(&st->cv);
  pthread_mutex_unlock(&st->mu);
  pthread_join(st->thread, NULL);
  odai_image_unref(st->pending);
  st->pending = NULL;
  pthread_mutex_destroy(&st->mu);
  pthread_cond_destroy(&st->cv);
  st->started = false;
  return ODAI_OK;
}

const odai_calculator_def odai_calc_sdl_display = {
    .name = "SdlDisplayCalculator",
    .description = "shows frames in an SDL2 window (newest frame wins; closing ends the graph)",
    .state_size = sizeof(display_sink),
    .contract = dsink_contract,
    .open = dsink_open,
    .process = dsink_process,
    .close = dsink_close,
};

/* ---- MediaSinkCalculator ----
 * One sink for end-to-end configs: an OUTPUT_VIDEO_PATH ending in .mp4,
 * .mkv, .avi or .mov, or a pipeline ("appsrc name=src ..."), encodes a
 * video; any other path is a directory (or one .jpg/.png file, or a %d
 * pattern) of annotated images, named after FILE_NAME when connected. A
 * missing path disables the sink, so the output stays optional. */

typedef struct media_sink {
  bool video;
  video_sink v;
  file_sink f;
} media_sink;

static bool is_video_path(const char *p) {
  if (strstr(p, "appsrc")) return true;
  const char *dot = strrchr(p, '.');
  if (!dot || strchr(dot, '/')) return false;
  return !strcasecmp(dot, ".mp4") || !strcasecmp(dot, ".mkv") || !strcasecmp(dot, ".avi") ||
         !strcasecmp(dot, ".mov");
}

static odai_status msink_contract(odai_contract *c) {
  frame_ports(c);
  odai_contract_input(c, "FILE_NAME", ODAI_TYPE_STRING, ODAI_PORT_OPTIONAL);
  odai_contract_input(c, "VIDEO_PRESTREAM", ODAI_TYPE_ANY, ODAI_PORT_OPTIONAL);
  odai_contract_input_side(c, "OUTPUT_VIDEO_PATH", ODAI_TYPE_STRING, ODAI_PORT_OPTIONAL);
  odai_contract_input_side(c, "OUTPUT_PATH", ODAI_TYPE_STRING, ODAI_PORT_OPTIONAL);
  odai_contract_options(c, "odai.MediaSinkOptions");
  return require_frame_port(c);
}

static odai_status msink_open(odai_calc_ctx *ctx) {
  media_sink *st = odai_calc_state(ctx);
  static const char *const tags[] = {"OUTPUT_VIDEO_PATH", "OUTPUT_PATH"};
  const char *path = side_path(ctx, tags, 2);
  st->video = path && is_video_path(path);
  return st->video ? vsink_open_at(ctx, &st->v, path) : fsink_open_at(ctx, &st->f, path);
}

static odai_status msink_process(odai_calc_ctx *ctx) {
  media_sink *st = odai_calc_state(ctx);
  return st->video ? vsink_process_at(ctx, &st->v) : fsink_process_at(ctx, &st->f);
}

static odai_status msink_close(odai_calc_ctx *ctx) {
  media_sink *st = odai_calc_state(ctx);
  if (st->video) return vsink_close_at(ctx, &st->v);
  fsink_close_at(&st->f);
  return ODAI_OK;
}

const odai_calculator_def odai_calc_media_sink = {
    .name = "MediaSinkCalculator",
    .description = "annotated output: a video file (.mp4/.mkv/.avi) or a directory of images",
    .state_size = sizeof(media_sink),
    .contract = msink_contract,
    .open = msink_open,
    .process = msink_process,
    .close = msink_close,
};
