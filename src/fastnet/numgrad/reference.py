"""NumPy reference of the compiled numerical-gradient kernels (fastnet._numgrad).

Same names and signatures as the compiled module; the executable
specification its tests compare against (tests/kernels/test_numgrad_kernel.py).
"""

import numpy as np

from . import series

__all__ = ["MAX_DEGREE", "xent_jet", "affine_jet", "series_sum", "power"]

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


def affine_jet(y, labels, pre, activation, w, degree):
    """xent_jet when pre[n, u] moves by δ and the logits by z(δ)·w[u, :], where
    z(δ) = activation(pre + δ) - activation(pre); relu's series is its slope.

    pre: (N, U) pre-activations of the last hidden layer (or the logits, with
    w the identity); w: (U, C).
    """
    given = 1 if activation in ("identity", "relu") else degree
    z = series.activation(activation, pre, [None, np.ones_like(pre)], given)[1:]
    da = np.stack(z, axis=2)[:, :, :, None] * w[None, :, None, :]
    return xent_jet(y, labels, da, degree)


def series_sum(X, g, valid, up, down, powers, h):
    """out[i, j] = Σ_{m in powers} (up^m - down^m)[i, j] / 2h · S_m[i, j], where
    S_m[i, j] = Σ_{n: valid[n, j]} X[n, i]^m·g[n, j, m-1].

    X: (N, I); g: (N, J, degree); valid: (N, J); up, down: (I, J); powers: ints in [1, degree].
    """
    out = np.zeros(up.shape)
    for m in powers:
        gm = np.where(valid, g[:, :, m - 1], 0.0)
        factor = (power(up, m) - power(down, m)) / (2 * h)
        out += factor * (power(X, m).T @ gm)
    return out


def power(X, m):
    """X**m by repeated multiplication (np.power calls pow() for every element)."""
    out = X
    for _ in range(m - 1):
        out = out * X
    return out
