/* Batch normalization (chapter 6): forward in training and inference, backward.
 *
 * float32 (_f32) and float64 (_f64) versions, written once in batchnorm_impl.h.
 * Inputs were validated in Python (fastnet.backend.Backend), so nothing here
 * checks them.
 */
#ifndef FASTNET_BATCHNORM_H
#define FASTNET_BATCHNORM_H

#include <stddef.h>

/* Added to the variance inside the square root (the book's 10e-7). */
#define FN_BATCHNORM_EPS 10e-7

/* Batch norm over the rows of a C-order (n, d) x, n >= 1 (see reference.py).
 * forward_train writes out, xn (n, d) and std (d,) and updates running_mean,
 * running_var (d,) in place; forward_infer writes out; backward writes dx
 * (n, d), dgamma and dbeta (d,). */
void fn_batchnorm_forward_train_f32(size_t n, size_t d, const float *x, const float *gamma,
                                    const float *beta, float *running_mean, float *running_var,
                                    double momentum, float *out, float *xn, float *std);
void fn_batchnorm_forward_train_f64(size_t n, size_t d, const double *x, const double *gamma,
                                    const double *beta, double *running_mean,
                                    double *running_var, double momentum, double *out,
                                    double *xn, double *std);
void fn_batchnorm_forward_infer_f32(size_t n, size_t d, const float *x, const float *gamma,
                                    const float *beta, const float *running_mean,
                                    const float *running_var, float *out);
void fn_batchnorm_forward_infer_f64(size_t n, size_t d, const double *x, const double *gamma,
                                    const double *beta, const double *running_mean,
                                    const double *running_var, double *out);
void fn_batchnorm_backward_f32(size_t n, size_t d, const float *dout, const float *xn,
                               const float *std, const float *gamma, float *dx, float *dgamma,
                               float *dbeta);
void fn_batchnorm_backward_f64(size_t n, size_t d, const double *dout, const double *xn,
                               const double *std, const double *gamma, double *dx,
                               double *dgamma, double *dbeta);

#endif
