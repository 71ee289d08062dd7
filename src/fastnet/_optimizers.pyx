"""The book's optimizer updates, in place (C kernels in csrc/optimizers.c).

Called by fastnet.backend.compiled_optimizers with arrays the Backend has
validated (same shape and dtype, param writable). Each function updates
param and its state arrays in place and returns True, or returns False and
touches nothing when an array is not C-contiguous: the caller then runs the
reference rule, which updates the strided arrays themselves (never a copy).
"""

from cpython.buffer cimport PyBUF_STRIDES, PyBUF_WRITABLE, PyBuffer_Release, PyObject_GetBuffer

cdef extern from "optimizers/optimizers.h" nogil:
    void fn_sgd_f32(size_t n, float *p, const float *g, double lr)
    void fn_sgd_f64(size_t n, double *p, const double *g, double lr)
    void fn_momentum_f32(size_t n, float *p, const float *g, float *v, double lr, double momentum)
    void fn_momentum_f64(size_t n, double *p, const double *g, double *v, double lr,
                         double momentum)
    void fn_nesterov_f32(size_t n, float *p, const float *g, float *v, double lr, double momentum)
    void fn_nesterov_f64(size_t n, double *p, const double *g, double *v, double lr,
                         double momentum)
    void fn_adagrad_f32(size_t n, float *p, const float *g, float *h, double lr)
    void fn_adagrad_f64(size_t n, double *p, const double *g, double *h, double lr)
    void fn_rmsprop_f32(size_t n, float *p, const float *g, float *h, double lr, double decay_rate)
    void fn_rmsprop_f64(size_t n, double *p, const double *g, double *h, double lr,
                        double decay_rate)
    void fn_adam_f32(size_t n, float *p, const float *g, float *m, float *v, double lr_t,
                     double beta1, double beta2)
    void fn_adam_f64(size_t n, double *p, const double *g, double *m, double *v, double lr_t,
                     double beta1, double beta2)
    void fn_keras_rms_f32(size_t n, float *p, const float *g, float *h, double lr, double decay,
                          double gain, double eps)
    void fn_keras_rms_f64(size_t n, double *p, const double *g, double *h, double lr,
                          double decay, double gain, double eps)


cdef bint _c_contiguous(Py_buffer *v) noexcept:
    cdef Py_ssize_t expect = v.itemsize
    if v.len == 0:
        return True
    for k in range(v.ndim - 1, -1, -1):
        if v.shape[k] != 1 and v.strides[k] != expect:
            return False
        expect *= v.shape[k]
    return <size_t>v.buf % <size_t>v.itemsize == 0


cdef class _Views:
    """The buffers of one update's arrays, released together."""
    cdef Py_buffer v[4]
    cdef int count
    cdef bint contiguous

    def __cinit__(self, *arrays):
        self.count = 0
        self.contiguous = True
        for i, arr in enumerate(arrays):
            # grad (index 1) is only read; param and the states are written
            PyObject_GetBuffer(arr, &self.v[i], PyBUF_STRIDES if i == 1 else
                               PyBUF_STRIDES | PyBUF_WRITABLE)
            self.count += 1
            self.contiguous = self.contiguous and _c_contiguous(&self.v[i])

    def __dealloc__(self):
        for i in range(self.count):
            PyBuffer_Release(&self.v[i])


def sgd(param, grad, double lr):
    """p -= lr·g; False (nothing done) for non-contiguous arrays."""
    cdef _Views b = _Views(param, grad)
    if not b.contiguous:
        return False
    cdef size_t n = b.v[0].len // b.v[0].itemsize
    if b.v[0].itemsize == 4:
        with nogil:
            fn_sgd_f32(n, <float *>b.v[0].buf, <float *>b.v[1].buf, lr)
    else:
        with nogil:
            fn_sgd_f64(n, <double *>b.v[0].buf, <double *>b.v[1].buf, lr)
    return True


