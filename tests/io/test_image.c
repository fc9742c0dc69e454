/* tests/io/test_image.c: the odai_image type: format table, layout and
 * alignment, pools (no allocation after warm-up), wrapped buffers (release
 * exactly once), crop views sharing the buffer, copies, refcounts across
 * threads. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "image_ref.h"
#include "odai/image.h"

static void test_format_table(void **state) {
  (void)state;
  assert_string_equal(odai_pixel_format_name(ODAI_PIXEL_NV12), "nv12");
  assert_string_equal(odai_pixel_format_name((odai_pixel_format)99), "unknown");
  for (int f = 1; f < ODAI_PIXEL_COUNT; f++)
    assert_int_equal(odai_pixel_format_from_name(odai_pixel_format_name((odai_pixel_format)f)), f);
  assert_int_equal(odai_pixel_format_from_name("RGB"), ODAI_PIXEL_RGB8);
  assert_int_equal(odai_pixel_format_from_name("yuy2"), ODAI_PIXEL_YUYV);
  assert_int_equal(odai_pixel_format_from_name("grey"), ODAI_PIXEL_GRAY8);
  assert_int_equal(odai_pixel_format_from_name("cmyk"), ODAI_PIXEL_UNKNOWN);
  assert_int_equal(odai_pixel_format_from_name(NULL), ODAI_PIXEL_UNKNOWN);
  assert_int_equal(odai_pixel_format_planes(ODAI_PIXEL_I420), 3);
  assert_int_equal(odai_pixel_format_planes(ODAI_PIXEL_NV12), 2);
  assert_int_equal(odai_pixel_format_bpp(ODAI_PIXEL_F32C3), 12);
  assert_int_equal(odai_pixel_format_channels(ODAI_PIXEL_RGBA8), 4);
  assert_true(odai_pixel_format_is_yuv(ODAI_PIXEL_YUYV));
  assert_false(odai_pixel_format_is_yuv(ODAI_PIXEL_GRAY8));
  int pw, ph;
  size_t rb;
  assert_int_equal(odai_pixel_format_plane_size(ODAI_PIXEL_NV12, 5, 3, 1, &pw, &ph, &rb), ODAI_OK);
  assert_int_equal(pw, 3);
  assert_int_equal(ph, 2);
  assert_int_equal(rb, 6);
  assert_int_equal(odai_pixel_format_plane_size(ODAI_PIXEL_YUYV, 5, 3, 0, &pw, &ph, &rb), ODAI_OK);
  assert_int_equal(rb, 12);
  assert_int_equal(odai_pixel_format_plane_size(ODAI_PIXEL_RGB8, 5, 3, 1, &pw, &ph, &rb), ODAI_E_INVALID);
}

static void test_new_layout_and_limits(void **state) {
  (void)state;
  for (int f = 1; f < ODAI_PIXEL_COUNT; f++) {
    odai_image *img = NULL;
    assert_int_equal(odai_image_new(33, 17, (odai_pixel_format)f, &img), ODAI_OK);
    odai_image_planes p;
    odai_image_get_planes(img, &p);
    assert_int_equal(p.num_planes, odai_pixel_format_planes((odai_pixel_format)f));
    for (int i = 0; i < p.num_planes; i++) {
      assert_int_equal((uintptr_t)p.data[i] % 64, 0);
      assert_int_equal(p.stride[i] % 64, 0);
      size_t rb;
      odai_pixel_format_plane_size((odai_pixel_format)f, 33, 17, i, NULL, NULL, &rb);
      assert_true((size_t)p.stride[i] >= rb);
    }
    assert_null(odai_image_data(img, p.num_planes));
    assert_true(odai_image_is_writable(img));
    odai_image_unref(img);
  }
  odai_image *img = (odai_image *)1;
  assert_int_equal(odai_image_new(0, 10, ODAI_PIXEL_RGB8, &img), ODAI_E_INVALID);
  assert_null(img);
  assert_int_equal(odai_image_new(10, 10, ODAI_PIXEL_UNKNOWN, &img), ODAI_E_INVALID);
  /* Beyond the limits: refused without allocating. */
  assert_int_equal(odai_image_new(ODAI_IMAGE_MAX_DIM + 1, 10, ODAI_PIXEL_GRAY8, &img), ODAI_E_UNSUPPORTED);
  assert_int_equal(odai_image_new(ODAI_IMAGE_MAX_DIM, ODAI_IMAGE_MAX_DIM, ODAI_PIXEL_F32C3, &img),
                   ODAI_E_UNSUPPORTED);
  odai_image_unref(NULL);
  assert_null(odai_image_ref(NULL));
}

