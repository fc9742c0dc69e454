/* graph/config_text.h: the generic protobuf text-format reader behind the
 * graph config parser (graph/config_parse.c), plus the odai_pb_msg helpers
 * (lookup, merge, source-name interning) shared with options and subgraphs.
 *
 * Internal header (not installed). */
#ifndef ODAI_GRAPH_CONFIG_TEXT_H
#define ODAI_GRAPH_CONFIG_TEXT_H

#include "graph/config.h"

/* Maximum nesting of messages/lists in one config (hostile input guard). */
#define ODAI_PB_MAX_DEPTH 100

/* Parse `text` as a protobuf text-format message (the top level has no
 * braces). Every field records the position of its name; value_pos the
 * position of its value. On error returns ODAI_E_PARSE with
 * "file:line:col: found X, expected Y" and *out == NULL.
 * Transfer full: free with odai_pb_msg_free(). */
odai_status odai_pb_parse(const char *text, size_t len, const char *source_name,
                          odai_pb_msg **out, odai_error *err);

/* Intern a source name for the life of the process (srcpos.file points
 * here, so positions stay valid when nodes move between configs, e.g. during
 * subgraph expansion). Thread-safe. NULL on ENOMEM. Transfer none. */
const char *odai_pb_intern(const char *name);

/* Append a field (shallow: takes ownership of f's pointers). */
odai_status odai_pb_msg_append(odai_pb_msg *m, odai_pb_field *f);
/* Deep copy of one field into *dst. */
odai_status odai_pb_field_copy(odai_pb_field *dst, const odai_pb_field *src);
/* Free what a field owns (not the field struct itself). */
void odai_pb_field_clear(odai_pb_field *f);
/* Remove every field named `name`. */
void odai_pb_msg_remove(odai_pb_msg *m, const char *name);
/* Number of fields named `name`, and the i-th of them (NULL when absent). */
size_t odai_pb_msg_count(const odai_pb_msg *m, const char *name);
const odai_pb_field *odai_pb_msg_find(const odai_pb_msg *m, const char *name, size_t i);

/* Merge `over` into `base` (protobuf MergeFrom without a schema): for each
 * field name in `over`, a single message merges into a single message of the
 * same name in `base`; otherwise all of base's values of that name are
 * replaced by over's (so repeated fields are replaced, not appended). */
odai_status odai_pb_msg_merge(odai_pb_msg *base, const odai_pb_msg *over);

/* A short description of a field's value for messages: `string "abc"`,
 * `integer 5`, `float 0.5`, `identifier FOO`, `message`. */
void odai_pb_describe(const odai_pb_field *f, char *buf, size_t n);

/* Kind names for messages ("integer", "string", ...). */
const char *odai_pb_kind_name(odai_pb_kind k);

/* Node helpers (graph/config_parse.c): deep copy into zeroed *dst (false on
 * ENOMEM; *dst is then partly filled: clear it), and free a node's contents. */
bool odai_node_config_clone_into(odai_node_config *dst, const odai_node_config *src);
void odai_node_config_clear(odai_node_config *n);

#endif /* ODAI_GRAPH_CONFIG_TEXT_H */
