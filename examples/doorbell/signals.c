/* examples/doorbell/signals.c: odai-doorbell's signal handling (signals.h). */
#include "signals.h"

#include <signal.h>
#include <stdatomic.h>
#include <string.h>

/* lock-free, so safe in a handler; read by the capture and graph threads */
static atomic_int g_stop;

static void on_signal(int sig) { atomic_store(&g_stop, sig); }

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

bool db_stop_requested(void) { return atomic_load(&g_stop) != 0; }
int db_stop_signal(void) {
  int s = atomic_load(&g_stop);
  return s > 0 ? s : 0;
}
void db_request_stop(void) { atomic_store(&g_stop, -1); }
void db_stop_reset(void) { atomic_store(&g_stop, 0); }
