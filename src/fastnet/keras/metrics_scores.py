"""F1Score, AUC and top-k accuracy, with Keras 3's definitions.

Each keeps counts over the whole pass (not a mean of batch values) and
computes its value from them in result(), as Keras' stateful metrics do.
The peer values in tests/keras/test_keras_metrics_scores.py were recorded
from Keras 3.
"""

import numpy as np

from ..backend import current
from ..device import to_numpy
from .metrics_base import Metric, probabilities

__all__ = ["AUC", "F1Score", "SparseTopKCategoricalAccuracy", "TopKCategoricalAccuracy"]

# Keras' backend.epsilon(): keeps the ratios below finite when a class never appears.
_EPSILON = 1e-7


def _same_shape(name, out, t):
    if tuple(t.shape) != tuple(out.shape):
        raise ValueError(
            f"{name}: targets of shape {tuple(t.shape)} must be 0/1 or one-hot, shaped like "
            f"the outputs {tuple(out.shape)}"
        )


class F1Score(Metric):
    """2·precision·recall / (precision + recall), per class or averaged.

    average=None gives one score per class (an array); "micro" counts over
    every class at once; "macro" is the mean of the class scores; "weighted"
    their mean weighted by each class's number of true samples. threshold=None
    marks each row's largest output(s) as the prediction; a number marks every
    output above it.
    """

    _AVERAGES = (None, "micro", "macro", "weighted")

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        if average not in self._AVERAGES:
            raise ValueError(f"F1Score: average must be one of {list(self._AVERAGES)}, "
                             f"got {average!r}")
        if threshold is not None and (isinstance(threshold, bool) or not isinstance(
                threshold, (int, float)) or not 0.0 < threshold <= 1.0):
            raise ValueError(f"F1Score: threshold must be a number in (0, 1], got {threshold!r}")
        self.average, self.threshold = average, threshold
        super().__init__(name)

    def get_config(self):
        return {**super().get_config(), "average": self.average, "threshold": self.threshold}

    def reset(self):
        self._counts = None  # true positives, false positives, false negatives, true totals

    def update(self, out, t, kind=None):
        _same_shape(self.name, out, t)
        p = probabilities(out, kind)
        if self.threshold is None:
            # The row's maximum; an all-zero row predicts nothing (Keras' 1e-9 test).
            predicted = (p >= p.max(axis=-1, keepdims=True)) & (abs(p) > 1e-9)
        else:
            predicted = p > self.threshold
        predicted, actual = predicted.astype(np.float64), (t > 0.5).astype(np.float64)
        axis = None if self.average == "micro" else 0
        counts = [to_numpy((a * b).sum(axis=axis)) for a, b in (
            (predicted, actual), (predicted, 1 - actual), (1 - predicted, actual))]
        counts.append(to_numpy(actual.sum(axis=axis)))
        self._counts = counts if self._counts is None else [
            a + b for a, b in zip(self._counts, counts)]

    def result(self):
        if self._counts is None:
            return 0.0
        tp, fp, fn, true_totals = self._counts
        precision = tp / (tp + fp + _EPSILON)
        recall = tp / (tp + fn + _EPSILON)
        f1 = 2 * precision * recall / (precision + recall + _EPSILON)
        if self.average == "weighted":
            return float((f1 * true_totals / (true_totals.sum() + _EPSILON)).sum())
        if self.average is not None:
            return float(np.mean(f1))
        return f1


