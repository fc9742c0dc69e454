/* io/v4l2_camera.c: odai_camera, V4L2 capture through libv4l2 (io/ layer).
 * Enumerates and negotiates a mode, streams with mmap buffers that are handed
 * out as zero-copy odai_images (re-queued on release), decodes MJPEG with
 * TurboJPEG, and turns an unplugged device into ODAI_E_DEVICE_LOST/reconnect.
 * All device calls go through an odai_v4l2_ops table (io/v4l2_ops.h). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <libv4l2.h>
#include <linux/videodev2.h>
#include <turbojpeg.h>

#include "odai/camera.h"
#include "v4l2_ops.h"

#define CAM_MAX_BUFFERS 32

/* ---- default ops: libv4l2 ------------------------------------------------ */

static int lib_open(void *ctx, const char *path, int flags) {
  (void)ctx;
  return v4l2_open(path, flags);
}
static int lib_close(void *ctx, int fd) {
  (void)ctx;
  return v4l2_close(fd);
}
static int lib_ioctl(void *ctx, int fd, unsigned long request, void *arg) {
  (void)ctx;
  return v4l2_ioctl(fd, request, arg);
}
static void *lib_mmap(void *ctx, void *addr, size_t length, int prot, int flags, int fd,
                      int64_t offset) {
  (void)ctx;
  return v4l2_mmap(addr, length, prot, flags, fd, offset);
}
static int lib_munmap(void *ctx, void *addr, size_t length) {
  (void)ctx;
  return v4l2_munmap(addr, length);
}
static int lib_poll(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms) {
  (void)ctx;
  return poll(fds, nfds, timeout_ms);
}

static const odai_v4l2_ops libv4l2_ops = {NULL,     lib_open,   lib_close, lib_ioctl,
                                          lib_mmap, lib_munmap, lib_poll};

const odai_v4l2_ops *odai_v4l2_default_ops(void) { return &libv4l2_ops; }

/* ---- one open of the device ----------------------------------------------- */

typedef struct cam_stream cam_stream;

typedef struct cam_buf {
  void *start;
  size_t length;
  int held;          /* handed out zero-copy, not yet released */
  cam_stream *owner; /* back pointer for the release callback */
  unsigned index;
} cam_buf;

/* Shared by the camera and every zero-copy frame it handed out; freed (stream
 * off, munmap, close) when the last of them lets go. `lock` guards fd calls
 * that can race with releases (QBUF, DQBUF, STREAMOFF), `stopped`, `held` and
 * `outstanding`. */
struct cam_stream {
  atomic_int refs;
  pthread_mutex_t lock;
  const odai_v4l2_ops *ops;
  int fd;
  int stopped; /* device lost or camera closed: no more QBUF */
  unsigned nbuf;
  unsigned outstanding;
  cam_buf buf[CAM_MAX_BUFFERS];
};

static int xioctl(const odai_v4l2_ops *ops, int fd, unsigned long req, void *arg) {
  int r;
  do {
    r = ops->ioctl(ops->ctx, fd, req, arg);
  } while (r < 0 && errno == EINTR);
  return r;
}

static void stream_unref(cam_stream *s) {
  if (!s || atomic_fetch_sub(&s->refs, 1) != 1) return;
  if (s->fd >= 0) {
    enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    xioctl(s->ops, s->fd, VIDIOC_STREAMOFF, &type);
    for (unsigned i = 0; i < s->nbuf; i++)
      if (s->buf[i].start) s->ops->munmap(s->ops->ctx, s->buf[i].start, s->buf[i].length);
    if (s->nbuf) {
      struct v4l2_requestbuffers rb = {0};
      rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
      rb.memory = V4L2_MEMORY_MMAP;
      xioctl(s->ops, s->fd, VIDIOC_REQBUFS, &rb);
    }
    s->ops->close(s->ops->ctx, s->fd);
  }
  pthread_mutex_destroy(&s->lock);
  free(s);
}

/* Stop further QBUFs (device gone or camera closing). */
static void stream_stop(cam_stream *s, int streamoff) {
  pthread_mutex_lock(&s->lock);
  if (!s->stopped && streamoff) {
    enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    xioctl(s->ops, s->fd, VIDIOC_STREAMOFF, &type);
  }
  s->stopped = 1;
  pthread_mutex_unlock(&s->lock);
}

static int queue_buffer_locked(cam_stream *s, unsigned index) {
  struct v4l2_buffer b = {0};
  b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  b.memory = V4L2_MEMORY_MMAP;
  b.index = index;
  return xioctl(s->ops, s->fd, VIDIOC_QBUF, &b);
}

