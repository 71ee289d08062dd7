# The convolution family's entry points (csrc/conv/conv.h).

from libc.stdint cimport int32_t

from ._c_vocabulary cimport fn_dtype


cdef extern from "conv/conv.h" nogil:
    ctypedef struct fn_window:
        Py_ssize_t n, c, h, w, fh, fw, stride, pad, oh, ow
    void fn_im2col(fn_dtype dtype, const fn_window *g, const void *x, const Py_ssize_t *xs,
                   int channels_last, void *col)
    void fn_col2im(fn_dtype dtype, const fn_window *g, const void *col, void *dx,
                   const Py_ssize_t *ds, int channels_last)
    void fn_max_pool_forward(fn_dtype dtype, const fn_window *g, const void *x,
                             const Py_ssize_t *xs, void *out, const Py_ssize_t *os,
                             int32_t *arg_max, const Py_ssize_t *as_)
    void fn_max_pool_backward(fn_dtype dtype, const fn_window *g, const void *dout,
                              const Py_ssize_t *os, const int32_t *arg_max,
                              const Py_ssize_t *as_, void *dx, const Py_ssize_t *ds)
    int fn_conv_forward(fn_dtype dtype, const fn_window *g, const void *x, const Py_ssize_t *xs,
                        int channels_last, const void *w, Py_ssize_t filters, const void *bias,
                        int activation, int kernel, void *out)
    int fn_conv_backward(fn_dtype dtype, const fn_window *g, const void *x,
                         const Py_ssize_t *xs, int channels_last, const void *w,
                         Py_ssize_t filters, const void *dout, const Py_ssize_t *os,
                         const void *y, const Py_ssize_t *ys, int activation, int kernel,
                         void *dw, void *db, void *dx, const Py_ssize_t *ds,
                         const void *w_flip)
    int fn_conv_pool_forward(fn_dtype dtype, const fn_window *g, const void *x,
                             const Py_ssize_t *xs, int channels_last, const void *w,
                             Py_ssize_t filters, const void *bias, int activation, int kernel,
                             const fn_window *pool, void *out, int32_t *arg_max)
    int fn_conv_pool_backward(fn_dtype dtype, const fn_window *g, const void *x,
                              const Py_ssize_t *xs, int channels_last, const void *w,
                              Py_ssize_t filters, const fn_window *pool, const void *dout,
                              const Py_ssize_t *os, const void *out, const Py_ssize_t *ys,
                              const int32_t *arg_max, const Py_ssize_t *as_, int activation,
                              int kernel, void *dw, void *db, void *dx, const Py_ssize_t *ds,
                              const void *w_flip)
    void fn_conv_activation_grad(fn_dtype dtype, Py_ssize_t m, Py_ssize_t filters,
                                 const void *d, Py_ssize_t drs, Py_ssize_t dcs, const void *y,
                                 Py_ssize_t yrs, Py_ssize_t ycs, int activation, void *dact)
