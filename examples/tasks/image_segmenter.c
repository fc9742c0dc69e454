/* Image segmenter task example: the person/background masks of photos
 * (IMAGE mode); one JSON line per image with the mask size, the share of
 * person pixels and the mean confidence; optionally writes the category
 * mask as a PNG (person white).
 *   odai-example-image-segmenter photo.jpg [more.png ...] [--mask-dir DIR] */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <odai/odai.h>

int main(int argc, char **argv) {
  const char *mask_dir = NULL;
  if (argc > 3 && strcmp(argv[argc - 2], "--mask-dir") == 0) {
    mask_dir = argv[argc - 1];
    argc -= 2;
  }
  if (mask_dir && mkdir(mask_dir, 0755) != 0 && errno != EEXIST) { /* like `mkdir -p DIR` for one level */
    fprintf(stderr, "image segmenter: --mask-dir %s: %s\n", mask_dir, strerror(errno));
    return 1;
  }
  odai_image_segmenter_options opts;
  odai_image_segmenter_options_init(&opts);
  odai_error err;
  odai_image_segmenter *seg = NULL;
  if (odai_image_segmenter_create(&opts, &seg, &err) != ODAI_OK) {
    fprintf(stderr, "image segmenter: %s\n", err.message);
    return 1;
  }
  int rc = 0;
  for (int i = 1; i < argc; i++) {
    odai_image *img = NULL;
    odai_image_segmenter_result r;
    odai_status st = odai_image_read_file(argv[i], ODAI_PIXEL_RGB8, &img, &err);
    if (st == ODAI_OK) st = odai_image_segmenter_segment(seg, img, &r, &err);
    odai_image_unref(img);
    if (st != ODAI_OK) {
      fprintf(stderr, "%s: %s\n", argv[i], err.message);
      rc = 1;
      continue;
    }
    const int w = odai_image_width(r.category_mask), h = odai_image_height(r.category_mask);
    double person = 0, conf = 0;
    for (int y = 0; y < h; y++) {
      const uint8_t *c = odai_image_cdata(r.category_mask, 0) + y * odai_image_stride(r.category_mask, 0);
      const float *m = (const float *)(const void *)(odai_image_cdata(r.confidence_mask, 0) +
                                                     y * odai_image_stride(r.confidence_mask, 0));
      for (int x = 0; x < w; x++) person += c[x], conf += m[x];
    }
    printf("{\"source\":\"%s\",\"width\":%d,\"height\":%d,\"person_fraction\":%.4f,"
           "\"mean_confidence\":%.4f}\n", argv[i], w, h, person / ((double)w * h), conf / ((double)w * h));
    if (mask_dir) { /* category mask 0/1 -> 0/255 in a GRAY8 PNG */
      odai_image *png = NULL;
      char path[1024];
      snprintf(path, sizeof path, "%s/mask_%d.png", mask_dir, i);
      if (odai_image_copy(r.category_mask, &png) == ODAI_OK) {
        for (int y = 0; y < h; y++)
          for (int x = 0; x < w; x++) odai_image_data(png, 0)[y * odai_image_stride(png, 0) + x] *= 255;
        if (odai_image_write_file(png, path, 90, &err) != ODAI_OK) {
          fprintf(stderr, "%s: %s\n", argv[i], err.message);
          rc = 1;
        }
        odai_image_unref(png);
      } else {
        fprintf(stderr, "%s: out of memory for the mask\n", argv[i]);
        rc = 1;
      }
    }
    odai_image_segmenter_result_free(&r);
  }
  odai_image_segmenter_close(seg);
  return rc;
}
