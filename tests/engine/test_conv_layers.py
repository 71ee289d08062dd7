"""Convolution, Pooling, BatchNormalization, Dropout: forward against direct NumPy
definitions, backward against central differences, on every backend (float64)."""

import numpy as np
import pytest
from _gradcheck import check_close, check_layer

import fastnet
from fastnet.layers import BatchNormalization, Convolution, Dropout, Pooling

# (N, C, H, W, FN, FH, FW, stride, pad)
CONV_CASES = [
    (2, 3, 5, 5, 4, 3, 3, 1, 0),
    (1, 2, 7, 6, 3, 2, 3, 2, 1),
    (2, 1, 6, 5, 2, 3, 2, 3, 2),
    (3, 2, 4, 4, 1, 1, 1, 1, 0),
]


def random(shape, seed):
    # Values away from 0 so a ReLU kink or a pooling tie never lies within the step.
    x = np.random.default_rng(seed).standard_normal(shape)
    return np.where(np.abs(x) < 1e-2, 0.5, x)


def direct_conv(x, W, b, stride, pad):
    """out[n, f, y, z] = Σ_{c,i,j} W[f, c, i, j]·x_pad[n, c, y·s + i, z·s + j] + b[f]."""
    n, c, h, w = x.shape
    fn, _, fh, fw = W.shape
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    out = np.empty((n, fn, oh, ow))
    for y in range(oh):
        for z in range(ow):
            patch = xp[:, :, y * stride:y * stride + fh, z * stride:z * stride + fw]
            out[:, :, y, z] = np.einsum("ncij,fcij->nf", patch, W) + b
    return out


def direct_max_pool(x, ph, pw, stride, pad):
    n, c, h, w = x.shape
    oh, ow = (h + 2 * pad - ph) // stride + 1, (w + 2 * pad - pw) // stride + 1
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])  # zeros take part, as in the book
    out = np.empty((n, c, oh, ow))
    for y in range(oh):
        for z in range(ow):
            out[:, :, y, z] = xp[:, :, y * stride:y * stride + ph,
                                 z * stride:z * stride + pw].max(axis=(2, 3))
    return out


@pytest.mark.parametrize("activation", ("identity", "relu"))
@pytest.mark.parametrize("case", CONV_CASES)
def test_convolution_gradients(backend, case, activation):
    n, c, h, w, fn, fh, fw, stride, pad = case
    x = random((n, c, h, w), 1)
    W = random((fn, c, fh, fw), 2)
    b = random((fn,), 3)

    def reference(x):
        out = direct_conv(x, W, b, stride, pad)
        return np.maximum(out, 0) if activation == "relu" else out

    with fastnet.using_backend(backend.name):
        layer = Convolution(W, b, stride, pad, activation=activation)
        dx = check_layer(layer, x, params={"W": "dW", "b": "db"}, reference=reference,
                         name=f"Convolution{case}[{activation}] on {backend.name}")
    assert dx.shape == x.shape
    assert layer.dW.shape == W.shape and layer.db.shape == b.shape
    assert layer.col.shape[1] == c * fh * fw and layer.col_W.shape == (c * fh * fw, fn)


def test_convolution_shares_parameters_and_skips_dx(backend):
    W = random((2, 1, 3, 3), 4)
    b = random((2,), 5)
    x = random((2, 1, 5, 5), 6)
    with fastnet.using_backend(backend.name):
        layer = Convolution(W, b)
        before = np.array(layer.forward(x))
        W *= 2  # in place, as an optimizer does
        b *= 2
        check_close(layer.forward(x), 2 * before, "Convolution sees in-place updates", 1e-12, 1e-12)
        layer.need_input_grad = False
        assert layer.backward(np.ones((2, 2, 3, 3))) is None
        assert layer.dW.shape == W.shape


@pytest.mark.parametrize("geom", [(2, 2, 6, 6, 2, 2, 2, 0), (1, 3, 7, 5, 3, 2, 2, 1),
                                  (2, 1, 5, 5, 3, 3, 1, 0), (1, 2, 9, 8, 2, 3, 3, 2)])
