/* examples/odai-run/run_tool.c: flag parsing and the run loop of odai-run,
 * kept apart from main() so other tools (desktop runners, demos) reuse
 * them. Only the public API (odai/odai.h) is used here. */
#include "run_tool.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

void odai_run_usage(FILE *f, const char *prog) {
  fprintf(f,
          "usage: %s CONFIG [--side NAME=VALUE ...] [--stats] [--trace FILE] [--dot]\n"
          "          [--threads N] [--deterministic] [--max-queue N] [--subgraphs DIR] [--print]\n"
          "       %s --check CONFIG\n"
          "       %s --list-calculators\n"
          "Runs a MediaPipe-style graph config until done.\n"
          "  --side NAME=VALUE   input side packet (42, 1.5, true, text; or int:/float:/bool:/string:)\n"
          "  --stats             print per-node stats after the run\n"
          "  --trace FILE        write a Chrome trace JSON (open in ui.perfetto.dev)\n"
          "  --dot               print the graph as Graphviz DOT and exit\n"
          "  --threads N         default executor threads (0 = cores)\n"
          "  --deterministic     single-thread deterministic scheduling\n"
          "  --max-queue N       override max_queue_size (-1 = unbounded)\n"
          "  --subgraphs DIR     register the subgraph configs (*.pbtxt with type:) in DIR\n"
          "  --print             print every packet of the graph's output streams\n"
          "  --check             parse and validate only; exit 1 with the error\n"
          "MediaPipe desktop-runner mode, for graphs with input_stream \"input_video\":\n"
          "  --input_video_path P   feed frames from a video file/URL, /dev/videoN, an image or a folder\n"
          "  --output_video_path P  write \"output_video\" to a video (.mp4/.mkv/.avi) or a folder of\n"
          "                         images; without it, show it in a window\n"
          "  --realtime             pace a file at its frame rate (like a camera)\n",
          prog, prog, prog);
}

static odai_status parse_int(const char *s, int *out, const char *flag, odai_error *err) {
  char *end;
  errno = 0;
  long v = s ? strtol(s, &end, 10) : 0;
  if (!s || !*s || *end || errno || v < -1 || v > 1 << 20)
    return odai_error_set(err, ODAI_E_INVALID, "%s: expected an integer, got '%s'", flag,
                          s ? s : "");
  *out = (int)v;
  return ODAI_OK;
}

odai_status odai_run_parse_args(int argc, char **argv, odai_run_args *a, odai_error *err) {
  memset(a, 0, sizeof *a);
  for (int i = 1; i < argc; i++) {
    const char *s = argv[i];
    const char *next = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(s, "--check")) {
      a->check = true;
    } else if (!strcmp(s, "--list-calculators")) {
      a->list = true;
    } else if (!strcmp(s, "--stats")) {
      a->stats = true;
    } else if (!strcmp(s, "--dot")) {
      a->dot = true;
    } else if (!strcmp(s, "--print")) {
      a->print = true;
    } else if (!strcmp(s, "--deterministic")) {
      a->deterministic = true;
    } else if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
      a->help = true;
    } else if (!strcmp(s, "--trace") || !strcmp(s, "--subgraphs")) {
      if (!next) return odai_error_set(err, ODAI_E_INVALID, "%s needs a value", s);
      if (s[2] == 't')
        a->trace = next;
      else
        a->subgraph_dir = next;
      i++;
    } else if (!strcmp(s, "--threads") || !strcmp(s, "--max-queue")) {
      odai_status st = parse_int(next, s[2] == 't' ? &a->threads : &a->max_queue, s, err);
      if (st) return st;
      i++;
    } else if (!strcmp(s, "--side") || !strncmp(s, "--side=", 7)) {
      const char *kv = s[6] == '=' ? s + 7 : next;
      if (s[6] != '=') i++;
      const char *eq = kv ? strchr(kv, '=') : NULL;
      if (!eq || eq == kv)
        return odai_error_set(err, ODAI_E_INVALID, "--side expects NAME=VALUE, got '%s'",
                              kv ? kv : "");
      if (a->n_sides == ODAI_RUN_MAX_SIDES)
        return odai_error_set(err, ODAI_E_INVALID, "too many --side flags");
      /* name is kv up to '=': store the whole "NAME=VALUE", split at use */
      a->sides[a->n_sides].name = kv;
      a->sides[a->n_sides].value = eq + 1;
      a->n_sides++;
    } else if (!strncmp(s, "--", 2) && s[2]) {
      if (a->n_extra == ODAI_RUN_MAX_EXTRA)
        return odai_error_set(err, ODAI_E_INVALID, "too many flags");
      const char *eq = strchr(s, '=');
      a->extra[a->n_extra].name = s + 2;
      a->extra[a->n_extra].value = eq ? eq + 1 : NULL;
      if (!eq && next && strncmp(next, "--", 2)) {
        a->extra[a->n_extra].value = next;
        i++;
      }
      a->n_extra++;
    } else if (s[0] == '-' && s[1]) {
      return odai_error_set(err, ODAI_E_INVALID, "unknown option '%s'", s);
    } else if (!a->config) {
      a->config = s;
    } else {
      return odai_error_set(err, ODAI_E_INVALID, "more than one config given ('%s', '%s')",
                            a->config, s);
    }
  }
  return ODAI_OK;
}