/* odai_image release callback of a zero-copy frame: give the buffer back. */
static void frame_release(void *user) {
  cam_buf *b = user;
  cam_stream *s = b->owner;
  pthread_mutex_lock(&s->lock);
  b->held = 0;
  s->outstanding--;
  if (!s->stopped) queue_buffer_locked(s, b->index); /* failure: device gone, read() reports it */
  pthread_mutex_unlock(&s->lock);
  stream_unref(s);
}

/* ---- the camera ---------------------------------------------------------- */

struct odai_camera {
  char *path;
  odai_camera_options opt;
  const odai_v4l2_ops *ops;
  cam_stream *stream; /* NULL while the device is lost */
  odai_camera_mode *modes;
  size_t nmodes;
  odai_camera_mode granted;
  uint32_t bytesperline, sizeimage;
  size_t frame_bytes; /* raw formats: bytes a complete frame fills */
  tjhandle tj;
  odai_image_pool *pool; /* MJPEG decodes and copies */
  uint64_t frames, copied, corrupt, reconnects;
};

void odai_camera_options_default(odai_camera_options *o) {
  memset(o, 0, sizeof *o);
  o->fourcc = ODAI_CAMERA_ANY;
  o->num_buffers = 4;
  o->reconnect_timeout_ms = 10000;
}

static const char *fourcc_str(uint32_t f, char buf[5]) {
  for (int i = 0; i < 4; i++) {
    char c = (char)((f >> (8 * i)) & 0xff);
    buf[i] = (c >= 32 && c < 127) ? c : '?';
  }
  buf[4] = 0;
  return buf;
}

/* The odai pixel format a raw fourcc is handed out as (MJPEG: decoded to RGB8). */
static odai_pixel_format pixel_format_of(uint32_t f) {
  switch (f) {
  case V4L2_PIX_FMT_YUYV: return ODAI_PIXEL_YUYV;
  case V4L2_PIX_FMT_NV12: return ODAI_PIXEL_NV12;
  case V4L2_PIX_FMT_RGB24: return ODAI_PIXEL_RGB8;
  case V4L2_PIX_FMT_BGR24: return ODAI_PIXEL_BGR8;
  case V4L2_PIX_FMT_GREY: return ODAI_PIXEL_GRAY8;
  case V4L2_PIX_FMT_MJPEG: return ODAI_PIXEL_RGB8;
  default: return ODAI_PIXEL_UNKNOWN;
  }
}

static int fourcc_supported(uint32_t f) { return pixel_format_of(f) != ODAI_PIXEL_UNKNOWN; }

/* Tie-break: the device's own cheap formats first; RGB3/BGR3 are usually
 * libv4l2's software conversions of another format, so they come after;
 * GREY last, so that a colour camera is not read as grey by accident. */
static int fourcc_rank(uint32_t f) {
  switch (f) {
  case V4L2_PIX_FMT_YUYV: return 0;
  case V4L2_PIX_FMT_NV12: return 1;
  case V4L2_PIX_FMT_MJPEG: return 2;
  case V4L2_PIX_FMT_RGB24: return 3;
  case V4L2_PIX_FMT_BGR24: return 4;
  default: return 5;
  }
}

static odai_status add_mode(odai_camera *cam, size_t *cap, uint32_t fourcc, uint32_t w, uint32_t h,
                            uint32_t num, uint32_t den) {
  if (cam->nmodes == *cap) {
    size_t ncap = *cap ? *cap * 2 : 32;
    odai_camera_mode *m = realloc(cam->modes, ncap * sizeof *m);
    if (!m) return ODAI_E_NOMEM;
    cam->modes = m;
    *cap = ncap;
  }
  odai_camera_mode *m = &cam->modes[cam->nmodes++];
  m->fourcc = fourcc;
  m->width = w;
  m->height = h;
  m->fps_num = num;
  m->fps_den = den ? den : 1;
  return ODAI_OK;
}

/* Rates for one (format, size): discrete intervals, or min/max of a range. */
static odai_status enum_intervals(odai_camera *cam, int fd, size_t *cap, uint32_t f, uint32_t w,
                                  uint32_t h) {
  odai_status st = ODAI_OK;
  int any = 0;
  for (uint32_t i = 0; i < 256; i++) {
    struct v4l2_frmivalenum fi = {0};
    fi.index = i;
    fi.pixel_format = f;
    fi.width = w;
    fi.height = h;
    if (xioctl(cam->ops, fd, VIDIOC_ENUM_FRAMEINTERVALS, &fi) < 0) break;
    any = 1;
    if (fi.type == V4L2_FRMIVAL_TYPE_DISCRETE) {
      /* interval num/den seconds -> fps den/num */
      if (fi.discrete.numerator == 0) continue;
      st = add_mode(cam, cap, f, w, h, fi.discrete.denominator, fi.discrete.numerator);
    } else {
      /* A range of intervals: its ends, and the requested rate if inside. */
      const struct v4l2_fract *mn = &fi.stepwise.min, *mx = &fi.stepwise.max;
      if (mn->numerator && mx->numerator) {
        st = add_mode(cam, cap, f, w, h, mn->denominator, mn->numerator);
        if (st == ODAI_OK) st = add_mode(cam, cap, f, w, h, mx->denominator, mx->numerator);
        double fast = (double)mn->denominator / mn->numerator;
        double slow = (double)mx->denominator / mx->numerator;
        double want = cam->opt.fps;
        if (st == ODAI_OK && want > slow && want < fast)
          st = add_mode(cam, cap, f, w, h, (uint32_t)(want * 1000 + 0.5), 1000);
      }
      break;
    }
    if (st != ODAI_OK) return st;
  }
  if (!any) st = add_mode(cam, cap, f, w, h, 0, 1); /* rate unknown */
  return st;
}

