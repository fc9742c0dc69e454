/* tests/face/test_gallery.c: the gallery store: open-set matching, top-k,
 * negatives, remove/rename/list, save and reopen, 0600, corrupt/truncated/
 * foreign files, the writer lock, encryption at rest, export/import and
 * threshold calibration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "face_test_util.h"
#include "io/gallery/gallery_internal.h"
#include "odai/gallery.h"

#define DIM 16

typedef struct fixture {
  char *dir;
  char path[600], key[600];
  uint8_t model[ODAI_MODEL_ID_SIZE];
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  f->dir = ft_tempdir();
  if (!f->dir) return -1;
  snprintf(f->path, sizeof f->path, "%s/faces.gallery", f->dir);
  snprintf(f->key, sizeof f->key, "%s/gallery.key", f->dir);
  ft_model(f->model, 1);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  ft_rmdir(f->dir);
  free(f->dir);
  free(f);
  return 0;
}

static odai_gallery *create(fixture *f, const char *key) {
  odai_gallery_options o = {.create_if_missing = true, .model_id = f->model, .dim = DIM,
                            .key_path = key};
  odai_gallery *g = NULL;
  odai_error err;
  odai_status st = odai_gallery_open(f->path, &o, &g, &err);
  if (st != ODAI_OK) print_error("open: %s\n", err.message);
  assert_int_equal(st, ODAI_OK);
  return g;
}

/* A unit basis combination: a*e_i + b*e_j. */
static odai_embedding *mix(float a, int i, float b, int j) {
  uint8_t id[ODAI_MODEL_ID_SIZE];
  ft_model(id, 1);
  odai_embedding *e = NULL;
  odai_embedding_create(DIM, id, NULL, &e, NULL);
  e->values[i] += a;
  e->values[j] += b;
  return e;
}

static void add(odai_gallery *g, const char *name, odai_embedding *e, bool negative) {
  odai_error err;
  odai_status st = negative ? odai_gallery_add_negative(g, name, e, &err)
                            : odai_gallery_add(g, name, e, &err);
  if (st != ODAI_OK) print_error("add %s: %s\n", name, err.message);
  assert_int_equal(st, ODAI_OK);
  odai_embedding_free(e);
}

static void test_match_identify_topk(void **state) {
  fixture *f = *state;
  odai_gallery *g = create(f, NULL);
  uint64_t s = 1;
  float centers[3][DIM];
  const char *names[3] = {"alice", "bob", "Zoë Ünïcode"};
  for (int p = 0; p < 3; p++) {
    for (int i = 0; i < DIM; i++) centers[p][i] = ft_gauss(&s);
    for (int k = 0; k < 4; k++) {
      odai_embedding *e = ft_embedding(DIM, 1, centers[p], 0.15f, &s);
      add(g, names[p], e, false);
    }
  }
  assert_int_equal(odai_gallery_count(g), 3);
  assert_float_equal(odai_gallery_threshold(g), ODAI_GALLERY_DEFAULT_THRESHOLD, 0);
  for (int p = 0; p < 3; p++) {
    odai_embedding *q = ft_embedding(DIM, 1, centers[p], 0.15f, &s);
    char name[ODAI_GALLERY_NAME_MAX + 1];
    float sim = 0;
    assert_int_equal(odai_gallery_identify(g, q, name, &sim, NULL), ODAI_OK);
    assert_string_equal(name, names[p]);
    assert_true(sim > 0.8f);
    odai_gallery_result r[5];
    size_t n = 0;
    assert_int_equal(odai_gallery_match(g, q, 5, r, &n, NULL), ODAI_OK);
    assert_int_equal(n, 3);
    assert_string_equal(r[0].name, names[p]);
    assert_float_equal(r[0].similarity, sim, 1e-6f);
    assert_true(r[0].similarity >= r[1].similarity && r[1].similarity >= r[2].similarity);
    assert_float_equal(r[0].negative_similarity, -2.0f, 0);
    /* The reported similarity is the best over the identity's embeddings. */
    odai_embedding *e2 = NULL;
    odai_embedding_copy(q, &e2, NULL);
    assert_int_equal(odai_gallery_match(g, q, 1, r, &n, NULL), ODAI_OK);
    assert_int_equal(n, 1);
    odai_embedding_free(e2);
    odai_embedding_free(q);
  }
  /* Far from everyone: unknown. */
  odai_embedding *q = ft_embedding(DIM, 1, NULL, 1.0f, &s);
  for (int i = 0; i < DIM; i++) q->values[i] = 0;
  q->values[0] = 1;
  char name[ODAI_GALLERY_NAME_MAX + 1];
  float sim;
  assert_int_equal(odai_gallery_set_threshold(g, 0.99f, NULL), ODAI_OK);
  assert_int_equal(odai_gallery_identify(g, q, name, &sim, NULL), ODAI_OK);
  assert_string_equal(name, ODAI_GALLERY_UNKNOWN);
  assert_true(sim < 0.99f);
  assert_int_equal(odai_gallery_set_threshold(g, 1.5f, NULL), ODAI_E_INVALID);
  odai_embedding_free(q);
  odai_gallery_close(g);
}

