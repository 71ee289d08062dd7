"""The reference elementwise kernels: broadcasting, bias, activations, dropout.

In NumPy, the specification of the other backends (see __init__.py).
"""

import numpy as np

from ..vocabulary import ACTIVATIONS  # noqa: F401  (the names activation_forward takes)

# ------------------------------------------------------------ broadcasting


def add(a, b):
    """C := A + B with NumPy's broadcasting rules."""
    return a + b


def bias_add(x, bias):
    """Y := X + bias, x (N, M), bias (M,) added to every row."""
    return x + bias


def column_sum(x):
    """s := Σ_i X[i, :], x (N, M) -> (M,): the gradient of a bias."""
    return x.sum(axis=0)


# ------------------------------------------------------------- activations


def activation_forward(x, activation):
    """Y := act(X) elementwise, act in ACTIVATIONS. Returns a new array."""
    if activation == "identity":
        return x.copy()
    if activation == "relu":
        return np.maximum(x, 0)
    if activation == "sigmoid":
        return _sigmoid(x)
    if activation == "tanh":
        return np.tanh(x)
    raise ValueError(f"unknown activation {activation!r}")


def activation_backward(dout, y, activation):
    """dX := dout · act'(X), computed from the forward output Y = act(X).

    relu: dout·[y > 0]; sigmoid: dout·y·(1 - y); tanh: dout·(1 - y²).
    """
    if activation == "identity":
        return dout.copy()
    if activation == "relu":
        return np.where(y > 0, dout, 0).astype(dout.dtype, copy=False)
    if activation == "sigmoid":
        return dout * y * (1 - y)
    if activation == "tanh":
        return dout * (1 - y * y)
    raise ValueError(f"unknown activation {activation!r}")


def _sigmoid(x):
    # exp of a large negative argument overflows to inf; computing it as
    # exp(-|x|) keeps every intermediate in range on both branches.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


# ---------------------------------------------------------------- dropout


def dropout_mask(shape, dropout_ratio):
    """M := U(0, 1) > ratio, drawn with np.random.rand so np.random.seed reproduces the book."""
    return np.random.rand(*shape) > dropout_ratio


def dropout_forward(x, mask):
    """Y := X·M (M boolean, X's shape): training keeps the units whose draw passed."""
    return x * mask


def dropout_backward(dout, mask):
    """dX := dout·M: dropped units pass no gradient."""
    return dout * mask


def dropout_infer(x, dropout_ratio):
    """Y := X·(1 - ratio): at inference every unit is kept, scaled to the training mean."""
    return x * (1.0 - dropout_ratio)
