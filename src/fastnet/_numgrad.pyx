"""Series of the loss in one perturbation, for fast numerical gradients (csrc/numgrad/).

Called by fastnet.numgrad with arrays it has validated (float64, C-contiguous,
labels int64 inside [0, C), 1 <= given <= degree <= 8). The NumPy reference
with the same name and signature is fastnet.numgrad_reference.
"""

from libc.stdint cimport int64_t

import numpy as np

cdef extern from "numgrad/xent_jet.h" nogil:
    void fn_xent_jet_f64(size_t n, size_t units, size_t classes, size_t given, size_t degree,
                         const double *y, const int64_t *labels, const double *da, double *out)

MAX_DEGREE = 8


def xent_jet(const double[:, ::1] y, const int64_t[::1] labels, const double[:, :, :, ::1] da,
             int degree):
    """out[n, u, m-1]: coefficient m of ℓ_n(δ) - ℓ_n(0) (see csrc/numgrad/xent_jet.h)."""
    cdef size_t n = da.shape[0], units = da.shape[1], given = da.shape[2], classes = da.shape[3]
    out = np.zeros((n, units, degree), dtype=np.float64)
    cdef double[:, :, ::1] o = out
    if n == 0 or units == 0 or classes == 0:
        return out
    with nogil:
        fn_xent_jet_f64(n, units, classes, given, degree, &y[0, 0], &labels[0],
                        &da[0, 0, 0, 0], &o[0, 0, 0])
    return out
