"""fastnet.numgrad.numerical_gradient against the book's loop (fastnet.gradient over the
net's loss, two full losses per parameter) on nets small enough for the loop."""

import numpy as np
import pytest

import fastnet
from fastnet.nets import MultiLayerNet, MultiLayerNetExtend, SimpleConvNet, TwoLayerNet
from fastnet.numgrad import chain, fast, numerical_gradient
from fastnet.scratch.common.multi_layer_net import MultiLayerNet as BookMultiLayerNet

TOL = 1e-9  # the bound; the book's loop itself rounds at ~1e-12


def randomize(net, seed, scale=0.5):
    rng = np.random.default_rng(seed)
    for p in net.params.values():
        p[...] = rng.standard_normal(p.shape) * scale
    return net


def batch(n, d, classes, seed, scale=1.0):
    rng = np.random.default_rng(seed + 100)
    x = rng.random((n, d)) * scale
    x[:, 2] = 0  # a pixel that is 0 in the whole batch: an exact zero gradient
    x[rng.random((n, d)) < 0.3] = 0  # sparse, like MNIST
    return x, rng.integers(0, classes, n)


def assert_like_loop(net, x, t, tol=TOL):
    fast_g = numerical_gradient(net, x, t)
    loop_g = numerical_gradient(net, x, t, method="loop")
    for key in net.params:
        assert fast_g[key].dtype == net.params[key].dtype, key
        err = np.abs(fast_g[key] - loop_g[key]).max(initial=0)
        assert err <= tol, f"{key}: fast differs from the book's loop by {err:.3g}"
    return fast_g


@pytest.fixture
def direct_rows(monkeypatch):
    """Counts the perturbations evaluated directly (outside the series' radius)."""
    count = []
    original = fast.loss_changes

    def spy(*args):
        count.append(len(args[5]))
        return original(*args)

    monkeypatch.setattr(fast, "loss_changes", spy)
    return count


@pytest.mark.parametrize("activation", ["sigmoid", "relu", "tanh"])
@pytest.mark.parametrize("hidden", [[7], [6, 5]])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_the_books_loop(activation, hidden, seed):
    net = randomize(MultiLayerNet(13, hidden, 4, activation=activation,
                                  weight_decay_lambda=0.1 * seed), seed)
    x, t = batch(11, 13, 4, seed)
    g = assert_like_loop(net, x, t)
    # the all-zero pixel: nothing but the weight decay's λ·w
    np.testing.assert_allclose(g["W1"][2], 0.1 * seed * net.params["W1"][2], rtol=0, atol=1e-12)


@pytest.mark.parametrize("activation", ["sigmoid", "relu", "tanh"])
def test_large_inputs_are_evaluated_directly(activation, direct_rows):
    # weights small enough that the hidden units do not saturate at inputs of 400
    net = randomize(MultiLayerNet(9, [5, 4], 3, activation=activation), 3, scale=0.003)
    x, t = batch(7, 9, 3, 3, scale=400.0)
    assert_like_loop(net, x, t)
    assert sum(direct_rows) > 0


def test_relu_kinks_are_evaluated_directly(direct_rows):
    net = randomize(TwoLayerNet(6, 5, 3), 4)
    net.params["b1"][...] = 0
    x, t = batch(5, 6, 3, 4)
    x[1] = 0  # a1 = x·W1 + b1 is exactly 0 there: every ±h on b1 crosses the kink
    assert_like_loop(net, x, t)
    assert sum(direct_rows) > 0


def test_float32_net_uses_the_float32_steps():
    # The loop on a float32 net steps by float32(w ± h) - w; the loss at those
    # parameters, computed in float64, is what the fast path returns.
    net = randomize(TwoLayerNet(5, 4, 3, activation="sigmoid", dtype=np.float32), 5, scale=3.0)
    x, t = batch(6, 5, 3, 5)
    twin = TwoLayerNet(5, 4, 3, activation="sigmoid")
    for key in net.params:
        twin.params[key][...] = net.params[key]
    g = numerical_gradient(net, x, t)
    for key, p32 in net.params.items():
        p64, want = twin.params[key], np.zeros(p32.shape)
        for idx in np.ndindex(p32.shape):
            keep = float(p32[idx])
            p64[idx] = float(np.float32(keep + 1e-4))
            up = twin.loss(x, t)
            p64[idx] = float(np.float32(keep - 1e-4))
            want[idx] = (up - twin.loss(x, t)) / 2e-4
            p64[idx] = keep
        assert g[key].dtype == np.float32
        np.testing.assert_allclose(g[key], want, rtol=1e-6, atol=1e-9, err_msg=key)


def test_empty_batch_and_non_contiguous_input():
    net = randomize(MultiLayerNet(8, [4], 3, weight_decay_lambda=0.3), 6)
    assert_like_loop(net, np.zeros((0, 8)), np.zeros(0, dtype=np.intp))
    x, t = batch(5, 16, 3, 6)
    assert_like_loop(net, x[:, ::2], np.eye(3)[t])  # a strided view, one-hot labels


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_same_bits_on_one_and_two_threads(activation):
    # The chapter 4 size: both compiled kernels split their work across threads here.
    net = TwoLayerNet(784, 50, 10, activation=activation)
    x, t = batch(100, 784, 10, 8)
    fastnet.set_num_threads(1)  # conftest restores the count after the test
    one = numerical_gradient(net, x, t)
    fastnet.set_num_threads(2)
    two = numerical_gradient(net, x, t)
    for key in net.params:
        np.testing.assert_array_equal(one[key], two[key], err_msg=key)


def test_book_layer_list_and_prime_sizes():
    net = randomize(BookMultiLayerNet(7, [3, 5], 2, activation="sigmoid"), 7)
    assert chain.fast_chain(net) is not None
    x, t = batch(1, 7, 2, 7)
    assert_like_loop(net, x, t)


def test_convnet_fully_connected_part_is_fast():
    net = SimpleConvNet(input_dim=(1, 6, 6), conv_param={"filter_num": 2, "filter_size": 3,
                        "pad": 0, "stride": 1}, hidden_size=5, output_size=3)
    randomize(net, 8)
    prefix, stages = chain.fast_chain(net)
    assert [s.w_key for s in stages] == ["W2", "W3"] and len(prefix) == 1
    rng = np.random.default_rng(8)
    assert_like_loop(net, rng.random((4, 1, 6, 6)), rng.integers(0, 3, 4))


def test_batch_norm_and_dropout_nets_use_the_loop():
    net = MultiLayerNetExtend(6, [4], 3, use_batchnorm=True)
    assert chain.fast_chain(net) is None
    assert chain.fast_chain(MultiLayerNetExtend(6, [4], 3, use_dropout=True)) is None
    plain = randomize(MultiLayerNetExtend(6, [4], 3), 9)
    x, t = batch(5, 6, 3, 9)
    assert_like_loop(plain, x, t)


def test_gradient_check_reports_each_parameter():
    net = randomize(TwoLayerNet(6, 4, 3, activation="sigmoid"), 10, scale=0.3)
    x, t = batch(5, 6, 3, 10)
    report = fastnet.gradient_check(net, x, t)
    assert list(report) == ["W1", "b1", "W2", "b2"]
    assert report.max_abs() < 1e-6  # backprop vs central differences: O(h²) apart
    assert report["W1"].shape == (6, 4) and "W1" in str(report)


def test_bad_method_is_a_value_error():
    net = TwoLayerNet(3, 2, 2)
    with pytest.raises(ValueError, match="method"):
        numerical_gradient(net, np.zeros((1, 3)), np.zeros(1, dtype=np.intp), method="fast")
