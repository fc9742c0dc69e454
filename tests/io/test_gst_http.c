/* tests/io/test_gst_http.c: odai_video_source on http:// URIs, served by a
 * tiny HTTP/1.1 server thread on 127.0.0.1 (no network needed): a Matroska
 * file written by odai_video_sink is read back over HTTP (souphttpsrc via
 * uridecodebin), and a 404 comes back as ODAI_E_NOT_FOUND naming the element. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io/gst_internal.h"
#include "odai/video.h"

typedef struct server {
  int listen_fd;
  int port;
  const uint8_t *body;
  size_t size;
  volatile int stop;
  pthread_t thread;
} server;

static void send_all(int fd, const void *p, size_t n) {
  const char *c = p;
  while (n > 0) {
    ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
    if (w <= 0) return;
    c += w;
    n -= (size_t)w;
  }
}

static void *serve(void *arg) {
  server *s = arg;
  while (!s->stop) {
    int c = accept(s->listen_fd, NULL, NULL);
    if (c < 0) continue;
    char req[4096];
    size_t got = 0;
    while (got < sizeof req - 1) { /* read the request head */
      ssize_t r = recv(c, req + got, sizeof req - 1 - got, 0);
      if (r <= 0) break;
      got += (size_t)r;
      req[got] = 0;
      if (strstr(req, "\r\n\r\n")) break;
    }
    req[got] = 0;
    char head[256];
    if (strncmp(req, "GET /video.mkv ", 15) == 0) {
      int n = snprintf(head, sizeof head,
                       "HTTP/1.1 200 OK\r\nContent-Type: video/x-matroska\r\nContent-Length: %zu\r\n"
                       "Connection: close\r\n\r\n", s->size);
      send_all(c, head, (size_t)n);
      send_all(c, s->body, s->size);
    } else {
      const char *nf = "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found";
      send_all(c, nf, strlen(nf));
    }
    shutdown(c, SHUT_WR);
    close(c);
  }
  return NULL;
}

static void server_start(server *s) {
  s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(s->listen_fd >= 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&a, sizeof a), 0);
  socklen_t len = sizeof a;
  assert_int_equal(getsockname(s->listen_fd, (struct sockaddr *)&a, &len), 0);
  s->port = ntohs(a.sin_port);
  assert_int_equal(listen(s->listen_fd, 8), 0);
  assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void server_stop(server *s) {
  s->stop = 1;
  shutdown(s->listen_fd, SHUT_RDWR); /* wakes accept() */
  close(s->listen_fd);
  pthread_join(s->thread, NULL);
}

static uint8_t *make_mkv(size_t *size, int frames) {
  char path[128];
  snprintf(path, sizeof path, "/tmp/odai-gst-http-%d.mkv", (int)getpid());
  odai_video_sink *sink = NULL;
  odai_error err = {0};
  assert_int_equal(odai_video_sink_open(path, NULL, &sink, &err), ODAI_OK);
  for (int i = 0; i < frames; i++) {
    odai_image *img = NULL;
    assert_int_equal(odai_image_new_zeroed(96, 64, ODAI_PIXEL_RGB8, &img), ODAI_OK);
    assert_int_equal(odai_video_sink_write(sink, img, -1, &err), ODAI_OK);
    odai_image_unref(img);
  }
  assert_int_equal(odai_video_sink_finish(sink, 20000, &err), ODAI_OK);
  odai_video_sink_close(sink);
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *buf = malloc((size_t)n);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  unlink(path);
  *size = (size_t)n;
  return buf;
}

static void test_gst_http_source(void **state) {
  (void)state;
  server s = {0};
  s.body = make_mkv(&s.size, 15);
  server_start(&s);
  char uri[128];
  snprintf(uri, sizeof uri, "http://127.0.0.1:%d/video.mkv", s.port);
  odai_video_source *v = NULL;
  odai_error err = {0};
  if (odai_video_source_open(uri, NULL, &v, &err) != ODAI_OK) fail_msg("open %s: %s", uri, err.message);
  int n = 0;
  odai_image *img = NULL;
  odai_status st;
  while ((st = odai_video_source_read(v, 10000, &img, NULL, &err)) == ODAI_OK) {
    assert_int_equal(odai_image_width(img), 96);
    assert_int_equal(odai_image_height(img), 64);
    odai_image_unref(img);
    n++;
  }
  if (st != ODAI_E_EOF) fail_msg("read: %s", err.message);
  assert_int_equal(n, 15);
  odai_video_source_close(v);

  snprintf(uri, sizeof uri, "http://127.0.0.1:%d/missing.mkv", s.port);
  st = odai_video_source_open(uri, NULL, &v, &err);
  assert_int_equal(st, ODAI_E_NOT_FOUND);
  assert_non_null(strstr(err.message, "element 'source'"));
  assert_non_null(strstr(err.message, "missing.mkv"));
  server_stop(&s);
  free((void *)s.body);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_gst_http_source)};
  int r = cmocka_run_group_tests(tests, NULL, NULL);
  odai_gst_shutdown();
  return r;
}
