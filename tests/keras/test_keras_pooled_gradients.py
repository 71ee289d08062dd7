"""GlobalAveragePooling's gradient as a broadcast view, and Embedding's use of it.

GlobalAveragePooling hands the layer below one gradient row per sample,
broadcast over the positions (zero strides), instead of a copy; Embedding
then counts each column once per sample instead of gathering it per
position. Both must give exactly the numbers of the copied gradient.
"""

import numpy as np
import pytest

import fastnet
from fastnet.keras import layers, models, utils


def _built(layer, shape, dtype=np.float64):
    layer.build(shape, dtype)
    return layer


@pytest.mark.parametrize("dtype, rtol", [(np.float32, 2e-6), (np.float64, 1e-13)])
@pytest.mark.parametrize("kind, shape", [(layers.GlobalAveragePooling1D, (7, 5)),
                                         (layers.GlobalAveragePooling2D, (3, 4, 2))])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_average_pooling_is_the_mean_in_both_dtypes(dtype, rtol, kind, shape,
                                                            keepdims):
    layer = _built(kind(keepdims=keepdims), shape, dtype)
    x = np.random.default_rng(0).standard_normal((3, *shape)).astype(dtype)
    out = layer.forward(x)
    expected = x.astype(np.float64).mean(axis=tuple(range(1, len(shape))), keepdims=keepdims)
    assert out.dtype == dtype and out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=rtol, atol=rtol)
    assert layer.forward(x[:0]).shape == (0, *expected.shape[1:])


def test_global_average_pooling_gradient_is_a_broadcast_of_one_row_per_sample():
    layer = _built(layers.GlobalAveragePooling1D(), (6, 4))
    layer.forward(np.ones((2, 6, 4)))
    dout = np.arange(8.0).reshape(2, 4)
    dx = layer.backward(dout)
    assert dx.shape == (2, 6, 4) and dx.strides[1] == 0  # shared, not copied
    np.testing.assert_array_equal(dx, np.repeat(dout[:, None] / 6, 6, axis=1))


def _add_at_reference(ids, dout, rows):
    grad = np.zeros((rows, dout.shape[-1]))
    np.add.at(grad, ids.ravel().astype(np.intp), dout.reshape(-1, dout.shape[-1]))
    return grad


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ids_shape", [(5, 9), (3, 4, 2), (0, 9)])
def test_embedding_gradient_from_a_broadcast_equals_the_copied_one(dtype, ids_shape):
    emb = _built(layers.Embedding(11, 3), ids_shape[1:], dtype)
    rng = np.random.default_rng(1)
    ids = rng.integers(0, 11, ids_shape).astype(dtype)
    ids.reshape(-1)[:4] = 0  # repeated ids (padding) add up
    emb.forward(ids)
    per_sample = rng.standard_normal((ids_shape[0], *[1] * (len(ids_shape) - 1), 3))
    per_sample = per_sample.astype(dtype)
    shared = np.broadcast_to(per_sample, (*ids_shape, 3))
    emb.backward(shared)
    from_view = emb.grads[0]
    emb.backward(shared.copy())
    assert from_view.dtype == dtype and from_view.flags.c_contiguous
    np.testing.assert_array_equal(from_view, emb.grads[0])
    np.testing.assert_allclose(from_view, _add_at_reference(ids, shared, 11), rtol=1e-6)


def test_embedding_gradient_of_a_general_output_gradient_adds_every_lookup():
    emb = _built(layers.Embedding(6, 4), (5,))
    ids = np.array([[0, 5, 5, 2, 0], [1, 1, 1, 1, 1]], dtype=np.float64)
    emb.forward(ids)
    dout = np.random.default_rng(2).standard_normal((2, 5, 4))
    emb.backward(dout)
    np.testing.assert_allclose(emb.grads[0], _add_at_reference(ids, dout, 6), rtol=1e-12)


# Every kind of layer that may sit below a global average pooling, given its
# gradient as a broadcast view: the trained weights must be those from a copy
# (to float32 rounding: a compiled convolution may sum a strided gradient in
# another order than a contiguous one).
STACKS = {
    "conv relu": lambda: [layers.Input((6, 6, 3)), layers.Conv2D(4, 3, activation="relu"),
                          layers.GlobalAveragePooling2D()],
    "max / average pooling, batch norm, activation": lambda: [
        layers.Input((6, 6, 3)), layers.Conv2D(4, 3), layers.MaxPooling2D((1, 1)),
        layers.AveragePooling2D(), layers.BatchNormalization(), layers.Activation("tanh"),
        layers.GlobalAveragePooling2D()],
    "reshape, rescaling, dropout": lambda: [
        layers.Input((12,)), layers.Dense(12), layers.Rescaling(2.0), layers.Reshape((4, 3)),
        layers.Dropout(0.3), layers.GlobalAveragePooling1D()],
    "embedding": lambda: [layers.Input((12,)), layers.Embedding(10, 3),
                          layers.GlobalAveragePooling1D()],
}


@pytest.mark.parametrize("backend_name", ["numpy", "cython"])
@pytest.mark.parametrize("stack", sorted(STACKS))
def test_layers_below_a_pooling_train_the_same_from_its_broadcast_gradient(
        monkeypatch, backend_name, stack):
    fastnet.set_backend(backend_name)
    rng = np.random.default_rng(3)
    first = STACKS[stack]()[0].shape[1:]
    x = np.floor(rng.random((8, *first)) * 10).astype(np.float32)
    y = rng.integers(0, 2, 8)
    pooling = layers.GlobalAveragePooling1D.__mro__[1]
    shared_backward = pooling.backward
    weights = []
    for backward in (shared_backward, lambda self, dout: shared_backward(self, dout).copy()):
        monkeypatch.setattr(pooling, "backward", backward)
        utils.set_random_seed(4)
        model = models.Sequential([*STACKS[stack](), layers.Dense(2, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy")
        model.fit(x, y, epochs=2, batch_size=4, verbose=0)
        weights.append(model.get_weights())
    for shared, copied in zip(*weights):
        np.testing.assert_allclose(shared, copied, rtol=1e-5, atol=1e-7)
