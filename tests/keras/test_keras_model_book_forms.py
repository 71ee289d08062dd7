"""The spellings learners copy from the Keras book and the TensorFlow
quickstart: losses called as functions, function forms of losses and metrics,
the book's Keras 2 `lr=`, logits then a Softmax model."""

import numpy as np
import pytest
from _keras_cases import blobs

from fastnet.keras import layers, losses, models, optimizers, utils


@pytest.fixture(autouse=True)
def _seed():
    utils.set_random_seed(0)


def test_losses_callable_like_keras():
    y_true = np.array([[0.0, 1.0], [1.0, 0.0]])
    y_pred = np.array([[0.2, 0.8], [0.6, 0.4]])
    expected = -np.mean(np.log([0.8, 0.6]))
    assert losses.categorical_crossentropy(y_true, y_pred) == pytest.approx(expected, rel=1e-6)
    assert losses.get("mse")(y_true, y_pred) == pytest.approx(np.mean((y_true - y_pred) ** 2))


def test_keras_book_function_forms_of_loss_and_metric():
    """The Keras book's listing 3.6: losses.binary_crossentropy, metrics.binary_accuracy."""
    from fastnet.keras import metrics

    x, labels = blobs(classes=2)
    model = models.Sequential([layers.Dense(8, activation="relu", input_shape=(6,)),
                               layers.Dense(1, activation="sigmoid")])
    with pytest.warns(DeprecationWarning, match="learning_rate="):  # the book's Keras 2 lr=
        rmsprop = optimizers.RMSprop(lr=0.01)
    model.compile(optimizer=rmsprop, loss=losses.binary_crossentropy,
                  metrics=[metrics.binary_accuracy])
    h = model.fit(x, labels, epochs=3, verbose=0)
    assert set(h.history) == {"loss", "binary_accuracy"}
    assert model.optimizer.learning_rate == 0.01
    assert metrics.binary_accuracy(np.array([1, 0, 1]), np.array([0.9, 0.2, 0.4])) == (
        pytest.approx(2 / 3))
    assert metrics.categorical_accuracy(np.eye(3), np.eye(3)[[0, 1, 0]]) == pytest.approx(2 / 3)
    assert metrics.mae(np.zeros((2, 2)), np.ones((2, 2))) == pytest.approx(1.0)


def test_tensorflow_quickstart_style_from_logits_then_softmax(tmp_path):
    """Flatten(input_shape=(28, 28)) -> Dense -> Dense(10) logits, from_logits=True."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 200)
    x = rng.random((200, 28, 28)) * 0.1 + labels[:, None, None] / 10
    model = models.Sequential([layers.Flatten(input_shape=(28, 28)),
                               layers.Dense(32, activation="relu"), layers.Dropout(0.2),
                               layers.Dense(10)])
    loss_fn = losses.SparseCategoricalCrossentropy(from_logits=True)
    assert loss_fn(labels[:3], model.predict(x[:3], verbose=0)) > 0
    model.compile(optimizer="adam", loss=loss_fn, metrics=["accuracy"])
    h = model.fit(x, labels, epochs=5, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]
    probability_model = models.Sequential([*model.layers, layers.Softmax()])
    p = probability_model.predict(x[:4], verbose=0)
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(np.argmax(p, 1), np.argmax(model.predict(x[:4], verbose=0), 1))
    probability_model.save(tmp_path / "p.keras")
    loaded = models.load_model(tmp_path / "p.keras")
    np.testing.assert_array_equal(loaded.predict(x[:4], verbose=0), p)