static void test_negatives_refuse(void **state) {
  fixture *f = *state;
  odai_gallery *g = create(f, NULL);
  add(g, "alice", mix(0.7f, 0, sqrtf(0.51f), 1), false);
  add(g, "bob", mix(0.6f, 0, 0.8f, 3), false);
  odai_embedding *q = mix(1.0f, 0, 0.0f, 0);
  char name[ODAI_GALLERY_NAME_MAX + 1];
  float sim;
  assert_int_equal(odai_gallery_identify(g, q, name, &sim, NULL), ODAI_OK);
  assert_string_equal(name, "alice");
  assert_float_equal(sim, 0.7f, 1e-5f);
  /* A stored "not alice" closer than alice's positives: alice is refused, bob wins. */
  add(g, "alice", mix(0.9f, 0, sqrtf(0.19f), 2), true);
  assert_int_equal(odai_gallery_identify(g, q, name, &sim, NULL), ODAI_OK);
  assert_string_equal(name, "bob");
  assert_float_equal(sim, 0.6f, 1e-5f);
  odai_gallery_result r[3];
  size_t n;
  assert_int_equal(odai_gallery_match(g, q, 3, r, &n, NULL), ODAI_OK);
  assert_int_equal(n, 1);
  assert_string_equal(r[0].name, "bob");
  /* ... and below the threshold: unknown. */
  assert_int_equal(odai_gallery_set_threshold(g, 0.65f, NULL), ODAI_OK);
  assert_int_equal(odai_gallery_identify(g, q, name, &sim, NULL), ODAI_OK);
  assert_string_equal(name, ODAI_GALLERY_UNKNOWN);
  /* A negative for nobody is refused. */
  odai_error err;
  odai_embedding *e = mix(1, 4, 0, 4);
  assert_int_equal(odai_gallery_add_negative(g, "carol", e, &err), ODAI_E_NOT_FOUND);
  odai_embedding_free(e);
  odai_gallery_identity_info *l;
  assert_int_equal(odai_gallery_list(g, &l, &n, NULL), ODAI_OK);
  assert_int_equal(n, 2);
  assert_string_equal(l[0].name, "alice");
  assert_int_equal(l[0].positives, 1);
  assert_int_equal(l[0].negatives, 1);
  free(l);
  odai_embedding_free(q);
  odai_gallery_close(g);
}

static void test_remove_rename_names(void **state) {
  fixture *f = *state;
  odai_gallery *g = create(f, NULL);
  for (int i = 0; i < 40; i++) {
    char nm[32];
    snprintf(nm, sizeof nm, "person%02d", i);
    add(g, nm, mix(1, i % DIM, 0.5f, (i + 1) % DIM), false);
    add(g, nm, mix(1, i % DIM, 0.4f, (i + 2) % DIM), false);
  }
  odai_error err;
  assert_int_equal(odai_gallery_remove(g, "person07", NULL), ODAI_OK);
  assert_int_equal(odai_gallery_remove(g, "person07", &err), ODAI_E_NOT_FOUND);
  assert_int_equal(odai_gallery_rename(g, "person08", "eight", NULL), ODAI_OK);
  assert_int_equal(odai_gallery_rename(g, "person09", "eight", &err), ODAI_E_INVALID);
  assert_int_equal(odai_gallery_rename(g, "nobody", "x", &err), ODAI_E_NOT_FOUND);
  assert_int_equal(odai_gallery_rename(g, "person09", ODAI_GALLERY_UNKNOWN, &err), ODAI_E_INVALID);
  odai_embedding *e = mix(1, 0, 0, 0);
  assert_int_equal(odai_gallery_add(g, "", e, &err), ODAI_E_INVALID);
  assert_int_equal(odai_gallery_add(g, "bad\nname", e, &err), ODAI_E_INVALID);
  assert_int_equal(odai_gallery_add(g, ODAI_GALLERY_UNKNOWN, e, &err), ODAI_E_INVALID);
  char longname[200];
  memset(longname, 'a', sizeof longname - 1);
  longname[199] = 0;
  assert_int_equal(odai_gallery_add(g, longname, e, &err), ODAI_E_INVALID);
  longname[ODAI_GALLERY_NAME_MAX] = 0;
  assert_int_equal(odai_gallery_add(g, longname, e, &err), ODAI_OK);
  odai_embedding_free(e);
  odai_gallery_identity_info *l;
  size_t n;
  assert_int_equal(odai_gallery_list(g, &l, &n, NULL), ODAI_OK);
  assert_int_equal(n, 40);
  assert_string_equal(l[7].name, "eight");
  assert_int_equal(l[7].positives, 2);
  assert_string_equal(l[8].name, "person09");
  free(l);
  /* The removed identity's records are gone from matching, the others still match. */
  odai_gallery_result r[40];
  e = mix(1, 7, 0.5f, 8);
  assert_int_equal(odai_gallery_match(g, e, 40, r, &n, NULL), ODAI_OK);
  assert_int_equal(n, 40);
  for (size_t i = 0; i < n; i++) assert_string_not_equal(r[i].name, "person07");
  assert_float_equal(r[0].similarity, 1.0f, 1e-5f);
  assert_string_equal(r[0].name, "person23"); /* 23 % 16 == 7: same vector as person07's */
  odai_embedding_free(e);
  /* Save, reopen read-only: the same content. */
  assert_true(odai_gallery_dirty(g));
  assert_int_equal(odai_gallery_save(g, NULL), ODAI_OK);
  assert_false(odai_gallery_dirty(g));
  odai_gallery_close(g);
  odai_gallery_options ro = {.read_only = true};
  assert_int_equal(odai_gallery_open(f->path, &ro, &g, NULL), ODAI_OK);
  assert_int_equal(odai_gallery_list(g, &l, &n, NULL), ODAI_OK);
  assert_int_equal(n, 40);
  assert_string_equal(l[7].name, "eight");
  assert_int_equal(strlen(l[39].name), ODAI_GALLERY_NAME_MAX);
  free(l);
  assert_int_equal(odai_gallery_save(g, &err), ODAI_E_INVALID);
  odai_gallery_close(g);
}

