/* bench/graph/bench_graph.c: scheduler throughput. Packets per second
 * through chains of 1, 10 and 50 PassThroughCalculator nodes and through a
 * fan-out/fan-in diamond, on 1 and 2 threads, and the scheduler overhead
 * per node invocation in nanoseconds. Prints figures; asserts nothing.
 *   bench_graph [packets]   (default 200000) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "odai/odai.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* source → n PassThrough nodes */
static char *chain_config(int n, long packets) {
  size_t cap = 256 + (size_t)n * 160;
  char *t = malloc(cap);
  size_t o = (size_t)snprintf(t, cap,
                              "node { calculator: 'CountingSourceCalculator' output_stream: 's0'\n"
                              "  options { max_count: %ld batch_size: 64 } }\n",
                              packets);
  for (int i = 0; i < n; i++)
    o += (size_t)snprintf(t + o, cap - o,
                          "node { calculator: 'PassThroughCalculator' input_stream: 's%d'"
                          " output_stream: 's%d' }\n",
                          i, i + 1);
  return t;
}

/* source → fan-out to `width` branches of `depth` PassThroughs → one
 * PassThrough joining all branches (timestamp-synchronised) */
static char *diamond_config(int width, int depth, long packets, int *nodes) {
  size_t cap = 512 + (size_t)(width * depth + 2) * 200;
  char *t = malloc(cap);
  size_t o = (size_t)snprintf(t, cap,
                              "node { calculator: 'CountingSourceCalculator' output_stream: 'src'\n"
                              "  options { max_count: %ld batch_size: 64 } }\n",
                              packets);
  for (int b = 0; b < width; b++)
    for (int d = 0; d < depth; d++) {
      char in[32];
      if (d == 0)
        snprintf(in, sizeof in, "src");
      else
        snprintf(in, sizeof in, "b%d_%d", b, d - 1);
      o += (size_t)snprintf(t + o, cap - o,
                            "node { calculator: 'PassThroughCalculator' input_stream: '%s'"
                            " output_stream: 'b%d_%d' }\n",
                            in, b, d);
    }
  o += (size_t)snprintf(t + o, cap - o, "node { calculator: 'PassThroughCalculator'");
  for (int b = 0; b < width; b++)
    o += (size_t)snprintf(t + o, cap - o, " input_stream: 'b%d_%d'", b, depth - 1);
  for (int b = 0; b < width; b++)
    o += (size_t)snprintf(t + o, cap - o, " output_stream: 'j%d'", b);
  snprintf(t + o, cap - o, " }\n");
  *nodes = width * depth + 1;
  return t;
}

static int run(const char *label, char *cfg, int nodes, long packets, int threads) {
  odai_graph *g = NULL;
  odai_error err = {0};
  if (odai_graph_create(cfg, strlen(cfg), label, &g, &err)) {
    fprintf(stderr, "%s: %s\n", label, err.message);
    return 1;
  }
  odai_graph_set_num_threads(g, threads);
  double t0 = now_s();
  if (odai_graph_start(g, &err) || odai_graph_wait_until_done(g, &err)) {
    fprintf(stderr, "%s: %s\n", label, err.message);
    odai_graph_destroy(g);
    return 1;
  }
  double dt = now_s() - t0;
  double inv = (double)packets * (nodes + 1); /* + the source's per-packet share */
  printf("%-22s threads=%d  %10.0f packets/s  %8.2f M node-invocations/s  %7.1f ns/invocation"
         "  (%.1f M/s per thread)\n",
         label, threads, (double)packets / dt, inv / dt * 1e-6, dt * 1e9 / inv,
         inv / dt * 1e-6 / threads);
  odai_graph_destroy(g);
  return 0;
}

int main(int argc, char **argv) {
  long packets = argc > 1 ? atol(argv[1]) : 200000;
  if (packets <= 0) packets = 200000;
  printf("odai %s scheduler benchmark: %ld packets per run\n", odai_version(), packets);
  int rc = 0;
  int lens[] = {1, 10, 50};
  for (int threads = 1; threads <= 2; threads++) {
    for (int i = 0; i < 3; i++) {
      char label[32];
      snprintf(label, sizeof label, "chain-%d", lens[i]);
      char *cfg = chain_config(lens[i], packets);
      rc |= run(label, cfg, lens[i], packets, threads);
      free(cfg);
    }
    int nodes = 0;
    char *cfg = diamond_config(2, 4, packets, &nodes);
    rc |= run("diamond-2x4", cfg, nodes, packets, threads);
    free(cfg);
  }
  return rc;
}
