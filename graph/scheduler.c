/* graph/scheduler.c: the streaming scheduler. Executors are thread pools
 * with a FIFO ready queue; input stream handlers (timestamp-synchronised
 * default, immediate) decide when a node is ready; timestamp bounds and
 * offsets propagate downstream; max_queue_size throttles sources and graph
 * inputs; the first error stops the graph and every opened node is closed.
 *
 * Locking: one mutex per graph (graph->mu) guards queues, bounds and
 * scheduling state. A node's callback runs without the lock; its outputs
 * are staged in the node and flushed under the lock together with picking
 * the next node, so the hot path takes the lock about once per invocation
 * and allocates nothing (queues are rings that only grow). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "graph/graph_internal.h"
#include "graph/options.h"

static _Thread_local uint32_t t_worker_id;
/* The executor whose worker is finishing an invocation on this thread: that
 * worker takes the next ready node itself, so enqueue wakes another worker
 * only for the second and later ready nodes (no futile wake-ups on chains). */
static _Thread_local const odai_executor *t_finishing;

int64_t odai_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void update_node(odai_graph *g, odai_node *n);

/* ---- Queues (under mu) ---- */

static odai_status ring_push(odai_graph *g, odai_in_port *p, odai_packet *pkt) {
  if (p->count == p->cap) {
    uint32_t cap = p->cap * 2;
    odai_packet **r = malloc(cap * sizeof *r);
    if (!r) return ODAI_E_NOMEM;
    for (uint32_t i = 0; i < p->count; i++) r[i] = p->ring[(p->head + i) & (p->cap - 1)];
    free(p->ring);
    p->ring = r;
    p->cap = cap;
    p->head = 0;
  }
  p->ring[(p->head + p->count) & (p->cap - 1)] = pkt;
  p->count++;
  if (p->count > p->high_water) p->high_water = p->count;
  if (g->max_queue > 0 && !p->back_edge && !p->full && p->count >= (uint32_t)g->max_queue) {
    p->full = true;
    g->n_full++;
  }
  return ODAI_OK;
}

static void unthrottle(odai_graph *g) {
  g->throttle_lifted = false;
  for (size_t i = 0; i < g->n_sources; i++) update_node(g, g->sources[i]);
}

static odai_packet *ring_pop(odai_graph *g, odai_in_port *p) {
  odai_packet *pkt = p->ring[p->head];
  p->ring[p->head] = NULL;
  p->head = (p->head + 1) & (p->cap - 1);
  p->count--;
  if (p->full && p->count < (uint32_t)g->max_queue) {
    p->full = false;
    if (--g->n_full == 0) unthrottle(g);
    if (g->n_space_waiters) pthread_cond_broadcast(&g->space_cv);
  }
  return pkt;
}

static inline odai_timestamp port_head(const odai_in_port *p) {
  return p->count ? odai_packet_timestamp(p->ring[p->head]) : p->bound;
}

/* ---- Ready queues (under mu) ---- */

static void enqueue(odai_graph *g, odai_node *n) {
  odai_executor *e = n->ex;
  n->sched = ODAI_NODE_QUEUED;
  n->next_ready = NULL;
  if (e->rq_tail)
    e->rq_tail->next_ready = n;
  else
    e->rq_head = n;
  e->rq_tail = n;
  e->n_ready++;
  g->n_ready_total++;
  if (e->n_idle > 0 && e->n_ready > (t_finishing == e ? 1 : 0)) pthread_cond_signal(&e->cv);
}

static odai_node *dequeue(odai_graph *g, odai_executor *e) {
  odai_node *n = e->rq_head;
  if (!n) return NULL;
  e->rq_head = n->next_ready;
  if (!e->rq_head) e->rq_tail = NULL;
  e->n_ready--;
  g->n_ready_total--;
  return n;
}

static void wake_all(odai_graph *g) {
  for (size_t i = 0; i < g->n_execs; i++) pthread_cond_broadcast(&g->execs[i]->cv);
  pthread_cond_broadcast(&g->done_cv);
  pthread_cond_broadcast(&g->space_cv);
  for (size_t i = 0; i < g->n_pollers; i++) pthread_cond_broadcast(&g->pollers[i]->cv);
}

/* Stop scheduling (first error or cancel). Under mu. */
static void stop_locked(odai_graph *g) {
  if (g->stopping) return;
  g->stopping = true;
  for (size_t i = 0; i < g->n_execs; i++) {
    odai_executor *e = g->execs[i];
    for (odai_node *n = e->rq_head; n; n = n->next_ready) n->sched = ODAI_NODE_IDLE;
    e->rq_head = e->rq_tail = NULL;
    g->n_ready_total -= e->n_ready;
    e->n_ready = 0;
  }
  if (g->running == 0) g->shutdown = true;
  wake_all(g);
}

