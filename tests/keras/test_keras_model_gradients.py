"""The maths of a Sequential training step: every weight's gradient against
central differences, the fused softmax + cross-entropy against the unfused
pair, the first layer's skipped input gradient, dropout, the penalty a
regularizer adds to the loss."""

import numpy as np
import pytest
from _keras_cases import blobs, classifier, same_history
from _keras_gradcheck import numerical_check

import fastnet
from fastnet.keras import config, layers, losses, models, optimizers, regularizers, utils


@pytest.fixture(autouse=True)
def _seed():
    utils.set_random_seed(0)


@pytest.mark.parametrize("last, loss", [
    ("softmax", "categorical_crossentropy"), ("softmax", "sparse_categorical_crossentropy"),
    ("softmax", "mse"), ("sigmoid", "binary_crossentropy"), ("sigmoid", "mse"),
    ("linear", "mae"), ("tanh", "mse"),
    ("linear", losses.CategoricalCrossentropy(from_logits=True)),
    ("linear", losses.BinaryCrossentropy(from_logits=True)),
])
@pytest.mark.parametrize("in_dense", [True, False], ids=["Dense(act)", "Activation"])
def test_gradients_match_central_differences(backend, last, loss, in_dense):
    fastnet.set_backend(backend.name)
    config.set_floatx("float64")
    try:
        rng = np.random.default_rng(1)
        head = ([layers.Dense(3, activation=last)] if in_dense
                else [layers.Dense(3), layers.Activation(last)])
        model = models.Sequential([
            layers.Dense(5, activation="tanh", input_shape=(4,),
                         kernel_regularizer=regularizers.l1_l2(l1=0.01, l2=0.02)),
            layers.Dropout(0.0),
            layers.Dense(3, activation="relu", bias_initializer="ones"),
            *head,
        ])
        model.compile("sgd", loss)
        x = rng.standard_normal((7, 4))
        labels = rng.integers(0, 3, 7)
        name = getattr(loss, "name", loss)
        t = {"categorical_crossentropy": np.eye(3)[labels],
             "sparse_categorical_crossentropy": labels}.get(name, rng.random((7, 3)))
        numerical_check(model, x, t)
    finally:
        config.set_floatx("float32")


def test_fused_and_unfused_softmax_give_the_same_training(backend):
    """Dense(softmax) + CE (fused kernel) trains like Dense + Activation(softmax) + CE."""
    fastnet.set_backend(backend.name)
    x, labels = blobs(n=64)
    y = utils.to_categorical(labels)
    fused = classifier()
    unfused = models.Sequential([
        layers.Dense(16, activation="relu", input_shape=(6,)), layers.Dense(3),
        layers.Activation("softmax")])
    unfused.compile(optimizers.Adam(0.01), "categorical_crossentropy", metrics=["accuracy"])
    unfused.set_weights(fused.get_weights())
    h1 = fused.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    h2 = unfused.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    same_history(h1, h2, rel=1e-4)


def test_first_layer_skips_its_input_gradient():
    model = models.Sequential([layers.Flatten(input_shape=(2, 3)), layers.Dense(4),
                               layers.Dense(2)])
    model.build()
    assert [layer.need_input_grad for layer in model.layers] == [False, False, True]


def test_dropout_training_and_inference():
    layer = layers.Dropout(0.25, seed=3)
    x = np.ones((400, 50), np.float32)
    y = layer.forward(x, training=True)
    zeros = np.mean(y == 0)
    assert 0.2 < zeros < 0.3
    np.testing.assert_allclose(y[y != 0], 1 / 0.75)
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), y)
    assert layer.forward(x, training=False) is x
    with pytest.raises(ValueError, match="rate"):
        layers.Dropout(1.0)


def test_regularized_loss_includes_the_penalty():
    model = models.Sequential([layers.Dense(3, input_dim=2, kernel_regularizer=regularizers.l2(0.5),
                                            kernel_initializer="ones", use_bias=False)])
    model.compile("sgd", "mse")
    x = np.zeros((4, 2))
    assert model.evaluate(x, np.zeros((4, 3)), verbose=0) == pytest.approx(0.5 * 6)
