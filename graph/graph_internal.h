/* graph/graph_internal.h: the runtime form of a graph (nodes, ports,
 * streams, executors) shared by graph construction and validation
 * (graph/graph_build.c), the scheduler (graph/scheduler.c), the calculator
 * context (graph/calc_ctx.c) and stats/trace/dot export (graph/stats.c).
 * Internal header (not installed). */
#ifndef ODAI_GRAPH_INTERNAL_H
#define ODAI_GRAPH_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "graph/config.h"
#include "odai/calculator.h"
#include "odai/graph.h"

#define ODAI_DEFAULT_MAX_QUEUE_SIZE 100
#define ODAI_CONTRACT_MAX_PORTS 32

typedef struct odai_node odai_node;
typedef struct odai_stream odai_stream;
typedef struct odai_executor odai_executor;

/* ---- Contracts (graph/contract.c) ---- */

typedef struct odai_port_decl {
  const char *tag;
  const odai_type *type;
  unsigned flags;
} odai_port_decl;

typedef struct odai_port_decls {
  odai_port_decl v[ODAI_CONTRACT_MAX_PORTS];
  int n;
} odai_port_decls;

struct odai_contract {
  const odai_node_config *node;
  odai_port_decls in, out, side_in, side_out;
  const char *options_type;
  int64_t offset;
  bool has_offset;
  const char *handler;
  bool process_bounds;
  bool failed;
  odai_status err_code;
  char err[ODAI_ERROR_MESSAGE_MAX];
};

/* Run def->contract for a node config into *c (zeroed by the callee). */
odai_status odai_contract_run(const odai_calculator_def *def, const odai_node_config *node,
                              odai_contract *c);
const odai_port_decl *odai_port_decls_find(const odai_port_decls *d, const char *tag);

/* ---- Runtime structure ---- */

/* One input port of a node: the queue of packets from its stream.
 * Queue and bound are guarded by graph->mu. */
typedef struct odai_in_port {
  const char *tag; /* points into the config */
  int index;
  const char *stream_name;
  bool back_edge;
  const odai_type *type;
  odai_stream *stream;
  odai_node *node;
  odai_packet **ring; /* capacity cap (power of two) */
  uint32_t cap, head, count;
  uint32_t high_water;
  bool full; /* counted in graph->n_full */
  odai_timestamp bound; /* no later packet can have a smaller timestamp */
} odai_in_port;

/* One output port: packets staged during an invocation (owned by the
 * node's running thread), flushed to the stream under graph->mu. */
typedef struct odai_out_port {
  const char *tag;
  int index;
  odai_stream *stream;
  const odai_type *type;
  odai_packet **pending;
  uint32_t n_pending, cap_pending;
  odai_timestamp staged_bound; /* bound the calculator asked for */
  odai_timestamp staged_next;  /* next allowed timestamp after the staged packets */
  bool close_req;
} odai_out_port;

typedef struct odai_side_port {
  const char *tag;
  int index;
  const char *name;
  const odai_type *type;
  odai_packet *pkt; /* input: value at open; output: value produced */
} odai_side_port;

/* A named stream: one producer (a node output or a graph input) and its
 * consumers. bound is guarded by graph->mu (and only changes while the
 * producer is not running, or by the producer's own flush). */
struct odai_stream {
  const char *name;
  odai_node *producer; /* NULL for a graph input stream */
  int producer_port;
  const odai_type *type;
  odai_in_port **consumers;
  size_t n_consumers;
  odai_timestamp bound; /* next allowed timestamp; DONE when closed */
  odai_srcpos pos;
};

typedef enum { ODAI_NODE_IDLE, ODAI_NODE_QUEUED, ODAI_NODE_RUNNING } odai_node_sched;

struct odai_calc_ctx {
  odai_node *node;
  struct odai_graph *graph;
};

typedef struct odai_trace_event {
  int node;
  int kind; /* 0 open, 1 process, 2 close */
  uint32_t tid;
  int64_t start_ns, dur_ns;
  odai_timestamp ts;
} odai_trace_event;

