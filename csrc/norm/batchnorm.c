/* Batch normalization (see batchnorm.h for the contracts), once per float type. */
#include <math.h>

#include "batchnorm.h"

#define FN_BODY "norm/batchnorm_impl.h"
#include "common/dtype_both.h"

/* The entry points: one per kernel, the element type chosen here. */
void fn_batchnorm_forward_train(enum fn_dtype dtype, size_t n, size_t d, const void *x,
                                const void *gamma, const void *beta, void *running_mean,
                                void *running_var, double momentum, void *out, void *xn,
                                void *std) {
    FN_BY_DTYPE(dtype, fn_batchnorm_forward_train,
                (n, d, x, gamma, beta, running_mean, running_var, momentum, out, xn, std));
}

void fn_batchnorm_forward_infer(enum fn_dtype dtype, size_t n, size_t d, const void *x,
                                const void *gamma, const void *beta, const void *running_mean,
                                const void *running_var, void *out) {
    FN_BY_DTYPE(dtype, fn_batchnorm_forward_infer,
                (n, d, x, gamma, beta, running_mean, running_var, out));
}

void fn_batchnorm_backward(enum fn_dtype dtype, size_t n, size_t d, const void *dout,
                           const void *xn, const void *std, const void *gamma, void *dx,
                           void *dgamma, void *dbeta) {
    FN_BY_DTYPE(dtype, fn_batchnorm_backward, (n, d, dout, xn, std, gamma, dx, dgamma, dbeta));
}