static void test_save_reopen_mode_models(void **state) {
  fixture *f = *state;
  odai_gallery *g = create(f, NULL);
  struct stat sb;
  assert_int_equal(stat(f->path, &sb), 0); /* created at open */
  assert_int_equal(sb.st_mode & 0777, 0600);
  uint64_t s = 5;
  odai_embedding *q = ft_embedding(DIM, 1, NULL, 1, &s);
  odai_embedding *e = NULL;
  odai_embedding_copy(q, &e, NULL);
  add(g, "alice", e, false);
  add(g, "bob", ft_embedding(DIM, 1, NULL, 1, &s), false);
  assert_int_equal(odai_gallery_set_threshold(g, 0.42f, NULL), ODAI_OK);
  /* Another model's embedding is refused everywhere. */
  odai_error err;
  odai_embedding *other = ft_embedding(DIM, 2, NULL, 1, &s);
  assert_int_equal(odai_gallery_add(g, "carol", other, &err), ODAI_E_INVALID);
  assert_non_null(strstr(err.message, "model"));
  odai_gallery_result r[2];
  size_t n;
  assert_int_equal(odai_gallery_match(g, other, 2, r, &n, &err), ODAI_E_INVALID);
  odai_embedding_free(other);
  assert_int_equal(odai_gallery_save(g, NULL), ODAI_OK);
  odai_gallery_close(g);
  assert_int_equal(stat(f->path, &sb), 0);
  assert_int_equal(sb.st_mode & 0777, 0600);
  assert_int_equal(ft_count_files(f->dir, ".tmp"), 0);

  odai_gallery_options o = {.model_id = f->model, .dim = DIM, .read_only = true};
  assert_int_equal(odai_gallery_open(f->path, &o, &g, NULL), ODAI_OK);
  assert_float_equal(odai_gallery_threshold(g), 0.42f, 0);
  assert_int_equal(odai_gallery_dim(g), DIM);
  char name[ODAI_GALLERY_NAME_MAX + 1];
  float sim;
  assert_int_equal(odai_gallery_identify(g, q, name, &sim, NULL), ODAI_OK);
  assert_string_equal(name, "alice");
  assert_float_equal(sim, 1.0f, 1e-5f);
  odai_gallery_close(g);
  uint8_t wrong[ODAI_MODEL_ID_SIZE];
  ft_model(wrong, 9);
  o.model_id = wrong;
  assert_int_equal(odai_gallery_open(f->path, &o, &g, &err), ODAI_E_INVALID);
  assert_non_null(strstr(err.message, "model"));
  o.model_id = NULL;
  o.dim = DIM + 1;
  assert_int_equal(odai_gallery_open(f->path, &o, &g, &err), ODAI_E_INVALID);
  /* Creating needs the model and the size. */
  char fresh[700];
  snprintf(fresh, sizeof fresh, "%s/fresh.gallery", f->dir);
  odai_gallery_options nomodel = {.create_if_missing = true, .dim = DIM};
  assert_int_equal(odai_gallery_open(fresh, &nomodel, &g, &err), ODAI_E_INVALID);
  assert_non_null(strstr(err.message, "model"));
  /* An empty gallery answers unknown. */
  odai_gallery_options mk = {.create_if_missing = true, .model_id = f->model, .dim = DIM};
  assert_int_equal(odai_gallery_open(fresh, &mk, &g, NULL), ODAI_OK);
  char nm[ODAI_GALLERY_NAME_MAX + 1];
  float sm = 0;
  assert_int_equal(odai_gallery_identify(g, q, nm, &sm, NULL), ODAI_OK);
  assert_string_equal(nm, ODAI_GALLERY_UNKNOWN);
  assert_float_equal(sm, -2.0f, 0);
  odai_gallery_close(g);
  /* Missing file without create. */
  char missing[700];
  snprintf(missing, sizeof missing, "%s/none.gallery", f->dir);
  assert_int_equal(odai_gallery_open(missing, NULL, &g, &err), ODAI_E_NOT_FOUND);
  odai_embedding_free(q);
}

