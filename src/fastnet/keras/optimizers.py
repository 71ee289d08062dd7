"""Keras' optimizers, with Keras' defaults and update rules, on fastnet's kernels.

Each rule was checked against Keras 3's `update_step` (keras/src/optimizers):

- SGD: p -= lr·g; with momentum: v = μ·v - lr·g, p += v (the book's
  Momentum, `momentum_update`); with nesterov=True: p += μ·v_new - lr·g,
  which expands to the book's p += μ²·v - (1+μ)·lr·g (`nesterov_update`).
- Adam: m += (1-β1)(g - m); v += (1-β2)(g² - v);
  p -= lr·√(1-β2^t)/(1-β1^t) · m / (√v + ε), ε = 1e-7 OUTSIDE the root:
  the book's Adam (`adam_update`), same ε.
- RMSprop: h = ρ·h + (1-ρ)·g²; p -= lr·g / √(h + ε), ε INSIDE the root
  (the book's is outside), ρ = 0.9 (the book's 0.99): `rms_update`;
  `centered` and `momentum` as Keras defines them (see RMSprop).
- Adam with amsgrad=True divides by max(v so far) instead of v.
- Adagrad: h starts at 0.1 (the book's at 0); h += g²; p -= lr·g / √(h + ε):
  `rms_update` with decay = gain = 1.

Optimizer state lives on the current backend (`xp.zeros_like`), created on
the first step; every step is one kernel call per weight. A step is
`apply(grads, trainable_variables)` (Keras' order) or
`apply_gradients(zip(grads, variables))`; the variables are the model's own
arrays, updated in place, so a list or a number is refused (its update would
land in a temporary copy).
"""

import math
import operator

from ..backend import current
from . import arguments, legacy

__all__ = ["SGD", "Adagrad", "Adam", "Optimizer", "RMSprop", "get"]


class Optimizer:
    """Holds the learning rate (Keras' `learning_rate`, or the legacy `lr`)."""

    def __init__(self, learning_rate, name=None, **kwargs):
        if "lr" in kwargs:  # Keras 2's spelling, still in many tutorials; Keras 3 refuses it
            legacy.warn_once("an optimizer's lr=", "learning_rate=", stacklevel=4)
        lr = kwargs.pop("lr", None)
        for key in ("decay", "clipnorm", "clipvalue", "global_clipnorm", "weight_decay"):
            if kwargs.pop(key, None):  # None or 0 mean "off", which is what fastnet does
                _unsupported(self, key)
        if kwargs:
            raise TypeError(
                f"{type(self).__name__}: unexpected keyword argument(s) {sorted(kwargs)}"
            )
        self.learning_rate = lr if lr is not None else learning_rate
        self.name = name or type(self).__name__.lower()
        self.iterations = 0
        self._state = None
        self._variables = None  # the arrays the state was made for, checked once
        self._shapes = None

    @property
    def learning_rate(self):
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        # Checked on every assignment: callbacks and users change it mid-training.
        if callable(value):
            raise TypeError(
                f"{type(self).__name__}: learning_rate must be a number; learning-rate "
                f"schedules are not supported by fastnet.keras"
            )
        # A negative rate climbs the loss; 0 keeps the weights (Keras allows it).
        self._learning_rate = arguments.real(
            value, f"{type(self).__name__}: learning_rate", low=0.0)

    lr = learning_rate

    def apply(self, grads, trainable_variables):
        """One step, in Keras' argument order: update each variable in place.

        `trainable_variables` are the arrays to update (e.g.
        `model.trainable_weights`), `grads` their gradients, in the same order.
        """
        weights = self._checked(grads, trainable_variables)
        if self._state is None:
            self._state = [self._new_state(w) for w in weights]
        self.iterations += 1
        self._step(weights, grads)

    def apply_gradients(self, grads_and_vars):
        """One step from (gradient, variable) pairs, as in Keras."""
        pairs = list(grads_and_vars)
        if any(not isinstance(p, (list, tuple)) or len(p) != 2 for p in pairs):
            raise TypeError(
                f"{type(self).__name__}: apply_gradients expects (grad, variable) pairs"
            )
        self.apply([g for g, _ in pairs], [w for _, w in pairs])

    def _checked(self, grads, weights):
        """The variables, checked once: later steps pass the same arrays again."""
        kind = type(self).__name__
        for what, items in (("grads", grads), ("trainable_variables", weights)):
            # A bare array would be iterated row by row (or number by number).
            if not isinstance(items, (list, tuple)):
                raise TypeError(
                    f"{kind}: {what} must be a list of arrays, got {type(items).__name__}"
                )
        if len(grads) != len(weights):
            raise ValueError(
                f"{kind}: {len(grads)} gradients for {len(weights)} trainable variables"
            )
        known = self._variables
        if known is not None and len(known) == len(weights) and all(map(operator.is_,
                                                                         weights, known)):
            return weights
        xp = current().xp
        for i, w in enumerate(weights):
            # Weights are updated in place: a list or a number would be copied
            # into a temporary array and the update lost.
            if not isinstance(w, xp.ndarray) or w.dtype.kind != "f":
                raise TypeError(
                    f"{kind}: trainable variable {i} must be a float array of the current "
                    f"backend, updated in place; got {type(w).__name__}"
                    + (f" of dtype {w.dtype}" if hasattr(w, "dtype") else "")
                )
        shapes = [w.shape for w in weights]
        if self._shapes is not None and shapes != self._shapes:
            raise ValueError(
                f"{kind}: this optimizer was first applied to variables of shapes "
                f"{self._shapes} and keeps state for them; got shapes {shapes} (use a new "
                f"optimizer for other variables)"
            )
        self._variables, self._shapes = list(weights), shapes
        return weights

    def _new_state(self, w):
        return ()

    def get_config(self):
        return {"learning_rate": self.learning_rate}


