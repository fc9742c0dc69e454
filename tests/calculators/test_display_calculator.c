/* tests/calculators/test_display_calculator.c: SdlDisplayCalculator in a
 * running graph (SDL's dummy video driver): frames flow to the window, and
 * closing the window (SDL_QUIT, as the window manager's close button sends)
 * ends an endless stream with ODAI_E_CANCELLED and a clear message, with
 * every node closed and nothing leaked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <SDL.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "odai/graph.h"
#include "odai/packet_types.h"

static int frames_seen;

static odai_status count_frames(void *user, const odai_packet *p) {
  (void)user;
  (void)p;
  __atomic_add_fetch(&frames_seen, 1, __ATOMIC_SEQ_CST);
  return ODAI_OK;
}

static void test_window_close_ends_graph(void **state) {
  (void)state;
  const char *text =
      "output_stream: 'v'\n"
      "node { calculator: 'VideoSourceCalculator' output_stream: 'VIDEO:v'\n"
      "  options { path: 'videotestsrc ! video/x-raw,width=64,height=48 ! videoconvert ! appsink name=sink' } }\n"
      "node { calculator: 'SdlDisplayCalculator' input_stream: 'VIDEO:v' options { title: 'test' } }\n";
  odai_graph *g = NULL;
  odai_error e;
  assert_int_equal(odai_graph_create(text, strlen(text), "display-test", &g, &e), ODAI_OK);
  assert_int_equal(odai_graph_observe_output(g, "v", count_frames, NULL), ODAI_OK);
  assert_int_equal(odai_graph_start(g, &e), ODAI_OK);
  /* let some frames reach the window, then close it */
  for (int i = 0; i < 200 && __atomic_load_n(&frames_seen, __ATOMIC_SEQ_CST) < 10; i++) {
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  assert_true(__atomic_load_n(&frames_seen, __ATOMIC_SEQ_CST) >= 10);
  SDL_Event quit;
  memset(&quit, 0, sizeof quit);
  quit.type = SDL_QUIT;
  assert_int_equal(SDL_PushEvent(&quit), 1);
  odai_status s = odai_graph_wait_until_done(g, &e);
  assert_int_equal(s, ODAI_E_CANCELLED);
  assert_non_null(strstr(e.message, "preview window closed"));
  assert_non_null(strstr(e.message, "SdlDisplayCalculator"));
  odai_graph_destroy(g);
}

int main(void) {
  setenv("SDL_VIDEODRIVER", "dummy", 1);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_window_close_ends_graph),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
