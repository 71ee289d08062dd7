"""Numerical gradients by central differences, exactly as the book computes them.

    df/dx[i] ≈ (f(x + h·e_i) - f(x - h·e_i)) / 2h,  h = 1e-4

Each element of x is perturbed IN PLACE and restored, and f is called with x
itself: a network's loss reads its parameters by reference, so perturbing
`params["W1"]` perturbs the network. Two calls of f per element: this is
for checking backpropagation on small networks, not for training.
"""

import numpy as np

from .backend import current

__all__ = ["numerical_gradient", "numerical_gradient_1d", "numerical_gradient_2d"]

# The book's step. Smaller steps lose more digits to rounding in
# f(x + h) - f(x - h); larger ones add truncation error O(h²).
H = 1e-4


def _perturbable(f, x, where):
    """Refuse what cannot be perturbed in place: f then reads x itself, so a
    converted copy would leave f's result unchanged (a zero gradient)."""
    if not callable(f):
        raise TypeError(f"{where}: f must be a function of x, got {type(f).__name__}")
    xp = current().xp
    if not isinstance(x, xp.ndarray) or x.dtype.kind != "f" or x.dtype.itemsize < 4:
        what = f"dtype {x.dtype}" if isinstance(x, xp.ndarray) else type(x).__name__
        raise TypeError(
            f"{where}: x must be a float32 or float64 array of the current backend, perturbed in "
            f"place by h = {H}; got {what}"
        )
    if not getattr(x.flags, "writeable", True):  # CuPy arrays have no such flag
        raise ValueError(f"{where}: x is read-only, but it is perturbed in place")


def _difference(fxh1, fxh2, where):
    """(f(x + h) - f(x - h)) / 2h, or a clear error when f does not return a number."""
    try:
        return (fxh1 - fxh2) / (2 * H)
    except TypeError:
        raise TypeError(f"{where}: f must return a number, got {type(fxh1).__name__}") from None


def _central_differences(f, x, indices, where):
    """(f(x + h·e_i) - f(x - h·e_i)) / 2h for each index i, x restored after each."""
    grad = current().xp.zeros_like(x)
    for idx in indices:
        tmp_val = float(x[idx])  # a Python float: exact, and not a view
        x[idx] = tmp_val + H
        fxh1 = f(x)
        x[idx] = tmp_val - H
        fxh2 = f(x)
        grad[idx] = _difference(fxh1, fxh2, where)
        x[idx] = tmp_val
    return grad


def numerical_gradient(f, x):
    """The gradient of the scalar f(x) with respect to every element of x (any ndim)."""
    _perturbable(f, x, "numerical_gradient")
    return _central_differences(f, x, np.ndindex(x.shape), "numerical_gradient")


def numerical_gradient_1d(f, x):
    """The book's 1-D version: f is called with the 1-D x."""
    _perturbable(f, x, "numerical_gradient_1d")
    if x.ndim != 1:
        raise ValueError(f"numerical_gradient_1d: x must be 1-D, got shape {x.shape}")
    return _central_differences(f, x, range(x.size), "numerical_gradient_1d")


def numerical_gradient_2d(f, X):
    """Row by row: for 2-D X, f is called with each row (the book's contract)."""
    _perturbable(f, X, "numerical_gradient_2d")
    if X.ndim not in (1, 2):
        raise ValueError(f"numerical_gradient_2d: X must be 1-D or 2-D, got shape {X.shape}")
    if X.ndim == 1:
        return numerical_gradient_1d(f, X)
    grad = current().xp.zeros_like(X)
    for idx, x in enumerate(X):
        grad[idx] = numerical_gradient_1d(f, x)
    return grad
