/* examples/odai-model/odai_model_tool.c: the odai-model command-line tool
 * (info, run, bench, dot) over the public inference API (odai/inference.h).
 * It is also the simplest complete example of loading and running a model. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "odai/inference.h"

static void usage(void) {
  fprintf(stderr,
          "usage: odai-model info MODEL\n"
          "       odai-model run MODEL --input IN.f32 [--input ...] --output OUT.f32 [--output ...] [--threads N]\n"
          "       odai-model bench MODEL [--threads N] [--runs N] [--profile]\n"
          "       odai-model dot MODEL\n"
          "Tensors are raw little-endian float32 in the model's input/output order. For `run`, an input\n"
          "file holding k times the stored batch resizes the batch to k.\n");
}

static void print_shape(FILE *f, const odai_tensor_info *t) {
  fputc('[', f);
  for (int d = 0; d < t->rank; d++) fprintf(f, "%s%d", d ? "," : "", t->shape[d]);
  fputc(']', f);
}

static int open_all(const char *path, int threads, odai_model **m, odai_interpreter **it) {
  odai_error err;
  if (odai_model_load_file(path, m, &err) != ODAI_OK) {
    fprintf(stderr, "odai-model: %s\n", err.message);
    return 1;
  }
  odai_interpreter_options opt;
  odai_interpreter_options_init(&opt);
  opt.num_threads = threads;
  if (odai_interpreter_create(*m, &opt, it, &err) != ODAI_OK) {
    fprintf(stderr, "odai-model: %s: %s\n", path, err.message);
    odai_model_free(*m);
    return 1;
  }
  return 0;
}

typedef struct count {
  const char *name;
  int n;
} count;

static void add_count(count *c, int *nc, const char *name) {
  for (int i = 0; i < *nc; i++)
    if (strcmp(c[i].name, name) == 0) {
      c[i].n++;
      return;
    }
  c[*nc].name = name;
  c[*nc].n = 1;
  (*nc)++;
}

static int cmd_info(const char *path) {
  odai_model *m;
  odai_interpreter *it;
  if (open_all(path, 1, &m, &it)) return 1;
  printf("model: %s\n", path);
  printf("description: %s\n", odai_model_description(m));
  for (int io = 0; io < 2; io++) {
    int n = io ? odai_interpreter_output_count(it) : odai_interpreter_input_count(it);
    for (int i = 0; i < n; i++) {
      odai_tensor_info t;
      if (io) odai_interpreter_output(it, i, &t);
      else odai_interpreter_input(it, i, &t);
      printf("%s %d: %-32s %-8s ", io ? "output" : "input ", i, t.name, odai_dtype_name(t.dtype));
      print_shape(stdout, &t);
      printf("\n");
    }
  }
  int n_ops = odai_model_op_count(m);
  count *c = calloc((size_t)n_ops + 1, sizeof *c);
  int nc = 0;
  for (int i = 0; i < n_ops; i++) {
    odai_op_info oi;
    odai_model_op(m, i, &oi);
    add_count(c, &nc, oi.name);
  }
  printf("ops in file: %d\n", n_ops);
  for (int i = 0; i < nc; i++) printf("  %-28s %d\n", c[i].name, c[i].n);
  odai_interpreter_stats st;
  odai_interpreter_get_stats(it, &st);
  nc = 0;
  for (int i = 0; i < st.op_count; i++) {
    odai_op_info oi;
    odai_interpreter_plan_op(it, i, &oi);
    add_count(c, &nc, oi.name);
  }
  printf("ops executed per invoke (after folding/fusion/aliasing): %d\n", st.op_count);
  for (int i = 0; i < nc; i++) printf("  %-28s %d\n", c[i].name, c[i].n);
  free(c);
  printf("FLOPs per invoke: %.1f M\n", st.flops / 1e6);
  printf("weight bytes: %zu in file, %zu at run time (fp32, packed)\n", odai_model_weight_bytes(m), st.weight_bytes);
  printf("arena bytes: %zu (most bytes live at one op: %zu)\n", st.arena_bytes, st.peak_live_bytes);
  odai_interpreter_free(it);
  odai_model_free(m);
  return 0;
}

static int read_file(const char *path, void **data, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  *data = malloc(n > 0 ? (size_t)n : 1);
  int ok = *data && n >= 0 && fread(*data, 1, (size_t)n, f) == (size_t)n;
  fclose(f);
  *size = (size_t)n;
  return ok ? 0 : -1;
}

static int cmd_run(const char *path, const char **ins, int n_in, const char **outs, int n_out, int threads) {
  odai_model *m;
  odai_interpreter *it;
  odai_error err;
  if (open_all(path, threads, &m, &it)) return 1;
  int rc = 1;
  if (n_in != odai_interpreter_input_count(it) || n_out > odai_interpreter_output_count(it)) {
    fprintf(stderr, "odai-model: model has %d inputs and %d outputs; got %d --input, %d --output\n",
            odai_interpreter_input_count(it), odai_interpreter_output_count(it), n_in, n_out);
    goto done;
  }
  void *bufs[16] = {0};
  size_t sizes[16];
  for (int i = 0; i < n_in; i++) {
    if (read_file(ins[i], &bufs[i], &sizes[i])) {
      fprintf(stderr, "odai-model: cannot read %s\n", ins[i]);
      goto free_bufs;
    }
    odai_tensor_info t;
    odai_interpreter_input(it, i, &t);
    size_t per = t.rank > 0 && t.shape[0] > 0 ? t.bytes / (size_t)t.shape[0] : t.bytes;
    if (sizes[i] != t.bytes && per && sizes[i] % per == 0 && t.rank > 0) {
      int32_t shape[ODAI_TENSOR_MAX_DIMS];
      memcpy(shape, t.shape, sizeof shape);
      shape[0] = (int32_t)(sizes[i] / per);
      if (odai_interpreter_resize_input(it, i, shape, t.rank, &err) != ODAI_OK) {
        fprintf(stderr, "odai-model: %s\n", err.message);
        goto free_bufs;
      }
    }
  }
  for (int i = 0; i < n_in; i++) {
    odai_tensor_info t;
    odai_interpreter_input(it, i, &t);
    if (sizes[i] != t.bytes) {
      fprintf(stderr, "odai-model: %s has %zu bytes, input %d '%s' needs %zu (raw little-endian float32, shape ", ins[i],
              sizes[i], i, t.name, t.bytes);
      print_shape(stderr, &t);
      fprintf(stderr, ")\n");
      goto free_bufs;
    }
    memcpy(t.data, bufs[i], t.bytes);
  }
  if (odai_interpreter_invoke(it, &err) != ODAI_OK) {
    fprintf(stderr, "odai-model: invoke: %s\n", err.message);
    goto free_bufs;
  }
  rc = 0;
  for (int i = 0; i < n_out; i++) {
    odai_tensor_info t;
    odai_interpreter_output(it, i, &t);
    struct stat sb;
    bool existed = stat(outs[i], &sb) == 0;
    FILE *f = fopen(outs[i], "wb");
    bool ok = f && fwrite(t.data, 1, t.bytes, f) == t.bytes;
    int e = errno;
    if (f && fclose(f) != 0 && ok) {
      ok = false;
      e = errno;
    }
    if (!ok) {
      fprintf(stderr, "odai-model: output %d '%s': cannot write %s: %s\n", i, t.name, outs[i], strerror(e));
      /* no truncated tensor file left behind (a file this run created) */
      if (f && !existed && stat(outs[i], &sb) == 0 && S_ISREG(sb.st_mode)) unlink(outs[i]);
      rc = 1;
      continue;
    }
    fprintf(stderr, "output %d '%s' ", i, t.name);
    print_shape(stderr, &t);
    fprintf(stderr, " -> %s\n", outs[i]);
  }