static uint32_t clamp_step(uint32_t v, uint32_t lo, uint32_t hi, uint32_t step) {
  if (v < lo) v = lo;
  if (v > hi) v = hi;
  if (step > 1) v = lo + (v - lo) / step * step;
  return v;
}

static odai_status enumerate_modes(odai_camera *cam, int fd, uint32_t cur_w, uint32_t cur_h,
                                   odai_error *err) {
  size_t cap = 0;
  odai_status st = ODAI_OK;
  free(cam->modes);
  cam->modes = NULL;
  cam->nmodes = 0;
  for (uint32_t fi = 0; fi < 64; fi++) {
    struct v4l2_fmtdesc fd_ = {0};
    fd_.index = fi;
    fd_.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    if (xioctl(cam->ops, fd, VIDIOC_ENUM_FMT, &fd_) < 0) break;
    if (!fourcc_supported(fd_.pixelformat)) continue;
    int sizes = 0;
    for (uint32_t si = 0; si < 256; si++) {
      struct v4l2_frmsizeenum fs = {0};
      fs.index = si;
      fs.pixel_format = fd_.pixelformat;
      if (xioctl(cam->ops, fd, VIDIOC_ENUM_FRAMESIZES, &fs) < 0) break;
      sizes++;
      if (fs.type == V4L2_FRMSIZE_TYPE_DISCRETE) {
        st = enum_intervals(cam, fd, &cap, fd_.pixelformat, fs.discrete.width, fs.discrete.height);
      } else {
        /* A range: offer its ends and the point nearest the request. */
        const struct v4l2_frmsize_stepwise *sw = &fs.stepwise;
        uint32_t rw = cam->opt.width ? cam->opt.width : cur_w;
        uint32_t rh = cam->opt.height ? cam->opt.height : cur_h;
        st = enum_intervals(cam, fd, &cap, fd_.pixelformat, sw->min_width, sw->min_height);
        if (st == ODAI_OK)
          st = enum_intervals(cam, fd, &cap, fd_.pixelformat, sw->max_width, sw->max_height);
        if (st == ODAI_OK && rw && rh)
          st = enum_intervals(cam, fd, &cap, fd_.pixelformat,
                              clamp_step(rw, sw->min_width, sw->max_width, sw->step_width),
                              clamp_step(rh, sw->min_height, sw->max_height, sw->step_height));
        break;
      }
      if (st != ODAI_OK) break;
    }
    if (st == ODAI_OK && sizes == 0 && cur_w && cur_h) /* no FRAMESIZES: current size only */
      st = add_mode(cam, &cap, fd_.pixelformat, cur_w, cur_h, 0, 1);
    if (st != ODAI_OK) break;
  }
  if (st != ODAI_OK) return odai_error_set(err, st, "camera %s: out of memory", cam->path);
  if (cam->nmodes == 0)
    return odai_error_set(err, ODAI_E_UNSUPPORTED,
                          "camera %s: offers none of the pixel formats odai reads (YUYV, MJPG, NV12, RGB3, BGR3, GREY)",
                          cam->path);
  return ODAI_OK;
}

static double mode_fps(const odai_camera_mode *m) {
  return m->fps_den ? (double)m->fps_num / m->fps_den : 0.0;
}

