"""Conv2D and MaxPooling2D, channels-last, on the engine's Convolution and Pooling."""

import numpy as np

from ... import layers as _engine
from ...backend import current
from .. import activations, arguments, initializers, regularizers
from . import windows
from .base import Layer
from .core import Dense, _regularizer_config
from .patch_convolution import PatchConvolution
from .window_max import WindowMax


def _engine_conv_layers():
    """fastnet.layers.Convolution and Pooling, or a clear error when this build lacks them."""
    missing = [n for n in ("Convolution", "Pooling") if not hasattr(_engine, n)]
    if missing:
        raise NotImplementedError(
            f"Conv2D / MaxPooling2D need fastnet.layers.{' and '.join(missing)} (the "
            f"im2col / col2im / max_pool kernels), which this build of fastnet does not have yet"
        )
    return _engine.Convolution, _engine.Pooling


# Keras images are channels-last (N, H, W, C), the engine's are the book's
# (N, C, H, W). A transpose is only a view: the engine's kernels read and write
# through strides, and its Convolution's output is channels-last in memory, so
# these transposes at the layer boundary copy nothing.
def _to_book(x):
    return x.transpose(0, 3, 1, 2)


def _to_keras(x):
    return x.transpose(0, 2, 3, 1)


class Conv2D(Layer):
    """2-D convolution over channels-last images (batch, height, width, channels).

    Runs on the engine's Convolution (im2col + one GEMM with the bias and
    activation fused) when one stride and one symmetric pad serve both axes.
    The kernel is kept in Keras' layout (kh, kw, in, out), the one get_weights
    returns and the optimizer updates; the engine reads a copy in the book's
    layout (out, in, kh, kw), refreshed on every forward. Strides that differ
    per axis, and 'same' padding split unevenly or differently per axis, run on
    PatchConvolution (strided views + the backend's gemm) instead.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 data_format=None, **kwargs):
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise NotImplementedError("Conv2D: only data_format='channels_last' is supported")
        padding = windows.padding_name(padding, "Conv2D")
        self.filters = arguments.integer(filters, "Conv2D: filters", minimum=1)
        self.kernel_size = windows.checked_window(
            arguments.pair(kernel_size, "Conv2D: kernel_size"),
            f"Conv2D {self.name!r}: kernel_size")
        self.strides = arguments.pair(strides, "Conv2D: strides")
        self.padding = padding
        self.activation = activations.get(activation)
        if self.activation == "softmax":
            raise NotImplementedError("Conv2D: activation='softmax' is not supported")
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)

    def _pads(self, input_shape):
        """((top, bottom), (left, right)) as Keras pads the input."""
        if self.padding == "valid":
            return ((0, 0), (0, 0))
        return windows.same_pads(input_shape[:2], self.kernel_size, self.strides)

    def compute_output_shape(self, input_shape):
        self._expect_axes(input_shape, ["height", "width", "channels"])
        h, w = windows.output_size(input_shape[:2], self.kernel_size, self.strides,
                                   self.padding)
        if h <= 0 or w <= 0:
            raise ValueError(
                f"Conv2D {self.name!r}: kernel_size {self.kernel_size} is larger than the "
                f"input {(None, *input_shape)} (padding={self.padding!r})"
            )
        windows.check_padded_plane(self, input_shape[:2], self._pads(input_shape),
                                   f"kernel_size {self.kernel_size}")
        return (h, w, self.filters)

    def weight_shapes(self, input_shape):
        kernel = (*self.kernel_size, input_shape[2], self.filters)
        return [kernel] + ([(self.filters,)] if self.use_bias else [])

    def build(self, input_shape, dtype):
        convolution, _ = _engine_conv_layers()
        out = super().build(input_shape, dtype)
        self.kernel = self.kernel_initializer(self.weight_shapes(input_shape)[0], dtype)
        xp = current().xp
        self.bias = (self.bias_initializer((self.filters,), dtype) if self.use_bias
                     else xp.zeros(self.filters, dtype=dtype))
        self.weights = [self.kernel] + ([self.bias] if self.use_bias else [])
        pads, act = self._pads(input_shape), activations.kernel_name(self.activation)
        self._on_engine = self.strides[0] == self.strides[1] and len(set(sum(pads, ()))) == 1
        if self._on_engine:
            self._book_W = xp.ascontiguousarray(self.kernel.transpose(3, 2, 0, 1))
            self._conv = convolution(self._book_W, self.bias, stride=self.strides[0],
                                     pad=pads[0][0], activation=act)
        else:
            self._conv = PatchConvolution(self.kernel, self.bias, self.strides, pads, act)
        return out

    def forward(self, x, training=False):
        self._conv.need_input_grad = self.need_input_grad
        if not self._on_engine:
            return self._conv.forward(x)
        self._book_W[...] = self.kernel.transpose(3, 2, 0, 1)
        return _to_keras(self._conv.forward(_to_book(x)))

    def backward(self, dout):
        if self._on_engine:
            dx = self._conv.backward(_to_book(dout))
            dx = None if dx is None else _to_keras(dx)
            # The engine's dW is (out, in, kh, kw); the kernel's gradient is in Keras' layout.
            dW = current().xp.ascontiguousarray(self._conv.dW.transpose(2, 3, 1, 0))
        else:
            dx, dW = self._conv.backward(dout), self._conv.dW
        Dense._take_grads(self, dW, self._conv.db)
        return dx

    def regularization_loss(self):
        return Dense.regularization_loss(self)

    def get_config(self):
        config = super().get_config()
        config.update(
            filters=self.filters, kernel_size=list(self.kernel_size),
            strides=list(self.strides), padding=self.padding, activation=self.activation,
            use_bias=self.use_bias,
            kernel_initializer=initializers.serialize(self.kernel_initializer),
            bias_initializer=initializers.serialize(self.bias_initializer),
            kernel_regularizer=_regularizer_config(self.kernel_regularizer),
            bias_regularizer=_regularizer_config(self.bias_regularizer),
        )
        return config


def pooled_shape(layer, input_shape):
    """(height, width, channels) after a pooling layer's windows, 'valid' or 'same'."""
    layer._expect_axes(input_shape, ["height", "width", "channels"])
    h, w = windows.output_size(input_shape[:2], layer.pool_size, layer.strides, layer.padding)
    if h <= 0 or w <= 0:
        raise ValueError(
            f"{type(layer).__name__} {layer.name!r}: pool_size {layer.pool_size} is larger "
            f"than the input {(None, *input_shape)}"
        )
    if layer.padding == "same":
        pads = windows.same_pads(input_shape[:2], layer.pool_size, layer.strides)
        windows.check_padded_plane(layer, input_shape[:2], pads,
                                   f"pool_size {layer.pool_size}")
    return (h, w, input_shape[2])