free_bufs:
  for (int i = 0; i < n_in; i++) free(bufs[i]);
done:
  odai_interpreter_free(it);
  odai_model_free(m);
  return rc;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static int cmd_bench(const char *path, int threads, int runs, int profile) {
  odai_model *m;
  odai_interpreter *it;
  odai_error err;
  if (open_all(path, threads, &m, &it)) return 1;
  for (int i = 0; i < odai_interpreter_input_count(it); i++) {
    odai_tensor_info t;
    odai_interpreter_input(it, i, &t);
    if (t.dtype != ODAI_DTYPE_FLOAT32) continue;
    float *x = t.data;
    for (size_t k = 0; k < t.bytes / 4; k++) x[k] = (float)sin(0.001 * (double)k * (double)(1 + k % 7));
  }
  for (int w = 0; w < 5; w++) odai_interpreter_invoke(it, &err);
  double *ms = malloc(sizeof(double) * (size_t)runs);
  if (!ms) return 1;
  for (int r = 0; r < runs; r++) {
    double t0 = now_ms();
    odai_interpreter_invoke(it, &err);
    ms[r] = now_ms() - t0;
  }
  qsort(ms, (size_t)runs, sizeof *ms, cmp_d);
  odai_interpreter_stats st;
  odai_interpreter_get_stats(it, &st);
  double med = ms[runs / 2];
  printf("%s: threads %d runs %d  median %.3f ms  p10 %.3f ms  p90 %.3f ms  min %.3f ms  (%.1f GFLOP/s at median)\n",
         path, threads, runs, med, ms[runs / 10], ms[(runs * 9) / 10 < runs ? (runs * 9) / 10 : runs - 1], ms[0],
         st.flops / (med * 1e6));
  free(ms);
  if (profile) { /* per-op totals over `runs` timed invokes, biggest first */
    double *acc = calloc((size_t)st.op_count + 1, sizeof *acc), *one = calloc((size_t)st.op_count + 1, sizeof *one);
    int *order = calloc((size_t)st.op_count + 1, sizeof *order);
    /* per op: the fastest of the runs (robust against other load on the machine) */
    for (int r = 0; r < runs; r++) {
      odai_interpreter_invoke_timed(it, one, &err);
      for (int i = 0; i < st.op_count; i++) acc[i] = r == 0 || one[i] < acc[i] ? one[i] : acc[i];
    }
    for (int i = 0; i < st.op_count; i++) acc[i] *= runs;
    double total = 0;
    for (int i = 0; i < st.op_count; i++) {
      order[i] = i;
      total += acc[i];
    }
    for (int i = 1; i < st.op_count; i++) /* insertion sort by time */
      for (int j = i; j > 0 && acc[order[j]] > acc[order[j - 1]]; j--) {
        int t = order[j];
        order[j] = order[j - 1];
        order[j - 1] = t;
      }
    printf("per-op profile (fastest of %d runs per op, sum %.3f ms):\n", runs, total / runs);
    for (int k = 0; k < st.op_count; k++) {
      int i = order[k];
      odai_op_info oi;
      odai_interpreter_plan_op(it, i, &oi);
      odai_tensor_info y;
      odai_interpreter_tensor(it, oi.outputs[0], &y);
      printf("  %7.4f ms %5.1f%%  #%-4d %-20s %-6s ", acc[i] / runs, 100 * acc[i] / total, oi.model_index, oi.name,
             oi.fused);
      print_shape(stdout, &y);
      printf("  %.2f MFLOP  %.1f GFLOP/s\n", oi.flops / 1e6, acc[i] > 0 ? oi.flops * runs / (acc[i] * 1e6) : 0);
    }
    free(acc);
    free(one);
    free(order);
  }
  odai_interpreter_free(it);
  odai_model_free(m);
  return 0;
}

