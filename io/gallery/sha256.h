/* io/gallery/sha256.h: incremental SHA-256 (internal). */
#ifndef ODAI_IO_GALLERY_SHA256_H
#define ODAI_IO_GALLERY_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct odai_sha256 {
  uint32_t h[8];
  uint64_t len;
  uint8_t buf[64];
  size_t fill;
} odai_sha256;

void odai_sha256_init(odai_sha256 *s);
void odai_sha256_update(odai_sha256 *s, const void *data, size_t n);
void odai_sha256_final(odai_sha256 *s, uint8_t out[32]);

#endif
