/* tests/io/fuzz_image_decode.c: libFuzzer target for the JPEG and PNG
 * decoders' wrappers (io/jpeg.c, io/png.c, io/image_io.c). Options (output
 * format, fast, lenient, scaled decode) come from the input's length so the
 * seeds stay plain image files (tests/io/fuzz/fuzz_image_decode/seeds). */
#include <stddef.h>
#include <stdint.h>

#include "odai/image.h"
#include "odai/image_io.h"

static const odai_pixel_format k_formats[] = {ODAI_PIXEL_RGB8, ODAI_PIXEL_GRAY8, ODAI_PIXEL_RGBA8, ODAI_PIXEL_BGR8,
                                              ODAI_PIXEL_I420, ODAI_PIXEL_BGRA8, ODAI_PIXEL_F32};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  odai_image_codec codec;
  int w = 0, h = 0;
  if (odai_image_probe(data, size, &codec, &w, &h, NULL) == ODAI_OK) {
    /* Declared sizes up to the library limit are accepted by design; keep
     * each run fast by skipping the huge ones (their refusal path is unit
     * tested). */
    if ((int64_t)w * h > ((int64_t)1 << 22)) return 0;
  }
  odai_decode_options o = {0};
  o.format = k_formats[size % (sizeof k_formats / sizeof k_formats[0])];
  o.fast = (size / 7) & 1;
  o.lenient = (size / 11) & 1;
  if ((size / 13) & 1) {
    o.max_width = 32;
    o.max_height = 24;
  }
  odai_image *img = NULL;
  odai_error err;
  if (odai_image_decode(data, size, &o, &img, &err) == ODAI_OK) {
    /* Touch every row so a wrong stride or size shows up under ASan. */
    odai_image_planes p;
    odai_image_get_planes(img, &p);
    volatile uint8_t sink = 0;
    for (int y = 0; y < p.height; y++) sink ^= p.data[0][(size_t)y * p.stride[0] + (size_t)p.stride[0] - 1];
    (void)sink;
    odai_image_unref(img);
  }
  return 0;
}
