/* tests/inference/test_interp_noalloc.c: invoke allocates nothing. malloc,
 * calloc, realloc and posix_memalign are interposed (forwarded to glibc's
 * __libc_* entry points) and counted while odai_interpreter_invoke runs, on
 * 1 and 2 threads, for every golden model. Label media + nosan (sanitizers
 * interpose malloc themselves). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdatomic.h>

#include "golden_util.h"
#include "odai/inference.h"

static atomic_int g_counting;
static atomic_long g_allocs;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define NOALLOC_SANITIZED 1 /* the sanitizer owns malloc: nothing to interpose */
#else
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t a, size_t n);
extern void __libc_free(void *p);

static void count(void) {
  if (atomic_load_explicit(&g_counting, memory_order_relaxed)) atomic_fetch_add(&g_allocs, 1);
}

void *malloc(size_t n) {
  count();
  return __libc_malloc(n);
}
void *calloc(size_t n, size_t m) {
  count();
  return __libc_calloc(n, m);
}
void *realloc(void *p, size_t n) {
  count();
  return __libc_realloc(p, n);
}
int posix_memalign(void **out, size_t a, size_t n) {
  count();
  void *p = __libc_memalign(a, n);
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}
void *aligned_alloc(size_t a, size_t n) {
  count();
  return __libc_memalign(a, n);
}
void free(void *p) { __libc_free(p); }
#endif

static const char *const k_models[] = {"face_detection_short_range", "face_detection_full_range",
                                       "face_detection_full_range_sparse", "selfie_segmentation",
                                       "selfie_segmentation_landscape", "MobileFaceNet", "pose_detection",
                                       "palm_detection_full", "hand_landmark_lite", "pose_landmark_lite"};

static void test_invoke_does_not_allocate(void **state) {
  (void)state;
#ifdef NOALLOC_SANITIZED
  skip();
#endif
  const char *dir = golden_env("ODAI_MODEL_DIR");
  if (!dir) fail_msg("ODAI_MODEL_DIR not set (run through ctest)");
  for (size_t i = 0; i < sizeof k_models / sizeof k_models[0]; i++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.tflite", dir, k_models[i]);
    odai_model *m;
    odai_interpreter *it;
    odai_error err;
    if (odai_model_load_file(path, &m, &err) != ODAI_OK) fail_msg("%s", err.message);
    odai_interpreter_options opt;
    odai_interpreter_options_init(&opt);
    for (int threads = 1; threads <= 2; threads++) {
      opt.num_threads = threads;
      atomic_store(&g_allocs, 0);
      atomic_store(&g_counting, 1); /* the counter works: creation does allocate */
      assert_int_equal(odai_interpreter_create(m, &opt, &it, &err), ODAI_OK);
      atomic_store(&g_counting, 0);
      assert_true(atomic_load(&g_allocs) > 0);
      assert_int_equal(odai_interpreter_invoke(it, &err), ODAI_OK); /* warm (lazy libc state) */
      atomic_store(&g_allocs, 0);
      atomic_store(&g_counting, 1);
      for (int r = 0; r < 3; r++) assert_int_equal(odai_interpreter_invoke(it, &err), ODAI_OK);
      atomic_store(&g_counting, 0);
      long n = atomic_load(&g_allocs);
      printf("  %-34s threads %d: %ld allocations in 3 invokes\n", k_models[i], threads, n);
      assert_int_equal(n, 0);
      odai_interpreter_free(it);
    }
    odai_model_free(m);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_invoke_does_not_allocate)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
