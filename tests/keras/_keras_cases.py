"""The small data sets and compiled Sequential models the keras tests train
(test_keras_model*.py, test_regressions_keras*.py): one definition each, so
every file trains on the same thing."""

import numpy as np
import pytest

from fastnet.keras import layers, models, optimizers


def blobs(n=300, d=6, classes=3, seed=0):
    """Separable Gaussian blobs: (x float64 (n, d), labels (n,))."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes, n)
    centers = rng.standard_normal((classes, d)) * 3
    return centers[labels] + rng.standard_normal((n, d)), labels


def classifier(d=6, classes=3, metrics=("accuracy",), loss="categorical_crossentropy"):
    model = models.Sequential([
        layers.Dense(16, activation="relu", input_shape=(d,)),
        layers.Dense(classes, activation="softmax"),
    ])
    model.compile(optimizer=optimizers.Adam(0.01), loss=loss, metrics=list(metrics))
    return model


def same_history(a, b, rel=1e-6):
    assert a.history.keys() == b.history.keys()
    for key in a.history:
        assert a.history[key] == pytest.approx(b.history[key], rel=rel), key


# The regression tests' four-feature data and model.
def small_data(n=40, d=4, classes=3):
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, d)).astype(np.float32), np.eye(classes)[np.arange(n) % classes]


def small_model(loss="categorical_crossentropy", last="softmax", units=3):
    model = models.Sequential([layers.Dense(8, activation="relu", input_shape=(4,)),
                               layers.Dense(units, activation=last)])
    model.compile(optimizers.SGD(0.1), loss, metrics=["accuracy"])
    return model
