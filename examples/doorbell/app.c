/* examples/doorbell/app.c: odai-doorbell's run (app.h): builds the graph,
 * wires its event streams to the event writer, feeds frames (each one for
 * files and folders; the newest for live sources) and survives a lost
 * camera by reopening it with back-off. */
#include "app.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "calculators/registry.h"
#include "capture.h"
#include "events.h"
#include "hook.h"
#include "mqtt.h"
#include "odai/graph.h"
#include "odai/packet_types.h"
#include "retention.h"
#include "signals.h"

extern const odai_embedded_file odai_doorbell_configs[];
extern const size_t odai_doorbell_configs_count;

static const char k_preview[] =
    "\nnode {\n"
    "  calculator: \"AnnotationOverlayCalculator\"\n"
    "  input_stream: \"IMAGE:throttled_video\"\n"
    "  input_stream: \"visit_render\"\n"
    "  output_stream: \"IMAGE:preview_video\"\n"
    "}\n"
    "node {\n"
    "  calculator: \"SdlDisplayCalculator\"\n"
    "  input_stream: \"VIDEO:preview_video\"\n"
    "  options { title: \"odai doorbell\" }\n"
    "}\n";

typedef struct app {
  db_events *ev;
  pthread_mutex_t mu; /* guards done_ts */
  pthread_cond_t cv;
  int64_t done_ts;
} app;

const char *db_builtin_config(size_t *len) {
  for (size_t i = 0; i < odai_doorbell_configs_count; i++)
    if (!strcmp(odai_doorbell_configs[i].name, "doorbell.pbtxt")) {
      if (len) *len = odai_doorbell_configs[i].size;
      return odai_doorbell_configs[i].data;
    }
  return NULL;
}

static odai_status on_events(void *user, const odai_packet *pkt) {
  app *a = user;
  const char *s = NULL;
  if (odai_packet_get_string(pkt, &s) != ODAI_OK || !s) return ODAI_OK;
  /* one packet may carry several events, one per line */
  const char *p = s;
  while (*p) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    char *line = strndup(p, n);
    if (line) {
      if (line[0]) db_events_emit(a->ev, line);
      free(line);
    }
    p += n + (nl ? 1 : 0);
  }
  return ODAI_OK;
}

static odai_status on_visit(void *user, const odai_packet *pkt) {
  app *a = user;
  pthread_mutex_lock(&a->mu);
  a->done_ts = odai_packet_timestamp(pkt);
  pthread_cond_broadcast(&a->cv);
  pthread_mutex_unlock(&a->mu);
  return ODAI_OK;
}

static void hook_report(void *user, const char *json) { db_events_note(user, json); }

/* Wait until the graph has finished frame ts (files: every frame counts). */
static bool wait_done(app *a, odai_graph *g, int64_t ts) {
  pthread_mutex_lock(&a->mu);
  while (a->done_ts < ts && !db_stop_requested()) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_nsec += 100 * 1000000;
    if (t.tv_nsec >= 1000000000) {
      t.tv_sec++;
      t.tv_nsec -= 1000000000;
    }
    pthread_cond_timedwait(&a->cv, &a->mu, &t);
    if (a->done_ts >= ts) break;
    pthread_mutex_unlock(&a->mu);
    bool failed = odai_graph_last_error(g, NULL) != ODAI_OK;
    pthread_mutex_lock(&a->mu);
    if (failed) break;
  }
  bool ok = a->done_ts >= ts;
  pthread_mutex_unlock(&a->mu);
  return ok;
}