/* Pick the closest mode: size, then rate, then format rank. */
static const odai_camera_mode *choose_mode(const odai_camera *cam, uint32_t rw, uint32_t rh,
                                           double rfps) {
  const odai_camera_mode *best = NULL;
  double best_size = 0, best_fps = 0;
  int best_rank = 0;
  for (size_t i = 0; i < cam->nmodes; i++) {
    const odai_camera_mode *m = &cam->modes[i];
    if (cam->opt.fourcc != ODAI_CAMERA_ANY && m->fourcc != cam->opt.fourcc) continue;
    double ds = (rw && rh) ? fabs((double)m->width - rw) + fabs((double)m->height - rh) : 0;
    /* rfps 0: prefer the fastest rate. Slightly favour rates >= request. */
    double f = mode_fps(m);
    double dfps = rfps > 0 ? fabs(f - rfps) + (f < rfps ? 0.001 : 0) : -f;
    int rank = fourcc_rank(m->fourcc);
    if (!best || ds < best_size || (ds == best_size && dfps < best_fps) ||
        (ds == best_size && dfps == best_fps && rank < best_rank)) {
      best = m;
      best_size = ds;
      best_fps = dfps;
      best_rank = rank;
    }
  }
  return best;
}

static odai_status errno_status(int e) {
  return (e == ENODEV || e == ENXIO || e == EIO) ? ODAI_E_DEVICE_LOST : ODAI_E_IO;
}

