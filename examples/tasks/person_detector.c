/* Person detector task example: people in photos (IMAGE mode), one JSON
 * line per image with each person's box and keypoints.
 *   odai-example-person-detector photo.jpg [more.png ...] */
#include <stdio.h>

#include <odai/odai.h>

int main(int argc, char **argv) {
  odai_person_detector_options opts;
  odai_person_detector_options_init(&opts);
  opts.max_results = 5; /* the five most confident people */
  odai_error err;
  odai_person_detector *pd = NULL;
  if (odai_person_detector_create(&opts, &pd, &err) != ODAI_OK) {
    fprintf(stderr, "person detector: %s\n", err.message);
    return 1;
  }
  int rc = 0;
  for (int i = 1; i < argc; i++) {
    odai_image *img = NULL;
    odai_person_detector_result r;
    odai_status st = odai_image_read_file(argv[i], ODAI_PIXEL_RGB8, &img, &err);
    if (st == ODAI_OK) st = odai_person_detector_detect(pd, img, &r, &err);
    odai_image_unref(img);
    if (st != ODAI_OK) {
      fprintf(stderr, "%s: %s\n", argv[i], err.message);
      rc = 1;
      continue;
    }
    printf("{\"source\":\"%s\",\"people\":[", argv[i]);
    for (size_t k = 0; k < r.detections.count; k++) {
      const odai_detection *d = &r.detections.items[k];
      printf("%s{\"score\":%.4f,\"xmin\":%.4f,\"ymin\":%.4f,\"width\":%.4f,\"height\":%.4f,"
             "\"keypoints\":[", k ? "," : "", d->score, d->xmin, d->ymin, d->width, d->height);
      for (int j = 0; j < d->num_keypoints; j++)
        printf("%s[%.4f,%.4f]", j ? "," : "", d->keypoints[j].x, d->keypoints[j].y);
      printf("]}");
    }
    printf("]}\n");
    odai_person_detector_result_free(&r);
  }
  odai_person_detector_close(pd);
  return rc;
}
