/* tests/face/test_gallery_atomic.c: a gallery save interrupted at every file
 * operation (open, each write, fsync, close, rename, directory fsync), both as
 * a returned error (EIO, ENOSPC with half the bytes written) and as a crash
 * (that step and every later one fail): the file on disk is always the
 * complete old or the complete new gallery, no temp file is left behind after
 * an error, and a later save recovers after a crash. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/stat.h>

#include "face_test_util.h"
#include "io/gallery/gallery_internal.h"
#include "odai/gallery.h"

#define DIM 8

static int g_step, g_fail_at, g_crash, g_enospc;

static bool fail_now(void) {
  g_step++;
  return g_crash ? g_step >= g_fail_at : g_step == g_fail_at;
}

static int t_open(const char *p, int fl, mode_t m) {
  if (fail_now()) {
    errno = ENOSPC;
    return -1;
  }
  return open(p, fl, m);
}
static ssize_t t_write(int fd, const void *b, size_t n) {
  if (n > 7) n = 7; /* short writes: exercise the write loop, one step each */
  if (fail_now()) {
    if (g_enospc && n > 1) (void)!write(fd, b, n / 2); /* part of it lands, then the disk is full */
    errno = g_enospc ? ENOSPC : EIO;
    return -1;
  }
  return write(fd, b, n);
}
static int t_fsync(int fd) {
  if (fail_now()) {
    errno = EIO;
    return -1;
  }
  return fsync(fd);
}
static int t_close(int fd) {
  if (fail_now()) {
    close(fd); /* the descriptor goes away anyway */
    errno = EIO;
    return -1;
  }
  return close(fd);
}
static int t_rename(const char *a, const char *b) {
  if (fail_now()) {
    errno = EIO;
    return -1;
  }
  return rename(a, b);
}
static int t_unlink(const char *p) {
  if (fail_now()) {
    errno = EIO;
    return -1;
  }
  return unlink(p);
}
static const odai_gallery_fs_ops g_test_ops = {t_open, t_write, t_fsync, t_close, t_rename,
                                               t_unlink};

typedef struct state {
  char *dir;
  char path[600], key[600];
} state;

/* Parse the file on disk; returns the number of identities, -1 if unreadable. */
static int disk_identities(const state *s, const char *key) {
  odai_gallery_options ro = {.read_only = true, .key_path = key};
  odai_gallery *g = NULL;
  odai_error err;
  if (odai_gallery_open(s->path, &ro, &g, &err) != ODAI_OK) {
    print_error("reopen: %s\n", err.message);
    return -1;
  }
  int n = (int)odai_gallery_count(g);
  odai_gallery_close(g);
  return n;
}

