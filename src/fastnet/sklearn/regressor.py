"""FastnetRegressor: the book's fully connected network with a squared-error output.

    from fastnet.sklearn import FastnetRegressor
    reg = make_pipeline(StandardScaler(), FastnetRegressor(hidden_layer_sizes=(64, 64)))

y may be one column (predict returns a vector) or several (a matrix).
"""

from sklearn.base import RegressorMixin

from .base import NetEstimator
from .targets import RegressionTargets

__all__ = ["FastnetRegressor"]


class FastnetRegressor(RegressorMixin, RegressionTargets, NetEstimator):
    """A fully connected network trained on the mean squared error.

    Parameters as FastnetClassifier's; the output layer has one unit per
    target column and no activation.
    """

    _kind = "regressor"

    def partial_fit(self, X, y):
        """One epoch over (X, y), continuing the network (or starting one)."""
        return self._fit(X, y, 1, incremental=True)

    def predict(self, X):
        """The predicted targets: a vector for a 1-D y in fit, else one column per target."""
        return self._shaped(self._outputs(X))
