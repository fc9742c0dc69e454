/* tests/doorbell/test_doorbell_media.c: odai-doorbell end to end on the
 * door-camera video of shared/testdata/doorbell (labels media, slow):
 * every visit found with its start within 1 s, known visitors named,
 * unknown ones reported unknown, two people at once give two identities, no
 * visit while the scene is empty; snapshots and clips private; the
 * --on-event hook sees the events; a doorbell snapshot enrolls with
 * odai-faces and the visitor is named on the next run; with a file-size
 * limit (a "full disk") snapshots and clips fail with error events while
 * every visit is still found.
 * Arguments: the odai-doorbell and odai-faces programs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db_test_util.h"

static const char *g_doorbell, *g_faces;

typedef struct truth_visit {
  double t0, t1;
  char present[4][64];
  int n;
} truth_visit;

/* The "visits" of events.json: t_start_s, t_end_s, present[]. */
static int read_truth(const char *path, truth_visit *v, int cap) {
  char *all = dbt_read_file(path, NULL);
  if (!all) return -1;
  char *p = strstr(all, "\"visits\"");
  int n = 0;
  while (p && n < cap && (p = strstr(p, "\"t_start_s\":"))) {
    truth_visit *t = &v[n];
    memset(t, 0, sizeof *t);
    t->t0 = strtod(p + 12, NULL);
    char *e = strstr(p, "\"t_end_s\":");
    char *pr = strstr(p, "\"present\":");
    if (!e || !pr) break;
    t->t1 = strtod(e + 10, NULL);
    char *q = strchr(pr, '['), *end = q ? strchr(q, ']') : NULL;
    while (q && end && (q = strchr(q + 1, '"')) && q < end && t->n < 4) {
      char *c = strchr(q + 1, '"');
      if (!c) break;
      snprintf(t->present[t->n++], 64, "%.*s", (int)(c - q - 1), q + 1);
      q = c;
    }
    n++;
    p = end ? end : p + 1;
  }
  free(all);
  return n;
}

typedef struct found_visit {
  int id;
  double t0, t_end;
  char names[4][64];
  int n_names, n_unknown;
  char snapshot[4096];
  int errors;
  double clip_frames;
} found_visit;

static int parse_events(const char *path, found_visit *v, int cap, int *n_errors, int *n_lines) {
  size_t n = 0;
  char **lines = dbt_read_lines(path, &n);
  assert_non_null(lines);
  *n_lines = (int)n;
  int nv = 0;
  *n_errors = 0;
  for (size_t i = 0; i < n; i++) {
    char type[64], buf[4096];
    double id = 0, ts = 0;
    assert_true(dbt_json_str(lines[i], "type", type, sizeof type));
    assert_true(dbt_json_num(lines[i], "timestamp_us", &ts));
    dbt_json_num(lines[i], "visit", &id);
    if (!strcmp(type, "error")) (*n_errors)++;
    if (!strcmp(type, "visit_start")) {
      assert_true(nv < cap);
      memset(&v[nv], 0, sizeof v[nv]);
      v[nv].id = (int)id;
      v[nv].t0 = ts / 1e6;
      v[nv].t_end = -1;
      nv++;
      continue;
    }
    found_visit *f = NULL;
    for (int k = 0; k < nv; k++)
      if (v[k].id == (int)id) f = &v[k];
    if (!f) continue;
    if (!strcmp(type, "identified")) {
      assert_true(dbt_json_str(lines[i], "name", buf, sizeof buf));
      double sim;
      assert_true(dbt_json_num(lines[i], "similarity", &sim));
      if (strstr(lines[i], "\"upgraded\":true")) f->n_unknown--;
      if (f->n_names < 4) snprintf(f->names[f->n_names++], 64, "%.63s", buf);
    } else if (!strcmp(type, "unknown_visitor")) {
      f->n_unknown++;
    } else if (!strcmp(type, "visit_end")) {
      f->t_end = ts / 1e6;
      double d;
      assert_true(dbt_json_num(lines[i], "duration_s", &d));
      if (!dbt_json_str(lines[i], "snapshot", f->snapshot, sizeof f->snapshot)) f->snapshot[0] = 0;
    } else if (!strcmp(type, "error")) {
      f->errors++;
    } else if (!strcmp(type, "clip")) {
      assert_true(dbt_json_num(lines[i], "frames", &f->clip_frames));
    }
  }
  dbt_lines_free(lines);
  return nv;
}

