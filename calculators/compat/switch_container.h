/* calculators/compat/switch_container.h: MediaPipe's SwitchContainer as a
 * subgraph-expansion transform (graph/subgraph.c calls it for every node
 * whose calculator is "SwitchContainer"). Internal header. */
#ifndef ODAI_CALCULATORS_COMPAT_SWITCH_CONTAINER_H
#define ODAI_CALCULATORS_COMPAT_SWITCH_CONTAINER_H

#include <stdbool.h>

#include "graph/config.h"

/* True for "SwitchContainer". */
bool odai_switch_container_is(const char *calculator);

/* Rewrite one SwitchContainer node (options
 * mediapipe.SwitchContainerOptions { select enable contained_node {...} })
 * into the nodes that replace it, returned as *out (a config holding only
 * nodes; transfer full: odai_config_free). `canon` is the node's canonical
 * name (prefix for new node and stream names).
 * - No SELECT/ENABLE side packet connected: the choice is known now, so
 *   the container becomes contained_node[select] (enable: true = 1) wired
 *   with the container's own ports (one node, no run-time cost).
 * - SELECT or ENABLE side packet connected: the choice is made at run time
 *   as in MediaPipe: SwitchDemuxCalculator -> every contained node (one
 *   channel each, with stream names <prefix>__c<k>__<name>) ->
 *   SwitchMuxCalculator; only the selected channel receives packets, the
 *   mux forwards only the selected channel's outputs and output side
 *   packets. Every channel's nodes are opened (their side packets exist).
 * Errors (no contained_node, select out of range) name the node's config
 * position. The contained nodes' own port lists, if any, are ignored: they
 * take the container's ports, as in MediaPipe. */
odai_status odai_switch_container_expand(const odai_node_config *node, const char *canon,
                                         odai_graph_config **out, odai_error *err);

#endif