/* Open the device, negotiate, map and queue the buffers, stream on. */
static odai_status open_stream(odai_camera *cam, odai_error *err) {
  const odai_v4l2_ops *ops = cam->ops;
  odai_status st;
  char fcc[5];
  cam_stream *s = calloc(1, sizeof *s);
  if (!s) return odai_error_set(err, ODAI_E_NOMEM, "camera %s: out of memory", cam->path);
  atomic_init(&s->refs, 1);
  pthread_mutex_init(&s->lock, NULL);
  s->ops = ops;
  s->fd = ops->open(ops->ctx, cam->path, O_RDWR | O_NONBLOCK);
  if (s->fd < 0) {
    int e = errno;
    st = (e == ENOENT) ? ODAI_E_NOT_FOUND : errno_status(e);
    odai_error_set(err, st, "camera %s: cannot open: %s", cam->path, strerror(e));
    goto fail;
  }

  struct v4l2_capability qc = {0};
  if (xioctl(ops, s->fd, VIDIOC_QUERYCAP, &qc) < 0) {
    int e = errno;
    st = odai_error_set(err, e == ENOTTY ? ODAI_E_UNSUPPORTED : errno_status(e),
                        "camera %s: VIDIOC_QUERYCAP failed: %s (not a V4L2 device?)", cam->path,
                        strerror(e));
    goto fail;
  }
  uint32_t caps = (qc.capabilities & V4L2_CAP_DEVICE_CAPS) ? qc.device_caps : qc.capabilities;
  if (!(caps & V4L2_CAP_VIDEO_CAPTURE) || !(caps & V4L2_CAP_STREAMING)) {
    st = odai_error_set(err, ODAI_E_UNSUPPORTED,
                        "camera %s (%.32s): not a streaming video capture device", cam->path,
                        (const char *)qc.card);
    goto fail;
  }

  struct v4l2_format cur = {0};
  cur.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  if (xioctl(ops, s->fd, VIDIOC_G_FMT, &cur) < 0) memset(&cur.fmt, 0, sizeof cur.fmt);
  double cur_fps = 0;
  struct v4l2_streamparm parm = {0};
  parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  if (xioctl(ops, s->fd, VIDIOC_G_PARM, &parm) == 0 && parm.parm.capture.timeperframe.numerator)
    cur_fps = (double)parm.parm.capture.timeperframe.denominator /
              parm.parm.capture.timeperframe.numerator;

  if ((st = enumerate_modes(cam, s->fd, cur.fmt.pix.width, cur.fmt.pix.height, err)) != ODAI_OK)
    goto fail;
  uint32_t rw = cam->opt.width ? cam->opt.width : cur.fmt.pix.width;
  uint32_t rh = cam->opt.height ? cam->opt.height : cur.fmt.pix.height;
  double rfps = cam->opt.fps > 0 ? cam->opt.fps : cur_fps;
  const odai_camera_mode *want = choose_mode(cam, rw, rh, rfps);
  if (!want) {
    st = odai_error_set(err, ODAI_E_UNSUPPORTED, "camera %s: does not offer pixel format %s",
                        cam->path, fourcc_str(cam->opt.fourcc, fcc));
    goto fail;
  }

  struct v4l2_format fmt = {0};
  fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  fmt.fmt.pix.width = want->width;
  fmt.fmt.pix.height = want->height;
  fmt.fmt.pix.pixelformat = want->fourcc;
  fmt.fmt.pix.field = V4L2_FIELD_ANY;
  if (xioctl(ops, s->fd, VIDIOC_S_FMT, &fmt) < 0) {
    int e = errno;
    st = odai_error_set(err, errno_status(e), "camera %s: VIDIOC_S_FMT %s %ux%u failed: %s",
                        cam->path, fourcc_str(want->fourcc, fcc), want->width, want->height,
                        strerror(e));
    goto fail;
  }
  if (!fourcc_supported(fmt.fmt.pix.pixelformat) || fmt.fmt.pix.width == 0 ||
      fmt.fmt.pix.height == 0 || fmt.fmt.pix.width > ODAI_IMAGE_MAX_DIM ||
      fmt.fmt.pix.height > ODAI_IMAGE_MAX_DIM) {
    st = odai_error_set(err, ODAI_E_UNSUPPORTED, "camera %s: driver granted %s %ux%u instead",
                        cam->path, fourcc_str(fmt.fmt.pix.pixelformat, fcc), fmt.fmt.pix.width,
                        fmt.fmt.pix.height);
    goto fail;
  }
  cam->granted.fourcc = fmt.fmt.pix.pixelformat;
  cam->granted.width = fmt.fmt.pix.width;
  cam->granted.height = fmt.fmt.pix.height;
  cam->granted.fps_num = want->fps_num;
  cam->granted.fps_den = want->fps_den;
  {
    odai_pixel_format pf = pixel_format_of(fmt.fmt.pix.pixelformat);
    size_t row = (size_t)fmt.fmt.pix.width *
                 (fmt.fmt.pix.pixelformat == V4L2_PIX_FMT_MJPEG ? 1 : (size_t)odai_pixel_format_bpp(pf));
    cam->bytesperline = fmt.fmt.pix.bytesperline >= row ? fmt.fmt.pix.bytesperline : (uint32_t)row;
  }
  cam->sizeimage = fmt.fmt.pix.sizeimage;

  /* Frame rate: S_PARM with the chosen interval; read back what was granted. */
  memset(&parm, 0, sizeof parm);
  parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  if (want->fps_num && xioctl(ops, s->fd, VIDIOC_G_PARM, &parm) == 0 &&
      (parm.parm.capture.capability & V4L2_CAP_TIMEPERFRAME)) {
    parm.parm.capture.timeperframe.numerator = want->fps_den;
    parm.parm.capture.timeperframe.denominator = want->fps_num;
    if (xioctl(ops, s->fd, VIDIOC_S_PARM, &parm) == 0 &&
        parm.parm.capture.timeperframe.numerator) {
      cam->granted.fps_num = parm.parm.capture.timeperframe.denominator;
      cam->granted.fps_den = parm.parm.capture.timeperframe.numerator;
    }
  }

  struct v4l2_requestbuffers rb = {0};
  rb.count = cam->opt.num_buffers;
  rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  rb.memory = V4L2_MEMORY_MMAP;
  if (xioctl(ops, s->fd, VIDIOC_REQBUFS, &rb) < 0) {
    int e = errno;
    st = odai_error_set(err, errno_status(e), "camera %s: VIDIOC_REQBUFS(%u, mmap) failed: %s",
                        cam->path, cam->opt.num_buffers, strerror(e));
    goto fail;
  }
  if (rb.count < 2) {
    st = odai_error_set(err, ODAI_E_IO, "camera %s: driver granted only %u buffer(s)", cam->path,
                        rb.count);
    goto fail;
  }
  s->nbuf = rb.count > CAM_MAX_BUFFERS ? CAM_MAX_BUFFERS : rb.count;
  for (unsigned i = 0; i < s->nbuf; i++) {
    struct v4l2_buffer b = {0};
    b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    b.memory = V4L2_MEMORY_MMAP;
    b.index = i;
    if (xioctl(ops, s->fd, VIDIOC_QUERYBUF, &b) < 0) {
      int e = errno;
      st = odai_error_set(err, errno_status(e), "camera %s: VIDIOC_QUERYBUF %u failed: %s",
                          cam->path, i, strerror(e));
      goto fail;
    }
    void *p = ops->mmap(ops->ctx, NULL, b.length, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd,
                        b.m.offset);
    if (p == MAP_FAILED) {
      int e = errno;
      st = odai_error_set(err, ODAI_E_IO, "camera %s: mmap of buffer %u (%u bytes) failed: %s",
                          cam->path, i, b.length, strerror(e));
      goto fail;
    }
    s->buf[i].start = p;
    s->buf[i].length = b.length;
    s->buf[i].owner = s;
    s->buf[i].index = i;
  }
  if (cam->granted.fourcc != V4L2_PIX_FMT_MJPEG) {
    size_t need = (size_t)cam->bytesperline * cam->granted.height;
    if (cam->granted.fourcc == V4L2_PIX_FMT_NV12) need += need / 2;
    cam->frame_bytes = need;
    if (s->buf[0].length < need) {
      st = odai_error_set(err, ODAI_E_IO, "camera %s: buffers of %zu bytes, %zu needed", cam->path,
                          s->buf[0].length, need);
      goto fail;
    }
  }
  for (unsigned i = 0; i < s->nbuf; i++) {
    if (queue_buffer_locked(s, i) < 0) {
      int e = errno;
      st = odai_error_set(err, errno_status(e), "camera %s: VIDIOC_QBUF failed: %s", cam->path,
                          strerror(e));
      goto fail;
    }
  }
  enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  if (xioctl(ops, s->fd, VIDIOC_STREAMON, &type) < 0) {
    int e = errno;
    st = odai_error_set(err, errno_status(e), "camera %s: VIDIOC_STREAMON failed: %s", cam->path,
                        strerror(e));
    goto fail;
  }
  cam->stream = s;
  return ODAI_OK;
fail:
  stream_unref(s);
  return st;
}

