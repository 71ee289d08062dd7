/* The book's optimizer updates, in place, one pass over each parameter.
 *
 * float32 (_f32) and float64 (_f64) versions written once in
 * optimizers_impl.h, and one entry point per update that picks between them. All arrays hold n contiguous elements; param and the
 * state arrays are written. Scalars arrive as double, are rounded once to the
 * array's type (as NumPy does with a Python float) and every operation runs
 * in the reference's order, so the result equals NumPy's to the last bit.
 */
#ifndef FASTNET_OPTIMIZERS_H
#define FASTNET_OPTIMIZERS_H

#include <stddef.h>

#include "common/vocabulary.h"

/* Added to the denominator of AdaGrad, RMSprop and Adam (the book's value). */
#define FN_OPTIMIZER_EPS 1e-7

void fn_sgd_f32(size_t n, float *p, const float *g, double lr);
void fn_sgd_f64(size_t n, double *p, const double *g, double lr);
void fn_momentum_f32(size_t n, float *p, const float *g, float *v, double lr, double momentum);
void fn_momentum_f64(size_t n, double *p, const double *g, double *v, double lr, double momentum);
void fn_nesterov_f32(size_t n, float *p, const float *g, float *v, double lr, double momentum);
void fn_nesterov_f64(size_t n, double *p, const double *g, double *v, double lr, double momentum);
void fn_adagrad_f32(size_t n, float *p, const float *g, float *h, double lr);
void fn_adagrad_f64(size_t n, double *p, const double *g, double *h, double lr);
void fn_rmsprop_f32(size_t n, float *p, const float *g, float *h, double lr, double decay_rate);
void fn_rmsprop_f64(size_t n, double *p, const double *g, double *h, double lr, double decay_rate);
void fn_adam_f32(size_t n, float *p, const float *g, float *m, float *v, double lr_t,
                 double beta1, double beta2);
void fn_adam_f64(size_t n, double *p, const double *g, double *m, double *v, double lr_t,
                 double beta1, double beta2);

/* RMSprop with eps inside the square root (Keras' RMSprop and Adagrad):
 * h = decay·h + gain·g²; p -= lr·g / √(h + eps) */
void fn_rms_f32(size_t n, float *p, const float *g, float *h, double lr, double decay,
                      double gain, double eps);
void fn_rms_f64(size_t n, double *p, const double *g, double *h, double lr, double decay,
                      double gain, double eps);

/* The entry points: the same updates on arrays of element type `dtype`. */
void fn_sgd(enum fn_dtype dtype, size_t n, void *p, const void *g, double lr);
void fn_momentum(enum fn_dtype dtype, size_t n, void *p, const void *g, void *v, double lr,
                 double momentum);
void fn_nesterov(enum fn_dtype dtype, size_t n, void *p, const void *g, void *v, double lr,
                 double momentum);
void fn_adagrad(enum fn_dtype dtype, size_t n, void *p, const void *g, void *h, double lr);
void fn_rmsprop(enum fn_dtype dtype, size_t n, void *p, const void *g, void *h, double lr,
                double decay_rate);
void fn_adam(enum fn_dtype dtype, size_t n, void *p, const void *g, void *m, void *v,
             double lr_t, double beta1, double beta2);
void fn_rms(enum fn_dtype dtype, size_t n, void *p, const void *g, void *h, double lr,
            double decay, double gain, double eps);

#endif
