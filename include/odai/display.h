/* odai/display.h: an SDL2 preview window for frames.
 *
 * odai_display_show() uploads a frame into a streaming texture (RGB8, BGR8,
 * RGBA8, BGRA8 directly; YUYV as YUY2, NV12 as NV12, I420 as IYUV; GRAY8 and
 * F32 masks through a small grey->RGB copy) and draws it scaled to the
 * window keeping its aspect ratio (black bars), at whatever pace frames
 * arrive. The window is resizable; resizes and exposes redraw the last
 * frame. Closing the window, pressing Escape or q in it, or SDL_QUIT sets
 * odai_display_closed() and
 * calls the close callback, so a graph can end cleanly.
 *
 * Headless: works with SDL_VIDEODRIVER=dummy (software renderer) or
 * offscreen, and under Xvfb. odai_display_screenshot() reads back what the
 * window shows (SDL_RenderReadPixels) to a .png or .ppm file, for tests and
 * docs.
 *
 * Thread-safety: SDL's video functions must be called from one thread. Every
 * odai_display function must be called from the thread that opened the
 * display (a calculator owns a thread for it, or runs on the main thread);
 * calls from another thread fail with ODAI_E_INVALID. Several displays may
 * be open at once (same thread). */
#ifndef ODAI_DISPLAY_H
#define ODAI_DISPLAY_H

#include <stdbool.h>

#include "odai/common.h"
#include "odai/image.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct odai_display odai_display;

/* Called (on the display's thread, from show/poll) once when the user
 * closes the window. */
typedef void (*odai_display_close_fn)(odai_display *display, void *user);

typedef struct odai_display_options {
  const char *title;  /* window title (copied); NULL = "odai" */
  int width, height;  /* initial window size; 0 = the first frame's size */
  bool resizable;     /* default true */
  bool vsync;         /* present with vsync (default false: never blocks on the screen) */
  bool hidden;        /* create the window hidden (tests) */
} odai_display_options;

ODAI_API void odai_display_options_default(odai_display_options *options);

/* Open a window (SDL video subsystem is initialised on first use and shut
 * down with the last display). *out: transfer full. ODAI_E_UNSUPPORTED with
 * SDL's reason when no video driver is available. */
ODAI_API odai_status odai_display_open(const odai_display_options *options, odai_display **out,
                                       odai_error *err);

/* Show a frame (transfer none: the pixels are uploaded, the frame may be
 * released at once). Also handles pending window events. Returns
 * ODAI_E_CANCELLED once the window was closed (nothing drawn). */
ODAI_API odai_status odai_display_show(odai_display *display, const odai_image *frame,
                                       odai_error *err);

/* Handle pending window events (resize, expose, close) without a new frame;
 * call it regularly when frames are rare. Returns true when closed. */
ODAI_API bool odai_display_poll(odai_display *display);

/* True once the window was closed by the user (or SDL_QUIT arrived). */
ODAI_API bool odai_display_closed(const odai_display *display);

ODAI_API void odai_display_set_close_callback(odai_display *display, odai_display_close_fn fn,
                                              void *user);

/* Change the window title (copied). */
ODAI_API odai_status odai_display_set_title(odai_display *display, const char *title,
                                            odai_error *err);

/* Resize the window (the frame is redrawn to fit, keeping its aspect). */
ODAI_API odai_status odai_display_set_size(odai_display *display, int width, int height,
                                           odai_error *err);

/* Current drawable size in pixels and the rectangle the frame occupies in it. */
ODAI_API void odai_display_geometry(const odai_display *display, int *out_w, int *out_h, int *frame_x,
                                    int *frame_y, int *frame_w, int *frame_h);

/* Write what the window shows (the whole drawable, bars included) to `path`
 * (.png or .ppm, by extension; via odai_image_write_file). */
ODAI_API odai_status odai_display_screenshot(odai_display *display, const char *path,
                                             odai_error *err);

/* Read what the window shows into a new RGB8 image (transfer full). */
ODAI_API odai_status odai_display_read_pixels(odai_display *display, odai_image **out,
                                              odai_error *err);

/* The underlying SDL_Window (as void *; transfer none), for callers that
 * integrate with their own SDL code or push synthetic events in tests. */
ODAI_API void *odai_display_sdl_window(odai_display *display);

/* Destroy the window. NULL ok. */
ODAI_API void odai_display_close(odai_display *display);

#ifdef __cplusplus
}
#endif

#endif /* ODAI_DISPLAY_H */
