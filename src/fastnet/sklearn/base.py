"""What FastnetClassifier and FastnetRegressor share: parameters, fit, partial_fit, outputs.

An estimator keeps its constructor arguments as given (scikit-learn's
contract: `clone` and `set_params` rebuild it from them) and checks them in
fit. Fitting builds one of the book's networks (networks.py) and trains it
with the book's loop (training.py) on the current backend; the fitted
attributes end in an underscore: net_, optimizer_, n_features_in_,
loss_curve_ (mean loss per epoch), n_iter_ (epochs trained), n_threads_
(threads the kernels used in the last fit).
"""

import numbers

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from ..backend import current
from ..device import to_numpy
from ..nets import HIDDEN_ACTIVATIONS
from .networks import OPTIMIZERS, build_net
from .threads import worker_threads
from .training import train_epochs

__all__ = ["NetEstimator"]

DTYPES = {"float32": np.float32, "float64": np.float64}
INPUT_DTYPES = (np.float64, np.float32)  # what validate_data keeps; anything else -> float64
PREDICT_ROWS = 4096  # rows per forward pass in predict: bounds the activations' memory


def _whole(value, name, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _real(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (
            np.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def _dtype_name(value):
    if value is None:  # np.dtype(None) would quietly mean float64
        return None
    try:
        return np.dtype(value).name
    except TypeError:
        return None


class NetEstimator(BaseEstimator):
    """The shared part of the own-net estimators (see the module docstring)."""

    _kind = None  # "classifier" or "regressor": which network build_net makes

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", optimizer="adam",
                 learning_rate=0.001, weight_decay=0.0, batch_size=100, epochs=20,
                 dtype="float32", random_state=None, warm_start=False, n_threads=None):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.epochs = epochs
        self.dtype = dtype
        self.random_state = random_state
        self.warm_start = warm_start
        self.n_threads = n_threads

    # ------------------------------------------------------------ parameters

    def _checked_params(self):
        """The parameters, checked (a ValueError names the first bad one)."""
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool):
            sizes = (sizes,)
        if not isinstance(sizes, (list, tuple)):
            raise ValueError(
                f"hidden_layer_sizes must be a tuple of layer sizes, got {sizes!r}")
        sizes = tuple(_whole(s, "each of hidden_layer_sizes", 1) for s in sizes)
        if self.activation not in HIDDEN_ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {HIDDEN_ACTIVATIONS}, got {self.activation!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(
                f"optimizer must be one of {tuple(OPTIMIZERS)}, got {self.optimizer!r}")
        if _real(self.learning_rate, "learning_rate") == 0:
            raise ValueError("learning_rate must be > 0, got 0")
        _real(self.weight_decay, "weight_decay")
        _whole(self.batch_size, "batch_size", 1)
        _whole(self.epochs, "epochs", 1)
        dtype = DTYPES.get(_dtype_name(self.dtype))
        if dtype is None:
            raise ValueError(f"dtype must be 'float32' or 'float64', got {self.dtype!r}")
        if self.n_threads is not None:
            _whole(self.n_threads, "n_threads", 1)
        return sizes, dtype

    # ------------------------------------------------------------ fitting

    def fit(self, X, y):
        """Train for `epochs` passes over (X, y): from scratch, or on (warm_start) the last net."""
        return self._fit(X, y, self.epochs, incremental=False)

    def _fit(self, X, y, epochs, incremental, classes=None):
        sizes, dtype = self._checked_params()
        fresh = not hasattr(self, "net_") or not (incremental or self.warm_start)
        X, y = validate_data(self, X, y, reset=fresh, dtype=INPUT_DTYPES, **self._y_checks())
        t = self._targets(y, fresh, classes)
        config = (sizes, self.activation, dtype)
        if fresh:
            seeds = check_random_state(self.random_state)
            self._rng = np.random.default_rng(seeds.randint(np.iinfo(np.int32).max))
            self.net_ = build_net(self._kind, X.shape[1], sizes, self._n_outputs(),
                                  self.activation, self.weight_decay, dtype,
                                  seeds.randint(np.iinfo(np.int32).max))
            self._net_config = config
            self.loss_curve_, self.n_iter_ = [], 0
        elif config != self._net_config:
            raise ValueError(
                "hidden_layer_sizes, activation or dtype changed since the last fit; a "
                "warm start or partial_fit continues the same network: set warm_start=False "
                "(or clone the estimator) to train a new one")
        self.net_.weight_decay_lambda = self.weight_decay
        if fresh or not incremental or not hasattr(self, "optimizer_"):
            self.optimizer_ = OPTIMIZERS[self.optimizer](lr=self.learning_rate)
        xp = current().xp
        # Class indices stay integers; regression targets take the net's float type.
        x = xp.asarray(X, dtype=dtype)
        t = xp.asarray(t, dtype=dtype if t.dtype.kind == "f" else None)
        with worker_threads(self.n_threads) as threads:
            self.n_threads_ = threads
            losses = train_epochs(self.net_, self.optimizer_, x, t, self.batch_size, epochs,
                                  self._rng)
        self.loss_curve_ = self.loss_curve_ + losses
        self.n_iter_ += epochs
        return self

    # ------------------------------------------------------------ outputs

    def _outputs(self, X):
        """The last layer's outputs for X (before any softmax), as a float64 NumPy array."""
        check_is_fitted(self, "net_")
        X = validate_data(self, X, reset=False, dtype=INPUT_DTYPES)
        xp = current().xp
        x = xp.asarray(X, dtype=self._net_config[2])
        with worker_threads(self.n_threads):
            chunks = [to_numpy(self.net_.predict(x[i:i + PREDICT_ROWS]))
                      for i in range(0, x.shape[0], PREDICT_ROWS)]
        return np.concatenate(chunks).astype(np.float64, copy=False)

    # The targets mixin (targets.py) gives _y_checks, _targets and _n_outputs.
