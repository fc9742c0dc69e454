/* calculators/face/align.c: face alignment to the ArcFace 112x112 template
 * (least-squares similarity + bilinear warp), MobileFaceNet input scaling and
 * face quality measures. Pure functions used by the face embedder calculator;
 * no graph types. */
#include "align.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "odai/image.h"

const float odai_face_template[ODAI_FACE_ALIGN_KPS][2] = {
    {38.2946f, 51.6963f}, {73.5318f, 51.5014f}, {56.0252f, 71.7366f}, {56.1396f, 92.2848f}};

const odai_face_quality_limits odai_face_quality_default_limits = {10.0f, 25.0f, 0.15f};

odai_status odai_similarity_fit(const float (*src)[2], const float (*dst)[2], size_t n, float m[6],
                                odai_error *err) {
  if (!src || !dst || !m || n < 2)
    return odai_error_set(err, ODAI_E_INVALID, "similarity fit: needs at least 2 point pairs");
  double msx = 0, msy = 0, mdx = 0, mdy = 0;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(src[i][0]) || !isfinite(src[i][1]) || !isfinite(dst[i][0]) ||
        !isfinite(dst[i][1]))
      return odai_error_set(err, ODAI_E_INVALID, "similarity fit: point %zu not finite", i);
    msx += src[i][0];
    msy += src[i][1];
    mdx += dst[i][0];
    mdy += dst[i][1];
  }
  msx /= (double)n;
  msy /= (double)n;
  mdx /= (double)n;
  mdy /= (double)n;
  /* Model: dst = [a -b; b a] src + t. With centred points the normal
   * equations decouple: a = sum(s.d) / |s|^2, b = sum(s x d) / |s|^2. */
  double ss = 0, sa = 0, sb = 0;
  for (size_t i = 0; i < n; i++) {
    double sx = src[i][0] - msx, sy = src[i][1] - msy;
    double dx = dst[i][0] - mdx, dy = dst[i][1] - mdy;
    ss += sx * sx + sy * sy;
    sa += sx * dx + sy * dy;
    sb += sx * dy - sy * dx;
  }
  if (!(ss > 1e-12))
    return odai_error_set(err, ODAI_E_INVALID, "similarity fit: source points coincide");
  double a = sa / ss, b = sb / ss;
  m[0] = (float)a;
  m[1] = (float)-b;
  m[2] = (float)(mdx - (a * msx - b * msy));
  m[3] = (float)b;
  m[4] = (float)a;
  m[5] = (float)(mdy - (b * msx + a * msy));
  return ODAI_OK;
}

odai_status odai_affine_invert(const float m[6], float inv[6], odai_error *err) {
  double det = (double)m[0] * m[4] - (double)m[1] * m[3];
  if (!(fabs(det) > 1e-12) || !isfinite(det))
    return odai_error_set(err, ODAI_E_INVALID, "affine matrix is singular");
  double i0 = m[4] / det, i1 = -m[1] / det, i3 = -m[3] / det, i4 = m[0] / det;
  inv[0] = (float)i0;
  inv[1] = (float)i1;
  inv[2] = (float)(-(i0 * m[2] + i1 * m[5]));
  inv[3] = (float)i3;
  inv[4] = (float)i4;
  inv[5] = (float)(-(i3 * m[2] + i4 * m[5]));
  return ODAI_OK;
}

void odai_affine_apply(const float m[6], float x, float y, float *ox, float *oy) {
  *ox = m[0] * x + m[1] * y + m[2];
  *oy = m[3] * x + m[4] * y + m[5];
}

odai_status odai_face_align_matrix(const float kps[ODAI_FACE_ALIGN_KPS][2], float crop_to_src[6],
                                   odai_error *err) {
  float fwd[6] = {0};
  odai_status st = odai_similarity_fit(kps, odai_face_template, ODAI_FACE_ALIGN_KPS, fwd, err);
  if (st != ODAI_OK) return st;
  return odai_affine_invert(fwd, crop_to_src, err);
}

/* The warp for packed 8-bit pixels of bpp bytes whose R, G, B are at byte
 * offsets ch[0..2]; the output is RGB8. */
