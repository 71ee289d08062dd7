"""Keras layers on fastnet's kernels: Dense, Activation, Dropout, Flatten, Conv2D, ...

Each layer has Keras' constructor and, underneath, the book's contract:
`forward(x, training)` and `backward(dout)`, with its weights in `weights`
(Keras' order: kernel, then bias) and their gradients in `grads` after
backward. Shapes follow Keras: a batch axis first, channels last for images.

The fast paths:
- Dense(units, activation="relu" | "sigmoid" | "tanh") is ONE GEMM call whose
  epilogue adds the bias and applies the activation (fastnet.layers.Affine).
- The model sets `need_input_grad = False` on the first layer with weights:
  nobody needs the gradient with respect to the data.
- When the last layer's softmax / sigmoid meets a cross-entropy loss, the
  model asks that layer for its logits (`forward(x, logits=True)`) and the
  loss kernel applies the activation and its gradient in one pass.
"""

import math

from .. import layers as _engine
from ..backend import current
from . import activations, initializers, regularizers, utils

__all__ = [
    "Activation", "Conv2D", "Dense", "Dropout", "Flatten", "Input", "InputLayer", "Layer",
    "MaxPooling2D", "Softmax",
]

_name_counts = {}


def _auto_name(prefix):
    # dense, dense_1, dense_2, ... as Keras names them.
    n = _name_counts.get(prefix, 0)
    _name_counts[prefix] = n + 1
    return prefix if n == 0 else f"{prefix}_{n}"


def _snake(name):
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_").replace(
        "2_d", "2d"
    )


class Layer:
    """Base class: a name, an optional input shape, weights and their grads."""

    def __init__(self, name=None, input_shape=None, input_dim=None, trainable=True, **kwargs):
        kwargs.pop("dtype", None)  # the model's dtype (float32) is used
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        if kwargs:
            raise TypeError(
                f"{type(self).__name__}: unexpected keyword argument(s) {sorted(kwargs)}"
            )
        self.name = name or _auto_name(_snake(type(self).__name__))
        if batch_input_shape is not None:
            input_shape = tuple(batch_input_shape)[1:]
        if input_dim is not None:
            input_shape = (int(input_dim),)
        self.declared_input_shape = None if input_shape is None else tuple(input_shape)
        self.trainable = trainable
        self.built = False
        self.input_shape = None  # without the batch axis
        self.output_shape = None
        self.weights = []
        self.grads = []
        self.need_input_grad = True

    # -- subclasses override these
    def build(self, input_shape, dtype):
        """Create the weights for inputs of shape (batch, *input_shape); return the output shape."""
        self.input_shape = tuple(input_shape)
        self.output_shape = self.compute_output_shape(self.input_shape)
        self.built = True
        return self.output_shape

    def compute_output_shape(self, input_shape):
        return input_shape

    def forward(self, x, training=False):
        return x

    def backward(self, dout):
        return dout

    def regularization_loss(self):
        return 0.0

    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable}
        if self.declared_input_shape is not None:
            config["input_shape"] = list(self.declared_input_shape)
        return config

    # -- shared
    def count_params(self):
        return sum(int(w.size) for w in self.weights)

    def get_weights(self):
        from .models import _to_numpy

        return [_to_numpy(w).copy() for w in self.weights]

    def set_weights(self, values):
        if len(values) != len(self.weights):
            raise ValueError(
                f"layer {self.name!r} has {len(self.weights)} weights, got {len(values)} arrays"
            )
        xp = current().xp
        for w, v in zip(self.weights, values):
            v = xp.asarray(v)
            if v.shape != w.shape:
                raise ValueError(
                    f"layer {self.name!r}: weight of shape {w.shape} cannot take shape {v.shape}"
                )
            w[...] = v  # in place: optimizers and views keep working

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"


class InputLayer(Layer):
    """Declares the shape of one sample; does nothing to the data."""

    def __init__(self, shape=None, batch_size=None, name=None, input_shape=None, **kwargs):
        super().__init__(name=name, input_shape=shape if shape is not None else input_shape,
                         **kwargs)
        if self.declared_input_shape is None:
            raise ValueError("Input needs shape=, e.g. Input(shape=(784,))")


def Input(shape=None, batch_size=None, name=None, **kwargs):  # noqa: N802 - Keras' name
    """The input of a Sequential model: `Sequential([Input(shape=(784,)), Dense(10)])`."""
    return InputLayer(shape=shape, batch_size=batch_size, name=name, **kwargs)