odai_status odai_camera_open_with_ops(const char *path, const odai_camera_options *options,
                                      const odai_v4l2_ops *ops, odai_camera **out, odai_error *err) {
  if (!path || !out) return odai_error_set(err, ODAI_E_INVALID, "camera: path and out required");
  *out = NULL;
  odai_camera *cam = calloc(1, sizeof *cam);
  odai_status st;
  if (!cam) return odai_error_set(err, ODAI_E_NOMEM, "camera %s: out of memory", path);
  if (options)
    cam->opt = *options;
  else
    odai_camera_options_default(&cam->opt);
  if (cam->opt.num_buffers < 2) cam->opt.num_buffers = 2;
  if (cam->opt.num_buffers > CAM_MAX_BUFFERS) cam->opt.num_buffers = CAM_MAX_BUFFERS;
  if (cam->opt.reconnect_timeout_ms <= 0) cam->opt.reconnect_timeout_ms = 10000;
  cam->ops = ops ? ops : &libv4l2_ops;
  cam->path = strdup(path);
  if (!cam->path) {
    st = odai_error_set(err, ODAI_E_NOMEM, "camera %s: out of memory", path);
    goto fail;
  }
  if ((st = odai_image_pool_create(0, &cam->pool)) != ODAI_OK) {
    odai_error_set(err, st, "camera %s: cannot create image pool", path);
    goto fail;
  }
  if ((st = open_stream(cam, err)) != ODAI_OK) goto fail;
  *out = cam;
  return ODAI_OK;
fail:
  odai_camera_close(cam);
  return st;
}

odai_status odai_camera_open(const char *path, const odai_camera_options *options, odai_camera **out,
                             odai_error *err) {
  return odai_camera_open_with_ops(path, options, NULL, out, err);
}

const odai_camera_mode *odai_camera_modes(const odai_camera *cam, size_t *count) {
  if (count) *count = cam ? cam->nmodes : 0;
  return cam ? cam->modes : NULL;
}

odai_camera_mode odai_camera_mode_granted(const odai_camera *cam) { return cam->granted; }

const char *odai_camera_path(const odai_camera *cam) { return cam->path; }

void odai_camera_get_stats(const odai_camera *cam, odai_camera_stats *st) {
  memset(st, 0, sizeof *st);
  st->frames = cam->frames;
  st->copied = cam->copied;
  st->corrupt_dropped = cam->corrupt;
  st->reconnects = cam->reconnects;
  if (cam->stream) {
    pthread_mutex_lock(&cam->stream->lock);
    st->outstanding = cam->stream->outstanding;
    pthread_mutex_unlock(&cam->stream->lock);
  }
}

void odai_camera_close(odai_camera *cam) {
  if (!cam) return;
  if (cam->stream) {
    stream_stop(cam->stream, 1);
    stream_unref(cam->stream);
  }
  if (cam->tj) tjDestroy(cam->tj);
  odai_image_pool_destroy(cam->pool);
  free(cam->modes);
  free(cam->path);
  free(cam);
}

static void drop_stream(odai_camera *cam) {
  if (!cam->stream) return;
  stream_stop(cam->stream, 0);
  stream_unref(cam->stream);
  cam->stream = NULL;
}

odai_status odai_camera_reopen(odai_camera *cam, odai_error *err) {
  if (!cam) return odai_error_set(err, ODAI_E_INVALID, "camera: NULL");
  int had = cam->stream != NULL;
  if (cam->stream) {
    stream_stop(cam->stream, 1);
    stream_unref(cam->stream);
    cam->stream = NULL;
  }
  odai_status st = open_stream(cam, err);
  if (st == ODAI_OK && !had) cam->reconnects++;
  return st;
}

static int64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
  }
}

