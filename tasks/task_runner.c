/* The engine behind the task objects (tasks/): builds a task's graph from
 * its built-in config, runs frames through it in IMAGE/VIDEO mode (feed,
 * wait until idle, take the output at that timestamp) or LIVE_STREAM mode
 * (in-flight admission, drops counted, outputs delivered by an observer).
 * Sits on the public graph API only; see task_runner.h. */
#include "task_runner.h"

#include <ctype.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calculators/registry.h"
#include "odai/graph.h"
#include "odai/model_path.h"
#include "odai/packet_types.h"

extern const odai_embedded_file odai_task_config_files[];
extern const size_t odai_task_config_files_count;

const char *odai_task_builtin_config(const char *file_name, size_t *len) {
  for (size_t i = 0; i < odai_task_config_files_count; i++) {
    if (strcmp(odai_task_config_files[i].name, file_name) == 0) {
      if (len) *len = odai_task_config_files[i].size;
      return odai_task_config_files[i].data;
    }
  }
  return NULL;
}

const char *odai_running_mode_name(odai_running_mode mode) {
  switch (mode) {
  case ODAI_RUNNING_MODE_IMAGE: return "IMAGE";
  case ODAI_RUNNING_MODE_VIDEO: return "VIDEO";
  case ODAI_RUNNING_MODE_LIVE_STREAM: return "LIVE_STREAM";
  }
  return "?";
}

void odai_task_string_free(char *s) { free(s); }

/* ---- config substitution ------------------------------------------------ */

static bool word_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

/* The offset of the single "key:" in text (whole word), -1 if none/many. */
static long find_key(const char *text, const char *key, int *count) {
  size_t kl = strlen(key);
  long at = -1;
  *count = 0;
  for (const char *p = strstr(text, key); p; p = strstr(p + 1, key)) {
    if (p > text && word_char(p[-1])) continue;
    const char *q = p + kl;
    if (word_char(*q)) continue;
    while (*q == ' ' || *q == '\t') q++;
    if (*q != ':') continue;
    /* skip comment lines */
    const char *ls = p;
    while (ls > text && ls[-1] != '\n') ls--;
    while (*ls == ' ' || *ls == '\t') ls++;
    if (*ls == '#') continue;
    (*count)++;
    at = (long)(p - text);
  }
  return *count == 1 ? at : -1;
}

odai_status odai_task_config_apply(const char *text, const odai_task_subst *subs, size_t n,
                                   char **out, odai_error *err) {
  *out = NULL;
  char *cur = strdup(text);
  if (!cur) return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  for (size_t i = 0; i < n; i++) {
    int count;
    long at = find_key(cur, subs[i].key, &count);
    if (at < 0) {
      free(cur);
      return odai_error_set(err, ODAI_E_INTERNAL, "task config: key '%s' occurs %d times (want 1)",
                            subs[i].key, count);
    }
    const char *v = cur + at + strlen(subs[i].key);
    while (*v == ' ' || *v == '\t' || *v == ':') v++;
    const char *e = v;
    if (*e == '"') {
      e = strchr(e + 1, '"');
      if (!e) {
        free(cur);
        return odai_error_set(err, ODAI_E_INTERNAL, "task config: unterminated string");
      }
      e++;
    } else {
      while (*e && !isspace((unsigned char)*e) && *e != '}' && *e != ']' && *e != ',') e++;
    }
    size_t pre = (size_t)(v - cur), vl = strlen(subs[i].value), post = strlen(e);
    char *nx = malloc(pre + vl + post + 1);
    if (!nx) {
      free(cur);
      return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
    }
    memcpy(nx, cur, pre);
    memcpy(nx + pre, subs[i].value, vl);
    memcpy(nx + pre + vl, e, post + 1);
    free(cur);
    cur = nx;
  }
  *out = cur;
  return ODAI_OK;
}

odai_status odai_task_subst_string(odai_task_subst *s, const char *key, const char *value,
                                   odai_error *err) {
  s->key = key;
  for (const char *p = value; *p; p++)
    if (*p == '"' || *p == '\\' || *p == '\n' || *p == '\r')
      return odai_error_set(err, ODAI_E_INVALID, "%s '%s' holds a quote, backslash or newline",
                            key, value);
  int n = snprintf(s->value, sizeof s->value, "\"%s\"", value);
  if (n < 0 || (size_t)n >= sizeof s->value)
    return odai_error_set(err, ODAI_E_INVALID, "%s is too long (%zu bytes)", key, strlen(value));
  return ODAI_OK;
}

