"""BatchNormalization, Embedding, GlobalAveragePooling1D, AveragePooling2D: rules and files.

Parity with Keras 3 from the same weights: test_keras_layers_more.py. Here:
the definitions (gradients by central differences), Keras 3's defaults and
refusals, and the model file round trip.
"""

import numpy as np
import pytest
from _keras_gradcheck import vjp_check

from fastnet.keras import layers, models, utils


@pytest.fixture(autouse=True)
def _seed():
    utils.set_random_seed(0)


def _built(layer, shape, dtype=np.float64):
    layer.build(shape, dtype)
    return layer


# ------------------------------------------------------------ BatchNormalization


def test_batchnorm_has_keras_defaults_and_non_trainable_statistics():
    bn = layers.BatchNormalization()
    assert (bn.momentum, bn.epsilon, bn.axis) == (0.99, 1e-3, -1)
    model = models.Sequential([layers.Dense(4, input_shape=(3,)), bn])
    assert [w.shape for w in bn.weights] == [(4,)] * 4  # gamma, beta, moving mean, variance
    np.testing.assert_array_equal(np.stack(bn.get_weights()), [[1] * 4, [0] * 4, [0] * 4,
                                                                [1] * 4])
    assert len(model.trainable_weights) == 2 + 2  # Dense kernel, bias; gamma, beta
    lines = []
    model.summary(print_fn=lines.append)
    assert "Non-trainable params: 8" in lines


def test_batchnorm_training_uses_the_batch_and_updates_the_moving_statistics():
    x = np.random.default_rng(0).standard_normal((6, 3)) * 2 + 1
    bn = _built(layers.BatchNormalization(momentum=0.9), (3,))
    out = bn.forward(x, training=True)
    mean, var = x.mean(0), x.var(0)
    np.testing.assert_allclose(out, (x - mean) / np.sqrt(var + 1e-3))
    np.testing.assert_allclose(bn.moving_mean, 0.1 * mean)
    np.testing.assert_allclose(bn.moving_variance, 0.9 + 0.1 * var)  # biased variance
    inference = bn.forward(x, training=False)
    np.testing.assert_allclose(inference, (x - bn.moving_mean) / np.sqrt(bn.moving_variance
                                                                         + 1e-3))
    vjp_check(bn, x, training=True)
    vjp_check(bn, x, training=False)


def test_a_frozen_batchnorm_runs_in_inference_mode_as_in_keras_3():
    bn = _built(layers.BatchNormalization(trainable=False), (2,))
    x = np.array([[1.0, 2.0], [3.0, 5.0]])
    np.testing.assert_allclose(bn.forward(x, training=True), x / np.sqrt(1 + 1e-3))
    np.testing.assert_array_equal(bn.moving_mean, [0, 0])
    assert bn.trainable_weights == []


def test_batchnorm_on_images_normalizes_each_channel():
    x = np.random.default_rng(2).standard_normal((2, 3, 4, 5))
    bn = _built(layers.BatchNormalization(), (3, 4, 5))
    flat = x.reshape(-1, 5)
    np.testing.assert_allclose(bn.forward(x, training=True).reshape(-1, 5),
                               (flat - flat.mean(0)) / np.sqrt(flat.var(0) + 1e-3))
    vjp_check(bn, x, training=True)


def test_batchnorm_refusals():
    with pytest.raises(NotImplementedError, match="last axis"):
        _built(layers.BatchNormalization(axis=1), (3, 4))
    with pytest.raises(ValueError, match="epsilon"):
        layers.BatchNormalization(epsilon=0)
    with pytest.raises(ValueError, match="momentum"):
        layers.BatchNormalization(momentum=1.5)
    with pytest.raises(TypeError, match="center"):
        layers.BatchNormalization(center="yes")


# ------------------------------------------------------------ Embedding, pooling


def test_embedding_looks_up_rows_and_adds_gradients_of_repeated_ids():
    emb = _built(layers.Embedding(5, 3), (4,))
    table = emb.embeddings
    assert np.abs(table).max() <= 0.05  # Keras' "uniform": [-0.05, 0.05]
    ids = np.array([[0, 4, 4, 1]], dtype=np.float32)  # fit hands layers floats
    np.testing.assert_array_equal(emb.forward(ids), table[[0, 4, 4, 1]][None])
    assert emb.backward(np.ones((1, 4, 3))) is None
    np.testing.assert_array_equal(emb.grads[0][:, 0], [1, 1, 0, 0, 2])


@pytest.mark.parametrize("ids, match", [([[0.5]], "whole numbers"), ([[5]], r"\[0, 5\)"),
                                        ([[-1]], r"\[0, 5\)")])
