/* examples/doorbell/hook.c: the --on-event worker (hook.h): bounded queue,
 * posix_spawn of /bin/sh -c COMMAND with the event on a pipe to its stdin,
 * waitpid with a timeout. */
#include "hook.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "events.h"

extern char **environ;

struct db_hook {
  char *command;
  int timeout_ms;
  db_hook_report_fn report;
  void *user;
  pthread_t thread;
  pthread_mutex_t mu; /* guards q*, stop, counters */
  pthread_cond_t cv, idle_cv;
  char **q;
  size_t qcap, qhead, qcount;
  bool stop, busy;
  int64_t deadline_ms; /* stop: give up on queued events after this */
  size_t run, failed, dropped;
};

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void report(db_hook *h, const char *msg) {
  char m[512], buf[768];
  db_json_string(m, sizeof m, msg);
  snprintf(buf, sizeof buf,
           "{\"type\":\"error\",\"visit\":0,\"timestamp_us\":0,\"what\":\"hook\",\"message\":%s}", m);
  if (h->report) h->report(h->user, buf);
}

/* The string value of "key" in an event line, copied into out (letters,
 * digits and _ only: it goes into the environment). */
static void field(const char *json, const char *key, char *out, size_t cap) {
  char pat[32];
  snprintf(pat, sizeof pat, "\"%s\":", key);
  const char *p = strstr(json, pat);
  size_t n = 0;
  if (p) {
    p += strlen(pat);
    if (*p == '"') p++;
    while (*p && n + 1 < cap &&
           ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '_' || *p == '-'))
      out[n++] = *p++;
  }
  out[n] = 0;
}

/* Run the command once with json on stdin and the environment of the
 * program plus ODAI_EVENT_TYPE and ODAI_EVENT_VISIT. */
static void run_one(db_hook *h, const char *json) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) {
    report(h, "hook: pipe failed");
    return;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, p[0], 0);
  /* its own process group, so a timeout kills the command's children too */
  posix_spawnattr_t at;
  posix_spawnattr_init(&at);
  /* ... with default signal handling and an empty mask (this thread blocks
   * SIGPIPE; the command must not inherit that) */
  sigset_t none, dfl;
  sigemptyset(&none);
  sigemptyset(&dfl);
  sigaddset(&dfl, SIGPIPE);
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&at, 0);
  posix_spawnattr_setsigmask(&at, &none);
  posix_spawnattr_setsigdefault(&at, &dfl);
  char *argv[] = {"sh", "-c", h->command, NULL};
  char type[64], visit[32], e_type[96], e_visit[64];
  field(json, "type", type, sizeof type);
  field(json, "visit", visit, sizeof visit);
  snprintf(e_type, sizeof e_type, "ODAI_EVENT_TYPE=%s", type);
  snprintf(e_visit, sizeof e_visit, "ODAI_EVENT_VISIT=%s", visit);
  size_t nenv = 0;
  while (environ[nenv]) nenv++;
  char **env = calloc(nenv + 3, sizeof *env);
  if (env) {
    env[0] = e_type;
    env[1] = e_visit;
    for (size_t i = 0; i < nenv; i++) env[2 + i] = environ[i];
  }
  pid_t pid;
  int rc = posix_spawn(&pid, "/bin/sh", &fa, &at, argv, env ? env : environ);
  free(env);
  posix_spawnattr_destroy(&at);
  posix_spawn_file_actions_destroy(&fa);
  close(p[0]);
  if (rc != 0) {
    close(p[1]);
    char m[256];
    snprintf(m, sizeof m, "hook: cannot start /bin/sh: %s", strerror(rc));
    report(h, m);
    pthread_mutex_lock(&h->mu);
    h->failed++;
    pthread_mutex_unlock(&h->mu);
    return;
  }
  /* a command that does not read its input must not block us: non-blocking
   * writes, and SIGPIPE is ignored by the program */
  fcntl(p[1], F_SETFL, O_NONBLOCK);
  size_t len = strlen(json);
  if (write(p[1], json, len) == (ssize_t)len) (void)!write(p[1], "\n", 1);
  close(p[1]);
  int status = 0;
  int64_t end = now_ms() + h->timeout_ms;
  bool timed_out = false;
  for (;;) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) break;
    if (now_ms() > end) {
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      timed_out = true;
      break;
    }
    struct timespec ts = {0, 5 * 1000000};
    nanosleep(&ts, NULL);
  }
  pthread_mutex_lock(&h->mu);
  h->run++;
  bool fail = timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0;
  if (fail) h->failed++;
  pthread_mutex_unlock(&h->mu);
  char m[256];
  if (timed_out) {
    snprintf(m, sizeof m, "hook timed out after %d ms (killed)", h->timeout_ms);
    report(h, m);
  } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    snprintf(m, sizeof m, "hook failed: exit status %d", WEXITSTATUS(status));
    report(h, m);
  } else if (WIFSIGNALED(status)) {
    snprintf(m, sizeof m, "hook failed: killed by signal %d", WTERMSIG(status));
    report(h, m);
  }
}

