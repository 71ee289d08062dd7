"""Softmax and losses for the "cython" backend.

Same names and signatures as `fastnet.backend.numpy.losses`. Outputs are
allocated here with NumPy; `fastnet._losses` fills them from C
(csrc/losses/losses.c) without the GIL, in one pass over the logits per row, and
returns the loss as a Python float accumulated in double precision.
"""

import numpy as np

from ... import _losses


def softmax(x):
    """Y[i] := exp(X[i] - max X[i]) / Σ exp(X[i] - max X[i]) for each row of x (N, C)."""
    y = np.empty(x.shape, x.dtype)
    _losses.softmax(x, y)
    return y


def cross_entropy(y, t):
    """L := -Σ_i log(Y[i, t_i] + 1e-7) / N (the book's cross_entropy_error)."""
    return _losses.cross_entropy(y, t)


def softmax_cross_entropy(x, t):
    """(L, dX) := (cross_entropy(softmax(X), t), (softmax(X) - T) / N)."""
    dx = np.empty(x.shape, x.dtype)
    loss = _losses.softmax_cross_entropy(x, t, dx)
    return loss, dx


def sigmoid_binary_cross_entropy(x, t):
    """(L, dX) := (mean(softplus(X) - T·X), (sigmoid(X) - T) / X.size)."""
    dx = np.empty(x.shape, x.dtype)
    loss = _losses.sigmoid_binary_cross_entropy(x, t, dx)
    return loss, dx


def mean_squared_error(y, t):
    """(L, dY) := (mean((Y - T)²), 2·(Y - T) / Y.size)."""
    dy = np.empty(y.shape, y.dtype)
    loss = _losses.mean_squared_error(y, t, dy)
    return loss, dy
