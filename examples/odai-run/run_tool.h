/* examples/odai-run/run_tool.h: command-line handling shared by odai-run
 * and other graph-running tools: flag parsing (side packets, stats, trace,
 * threads, ...), side-packet value parsing, and "run this graph until done
 * and report". Tools that add flags of their own (a desktop runner's
 * --input_video_path) read them from odai_run_args.extra. */
#ifndef ODAI_RUN_TOOL_H
#define ODAI_RUN_TOOL_H

#include <stdbool.h>
#include <stdio.h>

#include "odai/odai.h"

#define ODAI_RUN_MAX_SIDES 64
#define ODAI_RUN_MAX_EXTRA 32

typedef struct odai_run_kv {
  const char *name; /* points into argv */
  const char *value;
} odai_run_kv;

typedef struct odai_run_args {
  const char *config;        /* graph config path */
  /* NULL, or what messages say instead of `config` and its line:col (the
   * desktop mode runs a temporary wrapper file the user never sees) */
  const char *config_label;
  bool check, list, stats, dot, print, deterministic, help;
  const char *trace;         /* Chrome trace JSON path or NULL */
  const char *subgraph_dir;  /* extra subgraph directory or NULL */
  int threads;               /* 0 = cores */
  int max_queue;             /* 0 = config's */
  odai_run_kv sides[ODAI_RUN_MAX_SIDES];
  int n_sides;
  /* Flags this parser does not know, "--name=value" or "--name value"
   * (value NULL for a lone flag): for tools built on top. */
  odai_run_kv extra[ODAI_RUN_MAX_EXTRA];
  int n_extra;
} odai_run_args;

/* Parse argv (argv[0] skipped). Returns ODAI_OK, or ODAI_E_INVALID with a
 * message in *err. Strings point into argv. */
odai_status odai_run_parse_args(int argc, char **argv, odai_run_args *out, odai_error *err);

/* Usage text for odai-run's flags. */
void odai_run_usage(FILE *f, const char *prog);

/* "42" → int, "1.5" → float, "true"/"false" → bool, anything else →
 * string; "int:", "float:", "bool:", "string:" prefixes force a type.
 * Transfer full; NULL with *err filled on a bad forced value. */
odai_packet *odai_run_parse_value(const char *text, odai_error *err);

/* Apply --side, --threads, --deterministic, --max-queue, --trace to a
 * created graph (before start). */
odai_status odai_run_configure(odai_graph *g, const odai_run_args *a, odai_error *err);

/* Print every built-in and registered calculator. */
void odai_run_list_calculators(FILE *f);

/* The whole odai-run: create, configure, run to completion (Ctrl-C
 * cancels), report. Returns a process exit code. */
int odai_run_main(const odai_run_args *a);

/* MediaPipe desktop-runner mode (desktop.c): true when --input_video_path
 * or --output_video_path is given; odai_run_desktop runs the config with
 * frames from the input and its "output_video" written or shown. */
bool odai_run_is_desktop(const odai_run_args *a);
int odai_run_desktop(const odai_run_args *a);

#endif /* ODAI_RUN_TOOL_H */
