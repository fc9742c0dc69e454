/* io/sdl_display.c: odai_display, an SDL2 preview window (io/ layer).
 * Frames go into a streaming texture of their own format and are drawn
 * aspect-fit; window events (close, resize, expose) are dispatched to the
 * display they belong to. All calls stay on the thread that opened it. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <SDL.h>

#include "odai/display.h"
#include "odai/image_io.h"

struct odai_display {
  SDL_Window *win;
  SDL_Renderer *ren;
  SDL_Texture *tex;
  Uint32 window_id;
  Uint32 tex_fmt;
  int tex_w, tex_h;
  int have_frame;
  int adopt_size; /* no size given: the window takes the first frame's size */
  pthread_t owner;
  int closed;
  odai_display_close_fn on_close;
  void *on_close_user;
  uint8_t *scratch; /* GRAY8/F32 -> RGB24 */
  size_t scratch_size;
  odai_display *next; /* open displays (all on one thread; see display.h) */
};

/* Displays open in this process, for event dispatch. SDL's video functions
 * are single-threaded, so this list is only touched from that thread; the
 * mutex only protects against misuse corrupting it. */
static pthread_mutex_t displays_lock = PTHREAD_MUTEX_INITIALIZER;
static odai_display *displays;

void odai_display_options_default(odai_display_options *o) {
  memset(o, 0, sizeof *o);
  o->resizable = true;
}

static int on_owner(const odai_display *d) { return pthread_equal(pthread_self(), d->owner); }

#define CHECK_THREAD(d, err)                                                              \
  do {                                                                                    \
    if (!on_owner(d))                                                                     \
      return odai_error_set(err, ODAI_E_INVALID,                                          \
                            "display: used from a thread other than the one that opened it"); \
  } while (0)

odai_status odai_display_open(const odai_display_options *options, odai_display **out,
                              odai_error *err) {
  if (!out) return odai_error_set(err, ODAI_E_INVALID, "display: out required");
  *out = NULL;
  odai_display_options o;
  if (options)
    o = *options;
  else
    odai_display_options_default(&o);
  if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0)
    return odai_error_set(err, ODAI_E_UNSUPPORTED, "display: SDL video init failed: %s",
                          SDL_GetError());
  odai_display *d = calloc(1, sizeof *d);
  if (!d) {
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
    return odai_error_set(err, ODAI_E_NOMEM, "display: out of memory");
  }
  d->owner = pthread_self();
  Uint32 flags = (o.resizable ? SDL_WINDOW_RESIZABLE : 0) | (o.hidden ? SDL_WINDOW_HIDDEN : 0);
  int w = o.width > 0 ? o.width : 640, h = o.height > 0 ? o.height : 480;
  d->win = SDL_CreateWindow(o.title ? o.title : "odai", SDL_WINDOWPOS_UNDEFINED,
                            SDL_WINDOWPOS_UNDEFINED, w, h, flags);
  if (!d->win) {
    odai_error_set(err, ODAI_E_UNSUPPORTED, "display: cannot create a window: %s", SDL_GetError());
    goto fail;
  }
  d->window_id = SDL_GetWindowID(d->win);
  SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "linear");
  d->ren = SDL_CreateRenderer(d->win, -1, o.vsync ? SDL_RENDERER_PRESENTVSYNC : 0);
  if (!d->ren) d->ren = SDL_CreateRenderer(d->win, -1, SDL_RENDERER_SOFTWARE);
  if (!d->ren) {
    odai_error_set(err, ODAI_E_UNSUPPORTED, "display: cannot create a renderer: %s", SDL_GetError());
    goto fail;
  }
  /* odai's YUV is BT.601 limited range; SDL's default picks BT.709 for HD. */
  SDL_SetYUVConversionMode(SDL_YUV_CONVERSION_BT601);
  d->adopt_size = !(o.width > 0 && o.height > 0);
  SDL_SetRenderDrawColor(d->ren, 0, 0, 0, 255);
  SDL_RenderClear(d->ren);
  SDL_RenderPresent(d->ren);
  pthread_mutex_lock(&displays_lock);
  d->next = displays;
  displays = d;
  pthread_mutex_unlock(&displays_lock);
  *out = d;
  return ODAI_OK;