def test_embedding_refuses_ids_keras_would_truncate_or_fail_on(ids, match):
    emb = _built(layers.Embedding(5, 3), (1,))
    with pytest.raises(ValueError, match=match):
        emb.forward(np.array(ids, dtype=np.float32))


def test_embedding_options_as_keras_3_takes_them():
    with pytest.warns(UserWarning, match="input_length"):  # Keras 3's own warning
        layers.Embedding(5, 3, input_length=7)
    with pytest.raises(NotImplementedError, match="mask_zero"):
        layers.Embedding(5, 3, mask_zero=True)


def test_global_average_pooling_1d_is_the_mean_over_steps():
    x = np.random.default_rng(0).standard_normal((2, 5, 3))
    layer = _built(layers.GlobalAveragePooling1D(), (5, 3))
    np.testing.assert_allclose(layer.forward(x), x.mean(axis=1))
    vjp_check(layer, x)
    assert _built(layers.GlobalAveragePooling1D(keepdims=True), (5, 3)).output_shape == (1, 3)


# What Keras 3.15.1 (torch backend) gives for np.arange(25.).reshape(1, 5, 5, 1):
KERAS_5X5 = {
    ((2, 2), None): [[3.0, 5.0, 6.5], [13.0, 15.0, 16.5], [20.5, 22.5, 24.0]],
    ((3, 3), (2, 2)): [[3.0, 4.5, 6.0], [10.5, 12.0, 13.5], [18.0, 19.5, 21.0]],
}


@pytest.mark.parametrize("pool, strides", list(KERAS_5X5))
def test_average_pooling_same_matches_keras_and_skips_the_padding(pool, strides):
    x = np.arange(25.0).reshape(1, 5, 5, 1)
    layer = _built(layers.AveragePooling2D(pool, strides, padding="same"), (5, 5, 1))
    np.testing.assert_allclose(layer.forward(x)[0, :, :, 0], KERAS_5X5[pool, strides])
    vjp_check(layer, np.random.default_rng(3).standard_normal((2, 5, 5, 1)))


def test_average_pooling_where_keras_torch_backend_differs():
    # Keras 3.15.1 on torch pads an UNEVEN split by repeating the edge and counts
    # it: [[5, 6.667], [11.667, 13.333]] here. Its TensorFlow and JAX backends,
    # and its torch backend for even splits, average the image's cells only,
    # which fastnet does everywhere.
    x = np.arange(16.0).reshape(1, 4, 4, 1)
    layer = _built(layers.AveragePooling2D((3, 3), (2, 2), padding="same"), (4, 4, 1))
    np.testing.assert_allclose(layer.forward(x)[0, :, :, 0], [[5.0, 6.5], [11.0, 12.5]])


def test_average_pooling_valid_with_overlapping_windows():
    x = np.random.default_rng(4).standard_normal((2, 6, 7, 3))
    layer = _built(layers.AveragePooling2D((3, 2), strides=(2, 1)), (6, 7, 3))
    assert layer.output_shape == (2, 6, 3)
    np.testing.assert_allclose(layer.forward(x)[:, 1, 2], x[:, 2:5, 2:4].mean(axis=(1, 2)))
    vjp_check(layer, x)
    with pytest.raises(ValueError, match="larger than"):
        _built(layers.AveragePooling2D((7, 7)), (6, 7, 3))


# ------------------------------------------------------------ files


def test_the_new_layers_save_and_load_with_their_statistics(tmp_path):
    rng = np.random.default_rng(0)
    text = models.Sequential([
        layers.Embedding(20, 4, input_shape=(6,)), layers.GlobalAveragePooling1D(),
        layers.BatchNormalization(), layers.Dense(1, activation="sigmoid")])
    images = models.Sequential([
        layers.Input(shape=(6, 6, 2)), layers.BatchNormalization(center=False),
        layers.AveragePooling2D(padding="same"), layers.Flatten(), layers.Dense(2)])
    for model, x, y, loss in [
            (text, rng.integers(0, 20, (16, 6)), rng.integers(0, 2, 16), "binary_crossentropy"),
            (images, rng.standard_normal((16, 6, 6, 2)), rng.standard_normal((16, 2)), "mse")]:
        model.compile(optimizer="adam", loss=loss)
        model.fit(x, y, epochs=2, batch_size=4, verbose=0)
        model.save(tmp_path / "m.keras")
        again = models.load_model(tmp_path / "m.keras")
        for a, b in zip(again.get_weights(), model.get_weights()):
            np.testing.assert_array_equal(a, b)  # moving statistics included
        np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
        assert again.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0))