class MaxPooling2D(Layer):
    """The maximum of each pool_size window, channels-last (engine: Pooling, NCHW).

    Strides that differ per axis run on WindowMax (strided views) instead,
    since the engine's pooling kernels take one stride for both axes.

    padding="same" is Keras': the output has ceil(size / stride) rows and
    columns; the padding is split between top and bottom (left and right), the
    odd one at the bottom (right), with values that never win a maximum. The engine
    pads with zeros that take part in the max (the book's rule), so this layer
    pads the input itself with the dtype's lowest value and pools it "valid".
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise NotImplementedError(
                "MaxPooling2D: only data_format='channels_last' is supported"
            )
        self.padding = windows.padding_name(padding, "MaxPooling2D")
        self.pool_size = windows.checked_window(
            arguments.pair(pool_size, "MaxPooling2D: pool_size"),
            f"MaxPooling2D {self.name!r}: pool_size")
        self.strides = (self.pool_size if strides is None
                        else arguments.pair(strides, "MaxPooling2D: strides"))
        self._pads = ((0, 0), (0, 0))

    def compute_output_shape(self, input_shape):
        return pooled_shape(self, input_shape)

    def build(self, input_shape, dtype):
        _, pooling = _engine_conv_layers()
        self._on_engine = self.strides[0] == self.strides[1]
        if self._on_engine:
            self._pool = pooling(self.pool_size[0], self.pool_size[1], stride=self.strides[0])
        else:
            self._pool = WindowMax(self.pool_size, self.strides)
        if self.padding == "same":
            self._pads = windows.same_pads(input_shape[:2], self.pool_size, self.strides)
        return super().build(input_shape, dtype)

    def forward(self, x, training=False):
        # NumPy's finfo: a device array's dtype is a NumPy dtype on every backend
        x = windows.padded(x, self._pads, value=np.finfo(x.dtype).min)
        if not self._on_engine:
            return self._pool.forward(x)
        return _to_keras(self._pool.forward(_to_book(x)))

    def backward(self, dout):
        # Gradients never reach the padding (it never wins); drop its rows.
        if not self._on_engine:
            return windows.cropped(self._pool.backward(dout), self._pads)
        return windows.cropped(_to_keras(self._pool.backward(_to_book(dout))), self._pads)

    def get_config(self):
        return {**super().get_config(), "pool_size": list(self.pool_size),
                "strides": list(self.strides), "padding": self.padding}


# Keras' other names for the same layers.
Convolution2D = Conv2D
MaxPool2D = MaxPooling2D