void odai_task_subst_float(odai_task_subst *s, const char *key, float v) {
  s->key = key;
  snprintf(s->value, sizeof s->value, "%.9g", (double)v);
  if (!strpbrk(s->value, ".eEn")) strcat(s->value, ".0");
}

void odai_task_subst_int(odai_task_subst *s, const char *key, long v) {
  s->key = key;
  snprintf(s->value, sizeof s->value, "%ld", v);
}

odai_status odai_task_resolve_model(const char *path, const char *def, char *out, size_t n,
                                    odai_error *err) {
  const char *p = path ? path : def;
  if (!*p) return odai_error_set(err, ODAI_E_INVALID, "model_path is empty (NULL = default model)");
  return odai_model_path_resolve(p, out, n, err);
}

odai_status odai_task_check_image(const char *task, const odai_image *img, odai_error *err) {
  if (!img) return odai_error_set(err, ODAI_E_INVALID, "%s: image is NULL", task);
  switch (odai_image_format(img)) {
  case ODAI_PIXEL_RGB8: case ODAI_PIXEL_RGBA8: case ODAI_PIXEL_BGR8: case ODAI_PIXEL_BGRA8:
  case ODAI_PIXEL_GRAY8: case ODAI_PIXEL_NV12: case ODAI_PIXEL_I420: case ODAI_PIXEL_YUYV:
    return ODAI_OK;
  default:
    return odai_error_set(err, ODAI_E_UNSUPPORTED,
                          "%s: image format %s is not accepted; use RGB8, RGBA8, BGR8, BGRA8, "
                          "GRAY8, NV12, I420 or YUYV",
                          task, odai_pixel_format_name(odai_image_format(img)));
  }
}

/* ---- the runner ---------------------------------------------------------- */

typedef struct flight {
  bool used;
  int64_t ts;
  odai_image *img;
} flight;

struct odai_task_runner {
  const char *name;
  odai_graph *g;
  odai_running_mode mode;
  odai_task_deliver_fn deliver;
  void *deliver_user;
  const char *frame_name_stream;
  int n_out;
  pthread_mutex_t call_mu; /* one detect call at a time */
  pthread_mutex_t mu;      /* everything below */
  int64_t last_ts;
  bool have_ts;
  int64_t want_ts;                             /* IMAGE/VIDEO: the frame waited for */
  odai_packet *result[ODAI_TASK_MAX_OUTPUTS]; /* its outputs */
  flight *flights; /* LIVE_STREAM admission slots */
  int max_in_flight, in_flight;
  uint64_t offered, processed, dropped;
  /* LIVE_STREAM worker thread (live_worker) */
  bool worker, stop;
  pthread_t thread;
  pthread_cond_t cv;
  bool pending; /* flights[0] holds a frame the worker has not taken yet */
};

static void release_flight(odai_task_runner *r, flight *f) {
  odai_image_unref(f->img);
  f->img = NULL;
  f->used = false;
  r->in_flight--;
  r->processed++;
}

static odai_status on_output(void *user, const odai_packet *pkt, int index);
static odai_status on_output0(void *user, const odai_packet *pkt) { return on_output(user, pkt, 0); }
static odai_status on_output1(void *user, const odai_packet *pkt) { return on_output(user, pkt, 1); }
static odai_status on_output2(void *user, const odai_packet *pkt) { return on_output(user, pkt, 2); }
static odai_status on_output3(void *user, const odai_packet *pkt) { return on_output(user, pkt, 3); }
static const odai_packet_callback k_observers[ODAI_TASK_MAX_OUTPUTS] = {on_output0, on_output1,
                                                                        on_output2, on_output3};

static odai_status on_output(void *user, const odai_packet *pkt, int index) {
  odai_task_runner *r = user;
  int64_t ts = odai_packet_timestamp(pkt);
  if (r->mode != ODAI_RUNNING_MODE_LIVE_STREAM || r->worker) {
    pthread_mutex_lock(&r->mu);
    if (ts == r->want_ts && !r->result[index]) r->result[index] = odai_packet_ref(pkt);
    pthread_mutex_unlock(&r->mu);
    return ODAI_OK;
  }
  /* Observer-driven LIVE_STREAM (one output). Outputs come in timestamp
   * order: an admitted frame older than this one got no output: deliver it
   * empty. Then this frame's output. Callbacks run outside the lock. */
  for (;;) {
    pthread_mutex_lock(&r->mu);
    flight *oldest = NULL;
    for (int i = 0; i < r->max_in_flight; i++) {
      flight *f = &r->flights[i];
      if (f->used && f->ts <= ts && (!oldest || f->ts < oldest->ts)) oldest = f;
    }
    pthread_mutex_unlock(&r->mu);
    if (!oldest) break;
    /* The slot stays used (and its image referenced) until delivered. */
    const odai_packet *pk[1] = {oldest->ts == ts ? pkt : NULL};
    r->deliver(r->deliver_user, ODAI_OK, pk, oldest->img, oldest->ts);
    pthread_mutex_lock(&r->mu);
    release_flight(r, oldest);
    pthread_mutex_unlock(&r->mu);
  }
  return ODAI_OK;
}

