/* calculators/capture/media_source.c: source calculators that turn a path
 * into a stream of images: VideoSourceCalculator (GStreamer: files, RTSP,
 * HTTP, pipelines — and, given a camera or image path, it dispatches to the
 * camera or image-file reader so `input_video_path` accepts anything),
 * CameraSourceCalculator (V4L2) and ImageFileSourceCalculator (a file, a
 * glob, or a directory of JPEG/PNG files), plus MediaPipe's
 * OpenCvVideoDecoderCalculator name.
 *
 * Side packets: INPUT_VIDEO_PATH, INPUT_FILE_PATH or INPUT_PATH (string);
 * or options { path: "..." }. Outputs: VIDEO (odai.Image, RGB8 unless
 * options { format: "RGBA" } etc.), optional FILE_NAME (string, the image
 * file's name in image mode, empty for video) and VIDEO_PRESTREAM
 * (odai.ImageSize at ODAI_TS_PRESTREAM: the first frame's size).
 * Options: path, format, frame_rate (images; default 30), loop (images),
 * max_frames (0 = all), drop_old_frames / realtime (live video),
 * width/height/fps (camera request), reconnect (camera). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "calculators/registry.h"
#include "odai/camera.h"
#include "odai/image_io.h"
#include "odai/options.h"
#include "odai/packet_types.h"
#include "odai/video.h"

typedef enum { MODE_AUTO, MODE_VIDEO, MODE_CAMERA, MODE_IMAGES } src_mode;

typedef struct src_state {
  src_mode mode;
  odai_pixel_format format;
  odai_video_source *video;
  odai_camera *camera;
  char **files; /* image mode: sorted paths */
  size_t n_files, next_file;
  double frame_rate;
  bool loop;
  int64_t max_frames, frames;
  int64_t last_ts;
  bool sent_header;
} src_state;

static bool has_image_ext(const char *p) {
  const char *dot = strrchr(p, '.');
  if (!dot) return false;
  char ext[8] = {0};
  for (int i = 0; i < 7 && dot[1 + i]; i++) ext[i] = (char)tolower((unsigned char)dot[1 + i]);
  return !strcmp(ext, "jpg") || !strcmp(ext, "jpeg") || !strcmp(ext, "png");
}

static src_mode detect_mode(const char *path) {
  struct stat sb;
  if (strncmp(path, "/dev/video", 10) == 0) return MODE_CAMERA;
  if (strpbrk(path, "*?[") && !strstr(path, "://")) return MODE_IMAGES;
  if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) return MODE_IMAGES;
  if (has_image_ext(path) && !strstr(path, "://") && !strchr(path, '!')) return MODE_IMAGES;
  return MODE_VIDEO;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static odai_status push_file(src_state *st, const char *path) {
  char **nf = realloc(st->files, (st->n_files + 1) * sizeof *nf);
  if (!nf) return ODAI_E_NOMEM;
  st->files = nf;
  if (!(st->files[st->n_files] = strdup(path))) return ODAI_E_NOMEM;
  st->n_files++;
  return ODAI_OK;
}

static odai_status list_images(odai_calc_ctx *ctx, src_state *st, const char *path) {
  struct stat sb;
  if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
    DIR *d = opendir(path);
    if (!d) return odai_calc_error(ctx, ODAI_E_IO, "cannot open directory '%s': %s", path, strerror(errno));
    struct dirent *e;
    char buf[4096];
    while ((e = readdir(d))) {
      if (e->d_name[0] == '.' || !has_image_ext(e->d_name)) continue;
      snprintf(buf, sizeof buf, "%s/%s", path, e->d_name);
      if (push_file(st, buf) != ODAI_OK) {
        closedir(d);
        return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
      }
    }
    closedir(d);
  } else if (strpbrk(path, "*?[")) {
    glob_t g;
    int r = glob(path, 0, NULL, &g);
    if (r == 0) {
      for (size_t i = 0; i < g.gl_pathc; i++)
        if (push_file(st, g.gl_pathv[i]) != ODAI_OK) {
          globfree(&g);
          return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
        }
    }
    globfree(&g);
  } else {
    if (stat(path, &sb) != 0)
      return odai_calc_error(ctx, ODAI_E_NOT_FOUND, "input '%s': %s", path, strerror(errno));
    if (push_file(st, path) != ODAI_OK) return odai_calc_error(ctx, ODAI_E_NOMEM, "out of memory");
  }
  if (st->n_files == 0)
    return odai_calc_error(ctx, ODAI_E_NOT_FOUND, "no .jpg/.jpeg/.png images in '%s'", path);
  qsort(st->files, st->n_files, sizeof *st->files, cmp_str);
  return ODAI_OK;
}

