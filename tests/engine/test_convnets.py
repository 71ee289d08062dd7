"""SimpleConvNet, DeepConvNet, MultiLayerNetExtend: the book's parameters and
initialisation, gradients against central differences, training, float32, pickles."""

import pickle

import numpy as np
import pytest
from _gradcheck import H, check_close, check_net

import fastnet
from fastnet.nets import DeepConvNet, MultiLayerNetExtend, SimpleConvNet
from fastnet.optimizers import Adam

TINY_CONV = {"filter_num": 2, "filter_size": 3, "pad": 0, "stride": 1}


def labels(n, classes, seed=0):
    return np.random.default_rng(seed).integers(0, classes, n)


def reseeding(net, seed=0):
    """Make every loss call draw the same dropout masks, so differences can be taken."""
    loss = net.loss

    def seeded(x, t, train_flg=True):
        np.random.seed(seed)
        return loss(x, t, train_flg)

    net.loss = seeded
    return net


def test_simple_convnet_initialises_like_the_book():
    np.random.seed(0)
    net = SimpleConvNet()
    np.random.seed(0)
    W1 = 0.01 * np.random.randn(30, 1, 5, 5)
    W2 = 0.01 * np.random.randn(4320, 100)
    W3 = 0.01 * np.random.randn(100, 10)
    for key, want in (("W1", W1), ("W2", W2), ("W3", W3)):
        np.testing.assert_array_equal(net.params[key], want)
    assert sorted(net.params) == ["W1", "W2", "W3", "b1", "b2", "b3"]
    assert not net.params["b1"].any() and net.params["b2"].shape == (100,)
    assert list(net.layers) == ["Conv1", "Affine1", "Affine2"]  # ReLUs and the pool fused


@pytest.mark.parametrize("conv", [TINY_CONV, {"filter_num": 3, "filter_size": 2, "pad": 1,
                                              "stride": 2}])
def test_simple_convnet_gradient(backend, conv):
    with fastnet.using_backend(backend.name):
        np.random.seed(1)
        net = SimpleConvNet(input_dim=(2, 6, 6), conv_param=conv, hidden_size=3, output_size=3,
                            weight_init_std=0.5)
        x = np.random.default_rng(2).standard_normal((3, 2, 6, 6))
        check_net(net, x, labels(3, 3), name=f"SimpleConvNet{conv} on {backend.name}",
                  rtol=1e-5, atol=1e-7)


def test_simple_convnet_numerical_gradient_method(backend):
    with fastnet.using_backend(backend.name):
        np.random.seed(3)
        net = SimpleConvNet(input_dim=(1, 5, 5), conv_param=TINY_CONV, hidden_size=2,
                            output_size=2, weight_init_std=0.5)
        x = np.random.default_rng(4).standard_normal((2, 1, 5, 5))
        t = labels(2, 2)
        backprop = net.gradient(x, t)
        numeric = net.numerical_gradient(x, t)
        for key in net.params:
            check_close(backprop[key], numeric[key], f"SimpleConvNet.numerical_gradient[{key}]",
                        1e-4, 1e-6)


def test_deep_convnet_structure_and_init():
    np.random.seed(0)
    net = DeepConvNet()
    np.random.seed(0)
    fan_in = [9, 144, 144, 288, 288, 576, 1024, 50]
    shapes = [(16, 1, 3, 3), (16, 16, 3, 3), (32, 16, 3, 3), (32, 32, 3, 3), (64, 32, 3, 3),
              (64, 64, 3, 3), (1024, 50), (50, 10)]
    for i, (shape, fi) in enumerate(zip(shapes, fan_in), start=1):
        np.testing.assert_array_equal(net.params[f"W{i}"],
                                      np.sqrt(2.0 / fi) * np.random.randn(*shape))
        assert net.params[f"b{i}"].shape == (shape[0] if i <= 6 else shape[1],)
    # each second convolution carries its pooling (PooledConvolution); ReLUs are fused
    kinds = [type(layer).__name__ for layer in net.layers]
    assert kinds == ["Convolution", "PooledConvolution"] * 3 + ["Affine", "Dropout"] * 2
    assert net.predict(np.zeros((2, 1, 28, 28))).shape == (2, 10)


def test_deep_convnet_gradient_at_sampled_entries(backend):
    """Every parameter's gradient checked at a few random entries (the net is big)."""
    with fastnet.using_backend(backend.name):
        np.random.seed(5)
        net = reseeding(DeepConvNet(hidden_size=6, output_size=4))
        x = np.random.default_rng(6).random((2, 1, 28, 28))
        t = labels(2, 4)
        grads = net.gradient(x, t)
        rng = np.random.default_rng(7)
        for key, param in net.params.items():
            for flat in rng.choice(param.size, 3, replace=False):
                idx = np.unravel_index(flat, param.shape)
                keep = param[idx]
                param[idx] = keep + H
                up = net.loss(x, t)
                param[idx] = keep - H
                down = net.loss(x, t)
                param[idx] = keep
                check_close(grads[key][idx], (up - down) / (2 * H),
                            f"DeepConvNet.gradient['{key}'][{idx}] on {backend.name}", 1e-5, 1e-7)


