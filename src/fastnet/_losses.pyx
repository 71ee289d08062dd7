"""Softmax and the losses (C kernels in csrc/losses.c).

Called by fastnet.backend.compiled_losses with arrays the Backend has
validated (float32/float64 of one dtype, matching shapes, labels of type
np.intp inside [0, C)). Arrays are read through the buffer protocol, the
kernel for the item size runs without the GIL, and each loss comes back as a
Python float computed in double precision.
"""

from cpython.buffer cimport PyBUF_STRIDES, PyBUF_WRITABLE, PyBuffer_Release, PyObject_GetBuffer

import numpy as np

cdef extern from "losses/losses.h" nogil:
    void fn_softmax_f32(size_t n, size_t c, const float *x, Py_ssize_t xs, float *y)
    void fn_softmax_f64(size_t n, size_t c, const double *x, Py_ssize_t xs, double *y)
    double fn_cross_entropy_f32(size_t n, size_t c, const float *y, Py_ssize_t ys,
                                const Py_ssize_t *labels, const float *t, Py_ssize_t ts)
    double fn_cross_entropy_f64(size_t n, size_t c, const double *y, Py_ssize_t ys,
                                const Py_ssize_t *labels, const double *t, Py_ssize_t ts)
    double fn_softmax_cross_entropy_f32(size_t n, size_t c, const float *x, Py_ssize_t xs,
                                        const Py_ssize_t *labels, const float *t, Py_ssize_t ts,
                                        float *dx)
    double fn_softmax_cross_entropy_f64(size_t n, size_t c, const double *x, Py_ssize_t xs,
                                        const Py_ssize_t *labels, const double *t, Py_ssize_t ts,
                                        double *dx)
    double fn_sigmoid_bce_f32(size_t n, const float *x, const float *t, float *dx)
    double fn_sigmoid_bce_f64(size_t n, const double *x, const double *t, double *dx)
    double fn_mse_f32(size_t n, const float *y, const float *t, float *dy)
    double fn_mse_f64(size_t n, const double *y, const double *t, double *dy)


cdef bint _c_contiguous(Py_buffer *v) noexcept:
    """All elements adjacent, in C order, and element-aligned."""
    if v.len == 0:
        return True
    if <size_t>v.buf % <size_t>v.itemsize:
        return False
    cdef Py_ssize_t expect = v.itemsize
    for k in range(v.ndim - 1, -1, -1):
        if v.shape[k] != 1 and v.strides[k] != expect:
            return False
        expect *= v.shape[k]
    return True


cdef bint _rows_ok(Py_buffer *v) noexcept:
    """A 2-D array whose rows are each contiguous and element-aligned (rows may be
    any whole number of elements apart), or any C-contiguous array."""
    if v.ndim != 2 or v.len == 0:
        return _c_contiguous(v)
    if <size_t>v.buf % <size_t>v.itemsize:
        return False
    return (v.shape[1] == 1 or v.strides[1] == v.itemsize) and v.strides[0] % v.itemsize == 0


cdef object _view(object arr, Py_buffer *v, bint flat):
    """Acquire arr's buffer in the layout its kernel reads, copying it once if needed:
    flat, every element adjacent (the elementwise losses read n numbers in a row);
    else contiguous rows any stride apart (the row kernels take a row stride)."""
    PyObject_GetBuffer(arr, v, PyBUF_STRIDES)
    if _c_contiguous(v) if flat else _rows_ok(v):
        return arr
    PyBuffer_Release(v)
    arr = np.array(arr, order="C", copy=True)
    PyObject_GetBuffer(arr, v, PyBUF_STRIDES)
    return arr


cdef inline Py_ssize_t _row_stride(Py_buffer *v) noexcept nogil:
    return v.strides[0] // v.itemsize if v.ndim == 2 else 0


def softmax(x, y):
    """y := row-wise softmax of a 2-D x; y a new C-contiguous array."""
    cdef Py_buffer vx, vy
    x = _view(x, &vx, False)
    try:
        PyObject_GetBuffer(y, &vy, PyBUF_STRIDES | PyBUF_WRITABLE)
        if vx.itemsize == 4:
            with nogil:
                fn_softmax_f32(vx.shape[0], vx.shape[1], <float *>vx.buf, _row_stride(&vx),
                               <float *>vy.buf)
        else:
            with nogil:
                fn_softmax_f64(vx.shape[0], vx.shape[1], <double *>vx.buf, _row_stride(&vx),
                               <double *>vy.buf)
        PyBuffer_Release(&vy)
    finally:
        PyBuffer_Release(&vx)


