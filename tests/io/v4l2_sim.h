/* tests/io/v4l2_sim.h: a SIMULATED V4L2 UVC webcam for tests (no real device).
 * Plugs into odai_camera through the odai_v4l2_ops table (io/v4l2_ops.h) and
 * answers the ioctls a UVC webcam answers: QUERYCAP, ENUM_FMT (YUYV, MJPG,
 * NV12), ENUM_FRAMESIZES, ENUM_FRAMEINTERVALS, G/S_FMT, G/S_PARM, REQBUFS,
 * QUERYBUF, QBUF/DQBUF, STREAMON/OFF. Frames are generated on DQBUF: a moving
 * pattern (YUYV/NV12) or the same pattern compressed by TurboJPEG (MJPG).
 * Unplug/replug simulate a camera that disappears (ENODEV) and comes back. */
#ifndef ODAI_TESTS_V4L2_SIM_H
#define ODAI_TESTS_V4L2_SIM_H

#include <stdint.h>

#include "io/v4l2_ops.h"

typedef struct v4l2_sim v4l2_sim;

#define V4L2_SIM_PATH "/dev/video-sim0"

v4l2_sim *v4l2_sim_create(void);
void v4l2_sim_destroy(v4l2_sim *sim);
/* The ops table to pass to odai_camera_open_with_ops (owned by sim). */
const odai_v4l2_ops *v4l2_sim_ops(v4l2_sim *sim);

/* Unplug: open fails ENOENT, ioctls on the open fd fail ENODEV; poll
 * reports POLLERR|POLLHUP unless poll_still_ready (then DQBUF gives ENODEV). */
void v4l2_sim_unplug(v4l2_sim *sim, int poll_still_ready);
/* Plug back in; the next `failing_opens` opens still fail with ENOENT. */
void v4l2_sim_plug(v4l2_sim *sim, int failing_opens);
/* Stall: no frame becomes ready (poll times out, DQBUF says EAGAIN). */
void v4l2_sim_stall(v4l2_sim *sim, int on);
/* Make the next frame damaged: a truncated JPEG (MJPG) or a raw frame with
 * half the bytes (bytesused). */
void v4l2_sim_corrupt_next(v4l2_sim *sim);

typedef struct v4l2_sim_state {
  int streaming;
  uint32_t fourcc, width, height, fps_num, fps_den;
  unsigned nbuf, queued; /* buffers allocated / now queued in the "driver" */
  uint64_t frames;       /* frames dequeued so far (sequence of the next) */
  unsigned opens, open_fds;
} v4l2_sim_state;
void v4l2_sim_get_state(v4l2_sim *sim, v4l2_sim_state *st);

/* The value the pattern puts in frame `seq`'s marker block (top-left 16x16):
 * Y for YUYV/NV12, R for MJPG (approximately, after JPEG). */
uint8_t v4l2_sim_marker(uint64_t seq);

#endif