static odai_graph *make_graph(const db_cli *cli, odai_error *err) {
  char *text = NULL;
  size_t len = 0;
  const char *name = "configs/doorbell.pbtxt (built in)";
  if (cli->config) {
    FILE *f = fopen(cli->config, "rb");
    if (!f) {
      odai_error_set(err, ODAI_E_NOT_FOUND, "--config %s: cannot open", cli->config);
      return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    text = n >= 0 ? malloc((size_t)n + sizeof k_preview + 1) : NULL;
    if (text && fread(text, 1, (size_t)n, f) == (size_t)n) len = (size_t)n;
    fclose(f);
    if (!text || len != (size_t)n) {
      free(text);
      odai_error_set(err, ODAI_E_IO, "--config %s: cannot read", cli->config);
      return NULL;
    }
    name = cli->config;
  } else {
    const char *b = db_builtin_config(&len);
    text = b ? malloc(len + sizeof k_preview + 1) : NULL;
    if (!text) {
      odai_error_set(err, ODAI_E_NOMEM, "out of memory");
      return NULL;
    }
    memcpy(text, b, len);
  }
  if (cli->preview) {
    memcpy(text + len, k_preview, sizeof k_preview - 1);
    len += sizeof k_preview - 1;
  }
  text[len] = 0;
  odai_graph *g = NULL;
  odai_graph_create(text, len, name, &g, err);
  free(text);
  return g;
}

static void sweep(const db_cli *cli, db_events *ev) {
  if (cli->retain_days <= 0) return;
  const char *dirs[2] = {cli->snapshots, cli->clips};
  for (int i = 0; i < 2; i++) {
    if (!dirs[i]) continue;
    int n = db_retention_sweep(dirs[i], cli->retain_days, time(NULL));
    if (n > 0) db_events_emitf(ev, "retention", 0, "\"deleted\":%d,\"days\":%d", n, cli->retain_days);
  }
}

static odai_status set_side(odai_graph *g, const char *name, odai_packet *p, odai_error *err) {
  if (!p) return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  odai_status st = odai_graph_set_side_packet(g, name, p);
  if (st) odai_error_set(err, st, "side packet %s refused by the config", name);
  return st;
}

/* Capture until the end, a stop signal or a graph error. */
static odai_status capture_loop(const db_cli *cli, app *a, odai_graph *g, db_capture *cap,
                                odai_error *err) {
  bool live = db_capture_live(cap);
  int64_t last_ts = 0;
  time_t next_sweep = time(NULL) + 3600;
  int stalled_ms = 0;
  while (!db_stop_requested()) {
    odai_image *frame = NULL;
    int64_t ts = 0;
    odai_error rerr;
    odai_status st = db_capture_read(cap, 200, &frame, &ts, &rerr);
    if (st == ODAI_E_TIMEOUT) {
      /* a live source that gives nothing for 10 s is as good as lost */
      stalled_ms += 200;
      if (!live || stalled_ms < 10000) continue;
      st = odai_error_set(&rerr, ODAI_E_DEVICE_LOST, "no frame for 10 s");
    }
    stalled_ms = 0;
    if (st == ODAI_E_EOF) break;
    if (st != ODAI_OK) {
      if (!live) return odai_error_set(err, st, "%s", rerr.message);
      char m[600];
      db_json_string(m, sizeof m, rerr.message);
      db_events_emitf(a->ev, "camera_lost", last_ts, "\"message\":%s", m);
      struct timespec t0;
      clock_gettime(CLOCK_MONOTONIC, &t0);
      int backoff_ms = 100, attempts = 0;
      bool back = false;
      while (!db_stop_requested()) {
        for (int waited = 0; waited < backoff_ms && !db_stop_requested(); waited += 20) {
          struct timespec s = {0, 20 * 1000000};
          nanosleep(&s, NULL);
        }
        attempts++;
        if (db_capture_reopen(cap, &rerr) == ODAI_OK) {
          back = true;
          break;
        }
        backoff_ms = backoff_ms * 2 > 5000 ? 5000 : backoff_ms * 2;
      }
      if (back) {
        struct timespec t1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double down = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        db_events_emitf(a->ev, "camera_restored", last_ts, "\"down_s\":%.2f,\"attempts\":%d", down,
                        attempts);
      }
      continue;
    }
    last_ts = ts;
    odai_packet *p = odai_packet_new_image(frame, ts);
    if (!p) return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
    st = odai_graph_add_packet(g, "input_video", p);
    if (st) break; /* the graph stopped: its error is reported by the caller */
    if (!live && !wait_done(a, g, ts)) break;
    if (cli->retain_days > 0 && time(NULL) >= next_sweep) {
      sweep(cli, a->ev);
      next_sweep = time(NULL) + 3600;
    }
  }
  return ODAI_OK;
}

int db_app_run(const db_cli *cli) {
  int rc = 1;
  odai_error err = {0};
  app a = {.done_ts = -1};
  pthread_mutex_init(&a.mu, NULL);
  pthread_cond_init(&a.cv, NULL);
  db_hook *hook = NULL;
  db_mqtt *mqtt = NULL;
  db_capture *cap = NULL;
  odai_graph *g = NULL;
  bool started = false;

  if (db_events_open(cli->events, &a.ev, &err) != ODAI_OK) {
    fprintf(stderr, "odai-doorbell: %s\n", err.message);
    goto done;
  }
  if (cli->mqtt && db_mqtt_start(cli->mqtt, cli->id, &mqtt, &err) != ODAI_OK) goto fail;
  db_events_set_mqtt(a.ev, mqtt);
  if (cli->on_event) {
    hook = db_hook_start(cli->on_event, 64, cli->hook_timeout_ms, hook_report, a.ev);
    if (!hook) {
      odai_error_set(&err, ODAI_E_NOMEM, "cannot start the --on-event worker");
      goto fail;
    }
    db_events_set_hook(a.ev, hook);
  }
  sweep(cli, a.ev);
  if (!(g = make_graph(cli, &err))) goto fail;
  if (cli->threads) odai_graph_set_num_threads(g, cli->threads);
  if (set_side(g, "gallery_path", odai_packet_new_string(cli->gallery, ODAI_TS_UNSET), &err) ||
      set_side(g, "snapshot_dir", odai_packet_new_string(cli->snapshots ? cli->snapshots : "", ODAI_TS_UNSET), &err) ||
      set_side(g, "clip_dir", odai_packet_new_string(cli->clips ? cli->clips : "", ODAI_TS_UNSET), &err) ||
      set_side(g, "blur_unknown", odai_packet_new_bool(cli->blur_unknown, ODAI_TS_UNSET), &err))
    goto fail;
  if (odai_graph_observe_output(g, "visit_events", on_events, &a) ||
      odai_graph_observe_output(g, "visit", on_visit, &a)) {
    odai_error_set(&err, ODAI_E_INVALID, "the config must have the streams visit_events and visit");
    goto fail;
  }
  odai_graph_observe_output(g, "clip_events", on_events, &a); /* optional */
  if (db_capture_open(cli->input, &cap, &err) != ODAI_OK) goto fail;
  if (odai_graph_start(g, &err) != ODAI_OK) goto fail;
  started = true;
  {
    char in[600];
    db_json_string(in, sizeof in, cli->input);
    db_events_emitf(a.ev, "started", 0, "\"input\":%s,\"live\":%s", in,
                    db_capture_live(cap) ? "true" : "false");
  }
  odai_status st = capture_loop(cli, &a, g, cap, &err);
  odai_error gerr;
  odai_status gst = odai_graph_wait_until_done(g, &gerr);
  started = false;
  if (st) goto fail;
  if (gst && gst != ODAI_E_CANCELLED) {
    err = gerr;
    goto fail;
  }
  {
    int sig = db_stop_signal();
    db_events_emitf(a.ev, "stopped", 0, "\"reason\":\"%s\"",
                    sig ? (sig == 2 ? "SIGINT" : "SIGTERM")
                        : db_stop_requested() ? "stop requested"
                                              : (gst ? "preview closed" : "end of input"));
  }
  rc = 0;
  goto done;
fail:
  fprintf(stderr, "odai-doorbell: %s\n", err.message);
  if (a.ev) {
    char m[600];
    db_json_string(m, sizeof m, err.message);
    db_events_emitf(a.ev, "error", 0, "\"what\":\"fatal\",\"message\":%s", m);
  }
done:
  if (started) {
    odai_graph_cancel(g);
    odai_graph_wait_until_done(g, NULL);
  }
  odai_graph_destroy(g);
  db_capture_close(cap);
  db_hook_stop(hook, 2000);
  db_events_set_hook(a.ev, NULL);
  db_events_set_mqtt(a.ev, NULL);
  db_mqtt_stop(mqtt);
  db_events_close(a.ev);
  pthread_mutex_destroy(&a.mu);
  pthread_cond_destroy(&a.cv);
  return rc;
}
