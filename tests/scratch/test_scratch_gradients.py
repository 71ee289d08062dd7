"""Every layer of fastnet.scratch.common.layers: backward against central
differences (tests/_gradcheck.py), forward against the book's formula, on
every backend, float64."""

import numpy as np
import pytest
from _gradcheck import check_close, check_layer

import fastnet
from fastnet.scratch.common import layers


def random(shape, seed):
    # Away from 0, so a ReLU kink or a max-pool tie never lies within the step.
    x = np.random.default_rng(seed).standard_normal(shape)
    return np.where(np.abs(x) < 1e-2, 0.5, x)


def book_softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("shape", [(1, 1), (3, 7), (2, 3, 5)])
def test_relu_and_sigmoid(backend, shape):
    x = random(shape, 1)
    with fastnet.using_backend(backend.name):
        check_layer(layers.Relu(), x, reference=lambda v: np.maximum(v, 0),
                    name=f"Relu on {backend.name}")
        check_layer(layers.Sigmoid(), x, reference=lambda v: 1 / (1 + np.exp(-v)),
                    name=f"Sigmoid on {backend.name}")


@pytest.mark.parametrize("cls", [layers.Relu, layers.Sigmoid])
@pytest.mark.parametrize("order", [(0, 3, 1, 2), (1, 0), (2, 0, 1)])
def test_activations_keep_the_memory_layout(backend, cls, order):
    # A Convolution hands on a transposed view of channels-last memory: the
    # activation runs through it in memory order and keeps that layout.
    base = random((3, 4, 5, 2)[:len(order)], 15)
    x = base.transpose(order)
    with fastnet.using_backend(backend.name):
        layer = cls()
        out = check_layer(layer, x, name=f"{cls.__name__} on a transposed view")
        y = layer.forward(x)
    assert y.strides == x.strides, f"{cls.__name__} output strides {y.strides}, x {x.strides}"
    assert out.shape == x.shape
    if cls is layers.Relu:
        np.testing.assert_array_equal(layer.mask, x <= 0)


@pytest.mark.parametrize("x_shape, m", [((1, 3), 2), ((4, 5), 3), ((3, 2, 2, 2), 5)])
def test_affine(backend, x_shape, m):
    x = random(x_shape, 2)
    d = int(np.prod(x_shape[1:]))
    W, b = random((d, m), 3), random((m,), 4)
    with fastnet.using_backend(backend.name):
        dx = check_layer(layers.Affine(W, b), x, params={"W": "dW", "b": "db"},
                         reference=lambda v: v.reshape(len(v), -1) @ W + b,
                         name=f"Affine on {backend.name}")
    assert dx.shape == x.shape


@pytest.mark.parametrize("one_hot", [False, True])
def test_softmax_with_loss(backend, one_hot):
    x = random((5, 4), 5)
    labels = np.array([0, 3, 1, 1, 2])
    t = np.eye(4)[labels] if one_hot else labels

    def reference(v):
        return -np.mean(np.log(book_softmax(v)[np.arange(5), labels] + 1e-7))

    with fastnet.using_backend(backend.name):
        # The 1e-7 in the log makes the loss's slope differ from (y - t)/N
        # by ~1e-7 relative; the tolerance allows for it.
        check_layer(layers.SoftmaxWithLoss(), x, forward_args=(t,), reference=reference,
                    name=f"SoftmaxWithLoss on {backend.name}", rtol=1e-5, atol=1e-7)


class Reseeded:
    """Dropout with the same mask on every forward: NumPy's generator reseeded first."""

    def __init__(self, layer, seed):
        self.layer, self.seed = layer, seed

    def forward(self, x, train_flg=True):
        np.random.seed(self.seed)
        return self.layer.forward(x, train_flg)

    def backward(self, dout):
        return self.layer.backward(dout)


def test_dropout(backend):
    x = random((6, 7), 6)
    np.random.seed(3)
    keep = np.random.rand(6, 7) > 0.3  # the book's mask, from NumPy's global generator
    with fastnet.using_backend(backend.name):
        layer = layers.Dropout(0.3)
        check_layer(Reseeded(layer, 3), x, reference=lambda v: v * keep,
                    name=f"Dropout(train) on {backend.name}")
        np.testing.assert_array_equal(np.asarray(layer.mask, dtype=bool), keep)
        check_close(layer.forward(x, train_flg=False), x * 0.7, "Dropout(inference)", 1e-12, 0)