static void test_pool_reuse_no_alloc_after_warmup(void **state) {
  (void)state;
  odai_image_pool *pool = NULL;
  assert_int_equal(odai_image_pool_create(0, &pool), ODAI_OK);
  /* A pipeline that keeps 3 frames in flight. */
  odai_image *ring[3] = {NULL};
  for (int i = 0; i < 3; i++) assert_int_equal(odai_image_pool_acquire(pool, 640, 480, ODAI_PIXEL_NV12, &ring[i]), ODAI_OK);
  uint64_t allocs0, reuses;
  size_t nfree;
  odai_image_pool_stats(pool, &allocs0, &nfree, &reuses);
  assert_int_equal(allocs0, 3);
  for (int n = 0; n < 300; n++) {
    odai_image_unref(ring[n % 3]);
    assert_int_equal(odai_image_pool_acquire(pool, 640, 480, ODAI_PIXEL_NV12, &ring[n % 3]), ODAI_OK);
  }
  uint64_t allocs1;
  odai_image_pool_stats(pool, &allocs1, &nfree, &reuses);
  assert_int_equal(allocs1, allocs0); /* zero allocations in steady state */
  assert_int_equal(reuses, 300);
  /* A smaller request reuses a big-enough buffer only within 2x. */
  odai_image_unref(ring[0]);
  odai_image *small = NULL;
  assert_int_equal(odai_image_pool_acquire(pool, 16, 16, ODAI_PIXEL_GRAY8, &small), ODAI_OK);
  odai_image_pool_stats(pool, &allocs1, &nfree, NULL);
  assert_int_equal(allocs1, allocs0 + 1);
  assert_int_equal(nfree, 1);
  /* Destroy with frames still out: they stay valid and free on unref. */
  odai_image_pool_destroy(pool);
  memset(odai_image_data(ring[1], 0), 1, 640);
  odai_image_unref(ring[1]);
  odai_image_unref(ring[2]);
  odai_image_unref(small);
}

static void test_pool_free_limit(void **state) {
  (void)state;
  odai_image_pool *pool = NULL;
  assert_int_equal(odai_image_pool_create(100 * 1024, &pool), ODAI_OK);
  odai_image *a = NULL, *b = NULL;
  assert_int_equal(odai_image_pool_acquire(pool, 256, 256, ODAI_PIXEL_GRAY8, &a), ODAI_OK); /* 64 KiB */
  assert_int_equal(odai_image_pool_acquire(pool, 256, 256, ODAI_PIXEL_GRAY8, &b), ODAI_OK);
  odai_image_unref(a);
  odai_image_unref(b); /* over the 100 KiB limit: freed, not kept */
  size_t nfree;
  odai_image_pool_stats(pool, NULL, &nfree, NULL);
  assert_int_equal(nfree, 1);
  odai_image_pool_destroy(pool);
}

/* The default pool serves pixel work: converting and resizing camera-sized
 * frames in a loop allocates nothing after the first rounds. */
static void test_default_pool_steady_state(void **state) {
  (void)state;
  odai_image *yuyv = ref_make(320, 240, ODAI_PIXEL_YUYV, 1);
  odai_image_pool *dp = odai_image_default_pool();
  uint64_t a0 = 0, a1 = 0;
  for (int n = 0; n < 50; n++) {
    if (n == 5) odai_image_pool_stats(dp, &a0, NULL, NULL);
    odai_image *rgb = NULL, *small = NULL, *lb = NULL;
    assert_int_equal(odai_image_convert(yuyv, ODAI_PIXEL_RGB8, &rgb, NULL), ODAI_OK);
    assert_int_equal(odai_image_resize(rgb, 128, 128, ODAI_RESIZE_BILINEAR, &small, NULL), ODAI_OK);
    assert_int_equal(odai_image_letterbox(yuyv, 192, 192, 0, ODAI_RESIZE_AREA, &lb, NULL, NULL), ODAI_OK);
    odai_image_unref(rgb);
    odai_image_unref(small);
    odai_image_unref(lb);
  }
  odai_image_pool_stats(dp, &a1, NULL, NULL);
  assert_int_equal(a1, a0);
  odai_image_unref(yuyv);
}

