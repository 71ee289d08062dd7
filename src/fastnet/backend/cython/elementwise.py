"""Broadcasting, activations and dropout for the "cython" backend.

Same names and signatures as `fastnet.backend.numpy.elementwise`. Outputs
are allocated here with NumPy; `fastnet._elementwise` fills them from C
(csrc/elementwise/: broadcast.c, activations.c, and mask.c for the dropout
product) without the GIL. Results are always C-contiguous, whatever the layout of
the inputs. The dropout mask itself is drawn by the reference
(np.random.rand), so np.random.seed reproduces the book.
"""

import numpy as np

from ... import _elementwise
from ..numpy import elementwise as reference
from ..numpy.elementwise import dropout_mask  # noqa: F401  (NumPy's generator, as in the book)
from ..vocabulary import ACTIVATION_CODES as _CODES
from .arrays import contiguous, readable


def add(a, b):
    """C := A + B with NumPy's broadcasting rules (output shaped in C)."""
    return _elementwise.add(a, b)


def bias_add(x, bias):
    """Y := X + bias, x (N, M), bias (M,) added to every row."""
    y = np.empty(x.shape, x.dtype)
    _elementwise.add_into(x, bias, y)
    return y


def column_sum(x):
    """s := Σ_i X[i, :], x (N, M) -> (M,): the gradient of a bias."""
    s = np.empty(x.shape[1], x.dtype)
    _elementwise.column_sum(x, s)
    return s


def activation_forward(x, activation):
    """Y := act(X) elementwise, act in ACTIVATIONS. Returns a new array."""
    y = np.empty(x.shape, x.dtype)
    _elementwise.activation_forward(x, y, _CODES[activation])
    return y


def activation_backward(dout, y, activation):
    """dX := dout · act'(X), computed from the forward output Y = act(X)."""
    dx = np.empty(dout.shape, dout.dtype)
    _elementwise.activation_backward(dout, y, dx, _CODES[activation])
    return dx


def dropout_forward(x, mask):
    """Y := X·M in one pass (NumPy would first cast the mask to floats)."""
    if not contiguous(x, mask):
        return reference.dropout_forward(x, mask)
    y = np.empty_like(x)
    _elementwise.mask_multiply(readable(x), mask, y)
    return y


def dropout_backward(dout, mask):
    """dX := dout·M."""
    return dropout_forward(dout, mask)


def dropout_infer(x, dropout_ratio):
    """Y := X·(1 - ratio): one NumPy pass already."""
    return reference.dropout_infer(x, dropout_ratio)
