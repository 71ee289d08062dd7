"""The book's optimizer updates, in place (C kernels in csrc/optimizers/).

Called by the compiled backend with arrays the Backend has validated (same
shape and dtype, param writable). Each function updates param and its state
arrays in place and returns True, or returns False and touches nothing when
an array is not C-contiguous: the caller then runs the reference rule, which
updates the strided arrays themselves (never a copy).
"""

from cpython.buffer cimport Py_buffer

from ._buffers cimport Buffers, dtype_of, elements
from ._c_optimizers cimport (
    fn_adagrad,
    fn_adam,
    fn_momentum,
    fn_nesterov,
    fn_rms,
    fn_rmsprop,
    fn_sgd,
)


def sgd(param, grad, double lr):
    """p -= lr·g; False (nothing done) for non-contiguous arrays."""
    cdef Buffers b = Buffers()
    cdef Py_buffer *p = b.write(param)
    cdef Py_buffer *g = b.read(grad)
    if not b.contiguous():
        return False
    with nogil:
        fn_sgd(dtype_of(p), elements(p), p.buf, g.buf, lr)
    return True


def momentum(param, grad, velocity, double lr, double momentum):
    """v = momentum·v - lr·g; p += v. False for non-contiguous arrays."""
    cdef Buffers b = Buffers()
    cdef Py_buffer *p = b.write(param)
    cdef Py_buffer *g = b.read(grad)
    cdef Py_buffer *v = b.write(velocity)
    if not b.contiguous():
        return False
    with nogil:
        fn_momentum(dtype_of(p), elements(p), p.buf, g.buf, v.buf, lr, momentum)
    return True


def nesterov(param, grad, velocity, double lr, double momentum):
    """The book's Nesterov step. False for non-contiguous arrays."""
    cdef Buffers b = Buffers()
    cdef Py_buffer *p = b.write(param)
    cdef Py_buffer *g = b.read(grad)
    cdef Py_buffer *v = b.write(velocity)
    if not b.contiguous():
        return False
    with nogil:
        fn_nesterov(dtype_of(p), elements(p), p.buf, g.buf, v.buf, lr, momentum)
    return True


def adagrad(param, grad, h, double lr):
    """h += g²; p -= lr·g / (√h + 1e-7). False for non-contiguous arrays."""
    cdef Buffers b = Buffers()
    cdef Py_buffer *p = b.write(param)
    cdef Py_buffer *g = b.read(grad)
    cdef Py_buffer *hv = b.write(h)
    if not b.contiguous():
        return False
    with nogil:
        fn_adagrad(dtype_of(p), elements(p), p.buf, g.buf, hv.buf, lr)
    return True


def rmsprop(param, grad, h, double lr, double decay_rate):
    """h = decay·h + (1 - decay)·g²; p -= lr·g / (√h + 1e-7). False for non-contiguous arrays."""
    cdef Buffers b = Buffers()
    cdef Py_buffer *p = b.write(param)
    cdef Py_buffer *g = b.read(grad)
    cdef Py_buffer *hv = b.write(h)
    if not b.contiguous():
        return False
    with nogil:
        fn_rmsprop(dtype_of(p), elements(p), p.buf, g.buf, hv.buf, lr, decay_rate)
    return True


def adam(param, grad, m, v, double lr_t, double beta1, double beta2):
    """The book's Adam step with the bias-corrected rate lr_t. False for non-contiguous arrays."""
    cdef Buffers b = Buffers()
    cdef Py_buffer *p = b.write(param)
    cdef Py_buffer *g = b.read(grad)
    cdef Py_buffer *mv = b.write(m)
    cdef Py_buffer *vv = b.write(v)
    if not b.contiguous():
        return False
    with nogil:
        fn_adam(dtype_of(p), elements(p), p.buf, g.buf, mv.buf, vv.buf, lr_t, beta1, beta2)
    return True


def rms(param, grad, h, double lr, double decay, double gain, double eps):
    """h = decay·h + gain·g²; p -= lr·g / √(h + eps). False for non-contiguous arrays."""
    cdef Buffers b = Buffers()
    cdef Py_buffer *p = b.write(param)
    cdef Py_buffer *g = b.read(grad)
    cdef Py_buffer *hv = b.write(h)
    if not b.contiguous():
        return False
    with nogil:
        fn_rms(dtype_of(p), elements(p), p.buf, g.buf, hv.buf, lr, decay, gain, eps)
    return True

