# The optimizer updates' entry points (csrc/optimizers/optimizers.h).

from ._c_vocabulary cimport fn_dtype


cdef extern from "optimizers/optimizers.h" nogil:
    void fn_sgd(fn_dtype dtype, size_t n, void *p, const void *g, double lr)
    void fn_momentum(fn_dtype dtype, size_t n, void *p, const void *g, void *v, double lr,
                     double momentum)
    void fn_nesterov(fn_dtype dtype, size_t n, void *p, const void *g, void *v, double lr,
                     double momentum)
    void fn_adagrad(fn_dtype dtype, size_t n, void *p, const void *g, void *h, double lr)
    void fn_rmsprop(fn_dtype dtype, size_t n, void *p, const void *g, void *h, double lr,
                    double decay_rate)
    void fn_adam(fn_dtype dtype, size_t n, void *p, const void *g, void *m, void *v,
                 double lr_t, double beta1, double beta2)
    void fn_rms(fn_dtype dtype, size_t n, void *p, const void *g, void *h, double lr,
                double decay, double gain, double eps)
