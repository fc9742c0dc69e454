/* tests/io/test_v4l2_libv4l2_simulated.c: odai_camera through the REAL
 * libv4l2 table (v4l2_open/v4l2_ioctl/v4l2_mmap...) against the SIMULATED
 * UVC webcam of v4l2_sim.c. libv4l2 reaches the kernel via syscall(), so
 * this program defines syscall() itself: openat of V4L2_SIM_PATH yields a
 * memfd standing for the device, ioctl/mmap/munmap/close on it go to the
 * simulator, everything else is forwarded to libc's syscall(). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "odai/camera.h"
#include "v4l2_sim.h"

/* ---- the syscall() shim ---------------------------------------------------- */

#define MAX_FDS 8
#define MAX_MAPS 64

static pthread_mutex_t shim_lock = PTHREAD_MUTEX_INITIALIZER;
static v4l2_sim *g_sim;
static struct {
  int real, sim;
} fds[MAX_FDS];
static struct {
  void *addr;
  size_t len;
} maps[MAX_MAPS];
static unsigned shim_ioctls; /* ioctls that reached the simulator through libv4l2 */

typedef long (*syscall_fn)(long, ...);

static long real_syscall(long n, long a, long b, long c, long d, long e, long f) {
  static syscall_fn fn;
  if (!fn) fn = (syscall_fn)dlsym(RTLD_NEXT, "syscall");
  return fn(n, a, b, c, d, e, f);
}

static int sim_fd_of(int real) {
  for (int i = 0; i < MAX_FDS; i++)
    if (fds[i].real == real && fds[i].sim) return fds[i].sim;
  return 0;
}

long syscall(long n, ...) {
  va_list ap;
  va_start(ap, n);
  long a = va_arg(ap, long), b = va_arg(ap, long), c = va_arg(ap, long), d = va_arg(ap, long),
       e = va_arg(ap, long), f = va_arg(ap, long);
  va_end(ap);
  if (!g_sim) return real_syscall(n, a, b, c, d, e, f);
  const odai_v4l2_ops *ops = v4l2_sim_ops(g_sim);
  long r;
  int simfd;
  switch (n) {
  case SYS_openat:
  case SYS_open: {
    const char *path = (const char *)(n == SYS_openat ? b : a);
    int flags = (int)(n == SYS_openat ? c : b);
    if (strcmp(path, V4L2_SIM_PATH) != 0) break;
    int s = ops->open(ops->ctx, path, flags);
    if (s < 0) return -1;
    int real = (int)real_syscall(SYS_memfd_create, (long)"odai-v4l2-sim", 0, 0, 0, 0, 0);
    pthread_mutex_lock(&shim_lock);
    for (int i = 0; i < MAX_FDS; i++)
      if (!fds[i].sim) {
        fds[i].real = real;
        fds[i].sim = s;
        break;
      }
    pthread_mutex_unlock(&shim_lock);
    return real;
  }
  case SYS_ioctl:
    pthread_mutex_lock(&shim_lock);
    simfd = sim_fd_of((int)a);
    if (simfd) shim_ioctls++;
    pthread_mutex_unlock(&shim_lock);
    if (!simfd) break;
    return ops->ioctl(ops->ctx, simfd, (unsigned long)b, (void *)c);
  case SYS_mmap: {
    pthread_mutex_lock(&shim_lock);
    simfd = sim_fd_of((int)e);
    pthread_mutex_unlock(&shim_lock);
    if (!simfd) break;
    void *p = ops->mmap(ops->ctx, (void *)a, (size_t)b, (int)c, (int)d, simfd, (int64_t)f);
    if (p == MAP_FAILED) return (long)MAP_FAILED;
    pthread_mutex_lock(&shim_lock);
    for (int i = 0; i < MAX_MAPS; i++)
      if (!maps[i].addr) {
        maps[i].addr = p;
        maps[i].len = (size_t)b;
        break;
      }
    pthread_mutex_unlock(&shim_lock);
    return (long)p;
  }
  case SYS_munmap: {
    int mine = 0;
    pthread_mutex_lock(&shim_lock);
    for (int i = 0; i < MAX_MAPS; i++)
      if (maps[i].addr == (void *)a) {
        maps[i].addr = NULL;
        mine = 1;
        break;
      }
    pthread_mutex_unlock(&shim_lock);
    if (!mine) break;
    return ops->munmap(ops->ctx, (void *)a, (size_t)b);
  }
  case SYS_close:
    pthread_mutex_lock(&shim_lock);
    simfd = 0;
    for (int i = 0; i < MAX_FDS; i++)
      if (fds[i].sim && fds[i].real == (int)a) {
        simfd = fds[i].sim;
        fds[i].sim = 0;
      }
    pthread_mutex_unlock(&shim_lock);
    if (simfd) ops->close(ops->ctx, simfd);
    break;
  default:
    break;
  }
  r = real_syscall(n, a, b, c, d, e, f);
  return r;
}

/* ---- tests ------------------------------------------------------------------ */

static int setup(void **state) {
  (void)state;
  g_sim = v4l2_sim_create();
  shim_ioctls = 0;
  return g_sim ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  v4l2_sim_state st;
  v4l2_sim_get_state(g_sim, &st);
  v4l2_sim *s = g_sim;
  g_sim = NULL;
  v4l2_sim_destroy(s);
  assert_int_equal(st.open_fds, 0);
  return 0;
}