def test_pooling_gradients(backend, geom):
    n, c, h, w, ph, pw, stride, pad = geom
    x = random((n, c, h, w), 7)
    with fastnet.using_backend(backend.name):
        layer = Pooling(ph, pw, stride, pad)
        dx = check_layer(layer, x, reference=lambda x: direct_max_pool(x, ph, pw, stride, pad),
                         name=f"Pooling{geom} on {backend.name}")
    assert dx.shape == x.shape
    # the book's arg_max layout: one entry per window, windows in (n, oh, ow, c) order
    oh, ow = (h + 2 * pad - ph) // stride + 1, (w + 2 * pad - pw) // stride + 1
    assert layer.arg_max.shape == (n * oh * ow * c,)


def test_pooling_default_stride_is_two():
    layer = Pooling(2, 2)
    assert (layer.stride, layer.pad) == (2, 0)


@pytest.mark.parametrize("shape", [(5, 3), (2, 7), (4, 2, 3, 2)])
def test_batchnorm_gradients(backend, shape):
    x = random(shape, 8) * 2 + 1
    d = int(np.prod(shape[1:]))
    gamma = random((d,), 9)
    beta = random((d,), 10)

    def reference(x):
        x2 = x.reshape(x.shape[0], -1)
        mu = x2.mean(axis=0)
        xc = x2 - mu
        std = np.sqrt((xc ** 2).mean(axis=0) + 10e-7)
        return (gamma * xc / std + beta).reshape(x.shape)

    with fastnet.using_backend(backend.name):
        layer = BatchNormalization(gamma, beta)
        dx = check_layer(layer, x, params={"gamma": "dgamma", "beta": "dbeta"},
                         reference=reference, name=f"BatchNormalization{shape} on {backend.name}")
    assert dx.shape == x.shape
    check_close(layer.xc, x.reshape(shape[0], -1) - x.reshape(shape[0], -1).mean(axis=0),
                "BatchNormalization.xc", 1e-10, 1e-10)


def test_batchnorm_running_statistics_and_inference(backend):
    rng = np.random.default_rng(11)
    x = rng.standard_normal((6, 4)) * 3 + 2
    gamma, beta = np.full(4, 2.0), np.full(4, 0.5)
    with fastnet.using_backend(backend.name):
        layer = BatchNormalization(gamma, beta, momentum=0.8)
        layer.forward(x, train_flg=True)
        rm = layer.running_mean
        check_close(rm, 0.2 * x.mean(axis=0), "running_mean", 1e-12, 1e-14)
        check_close(layer.running_var, 0.2 * x.var(axis=0), "running_var", 1e-12, 1e-14)
        layer.forward(x, train_flg=True)
        assert layer.running_mean is rm  # updated in place
        check_close(rm, 0.36 * x.mean(axis=0), "running_mean after 2 steps", 1e-12, 1e-14)
        out = layer.forward(x, train_flg=False)
        want = gamma * (x - rm) / np.sqrt(layer.running_var + 10e-7) + beta
        check_close(out, want, "BatchNormalization inference", 1e-12, 1e-12)


class _SeededDropout:
    """Dropout whose every forward draws the same mask, so differences can be taken."""

    def __init__(self, layer, seed):
        self.layer, self.seed = layer, seed

    def forward(self, x):
        np.random.seed(self.seed)
        return self.layer.forward(x, True)

    def backward(self, dout):
        return self.layer.backward(dout)


def test_dropout_follows_the_books_draw(backend):
    x = random((4, 6), 12)
    with fastnet.using_backend(backend.name):
        layer = Dropout(0.4)
        np.random.seed(5)
        out = layer.forward(x)
        np.random.seed(5)
        mask = np.random.rand(4, 6) > 0.4
        np.testing.assert_array_equal(layer.mask, mask)
        np.testing.assert_array_equal(out, x * mask)
        np.testing.assert_allclose(layer.forward(x, train_flg=False), x * 0.6, rtol=1e-15)
        check_layer(_SeededDropout(Dropout(0.4), 5), x, reference=lambda x: x * mask,
                    name=f"Dropout on {backend.name}")
