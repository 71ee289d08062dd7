"""Conv2D and MaxPooling2D (channels-last, like Keras) on the engine's conv layers."""

import numpy as np
import pytest

import fastnet
import fastnet.layers
from fastnet.keras import config, layers, models, utils

pytestmark = pytest.mark.skipif(
    not hasattr(fastnet.layers, "Convolution"),
    reason="fastnet.layers.Convolution (the conv kernels) is not in this build",
)


def _keras_conv(x, kernel, bias, stride, pad):
    """Keras' Conv2D written out directly: x (N, H, W, C), kernel (kh, kw, C, F)."""
    x = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    kh, kw, _, f = kernel.shape
    oh = (x.shape[1] - kh) // stride + 1
    ow = (x.shape[2] - kw) // stride + 1
    out = np.zeros((x.shape[0], oh, ow, f))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j, :] = np.tensordot(patch, kernel, axes=([1, 2, 3], [0, 1, 2])) + bias
    return out


def _keras_max_pool(x, size, stride):
    n, h, w, c = x.shape
    oh, ow = (h - size) // stride + 1, (w - size) // stride + 1
    out = np.empty((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            out[:, i, j] = x[:, i * stride:i * stride + size, j * stride:j * stride + size].max(
                axis=(1, 2))
    return out


@pytest.mark.parametrize("padding, strides, shape", [
    ("valid", 1, (2, 7, 6, 3)), ("same", 1, (1, 5, 5, 2)), ("valid", 2, (3, 9, 8, 1))])
def test_conv2d_and_pooling_forward_match_keras_definition(backend, padding, strides, shape):
    fastnet.set_backend(backend.name)
    utils.set_random_seed(0)
    config.set_floatx("float64")
    try:
        conv = layers.Conv2D(4, (3, 3), strides=strides, padding=padding, activation="relu",
                             bias_initializer="random_normal", input_shape=shape[1:])
        pool = layers.MaxPooling2D((2, 2))
        model = models.Sequential([conv, pool])
        x = np.random.default_rng(1).standard_normal(shape)
        kernel, bias = conv.get_weights()
        pad = 1 if padding == "same" else 0
        expected_conv = np.maximum(_keras_conv(x, kernel, bias, strides, pad), 0)
        assert conv.output_shape == expected_conv.shape[1:]
        np.testing.assert_allclose(conv.forward(x), expected_conv, rtol=1e-10, atol=1e-12)
        expected = _keras_max_pool(expected_conv, 2, 2)
        np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-10, atol=1e-12)
        assert model.output_shape == (None, *expected.shape[1:])
    finally:
        config.set_floatx("float32")


def test_convnet_gradients_match_central_differences(backend):
    from _keras_gradcheck import check_gradients

    check_gradients(backend, lambda: [
        layers.Conv2D(3, (3, 3), activation="tanh", input_shape=(6, 6, 2),
                      bias_initializer="random_normal"),
        layers.MaxPooling2D((2, 2)),
        layers.Conv2D(2, (2, 2), padding="valid", bias_initializer="random_normal"),
        layers.Flatten(),
        layers.Dense(3, activation="softmax"),
    ], (6, 6, 2))


def test_conv_model_save_load_round_trip(tmp_path):
    utils.set_random_seed(0)
    model = models.Sequential([
        layers.Conv2D(4, 3, activation="relu", input_shape=(8, 8, 1)),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(2, activation="softmax"),
    ])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(0).random((20, 8, 8, 1)).astype("float32")
    model.fit(x, np.arange(20) % 2, epochs=1, verbose=0)
    model.save(tmp_path / "cnn.keras")
    loaded = models.load_model(tmp_path / "cnn.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert [w.shape for w in loaded.get_weights()][:2] == [(3, 3, 1, 4), (4,)]
