/* graph/options.h: finding a node's options message in a parsed config,
 * whatever MediaPipe spelling it was written in (internal; the typed readers
 * are public in include/odai/options.h). */
#ifndef ODAI_GRAPH_OPTIONS_H
#define ODAI_GRAPH_OPTIONS_H

#include "graph/config.h"
#include "odai/options.h"

/* The calculator's options message for `options_type` (e.g.
 * "mediapipe.SsdAnchorsCalculatorOptions"), looked up in order:
 *   options { [mediapipe.XOptions.ext] { ... } }           (with or without ".ext")
 *   node_options: { [type.googleapis.com/mediapipe.XOptions] { ... } }
 *   options { key: value }   (the plain block itself, when it has no extension fields)
 * Type names match ignoring a "type.googleapis.com/"-like prefix and a
 * trailing ".ext"; a name without a package ("XOptions") matches the last
 * component. options_type NULL or "" or "*": the first extension found, else
 * the plain block. NULL when the node has none. Transfer none. */
const odai_options *odai_node_options(const odai_node_config *node, const char *options_type);

/* Mutable variant for config rewriting (subgraph option_value). */
odai_pb_msg *odai_node_options_mut(odai_node_config *node, const char *options_type);

/* The graph-level options of a (sub)graph config for `options_type`: its
 * `options { [X.ext] {} }` first, then `graph_options { [type.../X] {} }`.
 * Same matching rules. Transfer none. */
odai_pb_msg *odai_graph_options_mut(odai_graph_config *cfg, const char *options_type);

/* True when an extension field name (as written in brackets) names the
 * options type `type` under the rules above. */
bool odai_options_type_matches(const char *ext_name, const char *type);

/* The canonical type name of an extension field name: without the
 * "type.googleapis.com/" prefix and the trailing ".ext", written into buf. */
void odai_options_type_name(const char *ext_name, char *buf, size_t n);

/* After a node's open: the first field of `opts` (recursively) that a typed
 * reader (odai_options_get_*) found but could not use and no reader
 * accepted: ODAI_E_INVALID with "file:line:col: option 'x': found string
 * "abc", expected an integer". ODAI_OK when there is none. */
odai_status odai_options_check_reads(const odai_options *opts, odai_error *err);

#endif /* ODAI_GRAPH_OPTIONS_H */
