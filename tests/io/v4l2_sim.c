/* tests/io/v4l2_sim.c: the SIMULATED UVC webcam behind the odai_v4l2_ops table
 * (see v4l2_sim.h). Test-only; a mutex makes it safe for frames released on
 * other threads. */
#include "v4l2_sim.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <linux/videodev2.h>
#include <turbojpeg.h>

#define SIM_MAX_BUF 16
#define SIM_OFFSET_STEP 0x1000000

typedef struct sim_mode {
  uint32_t fourcc, w, h;
  uint32_t fps[2]; /* discrete rates, 0 = none */
} sim_mode;

static const sim_mode sim_modes[] = {
    {V4L2_PIX_FMT_YUYV, 640, 480, {30, 15}},  {V4L2_PIX_FMT_YUYV, 320, 240, {30, 0}},
    {V4L2_PIX_FMT_YUYV, 1280, 720, {10, 5}},  {V4L2_PIX_FMT_MJPEG, 640, 480, {30, 0}},
    {V4L2_PIX_FMT_MJPEG, 1280, 720, {30, 15}}, {V4L2_PIX_FMT_MJPEG, 1920, 1080, {30, 0}},
    {V4L2_PIX_FMT_NV12, 640, 480, {20, 0}},
};
#define NMODES (sizeof sim_modes / sizeof sim_modes[0])
/* GREY is offered as ranges, like some industrial cameras: sizes 160x120 to
 * 1280x960 in steps of 16x8, any rate from 1 to 60 fps. */
static const uint32_t sim_formats[] = {V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_MJPEG, V4L2_PIX_FMT_NV12,
                                       V4L2_PIX_FMT_GREY};
#define NFORMATS (sizeof sim_formats / sizeof sim_formats[0])
#define GREY_MIN_W 160
#define GREY_MIN_H 120
#define GREY_MAX_W 1280
#define GREY_MAX_H 960
#define GREY_STEP_W 16
#define GREY_STEP_H 8

static uint32_t clampstep(uint32_t v, uint32_t lo, uint32_t hi, uint32_t step) {
  if (v < lo) v = lo;
  if (v > hi) v = hi;
  return lo + (v - lo) / step * step;
}

typedef struct sim_alloc {
  struct sim_alloc *next;
  uint8_t *mem;
} sim_alloc;

struct v4l2_sim {
  pthread_mutex_t lock;
  odai_v4l2_ops ops;
  int plugged, poll_still_ready, failing_opens, corrupt_next, stalled;
  int fd;       /* the current open fd, -1 none */
  int next_fd;  /* fake fd numbers, never reused */
  unsigned opens, open_fds;
  uint32_t fourcc, w, h, fps_num, fps_den;
  int streaming;
  unsigned nbuf;
  uint8_t *mem[SIM_MAX_BUF];
  size_t len;
  int queued[SIM_MAX_BUF];
  unsigned fifo[SIM_MAX_BUF], fifo_head, fifo_n;
  uint64_t seq;
  sim_alloc *allocs; /* every buffer ever allocated: mappings outlive replug */
  tjhandle tj;
  uint8_t *rgb; /* scratch for MJPEG frames */
};

uint8_t v4l2_sim_marker(uint64_t seq) { return (uint8_t)(32 + (seq * 37) % 192); }

/* ---- frames ---------------------------------------------------------------- */

/* Luma/red pattern: marker block top-left, a bright bar moving right by 8 px
 * per frame, a diagonal gradient elsewhere. */
static uint8_t pattern(const v4l2_sim *s, uint32_t x, uint32_t y) {
  if (x < 16 && y < 16) return v4l2_sim_marker(s->seq);
  uint32_t bar = (uint32_t)(s->seq * 8) % s->w;
  if (x >= bar && x < bar + 8) return 235;
  return (uint8_t)(16 + ((x + y) / 4) % 200);
}

static size_t fill_raw_or_jpeg(v4l2_sim *s, uint8_t *dst);