static void test_corrupt_truncated_foreign(void **state) {
  fixture *f = *state;
#if defined(ODAI_FUZZING)
  skip(); /* fuzzing builds do not verify checksums */
#endif
  odai_gallery *g = create(f, NULL);
  uint64_t s = 9;
  add(g, "alice", ft_embedding(DIM, 1, NULL, 1, &s), false);
  add(g, "bob", ft_embedding(DIM, 1, NULL, 1, &s), false);
  add(g, "bob", ft_embedding(DIM, 1, NULL, 1, &s), true);
  assert_int_equal(odai_gallery_save(g, NULL), ODAI_OK);
  odai_gallery_close(g);
  size_t n;
  uint8_t *good = ft_read(f->path, &n);
  assert_non_null(good);
  uint8_t *bad = malloc(n);
  odai_error err;
  odai_gallery_options ro = {.read_only = true};
  /* Every single-bit flip anywhere is caught. */
  for (size_t i = 0; i < n; i++) {
    memcpy(bad, good, n);
    bad[i] ^= (uint8_t)(1u << (i % 8));
    odai_gallery *h = NULL;
    odai_status st = odai_gallery_parse(bad, n, NULL, &h, &err);
    if (st != ODAI_E_CORRUPT) print_error("flip at %zu: status %d\n", i, st);
    assert_int_equal(st, ODAI_E_CORRUPT);
    assert_null(h);
  }
  /* Every truncation is caught. */
  for (size_t len = 0; len < n; len++) {
    odai_gallery *h = NULL;
    assert_int_equal(odai_gallery_parse(good, len, NULL, &h, &err), ODAI_E_CORRUPT);
  }
  /* A damaged file on disk: refused, also by a writable open with create, and left as is. */
  memcpy(bad, good, n);
  bad[n / 2] ^= 0x40;
  assert_int_equal(ft_write(f->path, bad, n), 0);
  odai_gallery_options wo = {.create_if_missing = true, .model_id = f->model, .dim = DIM};
  assert_int_equal(odai_gallery_open(f->path, &wo, &g, &err), ODAI_E_CORRUPT);
  assert_non_null(strstr(err.message, f->path));
  size_t n2;
  uint8_t *after = ft_read(f->path, &n2);
  assert_int_equal(n2, n);
  assert_memory_equal(after, bad, n);
  free(after);
  /* Foreign files: text, empty, another format. */
  const char *text = "name,embedding\nalice,0.1 0.2\n";
  assert_int_equal(ft_write(f->path, text, strlen(text)), 0);
  assert_int_equal(odai_gallery_open(f->path, &ro, &g, &err), ODAI_E_CORRUPT);
  assert_non_null(strstr(err.message, "magic"));
  assert_int_equal(odai_gallery_open(f->path, &wo, &g, &err), ODAI_E_CORRUPT);
  assert_int_equal(ft_write(f->path, "", 0), 0);
  assert_int_equal(odai_gallery_open(f->path, &wo, &g, &err), ODAI_E_CORRUPT);
  assert_int_equal(odai_gallery_open(f->path, &ro, &g, &err), ODAI_E_CORRUPT);
  /* A newer version (header CRC fixed up) is unsupported, not corrupt. */
  memcpy(bad, good, n);
  bad[8] = 2;
  uint32_t c = odai_gallery_crc32(0, bad, 60);
  for (int i = 0; i < 4; i++) bad[60 + i] = (uint8_t)(c >> (8 * i));
  odai_gallery *h = NULL;
  assert_int_equal(odai_gallery_parse(bad, n, NULL, &h, &err), ODAI_E_UNSUPPORTED);
  free(bad);
  free(good);
}