static void *worker(void *arg) {
  db_hook *h = arg;
  /* A hook that exits without reading its stdin must not kill the process
   * with SIGPIPE, whatever the program's signal setup: this thread keeps
   * SIGPIPE blocked, so the write fails with EPIPE and is reported. */
  sigset_t pipe_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, NULL);
  pthread_mutex_lock(&h->mu);
  for (;;) {
    while (!h->qcount && !h->stop) pthread_cond_wait(&h->cv, &h->mu);
    if (!h->qcount || (h->stop && now_ms() > h->deadline_ms)) break;
    char *json = h->q[h->qhead];
    h->qhead = (h->qhead + 1) % h->qcap;
    h->qcount--;
    h->busy = true;
    pthread_mutex_unlock(&h->mu);
    run_one(h, json);
    free(json);
    pthread_mutex_lock(&h->mu);
    h->busy = false;
    pthread_cond_broadcast(&h->idle_cv);
  }
  pthread_mutex_unlock(&h->mu);
  return NULL;
}

db_hook *db_hook_start(const char *command, size_t queue_cap, int timeout_ms,
                       db_hook_report_fn report_fn, void *user) {
  db_hook *h = calloc(1, sizeof *h);
  if (!h || queue_cap < 1) goto fail;
  h->command = strdup(command);
  h->q = calloc(queue_cap, sizeof *h->q);
  if (!h->command || !h->q) goto fail;
  h->qcap = queue_cap;
  h->timeout_ms = timeout_ms;
  h->report = report_fn;
  h->user = user;
  pthread_mutex_init(&h->mu, NULL);
  pthread_cond_init(&h->cv, NULL);
  pthread_cond_init(&h->idle_cv, NULL);
  if (pthread_create(&h->thread, NULL, worker, h) != 0) {
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->cv);
    pthread_cond_destroy(&h->idle_cv);
    goto fail;
  }
  return h;
fail:
  if (h) {
    free(h->command);
    free(h->q);
    free(h);
  }
  return NULL;
}

bool db_hook_push(db_hook *h, const char *json) {
  char *copy = strdup(json);
  if (!copy) return false;
  pthread_mutex_lock(&h->mu);
  bool ok = !h->stop && h->qcount < h->qcap;
  if (ok) {
    h->q[(h->qhead + h->qcount) % h->qcap] = copy;
    h->qcount++;
    pthread_cond_signal(&h->cv);
  } else {
    h->dropped++;
  }
  pthread_mutex_unlock(&h->mu);
  if (!ok) free(copy);
  return ok;
}

void db_hook_stop(db_hook *h, int wait_ms) {
  if (!h) return;
  pthread_mutex_lock(&h->mu);
  h->stop = true;
  h->deadline_ms = now_ms() + wait_ms;
  pthread_cond_broadcast(&h->cv);
  pthread_mutex_unlock(&h->mu);
  pthread_join(h->thread, NULL);
  while (h->qcount) {
    free(h->q[h->qhead]);
    h->qhead = (h->qhead + 1) % h->qcap;
    h->qcount--;
  }
  pthread_mutex_destroy(&h->mu);
  pthread_cond_destroy(&h->cv);
  pthread_cond_destroy(&h->idle_cv);
  free(h->q);
  free(h->command);
  free(h);
}

void db_hook_stats(db_hook *h, size_t *run, size_t *failed, size_t *dropped) {
  pthread_mutex_lock(&h->mu);
  if (run) *run = h->run;
  if (failed) *failed = h->failed;
  if (dropped) *dropped = h->dropped;
  pthread_mutex_unlock(&h->mu);
}