static int g_released;
static void count_release(void *user) {
  g_released++;
  free(user);
}

static void test_wrap_release_once(void **state) {
  (void)state;
  uint8_t *buf = calloc(1, 64 * 10 + 64 * 5);
  g_released = 0;
  uint8_t *planes[2] = {buf, buf + 64 * 10};
  int strides[2] = {64, 64};
  odai_image *img = NULL;
  assert_int_equal(odai_image_wrap(60, 10, ODAI_PIXEL_NV12, planes, strides, false, count_release, buf, &img), ODAI_OK);
  assert_ptr_equal(odai_image_cdata(img, 0), buf);
  assert_ptr_equal(odai_image_cdata(img, 1), buf + 640);
  assert_false(odai_image_is_writable(img)); /* read-only wrap */
  odai_image *r2 = odai_image_ref(img), *view = NULL, *rgb = NULL;
  assert_int_equal(odai_image_crop(img, 2, 2, 10, 4, &view, NULL), ODAI_OK);
  assert_int_equal(odai_image_convert(img, ODAI_PIXEL_RGB8, &rgb, NULL), ODAI_OK);
  odai_image_unref(img);
  odai_image_unref(r2);
  assert_int_equal(g_released, 0); /* the view still holds it */
  odai_image_unref(view);
  assert_int_equal(g_released, 1);
  odai_image_unref(rgb);
  assert_int_equal(g_released, 1);

  /* Failure paths still release exactly once. */
  uint8_t *b2 = malloc(16);
  int bad_stride[1] = {2};
  uint8_t *p1[1] = {b2};
  img = (odai_image *)1;
  assert_int_equal(odai_image_wrap(8, 2, ODAI_PIXEL_RGB8, p1, bad_stride, true, count_release, b2, &img), ODAI_E_INVALID);
  assert_null(img);
  assert_int_equal(g_released, 2);

  /* A writable wrap is writable while uniquely held. */
  uint8_t local[32];
  int st1[1] = {8};
  uint8_t *p2[1] = {local};
  assert_int_equal(odai_image_wrap(8, 4, ODAI_PIXEL_GRAY8, p2, st1, true, NULL, NULL, &img), ODAI_OK);
  assert_true(odai_image_is_writable(img));
  assert_int_equal(odai_image_fill(img, 0xffffffffu, NULL), ODAI_OK);
  assert_int_equal(local[31], 255);
  odai_image_unref(img);
  /* Headers are recycled: wrapping frame after frame reuses one. */
  odai_image *first = NULL, *again = NULL;
  assert_int_equal(odai_image_wrap(8, 4, ODAI_PIXEL_GRAY8, p2, st1, false, NULL, NULL, &first), ODAI_OK);
  odai_image *remember = first;
  odai_image_unref(first);
  assert_int_equal(odai_image_wrap(8, 4, ODAI_PIXEL_GRAY8, p2, st1, false, NULL, NULL, &again), ODAI_OK);
  assert_ptr_equal(again, remember);
  assert_int_equal(odai_image_refcount(again), 1);
  assert_false(odai_image_is_writable(again));
  odai_image_unref(again);
}

