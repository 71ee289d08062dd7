"""scikit-learn's own estimator checks (`parametrize_with_checks`) on every fastnet estimator.

Each check is one test. No check is expected to fail: EXPECTED_FAILED_CHECKS
is empty, and a check that starts failing fails here. Two checks skip
themselves, by scikit-learn's own decision, depending on the environment:

- check_array_api_input: runs only with SCIPY_ARRAY_API=1 and an array API
  library; fastnet's estimators take NumPy input (and move it to the
  backend themselves), they do not claim array API support.
- check_classifier_data_not_an_array / check_regressor_data_not_an_array:
  run only when pandas is installed (not a dependency of fastnet or its
  test extra); they pass where it is.

The settings below (small nets, more epochs, a larger rate) let the
quality checks (e.g. >= 83 % training accuracy on scikit-learn's blobs)
pass in well under a second per fit.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from estimators.keras_models import dense_model
from fastnet.sklearn import FastnetClassifier, FastnetRegressor, KerasClassifier, KerasRegressor

SMALL = {"hidden_layer_sizes": (32,), "epochs": 60, "learning_rate": 0.01, "batch_size": 32,
         "random_state": 0}
KERAS = {"model__hidden": 16, "optimizer": "adam", "epochs": 40, "random_state": 0}

ESTIMATORS = [
    FastnetClassifier(**SMALL),
    FastnetRegressor(**SMALL),
    KerasClassifier(dense_model, **KERAS),
    KerasRegressor(dense_model, **KERAS),
]

# {check name: why it may fail}; empty: every check passes.
EXPECTED_FAILED_CHECKS = {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
