"""Optimizers with the book's names, defaults and update rules.

Each optimizer has `update(params, grads)`, which changes every
`params[key]` IN PLACE: the layers of a network hold references to those
arrays, so they see the new values without being rebuilt. The arithmetic
of each rule is one backend kernel (`sgd_update`, `adam_update`, ...), so
an update is one pass over memory per parameter instead of NumPy's
several temporaries.

State arrays (`v`, `h`, `m`) are dicts keyed like `params`, created with
zeros on the first update, as in the book.
"""

import math

from .backend import current
from .backend.checks import finite_number, fraction

__all__ = ["BY_NAME", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"]


def _zeros_like_each(B, params):
    return {key: B.xp.zeros_like(val) for key, val in params.items()}


def _state(state, B, params, where):
    """The state dict of an optimizer: zeros on the first update, then the same dict.

    A later update with a parameter the state lacks is refused: the book's
    optimizers build their state once, from the first params they see.
    """
    if state is None:
        return _zeros_like_each(B, params)
    new = [key for key in params if key not in state]
    if new:
        raise ValueError(f"{where}: params has {new}, which this optimizer did not see on its "
                         f"first update (its state holds {list(state)}); use a new optimizer "
                         f"for a new set of parameters")
    return state


def _keys(params, grads, where):
    """The keys of params, each with a gradient, or a clear error (once per update)."""
    for name, d in (("params", params), ("grads", grads)):
        if not hasattr(d, "keys"):
            raise TypeError(f"{where}: {name} must be a dict of arrays keyed by parameter "
                            f"name (like network.params), got {type(d).__name__}")
    missing = [key for key in params if key not in grads]
    if missing:
        raise ValueError(f"{where}: grads has no entry for {missing} (params has them)")
    return params.keys()


def _rate(lr, where):
    """lr as a float: finite and not negative (a negative rate climbs the loss: the
    network diverges without an error)."""
    lr = finite_number(lr, "lr", where)
    if lr < 0:
        raise ValueError(f"{where}: lr must be >= 0, got {lr!r}")
    return lr


class SGD:
    """Stochastic gradient descent: p -= lr·g."""

    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        B = current()
        keys = _keys(params, grads, "SGD.update")
        lr = _rate(self.lr, "SGD.update")
        for key in keys:
            B.sgd_update(params[key], grads[key], lr)


class _OneState:
    """An optimizer with one state array per parameter (the book's `v` or `h`),
    zeros on the first update, and one backend kernel for its rule."""

    state_name = None  # "v" or "h", the book's attribute
    kernel = None  # the backend kernel that applies the rule in place

    def _hyperparameters(self, where):
        return (_rate(self.lr, where),)

    def update(self, params, grads):
        B = current()
        where = f"{type(self).__name__}.update"
        keys = _keys(params, grads, where)
        hyperparameters = self._hyperparameters(where)
        state = _state(getattr(self, self.state_name), B, params, where)
        setattr(self, self.state_name, state)
        step = getattr(B, self.kernel)
        for key in keys:
            step(params[key], grads[key], state[key], *hyperparameters)


class Momentum(_OneState):
    """v = momentum·v - lr·g; p += v."""

    state_name, kernel = "v", "momentum_update"

    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None

    def _hyperparameters(self, where):
        # outside [0, 1] the velocities grow or flip sign every step
        return _rate(self.lr, where), fraction(self.momentum, "momentum", where)


class Nesterov(_OneState):
    """Nesterov's accelerated gradient, in the book's rearranged form.

    p += momentum²·v; p -= (1 + momentum)·lr·g; v = momentum·v - lr·g.
    """

    # Momentum's arguments and state, another rule (not a subclass: the book's are siblings).
    state_name, kernel = "v", "nesterov_update"
    __init__ = Momentum.__init__
    _hyperparameters = Momentum._hyperparameters


class AdaGrad(_OneState):
    """h += g²; p -= lr·g / (√h + 1e-7)."""

    state_name, kernel = "h", "adagrad_update"

    def __init__(self, lr=0.01):
        self.lr = lr
        self.h = None


class RMSprop(_OneState):
    """h = decay_rate·h + (1 - decay_rate)·g²; p -= lr·g / (√h + 1e-7)."""

    state_name, kernel = "h", "rmsprop_update"

    def __init__(self, lr=0.01, decay_rate=0.99):
        self.lr = lr
        self.decay_rate = decay_rate
        self.h = None

    def _hyperparameters(self, where):
        return _rate(self.lr, where), fraction(self.decay_rate, "decay_rate", where)


class Adam:
    """Adam (Kingma & Ba) exactly as the book writes it.

    iter += 1; lr_t = lr·√(1 - beta2^iter) / (1 - beta1^iter);
    m += (1 - beta1)(g - m); v += (1 - beta2)(g² - v); p -= lr_t·m / (√v + 1e-7).
    The bias correction is folded into the scalar lr_t, computed once per
    update in Python, so the kernel never touches the step count.
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.iter = 0
        self.m = None
        self.v = None

    def update(self, params, grads):
        B = current()
        keys = _keys(params, grads, "Adam.update")
        lr = _rate(self.lr, "Adam.update")
        beta1, beta2 = (finite_number(b, name, "Adam.update")
                        for name, b in (("beta1", self.beta1), ("beta2", self.beta2)))
        if not (0.0 <= beta1 < 1.0 and 0.0 <= beta2 < 1.0):
            raise ValueError(f"Adam.update: beta1 and beta2 must lie in [0, 1), "
                             f"got {self.beta1!r} and {self.beta2!r}")
        self.m = _state(self.m, B, params, "Adam.update")
        self.v = _state(self.v, B, params, "Adam.update")
        self.iter += 1
        lr_t = lr * math.sqrt(1.0 - beta2**self.iter) / (1.0 - beta1**self.iter)
        for key in keys:
            B.adam_update(
                params[key], grads[key], self.m[key], self.v[key], lr_t, self.beta1, self.beta2
            )


# Each optimizer under the lower-case name that command lines and estimators use.
BY_NAME = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adagrad": AdaGrad,
    "rmsprop": RMSprop,
    "adam": Adam,
}