odai_packet *odai_run_parse_value(const char *text, odai_error *err) {
  const char *v = text;
  char *end;
  if (!strncmp(v, "string:", 7)) return odai_packet_new_string(v + 7, ODAI_TS_UNSET);
  if (!strncmp(v, "bool:", 5)) {
    v += 5;
    if (strcmp(v, "true") && strcmp(v, "false") && strcmp(v, "1") && strcmp(v, "0")) {
      odai_error_set(err, ODAI_E_INVALID, "'%s' is not a bool", v);
      return NULL;
    }
    return odai_packet_new_bool(!strcmp(v, "true") || !strcmp(v, "1"), ODAI_TS_UNSET);
  }
  bool force_int = !strncmp(v, "int:", 4), force_float = !strncmp(v, "float:", 6);
  if (force_int) v += 4;
  if (force_float) v += 6;
  if (!force_float && *v) {
    errno = 0;
    long long i = strtoll(v, &end, 0);
    if (!*end && !errno) return odai_packet_new_int(i, ODAI_TS_UNSET);
  }
  if (!force_int && *v) {
    errno = 0;
    double d = strtod(v, &end);
    if (!*end && !errno) return odai_packet_new_float(d, ODAI_TS_UNSET);
  }
  if (force_int || force_float) {
    odai_error_set(err, ODAI_E_INVALID, "'%s' is not %s", v, force_int ? "an int" : "a float");
    return NULL;
  }
  if (!strcmp(v, "true") || !strcmp(v, "false"))
    return odai_packet_new_bool(!strcmp(v, "true"), ODAI_TS_UNSET);
  return odai_packet_new_string(v, ODAI_TS_UNSET);
}

odai_status odai_run_configure(odai_graph *g, const odai_run_args *a, odai_error *err) {
  for (int i = 0; i < a->n_sides; i++) {
    const char *kv = a->sides[i].name;
    size_t nl = (size_t)(a->sides[i].value - 1 - kv);
    char name[256];
    if (nl >= sizeof name) return odai_error_set(err, ODAI_E_INVALID, "side packet name too long");
    memcpy(name, kv, nl);
    name[nl] = 0;
    odai_packet *p = odai_run_parse_value(a->sides[i].value, err);
    if (!p) return odai_error_prefix(err, "--side %s: ", name);
    if (odai_graph_set_side_packet(g, name, p))
      return odai_error_set(err, ODAI_E_INVALID, "--side %s: cannot set", name);
  }
  if (a->threads && odai_graph_set_num_threads(g, a->threads))
    return odai_error_set(err, ODAI_E_INVALID, "--threads %d: invalid", a->threads);
  if (a->deterministic) odai_graph_set_deterministic(g, true);
  if (a->max_queue) odai_graph_set_max_queue_size(g, a->max_queue);
  if (a->trace && odai_graph_enable_trace(g, 1u << 20))
    return odai_error_set(err, ODAI_E_NOMEM, "cannot allocate the trace buffer");
  return ODAI_OK;
}

void odai_run_list_calculators(FILE *f) {
  const odai_calculator_def *d;
  for (size_t i = 0; (d = odai_calculator_at(i)); i++)
    fprintf(f, "%-36s %s\n", d->name, d->description ? d->description : "");
}

typedef struct out_counter {
  const char *stream;
  bool print;
  uint64_t n;
} out_counter;