static bool has_name(const found_visit *f, const char *name) {
  for (int i = 0; i < f->n_names; i++)
    if (!strcmp(f->names[i], name)) return true;
  return false;
}

/* Every truth visit matched by one found visit (start within 1 s), with
 * the same known names and the same number of unknown people; no other
 * visits. `rename` maps "unknown" of truth visit rename_visit to a name. */
static void check_visits(const truth_visit *t, int nt, const found_visit *f, int nf,
                         int rename_visit, const char *rename) {
  assert_int_equal(nf, nt);
  for (int i = 0; i < nt; i++) {
    const found_visit *m = &f[i];
    printf("visit %d: truth %.1f-%.1f s, found start %.2f s end %.2f s, %d named, %d unknown\n",
           i + 1, t[i].t0, t[i].t1, m->t0, m->t_end, m->n_names, m->n_unknown);
    assert_true(fabs(m->t0 - t[i].t0) <= 1.0);
    assert_true(m->t_end >= t[i].t1 - 1.0);
    int known = 0, unknown = 0;
    for (int k = 0; k < t[i].n; k++) {
      const char *who = t[i].present[k];
      if (!strcmp(who, "unknown") && i == rename_visit) who = rename;
      if (!strcmp(who, "unknown")) {
        unknown++;
      } else {
        known++;
        if (!has_name(m, who)) fail_msg("visit %d: %s not named", i + 1, who);
      }
    }
    assert_int_equal(m->n_names, known);
    assert_int_equal(m->n_unknown, unknown);
    assert_int_equal(m->n_names + m->n_unknown, t[i].n); /* two at once: two identities */
    /* no visit in an empty interval: the start lies inside the truth visit */
    assert_true(m->t0 >= t[i].t0 - 1.0 && m->t0 < t[i].t1);
  }
}

static void check_private(const char *path, bool dir) {
  struct stat sb;
  assert_int_equal(stat(path, &sb), 0);
  assert_int_equal(sb.st_mode & 0777, dir ? 0700 : 0600);
}

static int count_prefix(const char *dir, const char *suffix, off_t min_size) {
  char cmd[4400];
  snprintf(cmd, sizeof cmd, "find '%s' -name 'visit-*%s' -size +%lldc | wc -l", dir, suffix,
           (long long)min_size);
  FILE *p = popen(cmd, "r");
  int n = -1;
  if (p) {
    if (fscanf(p, "%d", &n) != 1) n = -1;
    pclose(p);
  }
  return n;
}