/* A frame; corrupt_next cuts the next one short (raw) or truncates it (JPEG). */
static size_t fill_frame(v4l2_sim *s, uint8_t *dst) {
  int cut = s->corrupt_next && s->fourcc != V4L2_PIX_FMT_MJPEG;
  size_t n = fill_raw_or_jpeg(s, dst);
  if (cut) {
    s->corrupt_next = 0;
    n /= 2;
  }
  return n;
}

static size_t fill_raw_or_jpeg(v4l2_sim *s, uint8_t *dst) {
  uint32_t w = s->w, h = s->h;
  if (s->fourcc == V4L2_PIX_FMT_YUYV) {
    for (uint32_t y = 0; y < h; y++) {
      uint8_t *row = dst + (size_t)y * w * 2;
      for (uint32_t x = 0; x < w; x++) {
        row[2 * x] = pattern(s, x, y);
        row[2 * x + 1] = 128;
      }
    }
    return (size_t)w * h * 2;
  }
  if (s->fourcc == V4L2_PIX_FMT_GREY) {
    for (uint32_t y = 0; y < h; y++)
      for (uint32_t x = 0; x < w; x++) dst[(size_t)y * w + x] = pattern(s, x, y);
    return (size_t)w * h;
  }
  if (s->fourcc == V4L2_PIX_FMT_NV12) {
    for (uint32_t y = 0; y < h; y++)
      for (uint32_t x = 0; x < w; x++) dst[(size_t)y * w + x] = pattern(s, x, y);
    memset(dst + (size_t)w * h, 128, (size_t)w * h / 2);
    return (size_t)w * h * 3 / 2;
  }
  /* MJPG: R = pattern, G = B = 64. */
  for (uint32_t y = 0; y < h; y++)
    for (uint32_t x = 0; x < w; x++) {
      uint8_t *p = s->rgb + ((size_t)y * w + x) * 3;
      p[0] = pattern(s, x, y);
      p[1] = p[2] = 64;
    }
  unsigned char *out = dst;
  unsigned long size = s->len;
  if (tjCompress2(s->tj, s->rgb, (int)w, 0, (int)h, TJPF_RGB, &out, &size, TJSAMP_422, 85,
                  TJFLAG_NOREALLOC) < 0)
    return 0;
  if (s->corrupt_next) {
    s->corrupt_next = 0;
    return size / 3; /* truncated: no EOI, most scans missing */
  }
  return size;
}

/* ---- ops ------------------------------------------------------------------- */

static int fail(int e) {
  errno = e;
  return -1;
}

static int sim_open(void *ctx, const char *path, int flags) {
  v4l2_sim *s = ctx;
  (void)flags;
  pthread_mutex_lock(&s->lock);
  int r;
  if (strcmp(path, V4L2_SIM_PATH) != 0 || !s->plugged) {
    r = fail(ENOENT);
  } else if (s->failing_opens > 0) {
    s->failing_opens--;
    r = fail(ENOENT);
  } else if (s->fd >= 0) {
    r = fail(EBUSY);
  } else {
    s->fd = s->next_fd++;
    s->opens++;
    s->open_fds++;
    s->streaming = 0;
    s->nbuf = 0;
    r = s->fd;
  }
  pthread_mutex_unlock(&s->lock);
  return r;
}

static int sim_close(void *ctx, int fd) {
  v4l2_sim *s = ctx;
  pthread_mutex_lock(&s->lock);
  if (fd == s->fd) {
    s->fd = -1;
    s->streaming = 0;
    s->nbuf = 0;
  }
  s->open_fds--;
  pthread_mutex_unlock(&s->lock);
  return 0;
}

static const sim_mode *find_mode(uint32_t f, uint32_t w, uint32_t h) {
  for (size_t i = 0; i < NMODES; i++)
    if (sim_modes[i].fourcc == f && sim_modes[i].w == w && sim_modes[i].h == h) return &sim_modes[i];
  return NULL;
}

