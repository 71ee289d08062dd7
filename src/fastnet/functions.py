"""The book's activation and loss functions, computed by the current backend.

Same names, arguments and results as the book's `common/functions.py`.
Input may be an array, a list or a scalar; integer or bool input is cast
to float64 (what NumPy's exp does), float16 to float32 (the smallest float
the kernels take), and complex input raises TypeError. Scalars give NumPy
scalars back, like the book.
"""

import numpy as np

from .backend import current

__all__ = [
    "identity_function",
    "step_function",
    "sigmoid",
    "sigmoid_grad",
    "relu",
    "relu_grad",
    "softmax",
    "sum_squared_error",
    "cross_entropy_error",
    "softmax_loss",
]


def _float_array(x, name, arg="x"):
    """x (the argument called `arg` of function `name`) as a float32/float64 array
    of the current backend."""
    x = current().asarray(x, arg, name)
    kind = x.dtype.kind
    if kind in "biu":
        return x.astype(np.float64)
    if kind != "f":
        raise TypeError(f"{name}: {arg} must be real numbers, got dtype {x.dtype}")
    if x.dtype.itemsize < 4:
        return x.astype(np.float32)
    return x


def _elementwise(x, activation, name):
    x = _float_array(x, name)
    if x.ndim == 0:  # the kernels take arrays; give a scalar back like NumPy
        return current().activation_forward(x.reshape(1), activation)[0]
    return current().activation_forward(x, activation)


def identity_function(x):
    """Returns x itself."""
    return x


def step_function(x):
    """1 where x > 0, else 0, as an int array."""
    B = current()
    return B.xp.asarray(B.asarray(x, "x", "step_function") > 0, dtype=int)


def sigmoid(x):
    """1 / (1 + exp(-x)), computed without overflow for large |x|."""
    return _elementwise(x, "sigmoid", "sigmoid")


def sigmoid_grad(x):
    """(1 - sigmoid(x))·sigmoid(x)."""
    s = sigmoid(x)
    return (1.0 - s) * s


def relu(x):
    """max(0, x)."""
    return _elementwise(x, "relu", "relu")


def relu_grad(x):
    """1 where x >= 0, else 0 (the book counts x = 0 as active here)."""
    x = _float_array(x, "relu_grad")
    return (x >= 0).astype(x.dtype)


def softmax(x):
    """exp(x) / Σ exp(x) along the last axis, any ndim (the row max is subtracted first)."""
    x = _float_array(x, "softmax")
    if x.ndim == 0:
        return current().softmax(x.reshape(1, 1))[0, 0]
    # The kernel works on rows: view every leading index as one row.
    return current().softmax(x.reshape(-1, x.shape[-1])).reshape(x.shape)


def sum_squared_error(y, t):
    """0.5·Σ(y - t)² over every element."""
    y = _float_array(y, "sum_squared_error", "y")
    t = _float_array(t, "sum_squared_error", "t")
    mean, _ = current().mean_squared_error(y, t)
    return 0.5 * mean * y.size


def cross_entropy_error(y, t):
    """-Σ log(y[i, t_i] + 1e-7) / N for probabilities y (1-D or (N, C)).

    t is one-hot (as many elements as y) or integer labels. 1-D y is a
    batch of one.
    """
    y = _float_array(y, "cross_entropy_error", "y")
    t = current().asarray(t, "t", "cross_entropy_error")
    if y.ndim == 1:
        y = y.reshape(1, y.size)
    if t.size == y.size:  # one-hot, as the book decides it
        t = t.reshape(y.shape)
        if t.dtype.kind in "biu":  # an integer one-hot: the kernel wants labels
            t = t.argmax(axis=1)
    elif t.ndim == 0:  # one label for a 1-D y
        t = t.reshape(1)
    return current().cross_entropy(y, t)


def softmax_loss(X, t):
    """cross_entropy_error(softmax(X), t)."""
    return cross_entropy_error(softmax(X), t)
