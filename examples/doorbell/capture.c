/* examples/doorbell/capture.c: odai-doorbell's frame sources (capture.h):
 * odai_camera, odai_video_source or a sorted list of image files. */
#include "capture.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "odai/image_io.h"
#include "odai/video.h"

typedef enum { SRC_CAMERA, SRC_VIDEO, SRC_IMAGES } src_kind;

struct db_capture {
  src_kind kind;
  bool live;
  char *input;
  odai_camera *cam;
  odai_video_source *video;
  char **files;
  size_t nfiles, next;
  int64_t last_ts, offset; /* timestamps stay increasing across reopens */
  bool reopened;
};

static db_camera_open_fn g_open_camera = odai_camera_open;

void db_capture_set_camera_opener(db_camera_open_fn fn) { g_open_camera = fn ? fn : odai_camera_open; }

static bool image_name(const char *n) {
  const char *dot = strrchr(n, '.');
  return dot && (!strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg") || !strcasecmp(dot, ".png"));
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static odai_status list_dir(db_capture *c, const char *dir, odai_error *err) {
  DIR *d = opendir(dir);
  if (!d) return odai_error_set(err, ODAI_E_IO, "cannot open folder '%s'", dir);
  struct dirent *e;
  size_t cap = 0;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.' || !image_name(e->d_name)) continue;
    if (c->nfiles == cap) {
      size_t ncap = cap ? cap * 2 : 64;
      char **nf = realloc(c->files, ncap * sizeof *nf);
      if (!nf) goto oom;
      c->files = nf;
      cap = ncap;
    }
    size_t n = strlen(dir) + strlen(e->d_name) + 2;
    if (!(c->files[c->nfiles] = malloc(n))) goto oom;
    snprintf(c->files[c->nfiles++], n, "%s/%s", dir, e->d_name);
  }
  closedir(d);
  if (!c->nfiles) return odai_error_set(err, ODAI_E_NOT_FOUND, "no .jpg/.png images in '%s'", dir);
  qsort(c->files, c->nfiles, sizeof *c->files, cmp);
  return ODAI_OK;
oom:
  closedir(d);
  return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
}

static odai_status open_source(db_capture *c, odai_error *err) {
  if (c->kind == SRC_CAMERA) {
    odai_camera_options o;
    odai_camera_options_default(&o);
    o.width = 640;
    o.height = 480;
    o.fps = 30;
    return g_open_camera(c->input, &o, &c->cam, err);
  }
  odai_video_source_options o;
  odai_video_source_options_default(&o);
  o.format = ODAI_PIXEL_RGB8;
  o.drop_old_frames = c->live;
  return odai_video_source_open(c->input, &o, &c->video, err);
}

odai_status db_capture_open(const char *input, db_capture **out, odai_error *err) {
  *out = NULL;
  db_capture *c = calloc(1, sizeof *c);
  if (!c || !(c->input = strdup(input))) {
    free(c);
    return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  }
  c->last_ts = -1;
  struct stat sb;
  bool exists = stat(input, &sb) == 0;
  odai_status st;
  if (!strncmp(input, "/dev/video", 10) || (exists && S_ISCHR(sb.st_mode))) {
    c->kind = SRC_CAMERA;
    c->live = true;
    st = open_source(c, err);
  } else if (exists && S_ISDIR(sb.st_mode)) {
    c->kind = SRC_IMAGES;
    st = list_dir(c, input, err);
  } else {
    c->kind = SRC_VIDEO;
    c->live = !exists; /* URLs and pipelines */
    st = open_source(c, err);
  }
  if (st) {
    db_capture_close(c);
    return st;
  }
  *out = c;
  return ODAI_OK;
}

bool db_capture_live(const db_capture *c) { return c->live; }

odai_status db_capture_read(db_capture *c, int timeout_ms, odai_image **frame, int64_t *ts,
                            odai_error *err) {
  *frame = NULL;
  int64_t t = 0;
  odai_status st;
  switch (c->kind) {
    case SRC_CAMERA:
      if (!c->cam) return odai_error_set(err, ODAI_E_DEVICE_LOST, "%s: not open", c->input);
      st = odai_camera_read(c->cam, timeout_ms, frame, &t, err);
      break;
    case SRC_VIDEO:
      if (!c->video) return odai_error_set(err, ODAI_E_DEVICE_LOST, "%s: not open", c->input);
      st = odai_video_source_read(c->video, timeout_ms, frame, &t, err);
      if (st == ODAI_E_EOF && c->live) {
        /* keep GStreamer's reason ("The server closed the connection") */
        char why[ODAI_ERROR_MESSAGE_MAX];
        snprintf(why, sizeof why, "%s", err ? err->message : "");
        st = odai_error_set(err, ODAI_E_DEVICE_LOST, "%s: stream ended%s%s", c->input,
                            why[0] ? ": " : "", why);
      }
      break;
    default:
      if (c->next >= c->nfiles) return ODAI_E_EOF;
      t = (int64_t)c->next * 100000; /* folders play at 10 frames/s */
      st = odai_image_read_file(c->files[c->next++], ODAI_PIXEL_RGB8, frame, err);
      break;
  }
  if (st) return st;
  if (odai_image_format(*frame) != ODAI_PIXEL_RGB8) {
    /* cameras give YUYV/NV12/...: the detectors and the clip want RGB */
    odai_image *rgb = NULL;
    st = odai_image_convert(*frame, ODAI_PIXEL_RGB8, &rgb, err);
    odai_image_unref(*frame);
    *frame = rgb;
    if (st) return st;
  }
  if (t < 0) t = c->last_ts + 1;
  if (c->reopened) {
    /* a reopened stream may start its clock again */
    if (t + c->offset <= c->last_ts) c->offset = c->last_ts + 1 - t;
    c->reopened = false;
  }
  t += c->offset;
  if (t <= c->last_ts) t = c->last_ts + 1;
  c->last_ts = t;
  *ts = t;
  return ODAI_OK;
}

odai_status db_capture_reopen(db_capture *c, odai_error *err) {
  if (!c->live) return odai_error_set(err, ODAI_E_UNSUPPORTED, "%s: not a live source", c->input);
  odai_status st;
  if (c->kind == SRC_CAMERA && c->cam) {
    st = odai_camera_reopen(c->cam, err);
  } else {
    odai_video_source_close(c->video);
    c->video = NULL;
    st = open_source(c, err);
  }
  if (!st) c->reopened = true;
  return st;
}

void db_capture_close(db_capture *c) {
  if (!c) return;
  odai_camera_close(c->cam);
  odai_video_source_close(c->video);
  for (size_t i = 0; i < c->nfiles; i++) free(c->files[i]);
  free(c->files);
  free(c->input);
  free(c);
}