static void test_v4l2_simulated_libv4l2_stream(void **state) {
  (void)state;
  odai_camera_options o;
  odai_camera_options_default(&o);
  o.width = 320;
  o.height = 240;
  o.fourcc = ODAI_CAMERA_YUYV;
  odai_camera *cam = NULL;
  odai_error err = {0};
  if (odai_camera_open(V4L2_SIM_PATH, &o, &cam, &err) != ODAI_OK) fail_msg("open: %s", err.message);
  assert_true(shim_ioctls > 10); /* the calls went through libv4l2 and the shim */
  odai_camera_mode g = odai_camera_mode_granted(cam);
  assert_int_equal(g.fourcc, ODAI_CAMERA_YUYV);
  assert_int_equal(g.width, 320);
  size_t n = 0;
  const odai_camera_mode *m = odai_camera_modes(cam, &n);
  int mjpg = 0;
  for (size_t i = 0; i < n; i++) mjpg |= m[i].fourcc == ODAI_CAMERA_MJPEG;
  assert_true(mjpg);
  for (uint64_t i = 0; i < 8; i++) {
    odai_image *img = NULL;
    assert_int_equal(odai_camera_read(cam, 1000, &img, NULL, &err), ODAI_OK);
    assert_int_equal(odai_image_format(img), ODAI_PIXEL_YUYV);
    assert_int_equal(odai_image_cdata(img, 0)[0], v4l2_sim_marker(i));
    odai_image_unref(img);
  }
  odai_camera_close(cam);
}

static void test_v4l2_simulated_libv4l2_mjpeg_and_unplug(void **state) {
  (void)state;
  odai_camera_options o;
  odai_camera_options_default(&o);
  o.width = 1280;
  o.height = 720;
  o.fps = 30;
  odai_camera *cam = NULL;
  odai_error err = {0};
  if (odai_camera_open(V4L2_SIM_PATH, &o, &cam, &err) != ODAI_OK) fail_msg("open: %s", err.message);
  assert_int_equal(odai_camera_mode_granted(cam).fourcc, ODAI_CAMERA_MJPEG);
  odai_image *img = NULL;
  assert_int_equal(odai_camera_read(cam, 1000, &img, NULL, &err), ODAI_OK);
  assert_int_equal(odai_image_format(img), ODAI_PIXEL_RGB8);
  assert_int_equal(odai_image_width(img), 1280);
  odai_image_unref(img);
  v4l2_sim_unplug(g_sim, 1);
  assert_int_equal(odai_camera_read(cam, 1000, &img, NULL, &err), ODAI_E_DEVICE_LOST);
  assert_non_null(strstr(err.message, V4L2_SIM_PATH));
  v4l2_sim_plug(g_sim, 0);
  assert_int_equal(odai_camera_reopen(cam, &err), ODAI_OK);
  assert_int_equal(odai_camera_read(cam, 1000, &img, NULL, &err), ODAI_OK);
  odai_image_unref(img);
  odai_camera_close(cam);
}

/* RGB3: not offered by the (simulated) device itself; libv4l2 converts its
 * YUYV or MJPG frames in software, and odai wraps libv4l2's buffer. */
static void test_v4l2_simulated_libv4l2_rgb24_conversion(void **state) {
  (void)state;
  odai_camera_options o;
  odai_camera_options_default(&o);
  o.width = 320;
  o.height = 240;
  o.fourcc = ODAI_CAMERA_RGB24;
  odai_camera *cam = NULL;
  odai_error err = {0};
  if (odai_camera_open(V4L2_SIM_PATH, &o, &cam, &err) != ODAI_OK) fail_msg("open: %s", err.message);
  odai_camera_mode g = odai_camera_mode_granted(cam);
  assert_int_equal(g.fourcc, ODAI_CAMERA_RGB24);
  assert_int_equal(g.width, 320);
  v4l2_sim_state st;
  v4l2_sim_get_state(g_sim, &st);
  assert_int_not_equal(st.fourcc, V4L2_PIX_FMT_RGB24); /* the device streams its own format */
  for (uint64_t i = 0; i < 4; i++) {
    odai_image *img = NULL;
    assert_int_equal(odai_camera_read(cam, 1000, &img, NULL, &err), ODAI_OK);
    assert_int_equal(odai_image_format(img), ODAI_PIXEL_RGB8);
    assert_int_equal(odai_image_width(img), 320);
    const uint8_t *p = odai_image_cdata(img, 0) + (size_t)8 * odai_image_stride(img, 0) + 8 * 3;
    assert_in_range(p[0], v4l2_sim_marker(i) - 8, v4l2_sim_marker(i) + 8);
    odai_image_unref(img);
  }
  odai_camera_close(cam);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_v4l2_simulated_libv4l2_stream, setup, teardown),
      cmocka_unit_test_setup_teardown(test_v4l2_simulated_libv4l2_mjpeg_and_unplug, setup, teardown),
      cmocka_unit_test_setup_teardown(test_v4l2_simulated_libv4l2_rgb24_conversion, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