@pytest.mark.parametrize("shape", [(5, 4), (3, 2, 3, 3)])
def test_batch_normalization_train(backend, shape):
    x = random(shape, 7)
    d = int(np.prod(shape[1:]))
    gamma, beta = random((d,), 8), random((d,), 9)

    def reference(v):
        flat = v.reshape(len(v), -1)
        mu = flat.mean(axis=0)
        var = ((flat - mu) ** 2).mean(axis=0)
        return (gamma * (flat - mu) / np.sqrt(var + 10e-7) + beta).reshape(v.shape)

    with fastnet.using_backend(backend.name):
        layer = layers.BatchNormalization(gamma, beta)
        check_layer(layer, x, params={"gamma": "dgamma", "beta": "dbeta"},
                    reference=reference, name=f"BatchNormalization on {backend.name}",
                    rtol=1e-5, atol=1e-7)


def test_batch_normalization_running_stats_and_inference(backend):
    x = random((6, 3), 10)
    gamma, beta = np.ones(3), np.zeros(3)
    with fastnet.using_backend(backend.name):
        layer = layers.BatchNormalization(gamma, beta, momentum=0.8)
        assert layer.running_mean is None
        layer.forward(x, train_flg=True)
        check_close(layer.running_mean, 0.2 * x.mean(axis=0), "running_mean", 1e-12, 1e-15)
        check_close(layer.running_var, 0.2 * x.var(axis=0), "running_var", 1e-12, 1e-15)
        out = layer.forward(x, train_flg=False)
    want = (x - layer.running_mean) / np.sqrt(layer.running_var + 10e-7)
    check_close(out, want, "BatchNormalization(inference)", 1e-12, 1e-12)


def book_conv(x, W, b, stride, pad):
    """Direct convolution, loop over output pixels: the definition."""
    n, c, h, w = x.shape
    fn, _, fh, fw = W.shape
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    out = np.empty((n, fn, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, :, i * stride:i * stride + fh, j * stride:j * stride + fw]
            out[:, :, i, j] = np.tensordot(patch, W, axes=([1, 2, 3], [1, 2, 3])) + b
    return out


@pytest.mark.parametrize("x_shape, w_shape, stride, pad", [
    ((1, 1, 4, 4), (1, 1, 3, 3), 1, 0),
    ((2, 3, 5, 6), (4, 3, 3, 2), 1, 1),
    ((2, 2, 7, 7), (3, 2, 3, 3), 2, 1),
])
def test_convolution(backend, x_shape, w_shape, stride, pad):
    x, W, b = random(x_shape, 11), random(w_shape, 12), random(w_shape[:1], 13)
    with fastnet.using_backend(backend.name):
        layer = layers.Convolution(W, b, stride, pad)
        dx = check_layer(layer, x, params={"W": "dW", "b": "db"},
                         reference=lambda v: book_conv(v, W, b, stride, pad),
                         name=f"Convolution(stride={stride}, pad={pad}) on {backend.name}")
    assert dx.shape == x.shape and layer.dW.shape == W.shape and layer.db.shape == b.shape


def book_max_pool(x, ph, pw, stride, pad):
    n, c, h, w = x.shape
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    oh, ow = (h + 2 * pad - ph) // stride + 1, (w + 2 * pad - pw) // stride + 1
    out = np.empty((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = xp[:, :, i * stride:i * stride + ph,
                                 j * stride:j * stride + pw].max(axis=(2, 3))
    return out


@pytest.mark.parametrize("x_shape, pool, stride, pad", [
    ((1, 1, 4, 4), (2, 2), 2, 0),
    ((2, 3, 6, 5), (3, 2), 1, 0),
    ((2, 2, 5, 5), (2, 2), 2, 1),
])
def test_pooling(backend, x_shape, pool, stride, pad):
    x = random(x_shape, 14)
    with fastnet.using_backend(backend.name):
        layer = layers.Pooling(pool[0], pool[1], stride, pad)
        check_layer(layer, x, reference=lambda v: book_max_pool(v, *pool, stride, pad),
                    name=f"Pooling{pool}(stride={stride}, pad={pad}) on {backend.name}")
    assert layer.arg_max is not None


def test_pooling_routes_ties_to_the_first_max(backend):
    x = np.ones((1, 1, 2, 2))
    with fastnet.using_backend(backend.name):
        layer = layers.Pooling(2, 2)
        layer.forward(x)
        dx = layer.backward(np.full((1, 1, 1, 1), 5.0))
    np.testing.assert_array_equal(dx, [[[[5.0, 0.0], [0.0, 0.0]]]])
