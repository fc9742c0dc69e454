/* examples/odai-run/desktop.c: MediaPipe's desktop-runner mode of odai-run.
 * A graph with `input_stream: "input_video"` (and usually
 * `output_stream: "output_video"`) is run the way MediaPipe's
 * demo_run_graph_main runs it: frames come from --input_video_path (a video
 * file or URL, /dev/videoN, an image or a directory of images) and the
 * output video goes to --output_video_path, or to a preview window when that
 * flag is absent.
 *
 * How: the user's graph becomes a subgraph (type OdaiRunDesktopGraph) of a
 * small wrapper graph: VideoSourceCalculator -> the user's graph ->
 * MediaSinkCalculator (or SdlDisplayCalculator). Every other output stream
 * and every input side packet of the user's graph is passed through, so
 * --side, --stats, --print and --trace work as for any graph. As in
 * MediaPipe, a FlowLimiterCalculator inside the graph may drop frames it
 * cannot keep up with; the source is not paced unless --realtime. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graph/config.h"
#include "run_tool.h"

/* Extra flags are "--name value" or "--name=value" (then .name still
 * holds "name=value"): compare the name part only. */
static bool flag_is(const odai_run_kv *kv, const char *name) {
  size_t n = strlen(name);
  return !strncmp(kv->name, name, n) && (kv->name[n] == '\0' || kv->name[n] == '=');
}

static const char *extra(const odai_run_args *a, const char *name) {
  for (int i = 0; i < a->n_extra; i++)
    if (flag_is(&a->extra[i], name)) return a->extra[i].value ? a->extra[i].value : "";
  return NULL;
}

static const char *strip_tag(const char *ref) {
  const char *c = strrchr(ref, ':');
  return c ? c + 1 : ref;
}

/* Append to a growing string; returns false on ENOMEM. */
typedef struct buf {
  char *s;
  size_t n, cap;
} buf;

static bool put(buf *b, const char *fmt, ...) ODAI_PRINTF(2, 3);
static bool put(buf *b, const char *fmt, ...) {
  va_list ap;
  for (;;) {
    va_start(ap, fmt);
    int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
    va_end(ap);
    if (k < 0) return false;
    if (b->s && b->n + (size_t)k < b->cap) {
      b->n += (size_t)k;
      return true;
    }
    size_t cap = (b->cap ? b->cap * 2 : 4096) + (size_t)k;
    char *s = realloc(b->s, cap);
    if (!s) return false;
    b->s = s;
    b->cap = cap;
  }
}

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  buf b = {0};
  char chunk[65536];
  size_t k;
  while ((k = fread(chunk, 1, sizeof chunk, f)) > 0) {
    if (!put(&b, "%.*s", (int)k, chunk)) {
      free(b.s);
      fclose(f);
      return NULL;
    }
  }
  fclose(f);
  *len = b.n;
  return b.s ? b.s : strdup("");
}

bool odai_run_is_desktop(const odai_run_args *a) {
  return extra(a, "input_video_path") || extra(a, "output_video_path");
}

