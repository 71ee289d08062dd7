"""Moving arrays between host (NumPy) and the current backend's device.

    x = fastnet.to_device(x_train)   # a CuPy array under the "cupy" backend
    y = fastnet.to_numpy(net.predict(x))

On a CPU backend `to_device` gives a NumPy array back without copying, so
one script runs on every backend. The GPU backend never copies by itself:
a NumPy array handed to it raises a TypeError that points here.
A dict (such as `net.params`) is moved value by value.
"""

import numpy as np

from .backend import current

__all__ = ["to_device", "to_numpy"]


def to_device(x):
    """x in the current backend's memory (a dict: each value)."""
    if isinstance(x, dict):
        return {key: to_device(val) for key, val in x.items()}
    moved = current().to_device(x)
    if moved.dtype.kind not in "biufc":  # None, strings, objects: no kernel takes them
        raise TypeError(f"to_device: x must be an array of numbers (or a dict of them), "
                        f"got {type(x).__name__}")
    return moved


def to_numpy(x):
    """x as a NumPy array in host memory, whatever backend made it (a dict: each value)."""
    if isinstance(x, dict):
        return {key: to_numpy(val) for key, val in x.items()}
    if isinstance(x, np.ndarray):
        return x
    # A CuPy array copies itself to the host with .get(); NumPy's asarray
    # would be refused by design.
    get = getattr(x, "get", None)
    if callable(get):
        return get()
    return np.asarray(x)
