/* odai/graph.h: building and running a graph from a text config.
 *
 * Life cycle: create (parse + expand subgraphs + validate) → configure
 * (threads, side packets, observers, pollers, tracing) → start → feed graph
 * input streams / let sources run → close inputs → wait_until_done →
 * destroy. A graph runs once.
 *
 * Thread-safety: creation and the configuration calls (everything marked
 * "before start") must be made by one thread before odai_graph_start.
 * After start, add_packet, close_input, wait_*, cancel, last_error and stats
 * functions may be called from any thread concurrently. Observer callbacks
 * run on scheduler threads: for one stream never concurrently and in
 * timestamp order. odai_graph_destroy must not race any other call. */
#ifndef ODAI_GRAPH_H
#define ODAI_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "odai/common.h"
#include "odai/packet.h"
#include "odai/timestamp.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct odai_graph odai_graph;
typedef struct odai_poller odai_poller;

/* Parse, expand subgraphs and validate a CalculatorGraphConfig text.
 * `source_name` names the text in error messages ("face.pbtxt"; NULL =
 * "<string>"). On failure *g is NULL and *err says file:line:col and the
 * node(s) involved. Transfer full: free with odai_graph_destroy(). */
ODAI_API odai_status odai_graph_create(const char *config_text, size_t len, const char *source_name,
                                       odai_graph **g, odai_error *err);
/* Same, reading the config from a file. */
ODAI_API odai_status odai_graph_create_from_file(const char *path, odai_graph **g, odai_error *err);

/* Register a subgraph config (text with `type: "Name"`) globally so nodes
 * naming it are expanded inline by later odai_graph_create calls. The _dir
 * variant registers every *.pbtxt with a `type:` in a directory.
 * Thread-safe. */
ODAI_API odai_status odai_graph_register_subgraph(const char *config_text, size_t len,
                                                  const char *source_name, odai_error *err);
ODAI_API odai_status odai_graph_register_subgraph_dir(const char *dir, odai_error *err);

/* ---- Before start ---- */

/* Worker threads of the default executor (0 = number of cores, the default;
 * the config's num_threads overrides the default but not this call). Named
 * executors keep their configured sizes. */
ODAI_API odai_status odai_graph_set_num_threads(odai_graph *g, int n);
/* Deterministic single-thread mode: every node, on every executor, runs on
 * one scheduler thread in a fixed order. For tests and debugging; a
 * deterministic graph gives identical results in both modes. */
ODAI_API odai_status odai_graph_set_deterministic(odai_graph *g, bool on);
/* Override the config's max_queue_size (0 = keep; -1 = unbounded). */
ODAI_API odai_status odai_graph_set_max_queue_size(odai_graph *g, int n);
/* Record up to `max_events` process/open/close events for the Chrome trace
 * (0 disables; default off). */
ODAI_API odai_status odai_graph_enable_trace(odai_graph *g, size_t max_events);

/* Provide an input side packet by name (transfer full, also on failure). */
ODAI_API odai_status odai_graph_set_side_packet(odai_graph *g, const char *name, odai_packet *pkt);

/* Callback for odai_graph_observe_output: pkt is transfer none (ref it to
 * keep). Returning an error stops the graph with that error. */
typedef odai_status (*odai_packet_callback)(void *user, const odai_packet *pkt);
/* Call cb for every packet on stream `stream` (any stream of the graph, a
 * node output or a graph input). */
ODAI_API odai_status odai_graph_observe_output(odai_graph *g, const char *stream,
                                               odai_packet_callback cb, void *user);
/* An output poller for `stream`: packets queue (unbounded) until taken with
 * odai_poller_next. Transfer none: the graph owns and frees the poller. */
ODAI_API odai_status odai_graph_add_poller(odai_graph *g, const char *stream, odai_poller **out,
                                           odai_error *err);

/* ---- Running ---- */

/* Open every node (in side-packet dependency order) and start the
 * executors. Fails if a required side packet is missing or an open fails
 * (then opened nodes are closed). */
ODAI_API odai_status odai_graph_start(odai_graph *g, odai_error *err);