static void test_writer_lock(void **state) {
  fixture *f = *state;
  odai_gallery *g = create(f, NULL);
  odai_gallery *h = NULL;
  odai_error err;
  odai_gallery_options w = {.lock_timeout_ms = 0};
  assert_int_equal(odai_gallery_open(f->path, &w, &h, &err), ODAI_E_AGAIN);
  assert_non_null(strstr(err.message, "busy"));
  w.lock_timeout_ms = 60;
  assert_int_equal(odai_gallery_open(f->path, &w, &h, &err), ODAI_E_AGAIN);
  /* Readers take no lock. */
  odai_gallery_options ro = {.read_only = true};
  assert_int_equal(odai_gallery_open(f->path, &ro, &h, NULL), ODAI_OK);
  odai_gallery_close(h);
  /* Another process is refused too. */
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    odai_gallery_options cw = {.lock_timeout_ms = 0};
    odai_gallery *x = NULL;
    _exit(odai_gallery_open(f->path, &cw, &x, NULL) == ODAI_E_AGAIN ? 0 : 1);
  }
  int status = -1;
  waitpid(pid, &status, 0);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  /* A writer that waits gets the lock once the holder (another process) lets go. */
  odai_gallery_close(g);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    odai_gallery_options cw = {.lock_timeout_ms = 5000}; /* the parent's probes may hold it */
    odai_gallery *x = NULL;
    if (odai_gallery_open(f->path, &cw, &x, NULL) != ODAI_OK) _exit(1);
    struct timespec nap = {0, 300 * 1000 * 1000};
    nanosleep(&nap, NULL);
    odai_gallery_close(x);
    _exit(0);
  }
  /* Wait until the child holds it, then queue up behind it. */
  for (int i = 0; i < 200; i++) {
    odai_gallery *probe = NULL;
    odai_gallery_options pw = {.lock_timeout_ms = 0};
    if (odai_gallery_open(f->path, &pw, &probe, NULL) == ODAI_E_AGAIN) break;
    odai_gallery_close(probe);
    struct timespec nap = {0, 2 * 1000 * 1000};
    nanosleep(&nap, NULL);
  }
  w.lock_timeout_ms = 10000;
  assert_int_equal(odai_gallery_open(f->path, &w, &h, &err), ODAI_OK);
  waitpid(pid, &status, 0);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  struct stat sb;
  char lp[700];
  snprintf(lp, sizeof lp, "%s.lock", f->path);
  assert_int_equal(stat(lp, &sb), 0);
  assert_int_equal(sb.st_mode & 0777, 0600);
  odai_gallery_close(h);
}

static void test_encryption(void **state) {
  fixture *f = *state;
  odai_error err;
  odai_status kst = odai_gallery_keygen(f->key, &err);
  if (kst == ODAI_E_UNSUPPORTED) skip(); /* built without libsodium */
  assert_int_equal(kst, ODAI_OK);
  struct stat sb;
  assert_int_equal(stat(f->key, &sb), 0);
  assert_int_equal(sb.st_mode & 0777, 0600);
  assert_int_equal(sb.st_size, 32);
  assert_int_equal(odai_gallery_keygen(f->key, &err), ODAI_E_INVALID); /* no overwrite */
  odai_gallery *g = create(f, f->key);
  assert_true(odai_gallery_encrypted(g));
  uint64_t s = 11;
  odai_embedding *q = ft_embedding(DIM, 1, NULL, 1, &s);
  odai_embedding *e = NULL;
  odai_embedding_copy(q, &e, NULL);
  add(g, "alice-secret-name", e, false);
  assert_int_equal(odai_gallery_save(g, NULL), ODAI_OK);
  odai_gallery_close(g);
  /* Neither the name nor the vector is in the file. */
  size_t n;
  uint8_t *data = ft_read(f->path, &n);
  assert_non_null(data);
  assert_null(memmem(data, n, "alice-secret-name", 17));
  assert_null(memmem(data, n, q->values, 8));
  /* Open with the key: works. */
  odai_gallery_options o = {.key_path = f->key, .read_only = true};
  assert_int_equal(odai_gallery_open(f->path, &o, &g, &err), ODAI_OK);
  char name[ODAI_GALLERY_NAME_MAX + 1];
  float sim;
  assert_int_equal(odai_gallery_identify(g, q, name, &sim, NULL), ODAI_OK);
  assert_string_equal(name, "alice-secret-name");
  odai_gallery_close(g);
  /* Without a key: a clear error. */
  odai_gallery_options nokey = {.read_only = true};
  assert_int_equal(odai_gallery_open(f->path, &nokey, &g, &err), ODAI_E_INVALID);
  assert_non_null(strstr(err.message, "encrypted"));
  /* A wrong key: "wrong key or tampered", not garbage. */
  char key2[700];
  snprintf(key2, sizeof key2, "%s/other.key", f->dir);
  assert_int_equal(odai_gallery_keygen(key2, NULL), ODAI_OK);
  o.key_path = key2;
  assert_int_equal(odai_gallery_open(f->path, &o, &g, &err), ODAI_E_CORRUPT);
  assert_non_null(strstr(err.message, "wrong key or tampered"));
  /* Tampered ciphertext with the file checksum recomputed: authentication fails. */
  data[64 + 24 + 3] ^= 1;
  uint32_t c = odai_gallery_crc32(0, data, n - 4);
  for (int i = 0; i < 4; i++) data[n - 4 + i] = (uint8_t)(c >> (8 * i));
  uint8_t key[32];
  assert_int_equal(odai_gallery_read_key(f->key, key, NULL), ODAI_OK);
  odai_gallery *h = NULL;
  assert_int_equal(odai_gallery_parse(data, n, key, &h, &err), ODAI_E_CORRUPT);
  assert_non_null(strstr(err.message, "wrong key or tampered"));
  /* The header is authenticated too: change the threshold, fix both CRCs. */
  data[64 + 24 + 3] ^= 1;
  data[48] ^= 1;
  c = odai_gallery_crc32(0, data, 60);
  for (int i = 0; i < 4; i++) data[60 + i] = (uint8_t)(c >> (8 * i));
  c = odai_gallery_crc32(0, data, n - 4);
  for (int i = 0; i < 4; i++) data[n - 4 + i] = (uint8_t)(c >> (8 * i));
  assert_int_equal(odai_gallery_parse(data, n, key, &h, &err), ODAI_E_CORRUPT);
  free(data);
  /* A key file others can read is refused. */
  chmod(key2, 0644);
  o.key_path = key2;
  assert_int_equal(odai_gallery_open(f->path, &o, &g, &err), ODAI_E_INVALID);
  assert_non_null(strstr(err.message, "chmod"));
  /* Two saves use different nonces: the files differ. */
  odai_gallery_options w = {.key_path = f->key};
  assert_int_equal(odai_gallery_open(f->path, &w, &g, NULL), ODAI_OK);
  size_t n1, n2;
  uint8_t *d1 = ft_read(f->path, &n1);
  assert_int_equal(odai_gallery_save(g, NULL), ODAI_OK);
  uint8_t *d2 = ft_read(f->path, &n2);
  assert_int_equal(n1, n2);
  assert_memory_not_equal(d1 + 64, d2 + 64, 24);
  free(d1);
  free(d2);
  odai_gallery_close(g);
  odai_embedding_free(q);
}