static void run_all_steps(const char *key, bool crash, bool enospc) {
  state s;
  s.dir = ft_tempdir();
  assert_non_null(s.dir);
  snprintf(s.path, sizeof s.path, "%s/g.gallery", s.dir);
  snprintf(s.key, sizeof s.key, "%s/k.key", s.dir);
  if (key && odai_gallery_keygen(s.key, NULL) == ODAI_E_UNSUPPORTED) {
    ft_rmdir(s.dir);
    free(s.dir);
    skip(); /* built without libsodium */
  }
  const char *kp = key ? s.key : NULL;
  uint8_t model[ODAI_MODEL_ID_SIZE];
  ft_model(model, 1);
  odai_gallery_options o = {.create_if_missing = true, .model_id = model, .dim = DIM,
                            .key_path = kp};
  odai_gallery *g = NULL;
  assert_int_equal(odai_gallery_open(s.path, &o, &g, NULL), ODAI_OK);
  uint64_t rs = 3;
  for (int i = 0; i < 3; i++) {
    odai_embedding *e = ft_embedding(DIM, 1, NULL, 1, &rs);
    char nm[16];
    snprintf(nm, sizeof nm, "old%d", i);
    assert_int_equal(odai_gallery_add(g, nm, e, NULL), ODAI_OK);
    odai_embedding_free(e);
  }
  assert_int_equal(odai_gallery_save(g, NULL), ODAI_OK);
  size_t old_n;
  uint8_t *old_bytes = ft_read(s.path, &old_n);
  /* The new state: two more identities. */
  for (int i = 0; i < 2; i++) {
    odai_embedding *e = ft_embedding(DIM, 1, NULL, 1, &rs);
    char nm[16];
    snprintf(nm, sizeof nm, "new%d", i);
    assert_int_equal(odai_gallery_add(g, nm, e, NULL), ODAI_OK);
    odai_embedding_free(e);
  }
  /* Count the steps of a clean save (into a scratch copy of the state). */
  g_crash = 0;
  g_enospc = enospc;
  g_fail_at = 1 << 30;
  g_step = 0;
  odai_gallery_fs_set_ops(&g_test_ops);
  assert_int_equal(odai_gallery_save(g, NULL), ODAI_OK);
  int steps = g_step;
  size_t new_n;
  uint8_t *new_bytes = ft_read(s.path, &new_n);
  assert_true(steps >= 8);
  int saw_old = 0, saw_new = 0;
  for (int n = 1; n <= steps; n++) {
    /* Back to the old file on disk, the new state in memory (dirty). */
    odai_gallery_fs_set_ops(NULL);
    assert_int_equal(ft_write(s.path, old_bytes, old_n), 0);
    assert_int_equal(odai_gallery_set_threshold(g, 0.5f + 0.001f * (float)n, NULL), ODAI_OK);
    g_crash = crash;
    g_fail_at = n;
    g_step = 0;
    odai_gallery_fs_set_ops(&g_test_ops);
    odai_error err;
    odai_status st = odai_gallery_save(g, &err);
    odai_gallery_fs_set_ops(NULL);
    assert_int_not_equal(st, ODAI_OK); /* every step's failure is reported */
    assert_true(odai_gallery_dirty(g));
    int ids = disk_identities(&s, kp);
    assert_true(ids == 3 || ids == 5); /* the complete old or the complete new one */
    if (ids == 3) {
      saw_old++;
      size_t n2;
      uint8_t *now = ft_read(s.path, &n2);
      assert_int_equal(n2, old_n);
      assert_memory_equal(now, old_bytes, old_n);
      free(now);
    } else {
      saw_new++;
    }
    struct stat sb;
    assert_int_equal(stat(s.path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    if (!crash) {
      assert_int_equal(ft_count_files(s.dir, ".tmp"), 0);
    } else {
      /* After a crash, the next save succeeds and clears the stale temp file. */
      assert_int_equal(odai_gallery_save(g, &err), ODAI_OK);
      assert_int_equal(disk_identities(&s, kp), 5);
      assert_int_equal(ft_count_files(s.dir, ".tmp"), 0);
    }
  }
  print_message("%s%s%s: %d steps, old kept %d times, new in place %d times\n",
                key ? "encrypted" : "plain", crash ? ", crash" : ", error",
                enospc ? ", ENOSPC" : "", steps, saw_old, saw_new);
  assert_true(saw_old > 0 && saw_new > 0); /* both sides of the rename were hit */
  /* Clean save at the end: the new one. */
  assert_int_equal(odai_gallery_save(g, NULL), ODAI_OK);
  assert_int_equal(disk_identities(&s, kp), 5);
  if (!key) {
    size_t n3;
    uint8_t *fin = ft_read(s.path, &n3);
    assert_int_equal(n3, new_n);
    free(fin);
  }
  odai_gallery_close(g);
  free(old_bytes);
  free(new_bytes);
  ft_rmdir(s.dir);
  free(s.dir);
}

static void test_plain_error(void **st) { (void)st; run_all_steps(NULL, false, false); }
static void test_plain_enospc(void **st) { (void)st; run_all_steps(NULL, false, true); }
static void test_plain_crash(void **st) { (void)st; run_all_steps(NULL, true, false); }
static void test_encrypted_error(void **st) { (void)st; run_all_steps("k", false, true); }
static void test_encrypted_crash(void **st) { (void)st; run_all_steps("k", true, false); }

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_plain_error),     cmocka_unit_test(test_plain_enospc),
      cmocka_unit_test(test_plain_crash),     cmocka_unit_test(test_encrypted_error),
      cmocka_unit_test(test_encrypted_crash),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