/* Feed a packet into a graph input stream (transfer full, also on failure).
 * Timestamps must increase. Blocks while a queue fed by this stream is full
 * (max_queue_size). Errors: ODAI_E_NOT_FOUND (no such input),
 * ODAI_E_INVALID (timestamp not increasing, stream closed),
 * ODAI_E_CANCELLED (graph stopped: error or cancel). */
ODAI_API odai_status odai_graph_add_packet(odai_graph *g, const char *stream, odai_packet *pkt);
/* Non-blocking variant: ODAI_E_AGAIN when full (then pkt is NOT consumed:
 * the caller keeps its reference and may retry). */
ODAI_API odai_status odai_graph_try_add_packet(odai_graph *g, const char *stream, odai_packet *pkt);
ODAI_API odai_status odai_graph_close_input(odai_graph *g, const char *stream);
ODAI_API odai_status odai_graph_close_all_inputs(odai_graph *g);

/* Wait until no node is running or runnable (graph inputs may stay open;
 * never returns while a source is still producing). Returns the graph's
 * error if it stopped. */
ODAI_API odai_status odai_graph_wait_until_idle(odai_graph *g, odai_error *err);
/* Close all graph inputs, wait until every node has closed, and return the
 * first error (its message names the node), ODAI_E_CANCELLED after cancel,
 * or ODAI_OK. Every opened node has been closed when this returns. */
ODAI_API odai_status odai_graph_wait_until_done(odai_graph *g, odai_error *err);
/* Stop as soon as possible: running calls finish, nothing new is
 * scheduled, every opened node gets close. Thread-safe, idempotent. */
ODAI_API void odai_graph_cancel(odai_graph *g);
/* Stop the graph if running, close nodes, free everything (NULL-safe). */
ODAI_API void odai_graph_destroy(odai_graph *g);

/* The first error (code + message), ODAI_OK if none. */
ODAI_API odai_status odai_graph_last_error(const odai_graph *g, odai_error *err);

/* Next packet from a poller (transfer full into *out). timeout_ms < 0
 * waits forever. Returns ODAI_OK, ODAI_E_TIMEOUT, or ODAI_E_EOF once the
 * stream has ended (or the graph stopped) and the queue is empty. */
ODAI_API odai_status odai_poller_next(odai_poller *p, int timeout_ms, odai_packet **out);

/* A side packet by name after start: one given with set_side_packet or
 * produced by a node's open (graph output_side_packet). Transfer full
 * (a new reference); NULL when unknown or before start. */
ODAI_API odai_packet *odai_graph_get_side_packet(odai_graph *g, const char *name);

/* The graph's declared input_stream / output_stream names (without the
 * "TAG:" prefix), i = 0..n-1; NULL past the end. Transfer none. */
ODAI_API size_t odai_graph_num_input_streams(const odai_graph *g);
ODAI_API const char *odai_graph_input_stream(const odai_graph *g, size_t i);
ODAI_API size_t odai_graph_num_output_streams(const odai_graph *g);
ODAI_API const char *odai_graph_output_stream(const odai_graph *g, size_t i);

/* ---- Stats, trace, graph picture ---- */

typedef struct odai_node_stats {
  const char *name;       /* node name (transfer none) */
  const char *calculator; /* calculator name (transfer none) */
  uint64_t packets_in, packets_out, process_calls;
  uint64_t total_ns, max_ns; /* time in process() */
  uint32_t queue_high_water; /* deepest input queue seen */
} odai_node_stats;

ODAI_API size_t odai_graph_num_nodes(const odai_graph *g);
/* Snapshot of node i's counters (cheap; any thread). */
ODAI_API odai_status odai_graph_node_stats(const odai_graph *g, size_t i, odai_node_stats *out);
/* Print a per-node stats table. */
ODAI_API void odai_graph_stats_table(const odai_graph *g, FILE *f);
/* Write the recorded events as Chrome trace JSON (opens in Perfetto /
 * chrome://tracing). Needs odai_graph_enable_trace before start. */
ODAI_API odai_status odai_graph_write_trace_json(const odai_graph *g, const char *path,
                                                 odai_error *err);
/* Write the graph as Graphviz DOT (nodes, streams, back edges dashed). */
ODAI_API void odai_graph_write_dot(const odai_graph *g, FILE *f);

#ifdef __cplusplus
}
#endif

#endif /* ODAI_GRAPH_H */
