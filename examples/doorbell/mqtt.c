/* examples/doorbell/mqtt.c: MQTT publishing of doorbell events (mqtt.h)
 * with libmosquitto's threaded loop, a retained availability topic and a
 * last will. */
#include "mqtt.h"

#ifdef ODAI_DOORBELL_NO_MQTT
/* Built without libmosquitto: --mqtt is refused. */
odai_status db_mqtt_start(const char *host_port, const char *id, db_mqtt **out, odai_error *err) {
  (void)host_port;
  (void)id;
  *out = NULL;
  return odai_error_set(err, ODAI_E_UNSUPPORTED, "--mqtt: odai-doorbell was built without libmosquitto");
}
void db_mqtt_publish_event(db_mqtt *m, const char *json) {
  (void)m;
  (void)json;
}
void db_mqtt_stop(db_mqtt *m) { (void)m; }
const char *db_mqtt_prefix(const db_mqtt *m) {
  (void)m;
  return "";
}
#else
#include <mosquitto.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct db_mqtt {
  struct mosquitto *m;
  char prefix[256];
  char topic_avail[300];
};

static void on_connect(struct mosquitto *m, void *obj, int rc) {
  db_mqtt *q = obj;
  if (rc == 0)
    mosquitto_publish(m, NULL, q->topic_avail, 6, "online", 1, true);
}

/* The value of "type" in an event line (buf gets at most cap bytes). */
static void event_type(const char *json, char *buf, size_t cap) {
  buf[0] = 0;
  const char *p = strstr(json, "\"type\":\"");
  if (!p) return;
  p += 8;
  size_t n = 0;
  while (p[n] && p[n] != '"' && n + 1 < cap) {
    char c = p[n];
    buf[n] = (c == '/' || c == '+' || c == '#') ? '_' : c;
    n++;
  }
  buf[n] = 0;
}

odai_status db_mqtt_start(const char *host_port, const char *id, db_mqtt **out, odai_error *err) {
  *out = NULL;
  char host[256];
  int port = 1883;
  snprintf(host, sizeof host, "%s", host_port);
  char *colon = strrchr(host, ':');
  if (colon) {
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || p < 1 || p > 65535)
      return odai_error_set(err, ODAI_E_INVALID, "--mqtt %s: expected HOST:PORT", host_port);
    port = (int)p;
    *colon = 0;
  }
  if (!host[0]) return odai_error_set(err, ODAI_E_INVALID, "--mqtt %s: no host", host_port);
  db_mqtt *q = calloc(1, sizeof *q);
  if (!q) return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  char hn[128] = "doorbell";
  if (!id || !id[0]) {
    if (gethostname(hn, sizeof hn) != 0 || !hn[0]) snprintf(hn, sizeof hn, "doorbell");
    hn[sizeof hn - 1] = 0;
    id = hn;
  }
  snprintf(q->prefix, sizeof q->prefix, "odai/doorbell/%s", id);
  snprintf(q->topic_avail, sizeof q->topic_avail, "%s/availability", q->prefix);
  mosquitto_lib_init();
  char client_id[64];
  snprintf(client_id, sizeof client_id, "odai-doorbell-%ld", (long)getpid());
  q->m = mosquitto_new(client_id, true, q);
  if (!q->m) {
    free(q);
    mosquitto_lib_cleanup();
    return odai_error_set(err, ODAI_E_NOMEM, "mosquitto_new failed");
  }
  mosquitto_connect_callback_set(q->m, on_connect);
  mosquitto_will_set(q->m, q->topic_avail, 7, "offline", 1, true);
  mosquitto_reconnect_delay_set(q->m, 1, 30, true);
  int rc = mosquitto_loop_start(q->m);
  if (rc == MOSQ_ERR_SUCCESS) {
    /* a broker not up yet is fine: the loop keeps reconnecting */
    int crc = mosquitto_connect_async(q->m, host, port, 30);
    if (crc != MOSQ_ERR_SUCCESS && crc != MOSQ_ERR_ERRNO)
      fprintf(stderr, "odai-doorbell: mqtt %s:%d: %s (retrying)\n", host, port, mosquitto_strerror(crc));
  }
  if (rc != MOSQ_ERR_SUCCESS) {
    mosquitto_destroy(q->m);
    free(q);
    mosquitto_lib_cleanup();
    return odai_error_set(err, ODAI_E_IO, "mqtt: %s", mosquitto_strerror(rc));
  }
  *out = q;
  return ODAI_OK;
}

void db_mqtt_publish_event(db_mqtt *q, const char *json) {
  char type[64], topic[400];
  int len = (int)strlen(json);
  snprintf(topic, sizeof topic, "%s/event", q->prefix);
  mosquitto_publish(q->m, NULL, topic, len, json, 1, false);
  event_type(json, type, sizeof type);
  if (type[0]) {
    snprintf(topic, sizeof topic, "%s/event/%s", q->prefix, type);
    mosquitto_publish(q->m, NULL, topic, len, json, 1, false);
    if (!strcmp(type, "identified") || !strcmp(type, "unknown_visitor")) {
      snprintf(topic, sizeof topic, "%s/visitor", q->prefix);
      mosquitto_publish(q->m, NULL, topic, len, json, 1, true);
    }
  }
}

const char *db_mqtt_prefix(const db_mqtt *q) { return q->prefix; }

void db_mqtt_stop(db_mqtt *q) {
  if (!q) return;
  int mid = 0;
  if (mosquitto_publish(q->m, &mid, q->topic_avail, 7, "offline", 1, true) == MOSQ_ERR_SUCCESS) {
    /* give the network thread a moment to send it */
    struct timespec ts = {0, 100 * 1000000};
    nanosleep(&ts, NULL);
  }
  mosquitto_disconnect(q->m);
  mosquitto_loop_stop(q->m, false);
  mosquitto_destroy(q->m);
  mosquitto_lib_cleanup();
  free(q);
}
#endif
