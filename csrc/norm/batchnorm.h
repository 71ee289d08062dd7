/* Batch normalization (chapter 6): forward in training and inference, backward.
 *
 * One entry point per kernel takes the element type (enum fn_dtype) and
 * untyped pointers; the float32 and float64 loops behind it are written once
 * in batchnorm_impl.h. Inputs were validated in Python
 * (fastnet.backend.checks.norm), so nothing here checks them.
 */
#ifndef FASTNET_BATCHNORM_H
#define FASTNET_BATCHNORM_H

#include <stddef.h>

#include "common/vocabulary.h"

/* Added to the variance inside the square root (the book's 10e-7). */
#define FN_BATCHNORM_EPS 10e-7

/* Batch norm over the rows of a C-order (n, d) x, n >= 1 (see
 * fastnet/backend/numpy/norm.py). forward_train writes out, xn (n, d) and
 * std (d,) and updates running_mean, running_var (d,) in place;
 * forward_infer writes out; backward writes dx (n, d), dgamma and dbeta (d,). */
void fn_batchnorm_forward_train(enum fn_dtype dtype, size_t n, size_t d, const void *x,
                                const void *gamma, const void *beta, void *running_mean,
                                void *running_var, double momentum, void *out, void *xn,
                                void *std);
void fn_batchnorm_forward_infer(enum fn_dtype dtype, size_t n, size_t d, const void *x,
                                const void *gamma, const void *beta, const void *running_mean,
                                const void *running_var, void *out);
void fn_batchnorm_backward(enum fn_dtype dtype, size_t n, size_t d, const void *dout,
                           const void *xn, const void *std, const void *gamma, void *dx,
                           void *dgamma, void *dbeta);

#endif