static odai_status run_frame(odai_task_runner *r, odai_image *img, int64_t ts,
                             odai_packet **out, odai_error *err);

static void *worker_main(void *arg) {
  odai_task_runner *r = arg;
  pthread_mutex_lock(&r->mu);
  for (;;) {
    while (!r->pending && !r->stop) pthread_cond_wait(&r->cv, &r->mu);
    if (!r->pending) break; /* stop and nothing left */
    flight f = r->flights[0];
    r->pending = false;
    pthread_mutex_unlock(&r->mu);
    odai_packet *out[ODAI_TASK_MAX_OUTPUTS] = {NULL};
    odai_error err;
    odai_status st = run_frame(r, f.img, f.ts, out, &err);
    if (st == ODAI_OK) r->deliver(r->deliver_user, st, (const odai_packet *const *)out, f.img, f.ts);
    for (int i = 0; i < r->n_out; i++) odai_packet_unref(out[i]);
    pthread_mutex_lock(&r->mu);
    release_flight(r, &r->flights[0]);
    if (st != ODAI_OK) r->processed--;
  }
  pthread_mutex_unlock(&r->mu);
  return NULL;
}

odai_status odai_task_runner_create(const odai_task_runner_config *c, odai_task_runner **out,
                                    odai_error *err) {
  *out = NULL;
  if (c->mode == ODAI_RUNNING_MODE_LIVE_STREAM && !c->deliver)
    return odai_error_set(err, ODAI_E_INVALID, "%s: LIVE_STREAM mode needs a result_callback",
                          c->task_name);
  if (c->mode != ODAI_RUNNING_MODE_IMAGE && c->mode != ODAI_RUNNING_MODE_VIDEO &&
      c->mode != ODAI_RUNNING_MODE_LIVE_STREAM)
    return odai_error_set(err, ODAI_E_INVALID, "%s: unknown running mode %d", c->task_name,
                          (int)c->mode);
  if (c->num_threads < 1 || c->num_threads > 64)
    return odai_error_set(err, ODAI_E_INVALID, "%s: num_threads %d is not in 1..64", c->task_name,
                          c->num_threads);
  odai_task_runner *r = calloc(1, sizeof *r);
  if (!r) return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  r->name = c->task_name;
  r->mode = c->mode;
  r->deliver = c->deliver;
  r->deliver_user = c->deliver_user;
  r->want_ts = INT64_MIN;
  r->frame_name_stream = c->frame_name_stream;
  r->worker = c->mode == ODAI_RUNNING_MODE_LIVE_STREAM && c->live_worker;
  r->max_in_flight = r->worker ? 1 : c->max_in_flight > 0 ? c->max_in_flight : c->num_threads;
  const char *outs[ODAI_TASK_MAX_OUTPUTS] = {c->output_stream};
  r->n_out = 1;
  if (c->n_outputs > 0) {
    r->n_out = c->n_outputs > ODAI_TASK_MAX_OUTPUTS ? ODAI_TASK_MAX_OUTPUTS : c->n_outputs;
    for (int i = 0; i < r->n_out; i++) outs[i] = c->outputs[i];
  }
  pthread_mutex_init(&r->call_mu, NULL);
  pthread_mutex_init(&r->mu, NULL);
  pthread_cond_init(&r->cv, NULL);
  odai_status st;
  if (c->mode == ODAI_RUNNING_MODE_LIVE_STREAM) {
    r->flights = calloc((size_t)r->max_in_flight, sizeof *r->flights);
    if (!r->flights) {
      st = odai_error_set(err, ODAI_E_NOMEM, "out of memory");
      goto fail;
    }
  }
  char src[64];
  snprintf(src, sizeof src, "<%s task>", c->task_name);
  st = odai_graph_create(c->config_text, strlen(c->config_text), src, &r->g, err);
  if (st != ODAI_OK) goto fail;
  st = odai_graph_set_num_threads(r->g, c->num_threads);
  for (int i = 0; st == ODAI_OK && i < r->n_out; i++) {
    st = odai_graph_observe_output(r->g, outs[i], k_observers[i], r);
    if (st != ODAI_OK) odai_error_set(err, st, "%s: cannot observe '%s'", c->task_name, outs[i]);
  }
  for (int i = 0; st == ODAI_OK && c->side_packets && c->side_packets[i]; i += 2) {
    st = odai_graph_set_side_packet(r->g, c->side_packets[i],
                                    odai_packet_new_string(c->side_packets[i + 1], ODAI_TS_UNSET));
    if (st != ODAI_OK) odai_error_set(err, st, "%s: side packet '%s'", c->task_name, c->side_packets[i]);
  }
  if (st != ODAI_OK) goto fail;
  st = odai_graph_start(r->g, err);
  if (st != ODAI_OK) goto fail;
  if (r->worker && pthread_create(&r->thread, NULL, worker_main, r) != 0) {
    st = odai_error_set(err, ODAI_E_NOMEM, "%s: cannot start the task thread", c->task_name);
    odai_graph_cancel(r->g);
    odai_graph_wait_until_done(r->g, NULL);
    goto fail;
  }
  *out = r;
  return ODAI_OK;
fail:
  odai_graph_destroy(r->g);
  free(r->flights);
  pthread_mutex_destroy(&r->call_mu);
  pthread_mutex_destroy(&r->mu);
  pthread_cond_destroy(&r->cv);
  free(r);
  return st;
}