static void test_crop_views(void **state) {
  (void)state;
  odai_image *src = ref_make(40, 30, ODAI_PIXEL_RGB8, 2), *v = NULL, *c = NULL;
  odai_error err = {0};
  assert_int_equal(odai_image_crop(src, 3, 5, 10, 7, &v, &err), ODAI_OK);
  assert_int_equal(odai_image_width(v), 10);
  assert_int_equal(odai_image_height(v), 7);
  assert_ptr_equal(odai_image_cdata(v, 0), odai_image_cdata(src, 0) + 5 * odai_image_stride(src, 0) + 9);
  assert_int_equal(odai_image_stride(v, 0), odai_image_stride(src, 0));
  assert_false(odai_image_is_writable(v));
  assert_false(odai_image_is_writable(src)); /* shared now */
  assert_int_equal(odai_image_refcount(src), 2);
  /* A copy equals the view pixel for pixel and is writable. */
  assert_int_equal(odai_image_crop_copy(src, 3, 5, 10, 7, &c, &err), ODAI_OK);
  assert_true(odai_image_is_writable(c));
  assert_true(ref_max_diff(v, c, -1) == 0);
  /* View of a view; the parent may go first. */
  odai_image *vv = NULL;
  assert_int_equal(odai_image_crop(v, 1, 1, 2, 2, &vv, &err), ODAI_OK);
  odai_image_unref(src);
  odai_image_unref(v);
  assert_int_equal(odai_image_cdata(vv, 0)[0], odai_image_cdata(c, 0)[odai_image_stride(c, 0) + 3]);
  odai_image_unref(vv);
  odai_image_unref(c);

  /* 4:2:0: even origin -> view; odd origin -> copy (luma exact). */
  odai_image *i420 = ref_make(40, 30, ODAI_PIXEL_I420, 3);
  assert_int_equal(odai_image_crop(i420, 4, 6, 11, 9, &v, &err), ODAI_OK);
  assert_false(odai_image_is_writable(v));
  assert_ptr_equal(odai_image_cdata(v, 1), odai_image_cdata(i420, 1) + 3 * odai_image_stride(i420, 1) + 2);
  odai_image_unref(v);
  assert_int_equal(odai_image_crop(i420, 3, 5, 10, 8, &v, &err), ODAI_OK);
  assert_true(odai_image_is_writable(v));
  for (int y = 0; y < 8; y++)
    for (int x = 0; x < 10; x++) {
      int a = odai_image_cdata(v, 0)[y * odai_image_stride(v, 0) + x];
      int b = odai_image_cdata(i420, 0)[(y + 5) * odai_image_stride(i420, 0) + x + 3];
      assert_true(abs(a - b) <= 2);
    }
  odai_image_unref(v);
  /* Odd origins on every YUV format: copies whose luma matches. */
  static const odai_pixel_format yuvs[] = {ODAI_PIXEL_NV12, ODAI_PIXEL_YUYV, ODAI_PIXEL_I420};
  for (int k = 0; k < 3; k++) {
    odai_image *yi = ref_make(41, 31, yuvs[k], 8), *c2 = NULL;
    assert_int_equal(odai_image_crop_copy(yi, 5, 3, 11, 9, &c2, &err), ODAI_OK);
    assert_int_equal(odai_image_format(c2), yuvs[k]);
    int step = yuvs[k] == ODAI_PIXEL_YUYV ? 2 : 1;
    for (int y = 0; y < 9; y++)
      for (int x = 0; x < 11; x++) {
        int a = odai_image_cdata(c2, 0)[y * odai_image_stride(c2, 0) + x * step];
        int b = odai_image_cdata(yi, 0)[(y + 3) * odai_image_stride(yi, 0) + (x + 5) * step];
        assert_true(abs(a - b) <= 2);
      }
    odai_image_unref(c2);
    odai_image_unref(yi);
  }
  /* Outside: refused with a message. */
  v = (odai_image *)1;
  assert_int_equal(odai_image_crop(i420, 35, 0, 10, 4, &v, &err), ODAI_E_INVALID);
  assert_null(v);
  assert_non_null(strstr(err.message, "outside"));
  assert_int_equal(odai_image_crop(i420, 0, 0, 0, 4, &v, &err), ODAI_E_INVALID);
  odai_image_unref(i420);
}

static void test_copy_and_fill(void **state) {
  (void)state;
  for (int f = 1; f < ODAI_PIXEL_COUNT; f++) {
    odai_image *a = ref_make(17, 9, (odai_pixel_format)f, 4), *b = NULL;
    assert_int_equal(odai_image_copy(a, &b), ODAI_OK);
    assert_true(ref_max_diff(a, b, -1) == 0);
    assert_ptr_not_equal(odai_image_cdata(a, 0), odai_image_cdata(b, 0));
    /* Fill with a colour and read it back as RGB. */
    assert_int_equal(odai_image_fill(b, 0x4080c0ffu, NULL), ODAI_OK);
    odai_image *rgb = NULL;
    assert_int_equal(odai_image_convert(b, ODAI_PIXEL_RGB8, &rgb, NULL), ODAI_OK);
    const uint8_t *p = odai_image_cdata(rgb, 0) + 4 * odai_image_stride(rgb, 0) + 3 * 8;
    if (odai_pixel_format_channels((odai_pixel_format)f) == 1) {
      /* GRAY8 takes the luma; F32 takes R / 255 (a mask value). */
      int l = f == ODAI_PIXEL_F32 ? 0x40 : (299 * 0x40 + 587 * 0x80 + 114 * 0xc0 + 500) / 1000;
      assert_true(abs(p[0] - l) <= 1 && p[0] == p[1] && p[1] == p[2]);
    } else {
      assert_true(abs(p[0] - 0x40) <= 2 && abs(p[1] - 0x80) <= 2 && abs(p[2] - 0xc0) <= 2);
    }
    /* copy_into checks shapes. */
    odai_image *c = NULL;
    assert_int_equal(odai_image_new(17, 9, (odai_pixel_format)f, &c), ODAI_OK);
    assert_int_equal(odai_image_copy_into(a, c), ODAI_OK);
    assert_true(ref_max_diff(a, c, -1) == 0);
    odai_image_unref(c);
    assert_int_equal(odai_image_new(16, 9, (odai_pixel_format)f, &c), ODAI_OK);
    assert_int_equal(odai_image_copy_into(a, c), ODAI_E_INVALID);
    odai_image_unref(c);
    odai_image_unref(rgb);
    odai_image_unref(a);
    odai_image_unref(b);
  }
}