static void test_plain_to_encrypted(void **state) {
  fixture *f = *state;
  odai_gallery *g = create(f, NULL);
  uint64_t s = 3;
  add(g, "alice", ft_embedding(DIM, 1, NULL, 1, &s), false);
  assert_int_equal(odai_gallery_save(g, NULL), ODAI_OK);
  odai_gallery_close(g);
  odai_status kst = odai_gallery_keygen(f->key, NULL);
  if (kst == ODAI_E_UNSUPPORTED) skip(); /* built without libsodium */
  assert_int_equal(kst, ODAI_OK);
  odai_gallery_options o = {.key_path = f->key};
  assert_int_equal(odai_gallery_open(f->path, &o, &g, NULL), ODAI_OK);
  assert_true(odai_gallery_dirty(g));
  assert_int_equal(odai_gallery_save(g, NULL), ODAI_OK);
  odai_gallery_close(g);
  size_t n;
  uint8_t *d = ft_read(f->path, &n);
  assert_int_equal(d[10] & 1, 1);
  assert_null(memmem(d, n, "alice", 5));
  free(d);
}

static void test_export_import(void **state) {
  fixture *f = *state;
  odai_gallery *g = create(f, NULL);
  uint64_t s = 21;
  odai_embedding *q = ft_embedding(DIM, 1, NULL, 1, &s);
  odai_embedding *e = NULL;
  odai_embedding_copy(q, &e, NULL);
  add(g, "alice", ft_embedding(DIM, 1, NULL, 1, &s), false);
  add(g, "bob", e, false);
  add(g, "bob", ft_embedding(DIM, 1, NULL, 1, &s), false);
  add(g, "bob", ft_embedding(DIM, 1, NULL, 1, &s), true);
  char exp[700], other[700];
  snprintf(exp, sizeof exp, "%s/bob.gallery", f->dir);
  snprintf(other, sizeof other, "%s/other.gallery", f->dir);
  odai_error err;
  assert_int_equal(odai_gallery_export_identity(g, "bob", exp, NULL, &err), ODAI_OK);
  assert_int_equal(odai_gallery_export_identity(g, "nobody", exp, NULL, &err), ODAI_E_NOT_FOUND);
  struct stat sb;
  assert_int_equal(stat(exp, &sb), 0);
  assert_int_equal(sb.st_mode & 0777, 0600);
  /* Importing into a gallery that already has bob: refused, unchanged. */
  assert_int_equal(odai_gallery_import_identity(g, exp, NULL, &err), ODAI_E_INVALID);
  assert_non_null(strstr(err.message, "already exists"));
  assert_int_equal(odai_gallery_count(g), 2);
  odai_gallery_close(g);
  /* Into another gallery: bob with his 2 positives and 1 negative. */
  odai_gallery_options o = {.create_if_missing = true, .model_id = f->model, .dim = DIM};
  assert_int_equal(odai_gallery_open(other, &o, &g, NULL), ODAI_OK);
  assert_int_equal(odai_gallery_import_identity(g, exp, NULL, &err), ODAI_OK);
  odai_gallery_identity_info *l;
  size_t n;
  assert_int_equal(odai_gallery_list(g, &l, &n, NULL), ODAI_OK);
  assert_int_equal(n, 1);
  assert_string_equal(l[0].name, "bob");
  assert_int_equal(l[0].positives, 2);
  assert_int_equal(l[0].negatives, 1);
  free(l);
  char name[ODAI_GALLERY_NAME_MAX + 1];
  float sim;
  assert_int_equal(odai_gallery_identify(g, q, name, &sim, NULL), ODAI_OK);
  assert_string_equal(name, "bob");
  assert_float_equal(sim, 1.0f, 1e-5f);
  odai_gallery_close(g);
  /* Another model's export is refused. */
  uint8_t m2[ODAI_MODEL_ID_SIZE];
  ft_model(m2, 7);
  char third[700];
  snprintf(third, sizeof third, "%s/third.gallery", f->dir);
  odai_gallery_options o2 = {.create_if_missing = true, .model_id = m2, .dim = DIM};
  assert_int_equal(odai_gallery_open(third, &o2, &g, NULL), ODAI_OK);
  assert_int_equal(odai_gallery_import_identity(g, exp, NULL, &err), ODAI_E_INVALID);
  assert_int_equal(odai_gallery_count(g), 0);
  odai_gallery_close(g);
  odai_embedding_free(q);
}