static void set_error_locked(odai_graph *g, odai_status code, const char *msg) {
  if (!g->has_error) {
    g->has_error = true;
    g->error.code = code;
    snprintf(g->error.message, sizeof g->error.message, "%s", msg);
  }
  stop_locked(g);
}

/* ---- Bounds and packets (under mu) ---- */

static void raise_stream_bound(odai_graph *g, odai_stream *s, odai_timestamp ts) {
  if (ts <= s->bound) return;
  s->bound = ts;
  for (size_t c = 0; c < s->n_consumers; c++) {
    odai_in_port *p = s->consumers[c];
    if (ts > p->bound) {
      p->bound = ts;
      if (p->node->process_bounds) p->node->bounds_dirty = true;
      update_node(g, p->node);
    }
  }
}

/* FixedSizeInputStreamHandler: keep the newest packets only. */
static void trim_fixed(odai_graph *g, odai_in_port *p) {
  const odai_node *n = p->node;
  if (n->fixed_trigger && !p->back_edge && p->count > n->fixed_trigger)
    while (p->count > n->fixed_target) odai_packet_unref(ring_pop(g, p));
}

/* Push one packet (transfer full) to every consumer of s; consumers are
 * updated by the caller. */
static odai_status push_packet(odai_graph *g, odai_stream *s, odai_packet *pkt) {
  odai_timestamp next = odai_ts_next_allowed(odai_packet_timestamp(pkt));
  odai_status st = ODAI_OK;
  /* Closed consumers take nothing; the last open one takes pkt itself. */
  size_t last = s->n_consumers;
  for (size_t c = 0; c < s->n_consumers; c++)
    if (!s->consumers[c]->node->closed) last = c;
  for (size_t c = 0; c < s->n_consumers; c++) {
    odai_in_port *p = s->consumers[c];
    if (next > p->bound) p->bound = next;
    if (p->node->closed) continue;
    odai_packet *ref = c == last ? pkt : odai_packet_ref(pkt);
    if (ring_push(g, p, ref) != ODAI_OK) {
      odai_packet_unref(ref);
      st = ODAI_E_NOMEM;
    }
    trim_fixed(g, p);
  }
  if (last == s->n_consumers) odai_packet_unref(pkt);
  if (next > s->bound) s->bound = next;
  return st;
}

static void update_consumers(odai_graph *g, odai_stream *s) {
  for (size_t c = 0; c < s->n_consumers; c++) update_node(g, s->consumers[c]->node);
}

static void flush_outputs(odai_graph *g, odai_node *n, bool discard) {
  for (int k = 0; k < n->n_out; k++) {
    odai_out_port *o = &n->out[k];
    odai_stream *s = o->stream;
    bool any = o->n_pending > 0;
    for (uint32_t i = 0; i < o->n_pending; i++) {
      if (discard) {
        odai_packet_unref(o->pending[i]);
        continue;
      }
      n->packets_out++;
      if (push_packet(g, s, o->pending[i]) != ODAI_OK)
        set_error_locked(g, ODAI_E_NOMEM, "out of memory growing a stream queue");
      o->pending[i] = NULL;
    }
    o->n_pending = 0;
    odai_timestamp b = o->staged_bound;
    if (o->close_req) b = ODAI_TS_DONE;
    o->staged_bound = ODAI_TS_UNSET;
    o->staged_next = ODAI_TS_UNSET;
    o->close_req = false;
    if (discard) continue;
    if (any) update_consumers(g, s);
    raise_stream_bound(g, s, b);
  }
}

static void close_outputs(odai_graph *g, odai_node *n) {
  for (int k = 0; k < n->n_out; k++) raise_stream_bound(g, n->out[k].stream, ODAI_TS_DONE);
}

/* Decide whether n can run now; enqueue it if so. Also propagates output
 * bounds through a declared timestamp offset. Under mu. */
