"""Weight penalties added to the loss: l1, l2, l1_l2 (Keras' names and defaults).

    layers.Dense(16, kernel_regularizer=regularizers.l2(0.001))

adds 0.001·Σ W² to the loss the model reports and 2·0.001·W to dW. As in
Keras, the penalty counts in the training loss and in `evaluate`.
"""

from ..backend import current
from . import arguments

__all__ = ["L1", "L1L2", "L2", "Regularizer", "get", "l1", "l1_l2", "l2"]


class Regularizer:
    """penalty(W) = l1·Σ|W| + l2·Σ W²; its gradient l1·sign(W) + 2·l2·W."""

    def __init__(self, l1=0.0, l2=0.0):
        # A negative factor would reward large weights: no longer a penalty.
        self.l1 = arguments.real(l1, "regularizer: l1", low=0.0)
        self.l2 = arguments.real(l2, "regularizer: l2", low=0.0)

    def __call__(self, w):
        """The penalty as a Python float."""
        xp = current().xp
        total = 0.0
        if self.l1:
            total += self.l1 * float(xp.abs(w).sum())
        if self.l2:
            total += self.l2 * float((w * w).sum())
        return total

    def add_gradient(self, grad, w):
        """grad += d penalty / dW, in place."""
        B = current()
        if self.l2:
            # sgd_update computes p -= lr·g: with p = grad, g = w and
            # lr = -2·l2 it is grad += 2·l2·w in one pass, no temporary.
            B.sgd_update(grad, w, -2.0 * self.l2)
        if self.l1:
            B.sgd_update(grad, B.xp.sign(w), -self.l1)

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    def __init__(self, l1=0.01):
        super().__init__(l1=l1)


class L2(Regularizer):
    def __init__(self, l2=0.01):
        super().__init__(l2=l2)


class L1L2(Regularizer):
    def __init__(self, l1=0.0, l2=0.0):
        super().__init__(l1=l1, l2=l2)


# Keras' lower-case names are the classes themselves.
l1 = L1
l2 = L2
l1_l2 = L1L2


def get(identifier):
    """A Regularizer from None, an instance, 'l1', 'l2', 'l1_l2' or a config dict."""
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, dict):
        unknown = set(identifier) - {"l1", "l2"}
        if unknown:
            raise ValueError(
                f"a regularizer config has keys 'l1' and 'l2' only, got {sorted(map(str, unknown))}"
            )
        return Regularizer(**identifier)
    makers = {"l1": l1, "l2": l2, "l1_l2": l1_l2}
    if isinstance(identifier, str) and identifier.lower() in makers:
        return makers[identifier.lower()]()
    raise ValueError(f"unknown regularizer {identifier!r}; use regularizers.l1 / l2 / l1_l2")
