"""Sequential refuses, with a message naming the problem, losses that do not
fit the labels or the model's output and inputs of the wrong shape."""

import numpy as np
import pytest
from _keras_cases import classifier

from fastnet.keras import layers, models, utils


@pytest.fixture(autouse=True)
def _seed():
    utils.set_random_seed(0)


@pytest.mark.parametrize("loss, y, match", [
    ("categorical_crossentropy", np.arange(6) % 3, "sparse_categorical_crossentropy"),
    ("sparse_categorical_crossentropy", np.eye(3)[np.arange(6) % 3], "categorical_crossentropy"),
    ("sparse_categorical_crossentropy", np.array([0, 1, 2, 3, 0, 1]), r"lie in \[0, 3\)"),
    ("sparse_categorical_crossentropy", np.array([0, 1, -1, 2, 0, 1]), r"\[0, 3\)"),
    ("binary_crossentropy", np.zeros((6, 2)), "do not match the model's output"),
    ("mse", np.zeros(6), "do not match"),
    ("categorical_crossentropy", np.zeros((6, 4)), r"\(6, 4\) do not match"),
])
def test_wrong_loss_and_label_combinations_raise(loss, y, match):
    model = classifier(loss=loss)
    with pytest.raises(ValueError, match=match):
        model.fit(np.zeros((6, 6)), y, verbose=0)


def test_other_input_errors():
    model = classifier()
    with pytest.raises(ValueError, match="6 input samples but 5 targets"):
        model.fit(np.zeros((6, 6)), np.eye(3)[[0, 1, 2, 0, 1]], verbose=0)
    with pytest.raises(ValueError, match=r"expects inputs of shape \(None, 6\)"):
        model.predict(np.zeros((2, 5)), verbose=0)
    with pytest.raises(RuntimeError, match="compile"):
        models.Sequential([layers.Dense(2, input_dim=3)]).fit(np.zeros((2, 3)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="Flatten"):
        models.Sequential([layers.Dense(2, input_shape=(4, 4))]).build()
    with pytest.raises(ValueError, match="unknown loss"):
        classifier(loss="hinge")
    with pytest.raises(ValueError, match="unknown metric"):
        classifier(metrics=["mean_iou"])  # "auc" is known now
    with pytest.raises(ValueError, match="unknown activation"):
        layers.Dense(3, activation="gelu")
    with pytest.raises(TypeError, match="unexpected keyword"):
        layers.Dense(3, bogus=True)