static odai_status on_output(void *user, const odai_packet *p) {
  out_counter *c = user;
  c->n++; /* one observer per stream: never called concurrently */
  if (c->print) {
    char buf[160];
    printf("%s: %s\n", c->stream, odai_packet_str(p, buf, sizeof buf));
  }
  return ODAI_OK;
}

typedef struct sig_watch {
  odai_graph *g;
  sigset_t set;
} sig_watch;

static void *sig_thread(void *arg) {
  sig_watch *w = arg;
  int sig = 0;
  if (sigwait(&w->set, &sig) == 0 && sig == SIGINT) odai_graph_cancel(w->g);
  return NULL;
}

/* "odai-run: MESSAGE", with a->config (and its ":line:col") replaced by
 * a->config_label when one is set. */
static void report(const odai_run_args *a, const char *msg) {
  size_t n = a->config_label ? strlen(a->config) : 0;
  if (n && strncmp(msg, a->config, n) == 0) {
    const char *p = msg + n;
    for (int k = 0; k < 2 && *p == ':' && p[1] >= '0' && p[1] <= '9'; k++) {
      p++;
      while (*p >= '0' && *p <= '9') p++;
    }
    fprintf(stderr, "odai-run: %s%s\n", a->config_label, p);
  } else {
    fprintf(stderr, "odai-run: %s\n", msg);
  }
}

int odai_run_main(const odai_run_args *a) {
  odai_error err = {0};
  if (a->subgraph_dir && odai_graph_register_subgraph_dir(a->subgraph_dir, &err)) {
    report(a, err.message);
    return 1;
  }
  odai_graph *g = NULL;
  if (odai_graph_create_from_file(a->config, &g, &err)) {
    report(a, err.message);
    return 1;
  }
  if (a->check) {
    printf("%s: OK (%zu nodes)\n", a->config, odai_graph_num_nodes(g));
    odai_graph_destroy(g);
    return 0;
  }
  if (a->dot) {
    odai_graph_write_dot(g, stdout);
    odai_graph_destroy(g);
    return 0;
  }
  int rc = 1;
  size_t n_out = odai_graph_num_output_streams(g);
  out_counter *counters = calloc(n_out + 1, sizeof *counters);
  sig_watch w = {.g = g};
  pthread_t sig_tid;
  bool sig_started = false;
  if (!counters) goto out;
  for (size_t i = 0; i < n_out; i++) {
    counters[i].stream = odai_graph_output_stream(g, i);
    counters[i].print = a->print;
    if (odai_graph_observe_output(g, counters[i].stream, on_output, &counters[i])) goto out;
  }
  if (odai_run_configure(g, a, &err)) {
    report(a, err.message);
    goto out;
  }
  /* A file size limit (ulimit -f) makes write() fail with EFBIG, reported
   * by the node that writes, instead of killing the process by SIGXFSZ
   * with a truncated output and no message. */
  signal(SIGXFSZ, SIG_IGN);
  /* Ctrl-C cancels the graph: SIGINT is handled by a sigwait thread. */
  sigemptyset(&w.set);
  sigaddset(&w.set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &w.set, NULL);
  sig_started = pthread_create(&sig_tid, NULL, sig_thread, &w) == 0;
  odai_status st = odai_graph_start(g, &err);
  if (!st) st = odai_graph_wait_until_done(g, &err);
  if (st == ODAI_E_CANCELLED) {
    /* Ctrl-C, or the preview window was closed: the user asked to stop. */
    fprintf(stderr, "odai-run: stopped: %s\n", err.message);
    rc = 0;
  } else if (st) {
    report(a, err.message);
  } else {
    rc = 0;
  }
  for (size_t i = 0; i < n_out; i++)
    fprintf(stderr, "odai-run: output '%s': %" PRIu64 " packets\n", counters[i].stream,
            counters[i].n);
  if (a->stats) odai_graph_stats_table(g, stdout);
  if (a->trace) {
    if (odai_graph_write_trace_json(g, a->trace, &err)) {
      report(a, err.message);
      rc = 1;
    } else {
      fprintf(stderr, "odai-run: trace written to %s\n", a->trace);
    }
  }
out:
  if (sig_started) {
    pthread_kill(sig_tid, SIGINT); /* wake the watcher; the graph is done */
    pthread_join(sig_tid, NULL);
  }
  odai_graph_destroy(g);
  free(counters);
  return rc;
}
