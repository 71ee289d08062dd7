"""Reshape, Rescaling, GlobalAveragePooling1D / 2D: no weights, no kernel of their own.

Each is one array operation on the backend's array module (a reshape, a
scale, a mean); none needs a kernel, because the work is one pass over the
data and NumPy / CuPy already do it in one call.
"""

import math
import numbers

from ...backend import current
from .. import arguments
from .base import Layer


class Reshape(Layer):
    """(batch, ...) -> (batch, *target_shape); one size may be -1, found from the rest."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(target_shape, (list, tuple)) or not target_shape:
            raise TypeError(f"Reshape: target_shape must be a tuple, got {target_shape!r}")
        if list(target_shape).count(-1) > 1:
            raise ValueError(f"Reshape: at most one size may be -1, got {tuple(target_shape)}")
        self.target_shape = tuple(
            -1 if v == -1 and not isinstance(v, bool)
            else arguments.integer(v, "Reshape: each size", minimum=1)
            for v in target_shape)

    def compute_output_shape(self, input_shape):
        size, known = math.prod(input_shape), math.prod(v for v in self.target_shape if v != -1)
        if -1 in self.target_shape and size % known == 0:
            return tuple(size // known if v == -1 else v for v in self.target_shape)
        if known != size or -1 in self.target_shape:
            raise ValueError(
                f"Reshape {self.name!r}: inputs {(None, *input_shape)} of {size} values per "
                f"sample cannot become {(None, *self.target_shape)}"
            )
        return self.target_shape

    def forward(self, x, training=False):
        return x.reshape(x.shape[0], *self.output_shape)

    def backward(self, dout):
        return dout.reshape(dout.shape[0], *self.input_shape)

    def get_config(self):
        return {**super().get_config(), "target_shape": list(self.target_shape)}


class Rescaling(Layer):
    """output = input · scale + offset (e.g. Rescaling(1 / 255) for 8-bit images)."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("scale", scale), ("offset", offset)):
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(f"Rescaling: {name} must be a number, got {value!r}")
        self.scale = arguments.real(scale, "Rescaling: scale")
        self.offset = arguments.real(offset, "Rescaling: offset")

    def forward(self, x, training=False):
        return x * self.scale + self.offset

    def backward(self, dout):
        return dout * self.scale

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


class _GlobalAveragePooling(Layer):
    """The mean over every axis between the batch and the channels (the last axis)."""

    axes = ()  # the named axes of one sample, channels last

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        if data_format not in (None, "channels_last"):
            raise NotImplementedError(f"{kind}: only data_format='channels_last' is supported")
        if not isinstance(keepdims, bool):
            raise TypeError(f"{kind}: keepdims must be True or False, got {keepdims!r}")
        self.keepdims = keepdims

    def compute_output_shape(self, input_shape):
        self._expect_axes(input_shape, self.axes)
        channels = input_shape[-1]
        return (*[1] * (len(self.axes) - 1), channels) if self.keepdims else (channels,)

    def forward(self, x, training=False):
        # Each sample's (positions, channels) matrix times a row of 1/positions:
        # one batched product, several times faster than x.mean over middle axes.
        positions = math.prod(self.input_shape[:-1])
        samples = x.reshape(x.shape[0], positions, x.shape[-1])
        mean = current().xp.full(positions, 1 / positions, dtype=x.dtype) @ samples
        return mean.reshape(x.shape[0], *self.output_shape)

    def backward(self, dout):
        *pooled, channels = self.input_shape
        # Every position of a channel shares its mean's gradient equally. The
        # result is a read-only broadcast view (zero strides), not a copy: the
        # layers below read it as any array, and Embedding uses the sharing.
        share = dout.reshape(dout.shape[0], *[1] * len(pooled), channels) / math.prod(pooled)
        return current().xp.broadcast_to(share, (dout.shape[0], *self.input_shape))

    def get_config(self):
        return {**super().get_config(), "keepdims": self.keepdims}


class GlobalAveragePooling1D(_GlobalAveragePooling):
    """(batch, steps, features) -> (batch, features): the mean over the steps."""

    axes = ("steps", "features")


class GlobalAveragePooling2D(_GlobalAveragePooling):
    """(batch, height, width, channels) -> (batch, channels): the mean of each channel."""

    axes = ("height", "width", "channels")