int odai_run_desktop(const odai_run_args *a) {
  const char *in = extra(a, "input_video_path");
  const char *out = extra(a, "output_video_path");
  bool realtime = extra(a, "realtime") != NULL;
  for (int i = 0; i < a->n_extra; i++) {
    const odai_run_kv *kv = &a->extra[i];
    if (!flag_is(kv, "input_video_path") && !flag_is(kv, "output_video_path") &&
        !flag_is(kv, "realtime")) {
      fprintf(stderr, "odai-run: unknown option '--%s'\n", kv->name);
      return 2;
    }
  }
  if (!in || !*in) {
    fprintf(stderr, "odai-run: --input_video_path is required with --output_video_path\n");
    return 2;
  }
  odai_error err = {0};
  odai_graph_config *cfg = NULL;
  if (odai_config_parse_file(a->config, &cfg, &err)) {
    fprintf(stderr, "odai-run: %s\n", err.message);
    return 1;
  }
  int rc = 1;
  size_t len = 0;
  char *user = NULL;
  buf w = {0}, sub = {0};
  char wrapper_path[] = "/tmp/odai-run-desktop-XXXXXX.pbtxt";
  int fd = -1;
  bool has_in = false, has_out = false;
  for (size_t i = 0; i < cfg->n_input_streams; i++)
    has_in |= !strcmp(strip_tag(cfg->input_streams[i]), "input_video");
  for (size_t i = 0; i < cfg->n_output_streams; i++)
    has_out |= !strcmp(strip_tag(cfg->output_streams[i]), "output_video");
  if (cfg->type && cfg->type[0]) {
    fprintf(stderr, "odai-run: %s is a subgraph (type: \"%s\"); run a graph that uses it\n",
            a->config, cfg->type);
    goto done;
  }
  if (!has_in || cfg->n_input_streams != 1) {
    fprintf(stderr,
            "odai-run: --input_video_path needs a graph whose only input stream is "
            "\"input_video\" (%s has %zu input streams)\n",
            a->config, cfg->n_input_streams);
    goto done;
  }
  user = read_file(a->config, &len);
  if (!user || !put(&sub, "type: \"OdaiRunDesktopGraph\"\n%s", user)) goto nomem;
  if (odai_graph_register_subgraph(sub.s, sub.n, a->config, &err)) {
    fprintf(stderr, "odai-run: %s\n", err.message);
    goto done;
  }
  /* The wrapper graph. */
  bool ok = put(&w, "# odai-run desktop mode wrapper for %s\n", a->config);
  ok = ok && put(&w, "input_side_packet: \"odai_input_video_path\"\n");
  if (out && *out) ok = ok && put(&w, "input_side_packet: \"odai_output_video_path\"\n");
  for (size_t i = 0; i < cfg->n_input_side_packets; i++)
    ok = ok && put(&w, "input_side_packet: \"%s\"\n", strip_tag(cfg->input_side_packets[i]));
  for (size_t i = 0; i < cfg->n_output_streams; i++)
    ok = ok && put(&w, "output_stream: \"%s\"\n", strip_tag(cfg->output_streams[i]));
  if (cfg->max_queue_size) ok = ok && put(&w, "max_queue_size: %d\n", cfg->max_queue_size);
  ok = ok && put(&w,
                 "node {\n  name: \"input_video_path\"\n  calculator: \"VideoSourceCalculator\"\n"
                 "  input_side_packet: \"INPUT_VIDEO_PATH:odai_input_video_path\"\n"
                 "  output_stream: \"VIDEO:input_video\"\n"
                 "  options { realtime: %s }\n}\n",
                 realtime ? "true" : "false");
  ok = ok && put(&w, "node {\n  calculator: \"OdaiRunDesktopGraph\"\n");
  for (size_t i = 0; i < cfg->n_input_streams; i++)
    ok = ok && put(&w, "  input_stream: \"%s\"\n", cfg->input_streams[i]);
  for (size_t i = 0; i < cfg->n_output_streams; i++)
    ok = ok && put(&w, "  output_stream: \"%s\"\n", cfg->output_streams[i]);
  for (size_t i = 0; i < cfg->n_input_side_packets; i++)
    ok = ok && put(&w, "  input_side_packet: \"%s\"\n", cfg->input_side_packets[i]);
  ok = ok && put(&w, "}\n");
  if (has_out) {
    if (out && *out)
      ok = ok && put(&w,
                     "node {\n  name: \"output_video_path\"\n  calculator: \"MediaSinkCalculator\"\n"
                     "  input_stream: \"IMAGE:output_video\"\n"
                     "  input_side_packet: \"OUTPUT_VIDEO_PATH:odai_output_video_path\"\n}\n");
    else
      ok = ok && put(&w,
                     "node {\n  calculator: \"SdlDisplayCalculator\"\n"
                     "  input_stream: \"IMAGE:output_video\"\n"
                     "  options { title: \"odai-run: %s\" }\n}\n",
                     a->config);
  }
  if (!ok) goto nomem;
  fd = mkstemps(wrapper_path, 6);
  if (fd < 0 || write(fd, w.s, w.n) != (ssize_t)w.n) {
    fprintf(stderr, "odai-run: cannot write the wrapper graph %s\n", wrapper_path);
    goto done;
  }
  close(fd);
  fd = -1;
  {
    odai_run_args b = *a;
    b.config = wrapper_path;
    static char label[4200];
    snprintf(label, sizeof label, "the --input_video_path/--output_video_path wrapper around %s", a->config);
    b.config_label = label;
    b.n_extra = 0;
    if (b.n_sides + 2 > ODAI_RUN_MAX_SIDES) goto done;
    /* run_tool's --side entries are "NAME=VALUE" with value after '=' */
    static char kv_in[4200], kv_out[4200];
    int ki = snprintf(kv_in, sizeof kv_in, "odai_input_video_path=string:%s", in);
    int ko = snprintf(kv_out, sizeof kv_out, "odai_output_video_path=string:%s", out ? out : "");
    if (ki >= (int)sizeof kv_in || ko >= (int)sizeof kv_out) {
      fprintf(stderr, "odai-run: path too long\n");
      goto done;
    }
    b.sides[b.n_sides++] = (odai_run_kv){kv_in, kv_in + strlen("odai_input_video_path=")};
    if (out && *out)
      b.sides[b.n_sides++] = (odai_run_kv){kv_out, kv_out + strlen("odai_output_video_path=")};
    rc = odai_run_main(&b);
    if (rc == 0 && out && *out) fprintf(stderr, "odai-run: wrote %s\n", out);
  }
  goto done;
nomem:
  fprintf(stderr, "odai-run: out of memory\n");
done:
  if (fd >= 0) close(fd);
  unlink(wrapper_path);
  free(user);
  free(w.s);
  free(sub.s);
  odai_config_free(cfg);
  return rc;
}