fail:
  if (d->ren) SDL_DestroyRenderer(d->ren);
  if (d->win) SDL_DestroyWindow(d->win);
  free(d);
  SDL_QuitSubSystem(SDL_INIT_VIDEO);
  return err ? err->code : ODAI_E_UNSUPPORTED;
}

/* Where the frame goes in the drawable: fit, keep aspect, centre. */
static SDL_Rect fit_rect(const odai_display *d, int *ow, int *oh) {
  int w = 0, h = 0;
  SDL_GetRendererOutputSize(d->ren, &w, &h);
  if (ow) *ow = w;
  if (oh) *oh = h;
  SDL_Rect r = {0, 0, w, h};
  if (d->tex_w <= 0 || d->tex_h <= 0 || w <= 0 || h <= 0) return r;
  if ((int64_t)w * d->tex_h > (int64_t)h * d->tex_w) { /* wider window: bars left/right */
    r.w = (int)((int64_t)h * d->tex_w / d->tex_h);
    r.x = (w - r.w) / 2;
  } else {
    r.h = (int)((int64_t)w * d->tex_h / d->tex_w);
    r.y = (h - r.h) / 2;
  }
  return r;
}

static void draw(odai_display *d) {
  SDL_SetRenderDrawColor(d->ren, 0, 0, 0, 255);
  SDL_RenderClear(d->ren);
  if (d->have_frame && d->tex) {
    SDL_Rect r = fit_rect(d, NULL, NULL);
    SDL_RenderCopy(d->ren, d->tex, NULL, &r);
  }
}

static void mark_closed(odai_display *d) {
  if (d->closed) return;
  d->closed = 1;
  if (d->on_close) d->on_close(d, d->on_close_user);
}

/* Drain SDL's queue, handing each window event to its display. */
static void pump_events(void) {
  SDL_Event ev;
  while (SDL_PollEvent(&ev)) {
    if (ev.type == SDL_QUIT) {
      for (odai_display *d = displays; d; d = d->next) mark_closed(d);
      continue;
    }
    if (ev.type == SDL_KEYDOWN &&
        (ev.key.keysym.sym == SDLK_ESCAPE || ev.key.keysym.sym == SDLK_q)) {
      for (odai_display *d = displays; d; d = d->next)
        if (d->window_id == ev.key.windowID) mark_closed(d);
      continue;
    }
    if (ev.type != SDL_WINDOWEVENT) continue;
    for (odai_display *d = displays; d; d = d->next) {
      if (d->window_id != ev.window.windowID) continue;
      switch (ev.window.event) {
      case SDL_WINDOWEVENT_CLOSE:
        mark_closed(d);
        break;
      case SDL_WINDOWEVENT_SIZE_CHANGED:
      case SDL_WINDOWEVENT_RESIZED:
      case SDL_WINDOWEVENT_EXPOSED:
        if (!d->closed) {
          draw(d);
          SDL_RenderPresent(d->ren);
        }
        break;
      default:
        break;
      }
    }
  }
}

bool odai_display_poll(odai_display *d) {
  if (!d || !on_owner(d)) return d ? d->closed : true;
  pump_events();
  return d->closed;
}

bool odai_display_closed(const odai_display *d) { return !d || d->closed; }

void odai_display_set_close_callback(odai_display *d, odai_display_close_fn fn, void *user) {
  if (!d) return;
  d->on_close = fn;
  d->on_close_user = user;
}

