/* calculators/inference/image_to_tensor_ops.c: region → tensor sampling
 * with letterboxing, rotation and value-range mapping, matching MediaPipe's
 * ImageToTensorCalculator (sampling conventions in the header). */
#include <math.h>
#include <string.h>

#include "image_to_tensor_ops.h"

#define ODAI_I2T_TABLE_MAX 2048

odai_roi odai_roi_from_norm_rect(const odai_norm_rect *rect, int img_w, int img_h) {
  odai_roi r;
  if (!rect) {
    r.cx = img_w * 0.5f;
    r.cy = img_h * 0.5f;
    r.w = (float)img_w;
    r.h = (float)img_h;
    r.rotation = 0.f;
    return r;
  }
  r.cx = rect->x_center * img_w;
  r.cy = rect->y_center * img_h;
  r.w = rect->width * img_w;
  r.h = rect->height * img_h;
  r.rotation = rect->rotation;
  return r;
}

void odai_roi_pad(odai_roi *roi, const odai_i2t_params *p, float padding[4]) {
  padding[0] = padding[1] = padding[2] = padding[3] = 0.f;
  if (!p->keep_aspect_ratio || roi->w <= 0 || roi->h <= 0) return;
  float tensor_ar = (float)p->out_h / (float)p->out_w;
  float roi_ar = roi->h / roi->w;
  float hpad = 0.f, vpad = 0.f;
  if (tensor_ar > roi_ar) {
    float nh = roi->w * tensor_ar;
    vpad = (1.0f - roi_ar / tensor_ar) / 2.0f;
    roi->h = nh;
  } else {
    float nw = roi->h / tensor_ar;
    hpad = (1.0f - tensor_ar / roi_ar) / 2.0f;
    roi->w = nw;
  }
  padding[0] = hpad;
  padding[1] = vpad;
  padding[2] = hpad;
  padding[3] = vpad;
}

void odai_roi_to_matrix(const odai_roi *roi, int img_w, int img_h, bool flip, float m[16]) {
  const float a = roi->w, b = roi->h;
  const float fl = flip ? -1.f : 1.f;
  const float c = cosf(roi->rotation), d = sinf(roi->rotation);
  const float e = roi->cx, f = roi->cy;
  const float g = 1.f / (float)img_w, h = 1.f / (float)img_h;
  memset(m, 0, 16 * sizeof *m);
  m[0] = a * c * fl * g;
  m[1] = -b * d * g;
  m[3] = (-0.5f * a * c * fl + 0.5f * b * d + e) * g;
  m[4] = a * d * fl * h;
  m[5] = b * c * h;
  m[7] = (-0.5f * b * c - 0.5f * a * d * fl + f) * h;
  m[10] = a * g;
  m[15] = 1.f;
}

/* Source index pairs and weights along one axis for tensor positions
 * 0..n-1 sampling at start + i * step in an axis of `size` pixels. */
static void axis_table(float start, float step, int n, int size, bool replicate,
                       int idx[2][ODAI_I2T_TABLE_MAX], float w[2][ODAI_I2T_TABLE_MAX]) {
  for (int i = 0; i < n; i++) {
    float f = start + i * step;
    int i0 = (int)floorf(f);
    float a = f - i0;
    int j[2] = {i0, i0 + 1};
    float ww[2] = {1.f - a, a};
    for (int k = 0; k < 2; k++) {
      if (j[k] < 0 || j[k] >= size) {
        if (!replicate) ww[k] = 0.f;
        j[k] = j[k] < 0 ? 0 : size - 1;
      }
      idx[k][i] = j[k];
      w[k][i] = ww[k];
    }
  }
}

