"""The book's common/functions.py: activations and losses on fastnet's kernels.

Chapter 3 calls these on Python lists, scalars and integer arrays, so the
results follow NumPy's types, as the book's one-line NumPy versions would:
`relu` keeps an integer input integer, `sigmoid` of integers gives float64
(float16 for int8, as np.exp does). The arithmetic itself is always the
current backend's kernel (which takes float32/float64 only): input of
another type is cast to the kernel's float and the result cast back.
"""

import numpy as np

from fastnet import functions as _engine
from fastnet.functions import (  # noqa: F401  (re-exported: __all__)
    cross_entropy_error,
    identity_function,
    softmax,
    softmax_loss,
    step_function,
    sum_squared_error,
)

# What `from common.functions import *` gives in the book: its functions and np.
__all__ = ["np", *_engine.__all__]


def _numpy_dtype(x, ufunc):
    """The dtype NumPy's `ufunc` would return for x (np.exp, np.maximum, ...)."""
    dtype = np.asarray(x).dtype
    if dtype.char in "fd":  # the kernels' own types: nothing to decide
        return dtype
    return ufunc(np.zeros(1, dtype)).dtype


def _like_numpy(result, dtype):
    """The kernel's result in NumPy's dtype (a scalar stays a scalar)."""
    if result.dtype == dtype:
        return result
    return result.astype(dtype)


def sigmoid(x):
    """1 / (1 + exp(-x)), as an array of the dtype np.exp(x) would have."""
    return _like_numpy(_engine.sigmoid(x), _numpy_dtype(x, np.exp))


def sigmoid_grad(x):
    """(1 - sigmoid(x))·sigmoid(x)."""
    return _like_numpy(_engine.sigmoid_grad(x), _numpy_dtype(x, np.exp))


def relu(x):
    """max(0, x): integer input stays integer, like np.maximum(0, x)."""
    return _like_numpy(_engine.relu(x), _numpy_dtype(x, lambda z: np.maximum(0, z)))


def relu_grad(x):
    """1 where x >= 0, else 0, in x's dtype (the book's np.zeros_like(x))."""
    return _like_numpy(_engine.relu_grad(x), np.asarray(x).dtype)
