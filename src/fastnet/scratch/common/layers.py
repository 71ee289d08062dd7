"""The book's common/layers.py on fastnet's layers.

Where fastnet's own layer has the book's contract it is re-exported
(`Relu` with its `mask`, `Sigmoid` with its `out`); where it differs on
purpose it is wrapped here so that book scripts see the book's behaviour:

- `Affine(W, b)`: the book's two-argument constructor; dx is always
  returned (fastnet's Affine can skip it and fuse an activation).
- `SoftmaxWithLoss`: also takes integer one-hot labels, as the book does.

Layers keep references to the caller's W, b (and gamma, beta) arrays, so an
optimizer that updates `params` in place is seen at once. No layer writes
into the `dout` it is given (the book's Relu does; no script can rely on
that, since the array it overwrites is the previous layer's output).
"""

import numpy as np

from fastnet import layers as _engine
from fastnet.layers import Relu, Sigmoid

from .functions import cross_entropy_error, softmax
from .util import col2im, im2col

# What `from common.layers import *` gives in the book: its layers plus the
# names the book's module imports.
__all__ = [
    "np",
    "softmax",
    "cross_entropy_error",
    "im2col",
    "col2im",
    "Relu",
    "Sigmoid",
    "Affine",
    "SoftmaxWithLoss",
    "Dropout",
    "BatchNormalization",
    "Convolution",
    "Pooling",
]


class Affine(_engine.Affine):
    """out = x·W + b for x of any ndim (reshaped to (N, -1)); backward returns dx in x's shape.

    Stores `x` (2-D), `original_x_shape`, and after backward `dW`, `db`.
    """

    def __init__(self, W, b):
        super().__init__(W, b)


class SoftmaxWithLoss(_engine.SoftmaxWithLoss):
    """loss = cross_entropy_error(softmax(x), t); backward(dout=1) = (y - t) / N.

    t: integer labels (N,) or one-hot (N, C), float or integer. Stores
    `loss`, `y` (the probabilities) and `t` (as given).
    """

    def forward(self, x, t):
        t_kernel = t
        if getattr(t, "size", None) == getattr(x, "size", None) and t.dtype.kind in "biu":
            # An integer one-hot array: the kernel takes one-hot targets as floats.
            t_kernel = t.astype(x.dtype)
        loss = super().forward(x, t_kernel)
        self.t = t
        return loss


def _needs_engine(name):
    """A stand-in for a layer this build of fastnet's engine does not provide yet."""

    def __init__(self, *args, **kwargs):
        raise NotImplementedError(
            f"common.layers.{name} needs fastnet.layers.{name} (the engine's "
            f"convolution work), which this build of fastnet does not have yet"
        )

    return type(name, (), {"__init__": __init__, "__doc__": f"Not available: {name}."})


Dropout = getattr(_engine, "Dropout", None) or _needs_engine("Dropout")
BatchNormalization = (getattr(_engine, "BatchNormalization", None)
                      or _needs_engine("BatchNormalization"))
Convolution = getattr(_engine, "Convolution", None) or _needs_engine("Convolution")
Pooling = getattr(_engine, "Pooling", None) or _needs_engine("Pooling")