static void update_node(odai_graph *g, odai_node *n) {
  if (n->closed || g->stopping || !n->opened) return;
  if (n->sched == ODAI_NODE_IDLE) {
    if (n->close_pending) {
      enqueue(g, n);
      return;
    }
    if (n->n_in == 0) {
      if (g->n_full == 0 || g->throttle_lifted) enqueue(g, n);
      return;
    }
  } else if (n->n_in == 0 || n->close_pending) {
    return;
  }
  odai_timestamp tmin = ODAI_TS_DONE;
  bool any_pkt = false, all_done = true, any_forward = false;
  for (int k = 0; k < n->n_in; k++) {
    const odai_in_port *p = &n->in[k];
    odai_timestamp h = port_head(p);
    if (p->count) any_pkt = true;
    if (!p->back_edge) {
      any_forward = true;
      if (h != ODAI_TS_DONE) all_done = false;
    }
    if (h < tmin) tmin = h;
  }
  if (!any_forward) all_done = tmin == ODAI_TS_DONE;
  if (all_done && n->process_bounds && tmin != ODAI_TS_DONE) {
    /* A node that watches bounds (PreviousLoopback) may still owe outputs
     * for packets it holds: it ends once its back edges end too, or once
     * it has closed all of its outputs itself. */
    for (int k = 0; k < n->n_out && all_done; k++)
      all_done = n->out[k].stream->bound == ODAI_TS_DONE;
  }
  if (n->sched == ODAI_NODE_IDLE) {
    if (all_done) {
      n->close_pending = true;
      enqueue(g, n);
      return;
    }
    bool ready = false;
    if (n->immediate) {
      ready = any_pkt || (n->process_bounds && n->bounds_dirty);
    } else if (any_pkt) {
      bool has_at_t = false, blocked = false;
      for (int k = 0; k < n->n_in; k++) {
        const odai_in_port *p = &n->in[k];
        if (p->count) {
          if (odai_packet_timestamp(p->ring[p->head]) == tmin) has_at_t = true;
        } else if (p->bound <= tmin) {
          blocked = true;
        }
      }
      ready = has_at_t && !blocked;
    }
    if (ready) enqueue(g, n);
  }
  if (n->has_offset && n->sched != ODAI_NODE_RUNNING && !all_done && odai_ts_is_range(tmin)) {
    odai_timestamp b = odai_ts_add(tmin, n->offset);
    for (int k = 0; k < n->n_out; k++) raise_stream_bound(g, n->out[k].stream, b);
  }
}

/* Take the inputs of the invocation (under mu). */
static void dispatch(odai_graph *g, odai_node *n) {
  n->sched = ODAI_NODE_RUNNING;
  g->running++;
  n->has_err = false;
  n->cur_ts = ODAI_TS_UNSET;
  if (n->close_pending) {
    n->kind = 2;
  } else {
    n->kind = 1;
    if (n->n_in) {
      odai_timestamp t = ODAI_TS_DONE;
      for (int k = 0; k < n->n_in; k++) {
        const odai_in_port *p = &n->in[k];
        odai_timestamp h = n->immediate ? (p->count ? port_head(p) : ODAI_TS_DONE) : port_head(p);
        if (h < t) t = h;
      }
      n->bounds_dirty = false;
      for (int k = 0; k < n->n_in; k++) {
        odai_in_port *p = &n->in[k];
        if (p->count && odai_packet_timestamp(p->ring[p->head]) == t) {
          n->cur_in[k] = ring_pop(g, p);
          n->packets_in++;
        }
        n->cur_bound[k] = port_head(p);
      }
      if (t != ODAI_TS_DONE) n->cur_ts = t;
    }
  }
}

static void record_trace(odai_graph *g, odai_node *n, int64_t t0, int64_t t1) {
  if (g->trace && g->trace_n < g->trace_cap) {
    odai_trace_event *e = &g->trace[g->trace_n++];
    e->node = n->id;
    e->kind = n->kind;
    e->tid = t_worker_id;
    e->start_ns = t0 - g->t0_ns;
    e->dur_ns = t1 - t0;
    e->ts = n->cur_ts;
  }
}

static void node_error_locked(odai_graph *g, odai_node *n, odai_status st, const char *what) {
  char msg[ODAI_ERROR_MESSAGE_MAX];
  if (n->has_err)
    snprintf(msg, sizeof msg, "%s", n->err);
  else
    snprintf(msg, sizeof msg, "node '%s' (%s): %s failed: %s", n->name, n->def->name, what,
             odai_status_str(st));
  set_error_locked(g, st, msg);
}

static void check_done_locked(odai_graph *g) {
  if (g->n_closed == g->n_nodes && !g->finished) {
    g->finished = true;
    g->shutdown = true;
    wake_all(g);
    return;
  }
  if (g->stopping && g->running == 0) {
    g->shutdown = true;
    wake_all(g);
    return;
  }
  if (g->running == 0 && g->n_ready_total == 0) {
    /* Idle. If sources are throttled by a queue that cannot drain, lift
     * the throttle (MediaPipe grows the queue in this case). */
    if (g->n_full > 0 && !g->throttle_lifted) {
      g->throttle_lifted = true;
      for (size_t i = 0; i < g->n_sources; i++) update_node(g, g->sources[i]);
    }
    pthread_cond_broadcast(&g->done_cv);
    if (g->n_space_waiters) pthread_cond_broadcast(&g->space_cv);
  }
}

