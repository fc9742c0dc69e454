/* odai/calculator.h: writing calculators (graph nodes).
 *
 * A calculator is one `const odai_calculator_def`: a name, the size of its
 * per-node state and four callbacks. `contract` runs at validation time and
 * declares the ports (by TAG, with index counts and payload types), side
 * packets, the options message it reads and an optional timestamp offset.
 * `open`, `process` and `close` run on scheduler threads with an
 * odai_calc_ctx that gives inputs, outputs, side packets, options, the
 * current timestamp and the node's zero-initialised state.
 *
 * Threading: one node's callbacks never run concurrently with each other;
 * different nodes run in parallel. Callbacks must not block forever.
 * The ctx and everything it returns are valid only during the callback.
 *
 * Ports: MediaPipe's "TAG:index:name" stream references. Untagged streams
 * have tag "" and are indexed 0..n-1 in the order written. */
#ifndef ODAI_CALCULATOR_H
#define ODAI_CALCULATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "odai/common.h"
#include "odai/packet.h"
#include "odai/timestamp.h"
#include "odai/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A node's options message (include/odai/options.h has the typed getters). */
typedef struct odai_pb_msg odai_options;

typedef struct odai_contract odai_contract;
typedef struct odai_calc_ctx odai_calc_ctx;

typedef struct odai_calculator_def {
  const char *name;        /* "PassThroughCalculator" (unique) */
  const char *description; /* one line, shown by odai-run --list-calculators */
  size_t state_size;       /* bytes of zeroed per-node state (odai_calc_state) */
  /* Declare ports/side packets/options. Required. May inspect how many
   * ports the node connects (odai_contract_*_count) and fail with
   * odai_contract_error() when the node is wired wrongly. */
  odai_status (*contract)(odai_contract *c);
  /* Optional. Read options and side packets, allocate resources. Outputs
   * and output side packets may be produced here. */
  odai_status (*open)(odai_calc_ctx *ctx);
  /* Required. Called when the input stream handler has a set of inputs
   * (one timestamp), or repeatedly for a source node (no input streams).
   * Return ODAI_OK to continue, ODAI_E_EOF to end this node (a source's
   * end of stream: its outputs are closed and it will not be called again),
   * any other error to stop the whole graph. A source node's error ends its
   * streams instead; what it produced before drains through the graph, then
   * the graph ends with that error (docs/graph.md). */
  odai_status (*process)(odai_calc_ctx *ctx);
  /* Optional. Called once for every node whose open succeeded, also when the
   * graph stops on an error or cancel. Free what open allocated. */
  odai_status (*close)(odai_calc_ctx *ctx);
} odai_calculator_def;

/* ---- Registry ---- */

/* Register a calculator at run time (transfer none: def must outlive every
 * graph, usually static const). Same pointer twice: no-op; another def with
 * a known name: ODAI_E_INVALID. Thread-safe. */
ODAI_API odai_status odai_calculator_register(const odai_calculator_def *def, odai_error *err);
/* Find by name among built-ins and registered calculators; NULL if unknown.
 * Transfer none (a built-in's static def, or the registered def, which
 * outlives the graphs). Thread-safe. */
ODAI_API const odai_calculator_def *odai_calculator_find(const char *name);
/* Iterate over all known calculators: i = 0, 1, ... until NULL. Transfer
 * none, as odai_calculator_find. Thread-safe (a calculator registered
 * meanwhile may or may not be listed). */
ODAI_API const odai_calculator_def *odai_calculator_at(size_t i);

/* ---- Contract (called from def->contract) ---- */

enum {
  ODAI_PORT_OPTIONAL = 1u << 0, /* the node may leave this tag unconnected */
  ODAI_PORT_MULTIPLE = 1u << 1, /* any number of indexed ports TAG:0..n-1 */
  ODAI_PORT_BACK_EDGE_OK = 1u << 2 /* documented as fed by a back edge (FINISHED, LOOP) */
};

/* Declare an input/output stream tag ("" = untagged) carrying `type`
 * (ODAI_TYPE_ANY for generic ports). Without ODAI_PORT_MULTIPLE only index
 * 0 is allowed; without ODAI_PORT_OPTIONAL the tag must be connected. */
ODAI_API odai_status odai_contract_input(odai_contract *c, const char *tag, const odai_type *type,
                                         unsigned flags);
ODAI_API odai_status odai_contract_output(odai_contract *c, const char *tag, const odai_type *type,
                                          unsigned flags);
ODAI_API odai_status odai_contract_input_side(odai_contract *c, const char *tag,
                                              const odai_type *type, unsigned flags);
ODAI_API odai_status odai_contract_output_side(odai_contract *c, const char *tag,
                                               const odai_type *type, unsigned flags);
/* How many ports of this tag the node connects (0 when absent): the highest
 * index + 1. Lets contracts require "as many outputs as inputs". */
ODAI_API int odai_contract_input_count(const odai_contract *c, const char *tag);
ODAI_API int odai_contract_output_count(const odai_contract *c, const char *tag);
ODAI_API int odai_contract_input_side_count(const odai_contract *c, const char *tag);
ODAI_API int odai_contract_output_side_count(const odai_contract *c, const char *tag);
/* The tag of the node's i-th input/output stream reference as written
 * ("" when untagged), NULL past the end. Lets generic calculators
 * (PassThrough) accept whatever tags a node uses. Transfer none. */
