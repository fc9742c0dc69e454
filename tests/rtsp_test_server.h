/* tests/rtsp_test_server.h: an RTSP server inside a test process, for the
 * rtsp:// tests of io/ (test_gst_rtsp.c) and of the doorbell
 * (test_doorbell_rtsp.c): GstRTSPServer on 127.0.0.1 serving one mount from
 * a gst-rtsp-server launch line, its GMainLoop on its own thread and
 * context. Header-only (static inline functions); needs cmocka and
 * gstreamer-rtsp-server-1.0. */
#ifndef ODAI_TESTS_RTSP_TEST_SERVER_H
#define ODAI_TESTS_RTSP_TEST_SERVER_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <gst/rtsp-server/rtsp-server.h>

#include "io/gst_internal.h"

typedef struct rtsp_test_server {
  GMainContext *ctx;
  GMainLoop *loop;
  GstRTSPServer *server;
  GstRTSPMediaFactory *factory; /* our reference: the mount can be re-added */
  const char *mount;
  guint source_id;
  GThread *thread;
  int port;
} rtsp_test_server;

static inline gpointer rtsp_test_server_loop(gpointer user) {
  rtsp_test_server *s = user;
  g_main_context_push_thread_default(s->ctx);
  g_main_loop_run(s->loop);
  g_main_context_pop_thread_default(s->ctx);
  return NULL;
}

/* Serve `launch` (e.g. "( videotestsrc ! jpegenc ! rtpjpegpay name=pay0 pt=26 )",
 * each client getting its own media) at `mount` (a string literal) on
 * 127.0.0.1:port (0: a free port; s->port says which); over TCP only when
 * tcp_only. */
static inline void rtsp_test_server_start(rtsp_test_server *s, const char *launch, const char *mount,
                                   bool tcp_only, int port) {
  odai_error err = {0};
  assert_int_equal(odai_gst_init(&err), ODAI_OK);
  memset(s, 0, sizeof *s);
  s->mount = mount;
  s->ctx = g_main_context_new();
  s->loop = g_main_loop_new(s->ctx, FALSE);
  s->server = gst_rtsp_server_new();
  char service[16];
  snprintf(service, sizeof service, "%d", port);
  g_object_set(s->server, "address", "127.0.0.1", "service", service, NULL);
  s->factory = gst_rtsp_media_factory_new();
  gst_rtsp_media_factory_set_launch(s->factory, launch);
  gst_rtsp_media_factory_set_shared(s->factory, FALSE);
  if (tcp_only) gst_rtsp_media_factory_set_protocols(s->factory, GST_RTSP_LOWER_TRANS_TCP);
  GstRTSPMountPoints *mounts = gst_rtsp_server_get_mount_points(s->server);
  gst_rtsp_mount_points_add_factory(mounts, mount, g_object_ref(s->factory));
  g_object_unref(mounts);
  s->source_id = gst_rtsp_server_attach(s->server, s->ctx);
  assert_true(s->source_id != 0);
  s->port = gst_rtsp_server_get_bound_port(s->server);
  assert_true(s->port > 0 && (port == 0 || s->port == port));
  s->thread = g_thread_new("rtsp-server", rtsp_test_server_loop, s);
}

static inline GstRTSPFilterResult rtsp_test_server_drop(GstRTSPServer *server, GstRTSPClient *client,
                                                 gpointer user) {
  (void)server;
  (void)client;
  (void)user;
  return GST_RTSP_FILTER_REMOVE;
}

/* Close every client connection (over TCP their streams end at once). */
static inline void rtsp_test_server_drop_clients(rtsp_test_server *s) {
  g_list_free(gst_rtsp_server_client_filter(s->server, rtsp_test_server_drop, NULL));
}

/* Remove the mount (new clients get 404) / add it back. */
static inline void rtsp_test_server_unmount(rtsp_test_server *s) {
  GstRTSPMountPoints *mounts = gst_rtsp_server_get_mount_points(s->server);
  gst_rtsp_mount_points_remove_factory(mounts, s->mount);
  g_object_unref(mounts);
}
static inline void rtsp_test_server_remount(rtsp_test_server *s) {
  GstRTSPMountPoints *mounts = gst_rtsp_server_get_mount_points(s->server);
  gst_rtsp_mount_points_add_factory(mounts, s->mount, g_object_ref(s->factory));
  g_object_unref(mounts);
}

static inline gboolean rtsp_test_server_quit(gpointer user) {
  g_main_loop_quit(user);
  return G_SOURCE_REMOVE;
}

/* Drop the clients, stop the loop (quit from inside its own context) and
 * free everything; the port stops listening. */
static inline void rtsp_test_server_stop(rtsp_test_server *s) {
  rtsp_test_server_drop_clients(s);
  GSource *q = g_idle_source_new();
  g_source_set_callback(q, rtsp_test_server_quit, s->loop, NULL);
  g_source_attach(q, s->ctx);
  g_source_unref(q);
  g_thread_join(s->thread);
  GSource *src = g_main_context_find_source_by_id(s->ctx, s->source_id);
  if (src) g_source_destroy(src);
  GstRTSPSessionPool *pool = gst_rtsp_server_get_session_pool(s->server);
  gst_rtsp_session_pool_cleanup(pool);
  g_object_unref(pool);
  g_object_unref(s->factory);
  g_object_unref(s->server);
  g_main_loop_unref(s->loop);
  g_main_context_unref(s->ctx);
}

#endif /* ODAI_TESTS_RTSP_TEST_SERVER_H */
