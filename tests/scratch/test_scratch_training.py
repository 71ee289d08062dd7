"""What a book script trains with, against docs/BOOK_API.md: the optimizers'
update rules (in place), the Trainer's schedule and prints, load_mnist."""

import numpy as np
import pytest
from _gradcheck import check_close

from fastnet.datasets import BundledDataWarning
from fastnet.scratch.common import optimizer, trainer
from fastnet.scratch.dataset import mnist

# ------------------------------------------------------------------ optimizer


def book_rules(name, p, g, state, t):
    """The update rules of BOOK_API.md, one step, on copies."""
    if name == "SGD":
        return p - 0.01 * g
    if name == "Momentum":
        state["v"] = 0.9 * state.get("v", 0) - 0.01 * g
        return p + state["v"]
    if name == "Nesterov":
        v = state.get("v", 0)
        p = p + 0.81 * v - 1.9 * 0.01 * g
        state["v"] = 0.9 * v - 0.01 * g
        return p
    if name == "AdaGrad":
        state["h"] = state.get("h", 0) + g * g
        return p - 0.01 * g / (np.sqrt(state["h"]) + 1e-7)
    if name == "RMSprop":
        state["h"] = 0.99 * state.get("h", 0) + 0.01 * g * g
        return p - 0.01 * g / (np.sqrt(state["h"]) + 1e-7)
    lr_t = 0.001 * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
    state["m"] = state.get("m", 0) + 0.1 * (g - state.get("m", 0))
    state["v"] = state.get("v", 0) + 0.001 * (g * g - state.get("v", 0))
    return p - lr_t * state["m"] / (np.sqrt(state["v"]) + 1e-7)


@pytest.mark.parametrize("name", ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"])
def test_optimizer_updates_in_place_by_the_books_rule(name):
    rng = np.random.default_rng(3)
    params = {"W": rng.standard_normal((3, 4)), "b": rng.standard_normal(4)}
    ids = {k: id(v) for k, v in params.items()}
    expected = {k: v.copy() for k, v in params.items()}
    states = {k: {} for k in params}
    opt = getattr(optimizer, name)()
    for t in range(1, 4):
        grads = {k: rng.standard_normal(v.shape) for k, v in params.items()}
        opt.update(params, grads)
        for k in params:
            expected[k] = book_rules(name, expected[k], grads[k], states[k], t)
    for k in params:
        assert id(params[k]) == ids[k], f"{name} replaced params[{k!r}] instead of updating it"
        check_close(params[k], expected[k], f"{name} params[{k!r}]", 1e-12, 1e-14)


# -------------------------------------------------------------------- Trainer


class RecordingNet:
    """The smallest network Trainer accepts; records the batches it sees."""

    def __init__(self):
        self.params = {"W": np.zeros(3)}
        self.batches = []
        self.accuracy_calls = []

    def gradient(self, x, t):
        self.batches.append(t.copy())
        return {"W": np.ones(3)}

    def loss(self, x, t):
        return float(len(self.batches))

    def accuracy(self, x, t):
        self.accuracy_calls.append(len(t))
        return len(t) / 1000


def test_trainer_prints_and_records_like_the_book(capsys):
    x_train, t_train = np.zeros((250, 2)), np.arange(250)
    x_test, t_test = np.zeros((40, 2)), np.arange(40)
    net = RecordingNet()
    np.random.seed(13)
    tr = trainer.Trainer(net, x_train, t_train, x_test, t_test, epochs=2, mini_batch_size=100,
                         optimizer="sGd", optimizer_param={"lr": 0.5},
                         evaluate_sample_num_per_epoch=30)
    tr.train()
    # 2.5 iterations per epoch (a float, as in the book): epochs are counted
    # only where current_iter % 2.5 == 0, i.e. at steps 0 (and 5, not reached).
    assert tr.max_iter == 5 and tr.iter_per_epoch == 2.5
    np.random.seed(13)
    for seen in net.batches:
        np.testing.assert_array_equal(seen, np.random.choice(250, 100))
    np.testing.assert_array_equal(net.params["W"], np.full(3, -0.5 * 5))
    assert tr.train_loss_list == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert net.accuracy_calls == [30, 30, 40]
    assert tr.train_acc_list == [0.03] and tr.test_acc_list == [0.03]
    out = capsys.readouterr().out
    assert out == (
        "train loss:1.0\n=== epoch:1, train acc:0.03, test acc:0.03 ===\n"
        "train loss:2.0\ntrain loss:3.0\ntrain loss:4.0\ntrain loss:5.0\n"
        "=============== Final Test Accuracy ===============\ntest acc:0.04\n")


@pytest.mark.parametrize("name", ["sgd", "Momentum", "NESTEROV", "adagrad", "rmsprop", "Adam"])
def test_trainer_optimizer_names(name):
    tr = trainer.Trainer(RecordingNet(), np.zeros((10, 2)), np.arange(10), np.zeros((2, 2)),
                         np.arange(2), optimizer=name, optimizer_param={"lr": 0.1},
                         verbose=False)
    assert type(tr.optimizer).__name__.lower() == name.lower()
    assert tr.optimizer.lr == 0.1


def test_trainer_rejects_unknown_optimizer():
    with pytest.raises(ValueError, match="adamw"):
        trainer.Trainer(RecordingNet(), np.zeros((1, 1)), np.arange(1), np.zeros((1, 1)),
                        np.arange(1), optimizer="adamw")


def test_trainer_epoch_boundaries_with_whole_epochs(capsys):
    net = RecordingNet()
    tr = trainer.Trainer(net, np.zeros((200, 2)), np.arange(200), np.zeros((5, 2)), np.arange(5),
                         epochs=3, mini_batch_size=100, verbose=False)
    tr.train()
    assert tr.max_iter == 6 and len(tr.train_acc_list) == 3 and tr.current_epoch == 3
    assert capsys.readouterr().out == ""


# ---------------------------------------------------------------- load_mnist


def test_load_mnist_like_the_book_offline(monkeypatch, tmp_path):
    monkeypatch.setenv("FASTNET_OFFLINE", "1")
    monkeypatch.setenv("FASTNET_DATA", str(tmp_path))
    with pytest.warns(BundledDataWarning) as record:
        (x, t), (xt, tt) = mnist.load_mnist()
    assert len(record) == 1 and "\n" not in str(record[0].message)
    assert x.shape == (4000, 784) and x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1
    assert t.dtype == np.uint8 and t.shape == (4000,) and xt.shape == (1000, 784)
    (x, t), _ = mnist.load_mnist(normalize=False, flatten=False, one_hot_label=True,
                                 source="bundled")
    assert x.shape == (4000, 1, 28, 28) and x.dtype == np.uint8
    assert t.shape == (4000, 10) and t.dtype == np.float64 and (t.sum(axis=1) == 1).all()
