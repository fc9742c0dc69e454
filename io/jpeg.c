/* io/jpeg.c: JPEG decode/encode of odai_image through libjpeg-turbo's
 * TurboJPEG 2.x API (tjInitDecompress/tjDecompressHeader3/tjDecompress2,
 * tjCompress2; no tj3 API). Scaled decode picks a DCT scale factor; the
 * declared size is checked against the limits before any allocation. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <turbojpeg.h>

#include "codec_internal.h"
#include "image_internal.h"

/* TurboJPEG handles are not thread-safe but are reusable; creating one
 * costs several allocations, so finished handles wait in a small cache
 * (a mutex guards it) for the next call on any thread: steady-state MJPEG
 * decoding allocates nothing. Cached handles live until exit (reachable). */
#define TJ_CACHE 8
static pthread_mutex_t g_tj_mu = PTHREAD_MUTEX_INITIALIZER;
static tjhandle g_tj_cache[2][TJ_CACHE]; /* [0] decompressors, [1] compressors */
static int g_tj_count[2];

static tjhandle tj_get(int compress) {
  tjhandle h = NULL;
  pthread_mutex_lock(&g_tj_mu);
  if (g_tj_count[compress] > 0) h = g_tj_cache[compress][--g_tj_count[compress]];
  pthread_mutex_unlock(&g_tj_mu);
  if (!h) h = compress ? tjInitCompress() : tjInitDecompress();
  return h;
}

static void tj_put(int compress, tjhandle h) {
  if (!h) return;
  pthread_mutex_lock(&g_tj_mu);
  if (g_tj_count[compress] < TJ_CACHE) {
    g_tj_cache[compress][g_tj_count[compress]++] = h;
    h = NULL;
  }
  pthread_mutex_unlock(&g_tj_mu);
  if (h) tjDestroy(h);
}

static int tj_pixel_format(odai_pixel_format f) {
  switch (f) {
  case ODAI_PIXEL_RGB8: return TJPF_RGB;
  case ODAI_PIXEL_BGR8: return TJPF_BGR;
  case ODAI_PIXEL_RGBA8: return TJPF_RGBA;
  case ODAI_PIXEL_BGRA8: return TJPF_BGRA;
  case ODAI_PIXEL_GRAY8: return TJPF_GRAY;
  default: return -1;
  }
}

odai_status odai_jpeg_probe(const uint8_t *data, size_t size, int *w, int *h, odai_error *err) {
  tjhandle tj = tj_get(0);
  if (!tj) return odai_error_set(err, ODAI_E_NOMEM, "jpeg: cannot create a decoder");
  int sub, cs;
  odai_status st = ODAI_OK;
  if (tjDecompressHeader3(tj, data, (unsigned long)size, w, h, &sub, &cs) != 0)
    st = odai_error_set(err, ODAI_E_CORRUPT, "jpeg: bad header: %s", tjGetErrorStr2(tj));
  tj_put(0, tj);
  return st;
}

/* The smallest libjpeg-turbo scale whose output still covers max_w x max_h
 * (each limit ignored when <= 0). */
static void pick_scale(int w, int h, int max_w, int max_h, int *sw, int *sh) {
  *sw = w;
  *sh = h;
  if (max_w <= 0 && max_h <= 0) return;
  int n = 0;
  tjscalingfactor *sf = tjGetScalingFactors(&n);
  if (!sf) return;
  for (int i = 0; i < n; i++) {
    if (sf[i].num >= sf[i].denom) continue; /* never upscale */
    int tw = TJSCALED(w, sf[i]), th = TJSCALED(h, sf[i]);
    if ((max_w > 0 && tw < max_w) || (max_h > 0 && th < max_h)) continue;
    if ((int64_t)tw * th < (int64_t)*sw * *sh) {
      *sw = tw;
      *sh = th;
    }
  }
}