@pytest.mark.parametrize("use_batchnorm, use_dropout, lam",
                         [(True, False, 0), (False, True, 0.1), (True, True, 0.05)])
def test_multilayer_net_extend_gradient(backend, use_batchnorm, use_dropout, lam):
    with fastnet.using_backend(backend.name):
        np.random.seed(8)
        net = reseeding(MultiLayerNetExtend(5, [4, 3], 3, weight_decay_lambda=lam,
                                            use_dropout=use_dropout, dropout_ration=0.3,
                                            use_batchnorm=use_batchnorm))
        x = np.random.default_rng(9).standard_normal((6, 5))
        check_net(net, x, labels(6, 3), name=f"MultiLayerNetExtend on {backend.name}",
                  rtol=1e-5, atol=1e-7)
        expected = ["W1", "W2", "W3", "b1", "b2", "b3"]
        if use_batchnorm:
            expected += ["beta1", "beta2", "gamma1", "gamma2"]
        assert sorted(net.params) == sorted(expected)
        names = list(net.layers)
        if use_batchnorm:
            assert names[:3] == ["Affine1", "BatchNorm1", "Activation_function1"]
        if use_dropout:
            assert "Dropout1" in names


def test_multilayer_net_extend_initialises_like_the_book():
    np.random.seed(0)
    net = MultiLayerNetExtend(6, [5, 4], 3, weight_init_std="sigmoid", use_batchnorm=True)
    np.random.seed(0)
    for i, (a, b) in enumerate([(6, 5), (5, 4), (4, 3)], start=1):
        np.testing.assert_array_equal(net.params[f"W{i}"], np.sqrt(1.0 / a) * np.random.randn(a, b))
    np.testing.assert_array_equal(net.params["gamma1"], np.ones(5))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_simple_convnet_trains(backend, dtype):
    with fastnet.using_backend(backend.name):
        np.random.seed(10)
        net = SimpleConvNet(input_dim=(1, 10, 10), conv_param={"filter_num": 4, "filter_size": 3,
                            "pad": 1, "stride": 1}, hidden_size=16, output_size=3,
                            weight_init_std=0.1, dtype=dtype)
        rng = np.random.default_rng(11)
        t = labels(30, 3, seed=12)
        # class k lights up row band k: learnable in a few steps
        x = rng.random((30, 1, 10, 10)).astype(np.float32) * 0.1
        for k in range(3):
            x[t == k, 0, 3 * k:3 * k + 3] += 1
        first = net.loss(x, t)
        optimizer = Adam(lr=0.01)
        for _ in range(15):
            optimizer.update(net.params, net.gradient(x, t))
        assert net.loss(x, t) < 0.5 * first
        assert all(p.dtype == dtype for p in net.params.values())
        assert net.predict(x).dtype == dtype
        assert net.accuracy(x, t, batch_size=7) > 0.9  # a partial last batch too


def test_deep_convnet_float32_steps_reduce_loss(backend):
    with fastnet.using_backend(backend.name):
        np.random.seed(13)
        net = reseeding(DeepConvNet(hidden_size=16, output_size=2, dtype=np.float32))
        x = np.random.default_rng(14).random((8, 1, 28, 28)).astype(np.float32)
        t = np.array([0, 1] * 4)
        x[t == 1, 0, :14] += 1
        first = net.loss(x, t)
        optimizer = Adam(lr=0.003)
        for _ in range(6):
            optimizer.update(net.params, net.gradient(x, t))
        assert net.loss(x, t) < first
        assert net.params["W1"].dtype == np.float32


def test_save_and_load_params_accept_the_books_pickle(tmp_path):
    np.random.seed(15)
    book = {k: np.random.randn(*v.shape) for k, v in SimpleConvNet().params.items()}
    path = tmp_path / "params.pkl"
    with open(path, "wb") as f:
        pickle.dump(book, f)
    net = SimpleConvNet(dtype=np.float32)
    conv = net.layers["Conv1"]
    net.load_params(str(path))
    for key in book:
        np.testing.assert_array_equal(net.params[key], book[key].astype(np.float32))
    assert conv.W is net.params["W1"]  # loaded in place: layers still share the arrays
    net.save_params(str(tmp_path / "again.pkl"))
    with open(tmp_path / "again.pkl", "rb") as f:
        again = pickle.load(f)
    np.testing.assert_array_equal(again["W2"], net.params["W2"])
    with pytest.raises(ValueError, match=r"W1 has shape \(2, 2\), the network needs"):
        bad = dict(book, W1=np.ones((2, 2)))
        with open(path, "wb") as f:
            pickle.dump(bad, f)
        net.load_params(str(path))
