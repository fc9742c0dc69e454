/* tests/doorbell/db_test_util.c: helpers of the doorbell tests
 * (db_test_util.h). */
#include "db_test_util.h"

#include <dirent.h>
#include <ftw.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static char **make_env(char *const extra[]) {
  size_t n = 0, m = 0;
  while (environ[n]) n++;
  if (extra)
    while (extra[m]) m++;
  char **env = calloc(n + m + 1, sizeof *env);
  if (!env) return NULL;
  /* extra entries first: getenv finds the first of duplicate names */
  for (size_t i = 0; i < m; i++) env[i] = extra[i];
  for (size_t i = 0; i < n; i++) env[m + i] = environ[i];
  return env;
}

int dbt_spawn(char *const argv[], char *const extra_env[]) {
  char **env = make_env(extra_env);
  if (!env) return -1;
  pid_t pid;
  int rc = posix_spawn(&pid, argv[0], NULL, NULL, argv, env);
  free(env);
  return rc == 0 ? (int)pid : -1;
}

int dbt_wait(int pid) {
  int status;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

int dbt_run(char *const argv[], char *const extra_env[]) { return dbt_wait(dbt_spawn(argv, extra_env)); }

char *dbt_read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  size_t r;
  while (buf && (r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
    n += r;
    if (cap - n < 2) {
      char *nb = realloc(buf, cap * 2);
      if (!nb) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = nb;
      cap *= 2;
    }
  }
  fclose(f);
  if (buf) buf[n] = 0;
  if (size) *size = n;
  return buf;
}

char **dbt_read_lines(const char *path, size_t *n) {
  *n = 0;
  char *all = dbt_read_file(path, NULL);
  if (!all) return NULL;
  size_t cap = 16;
  char **lines = calloc(cap + 1, sizeof *lines);
  if (!lines) {
    free(all);
    return NULL;
  }
  char *save = NULL;
  for (char *l = strtok_r(all, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
    if (*n == cap) {
      char **nl = realloc(lines, (cap * 2 + 1) * sizeof *lines);
      if (!nl) break;
      lines = nl;
      cap *= 2;
    }
    lines[(*n)++] = strdup(l);
    lines[*n] = NULL;
  }
  free(all);
  return lines;
}

void dbt_lines_free(char **lines) {
  if (!lines) return;
  for (size_t i = 0; lines[i]; i++) free(lines[i]);
  free(lines);
}

static const char *find_key(const char *line, const char *key) {
  char pat[128];
  snprintf(pat, sizeof pat, "\"%s\":", key);
  const char *p = strstr(line, pat);
  return p ? p + strlen(pat) : NULL;
}

bool dbt_json_str(const char *line, const char *key, char *buf, size_t cap) {
  const char *p = find_key(line, key);
  if (!p || *p != '"' || cap == 0) return false;
  p++;
  size_t n = 0;
  while (*p && *p != '"' && n + 1 < cap) {
    if (*p == '\\' && p[1]) p++;
    buf[n++] = *p++;
  }
  buf[n] = 0;
  return *p == '"';
}

bool dbt_json_num(const char *line, const char *key, double *out) {
  const char *p = find_key(line, key);
  if (!p) return false;
  char *end;
  double v = strtod(p, &end);
  if (end == p) return false;
  *out = v;
  return true;
}

bool dbt_tmpdir(char *buf, size_t cap) {
  const char *t = getenv("TMPDIR");
  snprintf(buf, cap, "%s/odai-doorbell-XXXXXX", t && *t ? t : "/tmp");
  return mkdtemp(buf) != NULL;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(p);
}

void dbt_rmrf(const char *path) { nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS); }

bool dbt_make_gallery(const char *odai_faces, const char *shared_dir, const char *gallery) {
  char root[4096];
  snprintf(root, sizeof root, "%s/testdata/faces/gallery", shared_dir);
  DIR *d = opendir(root);
  if (!d) {
    fprintf(stderr, "missing %s (the dev face set)\n", root);
    return false;
  }
  struct dirent *e;
  bool ok = true;
  while (ok && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char dir[4400];
    snprintf(dir, sizeof dir, "%s/%s", root, e->d_name);
    DIR *pd = opendir(dir);
    if (!pd) continue;
    char *argv[32] = {(char *)odai_faces, "enroll", (char *)gallery, e->d_name};
    int argc = 4;
    char paths[16][4800];
    struct dirent *f;
    while ((f = readdir(pd)) && argc < 16 + 4) {
      if (f->d_name[0] == '.') continue;
      snprintf(paths[argc - 4], sizeof paths[0], "%s/%s", dir, f->d_name);
      argv[argc] = paths[argc - 4];
      argc++;
    }
    closedir(pd);
    argv[argc++] = "--largest";
    argv[argc] = NULL;
    ok = dbt_run(argv, NULL) == 0;
  }
  closedir(d);
  return ok;
}
