"""Weight initializers with Keras' names and defaults.

Dense and Conv2D start from `glorot_uniform` kernels and `zeros` biases, as
in Keras. Random numbers are drawn on the host from fastnet.keras' own
generator (`fastnet.keras.utils.set_random_seed` makes runs repeatable) and
moved to the current backend's array module once, at build time.
"""

import inspect
import math

import numpy as np

from ..backend import current
from . import arguments, utils

__all__ = [
    "Constant", "GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform", "Initializer",
    "Ones", "RandomNormal", "RandomUniform", "VarianceScaling", "Zeros", "get", "serialize",
]

# The standard deviation of a unit normal truncated to [-2, 2]; dividing by it
# gives the truncated draws the variance asked for.
_TRUNCATED_STD = 0.87962566103423978


def _fans(shape):
    """(fan_in, fan_out) of a Keras-layout weight: (in, out) or (kh, kw, in, out)."""
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """Called with a shape and a dtype, returns a new array on the current backend."""

    def __call__(self, shape, dtype="float32"):
        values = self.sample(tuple(shape), utils.rng())
        return current().xp.asarray(values.astype(dtype))

    def sample(self, shape, rng):  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def get_config(self):
        """The constructor's arguments, as Keras gives them: Constant(0.3) -> {'value': 0.3}."""
        return {name: getattr(self, name) for name in inspect.signature(type(self)).parameters}


def _seed(seed, kind):
    return None if seed is None else arguments.integer(seed, f"{kind}: seed", minimum=0)


class Zeros(Initializer):
    def sample(self, shape, rng):
        return np.zeros(shape)


class Ones(Initializer):
    def sample(self, shape, rng):
        return np.ones(shape)


class Constant(Initializer):
    def __init__(self, value=0.0):
        self.value = arguments.real(value, "Constant: value")

    def sample(self, shape, rng):
        return np.full(shape, self.value)


class RandomNormal(Initializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = arguments.real(mean, "RandomNormal: mean")
        self.stddev = arguments.real(stddev, "RandomNormal: stddev", low=0.0)
        self.seed = _seed(seed, "RandomNormal")

    def sample(self, shape, rng):
        rng = rng if self.seed is None else np.random.default_rng(self.seed)
        return rng.normal(self.mean, self.stddev, shape)


class RandomUniform(Initializer):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = arguments.real(minval, "RandomUniform: minval")
        self.maxval = arguments.real(maxval, "RandomUniform: maxval", low=self.minval)
        self.seed = _seed(seed, "RandomUniform")

    def sample(self, shape, rng):
        rng = rng if self.seed is None else np.random.default_rng(self.seed)
        return rng.uniform(self.minval, self.maxval, shape)


class VarianceScaling(Initializer):
    """Draws with variance scale / n, n = fan_in, fan_out or their mean (mode)."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"mode must be 'fan_in', 'fan_out' or 'fan_avg', got {mode!r}")
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(f"unknown distribution {distribution!r}")
        self.scale = arguments.real(scale, "VarianceScaling: scale", low=0.0, low_open=True)
        self.mode, self.distribution = mode, distribution
        self.seed = _seed(seed, "VarianceScaling")

    def sample(self, shape, rng):
        rng = rng if self.seed is None else np.random.default_rng(self.seed)
        fan_in, fan_out = _fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)  # U(-a, a) has variance a²/3
            return rng.uniform(-limit, limit, shape)
        if self.distribution == "untruncated_normal":
            return rng.normal(0.0, math.sqrt(variance), shape)
        return _truncated_normal(rng, math.sqrt(variance) / _TRUNCATED_STD, shape)


def _truncated_normal(rng, stddev, shape):
    # Redraw the values beyond two standard deviations, as Keras does.
    x = rng.standard_normal(shape)
    outside = np.abs(x) > 2
    while outside.any():
        x[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(x) > 2
    return x * stddev


class GlorotUniform(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_avg", "uniform", seed)


class GlorotNormal(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_avg", "truncated_normal", seed)


class HeNormal(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(2.0, "fan_in", "truncated_normal", seed)


class HeUniform(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(2.0, "fan_in", "uniform", seed)


class LecunNormal(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_in", "truncated_normal", seed)


class LecunUniform(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_in", "uniform", seed)


_BY_NAME = {
    "zeros": Zeros, "ones": Ones, "constant": Constant,
    "random_normal": RandomNormal, "random_uniform": RandomUniform,
    "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
    "he_normal": HeNormal, "he_uniform": HeUniform,
    "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform,
    # Keras' short names (Embedding's default is "uniform").
    "uniform": RandomUniform, "normal": RandomNormal,
}
_BY_CLASS = {cls.__name__: cls for cls in (*_BY_NAME.values(), VarianceScaling)}
# Keras' serialized form: {"class_name": "Constant", "config": {"value": 0.3}}.
_SERIALIZED_KEYS = {"class_name", "config"}
_KERAS_EXTRA_KEYS = {"module", "registered_name"}


def get(identifier):
    """An Initializer from a Keras name ('glorot_uniform', ...), an instance or its
    serialized form (`serialize`); a class is looked up in this module's registry only."""
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, str):
        key = identifier.lower()
        if key in _BY_NAME:
            return _BY_NAME[key]()
    if (isinstance(identifier, dict) and _SERIALIZED_KEYS <= set(identifier)
            <= _SERIALIZED_KEYS | _KERAS_EXTRA_KEYS
            and identifier["class_name"] in _BY_CLASS and isinstance(identifier["config"], dict)):
        return _BY_CLASS[identifier["class_name"]](**identifier["config"])
    raise ValueError(f"unknown initializer {identifier!r:.200}; choose one of {sorted(_BY_NAME)}"
                     f" or {{'class_name': one of {sorted(_BY_CLASS)}, 'config': {{...}}}}")


def serialize(initializer):
    """How a layer's config records an initializer: its Keras name when it has that
    name's defaults, else its class and arguments, so Constant(0.3) comes back as 0.3."""
    config = initializer.get_config()
    for name, cls in _BY_NAME.items():
        if type(initializer) is cls and cls().get_config() == config:
            return name
    return {"class_name": type(initializer).__name__, "config": config}
