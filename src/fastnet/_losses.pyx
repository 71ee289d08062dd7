"""Softmax and the losses (C kernels in csrc/losses/).

Called by fastnet.backend.cython.losses with arrays the Backend has
validated (float32/float64 of one dtype, matching shapes, labels of type
np.intp inside [0, C)). Arrays are read through the buffer protocol (a
strided input is copied once into the layout its kernel reads), the kernel
runs without the GIL, and each loss comes back as a Python float computed in
double precision.
"""

from cpython.buffer cimport Py_buffer

from ._buffers cimport Buffers, dtype_of, elements, row_stride
from ._c_vocabulary cimport fn_dtype
from ._c_losses cimport (
    fn_cross_entropy,
    fn_mse,
    fn_sigmoid_bce,
    fn_softmax,
    fn_softmax_cross_entropy,
)


cdef inline const Py_ssize_t *labels_of(Py_buffer *t) noexcept nogil:
    """t's labels when it holds one per row (1-D), else NULL: t is one-hot rows."""
    return <const Py_ssize_t *>t.buf if t.ndim == 1 else NULL


def softmax(x, y):
    """y := row-wise softmax of a 2-D x; y a new C-contiguous array."""
    cdef Buffers b = Buffers()
    cdef Py_buffer *vx = b.read_rows(x)
    cdef Py_buffer *vy = b.write(y)
    with nogil:
        fn_softmax(dtype_of(vx), vx.shape[0], vx.shape[1], vx.buf, row_stride(vx), vy.buf)


def cross_entropy(y, t):
    """The book's cross-entropy of probabilities y (N, C) and labels or one-hot t."""
    cdef Buffers b = Buffers()
    cdef Py_buffer *vy = b.read_rows(y)
    cdef Py_buffer *vt = b.read_rows(t)
    cdef double loss
    with nogil:
        loss = fn_cross_entropy(dtype_of(vy), vy.shape[0], vy.shape[1], vy.buf, row_stride(vy),
                                labels_of(vt), vt.buf, row_stride(vt))
    return loss


def softmax_cross_entropy(x, t, dx):
    """Loss of softmax + cross-entropy; fills dx (N, C) with (softmax(x) - T) / N."""
    cdef Buffers b = Buffers()
    cdef Py_buffer *vx = b.read_rows(x)
    cdef Py_buffer *vt = b.read_rows(t)
    cdef Py_buffer *vd = b.write(dx)
    cdef double loss
    with nogil:
        loss = fn_softmax_cross_entropy(dtype_of(vx), vx.shape[0], vx.shape[1], vx.buf,
                                        row_stride(vx), labels_of(vt), vt.buf, row_stride(vt),
                                        vd.buf)
    return loss


ctypedef double (*flat_loss)(fn_dtype dtype, size_t n, const void *y, const void *t,
                             void *dy) noexcept nogil


cdef double _flat_loss(flat_loss loss_of, y, t, dy) except? -1:
    """loss_of over y and t read as flat runs of elements; fills dy."""
    cdef Buffers b = Buffers()
    cdef Py_buffer *vy = b.read_flat(y)
    cdef Py_buffer *vt = b.read_flat(t)
    cdef Py_buffer *vd = b.write(dy)
    cdef double loss
    with nogil:
        loss = loss_of(dtype_of(vy), elements(vy), vy.buf, vt.buf, vd.buf)
    return loss


def sigmoid_binary_cross_entropy(x, t, dx):
    """Mean binary cross-entropy of logits x and targets t; fills dx."""
    return _flat_loss(fn_sigmoid_bce, x, t, dx)


def mean_squared_error(y, t, dy):
    """Mean of (y - t)²; fills dy with 2·(y - t) / y.size."""
    return _flat_loss(fn_mse, y, t, dy)