def _epsilon(value, kind):
    # ε keeps √(h + ε) above 0 where a gradient is 0; at 0 that step is 0/0.
    return arguments.real(value, f"{kind}: epsilon", low=0.0, low_open=True)


def _unsupported(opt, key):
    raise NotImplementedError(f"{type(opt).__name__}: {key}= is not supported by fastnet.keras")


class SGD(Optimizer):
    """Gradient descent, optionally with (Nesterov) momentum. Keras defaults: lr 0.01."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name=None, **kwargs):
        super().__init__(learning_rate, name, **kwargs)
        self.momentum = arguments.real(momentum, "SGD: momentum", low=0.0, high=1.0)
        self.nesterov = bool(nesterov)

    def _new_state(self, w):
        return (current().xp.zeros_like(w),) if self.momentum else ()

    def _step(self, weights, grads):
        B, lr, mu = current(), self.learning_rate, self.momentum
        for w, g, state in zip(weights, grads, self._state):
            if not mu:
                B.sgd_update(w, g, lr)
            elif self.nesterov:
                B.nesterov_update(w, g, state[0], lr, mu)
            else:
                B.momentum_update(w, g, state[0], lr, mu)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class RMSprop(Optimizer):
    """h = ρ·h + (1-ρ)·g²; p -= lr·g / √(h + ε). Keras defaults: lr 0.001, ρ 0.9, ε 1e-7.

    Keras' options, as its update_step defines them: centered keeps a = ρ·a +
    (1-ρ)·g and divides by √(h - a² + ε); momentum μ > 0 keeps m = μ·m + step
    and subtracts m instead of the step. They run as array expressions (no
    kernel of their own): tutorials rarely set them.
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, name=None, **kwargs):
        super().__init__(learning_rate, name, **kwargs)
        self.rho = arguments.real(rho, "RMSprop: rho", low=0.0, high=1.0)
        self.momentum = arguments.real(momentum, "RMSprop: momentum", low=0.0, high=1.0)
        if not isinstance(centered, bool):
            raise TypeError(f"RMSprop: centered must be True or False, got {centered!r}")
        self.centered = centered
        self.epsilon = _epsilon(epsilon, "RMSprop")

    def _new_state(self, w):
        zeros = current().xp.zeros_like
        return (zeros(w), zeros(w) if self.momentum else None,
                zeros(w) if self.centered else None)

    def _step(self, weights, grads):
        B, lr, rho = current(), self.learning_rate, self.rho
        for w, g, (h, m, a) in zip(weights, grads, self._state):
            if m is None and a is None:
                B.rms_update(w, g, h, lr, rho, 1.0 - rho, self.epsilon, eps_inside_sqrt=True)
                continue
            h *= rho
            h += (1.0 - rho) * g * g
            denominator = h + self.epsilon
            if a is not None:
                a *= rho
                a += (1.0 - rho) * g
                denominator -= a * a
            step = lr * g / B.xp.sqrt(denominator)
            if m is not None:
                m *= self.momentum
                m += step
                step = m
            w -= step

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}


