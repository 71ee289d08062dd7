"""The networks the estimators train: the book's MultiLayerNet, and one for regression.

A classifier is MultiLayerNet itself (Affine layers with the activation
fused, softmax + cross-entropy at the end). A regressor needs a different
last layer only: the same Affine chain, whose last output is the prediction,
and the mean squared error as the loss.
"""

import threading
from contextlib import contextmanager

import numpy as np

from ..backend import current
from ..nets import MultiLayerNet
from ..optimizers import BY_NAME as OPTIMIZERS

__all__ = ["OPTIMIZERS", "MeanSquaredErrorLoss", "RegressionNet", "build_net"]

# The initial weight scale that suits each activation (He for ReLU, Xavier otherwise).
WEIGHT_INIT = {"relu": "he", "sigmoid": "xavier", "tanh": "xavier"}


class MeanSquaredErrorLoss:
    """loss = mean((y - t)²) over every element, in the book's last-layer contract.

    forward(y, t) returns the loss and keeps its gradient; backward(dout=1)
    hands it over, like SoftmaxWithLoss.
    """

    def __init__(self):
        self.loss = None
        self._dy = None

    def forward(self, y, t):
        self.loss, self._dy = current().mean_squared_error(y, t)
        return self.loss

    def backward(self, dout=1):
        return self._dy if dout == 1 else self._dy * dout


class RegressionNet(MultiLayerNet):
    """MultiLayerNet whose output is the prediction and whose loss is the squared error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.last_layer = MeanSquaredErrorLoss()


# The book's nets draw their initial weights from NumPy's global generator.
# An estimator with a random_state seeds it for the construction only and
# puts the caller's state back; the lock keeps two fits in threads (joblib's
# threading backend) from interleaving their draws.
_GLOBAL_RNG_LOCK = threading.Lock()


@contextmanager
def _seeded_global_rng(seed):
    with _GLOBAL_RNG_LOCK:
        saved = np.random.get_state()
        np.random.seed(seed)
        try:
            yield
        finally:
            np.random.set_state(saved)


def build_net(kind, n_inputs, hidden_layer_sizes, n_outputs, activation, weight_decay,
              dtype, seed):
    """A fresh classifier (kind "classifier") or regression net, its weights drawn from seed."""
    net_class = MultiLayerNet if kind == "classifier" else RegressionNet
    with _seeded_global_rng(seed):
        return net_class(n_inputs, list(hidden_layer_sizes), n_outputs, activation=activation,
                         weight_init_std=WEIGHT_INIT[activation],
                         weight_decay_lambda=weight_decay, dtype=dtype)
