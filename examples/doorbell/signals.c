/* examples/doorbell/signals.c: odai-doorbell's signal handling (signals.h). */
#include "signals.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t g_stop;

static void on_signal(int sig) { g_stop = sig; }

void db_signals_install(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGXFSZ, SIG_IGN); /* a file-size limit fails the write (EFBIG), it does not kill us */
}

bool db_stop_requested(void) { return g_stop != 0; }
int db_stop_signal(void) { return g_stop > 0 ? (int)g_stop : 0; }
void db_request_stop(void) { g_stop = -1; }
