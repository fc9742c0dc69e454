/* io/v4l2_ops.h: the swappable device-call table behind odai_camera (internal).
 *
 * io/v4l2_camera.c never calls libv4l2 directly: every open/close/ioctl/
 * mmap/munmap/poll goes through an odai_v4l2_ops. The default table forwards
 * to libv4l2 (v4l2_open, v4l2_ioctl, ...) and poll(2); tests swap in a
 * simulated UVC camera (tests/io/v4l2_sim.c), since libv4l2 reaches the kernel
 * through syscall() and an LD_PRELOAD of open/ioctl would miss it. */
#ifndef ODAI_IO_V4L2_OPS_H
#define ODAI_IO_V4L2_OPS_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "odai/camera.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Each call behaves like its POSIX/libv4l2 namesake: -1 (or MAP_FAILED for
 * mmap) with errno set on failure. ctx is the table's own pointer. The table
 * and ctx must outlive every camera opened with them (and every frame such a
 * camera handed out). Calls may come from any thread that reads the camera
 * or releases one of its frames; the camera serialises them per device. */
typedef struct odai_v4l2_ops {
  void *ctx;
  int (*open)(void *ctx, const char *path, int flags);
  int (*close)(void *ctx, int fd);
  int (*ioctl)(void *ctx, int fd, unsigned long request, void *arg);
  void *(*mmap)(void *ctx, void *addr, size_t length, int prot, int flags, int fd, int64_t offset);
  int (*munmap)(void *ctx, void *addr, size_t length);
  int (*poll)(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms);
} odai_v4l2_ops;

/* The libv4l2 table (transfer none, static). */
const odai_v4l2_ops *odai_v4l2_default_ops(void);

/* odai_camera_open with an explicit device table (NULL = libv4l2). */
odai_status odai_camera_open_with_ops(const char *path, const odai_camera_options *options,
                                      const odai_v4l2_ops *ops, odai_camera **out, odai_error *err);

#ifdef __cplusplus
}
#endif

#endif /* ODAI_IO_V4L2_OPS_H */