/* Reopen with backoff 100 ms, 200 ms, ... 2 s, for up to reconnect_timeout_ms. */
static odai_status reconnect(odai_camera *cam, odai_error *err) {
  int64_t deadline = now_us() + (int64_t)cam->opt.reconnect_timeout_ms * 1000;
  int delay = 100;
  odai_error last = {0};
  for (;;) {
    if (odai_camera_reopen(cam, &last) == ODAI_OK) return ODAI_OK;
    int64_t left = (deadline - now_us()) / 1000;
    if (left <= 0) break;
    sleep_ms(delay < left ? delay : (int)left);
    delay = delay * 2 > 2000 ? 2000 : delay * 2;
  }
  return odai_error_set(err, ODAI_E_DEVICE_LOST,
                        "camera %s: device lost; no reconnect within %d ms (last: %s)", cam->path,
                        cam->opt.reconnect_timeout_ms, last.message);
}

static odai_status lost(odai_camera *cam, const char *what, int e, odai_error *err) {
  drop_stream(cam);
  return odai_error_set(err, ODAI_E_DEVICE_LOST, "camera %s: device lost (%s: %s)", cam->path, what,
                        strerror(e));
}

/* Copy the packed/NV12 frame in buffer `b` into a pooled image. */
static odai_status copy_frame(odai_camera *cam, const uint8_t *src, odai_pixel_format pf,
                              odai_image **out) {
  int w = (int)cam->granted.width, h = (int)cam->granted.height;
  odai_image *img = NULL;
  odai_status st = odai_image_pool_acquire(cam->pool, w, h, pf, &img);
  if (st != ODAI_OK) return st;
  int planes = odai_pixel_format_planes(pf);
  const uint8_t *p = src;
  for (int pl = 0; pl < planes; pl++) {
    int pw, ph;
    size_t row;
    odai_pixel_format_plane_size(pf, w, h, pl, &pw, &ph, &row);
    uint8_t *d = odai_image_data(img, pl);
    int ds = odai_image_stride(img, pl);
    for (int y = 0; y < ph; y++) memcpy(d + (size_t)y * ds, p + (size_t)y * cam->bytesperline, row);
    p += (size_t)cam->bytesperline * ph;
  }
  *out = img;
  return ODAI_OK;
}

/* A frame cut short on the bus has no EOI marker; libjpeg would only warn
 * and fill the rest with grey, so such frames are dropped here. UVC frames
 * may carry zero padding after the EOI. */
static int has_eoi(const uint8_t *p, size_t n) {
  size_t lo = n > 4096 ? n - 4096 : 0;
  while (n > lo + 1 && p[n - 1] == 0) n--;
  for (size_t i = n; i > lo + 1; i--)
    if (p[i - 2] == 0xFF && p[i - 1] == 0xD9) return 1;
  return 0;
}

static odai_status decode_mjpeg(odai_camera *cam, const uint8_t *src, size_t n, odai_image **out) {
  if (n < 4 || !has_eoi(src, n)) return ODAI_E_CORRUPT;
  if (!cam->tj && !(cam->tj = tjInitDecompress())) return ODAI_E_NOMEM;
  int w, h, sub, cs;
  if (n == 0 || tjDecompressHeader3(cam->tj, src, (unsigned long)n, &w, &h, &sub, &cs) < 0)
    return ODAI_E_CORRUPT;
  if (w <= 0 || h <= 0 || w > ODAI_IMAGE_MAX_DIM || h > ODAI_IMAGE_MAX_DIM) return ODAI_E_CORRUPT;
  odai_image *img = NULL;
  odai_status st = odai_image_pool_acquire(cam->pool, w, h, ODAI_PIXEL_RGB8, &img);
  if (st != ODAI_OK) return st;
  if (tjDecompress2(cam->tj, src, (unsigned long)n, odai_image_data(img, 0), w,
                    odai_image_stride(img, 0), h, TJPF_RGB, TJFLAG_FASTDCT) < 0 &&
      tjGetErrorCode(cam->tj) != TJERR_WARNING) {
    odai_image_unref(img);
    return ODAI_E_CORRUPT;
  }
  *out = img;
  return ODAI_OK;
}