class Adagrad(Optimizer):
    """h += g²; p -= lr·g / √(h + ε), h from 0.1. Keras defaults: lr 0.001, ε 1e-7."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 name=None, **kwargs):
        super().__init__(learning_rate, name, **kwargs)
        # A negative start would put a negative number under the square root.
        self.initial_accumulator_value = arguments.real(
            initial_accumulator_value, "Adagrad: initial_accumulator_value", low=0.0)
        self.epsilon = _epsilon(epsilon, "Adagrad")

    def _new_state(self, w):
        return (current().xp.full_like(w, self.initial_accumulator_value),)

    def _step(self, weights, grads):
        B = current()
        for w, g, (h,) in zip(weights, grads, self._state):
            B.rms_update(w, g, h, self.learning_rate, 1.0, 1.0, self.epsilon,
                         eps_inside_sqrt=True)

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


class Adam(Optimizer):
    """Adam with Keras' defaults: lr 0.001, β1 0.9, β2 0.999, ε 1e-7 (outside the root)."""

    # The book's adam_update kernel adds this ε; it is also Keras' default.
    KERNEL_EPSILON = 1e-7

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, name=None, **kwargs):
        super().__init__(learning_rate, name, **kwargs)
        if not isinstance(amsgrad, bool):
            raise TypeError(f"Adam: amsgrad must be True or False, got {amsgrad!r}")
        self.amsgrad = amsgrad
        if epsilon != self.KERNEL_EPSILON:
            raise NotImplementedError(
                f"Adam: fastnet's kernel uses epsilon={self.KERNEL_EPSILON} (Keras' default); "
                f"got {epsilon}"
            )
        # beta = 1 makes the bias correction 1 - beta^t zero: a division by zero.
        self.beta_1 = arguments.real(beta_1, "Adam: beta_1", low=0.0, high=1.0, high_open=True)
        self.beta_2 = arguments.real(beta_2, "Adam: beta_2", low=0.0, high=1.0, high_open=True)
        self.epsilon = float(epsilon)

    def _new_state(self, w):
        xp = current().xp
        return (xp.zeros_like(w), xp.zeros_like(w), xp.zeros_like(w) if self.amsgrad else None)

    def _step(self, weights, grads):
        B, t = current(), self.iterations
        # Bias correction folded into one scalar per step, as Keras' alpha.
        lr_t = self.learning_rate * math.sqrt(1.0 - self.beta_2**t) / (1.0 - self.beta_1**t)
        for w, g, (m, v, v_max) in zip(weights, grads, self._state):
            if v_max is None:
                B.adam_update(w, g, m, v, lr_t, self.beta_1, self.beta_2)
                continue
            # Keras' amsgrad: divide by the largest v so far, so a step never
            # grows because v shrank. Array expressions; no kernel of its own.
            m += (1.0 - self.beta_1) * (g - m)
            v += (1.0 - self.beta_2) * (g * g - v)
            B.xp.maximum(v_max, v, out=v_max)
            w -= lr_t * m / (B.xp.sqrt(v_max) + self.epsilon)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


_BY_NAME = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam, "adagrad": Adagrad}


def get(identifier):
    """An optimizer from a Keras name ('rmsprop', 'adam', 'sgd', 'adagrad') or an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]()
    raise ValueError(
        f"unknown optimizer {identifier!r}; fastnet.keras supports {sorted(_BY_NAME)}"
    )


def from_config(name, config):
    """Rebuild an optimizer saved by a model (its state starts afresh)."""
    if not isinstance(name, str) or name not in _BY_NAME:
        raise ValueError(f"unknown optimizer {name!r}; allowed: {sorted(_BY_NAME)}")
    if not isinstance(config, dict):
        raise ValueError(f"an optimizer config is an object, got {config!r}")
    return _BY_NAME[name](**config)