static odai_status check_ts(odai_task_runner *r, int64_t ts, odai_error *err) {
  if (ts < 0 || ts > INT64_MAX / 4)
    return odai_error_set(err, ODAI_E_INVALID, "%s: timestamp %" PRId64 " us is out of range",
                          r->name, ts);
  if (r->have_ts && ts <= r->last_ts)
    return odai_error_set(err, ODAI_E_INVALID,
                          "%s: timestamp %" PRId64 " us does not increase (previous %" PRId64 ")",
                          r->name, ts, r->last_ts);
  return ODAI_OK;
}

/* Feed one frame, wait until the graph is idle, take its outputs. Callers
 * serialise (call_mu, or the LIVE_STREAM worker being the only feeder). */
static odai_status run_frame(odai_task_runner *r, odai_image *img, int64_t ts,
                             odai_packet **out, odai_error *err) {
  pthread_mutex_lock(&r->mu);
  r->want_ts = ts;
  pthread_mutex_unlock(&r->mu);
  odai_status st = ODAI_OK;
  if (r->frame_name_stream) {
    char name[40];
    if (r->mode == ODAI_RUNNING_MODE_IMAGE) snprintf(name, sizeof name, "frame-%" PRId64, ts);
    else snprintf(name, sizeof name, "video");
    odai_packet *np = odai_packet_new_string(name, ts);
    st = np ? odai_graph_add_packet(r->g, r->frame_name_stream, np) : ODAI_E_NOMEM;
  }
  odai_packet *pkt = st == ODAI_OK ? odai_packet_new_image(odai_image_ref(img), ts) : NULL;
  if (st == ODAI_OK) st = pkt ? odai_graph_add_packet(r->g, "image", pkt) : ODAI_E_NOMEM;
  if (st == ODAI_OK) st = odai_graph_wait_until_idle(r->g, err);
  else if (st == ODAI_E_NOMEM) odai_error_set(err, st, "out of memory");
  else odai_graph_last_error(r->g, err);
  pthread_mutex_lock(&r->mu);
  for (int i = 0; i < r->n_out; i++) {
    out[i] = st == ODAI_OK ? r->result[i] : NULL;
    if (st != ODAI_OK) odai_packet_unref(r->result[i]);
    r->result[i] = NULL;
  }
  r->want_ts = INT64_MIN;
  pthread_mutex_unlock(&r->mu);
  if (st != ODAI_OK) odai_error_prefix(err, "%s: ", r->name);
  return st;
}

odai_status odai_task_runner_process(odai_task_runner *r, odai_running_mode mode, odai_image *img,
                                     int64_t ts, odai_packet **out, int64_t *ts_out,
                                     odai_error *err) {
  for (int i = 0; i < ODAI_TASK_MAX_OUTPUTS && i < (r ? r->n_out : 0); i++) out[i] = NULL;
  if (r->mode != mode)
    return odai_error_set(err, ODAI_E_INVALID, "%s: created in %s mode, called for %s mode",
                          r->name, odai_running_mode_name(r->mode), odai_running_mode_name(mode));
  odai_status st = odai_task_check_image(r->name, img, err);
  if (st != ODAI_OK) return st;
  pthread_mutex_lock(&r->call_mu);
  if (mode == ODAI_RUNNING_MODE_IMAGE) ts = r->have_ts ? r->last_ts + 1 : 0;
  st = check_ts(r, ts, err);
  if (st != ODAI_OK) goto out;
  r->have_ts = true;
  r->last_ts = ts;
  pthread_mutex_lock(&r->mu);
  r->offered++;
  pthread_mutex_unlock(&r->mu);
  st = run_frame(r, img, ts, out, err);
  if (st == ODAI_OK) {
    pthread_mutex_lock(&r->mu);
    r->processed++;
    pthread_mutex_unlock(&r->mu);
  }
  if (ts_out) *ts_out = ts;
out:
  pthread_mutex_unlock(&r->call_mu);
  return st;
}

