/* odai/camera.h: V4L2 cameras (webcams, capture cards) through libv4l2.
 *
 * Open a /dev/videoN by path, see what it offers (pixel formats, frame sizes,
 * frame rates), negotiate the closest mode to a request, then read frames.
 * Frames come out as odai_image (see odai/image.h):
 *   - YUYV, NV12, RGB3, BGR3 and GREY streams: the image WRAPS the driver's
 *     mmap buffer, no copy (as YUYV, NV12, RGB8, BGR8, GRAY8).
 *     The buffer goes back to the driver (VIDIOC_QBUF) when the last
 *     reference to the image is dropped.
 *   - MJPEG devices: each frame is decoded with TurboJPEG into a pooled RGB8
 *     image and the driver buffer is re-queued at once.
 * Running out of buffers: a camera streams with N mmap buffers (option
 * num_buffers, default 4). A consumer may hold at most N-1 zero-copy frames
 * at once; when it holds that many, the next frames are COPIED into pooled
 * images and their driver buffers re-queued immediately, so a slow consumer
 * never stalls the device (odai_camera_stats counts those copies).
 *
 * Device loss: when the camera disappears (unplugged: ENODEV/EIO from DQBUF,
 * POLLERR/POLLHUP from poll) odai_camera_read returns ODAI_E_DEVICE_LOST with
 * the device path in the message. With options.reconnect set, read() instead
 * retries opening the same path with exponential backoff (100 ms doubling to
 * 2 s) for up to reconnect_timeout_ms and resumes streaming the same mode;
 * odai_camera_reopen does one such attempt on demand. Frames handed out
 * before the loss stay valid until released.
 *
 * Timestamps: the driver's buffer timestamp (CLOCK_MONOTONIC for UVC) in
 * microseconds; when the driver gives none, CLOCK_MONOTONIC at dequeue.
 *
 * Thread-safety: one thread at a time may call odai_camera_read/reopen/
 * close on a given camera (the capture thread); frames it returns may be
 * released from any thread. Different cameras are independent. */
#ifndef ODAI_CAMERA_H
#define ODAI_CAMERA_H

#include <stdint.h>

#include "odai/common.h"
#include "odai/image.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct odai_camera odai_camera;

/* Pixel formats a camera can stream (V4L2 fourccs). */
#define ODAI_CAMERA_FOURCC(a, b, c, d) \
  ((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | ((uint32_t)(d) << 24))
#define ODAI_CAMERA_ANY 0u
#define ODAI_CAMERA_YUYV ODAI_CAMERA_FOURCC('Y', 'U', 'Y', 'V')
#define ODAI_CAMERA_MJPEG ODAI_CAMERA_FOURCC('M', 'J', 'P', 'G')
#define ODAI_CAMERA_NV12 ODAI_CAMERA_FOURCC('N', 'V', '1', '2')
/* Packed RGB/BGR/grey: zero-copy RGB8/BGR8/GRAY8 frames. libv4l2 offers RGB3
 * and BGR3 for most cameras by converting their native format in software
 * (also formats odai does not read itself, e.g. Bayer). */
#define ODAI_CAMERA_RGB24 ODAI_CAMERA_FOURCC('R', 'G', 'B', '3')
#define ODAI_CAMERA_BGR24 ODAI_CAMERA_FOURCC('B', 'G', 'R', '3')
#define ODAI_CAMERA_GREY ODAI_CAMERA_FOURCC('G', 'R', 'E', 'Y')

/* One mode a device offers, or the mode granted. fps = frames per second
 * (interval den/num); fps_num/fps_den keep the exact fraction. */
typedef struct odai_camera_mode {
  uint32_t fourcc;
  uint32_t width, height;
  uint32_t fps_num, fps_den; /* fps = fps_num / fps_den */
} odai_camera_mode;

typedef struct odai_camera_options {
  uint32_t width, height;  /* requested size; 0 = device's current size */
  double fps;              /* requested rate; 0 = device's current rate */
  uint32_t fourcc;         /* ODAI_CAMERA_ANY (default), _YUYV, _MJPEG, _NV12, _RGB24, ... */
  unsigned num_buffers;    /* mmap buffers, 2..32 (default 4) */
  int reconnect;           /* nonzero: read() reopens a lost device (default 0) */
  int reconnect_timeout_ms;/* how long read() keeps retrying (default 10000) */
} odai_camera_options;

typedef struct odai_camera_stats {
  uint64_t frames;          /* frames returned by read() */
  uint64_t copied;          /* of those, copied because the consumer held N-1 buffers */
  uint64_t corrupt_dropped; /* damaged frames skipped: flagged by the driver, raw
                               frames cut short, MJPEG that fails to decode */
  uint64_t reconnects;      /* successful reopen()s */
  uint32_t outstanding;     /* zero-copy frames currently held by consumers */
} odai_camera_stats;

/* Defaults as documented above. */
ODAI_API void odai_camera_options_default(odai_camera_options *options);

/* Open the device at `path`, negotiate the closest mode to `options` (NULL =
 * defaults) and start streaming. Closest: the frame size nearest to the
 * request (by |dw|+|dh|), then the frame rate nearest to it, then the
 * format cheapest to consume (YUYV, NV12, MJPEG, RGB3, BGR3, GREY); a fourcc
 * other than ODAI_CAMERA_ANY restricts the choice to that format. What the driver
 * granted is in odai_camera_mode_granted. *out: transfer full (close it). */
ODAI_API odai_status odai_camera_open(const char *path, const odai_camera_options *options,
                                      odai_camera **out, odai_error *err);

/* All modes the device offered at open (formats odai can read only), as
 * enumerated by VIDIOC_ENUM_FMT/ENUM_FRAMESIZES/ENUM_FRAMEINTERVALS. Size and
 * rate ranges (stepwise/continuous) appear as their ends plus the point
 * nearest the request. Transfer none: valid until close or a reopen (also
 * the automatic one of read() with options.reconnect). */
ODAI_API const odai_camera_mode *odai_camera_modes(const odai_camera *camera, size_t *count);

/* The mode the driver granted (after S_FMT/S_PARM). */
ODAI_API odai_camera_mode odai_camera_mode_granted(const odai_camera *camera);

/* The device path (transfer none). */
ODAI_API const char *odai_camera_path(const odai_camera *camera);

/* Wait up to timeout_ms (<0: forever, 0: poll once) for the next frame.
 * *frame: transfer full (odai_image_unref it; keep it as long as needed, see
 * the buffer rules above). *timestamp_us may be NULL.
 * Returns ODAI_OK, ODAI_E_TIMEOUT, ODAI_E_DEVICE_LOST (message has the path),
 * ODAI_E_IO, ODAI_E_NOMEM. */
ODAI_API odai_status odai_camera_read(odai_camera *camera, int timeout_ms, odai_image **frame,
                                      int64_t *timestamp_us, odai_error *err);

/* Close the device (if open) and open it again with the same mode request;
 * one attempt. Outstanding frames stay valid. */
ODAI_API odai_status odai_camera_reopen(odai_camera *camera, odai_error *err);

ODAI_API void odai_camera_get_stats(const odai_camera *camera, odai_camera_stats *stats);

/* Stop streaming and close. Outstanding frames stay valid; the device file
 * and buffers are released when the last of them is released. NULL is ok. */
ODAI_API void odai_camera_close(odai_camera *camera);

#ifdef __cplusplus
}
#endif

#endif /* ODAI_CAMERA_H */
