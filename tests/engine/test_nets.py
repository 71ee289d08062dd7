"""fastnet.nets: backprop against central differences, the book's params and
initialisation, dtypes, and training that actually learns."""

import numpy as np
import pytest
from _gradcheck import check_close, check_net

import fastnet
from fastnet.nets import MultiLayerNet, TwoLayerNet
from fastnet.optimizers import SGD, Adam


def small_problem(n=6, d=5, c=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.integers(0, c, n)


@pytest.mark.parametrize("one_hot", [False, True], ids=["labels", "one-hot"])
@pytest.mark.parametrize("n", [1, 5])
def test_two_layer_net_gradient(backend, n, one_hot):
    x, t = small_problem(n=n)
    t = np.eye(3)[t] if one_hot else t
    np.random.seed(1)
    with fastnet.using_backend(backend.name):
        net = TwoLayerNet(5, 4, 3, weight_init_std=0.5)
        check_net(net, x, t, name=f"TwoLayerNet on {backend.name}", rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("weight_decay", [0, 0.3])
@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_multi_layer_net_gradient(backend, activation, weight_decay):
    x, t = small_problem(n=7, d=6, c=4)
    np.random.seed(2)
    with fastnet.using_backend(backend.name):
        net = MultiLayerNet(6, [5, 3, 4], 4, activation=activation,
                            weight_init_std=activation, weight_decay_lambda=weight_decay)
        # The 1e-7 inside the book's log makes backprop differ from the exact
        # derivative by ~1e-7/y[label] relative: hence rtol 1e-4.
        check_net(net, x, t, name=f"MultiLayerNet[{activation}, λ={weight_decay}]",
                  rtol=1e-4, atol=1e-7)


def test_numerical_gradient_method_agrees_with_backprop():
    x, t = small_problem()
    np.random.seed(3)
    net = MultiLayerNet(5, [4], 3, weight_decay_lambda=0.1)
    num = net.numerical_gradient(x, t)
    grads = net.gradient(x, t)
    for key in net.params:
        check_close(num[key], grads[key], f"numerical_gradient['{key}']", 1e-3, 1e-6)


def test_weight_decay_adds_to_loss_and_gradient():
    x, t = small_problem()
    np.random.seed(4)
    plain = MultiLayerNet(5, [4], 3)
    np.random.seed(4)
    decayed = MultiLayerNet(5, [4], 3, weight_decay_lambda=0.5)
    penalty = 0.5 * 0.5 * sum(np.sum(decayed.params[k] ** 2) for k in ("W1", "W2"))
    assert decayed.loss(x, t) == pytest.approx(plain.loss(x, t) + penalty, rel=1e-12)
    g0, g1 = plain.gradient(x, t), decayed.gradient(x, t)
    check_close(g1["W1"], g0["W1"] + 0.5 * decayed.params["W1"], "dW1 with decay", 1e-12, 1e-14)
    check_close(g1["b1"], g0["b1"], "db1 with decay", 0, 0)
    # layer.dW stays the data-loss gradient; the decay term is a new array.
    check_close(decayed.layers["Affine1"].dW, g0["W1"], "Affine1.dW", 1e-12, 1e-14)


def test_book_initialisation_and_names():
    np.random.seed(5)
    net = MultiLayerNet(7, [6, 5], 3, weight_init_std="relu")
    np.random.seed(5)
    expected = [np.sqrt(2 / 7) * np.random.randn(7, 6), np.sqrt(2 / 6) * np.random.randn(6, 5),
                np.sqrt(2 / 5) * np.random.randn(5, 3)]
    assert list(net.params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    for i, W in enumerate(expected, 1):
        check_close(net.params[f"W{i}"], W, f"W{i} (He init)", 0, 0)
        check_close(net.params[f"b{i}"], np.zeros(W.shape[1]), f"b{i}", 0, 0)
    assert list(net.layers) == ["Affine1", "Affine2", "Affine3"]
    assert [layer.activation for layer in net.layers.values()] == ["relu", "relu", "identity"]
    assert type(net.last_layer).__name__ == "SoftmaxWithLoss"

    np.random.seed(6)
    net = MultiLayerNet(4, [3], 2, activation="sigmoid", weight_init_std="xavier")
    np.random.seed(6)
    check_close(net.params["W1"], np.sqrt(1 / 4) * np.random.randn(4, 3), "W1 (Xavier)", 0, 0)

    np.random.seed(7)
    net = TwoLayerNet(4, 3, 2)
    np.random.seed(7)
    check_close(net.params["W1"], 0.01 * np.random.randn(4, 3), "TwoLayerNet W1", 0, 0)
    check_close(net.params["W2"], 0.01 * np.random.randn(3, 2), "TwoLayerNet W2", 0, 0)
    assert list(net.params) == ["W1", "b1", "W2", "b2"]


def test_unknown_activation_is_refused():
    with pytest.raises(ValueError, match="activation must be one of"):
        MultiLayerNet(4, [3], 2, activation="softplus")


@pytest.mark.parametrize("make", [lambda: TwoLayerNet(5, 4, 3),
                                  lambda: MultiLayerNet(5, [4, 4], 3)], ids=["two", "multi"])
def test_first_layer_skips_its_input_gradient(backend, make):
    x, t = small_problem()
    with fastnet.using_backend(backend.name):
        net = make()
        net.loss(x, t)
        dout = net.last_layer.backward()
        for layer in reversed(net.layers.values()):
            dout = layer.backward(dout)
    assert dout is None, "the first Affine computed a gradient nobody needs"
    assert net.layers["Affine1"].need_input_grad is False
    assert all(layer.need_input_grad for name, layer in net.layers.items() if name != "Affine1")


def test_layers_share_params_with_the_net():
    x, t = small_problem()
    net = MultiLayerNet(5, [4], 3)
    for i in (1, 2):
        assert net.layers[f"Affine{i}"].W is net.params[f"W{i}"]
        assert net.layers[f"Affine{i}"].b is net.params[f"b{i}"]
    before = net.predict(x)
    SGD(lr=1.0).update(net.params, net.gradient(x, t))
    assert not np.allclose(before, net.predict(x)), "the layers did not see the update"


def test_float32_net_is_float32(backend):
    x, t = small_problem()
    with fastnet.using_backend(backend.name):
        net = MultiLayerNet(5, [4, 4], 3, dtype=np.float32)
        assert all(p.dtype == np.float32 for p in net.params.values())
        grads = net.gradient(x.astype(np.float32), t)
        assert all(g.dtype == np.float32 for g in grads.values()), \
            {k: g.dtype for k, g in grads.items()}
        assert net.predict(x.astype(np.float32)).dtype == np.float32
        Adam().update(net.params, grads)
        assert all(p.dtype == np.float32 for p in net.params.values())


def test_float32_input_with_float64_params_gives_float64(backend):
    x, t = small_problem()
    with fastnet.using_backend(backend.name):
        net = TwoLayerNet(5, 4, 3)
        assert net.predict(x.astype(np.float32)).dtype == np.float64
        grads = net.gradient(x.astype(np.float32), t)
    assert all(g.dtype == np.float64 for g in grads.values())


def test_accuracy_with_labels_and_one_hot():
    x, t = small_problem(n=20)
    net = TwoLayerNet(5, 4, 3, weight_init_std=1.0)
    expected = np.mean(net.predict(x).argmax(axis=1) == t)
    assert net.accuracy(x, t) == pytest.approx(expected)
    assert net.accuracy(x, np.eye(3)[t]) == pytest.approx(expected)


def blobs(n=300, d=10, c=4, seed=0):
    """Gaussian clusters around random centres: a problem a small net must solve."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((c, d)) * 3
    t = rng.integers(0, c, n)
    return centres[t] + rng.standard_normal((n, d)), t


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("kind", ["two", "multi"])
def test_training_converges(backend, kind, dtype):
    x, t = blobs()
    x = x.astype(dtype)
    np.random.seed(0)
    with fastnet.using_backend(backend.name):
        if kind == "two":
            net, opt = TwoLayerNet(10, 16, 4, weight_init_std=0.1, dtype=dtype), SGD(lr=0.5)
        else:
            net, opt = MultiLayerNet(10, [16, 16], 4, dtype=dtype), Adam(lr=0.01)
        first = net.loss(x, t)
        rng = np.random.default_rng(1)
        for _ in range(300):
            batch = rng.choice(len(x), 32)
            opt.update(net.params, net.gradient(x[batch], t[batch]))
        last = net.loss(x, t)
        accuracy = net.accuracy(x, t)
    assert last < 0.2 * first, f"loss went from {first:.3f} to {last:.3f} only"
    assert accuracy > 0.95, f"training accuracy {accuracy:.3f}"


def test_unknown_weight_init_name_is_refused():
    with pytest.raises(ValueError, match="weight_init_std must be a number or one of"):
        MultiLayerNet(4, [3], 2, weight_init_std="glorot")
