/* LIVE_STREAM under overload: frames offered 4x faster than the task
 * processes them: the producer paces frames at a quarter of the IMAGE-mode
 * time per frame, and each result callback holds its frame until three
 * more frames have been offered, so the task completes at most one frame
 * per four offered whatever the machine's load. Checks: results
 * arrive in timestamp order, every delivered result equals IMAGE mode on
 * the same frame, dropped frames are counted (offered = delivered +
 * dropped), the frames held by the task stay bounded (the caller's wrapped
 * buffers are released; none is left after close), RSS is printed before
 * and after; non-increasing timestamps are errors. Label threads (TSan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "tasks_test_util.h"

#define N_FRAMES 48

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void sleep_s(double s) {
  struct timespec t = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
  nanosleep(&t, NULL);
}

static long rss_kb(void) {
  long pages = 0, res = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f) {
    if (fscanf(f, "%ld %ld", &pages, &res) != 2) res = 0;
    fclose(f);
  }
  return res * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Caller frames: wraps of two source images; `outstanding` counts wraps
 * not yet released (by the caller or the task). */
static atomic_int g_outstanding;
static void on_release(void *user) {
  (void)user;
  atomic_fetch_sub(&g_outstanding, 1);
}

static odai_image *wrap(odai_image *src) {
  odai_image_planes p;
  odai_image_get_planes(src, &p);
  odai_image *w = NULL;
  atomic_fetch_add(&g_outstanding, 1);
  assert_int_equal(odai_image_wrap(p.width, p.height, p.format, p.data, p.stride, false,
                                   on_release, NULL, &w),
                   ODAI_OK);
  return w;
}

typedef struct live {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int offered; /* frames offered so far */
  bool done;   /* the producer has finished */
  int64_t last_ts;
  int n, out_of_order, mismatches;
  const odai_detections *want[2]; /* IMAGE-mode results of the two sources */
  const odai_image *want_mask;
  double max_diff;
} live;

/* In a callback (l->mu held): keep frame ts until three more frames were
 * offered (or the producer is done; 10 s at most as a safety net). */
static void hold(live *l, int64_t ts) {
  int k = (int)((ts - 1000) / 33333);
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += 10;
  while (l->offered < k + 4 && !l->done)
    if (pthread_cond_timedwait(&l->cv, &l->mu, &until) != 0) break;
}

static void on_faces(void *user, odai_status st, const odai_face_detector_result *r,
                     const odai_image *image, int64_t ts) {
  live *l = user;
  pthread_mutex_lock(&l->mu);
  if (st != ODAI_OK || !r || !image || r->timestamp_us != ts) l->mismatches++;
  if (ts <= l->last_ts) l->out_of_order++;
  l->last_ts = ts;
  /* frame k has timestamp 1000 + 33333 k and shows source k % 2 */
  int k = (int)((ts - 1000) / 33333);
  double d = r ? detections_diff(&r->detections, l->want[k % 2]) : INFINITY;
  if (!(d <= 1e-6)) l->mismatches++;
  if (d > l->max_diff) l->max_diff = d;
  l->n++;
  hold(l, ts);
  pthread_mutex_unlock(&l->mu);
}

static void on_masks(void *user, odai_status st, const odai_image_segmenter_result *r,
                     const odai_image *image, int64_t ts) {
  live *l = user;
  pthread_mutex_lock(&l->mu);
  if (st != ODAI_OK || !r || !image) l->mismatches++;
  if (ts <= l->last_ts) l->out_of_order++;
  l->last_ts = ts;
  double d = r ? mask_diff(r->confidence_mask, l->want_mask) : INFINITY;
  if (!(d <= 1e-5)) l->mismatches++;
  if (d > l->max_diff) l->max_diff = d;
  l->n++;
  hold(l, ts);
  pthread_mutex_unlock(&l->mu);
}

/* Offer N_FRAMES frames every `period` s; returns the most frames the task
 * held at once (outstanding wraps after our own unref). */
typedef odai_status (*offer_fn)(void *task, odai_image *img, int64_t ts, odai_error *err);