static odai_status contract_common(odai_contract *c) {
  odai_contract_input_side(c, "INPUT_VIDEO_PATH", ODAI_TYPE_STRING, ODAI_PORT_OPTIONAL);
  odai_contract_input_side(c, "INPUT_FILE_PATH", ODAI_TYPE_STRING, ODAI_PORT_OPTIONAL);
  odai_contract_input_side(c, "INPUT_PATH", ODAI_TYPE_STRING, ODAI_PORT_OPTIONAL);
  odai_contract_output(c, "VIDEO", ODAI_TYPE_IMAGE, 0);
  odai_contract_output(c, "FILE_NAME", ODAI_TYPE_STRING, ODAI_PORT_OPTIONAL);
  odai_contract_output(c, "VIDEO_PRESTREAM", ODAI_TYPE_IMAGE_SIZE, ODAI_PORT_OPTIONAL);
  odai_contract_options(c, "odai.MediaSourceOptions");
  return ODAI_OK;
}

static const char *input_path(odai_calc_ctx *ctx) {
  const char *tags[] = {"INPUT_VIDEO_PATH", "INPUT_FILE_PATH", "INPUT_PATH"};
  for (int i = 0; i < 3; i++) {
    const char *s = NULL;
    const odai_packet *p = odai_calc_side_input(ctx, tags[i], 0);
    if (p && odai_packet_get_string(p, &s) == ODAI_OK && s && *s) return s;
  }
  return odai_options_get_string(odai_calc_options(ctx), "path", NULL);
}

static odai_status open_common(odai_calc_ctx *ctx, src_mode forced) {
  src_state *st = odai_calc_state(ctx);
  const odai_options *o = odai_calc_options(ctx);
  const char *path = input_path(ctx);
  if (!path || !*path)
    return odai_calc_error(ctx, ODAI_E_INVALID,
                           "no input: set the INPUT_VIDEO_PATH side packet (e.g. --side "
                           "input_video_path=FILE) or options { path }");
  const char *fmt = odai_options_get_string(o, "format", "RGB");
  st->format = odai_pixel_format_from_name(fmt);
  if (st->format == ODAI_PIXEL_UNKNOWN || st->format == ODAI_PIXEL_F32 || st->format == ODAI_PIXEL_F32C3)
    return odai_calc_error(ctx, ODAI_E_INVALID, "unknown pixel format '%s'", fmt);
  st->frame_rate = odai_options_get_double(o, "frame_rate", 30.0);
  if (!(st->frame_rate > 0)) st->frame_rate = 30.0;
  st->loop = odai_options_get_bool(o, "loop", false);
  st->max_frames = odai_options_get_int(o, "max_frames", 0);
  st->last_ts = -1;
  st->mode = forced != MODE_AUTO ? forced : detect_mode(path);
  odai_error e;
  switch (st->mode) {
  case MODE_IMAGES:
    return list_images(ctx, st, path);
  case MODE_CAMERA: {
    odai_camera_options co;
    odai_camera_options_default(&co);
    co.width = (uint32_t)odai_options_get_int(o, "width", 640);
    co.height = (uint32_t)odai_options_get_int(o, "height", 480);
    co.fps = odai_options_get_double(o, "fps", 30.0);
    co.reconnect = odai_options_get_bool(o, "reconnect", false);
    if (odai_camera_open(path, &co, &st->camera, &e) != ODAI_OK)
      return odai_calc_error(ctx, e.code, "%s", e.message);
    return ODAI_OK;
  }
  default: {
    odai_video_source_options vo;
    odai_video_source_options_default(&vo);
    vo.format = st->format;
    vo.drop_old_frames = odai_options_get_bool(o, "drop_old_frames", false);
    vo.realtime = odai_options_get_bool(o, "realtime", false);
    if (odai_video_source_open(path, &vo, &st->video, &e) != ODAI_OK)
      return odai_calc_error(ctx, e.code, "%s", e.message);
    return ODAI_OK;
  }
  }
}

static odai_status src_open_auto(odai_calc_ctx *ctx) { return open_common(ctx, MODE_AUTO); }
static odai_status src_open_camera(odai_calc_ctx *ctx) { return open_common(ctx, MODE_CAMERA); }
static odai_status src_open_images(odai_calc_ctx *ctx) { return open_common(ctx, MODE_IMAGES); }

