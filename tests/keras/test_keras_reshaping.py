"""Reshape, Rescaling, GlobalAveragePooling2D: Keras' definitions, gradients, saving."""

import numpy as np
import pytest
from _keras_gradcheck import vjp_check

from fastnet.keras import layers, models, utils


@pytest.fixture(autouse=True)
def _seed():
    utils.set_random_seed(0)


def _built(layer, shape):
    layer.build(shape, np.float32)
    return layer


def test_reshape_infers_minus_one_and_refuses_what_does_not_fit():
    x = np.arange(2 * 12, dtype=np.float64).reshape(2, 12)
    layer = _built(layers.Reshape((3, -1)), (12,))
    assert layer.output_shape == (3, 4)
    np.testing.assert_array_equal(layer.forward(x), x.reshape(2, 3, 4))
    vjp_check(layer, x)
    with pytest.raises(ValueError, match="cannot become"):
        _built(layers.Reshape((5, -1)), (12,))
    with pytest.raises(ValueError, match="cannot become"):
        _built(layers.Reshape((5,)), (12,))
    with pytest.raises(ValueError, match="at most one"):
        layers.Reshape((-1, -1))


def test_rescaling_is_scale_then_offset():
    x = np.array([[0.0, 255.0]])
    layer = _built(layers.Rescaling(1 / 127.5, offset=-1), (2,))
    np.testing.assert_allclose(layer.forward(x), [[-1.0, 1.0]])
    vjp_check(layer, x)
    with pytest.raises(TypeError, match="scale"):
        layers.Rescaling("1/255")


@pytest.mark.parametrize("keepdims", [False, True])
def test_global_average_pooling_is_the_channel_mean(keepdims):
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 4))
    layer = _built(layers.GlobalAveragePooling2D(keepdims=keepdims), (3, 5, 4))
    expected = x.mean(axis=(1, 2), keepdims=keepdims)
    assert layer.output_shape == expected.shape[1:]
    np.testing.assert_allclose(layer.forward(x), expected)
    vjp_check(layer, x)


def test_a_model_with_the_new_layers_trains_saves_and_loads(tmp_path):
    model = models.Sequential([
        layers.Input(shape=(16,)), layers.Rescaling(1 / 4), layers.Reshape((4, 4, 1)),
        layers.Conv2D(2, (3, 3), padding="same", activation="relu"),
        layers.GlobalAveragePooling2D(), layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = np.random.default_rng(0).random((8, 16)).astype(np.float32) * 4
    model.fit(x, np.arange(8) % 2, epochs=2, verbose=0)
    model.save(tmp_path / "m.keras")
    again = models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)
