"""FastnetClassifier: the book's MultiLayerNet as a scikit-learn classifier.

    from fastnet.sklearn import FastnetClassifier
    clf = FastnetClassifier(hidden_layer_sizes=(100,), epochs=10, random_state=0)
    cross_val_score(clf, x, t, cv=5, n_jobs=2)

Labels may be any values scikit-learn accepts for classification (ints,
strings, ...); they are mapped to 0..n_classes-1 (classes_ keeps them) for
the softmax + cross-entropy of the network.
"""

import numpy as np
from sklearn.base import ClassifierMixin

from .base import NetEstimator
from .targets import ClassTargets

__all__ = ["FastnetClassifier"]


class FastnetClassifier(ClassifierMixin, ClassTargets, NetEstimator):
    """A fully connected network (MultiLayerNet) trained with mini-batches.

    Parameters: hidden_layer_sizes, activation ('relu', 'sigmoid', 'tanh'),
    optimizer ('sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop',
    'adam'), learning_rate, weight_decay (λ of the L2 penalty 0.5·λ·ΣW²),
    batch_size, epochs, dtype ('float32' is the fast path, 'float64' the
    book's), random_state (weights and batch order), warm_start (fit
    continues the last network), n_threads (None: 1 inside a joblib or Dask
    worker, otherwise fastnet's current count).
    """

    _kind = "classifier"

    def partial_fit(self, X, y, classes=None):
        """One epoch over (X, y), continuing the network; the first call needs `classes`."""
        if not hasattr(self, "net_") and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit "
                             "(all the labels the classifier will ever see)")
        return self._fit(X, y, 1, incremental=True, classes=classes)

    def predict_proba(self, X):
        """The probability of each class (columns in the order of classes_)."""
        scores = self._outputs(X)
        # Softmax in float64 on the host, the row max subtracted against overflow.
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return scores

    def predict(self, X):
        """The most probable class of each row."""
        best = self._outputs(X).argmax(axis=1)  # checks fitted-ness before classes_ is read
        return self.classes_[best]