def cross_entropy(y, t):
    """The book's cross-entropy of probabilities y (N, C) and labels or one-hot t."""
    cdef Py_buffer vy, vt
    cdef double loss
    cdef const Py_ssize_t *labels = NULL
    cdef const char *onehot = NULL
    y = _view(y, &vy, False)
    try:
        t = _view(t, &vt, False)
        try:
            if vt.ndim == 1:
                labels = <const Py_ssize_t *>vt.buf
            else:
                onehot = <const char *>vt.buf
            if vy.itemsize == 4:
                with nogil:
                    loss = fn_cross_entropy_f32(vy.shape[0], vy.shape[1], <float *>vy.buf,
                                                _row_stride(&vy), labels, <float *>onehot,
                                                _row_stride(&vt))
            else:
                with nogil:
                    loss = fn_cross_entropy_f64(vy.shape[0], vy.shape[1], <double *>vy.buf,
                                                _row_stride(&vy), labels, <double *>onehot,
                                                _row_stride(&vt))
        finally:
            PyBuffer_Release(&vt)
    finally:
        PyBuffer_Release(&vy)
    return loss


def softmax_cross_entropy(x, t, dx):
    """Loss of softmax + cross-entropy; fills dx (N, C) with (softmax(x) - T) / N."""
    cdef Py_buffer vx, vt, vd
    cdef double loss
    cdef const Py_ssize_t *labels = NULL
    cdef const char *target = NULL
    x = _view(x, &vx, False)
    try:
        t = _view(t, &vt, False)
        try:
            if vt.ndim == 1:
                labels = <const Py_ssize_t *>vt.buf
            else:
                target = <const char *>vt.buf
            PyObject_GetBuffer(dx, &vd, PyBUF_STRIDES | PyBUF_WRITABLE)
            if vx.itemsize == 4:
                with nogil:
                    loss = fn_softmax_cross_entropy_f32(
                        vx.shape[0], vx.shape[1], <float *>vx.buf, _row_stride(&vx),
                        labels, <float *>target, _row_stride(&vt), <float *>vd.buf)
            else:
                with nogil:
                    loss = fn_softmax_cross_entropy_f64(
                        vx.shape[0], vx.shape[1], <double *>vx.buf, _row_stride(&vx),
                        labels, <double *>target, _row_stride(&vt), <double *>vd.buf)
            PyBuffer_Release(&vd)
        finally:
            PyBuffer_Release(&vt)
    finally:
        PyBuffer_Release(&vx)
    return loss


def sigmoid_binary_cross_entropy(x, t, dx):
    """Mean binary cross-entropy of logits x and targets t; fills dx."""
    cdef Py_buffer vx, vt, vd
    cdef double loss
    cdef size_t n
    x = _view(x, &vx, True)
    try:
        t = _view(t, &vt, True)
        try:
            PyObject_GetBuffer(dx, &vd, PyBUF_STRIDES | PyBUF_WRITABLE)
            n = vx.len // vx.itemsize
            if vx.itemsize == 4:
                with nogil:
                    loss = fn_sigmoid_bce_f32(n, <float *>vx.buf, <float *>vt.buf, <float *>vd.buf)
            else:
                with nogil:
                    loss = fn_sigmoid_bce_f64(n, <double *>vx.buf, <double *>vt.buf,
                                              <double *>vd.buf)
            PyBuffer_Release(&vd)
        finally:
            PyBuffer_Release(&vt)
    finally:
        PyBuffer_Release(&vx)
    return loss


def mean_squared_error(y, t, dy):
    """Mean of (y - t)²; fills dy with 2·(y - t) / y.size."""
    cdef Py_buffer vy, vt, vd
    cdef double loss
    cdef size_t n
    y = _view(y, &vy, True)
    try:
        t = _view(t, &vt, True)
        try:
            PyObject_GetBuffer(dy, &vd, PyBUF_STRIDES | PyBUF_WRITABLE)
            n = vy.len // vy.itemsize
            if vy.itemsize == 4:
                with nogil:
                    loss = fn_mse_f32(n, <float *>vy.buf, <float *>vt.buf, <float *>vd.buf)
            else:
                with nogil:
                    loss = fn_mse_f64(n, <double *>vy.buf, <double *>vt.buf, <double *>vd.buf)
            PyBuffer_Release(&vd)
        finally:
            PyBuffer_Release(&vt)
    finally:
        PyBuffer_Release(&vy)
    return loss
