"""Tests of fastnet.sklearn; skipped as a whole where scikit-learn is not installed.

The README's test command installs it ("fastnet[test]" brings scikit-learn,
Dask and matplotlib); only the test that fastnet imports without it runs
everywhere (test_optional_extra.py hides scikit-learn itself).
"""

import numpy as np
import pytest

collect_ignore = []
try:
    import sklearn  # noqa: F401
except ImportError:
    collect_ignore = [
        "test_estimator_checks.py", "test_estimators.py", "test_keras_wrappers.py",
        "test_metrics.py", "test_parallel.py", "test_examples.py", "test_cli_report.py",
        "keras_models.py",
    ]


@pytest.fixture(scope="session")
def digits():
    """1,000 bundled MNIST digits (100 per class) for training, 500 for testing."""
    from fastnet.datasets import load_mnist

    (x, t), (x_test, t_test) = load_mnist(normalize=True, source="bundled")
    keep = np.concatenate([np.flatnonzero(t == k)[:100] for k in range(10)])
    return x[keep], t[keep], x_test[::2], t_test[::2]


@pytest.fixture
def blobs():
    """Three well separated classes in 4 features, 150 samples."""
    rng = np.random.default_rng(0)
    centers = np.array([[0, 0, 0, 0], [4, 4, 0, 0], [0, 4, 4, 4]], dtype=float)
    t = np.repeat(np.arange(3), 50)
    return centers[t] + rng.normal(size=(150, 4)), t
