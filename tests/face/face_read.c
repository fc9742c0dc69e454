/* tests/face/face_read.c: JPEG/PNG file -> packed RGB8 buffer for the face
 * pipeline (face_pipeline.h). */
#include <stdlib.h>
#include <string.h>

#include "face_pipeline.h"
#include "odai/image.h"
#include "odai/image_io.h"

odai_status face_read_rgb8(const char *path, uint8_t **rgb, int *w, int *h, odai_error *err) {
  odai_image *img = NULL;
  odai_status st = odai_image_read_file(path, ODAI_PIXEL_RGB8, &img, err);
  if (st != ODAI_OK) return st;
  *w = odai_image_width(img);
  *h = odai_image_height(img);
  int stride = odai_image_stride(img, 0);
  const uint8_t *p = odai_image_cdata(img, 0);
  *rgb = malloc((size_t)*w * *h * 3);
  if (!*rgb) {
    odai_image_unref(img);
    return odai_error_set(err, ODAI_E_NOMEM, "out of memory");
  }
  for (int y = 0; y < *h; y++) memcpy(*rgb + (size_t)y * *w * 3, p + (size_t)y * stride, (size_t)*w * 3);
  odai_image_unref(img);
  return ODAI_OK;
}