/* Finish an invocation (under mu). */
static void finish(odai_graph *g, odai_node *n, odai_status st, int64_t t0, int64_t t1) {
  g->running--;
  record_trace(g, n, t0, t1);
  int64_t dt = t1 - t0;
  if (n->kind == 1) {
    n->process_calls++;
    n->total_ns += (uint64_t)dt;
    if ((uint64_t)dt > n->max_ns) n->max_ns = (uint64_t)dt;
  }
  n->sched = ODAI_NODE_IDLE;
  if (n->kind == 2) {
    n->closed = true;
    n->close_pending = false;
    g->n_closed++;
    /* Drop what is still queued (e.g. on back edges) so full queues do
     * not keep throttling the graph. */
    for (int k = 0; k < n->n_in; k++)
      while (n->in[k].count) odai_packet_unref(ring_pop(g, &n->in[k]));
    flush_outputs(g, n, g->stopping || st != ODAI_OK);
    if (st != ODAI_OK) node_error_locked(g, n, st, "close");
    if (!g->stopping) close_outputs(g, n);
  } else if (st == ODAI_OK || st == ODAI_E_EOF) {
    flush_outputs(g, n, g->stopping);
    if (st == ODAI_E_EOF) n->close_pending = true;
    update_node(g, n);
  } else if (n->n_in == 0 && !g->stopping && st != ODAI_E_CANCELLED) {
    /* A source failed (a truncated image in a folder, a camera unplugged,
     * a read error): end its streams like an end of file so the frames
     * already read are processed and written, and report the error when the
     * graph is done (g->source_error). */
    if (!g->has_source_error) {
      g->has_source_error = true;
      g->source_error.code = st;
      if (n->has_err)
        snprintf(g->source_error.message, sizeof g->source_error.message, "%s", n->err);
      else
        snprintf(g->source_error.message, sizeof g->source_error.message, "node '%s' (%s): process failed: %s",
                 n->name, n->def->name, odai_status_str(st));
    }
    flush_outputs(g, n, true);
    n->close_pending = true;
    update_node(g, n);
  } else {
    flush_outputs(g, n, true);
    node_error_locked(g, n, st, "process");
  }
  check_done_locked(g);
}

static odai_status run_callback(odai_node *n) {
  odai_calc_ctx *ctx = &n->ctx;
  switch (n->kind) {
    case 0: return n->def->open ? n->def->open(ctx) : ODAI_OK;
    case 1: return n->def->process(ctx);
    default: return n->def->close ? n->def->close(ctx) : ODAI_OK;
  }
}

static void release_inputs(odai_node *n) {
  for (int k = 0; k < n->n_in; k++) {
    if (n->cur_in[k]) {
      odai_packet_unref(n->cur_in[k]);
      n->cur_in[k] = NULL;
    }
  }
}

typedef struct worker_arg {
  odai_executor *ex;
  uint32_t id;
} worker_arg;

static void *worker_main(void *arg) {
  odai_executor *e = ((worker_arg *)arg)->ex;
  t_worker_id = ((worker_arg *)arg)->id;
  free(arg);
  odai_graph *g = e->graph;
  pthread_mutex_lock(&g->mu);
  for (;;) {
    if (g->shutdown) break;
    odai_node *n = dequeue(g, e);
    if (!n) {
      e->n_idle++;
      pthread_cond_wait(&e->cv, &g->mu);
      e->n_idle--;
      continue;
    }
    dispatch(g, n);
    pthread_mutex_unlock(&g->mu);
    int64_t t0 = odai_now_ns();
    odai_status st = run_callback(n);
    int64_t t1 = odai_now_ns();
    release_inputs(n);
    pthread_mutex_lock(&g->mu);
    t_finishing = e;
    finish(g, n, st, t0, t1);
    t_finishing = NULL;
  }
  pthread_mutex_unlock(&g->mu);
  return NULL;
}

/* ---- Start / stop ---- */

static odai_status add_side(odai_graph *g, const char *name, odai_packet *pkt, odai_error *err) {
  for (size_t i = 0; i < g->n_sides; i++) {
    if (!strcmp(g->sides[i].name, name)) {
      odai_packet_unref(pkt);
      return odai_error_set(err, ODAI_E_INVALID, "side packet '%s' is produced twice", name);
    }
  }
  odai_side_value *v = realloc(g->sides, (g->n_sides + 1) * sizeof *v);
  char *copy = strdup(name);
  if (v) g->sides = v;
  if (!v || !copy) {
    free(copy);
    odai_packet_unref(pkt);
    return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  }
  g->sides[g->n_sides].name = copy;
  g->sides[g->n_sides].pkt = pkt;
  g->n_sides++;
  return ODAI_OK;
}

odai_status odai_graph_set_side_packet(odai_graph *g, const char *name, odai_packet *pkt) {
  if (!g || !name || !pkt || g->started) {
    odai_packet_unref(pkt);
    return ODAI_E_INVALID;
  }
  for (size_t i = 0; i < g->n_sides; i++) {
    if (!strcmp(g->sides[i].name, name)) {
      odai_packet_unref(g->sides[i].pkt);
      g->sides[i].pkt = pkt;
      return ODAI_OK;
    }
  }
  return add_side(g, name, pkt, NULL);
}

