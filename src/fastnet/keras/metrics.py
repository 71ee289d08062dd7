"""Metrics by Keras' names: accuracy / acc, mae, mse, precision, recall, auc, f1_score, ...

A metric reports, for one batch, (sum over samples, number of samples); the
model adds them up over the epoch, so the epoch's value is the mean over
every sample, as in Keras. `accuracy` (or `acc`) is binary, categorical or
sparse-categorical accuracy according to the loss, as Keras chooses it.

When the loss is fused with the last activation, the model hands metrics
the logits (`kind="softmax"` or `"sigmoid"`): accuracy needs no
probabilities (argmax and the sign of a logit decide it), mae / mse compute
them on demand.
"""

from ..backend import current
from . import arguments
from . import losses as losses_module
from .metrics_base import Metric, probabilities
from .metrics_scores import (
    AUC,
    F1Score,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
)

__all__ = [
    "AUC", "BinaryAccuracy", "CategoricalAccuracy", "F1Score", "MeanAbsoluteError",
    "MeanSquaredError", "Metric", "Precision", "Recall", "SparseCategoricalAccuracy",
    "SparseTopKCategoricalAccuracy", "TopKCategoricalAccuracy", "binary_accuracy",
    "categorical_accuracy", "from_config", "get", "mae", "mean_absolute_error",
    "mean_squared_error", "mse", "sparse_categorical_accuracy",
]


class BinaryAccuracy(Metric):
    """Share of outputs where (p > 0.5) equals the 0/1 target."""

    default_name = "binary_accuracy"

    def batch_sum(self, out, t, kind=None):
        threshold = 0.0 if kind == "sigmoid" else 0.5  # σ(z) > 0.5  ⇔  z > 0
        hits = ((out > threshold) == (t > 0.5)).sum()
        return float(hits) / out.shape[1], out.shape[0]


class CategoricalAccuracy(Metric):
    """Share of rows where argmax p equals argmax of the one-hot target."""

    default_name = "categorical_accuracy"

    def batch_sum(self, out, t, kind=None):
        xp = current().xp
        return float((xp.argmax(out, axis=1) == xp.argmax(t, axis=1)).sum()), out.shape[0]


class SparseCategoricalAccuracy(Metric):
    """Share of rows where argmax p equals the integer label."""

    default_name = "sparse_categorical_accuracy"

    def batch_sum(self, out, t, kind=None):
        return float((current().xp.argmax(out, axis=1) == t).sum()), out.shape[0]


class MeanAbsoluteError(Metric):
    default_name = "mean_absolute_error"

    def batch_sum(self, out, t, kind=None):
        p = probabilities(out, kind)
        return float(current().xp.abs(p - t).sum()) / p.shape[1], p.shape[0]


class MeanSquaredError(Metric):
    default_name = "mean_squared_error"

    def batch_sum(self, out, t, kind=None):
        diff = probabilities(out, kind) - t
        return float((diff * diff).sum()) / diff.shape[1], diff.shape[0]


class _Confusion(Metric):
    """Precision / Recall: counts of true and false positives over the whole pass.

    Keras' rule: an output counts as positive when its probability exceeds
    `thresholds` (0.5); every output of every sample counts (multi-label), so
    targets are 0/1 or one-hot, shaped like the outputs. The ratio is of the
    pass's totals (not a mean of batch ratios), 0 when nothing was counted.
    """

    def __init__(self, thresholds=None, name=None):
        threshold = 0.5 if thresholds is None else thresholds
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not (
                0.0 <= threshold <= 1.0):
            raise ValueError(f"{type(self).__name__}: thresholds must be one number in [0, 1], "
                             f"got {thresholds!r}")
        self.threshold = float(threshold)
        super().__init__(name)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.threshold}

    def reset(self):
        self._hits, self._total_counted = 0.0, 0.0

    def update(self, out, t, kind=None):
        if t.shape != out.shape:
            raise ValueError(
                f"{self.name}: targets of shape {tuple(t.shape)} must be 0/1 or one-hot, shaped "
                f"like the outputs {tuple(out.shape)}"
            )
        predicted = probabilities(out, kind) > self.threshold
        actual = t > 0.5
        self._hits += float((predicted & actual).sum())
        self._total_counted += float(self._denominator(predicted, actual).sum())

    def result(self):
        return self._hits / self._total_counted if self._total_counted else 0.0