static odai_status warp_packed(const uint8_t *src, int sw, int sh, size_t sstride, int bpp,
                               const int ch[3], const float m[6], uint8_t *dst, int dw, int dh,
                               size_t dstride, odai_error *err) {
  if (!src || !dst || !m || sw <= 0 || sh <= 0 || dw <= 0 || dh <= 0 ||
      sstride < (size_t)sw * bpp || dstride < (size_t)dw * 3)
    return odai_error_set(err, ODAI_E_INVALID, "warp: bad image arguments");
  for (int i = 0; i < 6; i++)
    if (!isfinite(m[i])) return odai_error_set(err, ODAI_E_INVALID, "warp: matrix not finite");
  for (int v = 0; v < dh; v++) {
    uint8_t *row = dst + (size_t)v * dstride;
    double cy = v + 0.5;
    for (int u = 0; u < dw; u++) {
      double cx = u + 0.5;
      /* Source point in index space (pixel centres at integers). */
      double sx = m[0] * cx + m[1] * cy + m[2] - 0.5;
      double sy = m[3] * cx + m[4] * cy + m[5] - 0.5;
      uint8_t *o = row + 3 * u;
      if (!(sx > -1.0 && sy > -1.0 && sx < sw && sy < sh)) {
        o[0] = o[1] = o[2] = 0;
        continue;
      }
      int x0 = (int)floor(sx), y0 = (int)floor(sy);
      double fx = sx - x0, fy = sy - y0;
      double w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
      bool in_x0 = x0 >= 0, in_x1 = x0 + 1 < sw, in_y0 = y0 >= 0, in_y1 = y0 + 1 < sh;
      const uint8_t *p00 =
          src + (size_t)(in_y0 ? y0 : 0) * sstride + (size_t)bpp * (size_t)(in_x0 ? x0 : 0);
      /* Neighbours outside the image are never read (they count as black). */
      size_t dx = in_x0 && in_x1 ? (size_t)bpp : 0, dy = in_y0 && in_y1 ? sstride : 0;
      const uint8_t *p10 = p00 + dx, *p01 = p00 + dy, *p11 = p01 + dx;
      for (int c = 0; c < 3; c++) {
        int k = ch[c];
        double s = 0;
        if (in_y0 && in_x0) s += w00 * p00[k];
        if (in_y0 && in_x1) s += w10 * p10[k];
        if (in_y1 && in_x0) s += w01 * p01[k];
        if (in_y1 && in_x1) s += w11 * p11[k];
        double r = floor(s + 0.5);
        o[c] = (uint8_t)(r < 0 ? 0 : (r > 255 ? 255 : r));
      }
    }
  }
  return ODAI_OK;
}

static const int k_rgb[3] = {0, 1, 2}, k_bgr[3] = {2, 1, 0};

odai_status odai_warp_affine_rgb8(const uint8_t *src, int sw, int sh, size_t sstride,
                                  const float m[6], uint8_t *dst, int dw, int dh, size_t dstride,
                                  odai_error *err) {
  return warp_packed(src, sw, sh, sstride, 3, k_rgb, m, dst, dw, dh, dstride, err);
}

void odai_face_crop_to_input(const uint8_t *crop, int w, int h, size_t stride, bool mirror,
                             float *out) {
  for (int v = 0; v < h; v++) {
    const uint8_t *row = crop + (size_t)v * stride;
    for (int u = 0; u < w; u++) {
      const uint8_t *p = row + 3 * (mirror ? w - 1 - u : u);
      float *o = out + ((size_t)v * w + u) * 3;
      for (int c = 0; c < 3; c++) o[c] = ((float)p[c] - 127.5f) / 128.0f;
    }
  }
}

odai_status odai_face_align_rgb8(const uint8_t *src, int sw, int sh, size_t sstride,
                                 const float kps[ODAI_FACE_ALIGN_KPS][2], uint8_t *crop,
                                 float *input, odai_error *err) {
  uint8_t local[ODAI_FACE_CROP_SIZE * ODAI_FACE_CROP_SIZE * 3];
  float m[6];
  odai_status st = odai_face_align_matrix(kps, m, err);
  if (st != ODAI_OK) return st;
  uint8_t *c = crop ? crop : local;
  st = odai_warp_affine_rgb8(src, sw, sh, sstride, m, c, ODAI_FACE_CROP_SIZE, ODAI_FACE_CROP_SIZE,
                             ODAI_FACE_CROP_SIZE * 3, err);
  if (st != ODAI_OK) return st;
  if (input)
    odai_face_crop_to_input(c, ODAI_FACE_CROP_SIZE, ODAI_FACE_CROP_SIZE, ODAI_FACE_CROP_SIZE * 3,
                            false, input);
  return ODAI_OK;
}

