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
from ._c_vocabulary cimport fn_dtype


cdef struct Update:
    # param, grad and up to two state arrays of one update, as C reads them
    fn_dtype dtype
    size_t n
    void *p
    const void *g
    void *s0
    void *s1


cdef bint _open(Buffers b, Update *u, param, grad, s0=None, s1=None) except -1:
    """Fill u; False when an array is not C-contiguous (then nothing may run)."""
    cdef Py_buffer *p = b.write(param)
    u.dtype, u.n, u.p = dtype_of(p), elements(p), p.buf
    u.g = b.read(grad).buf
    u.s0 = b.write(s0).buf if s0 is not None else NULL
    u.s1 = b.write(s1).buf if s1 is not None else NULL
    return b.contiguous()


def sgd(param, grad, double lr):
    """p -= lr·g; False (nothing done) for non-contiguous arrays."""
    cdef Buffers b = Buffers()
    cdef Update u
    if not _open(b, &u, param, grad):
        return False
    with nogil:
        fn_sgd(u.dtype, u.n, u.p, u.g, lr)
    return True


def momentum(param, grad, velocity, double lr, double momentum):
    """v = momentum·v - lr·g; p += v. False for non-contiguous arrays."""
    cdef Buffers b = Buffers()
    cdef Update u
    if not _open(b, &u, param, grad, velocity):
        return False
    with nogil:
        fn_momentum(u.dtype, u.n, u.p, u.g, u.s0, lr, momentum)
    return True


def nesterov(param, grad, velocity, double lr, double momentum):
    """The book's Nesterov step. False for non-contiguous arrays."""
    cdef Buffers b = Buffers()
    cdef Update u
    if not _open(b, &u, param, grad, velocity):
        return False
    with nogil:
        fn_nesterov(u.dtype, u.n, u.p, u.g, u.s0, lr, momentum)
    return True


def adagrad(param, grad, h, double lr):
    """h += g²; p -= lr·g / (√h + 1e-7). False for non-contiguous arrays."""
    cdef Buffers b = Buffers()
    cdef Update u
    if not _open(b, &u, param, grad, h):
        return False
    with nogil:
        fn_adagrad(u.dtype, u.n, u.p, u.g, u.s0, lr)
    return True


def rmsprop(param, grad, h, double lr, double decay_rate):
    """h = decay·h + (1 - decay)·g²; p -= lr·g / (√h + 1e-7). False for non-contiguous arrays."""
    cdef Buffers b = Buffers()
    cdef Update u
    if not _open(b, &u, param, grad, h):
        return False
    with nogil:
        fn_rmsprop(u.dtype, u.n, u.p, u.g, u.s0, lr, decay_rate)
    return True


def adam(param, grad, m, v, double lr_t, double beta1, double beta2):
    """The book's Adam step with the bias-corrected rate lr_t. False for non-contiguous arrays."""
    cdef Buffers b = Buffers()
    cdef Update u
    if not _open(b, &u, param, grad, m, v):
        return False
    with nogil:
        fn_adam(u.dtype, u.n, u.p, u.g, u.s0, u.s1, lr_t, beta1, beta2)
    return True


def rms(param, grad, h, double lr, double decay, double gain, double eps):
    """h = decay·h + gain·g²; p -= lr·g / √(h + eps). False for non-contiguous arrays."""
    cdef Buffers b = Buffers()
    cdef Update u
    if not _open(b, &u, param, grad, h):
        return False
    with nogil:
        fn_rms(u.dtype, u.n, u.p, u.g, u.s0, lr, decay, gain, eps)
    return True