static odai_packet *find_side(odai_graph *g, const char *name) {
  for (size_t i = 0; i < g->n_sides; i++)
    if (!strcmp(g->sides[i].name, name)) return g->sides[i].pkt;
  return NULL;
}

/* An input side packet declared ODAI_PORT_OPTIONAL that no node produces
 * may be left out by the user: the node then sees NULL. */
static bool side_may_be_absent(odai_graph *g, const odai_node *n, int k) {
  const odai_port_decl *d = odai_port_decls_find(&n->contract.side_in, n->side_in[k].tag);
  if (!d || !(d->flags & ODAI_PORT_OPTIONAL)) return false;
  for (size_t i = 0; i < g->n_nodes; i++)
    for (int j = 0; j < g->nodes[i]->n_side_out; j++)
      if (!strcmp(g->nodes[i]->side_out[j].name, n->side_in[k].name)) return false;
  return true;
}

static void close_opened(odai_graph *g) {
  for (size_t i = g->n_nodes; i-- > 0;) {
    odai_node *n = g->nodes[i];
    if (!n->opened || n->closed) continue;
    n->kind = 2;
    n->has_err = false;
    n->cur_ts = ODAI_TS_UNSET;
    int64_t t0 = odai_now_ns();
    odai_status st = run_callback(n);
    int64_t t1 = odai_now_ns();
    pthread_mutex_lock(&g->mu);
    n->closed = true;
    g->n_closed++;
    record_trace(g, n, t0, t1);
    flush_outputs(g, n, true);
    if (st != ODAI_OK) node_error_locked(g, n, st, "close");
    pthread_mutex_unlock(&g->mu);
  }
  pthread_mutex_lock(&g->mu);
  for (size_t i = 0; i < g->n_pollers; i++) g->pollers[i]->done = true;
  wake_all(g);
  pthread_mutex_unlock(&g->mu);
}

static int default_threads(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (int)n : 1;
}

