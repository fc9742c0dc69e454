/* examples/odai-run/main.c: odai-run, run any graph config until done.
 * The flag handling and run loop live in run_tool.c for reuse. */
#include <stdio.h>

#include "run_tool.h"

int main(int argc, char **argv) {
  odai_run_args a;
  odai_error err = {0};
  if (odai_run_parse_args(argc, argv, &a, &err)) {
    fprintf(stderr, "odai-run: %s\n", err.message);
    odai_run_usage(stderr, "odai-run");
    return 2;
  }
  if (a.help) {
    odai_run_usage(stdout, "odai-run");
    return 0;
  }
  if (a.list) {
    odai_run_list_calculators(stdout);
    return 0;
  }
  if (a.config && odai_run_is_desktop(&a)) return odai_run_desktop(&a);
  if (!a.config || a.n_extra) {
    if (a.n_extra) fprintf(stderr, "odai-run: unknown option '--%s'\n", a.extra[0].name);
    odai_run_usage(stderr, "odai-run");
    return 2;
  }
  return odai_run_main(&a);
}