class AUC(Metric):
    """The area under the ROC curve, from counts at num_thresholds fixed thresholds.

    Keras' thresholds: -1e-7, 1/(n-1), 2/(n-1), ..., 1 + 1e-7. An output
    counts as positive at a threshold it exceeds; the curve's points are
    (false positive rate, recall) at each threshold, and the area is summed
    by trapezoids ("interpolation", the default) or by the lower ("minoring")
    or upper ("majoring") side of each step. Every output of every sample is
    one prediction (multi_label=False).
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name="auc", thresholds=None, multi_label=False, from_logits=False,
                 num_labels=None, label_weights=None, dtype=None):
        if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, int) or (
                num_thresholds <= 1):
            raise ValueError(f"AUC: num_thresholds must be an integer > 1, got "
                             f"{num_thresholds!r}")
        if not isinstance(curve, str) or curve.upper() not in ("ROC", "PR"):
            raise ValueError(f"AUC: curve must be 'ROC' or 'PR', got {curve!r}")
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f"AUC: summation_method must be 'interpolation', 'minoring' or "
                             f"'majoring', got {summation_method!r}")
        for key, value in (("curve='PR'", curve.upper() == "PR"), ("thresholds", thresholds),
                           ("multi_label", multi_label), ("num_labels", num_labels),
                           ("label_weights", label_weights)):
            if value not in (None, False):
                raise NotImplementedError(f"AUC: {key} is not supported by fastnet.keras "
                                          f"(binary ROC only)")
        self.num_thresholds, self.summation_method = num_thresholds, summation_method
        self.from_logits = bool(from_logits)
        super().__init__(name)

    def get_config(self):
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "summation_method": self.summation_method, "from_logits": self.from_logits}

    def reset(self):
        n = self.num_thresholds
        # Per threshold: positives and negatives predicted above it.
        self._positives_above, self._negatives_above = np.zeros(n), np.zeros(n)
        self._positives = self._negatives = 0.0

    def update(self, out, t, kind=None):
        _same_shape(self.name, out, t)
        xp, n = current().xp, self.num_thresholds
        p = probabilities(out, "sigmoid" if self.from_logits else kind).astype(np.float32)
        # The thresholds are evenly spaced, so each output's last threshold
        # below it is found by one multiplication (Keras' own shortcut, in
        # float32 as there), then counted per bucket and summed from the top.
        bucket = xp.ceil(xp.clip(p, 0, 1) * np.float32(n - 1)).astype(np.int64).ravel()
        actual = (t > 0.5).ravel()
        for above, mask in ((self._positives_above, actual), (self._negatives_above, ~actual)):
            per_bucket = to_numpy(xp.bincount(bucket[mask], minlength=n))
            above += np.cumsum(per_bucket[::-1])[::-1]
        positives = float(actual.sum())
        self._positives += positives
        self._negatives += actual.size - positives

    def result(self):
        # A threshold at index i counts the outputs of buckets > i.
        tp = np.append(self._positives_above[1:], 0.0)
        fp = np.append(self._negatives_above[1:], 0.0)
        tp[0], fp[0] = self._positives, self._negatives  # threshold -1e-7: everything
        recall = tp / self._positives if self._positives else np.zeros_like(tp)
        fp_rate = fp / self._negatives if self._negatives else np.zeros_like(fp)
        if self.summation_method == "interpolation":
            heights = (recall[:-1] + recall[1:]) / 2
        elif self.summation_method == "minoring":
            heights = np.minimum(recall[:-1], recall[1:])
        else:
            heights = np.maximum(recall[:-1], recall[1:])
        return float(((fp_rate[:-1] - fp_rate[1:]) * heights).sum())


class _TopK(Metric):
    """Share of rows whose true class scores at least the k-th largest output."""

    def __init__(self, k=5, name=None, dtype=None):
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"{type(self).__name__}: k must be an integer >= 1, got {k!r}")
        self.k = k
        super().__init__(name)

    def get_config(self):
        return {**super().get_config(), "k": self.k}

    def batch_sum(self, out, t, kind=None):
        xp = current().xp
        p = probabilities(out, kind)
        labels = self._labels(t, p).astype(np.int64)
        if self.k > p.shape[1]:
            # Keras 3 fails here too (torch's topk); every row would count as a hit.
            raise ValueError(f"{self.name}: k={self.k} is more than the {p.shape[1]} outputs; "
                             f"choose k <= {p.shape[1]}")
        # Keras' rule: ties with the k-th largest count as inside the top k.
        kth = -xp.partition(-p, self.k - 1, axis=1)[:, self.k - 1]
        target = xp.take_along_axis(p, labels[:, None], axis=1)[:, 0]
        return float((target >= kth).sum()), p.shape[0]


class TopKCategoricalAccuracy(_TopK):
    """Top-k accuracy against one-hot targets."""

    default_name = "top_k_categorical_accuracy"

    def _labels(self, t, p):
        _same_shape(self.name, p, t)
        return current().xp.argmax(t, axis=1)


class SparseTopKCategoricalAccuracy(_TopK):
    """Top-k accuracy against integer labels."""

    default_name = "sparse_top_k_categorical_accuracy"

    def _labels(self, t, p):
        t = t.reshape(-1)
        if t.shape[0] != p.shape[0]:
            raise ValueError(f"{self.name}: {t.shape[0]} labels for {p.shape[0]} outputs")
        return t
