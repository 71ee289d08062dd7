/* Optimizer updates (see optimizers.h for the contracts). */

/* The updates must round exactly like NumPy's separate operations, so the
 * compiler may not fuse a·b + c into one FMA (GCC does by default where the
 * target has FMA, e.g. aarch64; Clang within one expression). */
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <math.h>
#include <tgmath.h>

#include "optimizers.h"
#include "common/threads.h"

#define FN_BODY "optimizers/optimizers_impl.h"
#include "common/dtype_both.h"

void fn_sgd(enum fn_dtype dtype, size_t n, void *p, const void *g, double lr) {
    FN_BY_DTYPE(dtype, fn_sgd, (n, p, g, lr));
}

void fn_momentum(enum fn_dtype dtype, size_t n, void *p, const void *g, void *v, double lr,
                 double momentum) {
    FN_BY_DTYPE(dtype, fn_momentum, (n, p, g, v, lr, momentum));
}

void fn_nesterov(enum fn_dtype dtype, size_t n, void *p, const void *g, void *v, double lr,
                 double momentum) {
    FN_BY_DTYPE(dtype, fn_nesterov, (n, p, g, v, lr, momentum));
}

void fn_adagrad(enum fn_dtype dtype, size_t n, void *p, const void *g, void *h, double lr) {
    FN_BY_DTYPE(dtype, fn_adagrad, (n, p, g, h, lr));
}

void fn_rmsprop(enum fn_dtype dtype, size_t n, void *p, const void *g, void *h, double lr,
                double decay_rate) {
    FN_BY_DTYPE(dtype, fn_rmsprop, (n, p, g, h, lr, decay_rate));
}

void fn_adam(enum fn_dtype dtype, size_t n, void *p, const void *g, void *m, void *v,
             double lr_t, double beta1, double beta2) {
    FN_BY_DTYPE(dtype, fn_adam, (n, p, g, m, v, lr_t, beta1, beta2));
}

void fn_rms(enum fn_dtype dtype, size_t n, void *p, const void *g, void *h, double lr,
            double decay, double gain, double eps) {
    FN_BY_DTYPE(dtype, fn_rms, (n, p, g, h, lr, decay, gain, eps));
}
