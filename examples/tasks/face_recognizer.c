/* Face recognizer task example: enrol people from photos, then name the
 * faces in other photos (IMAGE mode); one JSON line per photo.
 *   odai-example-face-recognizer GALLERY enroll NAME photo.jpg [more.jpg ...]
 *   odai-example-face-recognizer GALLERY recognize photo.jpg [more.jpg ...]
 * The gallery file is created when missing (keep it private: biometric data). */
#include <stdio.h>
#include <string.h>

#include <odai/odai.h>

int main(int argc, char **argv) {
  const int enroll = argc > 4 && strcmp(argv[2], "enroll") == 0;
  if (!enroll && !(argc > 3 && strcmp(argv[2], "recognize") == 0)) {
    fprintf(stderr, "usage: %s GALLERY enroll NAME PHOTO... | GALLERY recognize PHOTO...\n", argv[0]);
    return 2;
  }
  odai_face_recognizer_options opts;
  odai_face_recognizer_options_init(&opts);
  opts.gallery_path = argv[1];
  odai_error err;
  odai_face_recognizer *fr = NULL;
  if (odai_face_recognizer_create(&opts, &fr, &err) != ODAI_OK) {
    fprintf(stderr, "face recognizer: %s\n", err.message);
    return 1;
  }
  int rc = 0;
  for (int i = enroll ? 4 : 3; i < argc; i++) {
    odai_image *img = NULL;
    odai_face_recognizer_result r;
    odai_status st = odai_image_read_file(argv[i], ODAI_PIXEL_RGB8, &img, &err);
    if (st == ODAI_OK)
      st = enroll ? odai_face_recognizer_enroll(fr, argv[3], img, &err)
                  : odai_face_recognizer_recognize(fr, img, &r, &err);
    odai_image_unref(img);
    if (st != ODAI_OK) {
      fprintf(stderr, "%s: %s\n", argv[i], err.message);
      rc = 1;
      continue;
    }
    if (enroll) {
      printf("{\"source\":\"%s\",\"enrolled\":\"%s\"}\n", argv[i], argv[3]);
      continue;
    }
    printf("{\"source\":\"%s\",\"faces\":[", argv[i]);
    for (size_t k = 0; k < r.faces.count; k++) {
      const odai_detection *d = &r.faces.items[k];
      printf("%s{\"identity\":\"%s\",\"similarity\":%.3f,\"score\":%.4f,\"xmin\":%.4f,"
             "\"ymin\":%.4f,\"width\":%.4f,\"height\":%.4f}", k ? "," : "", d->identity,
             d->identity_similarity, d->score, d->xmin, d->ymin, d->width, d->height);
    }
    printf("]}\n");
    odai_face_recognizer_result_free(&r);
  }
  odai_face_recognizer_close(fr);
  return rc;
}
