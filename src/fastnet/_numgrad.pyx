"""Series of the loss in one perturbation, for fast numerical gradients (csrc/numgrad/).

Called by fastnet.numgrad.kernels with arrays it has validated (float64,
C-contiguous, labels int64 inside [0, C), 1 <= given <= degree <= 8, valid
as uint8, powers int64 inside [1, degree]). Every input is read through
Buffers.read_flat, which copies an array that is contiguous but not aligned
to its element size (np.ascontiguousarray leaves such an array as it is).
The NumPy references with the same names and signatures are in
fastnet.numgrad.reference.
"""

from cpython.buffer cimport Py_buffer
from libc.stdint cimport int64_t, uint8_t

import numpy as np

from ._buffers cimport Buffers
from ._c_numgrad cimport fn_affine_jet_f64, fn_series_sum_f64, fn_xent_jet_f64
from .backend.vocabulary import ACTIVATION_CODES

MAX_DEGREE = 8


def xent_jet(y, labels, da, int degree):
    """out[n, u, m-1]: coefficient m of ℓ_n(δ) - ℓ_n(0) (see csrc/numgrad/xent_jet.h)."""
    cdef size_t n = da.shape[0], units = da.shape[1], given = da.shape[2], classes = da.shape[3]
    out = np.zeros((n, units, degree), dtype=np.float64)
    if n == 0 or units == 0 or classes == 0:
        return out
    cdef Buffers b = Buffers()
    cdef Py_buffer *vy = b.read_flat(y)
    cdef Py_buffer *vl = b.read_flat(labels)
    cdef Py_buffer *vd = b.read_flat(da)
    cdef Py_buffer *vo = b.write(out)
    with nogil:
        fn_xent_jet_f64(n, units, classes, given, degree, <const double *>vy.buf,
                        <const int64_t *>vl.buf, <const double *>vd.buf, <double *>vo.buf)
    return out


def affine_jet(y, labels, pre, activation, w, int degree):
    """xent_jet for a move δ of pre[n, u], through `activation` and w (u, C)."""
    cdef size_t n = pre.shape[0], units = pre.shape[1], classes = w.shape[1]
    cdef int code = ACTIVATION_CODES[activation]
    out = np.zeros((n, units, degree), dtype=np.float64)
    if n == 0 or units == 0 or classes == 0:
        return out
    cdef Buffers b = Buffers()
    cdef Py_buffer *vy = b.read_flat(y)
    cdef Py_buffer *vl = b.read_flat(labels)
    cdef Py_buffer *vp = b.read_flat(pre)
    cdef Py_buffer *vw = b.read_flat(w)
    cdef Py_buffer *vo = b.write(out)
    with nogil:
        fn_affine_jet_f64(n, units, classes, degree, code, <const double *>vy.buf,
                          <const int64_t *>vl.buf, <const double *>vp.buf,
                          <const double *>vw.buf, <double *>vo.buf)
    return out


def series_sum(X, g, valid, up, down, powers, double h):
    """out[i, j] = Σ_m (up^m - down^m) / 2h · Σ_n X[n, i]^m·g[n, j, m-1] (csrc/numgrad/series_sum.h)."""
    cdef size_t n = X.shape[0], inputs = X.shape[1], units = g.shape[1], degree = g.shape[2]
    cdef size_t count = powers.shape[0]
    out = np.empty((inputs, units), dtype=np.float64)
    cdef Buffers b = Buffers()
    cdef Py_buffer *vx = b.read_flat(X)
    cdef Py_buffer *vg = b.read_flat(g)
    cdef Py_buffer *vv = b.read_flat(valid)
    cdef Py_buffer *vu = b.read_flat(up)
    cdef Py_buffer *vd = b.read_flat(down)
    cdef Py_buffer *vp = b.read_flat(powers)
    cdef Py_buffer *vo = b.write(out)
    cdef int status
    with nogil:
        status = fn_series_sum_f64(n, inputs, units, degree, <const double *>vx.buf,
                                   <const double *>vg.buf, <const uint8_t *>vv.buf,
                                   <const double *>vu.buf, <const double *>vd.buf, count,
                                   <const int64_t *>vp.buf, h, <double *>vo.buf)
    if status:
        raise MemoryError("series_sum: out of memory for its scratch arrays")
    return out