class _OutputActivation:
    """Mixin for layers whose activation the loss may fuse (softmax, sigmoid)."""

    activation = "linear"

    @property
    def output_activation(self):
        return self.activation


def _softmax_backward(dout, y):
    # dX = y·(dout - Σ_j dout_j·y_j), row by row. Only reached when softmax is
    # NOT followed by a cross-entropy loss (which fuses it away), so this
    # rare path stays as plain array arithmetic on the backend's array module.
    return y * (dout - (dout * y).sum(axis=1, keepdims=True))


class Dense(_OutputActivation, Layer):
    """output = activation(input · kernel + bias), input (batch, features)."""

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        if int(units) <= 0:
            raise ValueError(f"Dense: units must be a positive integer, got {units!r}")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self._affine = None
        self._softmax_out = None

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 1:
            raise ValueError(
                f"Dense {self.name!r} expects inputs (batch, features), got "
                f"{(None, *input_shape)}; put a Flatten() layer before it"
            )
        return (self.units,)

    def build(self, input_shape, dtype):
        out = super().build(input_shape, dtype)
        self.kernel = self.kernel_initializer((input_shape[0], self.units), dtype)
        self.bias = self.bias_initializer((self.units,), dtype) if self.use_bias else None
        self.weights = [self.kernel] + ([self.bias] if self.use_bias else [])
        # The engine's Affine does the product; it holds the same arrays.
        self._affine = _engine.Affine(self.kernel, self.bias)
        return out

    def forward(self, x, training=False, logits=False):
        act = "linear" if logits else self.activation
        # relu / sigmoid / tanh ride in the GEMM epilogue; softmax is a row kernel.
        self._affine.activation = "identity" if act == "softmax" else activations.kernel_name(act)
        self._affine.need_input_grad = self.need_input_grad
        z = self._affine.forward(x)
        self._softmax_out = None
        if act == "softmax":
            z = self._softmax_out = current().softmax(z)
        return z

    def backward(self, dout):
        if self._softmax_out is not None:
            dout = _softmax_backward(dout, self._softmax_out)
        dx = self._affine.backward(dout)
        self.grads = [self._affine.dW] + ([self._affine.db] if self.use_bias else [])
        if self.kernel_regularizer is not None:
            self.kernel_regularizer.add_gradient(self.grads[0], self.kernel)
        if self.bias_regularizer is not None and self.use_bias:
            self.bias_regularizer.add_gradient(self.grads[1], self.bias)
        return dx

    def regularization_loss(self):
        loss = 0.0
        if self.kernel_regularizer is not None:
            loss += self.kernel_regularizer(self.kernel)
        if self.bias_regularizer is not None and self.use_bias:
            loss += self.bias_regularizer(self.bias)
        return loss

    def get_config(self):
        config = super().get_config()
        config.update(
            units=self.units, activation=self.activation, use_bias=self.use_bias,
            kernel_initializer=initializers.name_of(self.kernel_initializer),
            bias_initializer=initializers.name_of(self.bias_initializer),
            kernel_regularizer=_regularizer_config(self.kernel_regularizer),
            bias_regularizer=_regularizer_config(self.bias_regularizer),
        )
        return config


def _regularizer_config(reg):
    return None if reg is None else reg.get_config()


