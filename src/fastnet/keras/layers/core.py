"""Dense, Activation, Softmax, Dropout and Flatten."""

import math

from ... import layers as _engine
from ...backend import current
from .. import activations, arguments, initializers, regularizers, utils
from .base import Layer


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
        self.units = arguments.integer(units, "Dense: units", minimum=1)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self._affine = None
        self._softmax_out = None

    def compute_output_shape(self, input_shape):
        self._expect_axes(input_shape, ["features"], "; put a Flatten() layer before it")
        return (self.units,)

    def weight_shapes(self, input_shape):
        return [(input_shape[0], self.units)] + ([(self.units,)] if self.use_bias else [])

    def build(self, input_shape, dtype):
        out = super().build(input_shape, dtype)
        shapes = self.weight_shapes(input_shape)
        self.kernel = self.kernel_initializer(shapes[0], dtype)
        self.bias = self.bias_initializer(shapes[1], dtype) if self.use_bias else None
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
        self._take_grads(self._affine.dW, self._affine.db)
        return dx

    def _take_grads(self, dW, db):
        """grads := [dW, db] (db only with a bias), plus the regularizers' gradients."""
        self.grads = [dW] + ([db] if self.use_bias else [])
        if self.kernel_regularizer is not None:
            self.kernel_regularizer.add_gradient(self.grads[0], self.kernel)
        if self.bias_regularizer is not None and self.use_bias:
            self.bias_regularizer.add_gradient(self.grads[1], self.bias)

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
            kernel_initializer=initializers.serialize(self.kernel_initializer),
            bias_initializer=initializers.serialize(self.bias_initializer),
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
        # rate 1 would drop every input and scale by 1/0.
        self.rate = arguments.real(rate, "Dropout: rate", low=0.0, high=1.0, high_open=True)
        if noise_shape is not None:
            raise NotImplementedError("Dropout: noise_shape is not supported by fastnet.keras")
        self.seed = None if seed is None else arguments.integer(seed, "Dropout: seed", minimum=0)
        self._generator = None
        self._mask = None

    def forward(self, x, training=False):
        if not training or self.rate == 0:
            self._mask = None
            return x
        xp = current().xp
        owner = self.origin  # the calls of a shared Dropout draw from one stream
        if owner._generator is None:
            seed = self.seed if self.seed is not None else int(utils.rng().integers(2**63))
            owner._generator = xp.random.default_rng(seed)
        keep = owner._generator.random(x.shape, dtype=x.dtype) >= self.rate
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
