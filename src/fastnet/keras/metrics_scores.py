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
# AUC keeps counts per threshold (Keras' default is 200): a million already draws
# the curve finer than float32 outputs can tell apart, while 10**12 (a user's typo,
# or a model file's) asked np.bincount for terabytes.
_MAX_THRESHOLDS = 10**6


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


def _divide_no_nan(a, b):
    """a / b, and 0 where b is 0 (Keras' ops.divide_no_nan)."""
    b = np.asarray(b, dtype=np.float64)
    safe = np.where(b == 0, 1.0, b)
    return np.where(b == 0, 0.0, np.asarray(a, dtype=np.float64) / safe)


class AUC(Metric):
    """The area under the ROC or precision-recall curve, from counts at thresholds.

    Keras' thresholds: -1e-7, 1/(n-1), 2/(n-1), ..., 1 + 1e-7, or the given
    `thresholds` between -1e-7 and 1 + 1e-7. An output counts as positive at
    a threshold it exceeds. The curve's points are (false positive rate,
    recall) for ROC and (recall, precision) for PR at each threshold; the
    area is summed by trapezoids ("interpolation", the default; for PR the
    interpolation of Davis & Goadrich, as Keras), or by the lower
    ("minoring") or upper ("majoring") side of each step.

    multi_label=False counts every output of every sample as one prediction
    (label_weights then weigh each output column's counts); multi_label=True
    keeps one curve per output column and returns the mean of their areas
    (weighted by label_weights when given).
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name="auc", thresholds=None, multi_label=False, from_logits=False,
                 num_labels=None, label_weights=None, dtype=None):
        if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, int) or not (
                1 < num_thresholds <= _MAX_THRESHOLDS):
            raise ValueError(f"AUC: num_thresholds must be an integer in [2, {_MAX_THRESHOLDS:,}]"
                             f", got {num_thresholds!r}")
        if not isinstance(curve, str) or curve.upper() not in ("ROC", "PR"):
            raise ValueError(f"AUC: curve must be 'ROC' or 'PR', got {curve!r}")
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f"AUC: summation_method must be 'interpolation', 'minoring' or "
                             f"'majoring', got {summation_method!r}")
        self._even, self.thresholds, self._thresholds = thresholds is None, None, None
        if thresholds is not None:
            values = np.sort(np.asarray(thresholds, dtype=np.float64).ravel())
            if values.size == 0 or not np.all((values >= 0) & (values <= 1)):
                raise ValueError(f"AUC: thresholds must be numbers in [0, 1], got {thresholds!r}")
            if values.size + 2 > _MAX_THRESHOLDS:  # with the two Keras adds at the ends
                raise ValueError(f"AUC: thresholds may hold at most {_MAX_THRESHOLDS - 2:,} "
                                 f"values, got {values.size:,}")
            self.thresholds = values.tolist()
            self._thresholds = np.concatenate([[-_EPSILON], values, [1 + _EPSILON]])
            num_thresholds = self._thresholds.size
        self.curve, self.multi_label = curve.upper(), bool(multi_label)
        if num_labels is not None and (isinstance(num_labels, bool) or not isinstance(
                num_labels, int) or num_labels < 1):
            raise ValueError(f"AUC: num_labels must be a positive integer, got {num_labels!r}")
        self.num_labels = num_labels
        self.label_weights = None
        if label_weights is not None:
            weights = np.asarray(label_weights, dtype=np.float64).ravel()
            if weights.size == 0 or not np.all(np.isfinite(weights)) or np.any(weights < 0):
                raise ValueError(f"AUC: label_weights must be non-negative numbers, got "
                                 f"{label_weights!r}")
            self.label_weights = weights
        self.num_thresholds, self.summation_method = num_thresholds, summation_method
        self.from_logits = bool(from_logits)
        super().__init__(name)

    def get_config(self):
        # Every argument that changes the number: a model file reloads the metric from
        # this, and a PR curve or given thresholds must not come back as the defaults.
        weights = None if self.label_weights is None else self.label_weights.tolist()
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "curve": self.curve, "summation_method": self.summation_method,
                "thresholds": self.thresholds, "multi_label": self.multi_label,
                "num_labels": self.num_labels, "label_weights": weights,
                "from_logits": self.from_logits}

    def reset(self):
        # Per threshold (and per label when multi_label): the positives and
        # negatives predicted above it; and the totals of each.
        self._positives_above = self._negatives_above = None
        self._positives = self._negatives = 0.0

    def _indices(self, p):
        """Per output, how many thresholds it exceeds (ints in [1, n - 1])."""
        xp, n = current().xp, self.num_thresholds
        p = xp.clip(p, 0, 1)
        if self._even:
            # The thresholds are evenly spaced, so each output's last threshold
            # below it is found by one multiplication (Keras' own shortcut, in
            # float32 as there).
            return xp.ceil(p * np.float32(n - 1)).astype(np.int64)
        # Compared in float32, as Keras holds thresholds and outputs: an output
        # equal to a threshold in float32 does not exceed it.
        thresholds = xp.asarray(self._thresholds.astype(np.float32))
        return xp.searchsorted(thresholds, p.astype(np.float32), side="left")

    def _column_weights(self, labels):
        if self.label_weights is None:
            return None
        if self.label_weights.size != labels:
            raise ValueError(f"{self.name}: {self.label_weights.size} label_weights for "
                             f"{labels} output columns")
        return self.label_weights

    def update(self, out, t, kind=None):
        _same_shape(self.name, out, t)
        xp, n = current().xp, self.num_thresholds
        p = probabilities(out, "sigmoid" if self.from_logits else kind).astype(np.float32)
        p, actual = p.reshape(p.shape[0], -1), (t > 0.5).reshape(p.shape[0], -1)
        labels = p.shape[1]
        if self.num_labels is not None and self.multi_label and labels != self.num_labels:
            raise ValueError(f"{self.name}: num_labels={self.num_labels} but the outputs have "
                             f"{labels} columns")
        weights = self._column_weights(labels)
        index = self._indices(p)

        def above(mask, column=None):
            """Counts per threshold of the outputs in `mask` that exceed it."""
            sel = index[:, column][mask[:, column]] if column is not None else index[mask]
            w = None
            if weights is not None and column is None and not self.multi_label:
                w = xp.asarray(xp.broadcast_to(xp.asarray(weights), mask.shape)[mask])
            per_bucket = to_numpy(xp.bincount(sel, weights=w, minlength=n)).astype(np.float64)
            return np.cumsum(per_bucket[::-1])[::-1]

        if self.multi_label:
            pos = np.stack([above(actual, c) for c in range(labels)], axis=1)
            neg = np.stack([above(~actual, c) for c in range(labels)], axis=1)
            positives = to_numpy(actual.sum(axis=0)).astype(np.float64)
            negatives = actual.shape[0] - positives
        else:
            pos, neg = above(actual), above(~actual)
            if weights is None:
                positives = float(actual.sum())
                negatives = actual.size - positives
            else:
                per_column = to_numpy(actual.sum(axis=0)).astype(np.float64)
                positives = float((per_column * weights).sum())
                negatives = float(((actual.shape[0] - per_column) * weights).sum())
        if self._positives_above is None:
            self._positives_above, self._negatives_above = pos, neg
        else:
            if self._positives_above.shape != pos.shape:
                raise ValueError(f"{self.name}: multi_label outputs changed from "
                                 f"{self._positives_above.shape[1]} to {labels} columns")
            self._positives_above = self._positives_above + pos
            self._negatives_above = self._negatives_above + neg
        self._positives = self._positives + positives
        self._negatives = self._negatives + negatives

    def _counts(self):
        """(tp, fp, fn, tn) at each threshold; a threshold i counts the outputs above index i."""
        def shifted(above, total):
            out = np.concatenate([above[1:], np.zeros_like(above[:1])])
            out[0] = total  # threshold -1e-7: everything
            return out
        tp = shifted(self._positives_above, self._positives)
        fp = shifted(self._negatives_above, self._negatives)
        return tp, fp, self._positives - tp, self._negatives - fp

    def _interpolated_pr_area(self, tp, fp, fn):
        """Davis & Goadrich's interpolation between the points of the PR curve."""
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = _divide_no_nan(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        ratio = np.where(both, _divide_no_nan(p[:-1], np.maximum(p[1:], 0)), 1.0)
        return _divide_no_nan(slope * (dtp + intercept * np.log(ratio)),
                              np.maximum(tp[1:] + fn[1:], 0))

    def result(self):
        if self._positives_above is None:
            return 0.0
        tp, fp, fn, tn = self._counts()
        if self.curve == "PR" and self.summation_method == "interpolation":
            terms = self._interpolated_pr_area(tp, fp, fn)
        else:
            recall = _divide_no_nan(tp, tp + fn)
            if self.curve == "ROC":
                x, y = _divide_no_nan(fp, fp + tn), recall
            else:
                x, y = recall, _divide_no_nan(tp, tp + fp)
            if self.summation_method == "interpolation":
                heights = (y[:-1] + y[1:]) / 2
            elif self.summation_method == "minoring":
                heights = np.minimum(y[:-1], y[1:])
            else:
                heights = np.maximum(y[:-1], y[1:])
            terms = (x[:-1] - x[1:]) * heights
        if not self.multi_label:
            return float(terms.sum())
        by_label = terms.sum(axis=0)
        if self.label_weights is None:
            return float(by_label.mean())
        weights = self._column_weights(by_label.size)
        return float(_divide_no_nan((by_label * weights).sum(), weights.sum()))


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
