/* graph/config.h: the in-memory form of a graph config (MediaPipe's
 * CalculatorGraphConfig), shared by the parser (graph/config_parse.c),
 * subgraph expansion (graph/subgraph.c), validation and the scheduler.
 *
 * Internal header (not installed). All strings are owned by the config and
 * freed by odai_config_free(). Every element records where it came from
 * (file, line, column) so later stages can report errors with position. */
#ifndef ODAI_GRAPH_CONFIG_H
#define ODAI_GRAPH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "odai/common.h"

/* Where something was written: 1-based line and column in `file`
 * (file points into the config's interned source name, never NULL). */
typedef struct odai_srcpos {
  const char *file;
  int line, col;
} odai_srcpos;

/* ---- Generic protobuf text-format values (options, graph_options) ---- */

typedef enum odai_pb_kind {
  ODAI_PB_INT,     /* integer literal (decimal, hex, octal, signed) */
  ODAI_PB_FLOAT,   /* float literal (also "inf", "nan") */
  ODAI_PB_STRING,  /* quoted string(s), escapes resolved, concatenated */
  ODAI_PB_IDENT,   /* bare identifier: enum value or true/false */
  ODAI_PB_MESSAGE  /* nested message { ... } or < ... > */
} odai_pb_kind;

typedef struct odai_pb_msg odai_pb_msg;

/* One field occurrence. Repeated fields appear once per value, in order;
 * a list `f: [1, 2]` becomes two fields named f. An extension block
 * `[mediapipe.FooOptions.ext] { ... }` is a field whose name is the text
 * inside the brackets ("mediapipe.FooOptions.ext") and is_extension=true. */
typedef struct odai_pb_field {
  char *name;
  bool is_extension;
  odai_pb_kind kind;
  int64_t i;        /* ODAI_PB_INT (also set for FLOAT when integral) */
  double f;         /* ODAI_PB_INT and ODAI_PB_FLOAT */
  char *s;          /* STRING: the bytes (NUL-terminated, may contain NUL:
                       see s_len); IDENT: the identifier; else NULL */
  size_t s_len;
  odai_pb_msg *msg; /* ODAI_PB_MESSAGE */
  odai_srcpos pos;
  odai_srcpos value_pos; /* where the value starts (added by the parser) */
  /* Set by the typed readers of graph/options.c (atomically; the options
   * stay logically const): read_ok when a reader accepted the value,
   * read_want (what that reader expected) when one could not use it. A
   * field with read_want and no read_ok is reported after the node's open
   * (odai_options_check_reads), so a wrongly typed option is an error, not
   * a silent default. */
  bool read_ok;
  const char *read_want;
} odai_pb_field;

struct odai_pb_msg {
  odai_pb_field *fields;
  size_t n_fields;
};

/* ---- Graph structure ---- */

/* A stream or side-packet reference "TAG:index:name", "TAG:name" or "name".
 * tag is "" when absent; index is 0 when absent. */
typedef struct odai_stream_ref {
  char *tag;
  int index;
  char *name;
  odai_srcpos pos;
} odai_stream_ref;

typedef struct odai_stream_refs {
  odai_stream_ref *v;
  size_t n;
} odai_stream_refs;

/* input_stream_info { tag_index: "TAG:1" back_edge: true } */
typedef struct odai_input_stream_info {
  char *tag_index; /* "TAG", "TAG:1", ":1" or "" as written */
  bool back_edge;
  odai_srcpos pos;
} odai_input_stream_info;

typedef struct odai_node_config {
  char *calculator;         /* required */
  char *name;               /* optional, "" when absent */
  odai_stream_refs input_streams, output_streams;
  odai_stream_refs input_side_packets, output_side_packets;
  /* Options as written. `options` holds the fields of the `options { }`
   * block (MediaPipe extensions appear as extension fields inside it);
   * `node_options` holds one entry per `node_options: { [type.googleapis.com/X] {..} }`
   * as an extension field named "type.googleapis.com/X". Use
   * odai_node_options() (graph/options.h) to get the calculator's options
   * message whatever the spelling. NULL when absent. */
  odai_pb_msg *options;
  odai_pb_msg *node_options;
  /* option_value: "field.path:OPTIONS/subgraph.field" entries, kept for
   * subgraph expansion (MediaPipe's option_value). */
  char **option_values;
  size_t n_option_values;
  char *input_stream_handler;        /* e.g. "ImmediateInputStreamHandler", "" = default */
  odai_pb_msg *input_stream_handler_options;
  char *output_stream_handler;       /* parsed and kept; "" = default */
  odai_input_stream_info *input_stream_info;
  size_t n_input_stream_info;
  char *executor;                    /* "" = default executor */
  int max_in_flight;                 /* 0 = unset */
  int source_layer;                  /* 0 = unset */
  odai_srcpos pos;                   /* position of `node {` */
} odai_node_config;

typedef struct odai_executor_config {
  char *name;    /* "" = the default executor */
  char *type;    /* e.g. "ThreadPoolExecutor", "" */
  int num_threads; /* from options { [mediapipe.ThreadPoolExecutorOptions.ext] { num_threads } }; 0 = unset */
  odai_pb_msg *options; /* the executor's options block as written, NULL when absent */
  odai_srcpos pos;
} odai_executor_config;

typedef struct odai_graph_config {
  char *source_name;            /* file path or "<string>"; srcpos.file points here */
  char *type;                   /* subgraph type name, "" for a top-level graph */
  char **input_streams, **output_streams;       /* names ("TAG:name" kept as written) */
  size_t n_input_streams, n_output_streams;
  char **input_side_packets, **output_side_packets;
  size_t n_input_side_packets, n_output_side_packets;
  odai_node_config *nodes;
  size_t n_nodes;
  odai_executor_config *executors;
  size_t n_executors;
  int max_queue_size;           /* 0 = unset (default), -1 = unbounded */
  int num_threads;              /* 0 = unset */
  odai_pb_msg *graph_options;   /* graph_options { [type.googleapis.com/X] {...} } */
  odai_pb_msg *options;         /* graph-level `options { }` (subgraph options) */
  char *input_stream_handler;   /* graph-level default handler, "" = default */
  /* Unknown top-level fields that MediaPipe has but odai ignores
   * (profiler_config, package, ...) are parsed and dropped. */
} odai_graph_config;

/* Parse config text. `source_name` names it in messages ("a.pbtxt").
 * On error returns ODAI_E_PARSE with "file:line:col: message" in *err and
 * *out == NULL. Transfer full: free with odai_config_free(). */
odai_status odai_config_parse(const char *text, size_t len, const char *source_name,
                              odai_graph_config **out, odai_error *err);

/* Read and parse a file (ODAI_E_IO / ODAI_E_NOT_FOUND with path on failure). */
odai_status odai_config_parse_file(const char *path, odai_graph_config **out, odai_error *err);

void odai_config_free(odai_graph_config *cfg);

/* Deep copy (used by subgraph expansion). NULL on ENOMEM. */
odai_graph_config *odai_config_clone(const odai_graph_config *cfg);
odai_pb_msg *odai_pb_msg_clone(const odai_pb_msg *m);
void odai_pb_msg_free(odai_pb_msg *m);

/* Parse "TAG:index:name" (MediaPipe's rules: TAG is [A-Z][A-Z0-9_]*, index
 * a non-negative integer, name [a-z_][a-zA-Z0-9_]*). */
odai_status odai_stream_ref_parse(const char *text, odai_stream_ref *out, odai_error *err);

#endif /* ODAI_GRAPH_CONFIG_H */
