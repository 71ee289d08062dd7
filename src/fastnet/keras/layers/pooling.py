"""AveragePooling2D: the mean of each pool_size window, channels-last.

The engine has no average-pooling kernel, so the layer is array arithmetic:
one strided view of the input per position inside the window (pool_h·pool_w
views, each a whole-batch slice, from windows.py), summed. Backward adds the output gradient,
divided by the window's count, back through the same views.

padding="same" is Keras': ceil(size / stride) outputs per axis, the padding
split between the two sides with the odd one at the bottom / right, and a
window's mean taken over its cells inside the image only (padding is not
counted; the peer check in tests/keras/test_keras_layers_more.py records it).
"""

from ...backend import current
from .. import arguments
from . import windows
from .base import Layer
from .convolutional import pooled_shape


class AveragePooling2D(Layer):
    """The mean of each pool_size window of (batch, height, width, channels) images."""

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise NotImplementedError(
                "AveragePooling2D: only data_format='channels_last' is supported")
        self.padding = windows.padding_name(padding, "AveragePooling2D")
        self.pool_size = windows.checked_window(
            arguments.pair(pool_size, "AveragePooling2D: pool_size"),
            f"AveragePooling2D {self.name!r}: pool_size")
        self.strides = (self.pool_size if strides is None
                        else arguments.pair(strides, "AveragePooling2D: strides"))
        self._pads = ((0, 0), (0, 0))
        self._counts = None

    def compute_output_shape(self, input_shape):
        return pooled_shape(self, input_shape)

    def build(self, input_shape, dtype):
        out = super().build(input_shape, dtype)
        if self.padding == "same":
            self._pads = windows.same_pads(input_shape[:2], self.pool_size, self.strides)
        xp = current().xp
        # How many cells of the image each window holds (fewer at a padded edge).
        inside = windows.padded(xp.ones((1, *input_shape[:2], 1), dtype=dtype), self._pads)
        self._counts = sum(self._windows(inside))
        return out

    def _windows(self, x):
        return windows.views(x, self.pool_size, self.strides, self.output_shape[:2])

    def forward(self, x, training=False):
        return sum(self._windows(windows.padded(x, self._pads))) / self._counts

    def backward(self, dout):
        (top, bottom), (left, right) = self._pads
        h, w, c = self.input_shape
        dx = current().xp.zeros((dout.shape[0], h + top + bottom, w + left + right, c),
                                dtype=dout.dtype)
        share = dout / self._counts
        for view in self._windows(dx):
            view += share  # the views overlap when strides < pool_size: they add up
        return windows.cropped(dx, self._pads)

    def get_config(self):
        return {**super().get_config(), "pool_size": list(self.pool_size),
                "strides": list(self.strides), "padding": self.padding}


AvgPool2D = AveragePooling2D
