"""BatchNormalization with Keras 3's defaults and rules.

Training (fit): each feature of the last axis is normalized with the batch's
mean μ and (biased) variance σ², then scaled and shifted:

    out = γ·(x - μ) / √(σ² + ε) + β,     ε = 1e-3, γ from 1, β from 0

and the moving statistics follow the batch's:
moving = momentum·moving + (1 - momentum)·batch, momentum = 0.99. Inference
(evaluate, predict, or a layer with trainable=False, as in Keras 3) uses the
moving mean and variance instead, and updates nothing.

Which kernels: the backward pass is the engine's `batchnorm_backward`, which
takes the forward's x̂ and √(σ² + ε) as inputs and so works for any ε. The
engine's forward kernels fix ε at the book's 1e-6 with no argument to change
it, and Keras' is 1e-3 (and the user's to choose), so the forward passes are
array expressions on the backend's array module: a mean, a variance and one
scaled difference per batch, the same passes the kernel makes.
"""

from ...backend import current
from .. import arguments, initializers
from .base import Layer


class BatchNormalization(Layer):
    """Normalize each feature (the last axis) over the batch; γ and β are learned."""

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 **kwargs):
        for key in ("beta_regularizer", "gamma_regularizer", "beta_constraint",
                    "gamma_constraint"):
            if kwargs.pop(key, None) is not None:
                raise NotImplementedError(f"BatchNormalization: {key}= is not supported by "
                                          f"fastnet.keras")
        if kwargs.pop("synchronized", False):
            raise NotImplementedError("BatchNormalization: synchronized=True needs several "
                                      "devices; fastnet.keras trains on one")
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise TypeError(f"BatchNormalization: axis must be an integer, got {axis!r}")
        self.axis = axis
        self.momentum = arguments.real(momentum, "BatchNormalization: momentum", low=0.0,
                                       high=1.0)
        # ε keeps √(σ² + ε) above 0 for a feature that is constant over a batch.
        self.epsilon = arguments.real(epsilon, "BatchNormalization: epsilon", low=0.0,
                                      low_open=True)
        for name, value in (("center", center), ("scale", scale)):
            if not isinstance(value, bool):
                raise TypeError(f"BatchNormalization: {name} must be True or False, "
                                f"got {value!r}")
        self.center, self.scale = center, scale
        self.initializers = {
            "beta": initializers.get(beta_initializer),
            "gamma": initializers.get(gamma_initializer),
            "moving_mean": initializers.get(moving_mean_initializer),
            "moving_variance": initializers.get(moving_variance_initializer),
        }
        self._cache = None

    def compute_output_shape(self, input_shape):
        if not input_shape:
            raise ValueError(f"BatchNormalization {self.name!r} needs inputs with a feature "
                             f"axis, got {(None, *input_shape)}")
        if self.axis not in (-1, len(input_shape)):
            # Keras counts the batch axis: the last axis of (None, a, b) is 2.
            raise NotImplementedError(
                f"BatchNormalization: only the last axis (-1) is supported, got axis="
                f"{self.axis} for inputs {(None, *input_shape)}"
            )
        return input_shape

    def _names(self):
        return ([n for n, on in (("gamma", self.scale), ("beta", self.center)) if on]
                + ["moving_mean", "moving_variance"])

    def weight_shapes(self, input_shape):
        return [(input_shape[-1],)] * len(self._names())

    def build(self, input_shape, dtype):
        out = super().build(input_shape, dtype)
        features = (input_shape[-1],)
        for name in self._names():
            setattr(self, name, self.initializers[name](features, dtype))
        # Keras' order: gamma, beta, moving_mean, moving_variance.
        self.weights = [getattr(self, name) for name in self._names()]
        return out

    @property
    def trainable_weights(self):
        # The moving statistics are Keras' non-trainable weights: saved, never optimized.
        learned = int(self.scale) + int(self.center)
        return self.weights[:learned] if self.trainable else []

    def _gamma(self, xp, like):
        return self.gamma if self.scale else xp.ones(like.shape[-1], dtype=like.dtype)

    def forward(self, x, training=False):
        xp = current().xp
        features = x.reshape(-1, x.shape[-1])  # channels-last: a view, no copy
        if training and self.trainable:
            mean = features.mean(axis=0)
            centered = features - mean
            variance = (centered * centered).mean(axis=0)
            self.moving_mean *= self.momentum
            self.moving_mean += (1.0 - self.momentum) * mean
            self.moving_variance *= self.momentum
            self.moving_variance += (1.0 - self.momentum) * variance
        else:
            centered = features - self.moving_mean
            variance = self.moving_variance
        std = xp.sqrt(variance + self.epsilon)
        normalized = centered / std
        self._cache = (normalized, std, bool(training and self.trainable))
        out = normalized * self._gamma(xp, x) if self.scale else normalized
        if self.center:
            out = out + self.beta
        return out.reshape(x.shape)

    def backward(self, dout):
        xp = current().xp
        normalized, std, batch_statistics = self._cache
        shape = dout.shape
        dout = dout.reshape(-1, shape[-1])
        gamma = self._gamma(xp, dout)
        if batch_statistics:
            dx, dgamma, dbeta = current().batchnorm_backward(dout, normalized, std, gamma)
        else:
            # The moving statistics are constants here: the layer is x·(γ/std) + const.
            dx = dout * (gamma / std)
            dgamma, dbeta = (dout * normalized).sum(axis=0), dout.sum(axis=0)
        self.grads = ([dgamma] if self.scale else []) + ([dbeta] if self.center else [])
        return dx.reshape(shape) if self.need_input_grad else None

    def get_config(self):
        config = super().get_config()
        config.update(
            axis=self.axis, momentum=self.momentum, epsilon=self.epsilon, center=self.center,
            scale=self.scale,
            **{f"{name}_initializer": initializers.serialize(init)
               for name, init in self.initializers.items()},
        )
        return config
