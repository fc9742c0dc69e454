/* task_runner.h (internal): the engine shared by every task object. It
 * builds a task's graph from its built-in config text (with option values
 * substituted), feeds frames into the graph input "image" through the
 * public graph API and hands back the output packet of each frame:
 * IMAGE/VIDEO modes block until the frame's output is there; LIVE_STREAM
 * admits at most max_in_flight frames (FlowLimiter-style: further frames
 * are dropped and counted) and delivers outputs through a callback on the
 * scheduler thread that produced them. */
#ifndef ODAI_TASKS_TASK_RUNNER_H
#define ODAI_TASKS_TASK_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "odai/common.h"
#include "odai/image.h"
#include "odai/packet.h"
#include "odai/task.h"

/* Built-in task configs (generated from the .pbtxt files in tasks/configs). */
const char *odai_task_builtin_config(const char *file_name, size_t *len);

/* One "key: value" replacement in a config text. The key must occur once
 * (as a whole word followed by ':'); value replaces the token after it
 * (a quoted string or a bare word). */
typedef struct odai_task_subst {
  const char *key;
  char value[1100];
} odai_task_subst;

/* Apply substitutions to text (transfer full into *out, free()). */
odai_status odai_task_config_apply(const char *text, const odai_task_subst *subs, size_t n,
                                   char **out, odai_error *err);

/* Fill subs[*n] with key and a formatted value; quoted strings are checked
 * for characters a config string cannot hold. */
odai_status odai_task_subst_string(odai_task_subst *s, const char *key, const char *value,
                                   odai_error *err);
void odai_task_subst_float(odai_task_subst *s, const char *key, float v);
void odai_task_subst_int(odai_task_subst *s, const char *key, long v);

/* Resolve a model path (NULL = def) into out; errors name the fetch script. */
odai_status odai_task_resolve_model(const char *path, const char *def, char *out, size_t n,
                                    odai_error *err);

/* Check an input image's format: ODAI_E_UNSUPPORTED naming the accepted
 * formats otherwise. */
odai_status odai_task_check_image(const char *task, const odai_image *img, odai_error *err);

#define ODAI_TASK_MAX_OUTPUTS 4

/* LIVE_STREAM delivery: pkts[i] (transfer none) is output i at ts, NULL when
 * the graph produced none; image is the frame (transfer none). */
typedef void (*odai_task_deliver_fn)(void *user, odai_status status,
                                     const odai_packet *const *pkts, const odai_image *image,
                                     int64_t ts);

typedef struct odai_task_runner_config {
  const char *task_name;   /* "face_detector": error prefixes */
  const char *config_text; /* NUL-terminated */
  /* Streams whose packets make the result (output_stream = outputs[0] when
   * n_outputs is 0). With the observer-driven LIVE_STREAM path, outputs[0]
   * must have a packet for every frame. */
  const char *output_stream;
  const char *outputs[ODAI_TASK_MAX_OUTPUTS];
  int n_outputs;
  /* Optional second graph input fed with a string per frame: "frame-<ts>"
   * in IMAGE mode (each image a scene of its own), "video" otherwise. */
  const char *frame_name_stream;
  /* Optional string side packets (NULL-terminated name, value pairs). */
  const char *const *side_packets;
  int num_threads;
  odai_running_mode mode;
  int max_in_flight; /* LIVE_STREAM; <= 0: num_threads */
  /* LIVE_STREAM through a task thread that runs one frame at a time as in
   * VIDEO mode (for graphs that may give no output for a frame); the
   * callback then runs on that thread. */
  bool live_worker;
  odai_task_deliver_fn deliver;
  void *deliver_user;
} odai_task_runner_config;

typedef struct odai_task_runner odai_task_runner;

odai_status odai_task_runner_create(const odai_task_runner_config *c, odai_task_runner **out,
                                    odai_error *err);
/* IMAGE (ts ignored: the runner numbers frames) and VIDEO modes: feed the
 * frame, wait, and return the output packets at its timestamp (out[0..n
 * outputs), transfer full; NULL when the graph produced none). *ts_out =
 * the timestamp used. */
odai_status odai_task_runner_process(odai_task_runner *r, odai_running_mode mode, odai_image *img,
                                     int64_t ts, odai_packet **out, int64_t *ts_out,
                                     odai_error *err);
/* LIVE_STREAM: admit or drop the frame. */
odai_status odai_task_runner_send(odai_task_runner *r, odai_image *img, int64_t ts,
                                  odai_error *err);
odai_task_stats odai_task_runner_stats(const odai_task_runner *r);
/* Drain (LIVE_STREAM outputs are delivered), stop and free (NULL-safe). */
void odai_task_runner_destroy(odai_task_runner *r);

#endif /* ODAI_TASKS_TASK_RUNNER_H */
