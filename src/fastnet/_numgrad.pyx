"""Series of the loss in one perturbation, for fast numerical gradients (csrc/numgrad/).

Called by fastnet.numgrad.kernels with arrays it has validated (float64,
C-contiguous, labels int64 inside [0, C), 1 <= given <= degree <= 8). The
NumPy reference with the same name and signature is
fastnet.numgrad.reference.xent_jet.
"""

from cpython.buffer cimport Py_buffer
from libc.stdint cimport int64_t

import numpy as np

from ._buffers cimport Buffers
from ._c_numgrad cimport fn_xent_jet_f64

MAX_DEGREE = 8


def xent_jet(y, labels, da, int degree):
    """out[n, u, m-1]: coefficient m of ℓ_n(δ) - ℓ_n(0) (see csrc/numgrad/xent_jet.h)."""
    cdef size_t n = da.shape[0], units = da.shape[1], given = da.shape[2], classes = da.shape[3]
    out = np.zeros((n, units, degree), dtype=np.float64)
    if n == 0 or units == 0 or classes == 0:
        return out
    cdef Buffers b = Buffers()
    cdef Py_buffer *vy = b.read(y)
    cdef Py_buffer *vl = b.read(labels)
    cdef Py_buffer *vd = b.read(da)
    cdef Py_buffer *vo = b.write(out)
    with nogil:
        fn_xent_jet_f64(n, units, classes, given, degree, <const double *>vy.buf,
                        <const int64_t *>vl.buf, <const double *>vd.buf, <double *>vo.buf)
    return out