static int offer(void *task, offer_fn fn, odai_image *src[2], double period, live *l) {
  int held = 0;
  odai_error err;
  for (int k = 0; k < N_FRAMES; k++) {
    odai_image *w = wrap(src[k % 2]);
    if (fn(task, w, 1000 + 33333 * (int64_t)k, &err) != ODAI_OK) fail_msg("%s", err.message);
    odai_image_unref(w);
    pthread_mutex_lock(&l->mu);
    l->offered = k + 1;
    if (k == N_FRAMES - 1) l->done = true;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
    int o = atomic_load(&g_outstanding);
    if (o > held) held = o;
    sleep_s(period);
  }
  return held;
}

static odai_status face_async(void *t, odai_image *img, int64_t ts, odai_error *err) {
  return odai_face_detector_detect_async(t, img, ts, err);
}
static odai_status seg_async(void *t, odai_image *img, int64_t ts, odai_error *err) {
  return odai_image_segmenter_segment_async(t, img, ts, err);
}

static void face_overload(int threads) {
  odai_image *a = read_media("astronaut.png", ODAI_PIXEL_RGB8);
  odai_image *b = side_by_side(a, 100, 20, 256, 256);
  odai_image *src[2] = {a, b};
  /* IMAGE-mode references and the per-frame time */
  odai_face_detector_options o;
  odai_face_detector_options_init(&o);
  o.num_threads = threads;
  odai_face_detector *fd = NULL;
  odai_error err;
  assert_int_equal(odai_face_detector_create(&o, &fd, &err), ODAI_OK);
  odai_face_detector_result ref[2];
  double t0 = now_s();
  for (int i = 0; i < 6; i++) {
    if (i >= 2) odai_face_detector_result_free(&ref[i % 2]);
    assert_int_equal(odai_face_detector_detect(fd, src[i % 2], &ref[i % 2], &err), ODAI_OK);
  }
  double per_frame = (now_s() - t0) / 6;
  odai_face_detector_close(fd);
  assert_int_equal(ref[0].detections.count, 1);
  assert_int_equal(ref[1].detections.count, 2);

  live l = {.last_ts = -1, .want = {&ref[0].detections, &ref[1].detections}};
  pthread_mutex_init(&l.mu, NULL);
  pthread_cond_init(&l.cv, NULL);
  o.running_mode = ODAI_RUNNING_MODE_LIVE_STREAM;
  o.result_callback = on_faces;
  o.user_data = &l;
  assert_int_equal(odai_face_detector_create(&o, &fd, &err), ODAI_OK);
  long rss0 = rss_kb();
  int held = offer(fd, face_async, src, per_frame / 4, &l);
  long rss1 = rss_kb();
  /* a non-increasing timestamp is an error, not a crash, and not counted */
  odai_image *w = wrap(a);
  assert_int_equal(odai_face_detector_detect_async(fd, w, 1000 + 33333 * (N_FRAMES - 1), &err),
                   ODAI_E_INVALID);
  assert_int_equal(odai_face_detector_detect_async(fd, w, 5, &err), ODAI_E_INVALID);
  odai_image_unref(w);
  odai_task_stats s = odai_face_detector_stats(fd);
  odai_face_detector_close(fd); /* delivers what is in flight */
  printf("  %d thread(s): %.1f ms/frame in IMAGE mode; offered %d at 4x: delivered %d, dropped %llu;"
         " at most %d frames held; RSS %ld -> %ld KiB; max diff vs IMAGE %.2g\n",
         threads, per_frame * 1e3, N_FRAMES, l.n, (unsigned long long)s.dropped, held, rss0, rss1,
         l.max_diff);
  assert_int_equal(s.offered, N_FRAMES);
  assert_int_equal((uint64_t)l.n + s.dropped, N_FRAMES);
  assert_true(s.dropped > 0);
  assert_true(l.n > 0);
  assert_int_equal(l.out_of_order, 0);
  assert_int_equal(l.mismatches, 0);
  assert_true(held <= threads); /* in flight only; the caller's own was released */
  assert_int_equal(atomic_load(&g_outstanding), 0); /* all released after close */
  pthread_mutex_destroy(&l.mu);
  pthread_cond_destroy(&l.cv);
  odai_face_detector_result_free(&ref[0]);
  odai_face_detector_result_free(&ref[1]);
  odai_image_unref(b);
  odai_image_unref(a);
}

static void test_face_overload_1_thread(void **state) {
  (void)state;
  face_overload(1);
}

static void test_face_overload_2_threads(void **state) {
  (void)state;
  face_overload(2);
}