static void test_calibrate(void **state) {
  fixture *f = *state;
  odai_gallery *g = create(f, NULL);
  odai_gallery_calibration c;
  odai_error err;
  assert_int_equal(odai_gallery_calibrate(g, 0.01, &c, &err), ODAI_E_INVALID);
  uint64_t s = 77;
  for (int p = 0; p < 20; p++) {
    float center[DIM];
    for (int i = 0; i < DIM; i++) center[i] = ft_gauss(&s);
    char nm[16];
    snprintf(nm, sizeof nm, "p%d", p);
    for (int k = 0; k < 4; k++) add(g, nm, ft_embedding(DIM, 1, center, 0.12f, &s), false);
  }
  assert_int_equal(odai_gallery_calibrate(g, 0.01, &c, &err), ODAI_OK);
  assert_int_equal(c.genuine_pairs, 20 * 6);
  assert_int_equal(c.impostor_pairs, 80 * 79 / 2 - 120);
  assert_false(c.sampled);
  print_message("genuine %.3f/%.3f/%.3f impostor %.3f/%.3f/%.3f -> T=%.3f FAR %.4f FRR %.4f\n",
                c.genuine_min, c.genuine_median, c.genuine_max, c.impostor_min,
                c.impostor_median, c.impostor_max, c.threshold, c.expected_far, c.expected_frr);
  assert_true(c.genuine_min <= c.genuine_median && c.genuine_median <= c.genuine_max);
  assert_true(c.impostor_min <= c.impostor_median && c.impostor_median <= c.impostor_max);
  assert_true(c.expected_far <= 0.01);
  assert_true(c.threshold > -1 && c.threshold <= 1);
  /* Target 0: above every impostor; with separated clusters, nothing rejected. */
  odai_gallery_calibration c0;
  assert_int_equal(odai_gallery_calibrate(g, 0.0, &c0, NULL), ODAI_OK);
  assert_float_equal(c0.expected_far, 0.0, 0);
  assert_true(c0.threshold > c0.impostor_max);
  assert_true(c0.genuine_min > c0.impostor_max); /* the clusters are well apart */
  assert_true(c0.threshold <= c0.genuine_min);
  assert_float_equal(c0.expected_frr, 0.0, 0);
  assert_true(c0.threshold >= c.threshold);
  assert_int_equal(odai_gallery_calibrate(g, 1.5, &c0, &err), ODAI_E_INVALID);
  /* A negative counts as an impostor against its identity. */
  size_t before = c.impostor_pairs;
  add(g, "p0", ft_embedding(DIM, 1, NULL, 1, &s), true);
  assert_int_equal(odai_gallery_calibrate(g, 0.01, &c, NULL), ODAI_OK);
  assert_int_equal(c.impostor_pairs, before + 4);
  odai_gallery_close(g);
}

/* A reader picks up a writer's saves with refresh, and keeps its contents
 * when the new file is damaged. */
