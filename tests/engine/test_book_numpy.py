"""fastnet.book_numpy, the plain-NumPy baseline of `fastnet train` and the
benchmarks, computes what fastnet's own net and optimizers compute (float64):
a speed-up is only a speed-up if both sides do the same work."""

import numpy as np
import pytest

from fastnet import nets, optimizers
from fastnet.backend import using_backend
from fastnet.book_numpy.common import optimizer as book_optimizer
from fastnet.book_numpy.common.multi_layer_net import MultiLayerNet as BookMultiLayerNet


def _pair(activation, weight_decay):
    np.random.seed(5)
    book = BookMultiLayerNet(12, [7, 5], 3, activation=activation,
                             weight_init_std=activation, weight_decay_lambda=weight_decay)
    np.random.seed(5)
    own = nets.MultiLayerNet(12, [7, 5], 3, activation=activation,
                             weight_init_std=activation, weight_decay_lambda=weight_decay,
                             dtype=np.float64)
    return book, own


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
def test_the_books_multilayer_net_matches_fastnets(activation, weight_decay):
    book, own = _pair(activation, weight_decay)
    for key in own.params:
        np.testing.assert_array_equal(book.params[key], own.params[key])
    rng = np.random.default_rng(1)
    x, t = rng.standard_normal((9, 12)), rng.integers(0, 3, 9)
    assert book.loss(x, t) == pytest.approx(float(own.loss(x, t)), rel=1e-12)
    book_grads, own_grads = book.gradient(x, t), own.gradient(x, t)
    for key in own.params:
        np.testing.assert_allclose(book_grads[key], own_grads[key], rtol=1e-10, atol=1e-12)
    assert book.accuracy(x, t) == pytest.approx(float(own.accuracy(x, t)))


def test_the_book_has_every_rule_fastnet_trains_with():
    assert set(book_optimizer.BY_NAME) == set(optimizers.BY_NAME)


@pytest.mark.parametrize("name", sorted(optimizers.BY_NAME))
def test_the_books_optimizers_match_fastnets(name):
    rng = np.random.default_rng(2)
    params = {"W": rng.standard_normal((4, 3)), "b": rng.standard_normal(3)}
    book_params = {key: value.copy() for key, value in params.items()}
    with using_backend("numpy"):
        own = optimizers.BY_NAME[name](lr=0.05)
        book = book_optimizer.BY_NAME[name](lr=0.05)
        for _ in range(3):
            grads = {key: rng.standard_normal(value.shape) for key, value in params.items()}
            own.update(params, grads)
            book.update(book_params, grads)
    for key in params:
        np.testing.assert_allclose(book_params[key], params[key], rtol=1e-12, atol=1e-14)
