# The elementwise kernels' entry points (csrc/elementwise/elementwise.h).

from libc.stdint cimport uint8_t

from ._c_vocabulary cimport fn_dtype


cdef extern from "elementwise/elementwise.h" nogil:
    int FN_MAX_DIMS
    void fn_add(fn_dtype dtype, int ndim, const Py_ssize_t *shape, const void *a,
                const Py_ssize_t *a_strides, const void *b, const Py_ssize_t *b_strides, void *c)
    void fn_column_sum(fn_dtype dtype, size_t n, size_t m, const void *x, Py_ssize_t row_stride,
                       void *s)
    void fn_act_forward(fn_dtype dtype, int act, const void *x, void *y, size_t n)
    void fn_act_backward(fn_dtype dtype, int act, const void *dout, const void *y, void *dx,
                         size_t n)
    void fn_mask_multiply(fn_dtype dtype, size_t size, const void *x, const uint8_t *mask,
                          void *y)