odai_status odai_face_align_image(const odai_image *img, const float kps[ODAI_FACE_ALIGN_KPS][2],
                                  uint8_t *crop, float *input, odai_error *err) {
  if (!img) return odai_error_set(err, ODAI_E_INVALID, "face align: NULL image");
  int bpp;
  const int *ch;
  switch (odai_image_format(img)) {
    case ODAI_PIXEL_RGB8: bpp = 3; ch = k_rgb; break;
    case ODAI_PIXEL_RGBA8: bpp = 4; ch = k_rgb; break;
    case ODAI_PIXEL_BGR8: bpp = 3; ch = k_bgr; break;
    case ODAI_PIXEL_BGRA8: bpp = 4; ch = k_bgr; break;
    default:
      return odai_error_set(err, ODAI_E_UNSUPPORTED,
                            "face align: pixel format %d is not packed RGB/BGR(A): convert first",
                            (int)odai_image_format(img));
  }
  int stride = odai_image_stride(img, 0);
  if (stride <= 0) return odai_error_set(err, ODAI_E_INVALID, "face align: bad image stride");
  uint8_t local[ODAI_FACE_CROP_SIZE * ODAI_FACE_CROP_SIZE * 3];
  float m[6];
  odai_status st = odai_face_align_matrix(kps, m, err);
  if (st != ODAI_OK) return st;
  uint8_t *c = crop ? crop : local;
  st = warp_packed(odai_image_cdata(img, 0), odai_image_width(img), odai_image_height(img),
                   (size_t)stride, bpp, ch, m, c, ODAI_FACE_CROP_SIZE, ODAI_FACE_CROP_SIZE,
                   ODAI_FACE_CROP_SIZE * 3, err);
  if (st != ODAI_OK) return st;
  if (input)
    odai_face_crop_to_input(c, ODAI_FACE_CROP_SIZE, ODAI_FACE_CROP_SIZE, ODAI_FACE_CROP_SIZE * 3,
                            false, input);
  return ODAI_OK;
}

/* Grey level (BT.601 luma weights) of an RGB8 pixel. */
static float grey(const uint8_t *p) { return 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2]; }

void odai_face_quality_measure(const float kps[ODAI_FACE_ALIGN_KPS][2], const uint8_t *crop,
                               size_t stride, odai_face_quality *q) {
  memset(q, 0, sizeof *q);
  float ex = kps[1][0] - kps[0][0], ey = kps[1][1] - kps[0][1];
  float d2 = ex * ex + ey * ey;
  q->eye_distance_px = sqrtf(d2);
  if (d2 > 0) {
    /* Where the nose projects on the eye line: 0 = midway, +-0.5 = at an eye. */
    float mx = 0.5f * (kps[0][0] + kps[1][0]), my = 0.5f * (kps[0][1] + kps[1][1]);
    float t = ((kps[2][0] - mx) * ex + (kps[2][1] - my) * ey) / d2;
    float f = 1.0f - 2.0f * fabsf(t);
    q->frontalness = f < 0 ? 0 : (f > 1 ? 1 : f);
  }
  if (crop) {
    /* The face's centre only: the crop's border may be black outside the image. */
    enum { lo = 16, hi = ODAI_FACE_CROP_SIZE - 16 };
    double s = 0, s2 = 0;
    int n = 0;
    for (int v = lo; v < hi; v++) {
      for (int u = lo; u < hi; u++) {
        const uint8_t *p = crop + (size_t)v * stride + 3 * (size_t)u;
        float lap = grey(p - 3) + grey(p + 3) + grey(p - stride) + grey(p + stride) - 4 * grey(p);
        s += lap;
        s2 += (double)lap * lap;
        n++;
      }
    }
    double mean = s / n;
    q->sharpness = (float)(s2 / n - mean * mean);
  }
}

const char *odai_face_quality_check(const odai_face_quality *q,
                                    const odai_face_quality_limits *limits, char *reason,
                                    size_t cap) {
  if (!limits) limits = &odai_face_quality_default_limits;
  if (q->eye_distance_px < limits->min_eye_distance_px) {
    snprintf(reason, cap, "too small: eye distance %.1f px < %.1f", (double)q->eye_distance_px,
             (double)limits->min_eye_distance_px);
    return reason;
  }
  if (q->sharpness < limits->min_sharpness) {
    snprintf(reason, cap, "too blurred: sharpness %.1f < %.1f", (double)q->sharpness,
             (double)limits->min_sharpness);
    return reason;
  }
  if (q->frontalness < limits->min_frontalness) {
    snprintf(reason, cap, "turned away: frontalness %.2f < %.2f", (double)q->frontalness,
             (double)limits->min_frontalness);
    return reason;
  }
  return NULL;
}