static void set_format(v4l2_sim *s, struct v4l2_pix_format *pix) {
  uint32_t f = pix->pixelformat;
  int known = 0;
  for (size_t i = 0; i < NFORMATS; i++) known |= sim_formats[i] == f;
  if (!known) f = V4L2_PIX_FMT_YUYV;
  if (f == V4L2_PIX_FMT_GREY) {
    s->fourcc = f;
    s->w = clampstep(pix->width, GREY_MIN_W, GREY_MAX_W, GREY_STEP_W);
    s->h = clampstep(pix->height, GREY_MIN_H, GREY_MAX_H, GREY_STEP_H);
    s->fps_num = 30;
    s->fps_den = 1;
    return;
  }
  const sim_mode *best = NULL;
  uint64_t bd = 0;
  for (size_t i = 0; i < NMODES; i++) {
    if (sim_modes[i].fourcc != f) continue;
    int64_t dw = (int64_t)sim_modes[i].w - pix->width, dh = (int64_t)sim_modes[i].h - pix->height;
    uint64_t d = (uint64_t)(dw < 0 ? -dw : dw) + (uint64_t)(dh < 0 ? -dh : dh);
    if (!best || d < bd) {
      best = &sim_modes[i];
      bd = d;
    }
  }
  s->fourcc = f;
  s->w = best->w;
  s->h = best->h;
  s->fps_num = best->fps[0];
  s->fps_den = 1;
}

static void get_format(const v4l2_sim *s, struct v4l2_pix_format *pix) {
  memset(pix, 0, sizeof *pix);
  pix->width = s->w;
  pix->height = s->h;
  pix->pixelformat = s->fourcc;
  pix->field = V4L2_FIELD_NONE;
  pix->bytesperline = s->fourcc == V4L2_PIX_FMT_YUYV ? s->w * 2
                      : (s->fourcc == V4L2_PIX_FMT_NV12 || s->fourcc == V4L2_PIX_FMT_GREY) ? s->w
                                                                                          : 0;
  pix->sizeimage = s->fourcc == V4L2_PIX_FMT_NV12   ? s->w * s->h * 3 / 2
                   : s->fourcc == V4L2_PIX_FMT_GREY ? s->w * s->h
                                                    : s->w * s->h * 2;
  pix->colorspace = V4L2_COLORSPACE_SRGB;
}