odai_status odai_sched_start(odai_graph *g, odai_error *err) {
  odai_status st = ODAI_OK;
  if (g->max_queue_override) g->max_queue = g->max_queue_override;
  odai_executor *def = g->execs[0];
  if (g->num_threads > 0)
    def->n_threads = g->num_threads;
  else if (def->n_threads <= 0)
    def->n_threads = g->cfg->num_threads > 0 ? g->cfg->num_threads : default_threads();
  if (g->deterministic) {
    def->n_threads = 1;
    for (size_t i = 1; i < g->n_execs; i++) g->execs[i]->n_threads = 0;
    for (size_t i = 0; i < g->n_nodes; i++) g->nodes[i]->ex = def;
  }
  g->sources = calloc(g->n_nodes + 1, sizeof *g->sources);
  if (!g->sources) return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  for (size_t i = 0; i < g->n_nodes; i++)
    if (g->nodes[i]->n_in == 0) g->sources[g->n_sources++] = g->nodes[i];
  g->t0_ns = odai_now_ns();
  g->started = true;

  /* Open nodes in side-packet dependency order (no workers yet). */
  size_t remaining = 0;
  for (size_t i = 0; i < g->n_nodes; i++) {
    if (g->nodes[i]->def == &odai_observer_def)
      g->nodes[i]->opened = true;
    else
      remaining++;
  }
  while (remaining) {
    bool progress = false;
    for (size_t i = 0; i < g->n_nodes; i++) {
      odai_node *n = g->nodes[i];
      if (n->opened) continue;
      bool ok = true;
      for (int k = 0; k < n->n_side_in && ok; k++)
        ok = find_side(g, n->side_in[k].name) || side_may_be_absent(g, n, k);
      if (!ok) continue;
      for (int k = 0; k < n->n_side_in; k++) {
        odai_packet *sp = find_side(g, n->side_in[k].name);
        if (!sp) continue; /* optional and not provided: the node sees NULL */
        if (!odai_type_compatible(odai_packet_type(sp), n->side_in[k].type)) {
          const odai_stream_ref *r = &n->cfg->input_side_packets.v[k];
          st = odai_error_set(err, ODAI_E_INVALID,
                              "%s:%d:%d: node '%s' (%s): input side packet '%s' is %s, expected %s%s",
                              r->pos.file, r->pos.line, r->pos.col, n->name, n->def->name,
                              n->side_in[k].name, odai_packet_type(sp)->name,
                              n->side_in[k].type->name,
                              n->side_in[k].type == ODAI_TYPE_STRING
                                  ? " (odai-run reads a number as a number: write --side NAME=string:VALUE)"
                                  : "");
          goto fail_stop;
        }
        n->side_in[k].pkt = odai_packet_ref(sp);
      }
      n->kind = 0;
      n->has_err = false;
      int64_t t0 = odai_now_ns();
      st = run_callback(n);
      int64_t t1 = odai_now_ns();
      pthread_mutex_lock(&g->mu);
      record_trace(g, n, t0, t1);
      pthread_mutex_unlock(&g->mu);
      if (st != ODAI_OK) {
        if (n->has_err)
          odai_error_set(err, st, "%s", n->err);
        else
          odai_error_set(err, st, "node '%s' (%s): open failed: %s", n->name, n->def->name,
                         odai_status_str(st));
        pthread_mutex_lock(&g->mu);
        set_error_locked(g, st, err ? err->message : "open failed");
        flush_outputs(g, n, true);
        g->shutdown = true;
        pthread_mutex_unlock(&g->mu);
        goto fail;
      }
      n->opened = true;
      /* An option the calculator read but could not use (wrong type). The
       * node counts as opened, so close_opened frees what open allocated. */
      odai_error oe;
      memset(&oe, 0, sizeof oe);
      if (odai_options_check_reads(n->options, &oe) != ODAI_OK) {
        if (n->cfg && n->cfg->pos.file)
          st = odai_error_set(err, ODAI_E_INVALID, "%s:%d:%d: node '%s' (%s) open: %s", n->cfg->pos.file,
                              n->cfg->pos.line, n->cfg->pos.col, n->name, n->def->name, oe.message);
        else
          st = odai_error_set(err, ODAI_E_INVALID, "node '%s' (%s) open: %s", n->name, n->def->name, oe.message);
        goto fail_stop;
      }
      remaining--;
      progress = true;
      for (int k = 0; k < n->n_side_out; k++) {
        if (!n->side_out[k].pkt) continue;
        st = add_side(g, n->side_out[k].name, odai_packet_ref(n->side_out[k].pkt), err);
        if (st) goto fail_stop;
      }
    }
    if (!progress) {
      for (size_t i = 0; i < g->n_nodes; i++) {
        odai_node *n = g->nodes[i];
        if (n->opened) continue;
        for (int k = 0; k < n->n_side_in; k++) {
          if (find_side(g, n->side_in[k].name)) continue;
          const odai_stream_ref *r = &n->cfg->input_side_packets.v[k];
          st = odai_error_set(err, ODAI_E_NOT_FOUND,
                              "%s:%d:%d: node '%s' (%s): input side packet '%s' was not provided "
                              "(odai_graph_set_side_packet / --side) nor produced by a node",
                              r->pos.file, r->pos.line, r->pos.col, n->name, n->def->name,
                              n->side_in[k].name);
          goto fail_stop;
        }
      }
      st = odai_error_set(err, ODAI_E_INTERNAL, "side packets: no progress");
      goto fail_stop;
    }
  }

  pthread_mutex_lock(&g->mu);
  for (size_t i = 0; i < g->n_nodes; i++) flush_outputs(g, g->nodes[i], false);
  for (size_t i = 0; i < g->n_nodes; i++) update_node(g, g->nodes[i]);
  check_done_locked(g);
  pthread_mutex_unlock(&g->mu);

  uint32_t id = 1;
  for (size_t i = 0; i < g->n_execs; i++) {
    odai_executor *e = g->execs[i];
    if (e->n_threads <= 0) continue;
    e->threads = calloc((size_t)e->n_threads, sizeof *e->threads);
    if (!e->threads) {
      st = odai_error_set(err, ODAI_E_NOMEM, "out of memory");
      goto fail_running;
    }
    for (int t = 0; t < e->n_threads; t++) {
      worker_arg *a = malloc(sizeof *a);
      if (!a) {
        st = odai_error_set(err, ODAI_E_NOMEM, "out of memory");
        goto fail_running;
      }
      a->ex = e;
      a->id = id++;
      if (pthread_create(&e->threads[t], NULL, worker_main, a)) {
        free(a);
        st = odai_error_set(err, ODAI_E_INTERNAL, "cannot start a scheduler thread");
        goto fail_running;
      }
      e->n_started++;
    }
  }
  return ODAI_OK;

fail_running:
  pthread_mutex_lock(&g->mu);
  set_error_locked(g, st, err ? err->message : "start failed");
  pthread_mutex_unlock(&g->mu);
  odai_sched_stop_and_join(g);
  return st;
fail_stop:
  pthread_mutex_lock(&g->mu);
  set_error_locked(g, st, err ? err->message : "start failed");
  g->shutdown = true;
  pthread_mutex_unlock(&g->mu);
fail:
  close_opened(g);
  g->joined = true;
  return st;
}