static odai_status emit(odai_calc_ctx *ctx, src_state *st, odai_image *img, int64_t ts,
                        const char *file) {
  /* Timestamps must increase strictly per stream. */
  if (ts <= st->last_ts) ts = st->last_ts + 1;
  st->last_ts = ts;
  if (!st->sent_header && odai_calc_output_count(ctx, "VIDEO_PRESTREAM") > 0) {
    odai_calc_output(ctx, "VIDEO_PRESTREAM", 0,
                     odai_packet_new_image_size(odai_image_width(img), odai_image_height(img),
                                                ODAI_TS_PRESTREAM));
    odai_calc_close_output(ctx, "VIDEO_PRESTREAM", 0);
  }
  st->sent_header = true;
  if (odai_calc_output_count(ctx, "FILE_NAME") > 0) {
    const char *base = file ? strrchr(file, '/') : NULL;
    base = base ? base + 1 : (file ? file : "");
    odai_status s = odai_calc_output(ctx, "FILE_NAME", 0, odai_packet_new_string(base, ts));
    if (s != ODAI_OK) {
      odai_image_unref(img);
      return s;
    }
  }
  st->frames++;
  return odai_calc_output(ctx, "VIDEO", 0, odai_packet_new_image(img, ts));
}

static odai_status src_process(odai_calc_ctx *ctx) {
  src_state *st = odai_calc_state(ctx);
  if (st->max_frames > 0 && st->frames >= st->max_frames) return ODAI_E_EOF;
  odai_error e;
  odai_image *img = NULL;
  int64_t ts = 0;
  switch (st->mode) {
  case MODE_IMAGES: {
    if (st->next_file >= st->n_files) {
      if (!st->loop) return ODAI_E_EOF;
      st->next_file = 0;
    }
    const char *f = st->files[st->next_file];
    ts = (int64_t)((double)st->frames * 1e6 / st->frame_rate);
    st->next_file++;
    if (odai_image_read_file(f, st->format, &img, &e) != ODAI_OK)
      return odai_calc_error(ctx, e.code, "%s", e.message);
    return emit(ctx, st, img, ts, f);
  }
  case MODE_CAMERA: {
    odai_status s = odai_camera_read(st->camera, 2000, &img, &ts, &e);
    if (s == ODAI_E_TIMEOUT) return ODAI_OK; /* try again next call */
    if (s != ODAI_OK) return odai_calc_error(ctx, s, "%s", e.message);
    if (odai_image_format(img) != st->format) {
      odai_image *c = NULL;
      s = odai_image_convert(img, st->format, &c, &e);
      odai_image_unref(img);
      if (s != ODAI_OK) return odai_calc_error(ctx, s, "%s", e.message);
      img = c;
    }
    return emit(ctx, st, img, ts, NULL);
  }
  default: {
    odai_status s = odai_video_source_read(st->video, -1, &img, &ts, &e);
    if (s == ODAI_E_EOF) return ODAI_E_EOF;
    if (s != ODAI_OK) return odai_calc_error(ctx, s, "%s", e.message);
    if (ts < 0) ts = st->last_ts + 1;
    return emit(ctx, st, img, ts, NULL);
  }
  }
}

static odai_status src_close(odai_calc_ctx *ctx) {
  src_state *st = odai_calc_state(ctx);
  odai_video_source_close(st->video);
  odai_camera_close(st->camera);
  for (size_t i = 0; i < st->n_files; i++) free(st->files[i]);
  free(st->files);
  memset(st, 0, sizeof *st);
  return ODAI_OK;
}

#define SOURCE_DEF(var, name_, desc, open_fn)                                                    \
  const odai_calculator_def var = {.name = name_,                                                \
                                   .description = desc,                                          \
                                   .state_size = sizeof(src_state),                              \
                                   .contract = contract_common,                                  \
                                   .open = open_fn,                                              \
                                   .process = src_process,                                       \
                                   .close = src_close}

SOURCE_DEF(odai_calc_video_source, "VideoSourceCalculator",
           "frames from a video file/URL/pipeline (GStreamer), a camera or image files",
           src_open_auto);
SOURCE_DEF(odai_calc_opencv_video_decoder, "OpenCvVideoDecoderCalculator",
           "MediaPipe's name for VideoSourceCalculator (INPUT_FILE_PATH -> VIDEO)", src_open_auto);
SOURCE_DEF(odai_calc_camera_source, "CameraSourceCalculator",
           "frames from a V4L2 camera (/dev/videoN), MJPEG/YUYV/NV12", src_open_camera);
SOURCE_DEF(odai_calc_image_file_source, "ImageFileSourceCalculator",
           "frames from a JPEG/PNG file, a glob or a directory, at a given rate", src_open_images);