odai_status odai_jpeg_decode(const uint8_t *data, size_t size, const odai_decode_options *opts, odai_image **out,
                             odai_error *err) {
  odai_decode_options def = {0};
  if (!opts) opts = &def;
  *out = NULL;
  if (size > (size_t)0xffffffffu) return odai_error_set(err, ODAI_E_UNSUPPORTED, "jpeg: stream too large");
  tjhandle tj = tj_get(0);
  if (!tj) return odai_error_set(err, ODAI_E_NOMEM, "jpeg: cannot create a decoder");
  odai_status st = ODAI_OK;
  odai_image *img = NULL;
  int w = 0, h = 0, sub = 0, cs = 0;
  if (tjDecompressHeader3(tj, data, (unsigned long)size, &w, &h, &sub, &cs) != 0) {
    st = odai_error_set(err, ODAI_E_CORRUPT, "jpeg: bad header: %s", tjGetErrorStr2(tj));
    goto fail;
  }
  if (w < 1 || h < 1 || w > ODAI_IMAGE_MAX_DIM || h > ODAI_IMAGE_MAX_DIM) {
    st = odai_error_set(err, ODAI_E_UNSUPPORTED, "jpeg: %dx%d is beyond the %dx%d limit", w, h, ODAI_IMAGE_MAX_DIM,
                        ODAI_IMAGE_MAX_DIM);
    goto fail;
  }
  if (cs == TJCS_CMYK || cs == TJCS_YCCK) {
    st = odai_error_set(err, ODAI_E_UNSUPPORTED, "jpeg: CMYK/YCCK images are not supported");
    goto fail;
  }
  int sw, sh;
  pick_scale(w, h, opts->max_width, opts->max_height, &sw, &sh);
  odai_pixel_format fmt = tj_pixel_format(opts->format) >= 0 ? opts->format : ODAI_PIXEL_RGB8;
  st = odai_image_new(sw, sh, fmt, &img);
  if (st != ODAI_OK) {
    st = odai_error_set(err, st == ODAI_E_UNSUPPORTED ? ODAI_E_UNSUPPORTED : st,
                        "jpeg: cannot allocate %dx%d %s (limit %zu bytes)", sw, sh, odai_pixel_format_name(fmt),
                        ODAI_IMAGE_MAX_BYTES);
    goto fail;
  }
  int flags = 0;
#ifdef TJFLAG_LIMITSCANS
  flags |= TJFLAG_LIMITSCANS; /* progressive files with thousands of scans: refuse, don't spin */
#endif
  if (opts->fast) flags |= TJFLAG_FASTDCT | TJFLAG_FASTUPSAMPLE;
  if (!opts->lenient) flags |= TJFLAG_STOPONWARNING;
  if (tjDecompress2(tj, data, (unsigned long)size, img->data[0], sw, img->stride[0], sh, tj_pixel_format(fmt),
                    flags) != 0) {
    if (!(opts->lenient && tjGetErrorCode(tj) == TJERR_WARNING)) {
      st = odai_error_set(err, ODAI_E_CORRUPT, "jpeg: %s", tjGetErrorStr2(tj));
      goto fail;
    }
  }
  tj_put(0, tj);
  *out = img;
  return ODAI_OK;
fail:
  odai_image_unref(img);
  /* A handle that failed mid-stream is not trusted for reuse. */
  tjDestroy(tj);
  return st;
}

odai_status odai_jpeg_encode(const odai_image *img, int quality, bool fast_dct, uint8_t **data, size_t *size,
                             odai_error *err) {
  *data = NULL;
  *size = 0;
  odai_image *conv = NULL;
  odai_status st = ODAI_OK;
  if (tj_pixel_format(img->format) < 0) {
    st = odai_image_convert(img, ODAI_PIXEL_RGB8, &conv, err);
    if (st != ODAI_OK) return st;
    img = conv;
  }
  if (quality <= 0) quality = 90;
  if (quality > 100) quality = 100;
  int sub = img->format == ODAI_PIXEL_GRAY8 ? TJSAMP_GRAY : TJSAMP_420;
  unsigned long cap = tjBufSize(img->width, img->height, sub);
  unsigned char *buf = NULL;
  tjhandle tj = NULL;
  if (cap == (unsigned long)-1 || !(buf = malloc(cap))) {
    st = odai_error_set(err, ODAI_E_NOMEM, "jpeg: cannot allocate the output buffer");
    goto done;
  }
  tj = tj_get(1);
  if (!tj) {
    st = odai_error_set(err, ODAI_E_NOMEM, "jpeg: cannot create an encoder");
    goto done;
  }
  unsigned long len = cap;
  int flags = TJFLAG_NOREALLOC | (fast_dct ? TJFLAG_FASTDCT : 0);
  if (tjCompress2(tj, img->data[0], img->width, img->stride[0], img->height, tj_pixel_format(img->format), &buf,
                  &len, sub, quality, flags) != 0) {
    st = odai_error_set(err, ODAI_E_INTERNAL, "jpeg: encode failed: %s", tjGetErrorStr2(tj));
    tjDestroy(tj);
    tj = NULL;
    goto done;
  }
  *data = buf;
  *size = len;
  buf = NULL;
done:
  free(buf);
  tj_put(1, tj);
  odai_image_unref(conv);
  return st;
}
