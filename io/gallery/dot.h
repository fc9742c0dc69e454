/* io/gallery/dot.h: float dot-product kernels for embeddings and the gallery
 * search (internal). One scalar reference and one file per ISA, picked once
 * at run time from the CPU's features (see dot.c). */
#ifndef ODAI_IO_GALLERY_DOT_H
#define ODAI_IO_GALLERY_DOT_H

#include <stddef.h>

typedef float (*odai_dot_fn)(const float *a, const float *b, size_t n);
/* out[r] = dot(m + r * dim, x) for r in [0, rows). */
typedef void (*odai_dot_rows_fn)(const float *m, size_t rows, size_t dim, const float *x,
                                 float *out);

typedef struct odai_dot_kernel {
  const char *name; /* "avx512", "avx2", "neon", "scalar" */
  odai_dot_fn dot;
  odai_dot_rows_fn rows;
} odai_dot_kernel;

float odai_dot_f32_ref(const float *a, const float *b, size_t n);
void odai_dot_rows_f32_ref(const float *m, size_t rows, size_t dim, const float *x, float *out);
#if defined(__x86_64__) || defined(__i386__)
#define ODAI_DOT_HAVE_X86 1
float odai_dot_f32_avx2(const float *a, const float *b, size_t n);
void odai_dot_rows_f32_avx2(const float *m, size_t rows, size_t dim, const float *x, float *out);
float odai_dot_f32_avx512(const float *a, const float *b, size_t n);
void odai_dot_rows_f32_avx512(const float *m, size_t rows, size_t dim, const float *x,
                              float *out);
#endif

#if defined(__aarch64__)
#define ODAI_DOT_HAVE_NEON 1
float odai_dot_f32_neon(const float *a, const float *b, size_t n);
void odai_dot_rows_f32_neon(const float *m, size_t rows, size_t dim, const float *x, float *out);
#endif

/* The kernel for this CPU (chosen once, thread-safe). Transfer none. */
const odai_dot_kernel *odai_dot_kernel_get(void);
/* Every kernel this CPU can run, scalar first; returns how many (<= max). */
size_t odai_dot_kernels_available(const odai_dot_kernel **out, size_t max);

#endif /* ODAI_IO_GALLERY_DOT_H */