static int cmd_dot(const char *path) {
  odai_model *m;
  odai_interpreter *it;
  if (open_all(path, 1, &m, &it)) return 1;
  int nt = odai_model_tensor_count(m) * 2 + 16;
  int *producer = malloc(sizeof(int) * (size_t)nt);
  for (int i = 0; i < nt; i++) producer[i] = -1;
  odai_interpreter_stats st;
  odai_interpreter_get_stats(it, &st);
  printf("digraph model {\n  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n");
  for (int i = 0; i < odai_interpreter_input_count(it); i++) {
    odai_tensor_info t;
    odai_interpreter_input(it, i, &t);
    printf("  in%d [shape=ellipse, label=\"input %d\\n%s\"];\n", i, i, t.name);
  }
  for (int i = 0; i < st.op_count; i++) {
    odai_op_info oi;
    odai_interpreter_plan_op(it, i, &oi);
    odai_tensor_info y;
    odai_interpreter_tensor(it, oi.outputs[0], &y);
    printf("  op%d [label=\"#%d %s%s%s\\n", i, oi.model_index, oi.name, oi.fused[0] ? " + " : "", oi.fused);
    print_shape(stdout, &y);
    printf("\"];\n");
    for (int k = 0; k < oi.n_inputs; k++) {
      int t = oi.inputs[k];
      if (t < 0) continue;
      odai_tensor_info ti;
      if (odai_interpreter_tensor(it, t, &ti) != ODAI_OK || ti.is_constant) continue;
      /* follow aliases (RESHAPE) back to a producer by data pointer */
      int src = t < nt ? producer[t] : -1;
      if (src < 0) {
        for (int j = 0; j < odai_interpreter_input_count(it); j++) {
          odai_tensor_info gi;
          odai_interpreter_input(it, j, &gi);
          if (gi.data == ti.data) printf("  in%d -> op%d;\n", j, i);
        }
        for (int j = 0; j < i; j++) {
          odai_op_info pj;
          odai_interpreter_plan_op(it, j, &pj);
          odai_tensor_info pt;
          odai_interpreter_tensor(it, pj.outputs[0], &pt);
          if (pt.data == ti.data && pt.bytes == ti.bytes) src = j;
        }
        if (src < 0) continue;
      }
      printf("  op%d -> op%d;\n", src, i);
    }
    for (int k = 0; k < oi.n_outputs; k++)
      if (oi.outputs[k] < nt) producer[oi.outputs[k]] = i;
  }
  for (int i = 0; i < odai_interpreter_output_count(it); i++) {
    odai_tensor_info t;
    odai_interpreter_output(it, i, &t);
    printf("  out%d [shape=ellipse, label=\"output %d\\n%s\"];\n", i, i, t.name);
    for (int j = st.op_count - 1; j >= 0; j--) {
      odai_op_info pj;
      odai_interpreter_plan_op(it, j, &pj);
      odai_tensor_info pt;
      odai_interpreter_tensor(it, pj.outputs[0], &pt);
      if (pt.data == t.data) {
        printf("  op%d -> out%d;\n", j, i);
        break;
      }
    }
  }
  printf("}\n");
  free(producer);
  odai_interpreter_free(it);
  odai_model_free(m);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    usage();
    return 2;
  }
  signal(SIGXFSZ, SIG_IGN); /* ulimit -f: a write error (EFBIG) with a message, not a kill */
  const char *cmd = argv[1], *path = argv[2];
  const char *ins[16], *outs[16];
  int n_in = 0, n_out = 0, threads = 1, runs = 50, profile = 0;
  for (int i = 3; i < argc; i++) {
    if (strcmp(argv[i], "--profile") == 0) {
      profile = 1;
      continue;
    }
    if (i + 1 >= argc) {
      usage();
      return 2;
    }
    if (strcmp(argv[i], "--input") == 0 && n_in < 16) ins[n_in++] = argv[++i];
    else if (strcmp(argv[i], "--output") == 0 && n_out < 16) outs[n_out++] = argv[++i];
    else if (strcmp(argv[i], "--threads") == 0) threads = atoi(argv[++i]);
    else if (strcmp(argv[i], "--runs") == 0) runs = atoi(argv[++i]);
    else {
      usage();
      return 2;
    }
  }
  if (threads < 1 || runs < 1) {
    usage();
    return 2;
  }
  if (strcmp(cmd, "info") == 0) return cmd_info(path);
  if (strcmp(cmd, "run") == 0) return cmd_run(path, ins, n_in, outs, n_out, threads);
  if (strcmp(cmd, "bench") == 0) return cmd_bench(path, threads, runs, profile);
  if (strcmp(cmd, "dot") == 0) return cmd_dot(path);
  usage();
  return 2;
}