static int do_ioctl(v4l2_sim *s, unsigned long req, void *arg) {
  switch (req) {
  case VIDIOC_QUERYCAP: {
    struct v4l2_capability *c = arg;
    memset(c, 0, sizeof *c);
    strcpy((char *)c->driver, "uvcvideo");
    strcpy((char *)c->card, "odai simulated webcam");
    strcpy((char *)c->bus_info, "usb-sim-1");
    c->version = 0x060000;
    c->device_caps = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING;
    c->capabilities = c->device_caps | V4L2_CAP_DEVICE_CAPS;
    return 0;
  }
  case VIDIOC_ENUM_FMT: {
    struct v4l2_fmtdesc *d = arg;
    if (d->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || d->index >= NFORMATS) return fail(EINVAL);
    uint32_t idx = d->index;
    memset(d, 0, sizeof *d);
    d->index = idx;
    d->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    d->pixelformat = sim_formats[idx];
    d->flags = sim_formats[idx] == V4L2_PIX_FMT_MJPEG ? V4L2_FMT_FLAG_COMPRESSED : 0;
    strcpy((char *)d->description, idx == 0   ? "YUYV 4:2:2"
                                   : idx == 1 ? "Motion-JPEG"
                                   : idx == 2 ? "Y/UV 4:2:0"
                                              : "8-bit Greyscale");
    return 0;
  }
  case VIDIOC_ENUM_FRAMESIZES: {
    struct v4l2_frmsizeenum *f = arg;
    if (f->pixel_format == V4L2_PIX_FMT_GREY) {
      if (f->index != 0) return fail(EINVAL);
      f->type = V4L2_FRMSIZE_TYPE_STEPWISE;
      f->stepwise.min_width = GREY_MIN_W;
      f->stepwise.max_width = GREY_MAX_W;
      f->stepwise.step_width = GREY_STEP_W;
      f->stepwise.min_height = GREY_MIN_H;
      f->stepwise.max_height = GREY_MAX_H;
      f->stepwise.step_height = GREY_STEP_H;
      return 0;
    }
    uint32_t n = 0;
    for (size_t i = 0; i < NMODES; i++) {
      if (sim_modes[i].fourcc != f->pixel_format) continue;
      if (n++ == f->index) {
        f->type = V4L2_FRMSIZE_TYPE_DISCRETE;
        f->discrete.width = sim_modes[i].w;
        f->discrete.height = sim_modes[i].h;
        return 0;
      }
    }
    return fail(EINVAL);
  }
  case VIDIOC_ENUM_FRAMEINTERVALS: {
    struct v4l2_frmivalenum *f = arg;
    if (f->pixel_format == V4L2_PIX_FMT_GREY) {
      if (f->index != 0 || f->width != clampstep(f->width, GREY_MIN_W, GREY_MAX_W, GREY_STEP_W) ||
          f->height != clampstep(f->height, GREY_MIN_H, GREY_MAX_H, GREY_STEP_H))
        return fail(EINVAL);
      f->type = V4L2_FRMIVAL_TYPE_CONTINUOUS;
      f->stepwise.min = (struct v4l2_fract){1, 60};
      f->stepwise.max = (struct v4l2_fract){1, 1};
      f->stepwise.step = (struct v4l2_fract){1, 1};
      return 0;
    }
    const sim_mode *m = find_mode(f->pixel_format, f->width, f->height);
    if (!m || f->index >= 2 || m->fps[f->index] == 0) return fail(EINVAL);
    f->type = V4L2_FRMIVAL_TYPE_DISCRETE;
    f->discrete.numerator = 1;
    f->discrete.denominator = m->fps[f->index];
    return 0;
  }
  case VIDIOC_G_FMT:
  case VIDIOC_S_FMT:
  case VIDIOC_TRY_FMT: {
    struct v4l2_format *f = arg;
    if (f->type != V4L2_BUF_TYPE_VIDEO_CAPTURE) return fail(EINVAL);
    if (req != VIDIOC_G_FMT) {
      if (s->nbuf) return fail(EBUSY);
      set_format(s, &f->fmt.pix);
    }
    get_format(s, &f->fmt.pix);
    return 0;
  }
  case VIDIOC_G_PARM:
  case VIDIOC_S_PARM: {
    struct v4l2_streamparm *p = arg;
    if (p->type != V4L2_BUF_TYPE_VIDEO_CAPTURE) return fail(EINVAL);
    if (req == VIDIOC_S_PARM && s->fourcc == V4L2_PIX_FMT_GREY) {
      struct v4l2_fract t = p->parm.capture.timeperframe; /* any rate 1..60: kept as asked */
      double want = t.numerator ? (double)t.denominator / t.numerator : 30;
      if (want < 1) want = 1;
      if (want > 60) want = 60;
      s->fps_num = (uint32_t)(want * 1000 + 0.5);
      s->fps_den = 1000;
    } else if (req == VIDIOC_S_PARM) {
      const sim_mode *m = find_mode(s->fourcc, s->w, s->h);
      struct v4l2_fract t = p->parm.capture.timeperframe;
      double want = t.numerator ? (double)t.denominator / t.numerator : 1e9;
      uint32_t best = m->fps[0];
      for (int i = 0; i < 2; i++) {
        if (!m->fps[i]) continue;
        double d = m->fps[i] - want, bd = best - want;
        if ((d < 0 ? -d : d) < (bd < 0 ? -bd : bd)) best = m->fps[i];
      }
      s->fps_num = best;
      s->fps_den = 1;
    }
    memset(&p->parm, 0, sizeof p->parm);
    p->parm.capture.capability = V4L2_CAP_TIMEPERFRAME;
    p->parm.capture.timeperframe.numerator = s->fps_den;
    p->parm.capture.timeperframe.denominator = s->fps_num;
    p->parm.capture.readbuffers = 0;
    return 0;
  }
  case VIDIOC_REQBUFS: {
    struct v4l2_requestbuffers *r = arg;
    if (r->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || r->memory != V4L2_MEMORY_MMAP) return fail(EINVAL);
    if (s->streaming) return fail(EBUSY);
    s->nbuf = 0;
    s->fifo_n = 0;
    if (r->count == 0) return 0;
    unsigned n = r->count > SIM_MAX_BUF ? SIM_MAX_BUF : r->count;
    struct v4l2_pix_format pix;
    get_format(s, &pix);
    s->len = ((size_t)pix.sizeimage + 4095) & ~(size_t)4095;
    for (unsigned i = 0; i < n; i++) {
      sim_alloc *a = calloc(1, sizeof *a);
      if (!a || !(a->mem = calloc(1, s->len))) {
        free(a);
        return fail(ENOMEM);
      }
      a->next = s->allocs;
      s->allocs = a;
      s->mem[i] = a->mem;
      s->queued[i] = 0;
    }
    s->nbuf = n;
    r->count = n;
    return 0;
  }
  case VIDIOC_QUERYBUF:
  case VIDIOC_QBUF:
  case VIDIOC_DQBUF: {
    struct v4l2_buffer *b = arg;
    if (b->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || b->memory != V4L2_MEMORY_MMAP) return fail(EINVAL);
    if (req == VIDIOC_DQBUF) {
      if (!s->streaming) return fail(EINVAL);
      if (s->fifo_n == 0 || s->stalled) return fail(EAGAIN);
      unsigned i = s->fifo[s->fifo_head];
      s->fifo_head = (s->fifo_head + 1) % SIM_MAX_BUF;
      s->fifo_n--;
      s->queued[i] = 0;
      size_t used = fill_frame(s, s->mem[i]);
      memset(b, 0, sizeof *b);
      b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
      b->memory = V4L2_MEMORY_MMAP;
      b->index = i;
      b->bytesused = (uint32_t)used;
      b->length = (uint32_t)s->len;
      b->m.offset = i * SIM_OFFSET_STEP;
      b->field = V4L2_FIELD_NONE;
      b->sequence = (uint32_t)s->seq;
      b->flags = V4L2_BUF_FLAG_MAPPED | V4L2_BUF_FLAG_DONE | V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC;
      int64_t ts = 1000000 + (int64_t)(s->seq * 1000000ull * s->fps_den / (s->fps_num ? s->fps_num : 30));
      b->timestamp.tv_sec = ts / 1000000;
      b->timestamp.tv_usec = ts % 1000000;
      s->seq++;
      return 0;
    }
    if (b->index >= s->nbuf) return fail(EINVAL);
    unsigned i = b->index;
    if (req == VIDIOC_QBUF) {
      if (s->queued[i]) return fail(EINVAL);
      s->queued[i] = 1;
      s->fifo[(s->fifo_head + s->fifo_n) % SIM_MAX_BUF] = i;
      s->fifo_n++;
    }
    b->length = (uint32_t)s->len;
    b->m.offset = i * SIM_OFFSET_STEP;
    b->flags = V4L2_BUF_FLAG_MAPPED | (s->queued[i] ? V4L2_BUF_FLAG_QUEUED : 0);
    return 0;
  }
  case VIDIOC_STREAMON:
    if (!s->nbuf) return fail(EINVAL);
    s->streaming = 1;
    return 0;
  case VIDIOC_STREAMOFF:
    s->streaming = 0;
    for (unsigned i = 0; i < s->nbuf; i++) s->queued[i] = 0;
    s->fifo_n = 0;
    return 0;
  default:
    return fail(ENOTTY);
  }
}

