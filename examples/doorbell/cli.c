/* examples/doorbell/cli.c: parsing odai-doorbell's options (getopt_long). */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

void db_cli_usage(FILE *f) {
  fputs("usage: odai-doorbell --input SOURCE --gallery GALLERY [options]\n"
        "  --input SOURCE      /dev/videoN, a video file, an rtsp:// or http:// URL,\n"
        "                      a GStreamer pipeline (... ! appsink name=sink) or an image folder\n"
        "  --gallery FILE      the face gallery (odai-faces create/enroll)\n"
        "  --events FILE       append events (JSON lines) to FILE (default: standard output)\n"
        "  --snapshots DIR     best face view of each visit (JPEG, 0600 in a 0700 folder)\n"
        "  --clips DIR         one MP4 clip per visit with a 3 s pre-roll\n"
        "  --preview           show the live frame with boxes, names and the visit state\n"
        "  --mqtt HOST:PORT    publish events to an MQTT broker (odai/doorbell/<id>/...)\n"
        "  --id NAME           device id in MQTT topics (default: the host name)\n"
        "  --on-event COMMAND  run COMMAND (sh -c) for each event, the JSON on standard input\n"
        "  --hook-timeout MS   kill a hook still running after MS ms (default 10000)\n"
        "  --config FILE       run this graph instead of the built-in configs/doorbell.pbtxt\n"
        "  --retain-days N     delete snapshots and clips older than N days\n"
        "  --blur-unknown      pixelate faces not in the gallery in snapshots and clips\n"
        "  --threads N         scheduler threads (default: one per core)\n"
        "  --help\n",
        f);
}

static bool parse_int(const char *s, int lo, int hi, int *out) {
  char *end;
  long v = strtol(s, &end, 10);
  if (!*s || *end || v < lo || v > hi) return false;
  *out = (int)v;
  return true;
}

int db_cli_parse(int argc, char **argv, db_cli *o, FILE *err) {
  static const struct option opts[] = {
      {"input", required_argument, 0, 'i'},    {"gallery", required_argument, 0, 'g'},
      {"events", required_argument, 0, 'e'},   {"snapshots", required_argument, 0, 's'},
      {"clips", required_argument, 0, 'c'},    {"mqtt", required_argument, 0, 'm'},
      {"on-event", required_argument, 0, 'o'}, {"config", required_argument, 0, 'C'},
      {"id", required_argument, 0, 'I'},       {"preview", no_argument, 0, 'p'},
      {"blur-unknown", no_argument, 0, 'b'},   {"retain-days", required_argument, 0, 'r'},
      {"threads", required_argument, 0, 't'},  {"hook-timeout", required_argument, 0, 'T'},
      {"help", no_argument, 0, 'h'},           {0, 0, 0, 0}};
  memset(o, 0, sizeof *o);
  o->hook_timeout_ms = 10000;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
    switch (c) {
      case 'i': o->input = optarg; break;
      case 'g': o->gallery = optarg; break;
      case 'e': o->events = optarg; break;
      case 's': o->snapshots = optarg; break;
      case 'c': o->clips = optarg; break;
      case 'm': o->mqtt = optarg; break;
      case 'o': o->on_event = optarg; break;
      case 'C': o->config = optarg; break;
      case 'I': o->id = optarg; break;
      case 'p': o->preview = true; break;
      case 'b': o->blur_unknown = true; break;
      case 'r':
        if (!parse_int(optarg, 1, 36500, &o->retain_days)) {
          fprintf(err, "odai-doorbell: --retain-days %s: expected 1..36500\n", optarg);
          return -1;
        }
        break;
      case 't':
        if (!parse_int(optarg, 1, 256, &o->threads)) {
          fprintf(err, "odai-doorbell: --threads %s: expected 1..256\n", optarg);
          return -1;
        }
        break;
      case 'T':
        if (!parse_int(optarg, 10, 3600000, &o->hook_timeout_ms)) {
          fprintf(err, "odai-doorbell: --hook-timeout %s: expected 10..3600000\n", optarg);
          return -1;
        }
        break;
      case 'h': db_cli_usage(stdout); return 1;
      case ':':
        fprintf(err, "odai-doorbell: %s needs a value\n", argv[optind - 1]);
        return -1;
      default:
        fprintf(err, "odai-doorbell: unknown option '%s' (see --help)\n", argv[optind - 1]);
        return -1;
    }
  }
  if (optind < argc) {
    fprintf(err, "odai-doorbell: unexpected argument '%s'\n", argv[optind]);
    return -1;
  }
  if (!o->input || !o->gallery) {
    fprintf(err, "odai-doorbell: --input and --gallery are required (see --help)\n");
    return -1;
  }
  return 0;
}