static Uint32 sdl_format(odai_pixel_format f) {
  switch (f) {
  case ODAI_PIXEL_RGB8:
  case ODAI_PIXEL_GRAY8:
  case ODAI_PIXEL_F32:
    return SDL_PIXELFORMAT_RGB24;
  case ODAI_PIXEL_BGR8:
    return SDL_PIXELFORMAT_BGR24;
  case ODAI_PIXEL_RGBA8:
    return SDL_PIXELFORMAT_RGBA32;
  case ODAI_PIXEL_BGRA8:
    return SDL_PIXELFORMAT_BGRA32;
  case ODAI_PIXEL_YUYV:
    return SDL_PIXELFORMAT_YUY2;
  case ODAI_PIXEL_NV12:
    return SDL_PIXELFORMAT_NV12;
  case ODAI_PIXEL_I420:
    return SDL_PIXELFORMAT_IYUV;
  default:
    return SDL_PIXELFORMAT_UNKNOWN;
  }
}

/* GRAY8 / F32 (0..1) -> RGB24 rows in d->scratch. */
static int grey_to_rgb(odai_display *d, const odai_image_planes *p) {
  size_t need = (size_t)p->width * 3 * p->height;
  if (need > d->scratch_size) {
    uint8_t *s = realloc(d->scratch, need);
    if (!s) return -1;
    d->scratch = s;
    d->scratch_size = need;
  }
  for (int y = 0; y < p->height; y++) {
    uint8_t *o = d->scratch + (size_t)y * p->width * 3;
    const uint8_t *row = p->data[0] + (size_t)y * p->stride[0];
    for (int x = 0; x < p->width; x++) {
      uint8_t v;
      if (p->format == ODAI_PIXEL_GRAY8) {
        v = row[x];
      } else {
        float f;
        memcpy(&f, row + 4 * (size_t)x, sizeof f);
        v = f != f ? 0 : f <= 0 ? 0 : f >= 1 ? 255 : (uint8_t)(f * 255.0f + 0.5f);
      }
      o[3 * x] = o[3 * x + 1] = o[3 * x + 2] = v;
    }
  }
  return 0;
}

odai_status odai_display_show(odai_display *d, const odai_image *frame, odai_error *err) {
  if (!d || !frame) return odai_error_set(err, ODAI_E_INVALID, "display: NULL argument");
  CHECK_THREAD(d, err);
  pump_events();
  if (d->closed) return odai_error_set(err, ODAI_E_CANCELLED, "display: window closed");
  odai_image_planes p;
  odai_image_get_planes(frame, &p);
  Uint32 fmt = sdl_format(p.format);
  if (fmt == SDL_PIXELFORMAT_UNKNOWN)
    return odai_error_set(err, ODAI_E_UNSUPPORTED, "display: cannot show %s frames",
                          odai_pixel_format_name(p.format));
  if (d->adopt_size) {
    SDL_SetWindowSize(d->win, p.width, p.height);
    d->adopt_size = 0;
    pump_events();
  }
  if (!d->tex || d->tex_fmt != fmt || d->tex_w != p.width || d->tex_h != p.height) {
    if (d->tex) SDL_DestroyTexture(d->tex);
    d->tex = SDL_CreateTexture(d->ren, fmt, SDL_TEXTUREACCESS_STREAMING, p.width, p.height);
    if (!d->tex)
      return odai_error_set(err, ODAI_E_UNSUPPORTED, "display: cannot create a %dx%d %s texture: %s",
                            p.width, p.height, SDL_GetPixelFormatName(fmt), SDL_GetError());
    d->tex_fmt = fmt;
    d->tex_w = p.width;
    d->tex_h = p.height;
  }
  int r;
  switch (p.format) {
  case ODAI_PIXEL_NV12:
    r = SDL_UpdateNVTexture(d->tex, NULL, p.data[0], p.stride[0], p.data[1], p.stride[1]);
    break;
  case ODAI_PIXEL_I420:
    r = SDL_UpdateYUVTexture(d->tex, NULL, p.data[0], p.stride[0], p.data[1], p.stride[1], p.data[2],
                             p.stride[2]);
    break;
  case ODAI_PIXEL_GRAY8:
  case ODAI_PIXEL_F32:
    if (grey_to_rgb(d, &p) != 0) return odai_error_set(err, ODAI_E_NOMEM, "display: out of memory");
    r = SDL_UpdateTexture(d->tex, NULL, d->scratch, p.width * 3);
    break;
  default:
    r = SDL_UpdateTexture(d->tex, NULL, p.data[0], p.stride[0]);
    break;
  }
  if (r != 0) return odai_error_set(err, ODAI_E_IO, "display: texture upload failed: %s", SDL_GetError());
  d->have_frame = 1;
  draw(d);
  SDL_RenderPresent(d->ren);
  return ODAI_OK;
}

