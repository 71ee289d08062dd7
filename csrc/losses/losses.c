/* Softmax and losses (see losses.h for the contracts). */
#include <math.h>
#include <stdlib.h>
#include <tgmath.h>

#include "common/simd.h"
#include "common/fast_exp.h"
#include "losses.h"
#include "common/threads.h"

/* the portable row loops */
#define FN_BODY "losses/losses_rows_impl.h"
#include "common/dtype_both.h"

#ifdef FASTNET_X86 /* the AVX2+FMA and AVX-512 row loops, in losses_avx*.c */
void fn_softmax_row_f32_avx2(size_t c, const float *x, float *y);
void fn_softmax_row_f64_avx2(size_t c, const double *x, double *y);
double fn_softmax_ce_row_f32_avx2(size_t c, const float *x, const float *t, ptrdiff_t label,
                                  float inv_n, float *dx);
double fn_softmax_ce_row_f64_avx2(size_t c, const double *x, const double *t, ptrdiff_t label,
                                  double inv_n, double *dx);
void fn_softmax_row_f32_avx512(size_t c, const float *x, float *y);
void fn_softmax_row_f64_avx512(size_t c, const double *x, double *y);
double fn_softmax_ce_row_f32_avx512(size_t c, const float *x, const float *t, ptrdiff_t label,
                                    float inv_n, float *dx);
double fn_softmax_ce_row_f64_avx512(size_t c, const double *x, const double *t,
                                    ptrdiff_t label, double inv_n, double *dx);
#endif

#define FN_BODY "losses/losses_impl.h"
#include "common/dtype_both.h"

/* The entry points: one per kernel, the element type chosen here. */
void fn_softmax(enum fn_dtype dtype, size_t n, size_t c, const void *x, ptrdiff_t xs, void *y) {
    FN_BY_DTYPE(dtype, fn_softmax, (n, c, x, xs, y));
}

double fn_cross_entropy(enum fn_dtype dtype, size_t n, size_t c, const void *y, ptrdiff_t ys,
                        const ptrdiff_t *labels, const void *t, ptrdiff_t ts) {
    return FN_BY_DTYPE(dtype, fn_cross_entropy, (n, c, y, ys, labels, t, ts));
}

double fn_softmax_cross_entropy(enum fn_dtype dtype, size_t n, size_t c, const void *x,
                                ptrdiff_t xs, const ptrdiff_t *labels, const void *t,
                                ptrdiff_t ts, void *dx) {
    return FN_BY_DTYPE(dtype, fn_softmax_cross_entropy, (n, c, x, xs, labels, t, ts, dx));
}

double fn_sigmoid_bce(enum fn_dtype dtype, size_t n, const void *x, const void *t, void *dx) {
    return FN_BY_DTYPE(dtype, fn_sigmoid_bce, (n, x, t, dx));
}

double fn_mse(enum fn_dtype dtype, size_t n, const void *y, const void *t, void *dy) {
    return FN_BY_DTYPE(dtype, fn_mse, (n, y, t, dy));
}
