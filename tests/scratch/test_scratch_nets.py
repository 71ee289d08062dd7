"""fastnet.scratch's MultiLayerNet and MultiLayerNetExtend against
docs/BOOK_API.md: layer order and names, initialisation, parameters shared
with the layers, the loss with weight decay, train_flg paths, gradients."""

from collections import OrderedDict

import numpy as np
from _gradcheck import central_difference, check_close, check_net

from fastnet.scratch.common import layers, multi_layer_net, multi_layer_net_extend


def test_multi_layer_net_layout_init_and_sharing():
    np.random.seed(7)
    net = multi_layer_net.MultiLayerNet(6, [5, 4], 3, activation="sigmoid",
                                        weight_init_std="xavier")
    np.random.seed(7)
    W1 = np.sqrt(1.0 / 6) * np.random.randn(6, 5)
    check_close(net.params["W1"], W1, "W1 (Xavier, NumPy's global generator)", 0, 0)
    assert list(net.layers) == ["Affine1", "Activation_function1", "Affine2",
                                "Activation_function2", "Affine3"]
    assert isinstance(net.layers, OrderedDict)
    assert isinstance(net.layers["Activation_function1"], layers.Sigmoid)
    assert isinstance(net.layers["Affine1"], layers.Affine)
    assert isinstance(net.last_layer, layers.SoftmaxWithLoss)
    assert list(net.params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    for i in (1, 2, 3):
        assert net.layers[f"Affine{i}"].W is net.params[f"W{i}"]
        assert net.layers[f"Affine{i}"].b is net.params[f"b{i}"]
        assert not net.params[f"b{i}"].any()
    np.random.seed(8)
    relu_net = multi_layer_net.MultiLayerNet(6, [5], 3)
    assert isinstance(relu_net.layers["Activation_function1"], layers.Relu)
    np.random.seed(8)
    check_close(relu_net.params["W1"], np.sqrt(2.0 / 6) * np.random.randn(6, 5), "He init", 0, 0)


def test_multi_layer_net_gradient_and_weight_decay():
    rng = np.random.default_rng(9)
    np.random.seed(9)
    # Small weights: no probability near 0, where the 1e-7 inside the loss's
    # log (the book's) makes the loss differ from what backprop differentiates.
    net = multi_layer_net.MultiLayerNet(5, [4, 3], 3, weight_init_std=0.3,
                                        weight_decay_lambda=0.3)
    x = rng.standard_normal((4, 5))
    t = np.array([0, 2, 1, 2])
    y = net.predict(x)
    e = np.exp(y - y.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    decay = sum(0.5 * 0.3 * np.sum(net.params[f"W{i}"] ** 2) for i in (1, 2, 3))
    want = -np.mean(np.log(p[np.arange(4), t] + 1e-7)) + decay
    check_close(net.loss(x, t), want, "loss with 0.5·λ·ΣW²", 1e-12, 0)
    # The 1e-7 in the log shifts the loss's slope by ~1e-7 relative: hence the tolerance.
    check_net(net, x, t, name="scratch MultiLayerNet(λ=0.3)", rtol=1e-5, atol=1e-7)
    assert net.accuracy(x, t) == np.mean(y.argmax(axis=1) == t)
    assert net.accuracy(x, np.eye(3)[t]) == net.accuracy(x, t)
    num = net.numerical_gradient(x, t)
    grads = net.gradient(x, t)
    for key in net.params:
        check_close(grads[key], num[key], f"numerical_gradient[{key}]", 1e-5, 1e-7)


def test_multi_layer_net_extend_layout():
    np.random.seed(10)
    net = multi_layer_net_extend.MultiLayerNetExtend(
        6, [5, 4], 3, use_dropout=True, dropout_ration=0.3, use_batchnorm=True)
    assert list(net.layers) == [
        "Affine1", "BatchNorm1", "Activation_function1", "Dropout1",
        "Affine2", "BatchNorm2", "Activation_function2", "Dropout2", "Affine3"]
    assert set(net.params) == {"W1", "b1", "W2", "b2", "W3", "b3",
                               "gamma1", "beta1", "gamma2", "beta2"}
    np.testing.assert_array_equal(net.params["gamma1"], np.ones(5))
    np.testing.assert_array_equal(net.params["beta2"], np.zeros(4))
    assert net.layers["BatchNorm1"].gamma is net.params["gamma1"]
    assert net.layers["Dropout1"].dropout_ratio == 0.3
    plain = multi_layer_net_extend.MultiLayerNetExtend(6, [5], 3)
    assert list(plain.layers) == ["Affine1", "Activation_function1", "Affine2"]


def test_multi_layer_net_extend_train_flg_paths():
    rng = np.random.default_rng(11)
    np.random.seed(11)
    net = multi_layer_net_extend.MultiLayerNetExtend(6, [8], 3, use_dropout=True,
                                                     dropout_ration=0.5)
    x = rng.standard_normal((5, 6))
    # Inference is deterministic; training draws a new Dropout mask each call.
    np.testing.assert_array_equal(net.predict(x), net.predict(x, train_flg=False))
    np.random.seed(0)
    a = net.predict(x, train_flg=True)
    np.random.seed(0)
    b = net.predict(x, train_flg=True)
    np.testing.assert_array_equal(a, b)  # np.random.seed reproduces the masks
    assert not np.allclose(a, net.predict(x))
    t = np.array([0, 1, 2, 0, 1])
    assert net.loss(x, t) == net.loss(x, t, train_flg=False)


def test_multi_layer_net_extend_gradient_with_batchnorm():
    rng = np.random.default_rng(12)
    np.random.seed(12)
    net = multi_layer_net_extend.MultiLayerNetExtend(5, [4, 4], 3, use_batchnorm=True,
                                                     weight_decay_lambda=0.1)
    x = rng.standard_normal((6, 5))
    t = np.array([0, 1, 2, 0, 1, 2])
    grads = net.gradient(x, t)
    assert set(grads) == set(net.params)
    for key, param in net.params.items():
        num = central_difference(lambda: net.loss(x, t, train_flg=True), param)
        check_close(grads[key], num, f"MultiLayerNetExtend(batchnorm).gradient[{key}]",
                    1e-5, 1e-7)