odai_status odai_display_set_title(odai_display *d, const char *title, odai_error *err) {
  if (!d || !title) return odai_error_set(err, ODAI_E_INVALID, "display: NULL argument");
  CHECK_THREAD(d, err);
  SDL_SetWindowTitle(d->win, title);
  return ODAI_OK;
}

odai_status odai_display_set_size(odai_display *d, int width, int height, odai_error *err) {
  if (!d || width <= 0 || height <= 0) return odai_error_set(err, ODAI_E_INVALID, "display: bad size");
  CHECK_THREAD(d, err);
  SDL_SetWindowSize(d->win, width, height);
  d->adopt_size = 0; /* the caller chose a size: keep it */
  pump_events();
  draw(d);
  SDL_RenderPresent(d->ren);
  return ODAI_OK;
}

void odai_display_geometry(const odai_display *d, int *out_w, int *out_h, int *fx, int *fy, int *fw,
                           int *fh) {
  SDL_Rect r = fit_rect(d, out_w, out_h);
  if (fx) *fx = r.x;
  if (fy) *fy = r.y;
  if (fw) *fw = r.w;
  if (fh) *fh = r.h;
}

odai_status odai_display_read_pixels(odai_display *d, odai_image **out, odai_error *err) {
  if (!d || !out) return odai_error_set(err, ODAI_E_INVALID, "display: NULL argument");
  CHECK_THREAD(d, err);
  *out = NULL;
  int w = 0, h = 0;
  SDL_GetRendererOutputSize(d->ren, &w, &h);
  odai_image *img = NULL;
  odai_status st = odai_image_new(w, h, ODAI_PIXEL_RGB8, &img);
  if (st != ODAI_OK) return odai_error_set(err, st, "display: cannot allocate %dx%d", w, h);
  /* The back buffer is undefined after a present: draw again, read, present. */
  draw(d);
  if (SDL_RenderReadPixels(d->ren, NULL, SDL_PIXELFORMAT_RGB24, odai_image_data(img, 0),
                           odai_image_stride(img, 0)) != 0) {
    odai_image_unref(img);
    return odai_error_set(err, ODAI_E_IO, "display: reading pixels failed: %s", SDL_GetError());
  }
  SDL_RenderPresent(d->ren);
  *out = img;
  return ODAI_OK;
}

odai_status odai_display_screenshot(odai_display *d, const char *path, odai_error *err) {
  if (!path) return odai_error_set(err, ODAI_E_INVALID, "display: NULL path");
  odai_image *img = NULL;
  odai_status st = odai_display_read_pixels(d, &img, err);
  if (st != ODAI_OK) return st;
  const char *dot = strrchr(path, '.');
  if (dot && !strcasecmp(dot, ".ppm"))
    st = odai_image_write_ppm(img, path, err);
  else
    st = odai_image_write_file(img, path, 95, err);
  odai_image_unref(img);
  return st;
}

void *odai_display_sdl_window(odai_display *d) { return d ? d->win : NULL; }

void odai_display_close(odai_display *d) {
  if (!d) return;
  pthread_mutex_lock(&displays_lock);
  for (odai_display **pp = &displays; *pp; pp = &(*pp)->next)
    if (*pp == d) {
      *pp = d->next;
      break;
    }
  pthread_mutex_unlock(&displays_lock);
  if (d->tex) SDL_DestroyTexture(d->tex);
  if (d->ren) SDL_DestroyRenderer(d->ren);
  if (d->win) SDL_DestroyWindow(d->win);
  free(d->scratch);
  free(d);
  SDL_QuitSubSystem(SDL_INIT_VIDEO);
}