def momentum(param, grad, velocity, double lr, double momentum):
    """v = momentum·v - lr·g; p += v. False for non-contiguous arrays."""
    cdef _Views b = _Views(param, grad, velocity)
    if not b.contiguous:
        return False
    cdef size_t n = b.v[0].len // b.v[0].itemsize
    if b.v[0].itemsize == 4:
        with nogil:
            fn_momentum_f32(n, <float *>b.v[0].buf, <float *>b.v[1].buf, <float *>b.v[2].buf,
                            lr, momentum)
    else:
        with nogil:
            fn_momentum_f64(n, <double *>b.v[0].buf, <double *>b.v[1].buf, <double *>b.v[2].buf,
                            lr, momentum)
    return True


def nesterov(param, grad, velocity, double lr, double momentum):
    """The book's Nesterov step. False for non-contiguous arrays."""
    cdef _Views b = _Views(param, grad, velocity)
    if not b.contiguous:
        return False
    cdef size_t n = b.v[0].len // b.v[0].itemsize
    if b.v[0].itemsize == 4:
        with nogil:
            fn_nesterov_f32(n, <float *>b.v[0].buf, <float *>b.v[1].buf, <float *>b.v[2].buf,
                            lr, momentum)
    else:
        with nogil:
            fn_nesterov_f64(n, <double *>b.v[0].buf, <double *>b.v[1].buf, <double *>b.v[2].buf,
                            lr, momentum)
    return True


def adagrad(param, grad, h, double lr):
    """h += g²; p -= lr·g / (√h + 1e-7). False for non-contiguous arrays."""
    cdef _Views b = _Views(param, grad, h)
    if not b.contiguous:
        return False
    cdef size_t n = b.v[0].len // b.v[0].itemsize
    if b.v[0].itemsize == 4:
        with nogil:
            fn_adagrad_f32(n, <float *>b.v[0].buf, <float *>b.v[1].buf, <float *>b.v[2].buf, lr)
    else:
        with nogil:
            fn_adagrad_f64(n, <double *>b.v[0].buf, <double *>b.v[1].buf, <double *>b.v[2].buf,
                           lr)
    return True


def rmsprop(param, grad, h, double lr, double decay_rate):
    """h = decay·h + (1 - decay)·g²; p -= lr·g / (√h + 1e-7). False for non-contiguous arrays."""
    cdef _Views b = _Views(param, grad, h)
    if not b.contiguous:
        return False
    cdef size_t n = b.v[0].len // b.v[0].itemsize
    if b.v[0].itemsize == 4:
        with nogil:
            fn_rmsprop_f32(n, <float *>b.v[0].buf, <float *>b.v[1].buf, <float *>b.v[2].buf,
                           lr, decay_rate)
    else:
        with nogil:
            fn_rmsprop_f64(n, <double *>b.v[0].buf, <double *>b.v[1].buf, <double *>b.v[2].buf,
                           lr, decay_rate)
    return True


def adam(param, grad, m, v, double lr_t, double beta1, double beta2):
    """The book's Adam step with the bias-corrected rate lr_t. False for non-contiguous arrays."""
    cdef _Views b = _Views(param, grad, m, v)
    if not b.contiguous:
        return False
    cdef size_t n = b.v[0].len // b.v[0].itemsize
    if b.v[0].itemsize == 4:
        with nogil:
            fn_adam_f32(n, <float *>b.v[0].buf, <float *>b.v[1].buf, <float *>b.v[2].buf,
                        <float *>b.v[3].buf, lr_t, beta1, beta2)
    else:
        with nogil:
            fn_adam_f64(n, <double *>b.v[0].buf, <double *>b.v[1].buf, <double *>b.v[2].buf,
                        <double *>b.v[3].buf, lr_t, beta1, beta2)
    return True


def keras_rms(param, grad, h, double lr, double decay, double gain, double eps):
    """h = decay·h + gain·g²; p -= lr·g / √(h + eps). False for non-contiguous arrays."""
    cdef _Views b = _Views(param, grad, h)
    if not b.contiguous:
        return False
    cdef size_t n = b.v[0].len // b.v[0].itemsize
    if b.v[0].itemsize == 4:
        with nogil:
            fn_keras_rms_f32(n, <float *>b.v[0].buf, <float *>b.v[1].buf, <float *>b.v[2].buf,
                             lr, decay, gain, eps)
    else:
        with nogil:
            fn_keras_rms_f64(n, <double *>b.v[0].buf, <double *>b.v[1].buf, <double *>b.v[2].buf,
                             lr, decay, gain, eps)
    return True
