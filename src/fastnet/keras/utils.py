"""Keras' small utilities: to_categorical, set_random_seed.

These prepare data on the host (NumPy arrays, like Keras returns); the
model moves them to the backend once per fit / evaluate / predict.
"""

import numpy as np

from . import arguments

__all__ = ["rng", "set_random_seed", "to_categorical"]

_state = {"rng": np.random.default_rng()}


def set_random_seed(seed):
    """Make weight initialisation, shuffling and dropout repeatable."""
    _state["rng"] = np.random.default_rng(seed)


def rng():
    """fastnet.keras' random generator (host side)."""
    return _state["rng"]


def to_categorical(x, num_classes=None, dtype="float32"):
    """One-hot rows from integer class labels: (N,) -> (N, num_classes).

    A trailing axis of size 1 is dropped first ((N, 1) labels), as in Keras.
    """
    y = np.asarray(x)
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
            raise ValueError("to_categorical: labels must be whole numbers")
        # Beyond this the cast to an index would overflow (and warn).
        if y.size and np.abs(y).max() >= 2.0**62:
            raise ValueError(f"to_categorical: label {np.abs(y).max()} is too large")
        y = y.astype(np.intp)
    elif y.dtype.kind not in "iub":
        raise TypeError(f"to_categorical: labels must be integers, got dtype {y.dtype}")
    if y.ndim > 1 and y.shape[-1] == 1:
        y = y.reshape(y.shape[:-1])
    flat = y.ravel().astype(np.intp)
    if flat.size and flat.min() < 0:
        raise ValueError(f"to_categorical: labels must be >= 0, got {int(flat.min())}")
    if num_classes is None:
        num_classes = int(flat.max()) + 1 if flat.size else 0
    else:
        num_classes = arguments.integer(num_classes, "to_categorical: num_classes", minimum=1)
        if flat.size and flat.max() >= num_classes:
            raise ValueError(
                f"to_categorical: label {int(flat.max())} is out of range for "
                f"num_classes={num_classes}"
            )
    out = np.zeros((flat.size, num_classes), dtype=dtype)
    out[np.arange(flat.size), flat] = 1
    return out.reshape(y.shape + (num_classes,))
