"""Targets: what y may be and what the network trains on, for classifiers and regressors.

Shared by the own-net estimators and the Keras wrappers (mixins, placed
before the estimator's base class).
"""

import numpy as np
from sklearn.utils.multiclass import check_classification_targets

__all__ = ["ClassTargets", "RegressionTargets"]


class ClassTargets:
    """Labels of any kind scikit-learn classifies (ints, strings, ...) as indices 0..n-1.

    classes_ holds the labels in sorted order; index i stands for classes_[i].
    """

    def _y_checks(self):
        return {}  # extra arguments of validate_data for y

    def _targets(self, y, fresh, classes):
        """Class indices of y; a fresh fit (or the first partial_fit) sets classes_."""
        check_classification_targets(y)
        if fresh:
            self.classes_ = np.unique(y if classes is None else np.asarray(classes))
            self.n_classes_ = len(self.classes_)
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(f"classes={classes!r} differs from the classes of the first "
                             f"fit, {self.classes_!r}")
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            raise ValueError(f"y holds labels the classifier was not set up for: "
                             f"{unknown[:10]!r}; its classes_ are {self.classes_!r}")
        return np.searchsorted(self.classes_, y).astype(np.intp)

    def _n_outputs(self):
        return self.n_classes_


class RegressionTargets:
    """One target column (y a vector) or several (y a matrix), as float columns."""

    def _y_checks(self):
        return {"multi_output": True, "y_numeric": True}

    def _targets(self, y, fresh, classes):
        t = y.reshape(-1, 1) if y.ndim == 1 else y
        if fresh:
            self._y_ndim, self.n_outputs_ = y.ndim, t.shape[1]
        elif t.shape[1] != self.n_outputs_:
            raise ValueError(f"y has {t.shape[1]} target column(s), but the network was "
                             f"trained on {self.n_outputs_}")
        return t if t.dtype.kind == "f" else t.astype(np.float64)  # integer targets too

    def _n_outputs(self):
        return self.n_outputs_

    def _shaped(self, out):
        """Predictions shaped like the y of fit: a vector for a vector."""
        return out.ravel() if self._y_ndim == 1 else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
