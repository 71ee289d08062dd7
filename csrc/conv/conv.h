/* The convolution family: im2col / col2im, max pooling, the fused
 * convolution and the convolution fused with max pooling.
 *
 * One entry point per kernel takes the element type (enum fn_dtype) and
 * untyped pointers; the float32 and float64 bodies behind it are written once
 * in im2col_impl.h, col2im_impl.h, pool_impl.h, conv_gemm_impl.h and
 * conv_pool_impl.h. Inputs were validated in Python
 * (fastnet.backend.checks.conv), so nothing here checks them.
 * Images are (N, C, H, W) addressed through four ELEMENT strides, so a
 * transposed view (a convolution's channels-last output) is read in place.
 */
#ifndef FASTNET_CONV_H
#define FASTNET_CONV_H

#include <stddef.h>
#include <stdint.h>

#include "common/vocabulary.h"

/* A window of fh x fw moved by `stride` over an n x c x h x w image padded
 * by `pad`: oh x ow positions, oh = (h + 2·pad - fh) / stride + 1. */
typedef struct {
    ptrdiff_t n, c, h, w, fh, fw, stride, pad, oh, ow;
} fn_window;

/* col[(n, oh, ow), (c, i, j)] := x_pad[n, c, oh·stride + i, ow·stride + j].
 * x: strides xs[4]; col: (n·oh·ow, c·fh·fw), C order, written. channels_last
 * (x's channels adjacent, xs[1] == 1): columns in (i, j, c) order instead, each
 * filter offset one contiguous run (the fused convolution's order). */
void fn_im2col(enum fn_dtype dtype, const fn_window *g, const void *x, const ptrdiff_t xs[4],
               int channels_last, void *col);

/* dx[n, c, y, x] := Σ col[(n, oh, ow), (c, i, j)] over y = oh·stride + i - pad,
 * x = ow·stride + j - pad (inside the image). col: C order, columns (i, j, c)
 * when channels_last (then ds[1] == 1); dx: strides ds[4], any contents,
 * every element written. */
void fn_col2im(enum fn_dtype dtype, const fn_window *g, const void *col, void *dx,
               const ptrdiff_t ds[4], int channels_last);

/* out[n, c, oh, ow] := max of the window over x_pad (padding counts as 0),
 * arg_max := i·fw + j of its first maximum. x: strides xs[4]; out, arg_max:
 * (n, c, oh, ow) with strides os, as, written: all three channels-last
 * (xs[1] == os[1] == as[1] == 1), or out and arg_max in C order. */
void fn_max_pool_forward(enum fn_dtype dtype, const fn_window *g, const void *x,
                         const ptrdiff_t xs[4], void *out, const ptrdiff_t os[4],
                         int32_t *arg_max, const ptrdiff_t as[4]);

/* dx := Σ dout[n, c, oh, ow] at each window's arg_max. dout, arg_max: strides os, as,
 * arg_max values in [0, fh·fw); dx: strides ds, written (zeros where no
 * window's maximum lies). */
void fn_max_pool_backward(enum fn_dtype dtype, const fn_window *g, const void *dout,
                          const ptrdiff_t os[4], const int32_t *arg_max,
                          const ptrdiff_t as[4], void *dx, const ptrdiff_t ds[4]);

/* The fused convolution, out := act(x ⊛ W + b), a chunk of images at a time.
 * channels_last: x's channels are adjacent (xs[1] == 1) and w's columns, like
 * the patches', are in (i, j, c) order, else (c, i, j); w: (filters, c·fh·fw) C order; bias: (filters,); activation and kernel:
 * the GEMM's codes (gemm/gemm.h); out: (n·oh·ow, filters) C order, written.
 * Returns 0, or -1 when a buffer cannot be allocated. */
int fn_conv_forward(enum fn_dtype dtype, const fn_window *g, const void *x,
                    const ptrdiff_t xs[4], int channels_last, const void *w,
                    ptrdiff_t filters, const void *bias, int activation, int kernel,
                    void *out);

/* Its gradients: dw (filters, c·fh·fw, columns ordered like w's) and db
 * (filters,) written; dx (strides ds, ds[1] == 1 when channels_last; zeroed
 * by the caller) += the input gradient unless dx is NULL. dout: the gradient
 * of act(out), (n, filters, oh, ow) with strides os, os[2] == ow·os[3]; y:
 * act(out) from forward with strides ys likewise (read unless activation is
 * identity). w_flip: NULL, or the filters flipped, (c, fh·fw·filters) C order
 * in (i, j, f) column order, w_flip[c, (i, j, f)] = w[f, c, fh-1-i, fw-1-j],
 * for stride 1, fh == fw, pad <= fh - 1 and a channels-last contiguous dx:
 * dx is then computed as a convolution of dout (see conv_gemm_impl.h).
 * Returns 0 or -1. */
int fn_conv_backward(enum fn_dtype dtype, const fn_window *g, const void *x,
                     const ptrdiff_t xs[4], int channels_last, const void *w,
                     ptrdiff_t filters, const void *dout, const ptrdiff_t os[4],
                     const void *y, const ptrdiff_t ys[4], int activation, int kernel,
                     void *dw, void *db, void *dx, const ptrdiff_t ds[4], const void *w_flip);

/* The two above with max pooling after the activation, in one pass:
 * out := maxpool(act(x ⊛ W + b)) (see conv_pool_impl.h). pool: the pooling
 * window over the convolution's output (pool->c == filters, pool->h, pool->w
 * == g->oh, g->ow). out and arg_max (n, pool->oh, pool->ow, filters) C order,
 * written, arg_max as fn_max_pool_forward's. Backward: dout and out
 * (n, filters, pool->oh, pool->ow) with strides os, ys; arg_max likewise with
 * as[1] == 1; the rest as fn_conv_backward (d is always channels-adjacent).
 * Return 0, or -1 when a buffer cannot be allocated. */
int fn_conv_pool_forward(enum fn_dtype dtype, const fn_window *g, const void *x,
                         const ptrdiff_t xs[4], int channels_last, const void *w,
                         ptrdiff_t filters, const void *bias, int activation, int kernel,
                         const fn_window *pool, void *out, int32_t *arg_max);
int fn_conv_pool_backward(enum fn_dtype dtype, const fn_window *g, const void *x,
                          const ptrdiff_t xs[4], int channels_last, const void *w,
                          ptrdiff_t filters, const fn_window *pool, const void *dout,
                          const ptrdiff_t os[4], const void *out, const ptrdiff_t ys[4],
                          const int32_t *arg_max, const ptrdiff_t as[4], int activation,
                          int kernel, void *dw, void *db, void *dx, const ptrdiff_t ds[4],
                          const void *w_flip);

/* dact (m x filters, C order) := d ⊙ act'(y), d and y m x filters matrices
 * with row and column strides: the fused backward's first step, for a caller
 * that multiplies with another GEMM. */
void fn_conv_activation_grad(enum fn_dtype dtype, ptrdiff_t m, ptrdiff_t filters,
                             const void *d, ptrdiff_t drs, ptrdiff_t dcs, const void *y,
                             ptrdiff_t yrs, ptrdiff_t ycs, int activation, void *dact);

#endif
