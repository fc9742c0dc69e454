/* graph/subgraph.h: the subgraph registry (configs with `type:`) and inline
 * expansion of nodes that name a registered subgraph, with MediaPipe's
 * stream/side-packet mapping, name prefixing, graph_options and option_value.
 *
 * Internal header (not installed). Thread-safety: the registry is guarded by
 * one mutex; every function here may be called from any thread. Expansion
 * works on a private copy of each subgraph, so registering or clearing while
 * another thread expands is safe. */
#ifndef ODAI_GRAPH_SUBGRAPH_H
#define ODAI_GRAPH_SUBGRAPH_H

#include <stdbool.h>

#include "graph/config.h"

/* Register a parsed subgraph config (transfer full, also on failure). Its
 * `type` must be non-empty (ODAI_E_INVALID otherwise). A later registration
 * of the same type replaces the earlier one. */
odai_status odai_subgraph_register_config(odai_graph_config *cfg, odai_error *err);

/* Parse NUL-terminated `text` (named `source_name` in messages) and register
 * it; ODAI_E_PARSE with file:line:col on bad text, ODAI_E_INVALID when it has
 * no `type:`. */
odai_status odai_subgraph_register_text(const char *text, const char *source_name, odai_error *err);
/* The same for `len` bytes of text (need not be NUL-terminated). */
odai_status odai_subgraph_register_text_n(const char *text, size_t len, const char *source_name,
                                          odai_error *err);

/* Parse and register one .pbtxt file (must have a `type:`). */
odai_status odai_subgraph_register_file(const char *path, odai_error *err);

/* Register every *.pbtxt directly in `dir` (not recursive, in name order)
 * that has a `type:`; files without one (top-level graphs) are skipped. The
 * first parse error stops and is returned (files before it stay registered).
 * *n_registered (may be NULL) receives how many were registered. */
odai_status odai_subgraph_register_dir_n(const char *dir, size_t *n_registered, odai_error *err);
odai_status odai_subgraph_register_dir(const char *dir, odai_error *err);

/* True when `type` names a registered subgraph (for "unknown calculator or
 * subgraph 'X'" in validation). */
bool odai_subgraph_is_registered(const char *type);

/* A deep copy of the registered config, or NULL (not registered / ENOMEM).
 * Transfer full: odai_config_free(). */
odai_graph_config *odai_subgraph_lookup(const char *type);

/* The built-in subgraphs embedded from configs/modules/ (always available,
 * not affected by odai_subgraph_clear): how many, and the i-th's type. */
size_t odai_subgraph_builtin_count(void);
const char *odai_subgraph_builtin_type(size_t i);

/* Number of registered subgraphs, and forget them all (for tests). */
size_t odai_subgraph_count(void);
void odai_subgraph_clear(void);

/* Replace, in place and recursively, every node of `cfg` whose calculator is
 * a registered subgraph by the subgraph's nodes (MediaPipe's rules):
 *  - `option_value: "node_path:graph_path"` fields of the top-level nodes
 *    are applied from cfg's own graph options first;
 *  - for each subgraph node: its option_value fields are applied from the
 *    subgraph's graph options (`graph_options`/`options`) merged with the
 *    enclosing node's options/node_options of the same type;
 *  - every node, stream and side-packet name inside is prefixed with the
 *    enclosing node's canonical name, lowercased, '.', ' ', ':' -> '_', and
 *    "__" ("facedetection__detections");
 *  - the subgraph's declared input/output streams and side packets are
 *    matched to the node's by tag and index; a tag the subgraph lacks or too
 *    many indices is an error; declared inputs the node leaves unconnected
 *    are removed from the inner nodes;
 *  - an enclosing node's `executor` is given to inner nodes without one.
 * Recursion (A uses B uses A) is an error naming the chain. On error cfg is
 * left valid (freeable) but partly expanded. */
odai_status odai_config_expand_subgraphs(odai_graph_config *cfg, odai_error *err);

/* Apply (and then remove) the option_value fields of cfg's nodes, taking
 * values from cfg's graph options merged with `parent`'s options (parent
 * NULL: cfg's graph options only). Used by expansion; exposed for tests. */
odai_status odai_config_apply_option_values(odai_graph_config *cfg, const odai_node_config *parent,
                                            odai_error *err);

#endif /* ODAI_GRAPH_SUBGRAPH_H */
