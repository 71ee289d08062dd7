"""The reference softmax and losses, in NumPy (see __init__.py)."""

import numpy as np

from .elementwise import _sigmoid

# Added inside the log of the cross-entropy, as in the book, so that a
# probability of exactly 0 gives a large finite loss instead of inf.
CROSS_ENTROPY_EPS = 1e-7


def softmax(x):
    """Y[i] := exp(X[i] - max X[i]) / Σ exp(X[i] - max X[i]) for each row.

    x: (N, C). Subtracting the row max keeps exp from overflowing.
    """
    # An inf in a row gives inf - inf = NaN; the Backend turns that into a
    # ValueError, so NumPy's warning is silenced here.
    with np.errstate(invalid="ignore"):
        e = np.exp(x - x.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)


def cross_entropy(y, t):
    """L := -Σ_i log(Y[i, t_i] + 1e-7) / N (the book's cross_entropy_error).

    y: (N, C) probabilities; t: (N,) integer labels or (N, C) one-hot
    (converted with argmax, as the book does). Returns a Python float.
    """
    labels = t.argmax(axis=1) if t.ndim == 2 else t
    n = y.shape[0]
    if n == 0:
        return 0.0
    picked = y[np.arange(n), labels]
    return float(-np.sum(np.log(picked + CROSS_ENTROPY_EPS)) / n)


def softmax_cross_entropy(x, t):
    """(L, dX) := (cross_entropy(softmax(X), t), (softmax(X) - T) / N).

    x: (N, C) logits; t: (N,) integer labels or (N, C) one-hot (or soft)
    targets T. The loss follows the book (argmax of one-hot t, 1e-7 in the
    log); the gradient is the book's SoftmaxWithLoss.backward(1).
    """
    y = softmax(x)
    loss = cross_entropy(y, t)
    n = x.shape[0]
    dx = y.copy()
    if t.ndim == 2:
        dx -= t
    else:
        dx[np.arange(n), t] -= 1
    if n:
        dx /= n
    return loss, dx


def sigmoid_binary_cross_entropy(x, t):
    """(L, dX) := (mean(softplus(X) - T·X), (sigmoid(X) - T) / X.size).

    x: logits, t: targets in [0, 1], same shape. softplus(x) - t·x equals
    -(t·log σ(x) + (1-t)·log(1-σ(x))) but never takes the log of 0.
    """
    if x.size == 0:
        return 0.0, x.copy()
    # inf logits give inf - inf = NaN here; the Backend reports that as a
    # ValueError, so NumPy's own warning would only be noise.
    with np.errstate(invalid="ignore"):
        loss = float(np.mean(_log1pexp(x) - t * x))
    dx = (_sigmoid(x) - t) / x.size
    return loss, dx.astype(x.dtype, copy=False)


def _log1pexp(x):
    # log(1 + e^x) = max(x, 0) + log1p(e^-|x|): e^x alone overflows for x > 88
    # in float32, e^-|x| never does.
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def mean_squared_error(y, t):
    """(L, dY) := (mean((Y - T)²), 2·(Y - T) / Y.size), y and t same shape."""
    if y.size == 0:
        return 0.0, y.copy()
    diff = y - t
    return float(np.mean(diff * diff)), (2 / y.size) * diff
