# Softmax and the losses' entry points (csrc/losses/losses.h).

from ._c_vocabulary cimport fn_dtype


cdef extern from "losses/losses.h" nogil:
    void fn_softmax(fn_dtype dtype, size_t n, size_t c, const void *x, Py_ssize_t xs, void *y)
    double fn_cross_entropy(fn_dtype dtype, size_t n, size_t c, const void *y, Py_ssize_t ys,
                            const Py_ssize_t *labels, const void *t, Py_ssize_t ts)
    double fn_softmax_cross_entropy(fn_dtype dtype, size_t n, size_t c, const void *x,
                                    Py_ssize_t xs, const Py_ssize_t *labels, const void *t,
                                    Py_ssize_t ts, void *dx)
    double fn_sigmoid_bce(fn_dtype dtype, size_t n, const void *x, const void *t, void *dx)
    double fn_mse(fn_dtype dtype, size_t n, const void *y, const void *t, void *dy)
