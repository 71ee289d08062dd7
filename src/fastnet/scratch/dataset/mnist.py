"""The book's dataset/mnist.py: `load_mnist(normalize=True, flatten=True, one_hot_label=False)`.

fastnet.datasets.load_mnist returns what the book's does (uint8 or float32
images in [0, 1], (N, 784) or (N, 1, 28, 28), uint8 or float64 one-hot
labels). It downloads the standard files once from the mirrors that still
serve them (the book's host answers 403) and, offline, falls back to the
5,000 digits bundled with fastnet with a one-line BundledDataWarning.
Its extra keyword `source=` ("auto", "full", "bundled") picks explicitly.
"""

import numpy as np

from fastnet.datasets import load_mnist

__all__ = ["np", "load_mnist"]
