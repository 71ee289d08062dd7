"""NumPy reference of the compiled numerical-gradient kernels (fastnet._numgrad).

Same names and signatures as the compiled module; the executable
specification its tests compare against (tests/test_kernels_numgrad.py).
"""

import numpy as np

from . import series

__all__ = ["MAX_DEGREE", "xent_jet"]

MAX_DEGREE = 8
LOG_EPS = 1e-7  # the book's cross_entropy_error adds it inside the log


def xent_jet(y, labels, da, degree):
    """out[n, u, m-1]: coefficient m (1..degree) of ℓ_n(δ) - ℓ_n(0), where

        ℓ_n(δ) = -log(softmax(a_n + Σ_{m=1..p} da[n, u, m-1] δ^m)[labels[n]] + 1e-7)

    y: (N, C) softmax(a); labels: (N,) int64; da: (N, U, p, C), p <= degree.
    Written in y's terms, softmax(a + Δa)_k = y_k·exp(Δa_k) / Σ_j y_j·exp(Δa_j),
    so a never appears and no row maximum is subtracted.
    """
    n, units, given, classes = da.shape
    if n == 0 or units == 0 or classes == 0:
        return np.zeros((n, units, degree))
    u = [None] + [da[:, :, m, :] for m in range(given)]  # each (N, U, C)
    E = series.exp0(u, degree)
    yb = y[:, None, :]
    S = [np.broadcast_to((yb * E[0]).sum(axis=2), (n, units))] + [
        (yb * E[m]).sum(axis=2) for m in range(1, degree + 1)]
    rows = np.arange(n)
    yt = y[rows, labels][:, None]
    Et = [E[m][rows, :, labels] for m in range(degree + 1)]
    Q = series.quotient([yt * e for e in Et], S, degree)
    Q[0] = Q[0] + LOG_EPS
    L = series.log(Q, degree)
    return -np.stack(L[1:], axis=2)