void odai_sched_stop_and_join(odai_graph *g) {
  if (!g->started) return;
  /* join_mu: several threads may wait_until_done at once; one joins. */
  pthread_mutex_lock(&g->join_mu);
  if (g->joined) {
    pthread_mutex_unlock(&g->join_mu);
    return;
  }
  pthread_mutex_lock(&g->mu);
  if (!g->shutdown) {
    if (!g->has_error) {
      g->has_error = true;
      g->error.code = ODAI_E_CANCELLED;
      snprintf(g->error.message, sizeof g->error.message, "graph cancelled");
    }
    stop_locked(g);
  }
  while (!g->shutdown) pthread_cond_wait(&g->done_cv, &g->mu);
  pthread_mutex_unlock(&g->mu);
  for (size_t i = 0; i < g->n_execs; i++)
    for (int t = 0; t < g->execs[i]->n_started; t++) pthread_join(g->execs[i]->threads[t], NULL);
  close_opened(g);
  g->joined = true;
  pthread_mutex_unlock(&g->join_mu);
}

/* ---- Graph inputs, waiting, cancel (public, any thread) ---- */

static odai_status add_packet(odai_graph *g, const char *stream, odai_packet *pkt, bool block) {
  if (!g || !stream || !pkt) {
    odai_packet_unref(pkt);
    return ODAI_E_INVALID;
  }
  odai_status st = ODAI_OK;
  pthread_mutex_lock(&g->mu);
  odai_stream *s = odai_graph_find_stream(g, stream);
  odai_timestamp ts = odai_packet_timestamp(pkt);
  if (!g->started)
    st = ODAI_E_INVALID;
  else if (!s || s->producer)
    st = ODAI_E_NOT_FOUND;
  else if (g->stopping)
    st = ODAI_E_CANCELLED;
  else if (!odai_ts_is_allowed_in_stream(ts) || ts < s->bound)
    st = ODAI_E_INVALID;
  if (st) goto out;
  for (;;) {
    bool full = false;
    for (size_t c = 0; c < s->n_consumers && !full; c++) full = s->consumers[c]->full;
    if (!full || (g->running == 0 && g->n_ready_total == 0)) break;
    if (!block) {
      pthread_mutex_unlock(&g->mu);
      return ODAI_E_AGAIN; /* pkt not consumed */
    }
    g->n_space_waiters++;
    pthread_cond_wait(&g->space_cv, &g->mu);
    g->n_space_waiters--;
    if (g->stopping) {
      st = ODAI_E_CANCELLED;
      goto out;
    }
    if (s->bound == ODAI_TS_DONE) {
      st = ODAI_E_INVALID;
      goto out;
    }
  }
  st = push_packet(g, s, pkt);
  pkt = NULL;
  update_consumers(g, s);
out:
  pthread_mutex_unlock(&g->mu);
  odai_packet_unref(pkt);
  return st;
}

odai_status odai_graph_add_packet(odai_graph *g, const char *stream, odai_packet *pkt) {
  return add_packet(g, stream, pkt, true);
}

odai_status odai_graph_try_add_packet(odai_graph *g, const char *stream, odai_packet *pkt) {
  return add_packet(g, stream, pkt, false);
}

odai_status odai_graph_close_input(odai_graph *g, const char *stream) {
  if (!g || !stream) return ODAI_E_INVALID;
  pthread_mutex_lock(&g->mu);
  odai_stream *s = odai_graph_find_stream(g, stream);
  odai_status st = ODAI_OK;
  if (!s || s->producer)
    st = ODAI_E_NOT_FOUND;
  else if (g->started && !g->stopping)
    raise_stream_bound(g, s, ODAI_TS_DONE);
  else
    s->bound = ODAI_TS_DONE;
  pthread_mutex_unlock(&g->mu);
  return st;
}

odai_status odai_graph_close_all_inputs(odai_graph *g) {
  if (!g) return ODAI_E_INVALID;
  pthread_mutex_lock(&g->mu);
  for (size_t i = 0; i < g->n_streams; i++) {
    odai_stream *s = g->streams[i];
    if (s->producer) continue;
    if (g->started && !g->stopping)
      raise_stream_bound(g, s, ODAI_TS_DONE);
    else
      s->bound = ODAI_TS_DONE;
  }
  pthread_mutex_unlock(&g->mu);
  return ODAI_OK;
}

static odai_status result(odai_graph *g, odai_error *err) {
  if (!g->has_error && g->has_source_error && g->shutdown) {
    g->has_error = true; /* the drained graph ends with its source's error */
    g->error = g->source_error;
  }
  if (!g->has_error) return ODAI_OK;
  if (err) *err = g->error;
  return g->error.code;
}

odai_status odai_graph_wait_until_idle(odai_graph *g, odai_error *err) {
  if (!g || !g->started) return odai_error_set(err, ODAI_E_INVALID, "graph not started");
  pthread_mutex_lock(&g->mu);
  while (!g->shutdown && !(g->running == 0 && g->n_ready_total == 0))
    pthread_cond_wait(&g->done_cv, &g->mu);
  odai_status st = result(g, err);
  pthread_mutex_unlock(&g->mu);
  return st;
}

