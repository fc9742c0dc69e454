/* tests/face/test_gallery_model.c: random sequences of gallery operations
 * (add, add_negative, remove, rename, threshold, save + reopen) checked
 * step by step against a plain model kept by the test: the identity list,
 * the counts, and every identity's best positive/negative similarity for a
 * probe, computed the slow way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "face_test_util.h"
#include "odai/gallery.h"

#define DIM 12
#define MAXID 24
#define MAXREC 64

typedef struct ident {
  char name[32];
  int npos, nneg;
  float pos[MAXREC][DIM], neg[MAXREC][DIM];
} ident;

static ident g_ids[MAXID];
static int g_n;

static int find(const char *name) {
  for (int i = 0; i < g_n; i++)
    if (!strcmp(g_ids[i].name, name)) return i;
  return -1;
}

static float dotv(const float *a, const float *b) {
  double s = 0;
  for (int i = 0; i < DIM; i++) s += (double)a[i] * b[i];
  return (float)s;
}

static void check(odai_gallery *g, uint64_t *s) {
  odai_gallery_identity_info *l;
  size_t n;
  assert_int_equal(odai_gallery_list(g, &l, &n, NULL), ODAI_OK);
  assert_int_equal(n, (size_t)g_n);
  for (int i = 0; i < g_n; i++) {
    assert_string_equal(l[i].name, g_ids[i].name);
    assert_int_equal(l[i].positives, (size_t)g_ids[i].npos);
    assert_int_equal(l[i].negatives, (size_t)g_ids[i].nneg);
  }
  free(l);
  odai_embedding *q = ft_embedding(DIM, 1, NULL, 1, s);
  odai_gallery_result r[MAXID];
  assert_int_equal(odai_gallery_match(g, q, MAXID, r, &n, NULL), ODAI_OK);
  /* The model's view: best positive and negative per identity, refused ones out. */
  int expect = 0;
  for (int i = 0; i < g_n; i++) {
    float bp = -2, bn = -2;
    for (int k = 0; k < g_ids[i].npos; k++) bp = fmaxf(bp, dotv(q->values, g_ids[i].pos[k]));
    for (int k = 0; k < g_ids[i].nneg; k++) bn = fmaxf(bn, dotv(q->values, g_ids[i].neg[k]));
    bool listed = false;
    for (size_t j = 0; j < n; j++) {
      if (strcmp(r[j].name, g_ids[i].name)) continue;
      listed = true;
      assert_float_equal(r[j].similarity, bp, 1e-5f);
      assert_float_equal(r[j].negative_similarity, bn, 1e-5f);
    }
    bool refused = bp <= -2 || bn > bp + 1e-5f;
    bool borderline = fabsf(bn - bp) <= 1e-5f;
    if (!borderline) assert_true(listed == !refused);
    expect += listed;
  }
  assert_int_equal((int)n, expect);
  for (size_t j = 1; j < n; j++) assert_true(r[j - 1].similarity >= r[j].similarity);
  odai_embedding_free(q);
}

static void test_random_operations(void **state) {
  (void)state;
  char *dir = ft_tempdir();
  char path[600];
  snprintf(path, sizeof path, "%s/m.gallery", dir);
  uint8_t model[ODAI_MODEL_ID_SIZE];
  ft_model(model, 1);
  odai_gallery_options o = {.create_if_missing = true, .model_id = model, .dim = DIM};
  odai_gallery *g = NULL;
  assert_int_equal(odai_gallery_open(path, &o, &g, NULL), ODAI_OK);
  uint64_t s = 2024;
  g_n = 0;
  int saves = 0;
  for (int step = 0; step < 600; step++) {
    int op = (int)(ft_rand(&s) % 100);
    char name[32];
    snprintf(name, sizeof name, "id%u", ft_rand(&s) % 30);
    int i = find(name);
    odai_status st;
    if (op < 45) { /* add */
      odai_embedding *e = ft_embedding(DIM, 1, NULL, 1, &s);
      bool fits = i >= 0 ? g_ids[i].npos < MAXREC : g_n < MAXID;
      if (!fits) {
        odai_embedding_free(e);
        continue;
      }
      assert_int_equal(odai_gallery_add(g, name, e, NULL), ODAI_OK);
      if (i < 0) {
        i = g_n++;
        memset(&g_ids[i], 0, sizeof g_ids[i]);
        snprintf(g_ids[i].name, sizeof g_ids[i].name, "%s", name);
      }
      memcpy(g_ids[i].pos[g_ids[i].npos++], e->values, sizeof(float) * DIM);
      odai_embedding_free(e);
    } else if (op < 60) { /* negative */
      odai_embedding *e = ft_embedding(DIM, 1, NULL, 1, &s);
      st = odai_gallery_add_negative(g, name, e, NULL);
      if (i < 0) {
        assert_int_equal(st, ODAI_E_NOT_FOUND);
      } else if (g_ids[i].nneg < MAXREC) {
        assert_int_equal(st, ODAI_OK);
        memcpy(g_ids[i].neg[g_ids[i].nneg++], e->values, sizeof(float) * DIM);
      } else {
        assert_int_equal(st, ODAI_OK);
        odai_gallery_remove(g, name, NULL); /* keep the model in step: drop it entirely */
        memmove(&g_ids[i], &g_ids[i + 1], sizeof(ident) * (size_t)(g_n - i - 1));
        g_n--;
      }
      odai_embedding_free(e);
    } else if (op < 72) { /* remove */
      st = odai_gallery_remove(g, name, NULL);
      assert_int_equal(st, i < 0 ? ODAI_E_NOT_FOUND : ODAI_OK);
      if (i >= 0) {
        memmove(&g_ids[i], &g_ids[i + 1], sizeof(ident) * (size_t)(g_n - i - 1));
        g_n--;
      }
    } else if (op < 84) { /* rename */
      char to[32];
      snprintf(to, sizeof to, "id%u", ft_rand(&s) % 30);
      int j = find(to);
      st = odai_gallery_rename(g, name, to, NULL);
      if (i < 0)
        assert_int_equal(st, ODAI_E_NOT_FOUND);
      else if (j >= 0)
        assert_int_equal(st, ODAI_E_INVALID);
      else {
        assert_int_equal(st, ODAI_OK);
        snprintf(g_ids[i].name, sizeof g_ids[i].name, "%s", to);
      }
    } else if (op < 92) { /* threshold */
      assert_int_equal(odai_gallery_set_threshold(g, ft_uniform(&s), NULL), ODAI_OK);
    } else { /* save and reopen */
      float t = odai_gallery_threshold(g);
      assert_int_equal(odai_gallery_save(g, NULL), ODAI_OK);
      odai_gallery_close(g);
      odai_gallery_options w = {.lock_timeout_ms = 0};
      assert_int_equal(odai_gallery_open(path, &w, &g, NULL), ODAI_OK);
      assert_float_equal(odai_gallery_threshold(g), t, 0);
      saves++;
    }
    check(g, &s);
  }
  print_message("600 operations, %d reopenings, %d identities at the end\n", saves, g_n);
  assert_true(saves > 10);
  odai_gallery_close(g);
  ft_rmdir(dir);
  free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_random_operations)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
