# Batch normalization's entry points (csrc/norm/batchnorm.h).

from ._c_vocabulary cimport fn_dtype


cdef extern from "norm/batchnorm.h" nogil:
    void fn_batchnorm_forward_train(fn_dtype dtype, size_t n, size_t d, const void *x,
                                    const void *gamma, const void *beta, void *running_mean,
                                    void *running_var, double momentum, void *out, void *xn,
                                    void *std)
    void fn_batchnorm_forward_infer(fn_dtype dtype, size_t n, size_t d, const void *x,
                                    const void *gamma, const void *beta,
                                    const void *running_mean, const void *running_var, void *out)
    void fn_batchnorm_backward(fn_dtype dtype, size_t n, size_t d, const void *dout,
                               const void *xn, const void *std, const void *gamma, void *dx,
                               void *dgamma, void *dbeta)
