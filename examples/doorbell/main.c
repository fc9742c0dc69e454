/* examples/doorbell/main.c: odai-doorbell, the smart doorbell: who is at the
 * door, known by name, unknown, or nobody, entirely on the device. The work
 * is in app.c (graph + capture), events.c, hook.c, mqtt.c, retention.c and
 * the calculators of calculators/doorbell/; docs/doorbell.md explains it. */
#include <stdio.h>
#include <sys/stat.h>

#include "app.h"
#include "cli.h"
#include "signals.h"

int main(int argc, char **argv) {
  db_cli cli;
  int r = db_cli_parse(argc, argv, &cli, stderr);
  if (r) return r > 0 ? 0 : 2;
  umask(077); /* snapshots, clips and the events file are private */
  db_signals_install();
  return db_app_run(&cli);
}