static void test_segmenter_overload(void **state) {
  (void)state;
  odai_image *a = read_media("messi5.jpg", ODAI_PIXEL_RGB8);
  odai_image *src[2] = {a, a}; /* one scene: smoothing leaves the mask as is */
  odai_image_segmenter_options o;
  odai_image_segmenter_options_init(&o);
  odai_image_segmenter *s = NULL;
  odai_error err;
  assert_int_equal(odai_image_segmenter_create(&o, &s, &err), ODAI_OK);
  odai_image_segmenter_result ref;
  double t0 = now_s();
  for (int i = 0; i < 3; i++) {
    if (i) odai_image_segmenter_result_free(&ref);
    assert_int_equal(odai_image_segmenter_segment(s, a, &ref, &err), ODAI_OK);
  }
  double per_frame = (now_s() - t0) / 3;
  odai_image_segmenter_close(s);
  live l = {.last_ts = -1, .want_mask = ref.confidence_mask};
  pthread_mutex_init(&l.mu, NULL);
  pthread_cond_init(&l.cv, NULL);
  o.running_mode = ODAI_RUNNING_MODE_LIVE_STREAM;
  o.result_callback = on_masks;
  o.user_data = &l;
  assert_int_equal(odai_image_segmenter_create(&o, &s, &err), ODAI_OK);
  int held = offer(s, seg_async, src, per_frame / 4, &l);
  odai_task_stats st = odai_image_segmenter_stats(s);
  odai_image_segmenter_close(s);
  printf("  segmenter: %.1f ms/frame; offered %d at 4x: delivered %d, dropped %llu; max diff %.2g\n",
         per_frame * 1e3, N_FRAMES, l.n, (unsigned long long)st.dropped, l.max_diff);
  assert_int_equal((uint64_t)l.n + st.dropped, N_FRAMES);
  assert_true(st.dropped > 0);
  assert_int_equal(l.out_of_order, 0);
  assert_int_equal(l.mismatches, 0);
  assert_true(held <= 1);
  assert_int_equal(atomic_load(&g_outstanding), 0);
  pthread_mutex_destroy(&l.mu);
  pthread_cond_destroy(&l.cv);
  odai_image_segmenter_result_free(&ref);
  odai_image_unref(a);
}

/* close right after offering: the frames in flight are delivered or
 * released, nothing leaks (LeakSanitizer), the callback is not called
 * after close returns. */
static void test_close_with_frames_in_flight(void **state) {
  (void)state;
  odai_image *a = read_media("astronaut.png", ODAI_PIXEL_RGB8);
  live l = {.last_ts = -1};
  odai_face_detector_result ref;
  odai_face_detector_options o;
  odai_face_detector_options_init(&o);
  odai_face_detector *fd = NULL;
  odai_error err;
  assert_int_equal(odai_face_detector_create(&o, &fd, &err), ODAI_OK);
  assert_int_equal(odai_face_detector_detect(fd, a, &ref, &err), ODAI_OK);
  odai_face_detector_close(fd);
  l.want[0] = l.want[1] = &ref.detections;
  pthread_mutex_init(&l.mu, NULL);
  pthread_cond_init(&l.cv, NULL);
  o.running_mode = ODAI_RUNNING_MODE_LIVE_STREAM;
  o.num_threads = 2;
  o.result_callback = on_faces;
  o.user_data = &l;
  for (int round = 0; round < 3; round++) {
    assert_int_equal(odai_face_detector_create(&o, &fd, &err), ODAI_OK);
    l.last_ts = -1;
    l.n = 0;
    l.done = true; /* no holding in callbacks here */
    for (int k = 0; k < 4; k++) {
      odai_image *w = wrap(a);
      assert_int_equal(odai_face_detector_detect_async(fd, w, 1000 + 33333 * k, &err), ODAI_OK);
      odai_image_unref(w);
    }
    odai_task_stats s = odai_face_detector_stats(fd);
    odai_face_detector_close(fd);
    assert_int_equal((uint64_t)l.n + s.dropped, 4);
    assert_int_equal(atomic_load(&g_outstanding), 0);
  }
  assert_int_equal(l.mismatches, 0);
  pthread_mutex_destroy(&l.mu);
  pthread_cond_destroy(&l.cv);
  odai_face_detector_result_free(&ref);
  odai_image_unref(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_face_overload_1_thread),
      cmocka_unit_test(test_face_overload_2_threads),
      cmocka_unit_test(test_segmenter_overload),
      cmocka_unit_test(test_close_with_frames_in_flight),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