class Precision(_Confusion):
    """TP / (TP + FP): of the outputs predicted positive, the share that are."""

    default_name = "precision"

    def _denominator(self, predicted, actual):
        return predicted


class Recall(_Confusion):
    """TP / (TP + FN): of the positive targets, the share predicted positive."""

    default_name = "recall"

    def _denominator(self, predicted, actual):
        return actual


_ACCURACY_BY_LOSS = {
    losses_module.BinaryCrossentropy: BinaryAccuracy,
    losses_module.CategoricalCrossentropy: CategoricalAccuracy,
    losses_module.SparseCategoricalCrossentropy: SparseCategoricalAccuracy,
}
_BY_NAME = {
    "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "mae": MeanAbsoluteError,
    "mean_absolute_error": MeanAbsoluteError,
    "mse": MeanSquaredError,
    "mean_squared_error": MeanSquaredError,
    "precision": Precision,
    "recall": Recall,
    "auc": AUC,
    "f1_score": F1Score,
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
}
# Classes whose first argument is not the name: built from a string with name=.
_NAMED_BY_KEYWORD = ("precision", "recall", "auc", "f1_score", "top_k_categorical_accuracy",
                     "sparse_top_k_categorical_accuracy")


def _function(cls, name):
    """Keras' function form of a metric (`metrics=[metrics.binary_accuracy]`)."""

    def metric(y_true, y_pred):
        xp = current().xp
        y_pred = xp.asarray(y_pred)
        y_pred = y_pred.reshape(len(y_pred), -1)
        y_true = xp.asarray(y_true)
        if cls is not SparseCategoricalAccuracy:
            y_true = y_true.reshape(y_pred.shape)
        total, count = cls(name).batch_sum(y_pred, y_true)
        return total / max(count, 1)

    metric.__name__ = name
    return metric


binary_accuracy = _function(BinaryAccuracy, "binary_accuracy")
categorical_accuracy = _function(CategoricalAccuracy, "categorical_accuracy")
sparse_categorical_accuracy = _function(SparseCategoricalAccuracy, "sparse_categorical_accuracy")
mean_absolute_error = mae = _function(MeanAbsoluteError, "mean_absolute_error")
mean_squared_error = mse = _function(MeanSquaredError, "mean_squared_error")


def get(identifier, loss, n_out):
    """The Metric for a name the user gave to compile(), reported under that name."""
    if isinstance(identifier, Metric):
        return identifier
    if callable(identifier) and getattr(identifier, "__name__", None) in _BY_NAME:
        identifier = identifier.__name__  # metrics.binary_accuracy and the like
    if not isinstance(identifier, str):
        raise ValueError(f"unknown metric {identifier!r}; pass a name such as 'accuracy'")
    key = identifier.lower()
    if key in ("accuracy", "acc"):
        cls = _ACCURACY_BY_LOSS.get(type(loss))
        if cls is None:  # e.g. mse on class scores: decide from the output width
            cls = BinaryAccuracy if n_out == 1 else CategoricalAccuracy
        return cls(identifier)
    if key in _BY_NAME:
        return _BY_NAME[key](name=identifier) if key in _NAMED_BY_KEYWORD else (
            _BY_NAME[key](identifier))
    raise ValueError(
        f"unknown metric {identifier!r}; fastnet.keras supports 'accuracy', 'acc' and "
        f"{sorted(_BY_NAME)}"
    )


_CLASSES = {cls.__name__: cls for cls in (
    BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, MeanAbsoluteError,
    MeanSquaredError, Precision, Recall, AUC, F1Score, TopKCategoricalAccuracy,
    SparseTopKCategoricalAccuracy)}


def from_config(class_name, config):
    """A metric object from its class name and get_config() (load_model; never unpickles)."""
    return arguments.registered(_CLASSES, class_name, config, "metric")
