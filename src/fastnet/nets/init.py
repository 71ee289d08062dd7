"""The book's weight initialisation, shared by every network (saving and loading: files.py).

Weights are drawn in float64 from NumPy's global generator (`np.random.randn`),
like the book, so `np.random.seed` reproduces its numbers, then cast: a
float32 net starts from the book's weights rounded to float32.
"""

import numpy as np

from ..backend import current
from .args import float_dtype


def init_weight(scale, shape, dtype):
    """scale · randn(*shape), as a `dtype` array of the current backend."""
    dtype = float_dtype(dtype, "network")
    W = (scale * np.random.randn(*shape)).astype(dtype)
    return current().xp.asarray(W)


def zeros(size, dtype):
    return current().xp.zeros(size, dtype=dtype)


def ones(size, dtype):
    return current().xp.ones(size, dtype=dtype)


def weight_scale(weight_init_std, fan_in):
    """A number, or 'relu'/'he' -> √(2/fan_in), 'sigmoid'/'tanh'/'xavier' -> √(1/fan_in)."""
    name = str(weight_init_std).lower()
    if name in ("relu", "he"):
        return np.sqrt(2.0 / fan_in)  # He et al.: keeps ReLU activations' variance
    if name in ("sigmoid", "tanh", "xavier"):
        return np.sqrt(1.0 / fan_in)  # Xavier Glorot: for sigmoid / tanh
    if isinstance(weight_init_std, str):
        raise ValueError(
            "weight_init_std must be a number or one of 'relu', 'he', 'sigmoid', "
            f"'tanh', 'xavier', got {weight_init_std!r}"
        )
    return weight_init_std


def mlp_params(sizes, weight_init_std, dtype):
    """W1, b1, ... for layer sizes [input, hidden..., output], in the book's draw order."""
    params = {}
    for i in range(1, len(sizes)):
        scale = weight_scale(weight_init_std, sizes[i - 1])
        params[f"W{i}"] = init_weight(scale, (sizes[i - 1], sizes[i]), dtype)
        params[f"b{i}"] = zeros(sizes[i], dtype)
    return params