static void test_refresh(void **state) {
  fixture *f = *state;
  odai_gallery *w = create(f, NULL);
  uint64_t s = 31;
  odai_embedding *q = ft_embedding(DIM, 1, NULL, 1, &s);
  odai_embedding *e = NULL;
  odai_embedding_copy(q, &e, NULL);
  add(w, "alice", ft_embedding(DIM, 1, NULL, 1, &s), false);
  assert_int_equal(odai_gallery_save(w, NULL), ODAI_OK);
  odai_gallery_options ro = {.read_only = true};
  odai_gallery *r = NULL;
  assert_int_equal(odai_gallery_open(f->path, &ro, &r, NULL), ODAI_OK);
  bool changed = true;
  assert_int_equal(odai_gallery_refresh(r, &changed, NULL), ODAI_OK);
  assert_false(changed);
  add(w, "bob", e, false);
  assert_int_equal(odai_gallery_set_threshold(w, 0.3f, NULL), ODAI_OK);
  assert_int_equal(odai_gallery_save(w, NULL), ODAI_OK);
  assert_int_equal(odai_gallery_refresh(w, &changed, NULL), ODAI_OK);
  assert_false(changed); /* the writer knows its own file */
  char name[ODAI_GALLERY_NAME_MAX + 1];
  assert_int_equal(odai_gallery_identify(r, q, name, NULL, NULL), ODAI_OK);
  assert_string_not_equal(name, "bob");
  assert_int_equal(odai_gallery_refresh(r, &changed, NULL), ODAI_OK);
  assert_true(changed);
  assert_int_equal(odai_gallery_count(r), 2);
  assert_float_equal(odai_gallery_threshold(r), 0.3f, 0);
  assert_int_equal(odai_gallery_identify(r, q, name, NULL, NULL), ODAI_OK);
  assert_string_equal(name, "bob");
  assert_int_equal(odai_gallery_refresh(r, &changed, NULL), ODAI_OK);
  assert_false(changed);
  odai_gallery_close(w);
  /* A damaged replacement: an error, and the reader still answers from what it had. */
  assert_int_equal(ft_write(f->path, "garbage, not a gallery", 22), 0);
  odai_error err;
  assert_int_equal(odai_gallery_refresh(r, &changed, &err), ODAI_E_CORRUPT);
  assert_false(changed);
  assert_int_equal(odai_gallery_identify(r, q, name, NULL, NULL), ODAI_OK);
  assert_string_equal(name, "bob");
  odai_gallery_close(r);
  odai_embedding_free(q);
}

/* CRC32 as documented (IEEE, zlib's): the standard check value, any split. */
static void test_crc32(void **state) {
  (void)state;
  assert_int_equal(odai_gallery_crc32(0, "123456789", 9), 0xCBF43926u);
  assert_int_equal(odai_gallery_crc32(0, "", 0), 0);
  uint8_t buf[300];
  for (int i = 0; i < 300; i++) buf[i] = (uint8_t)(i * 7 + 3);
  uint32_t whole = odai_gallery_crc32(0, buf, sizeof buf);
  for (size_t cut = 0; cut <= sizeof buf; cut += 13)
    assert_int_equal(odai_gallery_crc32(odai_gallery_crc32(0, buf, cut), buf + cut, sizeof buf - cut),
                     whole);
  for (size_t off = 1; off < 8; off++) { /* unaligned starts: same as a bytewise copy */
    uint8_t tmp[300];
    memcpy(tmp, buf + off, sizeof buf - off);
    assert_int_equal(odai_gallery_crc32(0, buf + off, sizeof buf - off),
                     odai_gallery_crc32(0, tmp, sizeof buf - off));
  }
}

/* The committed fuzz seeds stay valid galleries of this format version. */
static void test_fuzz_seeds_parse(void **state) {
  (void)state;
  const char *src = getenv("ODAI_SOURCE_DIR");
  if (!src) fail_msg("ODAI_SOURCE_DIR is not set (run through ctest)");
  static const char *names[] = {"empty_dim8.gallery", "three_people_dim8.gallery",
                                "three_people_dim8_encrypted.gallery", "one_dim192.gallery"};
  static const size_t counts[] = {0, 3, 3, 1};
  uint8_t key[32];
  for (int i = 0; i < 32; i++) key[i] = (uint8_t)i;
  for (size_t i = 0; i < 4; i++) {
    char p[1024];
    snprintf(p, sizeof p, "%s/tests/face/fuzz/fuzz_gallery/seeds/%s", src, names[i]);
    size_t n;
    uint8_t *d = ft_read(p, &n);
    if (!d) fail_msg("cannot read %s", p);
    odai_gallery *g = NULL;
    odai_error err;
    odai_status st = odai_gallery_parse(d, n, key, &g, &err);
    if (st == ODAI_E_UNSUPPORTED && strstr(names[i], "encrypted")) { /* without libsodium */
      free(d);
      continue;
    }
    if (st != ODAI_OK) fail_msg("%s: %s", p, err.message);
    assert_int_equal(odai_gallery_count(g), counts[i]);
    odai_gallery_close(g);
    free(d);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_match_identify_topk, setup, teardown),
      cmocka_unit_test_setup_teardown(test_negatives_refuse, setup, teardown),
      cmocka_unit_test_setup_teardown(test_remove_rename_names, setup, teardown),
      cmocka_unit_test_setup_teardown(test_save_reopen_mode_models, setup, teardown),
      cmocka_unit_test_setup_teardown(test_corrupt_truncated_foreign, setup, teardown),
      cmocka_unit_test_setup_teardown(test_writer_lock, setup, teardown),
      cmocka_unit_test_setup_teardown(test_encryption, setup, teardown),
      cmocka_unit_test_setup_teardown(test_plain_to_encrypted, setup, teardown),
      cmocka_unit_test_setup_teardown(test_export_import, setup, teardown),
      cmocka_unit_test_setup_teardown(test_calibrate, setup, teardown),
      cmocka_unit_test_setup_teardown(test_refresh, setup, teardown),
      cmocka_unit_test(test_crc32),
      cmocka_unit_test(test_fuzz_seeds_parse),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
