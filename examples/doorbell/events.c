/* examples/doorbell/events.c: odai-doorbell's event writer (events.h): the
 * events file, plus fan-out to the --on-event hook and MQTT. */
#include "events.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "hook.h"
#include "mqtt.h"

struct db_events {
  pthread_mutex_t mu; /* guards everything below */
  FILE *f;
  bool is_stdout;
  bool reported_error;
  uint64_t write_errors;
  db_hook *hook;
  db_mqtt *mqtt;
};

odai_status db_events_open(const char *path, db_events **out, odai_error *err) {
  *out = NULL;
  db_events *ev = calloc(1, sizeof *ev);
  if (!ev) return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  if (!path || !strcmp(path, "-")) {
    ev->f = stdout;
    ev->is_stdout = true;
  } else {
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0 || !(ev->f = fdopen(fd, "a"))) {
      int e = errno;
      if (fd >= 0) close(fd);
      free(ev);
      return odai_error_set(err, ODAI_E_IO, "events file '%s': %s", path, strerror(e));
    }
  }
  pthread_mutex_init(&ev->mu, NULL);
  *out = ev;
  return ODAI_OK;
}

void db_events_set_hook(db_events *ev, db_hook *hook) { ev->hook = hook; }
void db_events_set_mqtt(db_events *ev, db_mqtt *mqtt) { ev->mqtt = mqtt; }

void db_json_string(char *out, size_t cap, const char *s) {
  size_t n = 0;
  if (cap < 3) {
    if (cap) out[0] = 0;
    return;
  }
  out[n++] = '"';
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && n + 8 < cap; p++) {
    if (*p == '"' || *p == '\\') {
      out[n++] = '\\';
      out[n++] = (char)*p;
    } else if (*p < 0x20) {
      n += (size_t)snprintf(out + n, cap - n, "\\u%04x", *p);
    } else {
      out[n++] = (char)*p;
    }
  }
  out[n++] = '"';
  out[n] = 0;
}

/* Insert "time":"..." after the opening brace. */
static char *with_time(const char *json) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  struct tm tm;
  localtime_r(&tv.tv_sec, &tm);
  char t[64], z[8];
  strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%S", &tm);
  strftime(z, sizeof z, "%z", &tm);
  size_t n = strlen(json) + 96;
  char *out = malloc(n);
  if (!out) return NULL;
  const char *body = json[0] == '{' ? json + 1 : json;
  snprintf(out, n, "{\"time\":\"%s.%03d%s\",%s", t, (int)(tv.tv_usec / 1000), z, body);
  return out;
}

static void dispatch(db_events *ev, const char *json, bool to_hook) {
  char *line = with_time(json);
  const char *text = line ? line : json;
  pthread_mutex_lock(&ev->mu);
  bool ok = fputs(text, ev->f) >= 0 && fputc('\n', ev->f) != EOF && fflush(ev->f) == 0;
  if (!ok) {
    ev->write_errors++;
    clearerr(ev->f);
    if (!ev->reported_error) {
      ev->reported_error = true;
      fprintf(stderr, "odai-doorbell: cannot write the events file: %s\n", strerror(errno));
    }
  }
  db_hook *hook = to_hook ? ev->hook : NULL;
  db_mqtt *mqtt = ev->mqtt;
  pthread_mutex_unlock(&ev->mu);
  if (mqtt) db_mqtt_publish_event(mqtt, text);
  if (hook && !db_hook_push(hook, text)) {
    char buf[256];
    snprintf(buf, sizeof buf,
             "{\"type\":\"error\",\"visit\":0,\"timestamp_us\":0,\"what\":\"hook\","
             "\"message\":\"hook queue full: event dropped\"}");
    db_events_note(ev, buf);
  }
  free(line);
}

void db_events_emit(db_events *ev, const char *json) { dispatch(ev, json, true); }
void db_events_note(db_events *ev, const char *json) { dispatch(ev, json, false); }

void db_events_emitf(db_events *ev, const char *type, int64_t ts, const char *extra_fmt, ...) {
  char extra[1024] = "";
  va_list ap;
  va_start(ap, extra_fmt);
  vsnprintf(extra, sizeof extra, extra_fmt, ap);
  va_end(ap);
  char buf[1400];
  snprintf(buf, sizeof buf, "{\"type\":\"%s\",\"visit\":0,\"timestamp_us\":%lld%s%s}", type,
           (long long)ts, extra[0] ? "," : "", extra);
  db_events_emit(ev, buf);
}

uint64_t db_events_write_errors(db_events *ev) {
  pthread_mutex_lock(&ev->mu);
  uint64_t n = ev->write_errors;
  pthread_mutex_unlock(&ev->mu);
  return n;
}

void db_events_close(db_events *ev) {
  if (!ev) return;
  fflush(ev->f);
  if (!ev->is_stdout) {
    fsync(fileno(ev->f));
    fclose(ev->f);
  }
  pthread_mutex_destroy(&ev->mu);
  free(ev);
}
