/* tests/face/fuzz_gallery.c: libFuzzer target for the gallery file reader
 * (from memory, plain and encrypted with a fixed test key). A file that
 * parses must also list, match and write back to bytes that parse again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/gallery/gallery_internal.h"
#include "odai/gallery.h"

/* The seeds' test key: bytes 0..31 (tests/face/fuzz/fuzz_gallery/seeds/). */
static const uint8_t k_key[ODAI_GALLERY_KEY_SIZE] = {
    0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
    16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  odai_gallery *g = NULL;
  if (odai_gallery_parse(data, size, k_key, &g, NULL) != ODAI_OK) return 0;
  odai_gallery_identity_info *list = NULL;
  size_t n = 0;
  if (odai_gallery_list(g, &list, &n, NULL) != ODAI_OK) __builtin_trap();
  free(list);
  odai_embedding *e = NULL;
  uint8_t id[ODAI_MODEL_ID_SIZE];
  odai_gallery_model_id(g, id);
  if (odai_embedding_create(odai_gallery_dim(g), id, NULL, &e, NULL) == ODAI_OK) {
    e->values[0] = 1.0f;
    odai_gallery_result r[4];
    char name[ODAI_GALLERY_NAME_MAX + 1];
    if (odai_gallery_match(g, e, 4, r, &n, NULL) != ODAI_OK) __builtin_trap();
    if (odai_gallery_identify(g, e, name, NULL, NULL) != ODAI_OK) __builtin_trap();
    odai_embedding_free(e);
  }
  uint8_t *out = NULL;
  size_t out_n = 0;
  if (odai_gallery_serialize(g, -1, NULL, &out, &out_n, NULL) != ODAI_OK) __builtin_trap();
  odai_gallery *again = NULL;
  if (odai_gallery_parse(out, out_n, NULL, &again, NULL) != ODAI_OK) __builtin_trap();
  if (odai_gallery_count(again) != odai_gallery_count(g)) __builtin_trap();
  odai_gallery_close(again);
  free(out);
  odai_gallery_close(g);
  return 0;
}
