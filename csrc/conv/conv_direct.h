/* The direct convolution of single-channel images (MNIST's first layer).
 *
 * With C = 1 a 5x5 patch is only 25 values: im2col then writes 25 copies of
 * every pixel to feed a GEMM whose depth (25) is too short to pay for its
 * packing. Here the filters are the vector lanes instead (the output is
 * channels-last, so one pixel's filters are adjacent), a block of output
 * pixels keeps its accumulators in registers, and the image is read from L1
 * (one padded 28x28 image is 3-7 KB). conv_direct_impl.h holds the bodies,
 * compiled once per instruction set: portable C (conv_direct.c), AVX2+FMA
 * (conv_direct_avx2.c) and AVX-512 (conv_direct_avx512.c).
 *
 * `kernel` is the GEMM's micro-kernel code (gemm/gemm.h), which the caller
 * has already capped to what this CPU runs: the same choice picks the
 * instruction set here. Inputs were validated in Python.
 */
#ifndef FASTNET_CONV_DIRECT_H
#define FASTNET_CONV_DIRECT_H

#include <stddef.h>

#include "conv.h"

/* 1 when the direct kernels are used for this geometry (g->c == 1, unless
 * FASTNET_CONV_DIRECT=off; conv_direct.c). */
int fn_conv_direct_wanted(const fn_window *g, ptrdiff_t filters, int kernel);

/* out[r, f] := act(Σ_{i,j} x_pad[n, 0, oh·stride + i, ow·stride + j]·w[f, i·fw + j] + bias[f])
 * for the rows r = (n, oh, ow) of g->n images, g->c == 1. x: strides xs[4];
 * w: (filters, fh·fw) C order; bias: (filters,); out: (n·oh·ow, filters)
 * C order, written. Returns 0, or -1 when a buffer cannot be allocated. */
int fn_conv_direct_forward_f32(const fn_window *g, const float *x, const ptrdiff_t xs[4],
                               const float *w, ptrdiff_t filters, const float *bias,
                               int activation, int kernel, float *out);
int fn_conv_direct_forward_f64(const fn_window *g, const double *x, const ptrdiff_t xs[4],
                               const double *w, ptrdiff_t filters, const double *bias,
                               int activation, int kernel, double *out);

/* dWᵀ: dwt[i·fw + j, f] += Σ_r x_pad[n, 0, oh·stride + i, ow·stride + j]·d[r, f]
 * over the rows r = (n, oh, ow) of g->n images, g->c == 1. d: row r at
 * d + r·drs, its filters adjacent; dwt: (fh·fw, filters) C order, added to.
 * Returns 0 or -1. */
int fn_conv_direct_dwt_f32(const fn_window *g, const float *x, const ptrdiff_t xs[4],
                           const float *d, ptrdiff_t drs, ptrdiff_t filters, int kernel,
                           float *dwt);
int fn_conv_direct_dwt_f64(const fn_window *g, const double *x, const ptrdiff_t xs[4],
                           const double *d, ptrdiff_t drs, ptrdiff_t filters, int kernel,
                           double *dwt);

#endif
