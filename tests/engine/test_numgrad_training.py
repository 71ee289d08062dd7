"""Chapter 4's training loop by numerical gradient: fastnet.scratch.ch04 against the
book's net and loop in plain NumPy (fastnet.book_numpy), same seed and batches."""

import numpy as np

from fastnet import datasets
from fastnet.book_numpy.two_layer_net_ch04 import TwoLayerNet as BookTwoLayerNet
from fastnet.scratch.ch04 import TwoLayerNet


def test_first_steps_record_the_books_losses():

    (x_all, t_all), _ = datasets.load_mnist(source="bundled", one_hot_label=True)
    # 14 x 14 digits and 8 hidden units: the book's loop takes seconds, not hours
    x_all = x_all.reshape(-1, 28, 28)[:, ::2, ::2].reshape(len(x_all), -1).astype(np.float64)
    np.random.seed(0)
    book = BookTwoLayerNet(196, 8, 10)
    np.random.seed(0)
    fast = TwoLayerNet(196, 8, 10)
    rng = np.random.default_rng(0)
    book_losses, fast_losses = [], []
    for _ in range(20):
        mask = rng.choice(len(x_all), 100)
        x, t = x_all[mask], t_all[mask]
        for net, losses in ((book, book_losses), (fast, fast_losses)):
            grads = net.numerical_gradient(x, t)
            for key in ("W1", "b1", "W2", "b2"):
                net.params[key] -= 0.1 * grads[key]
            losses.append(net.loss(x, t))
    np.testing.assert_allclose(fast_losses, book_losses, rtol=1e-7)
