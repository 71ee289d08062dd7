"""Broadcasting and activations for the "cython" backend.

Same names and signatures as `fastnet.backend.reference`. Outputs are
allocated here with NumPy; `fastnet._elementwise` fills them from C
(csrc/broadcast.c, csrc/activations.c) without the GIL. Results are always
C-contiguous, whatever the layout of the inputs.
"""

import numpy as np

from .. import _elementwise
from .vocabulary import ACTIVATION_CODES as _CODES


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
