/* examples/doorbell/cli.h: odai-doorbell's command line. */
#ifndef ODAI_DOORBELL_CLI_H
#define ODAI_DOORBELL_CLI_H

#include <stdbool.h>
#include <stdio.h>

typedef struct db_cli {
  const char *input;     /* --input SOURCE (required) */
  const char *gallery;   /* --gallery FILE (required) */
  const char *events;    /* --events FILE (NULL: standard output) */
  const char *snapshots; /* --snapshots DIR */
  const char *clips;     /* --clips DIR */
  const char *mqtt;      /* --mqtt HOST:PORT */
  const char *on_event;  /* --on-event COMMAND */
  const char *config;    /* --config FILE (NULL: the built-in configs/doorbell.pbtxt) */
  const char *id;        /* --id NAME: the MQTT device id (default: the host name) */
  bool preview;          /* --preview */
  bool blur_unknown;     /* --blur-unknown */
  int retain_days;       /* --retain-days N (0: keep everything) */
  int threads;           /* --threads N (0: one per core) */
  int hook_timeout_ms;   /* --hook-timeout MS (default 10000) */
} db_cli;

/* 0: run; 1: --help printed (exit 0); -1: error printed to `err` (exit 2). */
int db_cli_parse(int argc, char **argv, db_cli *o, FILE *err);
void db_cli_usage(FILE *f);

#endif