struct odai_node {
  int id;
  char *name;
  const odai_calculator_def *def;
  const odai_node_config *cfg;
  odai_contract contract;
  odai_in_port *in;
  int n_in;
  odai_out_port *out;
  int n_out;
  odai_side_port *side_in, *side_out;
  int n_side_in, n_side_out;
  void *state;
  const odai_options *options;
  bool immediate, process_bounds, has_offset;
  /* FixedSizeInputStreamHandler: when an input queue exceeds fixed_trigger
   * packets, drop the oldest down to fixed_target (0 = off). */
  uint32_t fixed_trigger, fixed_target;
  int64_t offset;
  odai_executor *ex;
  odai_calc_ctx ctx;
  /* Hidden observer/poller nodes (def == &odai_observer_def). */
  odai_packet_callback cb;
  void *cb_user;
  odai_poller *poller;

  /* Scheduling state, guarded by graph->mu. */
  odai_node_sched sched;
  odai_node *next_ready;
  bool opened, closed, close_pending, bounds_dirty;
  /* Invocation state: written under mu at dispatch, read by the runner. */
  int kind; /* 0 open, 1 process, 2 close */
  odai_timestamp cur_ts;
  odai_packet **cur_in;
  odai_timestamp *cur_bound;
  char err[ODAI_ERROR_MESSAGE_MAX];
  bool has_err;
  /* Stats, guarded by graph->mu. */
  uint64_t packets_in, packets_out, process_calls, total_ns, max_ns;
};

struct odai_executor {
  char *name;
  int n_threads;
  pthread_t *threads;
  int n_started;
  odai_node *rq_head, *rq_tail; /* ready queue, guarded by graph->mu */
  int n_ready, n_idle;
  pthread_cond_t cv;
  struct odai_graph *graph;
};

typedef struct odai_side_value {
  char *name;
  odai_packet *pkt;
} odai_side_value;

struct odai_poller {
  struct odai_graph *graph;
  odai_packet **q; /* guarded by graph->mu */
  size_t head, count, cap;
  bool done;
  pthread_cond_t cv;
};

struct odai_graph {
  odai_graph_config *cfg;
  odai_node **nodes;
  size_t n_nodes;
  odai_stream **streams;
  size_t n_streams;
  odai_executor **execs;
  size_t n_execs;
  odai_side_value *sides;
  size_t n_sides;
  odai_poller **pollers;
  size_t n_pollers;
  int num_threads; /* 0 = cores */
  bool deterministic;
  int max_queue; /* resolved: >0 bounded, <=0 unbounded */
  int max_queue_override;

  pthread_mutex_t mu;
  pthread_mutex_t join_mu; /* guards joining the workers (joined) */
  pthread_cond_t done_cv;  /* idle/done/stop transitions */
  pthread_cond_t space_cv; /* queue space for blocked graph inputs */
  /* Guarded by mu: */
  bool started, stopping, shutdown, finished, joined;
  int running;
  int n_ready_total;
  size_t n_closed;
  int n_full;
  int n_space_waiters;
  bool throttle_lifted;
  odai_node **sources; /* nodes without input streams */
  size_t n_sources;
  odai_error error;
  bool has_error;
  /* The first error of a source node (no input streams): the source's
   * streams end there, what is already in flight drains through the graph
   * (written, not lost), then the graph ends with this error. */
  odai_error source_error;
  bool has_source_error;

  odai_trace_event *trace;
  size_t trace_cap, trace_n;
  int64_t t0_ns;
};

extern const odai_calculator_def odai_observer_def;

/* graph/graph_build.c: turn a parsed, expanded config into a validated
 * runtime graph (takes ownership of cfg, also on failure). */
odai_status odai_graph_build(odai_graph_config *cfg, odai_graph **out, odai_error *err);
odai_stream *odai_graph_find_stream(const odai_graph *g, const char *name);
/* Add a hidden consumer node on `stream` (before start). */
odai_status odai_graph_add_sink(odai_graph *g, const char *stream, odai_packet_callback cb,
                                void *user, odai_poller *poller, odai_error *err);
void odai_graph_free(odai_graph *g);

/* graph/scheduler.c */
odai_status odai_sched_start(odai_graph *g, odai_error *err);
void odai_sched_stop_and_join(odai_graph *g);
int64_t odai_now_ns(void);

/* graph/calculator_registry.c: built-ins come from calculators/registry.c. */
const odai_calculator_def *const *odai_builtin_calculators(size_t *n);

/* Lookups by (tag, index) over a node's ports; -1 when absent. */
int odai_node_in_port(const odai_node *n, const char *tag, int index);
int odai_node_out_port(const odai_node *n, const char *tag, int index);

#endif /* ODAI_GRAPH_INTERNAL_H */
