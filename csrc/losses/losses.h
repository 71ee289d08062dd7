/* Softmax and the losses: softmax + cross-entropy, sigmoid + binary
 * cross-entropy, mean squared error.
 *
 * float32 (_f32) and float64 (_f64) versions, and one entry point per kernel
 * that picks between them (the one the Cython wrapper calls); the bodies are
 * written once in losses_rows_impl.h (the exp-heavy row loops) and
 * losses_impl.h (the rest).
 * Every loss is accumulated in double, in an order that does not depend on
 * the number of threads, and returned as a double. Inputs were validated in
 * Python: labels lie in [0, c).
 */
#ifndef FASTNET_LOSSES_H
#define FASTNET_LOSSES_H

#include <stddef.h>

#include "common/vocabulary.h"

/* Added inside the log of the cross-entropy (the book's value): a probability
 * of exactly 0 gives a large finite loss instead of inf. */
#define FN_CROSS_ENTROPY_EPS 1e-7

/* Y[i] := softmax(X[i]) for each of the n rows of c columns.
 * x: rows `xs` elements apart, contiguous within a row; y: (n, c) contiguous, written. */
void fn_softmax_f32(size_t n, size_t c, const float *x, ptrdiff_t xs, float *y);
void fn_softmax_f64(size_t n, size_t c, const double *x, ptrdiff_t xs, double *y);

/* L := -Σ_i log(Y[i, t_i] + 1e-7) / n. y: rows `ys` apart; labels: (n,)
 * contiguous, or NULL and t: one-hot rows `ts` apart, labels taken by argmax. */
double fn_cross_entropy_f32(size_t n, size_t c, const float *y, ptrdiff_t ys,
                            const ptrdiff_t *labels, const float *t, ptrdiff_t ts);
double fn_cross_entropy_f64(size_t n, size_t c, const double *y, ptrdiff_t ys,
                            const ptrdiff_t *labels, const double *t, ptrdiff_t ts);

/* (L, dX) := (cross_entropy(softmax(X), t), (softmax(X) - T) / n).
 * labels (n,) contiguous, or NULL and t: (n, c) targets rows `ts` apart (T = t,
 * loss label = argmax); dx: (n, c) contiguous, written. Returns L. */
double fn_softmax_cross_entropy_f32(size_t n, size_t c, const float *x, ptrdiff_t xs,
                                    const ptrdiff_t *labels, const float *t, ptrdiff_t ts,
                                    float *dx);
double fn_softmax_cross_entropy_f64(size_t n, size_t c, const double *x, ptrdiff_t xs,
                                    const ptrdiff_t *labels, const double *t, ptrdiff_t ts,
                                    double *dx);

/* (L, dX) := (mean(softplus(X) - T·X), (sigmoid(X) - T) / n) over n
 * contiguous elements; dx written. Returns L (0 when n = 0). */
double fn_sigmoid_bce_f32(size_t n, const float *x, const float *t, float *dx);
double fn_sigmoid_bce_f64(size_t n, const double *x, const double *t, double *dx);

/* (L, dY) := (mean((Y - T)²), 2·(Y - T) / n) over n contiguous elements; dy
 * written. Returns L (0 when n = 0). */
double fn_mse_f32(size_t n, const float *y, const float *t, float *dy);
double fn_mse_f64(size_t n, const double *y, const double *t, double *dy);

/* The entry points: the same kernels for an array of either type (dtype
 * names the element type of every float array; labels are ptrdiff_t). */
void fn_softmax(enum fn_dtype dtype, size_t n, size_t c, const void *x, ptrdiff_t xs, void *y);
double fn_cross_entropy(enum fn_dtype dtype, size_t n, size_t c, const void *y, ptrdiff_t ys,
                        const ptrdiff_t *labels, const void *t, ptrdiff_t ts);
double fn_softmax_cross_entropy(enum fn_dtype dtype, size_t n, size_t c, const void *x,
                                ptrdiff_t xs, const ptrdiff_t *labels, const void *t,
                                ptrdiff_t ts, void *dx);
double fn_sigmoid_bce(enum fn_dtype dtype, size_t n, const void *x, const void *t, void *dx);
double fn_mse(enum fn_dtype dtype, size_t n, const void *y, const void *t, void *dy);

#endif
