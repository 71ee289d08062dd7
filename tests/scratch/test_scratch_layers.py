"""fastnet.scratch's common/layers.py against docs/BOOK_API.md: results
against the book's formulas, attribute names, parameters shared by reference
(gradients are in test_scratch_gradients.py)."""

import numpy as np
import pytest
from _gradcheck import check_close

from fastnet.scratch.common import layers, util


def test_relu_mask_and_backward():
    x = np.array([[1.0, -2.0], [0.0, 3.0]])
    relu = layers.Relu()
    out = relu.forward(x)
    np.testing.assert_array_equal(relu.mask, x <= 0)
    np.testing.assert_array_equal(out, np.maximum(x, 0))
    np.testing.assert_array_equal(relu.backward(np.ones_like(x)), [[1, 0], [0, 1]])


def test_sigmoid_stores_out():
    s = layers.Sigmoid()
    out = s.forward(np.array([0.0, 1.0]))
    assert s.out is out
    check_close(s.backward(np.ones(2)), out * (1 - out), "Sigmoid.backward", 1e-12, 1e-15)


def test_affine_nd_input_attributes_and_references():
    rng = np.random.default_rng(5)
    W, b = rng.standard_normal((12, 3)), rng.standard_normal(3)
    x = rng.standard_normal((2, 3, 2, 2))
    layer = layers.Affine(W, b)
    assert layer.W is W and layer.b is b
    out = layer.forward(x)
    check_close(out, x.reshape(2, -1) @ W + b, "Affine.forward", 1e-12, 1e-14)
    assert layer.x.shape == (2, 12) and layer.original_x_shape == x.shape
    dx = layer.backward(np.ones((2, 3)))
    assert dx.shape == x.shape
    check_close(layer.dW, layer.x.T @ np.ones((2, 3)), "Affine.dW", 1e-12, 1e-14)
    check_close(layer.db, np.full(3, 2.0), "Affine.db", 1e-12, 1e-14)
    W *= 2  # an optimizer's in-place update is seen without rebuilding the layer
    check_close(layer.forward(x), x.reshape(2, -1) @ W + b, "Affine after W*=2", 1e-12, 1e-14)


def test_affine_takes_a_number_as_bias():
    W = np.arange(6.0).reshape(3, 2)
    x = np.ones((4, 3))
    layer = layers.Affine(W, 0)
    check_close(layer.forward(x), x @ W, "Affine(W, 0).forward", 0, 0)
    assert layer.b == 0
    layer.backward(np.ones((4, 2)))
    check_close(layer.db, np.full(2, 4.0), "Affine(W, 0).db", 0, 0)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.uint8])
def test_convolution_images_meet_float64_filters_in_float64(dtype):
    # ch08/half_float_network.py feeds float16 images; ch07/apply_filter.py
    # builds Convolution(w, 0) with a number as the bias.
    rng = np.random.default_rng(23)
    W = rng.standard_normal((2, 1, 3, 3))
    x = (rng.random((2, 1, 5, 5)) * 10).astype(dtype)
    out = layers.Convolution(W, 0).forward(x)
    assert out.dtype == np.float64 and out.shape == (2, 2, 3, 3)
    col = util.im2col(x.astype(np.float64), 3, 3)
    want = (col @ W.reshape(2, -1).T).reshape(2, 3, 3, 2).transpose(0, 3, 1, 2)
    check_close(out, want, f"Convolution on {np.dtype(dtype).name} images", 1e-12, 1e-12)


@pytest.mark.parametrize("labels", ["int", "onehot", "onehot-int", "uint8"])
def test_softmax_with_loss(labels):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((4, 3))
    lab = np.array([2, 0, 1, 1])
    t = {"int": lab, "uint8": lab.astype(np.uint8), "onehot": np.eye(3)[lab],
         "onehot-int": np.eye(3, dtype=int)[lab]}[labels]
    layer = layers.SoftmaxWithLoss()
    loss = layer.forward(x, t)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    y = e / e.sum(axis=1, keepdims=True)
    check_close(loss, -np.mean(np.log(y[np.arange(4), lab] + 1e-7)), "loss", 1e-12, 0)
    assert layer.loss == loss and layer.t is t
    check_close(layer.y, y, "SoftmaxWithLoss.y", 1e-12, 1e-15)
    check_close(layer.backward(), (y - np.eye(3)[lab]) / 4, "backward", 1e-12, 1e-15)


def test_softmax_with_loss_lets_a_diverged_network_go_on_like_the_book():
    x = np.array([[np.inf, 1.0], [0.0, 1.0]])
    layer = layers.SoftmaxWithLoss()
    with pytest.warns(RuntimeWarning, match="NaN or inf"):
        loss = layer.forward(x, np.array([0, 1]))
    assert np.isnan(loss) and np.isnan(layer.loss)
    dx = layer.backward()
    assert np.isnan(dx[0]).all() and np.isfinite(dx[1]).all() and np.isnan(layer.y[0]).all()
    with pytest.raises(ValueError, match="labels must lie in"):
        layer.forward(x, np.array([0, 5]))  # bad labels are still caught


def book_batch_norm_train(x, gamma, beta, running_mean, running_var, momentum):
    """The book's BatchNormalization.__forward(x, train_flg=True), line for line."""
    mu = x.mean(axis=0)
    xc = x - mu
    var = np.mean(xc**2, axis=0)
    std = np.sqrt(var + 10e-7)
    xn = xc / std
    running_mean = momentum * running_mean + (1 - momentum) * mu
    running_var = momentum * running_var + (1 - momentum) * var
    return gamma * xn + beta, running_mean, running_var


@pytest.mark.parametrize("bad", [np.inf, np.nan])
def test_batch_normalization_lets_a_diverged_network_go_on_like_the_book(bad):
    # fastnet's own layer refuses this batch; the book's (and so scratch's)
    # lets NaN through, which chapter 6's diverging networks rely on.
    x = np.array([[bad, 1.0, 2.0], [0.0, 1.0, 3.0]])
    gamma, beta = np.array([1.0, 2.0, 3.0]), np.array([0.5, 0.0, -1.0])
    layer = layers.BatchNormalization(gamma, beta)
    with pytest.warns(RuntimeWarning, match="NaN or inf"):
        out = layer.forward(x)
    with np.errstate(all="ignore"):
        want, mean, var = book_batch_norm_train(x, gamma, beta, np.zeros(3), np.zeros(3), 0.9)
    np.testing.assert_allclose(out, want, rtol=1e-12)  # NaN exactly where the book has NaN
    np.testing.assert_allclose(layer.running_mean, mean, rtol=1e-12)
    np.testing.assert_allclose(layer.running_var, var, rtol=1e-12)
    assert np.isnan(out[:, 0]).all() and np.isfinite(out[:, 1:]).all()
    dx = layer.backward(np.ones((2, 3)))
    assert np.isnan(dx[:, 0]).all() and np.isfinite(dx[:, 1:]).all()
    assert np.isnan(layer.forward(np.ones((2, 3)), train_flg=False)[:, 0]).all()
    with pytest.raises(ValueError, match="gamma"):
        layers.BatchNormalization(np.ones(2), np.zeros(2)).forward(x)  # shapes still checked