ODAI_API const char *odai_contract_input_tag(const odai_contract *c, int i);
ODAI_API const char *odai_contract_output_tag(const odai_contract *c, int i);
/* The options message type read by the calculator, e.g.
 * "mediapipe.FlowLimiterCalculatorOptions" (string must be static). */
ODAI_API void odai_contract_options(odai_contract *c, const char *options_type);
/* Output timestamp = input timestamp + offset (usually 0). Lets the
 * scheduler propagate timestamp bounds downstream when process emits
 * nothing, so synchronised consumers never stall. */
ODAI_API void odai_contract_timestamp_offset(odai_contract *c, int64_t offset);
/* Ask for an input stream handler by name: "DefaultInputStreamHandler"
 * (timestamp-synchronised, the default) or "ImmediateInputStreamHandler"
 * (process on any packet). A node's input_stream_handler in the config wins. */
ODAI_API void odai_contract_input_handler(odai_contract *c, const char *handler);
/* Call process also when only input timestamp bounds advanced (no
 * packets); process sees empty inputs and reads odai_calc_input_bound(). */
ODAI_API void odai_contract_process_bounds(odai_contract *c, bool on);
/* Reject the node's wiring: returns `code` and records a message that the
 * validator prefixes with the node's name and config position. */
ODAI_API odai_status odai_contract_error(odai_contract *c, odai_status code, const char *fmt, ...)
    ODAI_PRINTF(3, 4);
/* The node's options (NULL if absent) so contracts can check them early.
 * Transfer none: owned by the graph config, valid while the graph exists. */
ODAI_API const odai_options *odai_contract_get_options(const odai_contract *c);

/* ---- Context (open/process/close) ---- */

/* The node's zeroed state of def->state_size bytes (NULL if 0). Transfer
 * none: owned by the graph, valid from open until after close returns (free
 * what you allocated into it in close). */
ODAI_API void *odai_calc_state(odai_calc_ctx *ctx);
/* The node's name as shown in errors and stats. Transfer none. */
ODAI_API const char *odai_calc_node_name(const odai_calc_ctx *ctx);
/* The node's options message declared by odai_contract_options(), found in
 * either MediaPipe spelling; NULL when the node has none. Transfer none. */
ODAI_API const odai_options *odai_calc_options(const odai_calc_ctx *ctx);

/* Input timestamp of this process call (ODAI_TS_UNSET for sources, open
 * and close). */
ODAI_API odai_timestamp odai_calc_timestamp(const odai_calc_ctx *ctx);

ODAI_API int odai_calc_input_count(const odai_calc_ctx *ctx, const char *tag);
ODAI_API int odai_calc_output_count(const odai_calc_ctx *ctx, const char *tag);
/* The input packet at the current timestamp, or NULL (empty / unconnected).
 * Transfer none (take odai_packet_ref to keep it). */
ODAI_API const odai_packet *odai_calc_input(const odai_calc_ctx *ctx, const char *tag, int index);
/* The input's current timestamp bound: no future packet on it will have a
 * smaller timestamp (ODAI_TS_DONE when the stream has ended). */
ODAI_API odai_timestamp odai_calc_input_bound(const odai_calc_ctx *ctx, const char *tag, int index);
/* True when the input stream has ended and holds no more packets. */
ODAI_API bool odai_calc_input_done(const odai_calc_ctx *ctx, const char *tag, int index);

/* Flat access to a node's input ports, numbered 0..n-1 in the order the
 * node lists its input streams (generic calculators iterate this way). */
ODAI_API int odai_calc_num_inputs(const odai_calc_ctx *ctx);
/* Tag of input port k ("" untagged; NULL if k is out of range); *index
 * receives its index when index != NULL. Transfer none. */
ODAI_API const char *odai_calc_input_tag_at(const odai_calc_ctx *ctx, int k, int *index);
ODAI_API const odai_packet *odai_calc_input_at(const odai_calc_ctx *ctx, int k);

/* Emit a packet on an output (transfer full, also on failure). Its
 * timestamp must be >= the output's bound (strictly increasing per stream);
 * a packet with ODAI_TS_UNSET gets the current input timestamp. Emitting on
 * an unconnected output just drops the packet. */
ODAI_API odai_status odai_calc_output(odai_calc_ctx *ctx, const char *tag, int index,
                                      odai_packet *pkt);
/* Promise that no future packet on this output is earlier than ts. */
ODAI_API odai_status odai_calc_set_bound(odai_calc_ctx *ctx, const char *tag, int index,
                                         odai_timestamp ts);
/* Close an output early (bound = DONE). */
ODAI_API odai_status odai_calc_close_output(odai_calc_ctx *ctx, const char *tag, int index);

/* Input side packet (transfer none) or NULL when unconnected. */
ODAI_API const odai_packet *odai_calc_side_input(const odai_calc_ctx *ctx, const char *tag,
                                                 int index);
/* Set an output side packet, in open (transfer full, also on failure). */
ODAI_API odai_status odai_calc_side_output(odai_calc_ctx *ctx, const char *tag, int index,
                                           odai_packet *pkt);

/* Record an error that names this node; returns code, so process can
 * `return odai_calc_error(ctx, ODAI_E_INVALID, "bad frame %d", n);`. */
ODAI_API odai_status odai_calc_error(odai_calc_ctx *ctx, odai_status code, const char *fmt, ...)
    ODAI_PRINTF(3, 4);

#ifdef __cplusplus
}
#endif

#endif /* ODAI_CALCULATOR_H */
