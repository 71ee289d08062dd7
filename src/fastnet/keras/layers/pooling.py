"""AveragePooling2D: the mean of each pool_size window, channels-last.

The engine has no average-pooling kernel, so the layer is array arithmetic:
one strided view of the input per position inside the window (pool_h·pool_w
views, each a whole-batch slice), summed. Backward adds the output gradient,
divided by the window's count, back through the same views.

padding="same" is Keras': ceil(size / stride) outputs per axis, the padding
split between the two sides with the odd one at the bottom / right, and a
window's mean taken over its cells inside the image only (padding is not
counted; the peer check in tests/keras/test_keras_layers_more.py records it).
"""

from ...backend import current
from .. import arguments
from .base import Layer
from .convolutional import _padding, pooled_shape


class AveragePooling2D(Layer):
    """The mean of each pool_size window of (batch, height, width, channels) images."""

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise NotImplementedError(
                "AveragePooling2D: only data_format='channels_last' is supported")
        self.padding = _padding(padding, "AveragePooling2D")
        self.pool_size = arguments.pair(pool_size, "AveragePooling2D: pool_size")
        self.strides = (self.pool_size if strides is None
                        else arguments.pair(strides, "AveragePooling2D: strides"))
        self._pads = ((0, 0), (0, 0))
        self._counts = None

    def compute_output_shape(self, input_shape):
        return pooled_shape(self, input_shape)

    def build(self, input_shape, dtype):
        out = super().build(input_shape, dtype)
        if self.padding == "same":
            totals = (max((o - 1) * s + p - n, 0) for n, o, p, s in
                      zip(input_shape[:2], out[:2], self.pool_size, self.strides))
            self._pads = tuple((t // 2, t - t // 2) for t in totals)
        xp = current().xp
        # How many cells of the image each window holds (fewer at a padded edge).
        inside = self._padded(xp.ones((1, *input_shape[:2], 1), dtype=dtype))
        self._counts = sum(self._windows(inside))
        return out

    def _padded(self, x):
        if not any(map(any, self._pads)):
            return x
        return current().xp.pad(x, ((0, 0), *self._pads, (0, 0)))

    def _windows(self, x):
        """One strided view per offset inside the window, each shaped like the output."""
        (oh, ow), (sh, sw) = self.output_shape[:2], self.strides
        for i in range(self.pool_size[0]):
            for j in range(self.pool_size[1]):
                yield x[:, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw, :]

    def forward(self, x, training=False):
        return sum(self._windows(self._padded(x))) / self._counts

    def backward(self, dout):
        xp = current().xp
        (top, bottom), (left, right) = self._pads
        h, w, c = self.input_shape
        dx = xp.zeros((dout.shape[0], h + top + bottom, w + left + right, c), dtype=dout.dtype)
        share = dout / self._counts
        for view in self._windows(dx):
            view += share  # the views overlap when strides < pool_size: they add up
        return dx[:, top:top + h, left:left + w, :]

    def get_config(self):
        return {**super().get_config(), "pool_size": list(self.pool_size),
                "strides": list(self.strides), "padding": self.padding}


AvgPool2D = AveragePooling2D
