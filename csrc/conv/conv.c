/* The convolution family (see conv.h for the contracts), once per float type. */
#include <math.h>
#include <string.h>

#include "common/simd.h"
#include "conv.h"
#include "conv_direct.h"
#include "gemm/gemm.h"
#include "common/threads.h"

#define FN_BODY "conv/conv_impl.h"
#include "common/dtype_both.h"

/* The entry points: one per kernel, the element type chosen here. */
void fn_im2col(enum fn_dtype dtype, const fn_window *g, const void *x, const ptrdiff_t xs[4],
               int channels_last, void *col) {
    FN_BY_DTYPE(dtype, fn_im2col, (g, x, xs, channels_last, col));
}

void fn_col2im(enum fn_dtype dtype, const fn_window *g, const void *col, void *dx,
               const ptrdiff_t ds[4], int channels_last) {
    FN_BY_DTYPE(dtype, fn_col2im, (g, col, dx, ds, channels_last));
}

void fn_max_pool_forward(enum fn_dtype dtype, const fn_window *g, const void *x,
                         const ptrdiff_t xs[4], void *out, const ptrdiff_t os[4],
                         int32_t *arg_max, const ptrdiff_t as[4]) {
    FN_BY_DTYPE(dtype, fn_max_pool_forward, (g, x, xs, out, os, arg_max, as));
}

void fn_max_pool_backward(enum fn_dtype dtype, const fn_window *g, const void *dout,
                          const ptrdiff_t os[4], const int32_t *arg_max,
                          const ptrdiff_t as[4], void *dx, const ptrdiff_t ds[4]) {
    FN_BY_DTYPE(dtype, fn_max_pool_backward, (g, dout, os, arg_max, as, dx, ds));
}

int fn_conv_forward(enum fn_dtype dtype, const fn_window *g, const void *x,
                    const ptrdiff_t xs[4], int channels_last, const void *w,
                    ptrdiff_t filters, const void *bias, int activation, int kernel,
                    void *out) {
    return FN_BY_DTYPE(dtype, fn_conv_forward,
                       (g, x, xs, channels_last, w, filters, bias, activation, kernel, out));
}

int fn_conv_backward(enum fn_dtype dtype, const fn_window *g, const void *x,
                     const ptrdiff_t xs[4], int channels_last, const void *w,
                     ptrdiff_t filters, const void *dout, const ptrdiff_t os[4],
                     const void *y, const ptrdiff_t ys[4], int activation, int kernel,
                     void *dw, void *db, void *dx, const ptrdiff_t ds[4], const void *w_flip) {
    return FN_BY_DTYPE(dtype, fn_conv_backward,
                       (g, x, xs, channels_last, w, filters, dout, os, y, ys, activation,
                        kernel, dw, db, dx, ds, w_flip));
}

int fn_conv_pool_forward(enum fn_dtype dtype, const fn_window *g, const void *x,
                         const ptrdiff_t xs[4], int channels_last, const void *w,
                         ptrdiff_t filters, const void *bias, int activation, int kernel,
                         const fn_window *pool, void *out, int32_t *arg_max) {
    return FN_BY_DTYPE(dtype, fn_conv_pool_forward,
                       (g, x, xs, channels_last, w, filters, bias, activation, kernel, pool,
                        out, arg_max));
}

int fn_conv_pool_backward(enum fn_dtype dtype, const fn_window *g, const void *x,
                          const ptrdiff_t xs[4], int channels_last, const void *w,
                          ptrdiff_t filters, const fn_window *pool, const void *dout,
                          const ptrdiff_t os[4], const void *out, const ptrdiff_t ys[4],
                          const int32_t *arg_max, const ptrdiff_t as[4], int activation,
                          int kernel, void *dw, void *db, void *dx, const ptrdiff_t ds[4],
                          const void *w_flip) {
    return FN_BY_DTYPE(dtype, fn_conv_pool_backward,
                       (g, x, xs, channels_last, w, filters, pool, dout, os, out, ys, arg_max,
                        as, activation, kernel, dw, db, dx, ds, w_flip));
}

void fn_conv_activation_grad(enum fn_dtype dtype, ptrdiff_t m, ptrdiff_t filters,
                             const void *d, ptrdiff_t drs, ptrdiff_t dcs, const void *y,
                             ptrdiff_t yrs, ptrdiff_t ycs, int activation, void *dact) {
    FN_BY_DTYPE(dtype, fn_conv_activation_grad,
                (m, filters, d, drs, dcs, y, yrs, ycs, activation, dact));
}
