"""MaxPooling2D(padding="same") by Keras' definition: ceil(size / stride) outputs,
padding split with the odd one at the bottom / right, padding never the maximum."""

import math

import numpy as np
import pytest

from fastnet.keras import layers


def _keras_same_max_pool(x, pool, stride):
    """Keras' rule written out: pad with -inf (extra at the end), then take window maxima."""
    n, h, w, c = x.shape
    oh, ow = math.ceil(h / stride), math.ceil(w / stride)
    th = max((oh - 1) * stride + pool - h, 0)
    tw = max((ow - 1) * stride + pool - w, 0)
    padded = np.full((n, h + th, w + tw, c), -np.inf)
    padded[:, th // 2:th // 2 + h, tw // 2:tw // 2 + w] = x
    out = np.empty((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            window = padded[:, i * stride:i * stride + pool, j * stride:j * stride + pool]
            out[:, i, j] = window.max(axis=(1, 2))
    return out


@pytest.mark.parametrize("size, pool, stride", [
    ((5, 7), 2, 2), ((5, 5), 3, 1), ((4, 6), 3, 2), ((1, 1), 2, 2), ((6, 6), 2, 2),
])
def test_same_max_pooling_matches_keras_definition_on_negative_inputs(size, pool, stride):
    rng = np.random.default_rng(0)
    x = -1 - rng.random((2, *size, 3)).astype(np.float32)  # all negative: zero padding would win
    layer = layers.MaxPooling2D(pool, strides=stride, padding="same")
    expected = _keras_same_max_pool(x, pool, stride)
    assert layer.compute_output_shape(x.shape[1:]) == expected.shape[1:]
    layer.build(x.shape[1:], np.float32)
    out = layer.forward(x)
    np.testing.assert_array_equal(out, expected.astype(np.float32))
    # Gradient: each output's gradient reaches the one input that won its window.
    dout = rng.random(out.shape).astype(np.float32)
    dx = np.asarray(layer.backward(dout))
    assert dx.shape == x.shape
    assert float(dx.sum()) == pytest.approx(float(dout.sum()), rel=1e-5)
    eps = 1e-2
    k = np.unravel_index(np.argmax(dx), dx.shape)
    bumped = x.copy()
    bumped[k] += eps
    change = (layer.forward(bumped) * dout).sum() - (out * dout).sum()
    assert change == pytest.approx(eps * dx[k], rel=1e-2)


def test_same_pooling_in_a_model_summary_shape():
    from fastnet.keras import models
    model = models.Sequential([layers.Input(shape=(5, 5, 1)),
                               layers.MaxPooling2D(2, padding="same")])
    assert model.output_shape == (None, 3, 3, 1)