odai_status odai_task_runner_send(odai_task_runner *r, odai_image *img, int64_t ts,
                                  odai_error *err) {
  if (r->mode != ODAI_RUNNING_MODE_LIVE_STREAM)
    return odai_error_set(err, ODAI_E_INVALID, "%s: created in %s mode, called for LIVE_STREAM mode",
                          r->name, odai_running_mode_name(r->mode));
  odai_status st = odai_task_check_image(r->name, img, err);
  if (st != ODAI_OK) return st;
  pthread_mutex_lock(&r->call_mu);
  st = check_ts(r, ts, err);
  if (st != ODAI_OK) goto out;
  if (odai_graph_last_error(r->g, err) != ODAI_OK) {
    st = odai_error_prefix(err, "%s: ", r->name);
    goto out;
  }
  r->have_ts = true;
  r->last_ts = ts;
  pthread_mutex_lock(&r->mu);
  r->offered++;
  flight *f = NULL;
  if (r->in_flight < r->max_in_flight) {
    for (int i = 0; i < r->max_in_flight && !f; i++)
      if (!r->flights[i].used) f = &r->flights[i];
  }
  if (!f) {
    r->dropped++;
    pthread_mutex_unlock(&r->mu);
    goto out; /* busy: dropped, counted */
  }
  f->used = true;
  f->ts = ts;
  f->img = odai_image_ref(img);
  r->in_flight++;
  if (r->worker) { /* the task thread takes it from here */
    r->pending = true;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
    goto out;
  }
  pthread_mutex_unlock(&r->mu);
  odai_packet *pkt = odai_packet_new_image(odai_image_ref(img), ts);
  st = pkt ? odai_graph_try_add_packet(r->g, "image", pkt) : ODAI_E_NOMEM;
  if (st != ODAI_OK) {
    if (st == ODAI_E_AGAIN) odai_packet_unref(pkt);
    pthread_mutex_lock(&r->mu);
    release_flight(r, f);
    r->processed--;
    if (st == ODAI_E_AGAIN) r->dropped++;
    pthread_mutex_unlock(&r->mu);
    if (st == ODAI_E_AGAIN) st = ODAI_OK;
    else if (st == ODAI_E_NOMEM) odai_error_set(err, st, "out of memory");
    else if (odai_graph_last_error(r->g, err) == ODAI_OK)
      odai_error_set(err, st, "%s: graph refused the frame", r->name);
    else odai_error_prefix(err, "%s: ", r->name);
  }
out:
  pthread_mutex_unlock(&r->call_mu);
  return st;
}

odai_task_stats odai_task_runner_stats(const odai_task_runner *r) {
  odai_task_stats s = {0, 0, 0, 0};
  if (!r) return s;
  odai_task_runner *m = (odai_task_runner *)r;
  pthread_mutex_lock(&m->mu);
  s.offered = r->offered;
  s.processed = r->processed;
  s.dropped = r->dropped;
  s.in_flight = (uint32_t)r->in_flight;
  pthread_mutex_unlock(&m->mu);
  return s;
}

void odai_task_runner_destroy(odai_task_runner *r) {
  if (!r) return;
  if (r->worker) { /* finish the frame in hand and the one waiting */
    pthread_mutex_lock(&r->mu);
    r->stop = true;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->thread, NULL);
  }
  odai_graph_wait_until_done(r->g, NULL);
  /* Frames whose output never came (graph failure): release them. */
  if (r->flights)
    for (int i = 0; i < r->max_in_flight; i++)
      if (r->flights[i].used) release_flight(r, &r->flights[i]);
  odai_graph_destroy(r->g);
  for (int i = 0; i < ODAI_TASK_MAX_OUTPUTS; i++) odai_packet_unref(r->result[i]);
  free(r->flights);
  pthread_mutex_destroy(&r->call_mu);
  pthread_mutex_destroy(&r->mu);
  pthread_cond_destroy(&r->cv);
  free(r);
}