void odai_image_to_tensor_f32(const odai_image_planes *src, const odai_roi *roi,
                              const odai_i2t_params *p, float *out) {
  const int W = src->width, H = src->height;
  int ch, ro = 0, go = 1, bo = 2;
  switch (src->format) {
  case ODAI_PIXEL_RGB8: ch = 3; break;
  case ODAI_PIXEL_BGR8: ch = 3; ro = 2; bo = 0; break;
  case ODAI_PIXEL_RGBA8: ch = 4; break;
  case ODAI_PIXEL_BGRA8: ch = 4; ro = 2; bo = 0; break;
  case ODAI_PIXEL_GRAY8: ch = 1; ro = go = bo = 0; break;
  default: memset(out, 0, sizeof(float) * 3 * p->out_w * p->out_h); return;
  }
  const uint8_t *base = src->data[0];
  const int stride = src->stride[0];
  const float scale = (p->range_max - p->range_min) / 255.f;
  const float offs = p->range_min;
  /* Tensor pixel (x, y) -> source point: top-left corner of the rotated roi
   * plus x * ux + y * uy, with ux/uy the roi's axes scaled per tensor pixel. */
  const float c = cosf(roi->rotation), s = sinf(roi->rotation);
  const float sx = roi->w / (float)p->out_w, sy = roi->h / (float)p->out_h;
  float uxx = c * sx, uxy = s * sx;   /* step along tensor x */
  const float uyx = -s * sy, uyy = c * sy; /* step along tensor y */
  float x0 = roi->cx - 0.5f * roi->w * c + 0.5f * roi->h * s;
  float y0 = roi->cy - 0.5f * roi->w * s - 0.5f * roi->h * c;
  if (p->flip_horizontally) {
    x0 += uxx * p->out_w;
    y0 += uxy * p->out_w;
    uxx = -uxx;
    uxy = -uxy;
  }
  /* Sample at tensor pixel centres ((x + 0.5) steps from the corner), in
   * source pixel-centre coordinates (pixel i's centre is i): the half-pixel
   * convention of GPU texture sampling and of the TFLite reference inputs. */
  x0 += 0.5f * uxx + 0.5f * uyx - 0.5f;
  y0 += 0.5f * uxy + 0.5f * uyy - 0.5f;
  if (fabsf(s) < 1e-7f && p->out_w <= ODAI_I2T_TABLE_MAX && p->out_h <= ODAI_I2T_TABLE_MAX) {
    /* Axis-aligned (the common case): separable tables of source indices
     * and weights; out-of-image neighbours get weight 0 (BORDER_ZERO) or a
     * clamped index (BORDER_REPLICATE), so the inner loop has no branches. */
    int xi[2][ODAI_I2T_TABLE_MAX], yi[2][ODAI_I2T_TABLE_MAX];
    float xw[2][ODAI_I2T_TABLE_MAX], yw[2][ODAI_I2T_TABLE_MAX];
    axis_table(x0, uxx, p->out_w, W, p->border_replicate, xi, xw);
    axis_table(y0, uyy, p->out_h, H, p->border_replicate, yi, yw);
    for (int oy = 0; oy < p->out_h; oy++) {
      const uint8_t *r0 = base + (size_t)yi[0][oy] * stride;
      const uint8_t *r1 = base + (size_t)yi[1][oy] * stride;
      const float wy0 = yw[0][oy], wy1 = yw[1][oy];
      float *o = out + (size_t)oy * p->out_w * 3;
      for (int ox = 0; ox < p->out_w; ox++, o += 3) {
        const size_t c0 = (size_t)xi[0][ox] * ch, c1 = (size_t)xi[1][ox] * ch;
        const float w00 = wy0 * xw[0][ox], w01 = wy0 * xw[1][ox];
        const float w10 = wy1 * xw[0][ox], w11 = wy1 * xw[1][ox];
        o[0] = (w00 * r0[c0 + ro] + w01 * r0[c1 + ro] + w10 * r1[c0 + ro] + w11 * r1[c1 + ro]) * scale + offs;
        o[1] = (w00 * r0[c0 + go] + w01 * r0[c1 + go] + w10 * r1[c0 + go] + w11 * r1[c1 + go]) * scale + offs;
        o[2] = (w00 * r0[c0 + bo] + w01 * r0[c1 + bo] + w10 * r1[c0 + bo] + w11 * r1[c1 + bo]) * scale + offs;
      }
    }
    return;
  }
  for (int oy = 0; oy < p->out_h; oy++) {
    float *o = out + (size_t)oy * p->out_w * 3;
    float px = x0 + oy * uyx, py = y0 + oy * uyy;
    for (int ox = 0; ox < p->out_w; ox++, px += uxx, py += uxy, o += 3) {
      float fx = px, fy = py;
      int ix = (int)floorf(fx), iy = (int)floorf(fy);
      float ax = fx - ix, ay = fy - iy;
      float acc[3] = {0, 0, 0};
      for (int k = 0; k < 4; k++) {
        int xx = ix + (k & 1), yy = iy + (k >> 1);
        float wgt = ((k & 1) ? ax : 1.f - ax) * ((k >> 1) ? ay : 1.f - ay);
        if (wgt == 0.f) continue;
        if (xx < 0 || yy < 0 || xx >= W || yy >= H) {
          if (!p->border_replicate) continue; /* BORDER_ZERO: pixel value 0 */
          xx = xx < 0 ? 0 : (xx >= W ? W - 1 : xx);
          yy = yy < 0 ? 0 : (yy >= H ? H - 1 : yy);
        }
        const uint8_t *q = base + (size_t)yy * stride + (size_t)xx * ch;
        acc[0] += wgt * q[ro];
        acc[1] += wgt * q[go];
        acc[2] += wgt * q[bo];
      }
      o[0] = acc[0] * scale + offs;
      o[1] = acc[1] * scale + offs;
      o[2] = acc[2] * scale + offs;
    }
  }
}