odai_status odai_camera_read(odai_camera *cam, int timeout_ms, odai_image **frame,
                             int64_t *timestamp_us, odai_error *err) {
  if (!cam || !frame) return odai_error_set(err, ODAI_E_INVALID, "camera: NULL argument");
  *frame = NULL;
  int64_t deadline = timeout_ms < 0 ? -1 : now_us() + (int64_t)timeout_ms * 1000;
  for (;;) {
    if (!cam->stream) {
      if (!cam->opt.reconnect)
        return odai_error_set(err, ODAI_E_DEVICE_LOST, "camera %s: device lost (not reopened)",
                              cam->path);
      odai_status st = reconnect(cam, err);
      if (st != ODAI_OK) return st;
    }
    cam_stream *s = cam->stream;
    int wait = -1;
    if (deadline >= 0) {
      int64_t left = deadline - now_us();
      wait = left <= 0 ? 0 : (int)((left + 999) / 1000);
    }
    struct pollfd pfd = {s->fd, POLLIN, 0};
    int r = cam->ops->poll(cam->ops->ctx, &pfd, 1, wait);
    if (r < 0) {
      int e = errno;
      if (e == EINTR) continue;
      return odai_error_set(err, ODAI_E_IO, "camera %s: poll failed: %s", cam->path, strerror(e));
    }
    if (r == 0) {
      return odai_error_set(err, ODAI_E_TIMEOUT, "camera %s: no frame within %d ms", cam->path,
                            timeout_ms);
    }
    if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) {
      odai_status st = lost(cam, "poll", ENODEV, err);
      if (cam->opt.reconnect) continue;
      return st;
    }

    struct v4l2_buffer b = {0};
    b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    b.memory = V4L2_MEMORY_MMAP;
    pthread_mutex_lock(&s->lock);
    r = xioctl(cam->ops, s->fd, VIDIOC_DQBUF, &b);
    int e = errno;
    pthread_mutex_unlock(&s->lock);
    if (r < 0) {
      if (e == EAGAIN) {
        if (deadline >= 0 && now_us() >= deadline)
          return odai_error_set(err, ODAI_E_TIMEOUT, "camera %s: no frame within %d ms", cam->path,
                                timeout_ms);
        continue;
      }
      if (errno_status(e) == ODAI_E_DEVICE_LOST) {
        odai_status st = lost(cam, "VIDIOC_DQBUF", e, err);
        if (cam->opt.reconnect) continue;
        return st;
      }
      return odai_error_set(err, ODAI_E_IO, "camera %s: VIDIOC_DQBUF failed: %s", cam->path,
                            strerror(e));
    }
    if (b.index >= s->nbuf) {
      return odai_error_set(err, ODAI_E_IO, "camera %s: driver returned buffer index %u of %u",
                            cam->path, b.index, s->nbuf);
    }
    int64_t ts = (int64_t)b.timestamp.tv_sec * 1000000 + b.timestamp.tv_usec;
    if (ts == 0) ts = now_us();
    cam_buf *cb = &s->buf[b.index];
    size_t used = b.bytesused ? b.bytesused : cb->length;
    if (used > cb->length) used = cb->length;
    odai_status st;
    odai_image *img = NULL;

    /* A frame the driver flags as damaged, or a raw frame cut short on the
     * bus (bytesused below a full frame), is dropped like a corrupt JPEG. */
    int damaged = (b.flags & V4L2_BUF_FLAG_ERROR) ||
                  (cam->granted.fourcc != V4L2_PIX_FMT_MJPEG && b.bytesused &&
                   b.bytesused < cam->frame_bytes);
    if (cam->granted.fourcc == V4L2_PIX_FMT_MJPEG || damaged) {
      st = damaged ? ODAI_E_CORRUPT : decode_mjpeg(cam, cb->start, used, &img);
      pthread_mutex_lock(&s->lock);
      queue_buffer_locked(s, b.index);
      pthread_mutex_unlock(&s->lock);
      if (st == ODAI_E_CORRUPT) {
        cam->corrupt++;
        continue;
      }
      if (st != ODAI_OK)
        return odai_error_set(err, st, "camera %s: cannot decode MJPEG frame: %s", cam->path,
                              odai_status_str(st));
    } else {
      odai_pixel_format pf = pixel_format_of(cam->granted.fourcc);
      pthread_mutex_lock(&s->lock);
      int zero_copy = s->outstanding + 1 < s->nbuf; /* leave >= 1 buffer with the driver */
      if (zero_copy) {
        cb->held = 1;
        s->outstanding++;
        atomic_fetch_add(&s->refs, 1);
      }
      pthread_mutex_unlock(&s->lock);
      if (zero_copy) {
        uint8_t *planes[2] = {cb->start, (uint8_t *)cb->start +
                                             (size_t)cam->bytesperline * cam->granted.height};
        int strides[2] = {(int)cam->bytesperline, (int)cam->bytesperline};
        /* On failure wrap calls frame_release, which re-queues the buffer. */
        st = odai_image_wrap((int)cam->granted.width, (int)cam->granted.height, pf, planes, strides,
                             false, frame_release, cb, &img);
      } else {
        st = copy_frame(cam, cb->start, pf, &img);
        pthread_mutex_lock(&s->lock);
        queue_buffer_locked(s, b.index);
        pthread_mutex_unlock(&s->lock);
        if (st == ODAI_OK) cam->copied++;
      }
      if (st != ODAI_OK)
        return odai_error_set(err, st, "camera %s: cannot make a frame image: %s", cam->path,
                              odai_status_str(st));
    }
    cam->frames++;
    *frame = img;
    if (timestamp_us) *timestamp_us = ts;
    return ODAI_OK;
  }
}
