/* Face detector task example: faces in photos (IMAGE mode) or in a video
 * file (VIDEO mode, tracked), one JSON line per image or frame.
 *   odai-example-face-detector photo.jpg [more.png ...]
 *   odai-example-face-detector --video clip.avi */
#include <stdio.h>
#include <string.h>

#include <odai/odai.h>

static void print_faces(const char *src, const odai_face_detector_result *r) {
  printf("{\"source\":\"%s\",\"timestamp_us\":%lld,\"faces\":[", src, (long long)r->timestamp_us);
  for (size_t i = 0; i < r->detections.count; i++) {
    const odai_detection *d = &r->detections.items[i];
    printf("%s{\"score\":%.4f,\"xmin\":%.4f,\"ymin\":%.4f,\"width\":%.4f,\"height\":%.4f,"
           "\"track_id\":%lld}", i ? "," : "", d->score, d->xmin, d->ymin, d->width, d->height,
           (long long)d->track_id);
  }
  printf("]}\n");
}

int main(int argc, char **argv) {
  const int video = argc > 1 && strcmp(argv[1], "--video") == 0;
  odai_face_detector_options opts;
  odai_face_detector_options_init(&opts);
  opts.running_mode = video ? ODAI_RUNNING_MODE_VIDEO : ODAI_RUNNING_MODE_IMAGE;
  odai_error err;
  odai_face_detector *fd = NULL;
  if (odai_face_detector_create(&opts, &fd, &err) != ODAI_OK) {
    fprintf(stderr, "face detector: %s\n", err.message);
    return 1;
  }
  int rc = 0;
  odai_video_source *vs = NULL;
  int64_t last_ts = -1;
  if (video && (argc < 3 || odai_video_source_open(argv[2], NULL, &vs, &err) != ODAI_OK)) {
    fprintf(stderr, "video: %s\n", argc < 3 ? "no file given" : err.message);
    rc = 1;
  }
  for (int i = video ? 0 : 1; !rc && (video || i < argc); i++) {
    odai_image *img = NULL;
    int64_t ts = 0;
    odai_status st = video ? odai_video_source_read(vs, -1, &img, &ts, &err)
                           : odai_image_read_file(argv[i], ODAI_PIXEL_RGB8, &img, &err);
    if (video && st == ODAI_E_EOF) break;
    if (video) ts = last_ts = ts > last_ts ? ts : last_ts + 1; /* timestamps must increase */
    odai_face_detector_result r;
    if (st == ODAI_OK)
      st = video ? odai_face_detector_detect_for_video(fd, img, ts, &r, &err)
                 : odai_face_detector_detect(fd, img, &r, &err);
    odai_image_unref(img);
    if (st != ODAI_OK) {
      fprintf(stderr, "%s: %s\n", video ? argv[2] : argv[i], err.message);
      rc = 1;
      break;
    }
    print_faces(video ? argv[2] : argv[i], &r);
    odai_face_detector_result_free(&r);
  }
  odai_video_source_close(vs);
  odai_face_detector_close(fd);
  return rc;
}
