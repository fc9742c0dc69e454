/* tests/graph/test_sched_util.h: helpers shared by the scheduler and flow
 * calculator tests: a thread-safe collector of output packets. */
#ifndef ODAI_TEST_SCHED_UTIL_H
#define ODAI_TEST_SCHED_UTIL_H

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "odai/odai.h"

typedef struct collector {
  pthread_mutex_t mu;
  int64_t ts[20000];
  int64_t val[20000];
  int n;
  int bad_order;
} collector;

static inline void collector_init(collector *c) {
  memset(c, 0, sizeof *c);
  pthread_mutex_init(&c->mu, NULL);
}

static inline odai_status collector_cb(void *user, const odai_packet *p) {
  collector *c = user;
  int64_t v = -1;
  bool b;
  double d;
  if (odai_packet_get_int(p, &v) != ODAI_OK) {
    if (odai_packet_get_bool(p, &b) == ODAI_OK)
      v = b;
    else if (odai_packet_get_float(p, &d) == ODAI_OK)
      v = (int64_t)d;
  }
  pthread_mutex_lock(&c->mu);
  if (c->n && odai_packet_timestamp(p) <= c->ts[c->n - 1]) c->bad_order++;
  if (c->n < 20000) {
    c->ts[c->n] = odai_packet_timestamp(p);
    c->val[c->n] = v;
    c->n++;
  }
  pthread_mutex_unlock(&c->mu);
  return ODAI_OK;
}

static inline int collector_count(collector *c) {
  pthread_mutex_lock(&c->mu);
  int n = c->n;
  pthread_mutex_unlock(&c->mu);
  return n;
}

static inline odai_graph *make_graph(const char *text) {
  odai_graph *g = NULL;
  odai_error err = {0};
  odai_status st = odai_graph_create(text, strlen(text), "test.pbtxt", &g, &err);
  if (st) print_message("graph create failed: %s\n", err.message);
  assert_int_equal(st, ODAI_OK);
  return g;
}

#endif
