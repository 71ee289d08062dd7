"""Data sets: MNIST (the book's `load_mnist`) and Boston housing.

    from fastnet.datasets import load_mnist
    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True)

MNIST is downloaded once into `data_dir()` and checksum-verified; offline,
fastnet falls back to 5,000 real digits it ships with (see mnist.py).
"""

from ._cache import data_dir
from ._download import DownloadError
from .boston import load_boston_housing
from .idx import read_idx, read_idx_images, read_idx_labels
from .mnist import BundledDataWarning, load_mnist

__all__ = [
    "BundledDataWarning",
    "DownloadError",
    "data_dir",
    "load_boston_housing",
    "load_mnist",
    "read_idx",
    "read_idx_images",
    "read_idx_labels",
]