static int sim_ioctl(void *ctx, int fd, unsigned long req, void *arg) {
  v4l2_sim *s = ctx;
  pthread_mutex_lock(&s->lock);
  int r;
  if (fd != s->fd || !s->plugged)
    r = fail(ENODEV);
  else
    r = do_ioctl(s, req, arg);
  int e = errno;
  pthread_mutex_unlock(&s->lock);
  errno = e;
  return r;
}

static void *sim_mmap(void *ctx, void *addr, size_t length, int prot, int flags, int fd,
                      int64_t offset) {
  v4l2_sim *s = ctx;
  (void)addr, (void)prot, (void)flags;
  void *r = MAP_FAILED;
  pthread_mutex_lock(&s->lock);
  uint64_t i = (uint64_t)offset / SIM_OFFSET_STEP;
  if (fd == s->fd && s->plugged && i < s->nbuf && length <= s->len) r = s->mem[i];
  pthread_mutex_unlock(&s->lock);
  if (r == MAP_FAILED) errno = EINVAL;
  return r;
}

static int sim_munmap(void *ctx, void *addr, size_t length) {
  (void)ctx, (void)addr, (void)length;
  return 0; /* memory stays with the sim until destroy */
}

static int sim_poll(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms) {
  v4l2_sim *s = ctx;
  if (nfds != 1) return fail(EINVAL);
  pthread_mutex_lock(&s->lock);
  fds[0].revents = 0;
  if (fds[0].fd != s->fd || !s->plugged) {
    fds[0].revents = s->poll_still_ready && !s->plugged ? POLLIN : (POLLERR | POLLHUP);
  } else if (s->streaming && s->fifo_n > 0 && !s->stalled) {
    fds[0].revents = POLLIN;
  }
  int ready = fds[0].revents != 0;
  pthread_mutex_unlock(&s->lock);
  if (ready) return 1;
  if (timeout_ms != 0) { /* nothing queued: frames cannot come; wait it out (bounded) */
    int ms = timeout_ms < 0 || timeout_ms > 200 ? 200 : timeout_ms;
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
  }
  return 0;
}