static void test_doorbell_media_visits(void **state) {
  (void)state;
  const char *shared = getenv("ODAI_SHARED_DIR");
  assert_non_null(shared);
  char video[4096], truth_path[4096];
  snprintf(video, sizeof video, "%s/testdata/doorbell/doorbell.avi", shared);
  snprintf(truth_path, sizeof truth_path, "%s/testdata/doorbell/events.json", shared);
  struct stat sb;
  if (stat(video, &sb) != 0) fail_msg("missing %s (shared test data)", video);
  truth_visit truth[8];
  int nt = read_truth(truth_path, truth, 8);
  assert_int_equal(nt, 3);

  char tmp[1024], gal[2048], ev[2048], snaps[2048], clips[2048], hooklog[2048], hookcmd[2200];
  assert_true(dbt_tmpdir(tmp, sizeof tmp));
  snprintf(gal, sizeof gal, "%s/faces.gallery", tmp);
  snprintf(ev, sizeof ev, "%s/events.jsonl", tmp);
  snprintf(snaps, sizeof snaps, "%s/private/snapshots", tmp);
  snprintf(clips, sizeof clips, "%s/private/clips", tmp);
  snprintf(hooklog, sizeof hooklog, "%s/hook.log", tmp);
  snprintf(hookcmd, sizeof hookcmd, "cat >> '%s'", hooklog);
  assert_true(dbt_make_gallery(g_faces, shared, gal));

  char *argv[] = {(char *)g_doorbell, "--input", video, "--gallery", gal, "--events", ev,
                  "--snapshots", snaps, "--clips", clips, "--on-event", hookcmd, NULL};
  assert_int_equal(dbt_run(argv, NULL), 0);
  found_visit f[8];
  int nerr, nlines;
  int nf = parse_events(ev, f, 8, &nerr, &nlines);
  check_visits(truth, nt, f, nf, -1, NULL);
  assert_int_equal(nerr, 0);
  /* privacy: 0600 files in 0700 folders, one snapshot and one clip per visit */
  check_private(ev, false);
  check_private(snaps, true);
  check_private(clips, true);
  for (int i = 0; i < nf; i++) {
    assert_true(f[i].snapshot[0]);
    check_private(f[i].snapshot, false);
  }
  assert_int_equal(count_prefix(clips, ".mp4", 10000), nf);
  for (int i = 0; i < nf; i++) {
    /* the clip holds the pre-roll (3 s, or what came since the previous
     * clip ended), then the visit; 10 frames/s */
    double visit_frames = (f[i].t_end - f[i].t0) * 10;
    double since = i ? f[i].t0 - f[i - 1].t_end : f[i].t0;
    double pre = (since < 3.0 ? since : 3.0) * 10;
    printf("visit %d: clip of %.0f frames (pre-roll %.0f + visit %.0f frames)\n", i + 1,
           f[i].clip_frames, pre, visit_frames);
    assert_true(f[i].clip_frames >= visit_frames + pre - 2);
    assert_true(f[i].clip_frames <= visit_frames + pre + 3);
  }
  /* the hook saw every event (it is drained at the end) */
  size_t nh = 0;
  char **hl = dbt_read_lines(hooklog, &nh);
  assert_non_null(hl);
  assert_int_equal((int)nh, nlines);
  dbt_lines_free(hl);

  /* Enrolment from the door: name the unknown visitor of visit 2 from its
   * snapshot; the next run names them. */
  char *enroll[] = {(char *)g_faces, "enroll", gal, "visitor_two", f[1].snapshot, NULL};
  assert_int_equal(dbt_run(enroll, NULL), 0);
  char ev2[2048];
  snprintf(ev2, sizeof ev2, "%s/events2.jsonl", tmp);
  char *argv2[] = {(char *)g_doorbell, "--input", video, "--gallery", gal, "--events", ev2, NULL};
  assert_int_equal(dbt_run(argv2, NULL), 0);
  nf = parse_events(ev2, f, 8, &nerr, &nlines);
  check_visits(truth, nt, f, nf, 1, "visitor_two");

  /* A "full disk" (files may not grow past 8 KB): snapshots and clips fail
   * with error events; detection goes on and finds every visit. */
  char ev3[2048], snaps3[2048], clips3[2048];
  snprintf(ev3, sizeof ev3, "%s/events3.jsonl", tmp);
  snprintf(snaps3, sizeof snaps3, "%s/full/snapshots", tmp);
  snprintf(clips3, sizeof clips3, "%s/full/clips", tmp);
  char *argv3[] = {"/usr/bin/prlimit", "--fsize=8192", "--", (char *)g_doorbell, "--input", video,
                   "--gallery", gal, "--events", ev3, "--snapshots", snaps3, "--clips", clips3, NULL};
  assert_int_equal(dbt_run(argv3, NULL), 0);
  nf = parse_events(ev3, f, 8, &nerr, &nlines);
  check_visits(truth, nt, f, nf, 1, "visitor_two");
  assert_true(nerr >= nf); /* at least each visit's snapshot */
  for (int i = 0; i < nf; i++) {
    assert_true(f[i].errors >= 1);
    assert_string_equal(f[i].snapshot, "");
  }
  dbt_rmrf(tmp);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s ODAI_DOORBELL ODAI_FACES\n", argv[0]);
    return 2;
  }
  g_doorbell = argv[1];
  g_faces = argv[2];
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_doorbell_media_visits)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