class Activation(_OutputActivation, Layer):
    """output = activation(input), elementwise (softmax: over the last axis)."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self._out = None
        self._act = "linear"

    def forward(self, x, training=False, logits=False):
        self._act = act = "linear" if logits else self.activation
        if act == "linear":
            return x
        B = current()
        self._out = B.softmax(x) if act == "softmax" else B.activation_forward(x, act)
        return self._out

    def backward(self, dout):
        if self._act == "linear":
            return dout
        if self._act == "softmax":
            return _softmax_backward(dout, self._out)
        return current().activation_backward(dout, self._out, self._act)

    def get_config(self):
        return {**super().get_config(), "activation": self.activation}


class Softmax(Activation):
    """output = softmax(input) over the last axis (Keras' Softmax layer)."""

    def __init__(self, axis=-1, **kwargs):
        if axis not in (-1, 1):
            raise NotImplementedError("Softmax: only the last axis of 2-D inputs is supported")
        super().__init__("softmax", **kwargs)

    def get_config(self):
        config = super().get_config()
        del config["activation"]
        return config


class Dropout(Layer):
    """Training: zero each input with probability `rate`, scale the rest by 1/(1-rate).

    At inference (evaluate, predict) the input passes unchanged: the scaling
    during training already keeps the expected activation the same.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= float(rate) < 1:
            raise ValueError(f"Dropout: rate must be in [0, 1), got {rate!r}")
        if noise_shape is not None:
            raise NotImplementedError("Dropout: noise_shape is not supported by fastnet.keras")
        self.rate = float(rate)
        self.seed = seed
        self._generator = None
        self._mask = None

    def forward(self, x, training=False):
        if not training or self.rate == 0:
            self._mask = None
            return x
        xp = current().xp
        if self._generator is None:
            seed = self.seed if self.seed is not None else int(utils.rng().integers(2**63))
            self._generator = xp.random.default_rng(seed)
        keep = self._generator.random(x.shape, dtype=x.dtype) >= self.rate
        self._mask = keep.astype(x.dtype)
        self._mask *= 1.0 / (1.0 - self.rate)
        return x * self._mask

    def backward(self, dout):
        return dout if self._mask is None else dout * self._mask

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class Flatten(Layer):
    """(batch, d1, d2, ...) -> (batch, d1·d2·...), in channels-last order like Keras."""

    def compute_output_shape(self, input_shape):
        return (math.prod(input_shape),)

    def forward(self, x, training=False):
        self._shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout):
        return dout.reshape(self._shape)


def _pair(value, name):
    if isinstance(value, int):
        return (value, value)
    value = tuple(int(v) for v in value)
    if len(value) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    return value


def _engine_conv_layers():
    """fastnet.layers.Convolution and Pooling, or a clear error when this build lacks them."""
    missing = [n for n in ("Convolution", "Pooling") if not hasattr(_engine, n)]
    if missing:
        raise NotImplementedError(
            f"Conv2D / MaxPooling2D need fastnet.layers.{' and '.join(missing)} (the "
            f"im2col / col2im / max_pool kernels), which this build of fastnet does not have yet"
        )
    return _engine.Convolution, _engine.Pooling


def _same_padding(size, kernel, stride, name):
    """Keras' 'same' padding as the book's symmetric pad, when one exists."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    if total % 2:
        raise NotImplementedError(
            f"{name}: padding='same' here needs {total} rows/columns of padding split "
            f"unevenly, which fastnet's symmetric-pad kernels do not do; use an odd "
            f"kernel size with strides=1, or padding='valid'"
        )
    return total // 2


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
    activation fused). The kernel is kept in Keras' layout (kh, kw, in, out),
    the one get_weights returns and the optimizer updates; the engine reads a
    copy in the book's layout (out, in, kh, kw), refreshed on every forward.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 data_format=None, **kwargs):
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise NotImplementedError("Conv2D: only data_format='channels_last' is supported")
        if padding not in ("valid", "same"):
            raise ValueError(f"Conv2D: padding must be 'valid' or 'same', got {padding!r}")
        self.filters = int(filters)
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.strides = _pair(strides, "strides")
        if self.strides[0] != self.strides[1]:
            raise NotImplementedError("Conv2D: fastnet's convolution takes one stride for "
                                      "both axes")
        self.padding = padding
        self.activation = activations.get(activation)
        if self.activation == "softmax":
            raise NotImplementedError("Conv2D: activation='softmax' is not supported")
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)

    def _pad(self, input_shape):
        if self.padding == "valid":
            return 0
        pads = {_same_padding(n, k, self.strides[0], "Conv2D")
                for n, k in zip(input_shape[:2], self.kernel_size)}
        if len(pads) != 1:
            raise NotImplementedError("Conv2D: 'same' padding differs between height and width")
        return pads.pop()

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(
                f"Conv2D {self.name!r} expects inputs (batch, height, width, channels), got "
                f"{(None, *input_shape)}"
            )
        pad, s = self._pad(input_shape), self.strides[0]
        h, w = ((n + 2 * pad - k) // s + 1 for n, k in zip(input_shape[:2], self.kernel_size))
        if h <= 0 or w <= 0:
            raise ValueError(f"Conv2D {self.name!r}: kernel larger than the input {input_shape}")
        return (h, w, self.filters)

    def build(self, input_shape, dtype):
        convolution, _ = _engine_conv_layers()
        out = super().build(input_shape, dtype)
        kh, kw = self.kernel_size
        self.kernel = self.kernel_initializer((kh, kw, input_shape[2], self.filters), dtype)
        xp = current().xp
        self.bias = (self.bias_initializer((self.filters,), dtype) if self.use_bias
                     else xp.zeros(self.filters, dtype=dtype))
        self.weights = [self.kernel] + ([self.bias] if self.use_bias else [])
        self._book_W = xp.ascontiguousarray(self.kernel.transpose(3, 2, 0, 1))
        self._conv = convolution(self._book_W, self.bias, stride=self.strides[0],
                                 pad=self._pad(input_shape),
                                 activation=activations.kernel_name(self.activation))
        return out

    def forward(self, x, training=False):
        self._book_W[...] = self.kernel.transpose(3, 2, 0, 1)
        self._conv.need_input_grad = self.need_input_grad
        return _to_keras(self._conv.forward(_to_book(x)))

    def backward(self, dout):
        dx = self._conv.backward(_to_book(dout))
        # The engine's dW is (out, in, kh, kw); the kernel's gradient is in Keras' layout.
        dW = current().xp.ascontiguousarray(self._conv.dW.transpose(2, 3, 1, 0))
        self.grads = [dW] + ([self._conv.db] if self.use_bias else [])
        if self.kernel_regularizer is not None:
            self.kernel_regularizer.add_gradient(self.grads[0], self.kernel)
        if self.bias_regularizer is not None and self.use_bias:
            self.bias_regularizer.add_gradient(self.grads[1], self.bias)
        return None if dx is None else _to_keras(dx)

    def regularization_loss(self):
        return Dense.regularization_loss(self)

    def get_config(self):
        config = super().get_config()
        config.update(
            filters=self.filters, kernel_size=list(self.kernel_size),
            strides=list(self.strides), padding=self.padding, activation=self.activation,
            use_bias=self.use_bias,
            kernel_initializer=initializers.name_of(self.kernel_initializer),
            bias_initializer=initializers.name_of(self.bias_initializer),
            kernel_regularizer=_regularizer_config(self.kernel_regularizer),
            bias_regularizer=_regularizer_config(self.bias_regularizer),
        )
        return config


class MaxPooling2D(Layer):
    """The maximum of each pool_size window, channels-last (engine: Pooling, NCHW)."""

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise NotImplementedError(
                "MaxPooling2D: only data_format='channels_last' is supported"
            )
        if padding != "valid":
            raise NotImplementedError("MaxPooling2D: only padding='valid' is supported")
        self.pool_size = _pair(pool_size, "pool_size")
        self.strides = _pair(strides if strides is not None else self.pool_size, "strides")
        if self.strides[0] != self.strides[1]:
            raise NotImplementedError("MaxPooling2D: one stride for both axes only")
        self.padding = padding

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(
                f"MaxPooling2D {self.name!r} expects inputs (batch, height, width, channels), "
                f"got {(None, *input_shape)}"
            )
        s = self.strides[0]
        h, w = ((n - p) // s + 1 for n, p in zip(input_shape[:2], self.pool_size))
        return (h, w, input_shape[2])

    def build(self, input_shape, dtype):
        _, pooling = _engine_conv_layers()
        self._pool = pooling(self.pool_size[0], self.pool_size[1], stride=self.strides[0])
        return super().build(input_shape, dtype)

    def forward(self, x, training=False):
        return _to_keras(self._pool.forward(_to_book(x)))

    def backward(self, dout):
        return _to_keras(self._pool.backward(_to_book(dout)))

    def get_config(self):
        return {**super().get_config(), "pool_size": list(self.pool_size),
                "strides": list(self.strides), "padding": self.padding}


# Keras' other names for the same layers.
Convolution2D = Conv2D
MaxPool2D = MaxPooling2D

_BY_NAME = {cls.__name__: cls for cls in (
    InputLayer, Dense, Activation, Softmax, Dropout, Flatten, Conv2D, MaxPooling2D)}


def from_config(class_name, config):
    """Rebuild a layer from `get_config()` (used by load_model; never unpickles)."""
    if class_name not in _BY_NAME:
        raise ValueError(f"unknown layer class {class_name!r} in a saved model")
    config = dict(config)
    if class_name == "InputLayer":
        return InputLayer(shape=tuple(config["input_shape"]), name=config.get("name"))
    for key in ("kernel_regularizer", "bias_regularizer"):
        if config.get(key) is not None:
            config[key] = regularizers.Regularizer(**config[key])
    return _BY_NAME[class_name](**config)