/* ---- control ------------------------------------------------------------- */

v4l2_sim *v4l2_sim_create(void) {
  v4l2_sim *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  pthread_mutex_init(&s->lock, NULL);
  s->plugged = 1;
  s->fd = -1;
  s->next_fd = 1000;
  s->fourcc = V4L2_PIX_FMT_YUYV;
  s->w = 640;
  s->h = 480;
  s->fps_num = 30;
  s->fps_den = 1;
  s->tj = tjInitCompress();
  s->rgb = malloc(1920 * 1080 * 3);
  s->ops = (odai_v4l2_ops){s, sim_open, sim_close, sim_ioctl, sim_mmap, sim_munmap, sim_poll};
  return s;
}

void v4l2_sim_destroy(v4l2_sim *s) {
  if (!s) return;
  while (s->allocs) {
    sim_alloc *a = s->allocs;
    s->allocs = a->next;
    free(a->mem);
    free(a);
  }
  tjDestroy(s->tj);
  free(s->rgb);
  pthread_mutex_destroy(&s->lock);
  free(s);
}

const odai_v4l2_ops *v4l2_sim_ops(v4l2_sim *s) { return &s->ops; }

void v4l2_sim_unplug(v4l2_sim *s, int poll_still_ready) {
  pthread_mutex_lock(&s->lock);
  s->plugged = 0;
  s->poll_still_ready = poll_still_ready;
  pthread_mutex_unlock(&s->lock);
}

void v4l2_sim_plug(v4l2_sim *s, int failing_opens) {
  pthread_mutex_lock(&s->lock);
  s->plugged = 1;
  s->failing_opens = failing_opens;
  s->fd = -1; /* the old fd stays dead (ENODEV) */
  s->streaming = 0;
  s->nbuf = 0;
  s->fifo_n = 0;
  pthread_mutex_unlock(&s->lock);
}

void v4l2_sim_stall(v4l2_sim *s, int on) {
  pthread_mutex_lock(&s->lock);
  s->stalled = on;
  pthread_mutex_unlock(&s->lock);
}

void v4l2_sim_corrupt_next(v4l2_sim *s) {
  pthread_mutex_lock(&s->lock);
  s->corrupt_next = 1;
  pthread_mutex_unlock(&s->lock);
}

void v4l2_sim_get_state(v4l2_sim *s, v4l2_sim_state *st) {
  pthread_mutex_lock(&s->lock);
  st->streaming = s->streaming;
  st->fourcc = s->fourcc;
  st->width = s->w;
  st->height = s->h;
  st->fps_num = s->fps_num;
  st->fps_den = s->fps_den;
  st->nbuf = s->nbuf;
  st->queued = s->fifo_n;
  st->frames = s->seq;
  st->opens = s->opens;
  st->open_fds = s->open_fds;
  pthread_mutex_unlock(&s->lock);
}