static void test_convert_same_format_shares(void **state) {
  (void)state;
  odai_image *a = ref_make(8, 8, ODAI_PIXEL_BGR8, 1), *b = NULL;
  assert_int_equal(odai_image_convert(a, ODAI_PIXEL_BGR8, &b, NULL), ODAI_OK);
  assert_ptr_equal(a, b);
  assert_int_equal(odai_image_refcount(a), 2);
  odai_image_unref(b);
  odai_error err = {0};
  b = (odai_image *)1;
  assert_int_equal(odai_image_convert(a, ODAI_PIXEL_COUNT, &b, &err), ODAI_E_INVALID);
  assert_null(b);
  odai_image *ro = NULL;
  assert_int_equal(odai_image_crop(a, 0, 0, 8, 8, &ro, NULL), ODAI_OK);
  assert_int_equal(odai_image_convert_into(a, ro, &err), ODAI_E_INVALID); /* read-only destination */
  odai_image_unref(ro);
  odai_image_unref(a);
}

/* Threads: refs/unrefs of one shared frame and pool traffic at once. */
typedef struct thr_arg {
  odai_image *shared;
  odai_image_pool *pool;
} thr_arg;

static void *thr_main(void *p) {
  thr_arg *a = p;
  for (int i = 0; i < 2000; i++) {
    odai_image *r = odai_image_ref(a->shared);
    odai_image *v = NULL, *f = NULL;
    if (odai_image_crop(r, 1, 1, 4, 4, &v, NULL) != ODAI_OK) abort();
    if (odai_image_pool_acquire(a->pool, 32 + (i % 3), 16, ODAI_PIXEL_RGB8, &f) != ODAI_OK) abort();
    odai_image_data(f, 0)[0] = (uint8_t)i;
    odai_image_unref(v);
    odai_image_unref(f);
    odai_image_unref(r);
  }
  return NULL;
}

static void test_threads_refcount_and_pool(void **state) {
  (void)state;
  g_released = 0;
  uint8_t *buf = calloc(1, 16 * 16);
  uint8_t *planes[1] = {buf};
  int strides[1] = {16};
  thr_arg a = {NULL, NULL};
  assert_int_equal(odai_image_wrap(16, 16, ODAI_PIXEL_GRAY8, planes, strides, false, count_release, buf, &a.shared), ODAI_OK);
  assert_int_equal(odai_image_pool_create(0, &a.pool), ODAI_OK);
  pthread_t t[4];
  for (int i = 0; i < 4; i++) assert_int_equal(pthread_create(&t[i], NULL, thr_main, &a), 0);
  for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
  assert_int_equal(odai_image_refcount(a.shared), 1);
  assert_int_equal(g_released, 0);
  odai_image_unref(a.shared);
  assert_int_equal(g_released, 1);
  uint64_t allocs;
  odai_image_pool_stats(a.pool, &allocs, NULL, NULL);
  assert_true(allocs <= 12); /* at most threads x distinct sizes */
  odai_image_pool_destroy(a.pool);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_format_table),
      cmocka_unit_test(test_new_layout_and_limits),
      cmocka_unit_test(test_pool_reuse_no_alloc_after_warmup),
      cmocka_unit_test(test_pool_free_limit),
      cmocka_unit_test(test_default_pool_steady_state),
      cmocka_unit_test(test_wrap_release_once),
      cmocka_unit_test(test_crop_views),
      cmocka_unit_test(test_copy_and_fill),
      cmocka_unit_test(test_convert_same_format_shares),
      cmocka_unit_test(test_threads_refcount_and_pool),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
