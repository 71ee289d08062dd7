"""MNIST as Keras returns it: uint8 images (N, 28, 28) and uint8 labels (N,)."""

import numpy as np

from ...datasets import load_mnist
from . import _keras_cache

__all__ = ["load_data"]


def load_data(path="mnist.npz"):
    """((x_train, y_train), (x_test, y_test)), like keras.datasets.mnist.load_data.

    Read from Keras' cached mnist.npz when it is there; otherwise the full set
    from fastnet's cache / mirrors, and offline the 5,000 digits bundled with
    fastnet (4,000 train / 1,000 test) with a BundledDataWarning.
    """
    try:
        cached = _keras_cache.find(path, "mnist")
    except FileNotFoundError:
        cached = None
    if cached is not None:
        f = _keras_cache.load_npz(cached, ("x_train", "y_train", "x_test", "y_test"),
                                  objects=False)
        for x, y in (("x_train", "y_train"), ("x_test", "y_test")):
            if f[x].ndim != 3 or f[y].ndim != 1 or len(f[x]) != len(f[y]):
                raise ValueError(f"{cached}: {x} {f[x].shape} and {y} {f[y].shape} should be "
                                 "(N, rows, cols) images and their N labels")
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
    (x_train, y_train), (x_test, y_test) = load_mnist(normalize=False, flatten=True)
    return ((x_train.reshape(-1, 28, 28), y_train.astype(np.uint8)),
            (x_test.reshape(-1, 28, 28), y_test.astype(np.uint8)))