odai_status odai_graph_wait_until_done(odai_graph *g, odai_error *err) {
  if (!g || !g->started) return odai_error_set(err, ODAI_E_INVALID, "graph not started");
  odai_graph_close_all_inputs(g);
  pthread_mutex_lock(&g->mu);
  while (!g->shutdown) pthread_cond_wait(&g->done_cv, &g->mu);
  pthread_mutex_unlock(&g->mu);
  odai_sched_stop_and_join(g);
  pthread_mutex_lock(&g->mu);
  odai_status st = result(g, err);
  pthread_mutex_unlock(&g->mu);
  return st;
}

void odai_graph_cancel(odai_graph *g) {
  if (!g) return;
  pthread_mutex_lock(&g->mu);
  if (!g->shutdown) {
    if (!g->has_error) {
      g->has_error = true;
      g->error.code = ODAI_E_CANCELLED;
      snprintf(g->error.message, sizeof g->error.message, "graph cancelled");
    }
    stop_locked(g);
  }
  pthread_mutex_unlock(&g->mu);
}

odai_status odai_graph_last_error(const odai_graph *g, odai_error *err) {
  if (!g) return ODAI_E_INVALID;
  odai_graph *mg = (odai_graph *)g;
  pthread_mutex_lock(&mg->mu);
  odai_status st = result(mg, err);
  pthread_mutex_unlock(&mg->mu);
  return st;
}

odai_status odai_poller_next(odai_poller *p, int timeout_ms, odai_packet **out) {
  if (!p || !out) return ODAI_E_INVALID;
  *out = NULL;
  odai_graph *g = p->graph;
  struct timespec dl;
  clock_gettime(CLOCK_REALTIME, &dl);
  if (timeout_ms > 0) {
    dl.tv_sec += timeout_ms / 1000;
    dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (dl.tv_nsec >= 1000000000L) {
      dl.tv_sec++;
      dl.tv_nsec -= 1000000000L;
    }
  }
  odai_status st = ODAI_OK;
  pthread_mutex_lock(&g->mu);
  while (!p->count) {
    if (p->done || g->shutdown || !g->started) {
      st = ODAI_E_EOF;
      goto out;
    }
    if (timeout_ms == 0) {
      st = ODAI_E_TIMEOUT;
      goto out;
    }
    if (timeout_ms < 0)
      pthread_cond_wait(&p->cv, &g->mu);
    else if (pthread_cond_timedwait(&p->cv, &g->mu, &dl)) {
      if (!p->count) st = ODAI_E_TIMEOUT;
      if (!p->count) goto out;
    }
  }
  *out = p->q[p->head];
  p->head = (p->head + 1) % p->cap;
  p->count--;
out:
  pthread_mutex_unlock(&g->mu);
  return st;
}

/* Hidden sink node: feeds an observer callback or a poller queue. */
static odai_status observer_contract(odai_contract *c) {
  (void)c;
  return ODAI_OK;
}

static odai_status observer_process(odai_calc_ctx *ctx) {
  odai_node *n = ctx->node;
  const odai_packet *pkt = n->cur_in[0];
  if (!pkt) return ODAI_OK;
  if (n->cb) return n->cb(n->cb_user, pkt);
  odai_poller *p = n->poller;
  odai_graph *g = ctx->graph;
  odai_status st = ODAI_OK;
  pthread_mutex_lock(&g->mu);
  if (p->count == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 64;
    odai_packet **q = malloc(cap * sizeof *q);
    if (!q) {
      st = ODAI_E_NOMEM;
      goto out;
    }
    for (size_t i = 0; i < p->count; i++) q[i] = p->q[(p->head + i) % p->cap];
    free(p->q);
    p->q = q;
    p->cap = cap;
    p->head = 0;
  }
  p->q[(p->head + p->count) % p->cap] = odai_packet_ref(pkt);
  p->count++;
  pthread_cond_signal(&p->cv);
out:
  pthread_mutex_unlock(&g->mu);
  return st;
}

static odai_status observer_close(odai_calc_ctx *ctx) {
  odai_poller *p = ctx->node->poller;
  if (p) {
    pthread_mutex_lock(&ctx->graph->mu);
    p->done = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&ctx->graph->mu);
  }
  return ODAI_OK;
}

const odai_calculator_def odai_observer_def = {
    .name = "__GraphOutputObserver",
    .description = "internal: feeds odai_graph_observe_output callbacks and pollers",
    .contract = observer_contract,
    .process = observer_process,
    .close = observer_close,
};

odai_packet *odai_graph_get_side_packet(odai_graph *g, const char *name) {
  if (!g || !name || !g->started) return NULL;
  pthread_mutex_lock(&g->mu); /* sides only change during start */
  odai_packet *p = odai_packet_ref(find_side(g, name));
  pthread_mutex_unlock(&g->mu);
  return p;
}
