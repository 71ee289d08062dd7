"""scikit-learn estimators over fastnet's networks and fastnet.keras models (an extra).

    pip install "fastnet[sklearn]"

    from fastnet.sklearn import FastnetClassifier
    from sklearn.model_selection import cross_val_score
    cross_val_score(FastnetClassifier(epochs=10, random_state=0), x, t, cv=5, n_jobs=2)

Read in this order: classifier.py and regressor.py (the estimators over the
book's MultiLayerNet), base.py (what they share: parameters, fit,
partial_fit), networks.py and training.py (the net and its training loop),
keras_wrappers.py (a function building a fastnet.keras model, as an
estimator), metrics.py (confusion matrix and per-class scores of any net,
through scikit-learn's functions), threads.py (one thread per parallel worker).
"""

from ._requirements import require_sklearn

require_sklearn()

from . import metrics  # noqa: E402
from .classifier import FastnetClassifier  # noqa: E402
from .keras_wrappers import KerasClassifier, KerasRegressor  # noqa: E402
from .regressor import FastnetRegressor  # noqa: E402
from .threads import in_parallel_worker  # noqa: E402

__all__ = [
    "FastnetClassifier",
    "FastnetRegressor",
    "KerasClassifier",
    "KerasRegressor",
    "in_parallel_worker",
    "metrics",
]
