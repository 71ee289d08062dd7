"""One training step (gradient + optimizer update) at batch 100.

    pytest benchmarks/bench_nets.py --benchmark-group-by=group
    pytest benchmarks/bench_nets.py --benchmark-disable   # quick check, < 30 s

Groups:
  twolayer_step         TwoLayerNet(784, 50, 10) + SGD(lr=0.1)
  multilayer_adam_step  MultiLayerNet(784, [100]*5, 10) + Adam

Implementations (`impl`):
  book-f64 / book-f32   the book's own NumPy layers (Affine, Relu,
                        SoftmaxWithLoss, SGD, Adam), written out below from
                        the book's definitions; book-f64 is the baseline
  fastnet-numpy-f32     fastnet's nets on the "numpy" reference backend
  fastnet-cython-f32/64 fastnet's nets on the compiled backend
  torch-f32             the same architecture in PyTorch eager (if installed)

Inputs are float32 in [0, 1) like the book's normalised MNIST, labels are
integers; every implementation starts from the same weights, and its first
gradient is checked against the book's float64 one before timing.
extra_info["speedup_vs_book_f64"] is book-f64's median over this one's,
when book-f64 ran earlier in the same session.
"""

from collections import OrderedDict

import numpy as np
import pytest

import fastnet
from fastnet.book_numpy.common.layers import Affine as BookAffine
from fastnet.book_numpy.common.layers import Relu as BookRelu
from fastnet.book_numpy.common.layers import SoftmaxWithLoss as BookSoftmaxWithLoss
from fastnet.book_numpy.common.optimizer import SGD as BookSGD
from fastnet.book_numpy.common.optimizer import Adam as BookAdam
from fastnet.nets import MultiLayerNet, TwoLayerNet
from fastnet.optimizers import SGD, Adam

BATCH = 100
IMPLS = ["book-f64", "book-f32", "fastnet-numpy-f32", "fastnet-cython-f32",
         "fastnet-cython-f64", "torch-f32"]
NETS = {
    "twolayer_step": dict(sizes=[784, 50, 10], init=0.01, optimizer="sgd"),
    "multilayer_adam_step": dict(sizes=[784] + [100] * 5 + [10], init="relu", optimizer="adam"),
}
_book_median = {}  # group -> seconds of book-f64 in this session


# ------------------------------------------------ the book's network, in NumPy
# Its layers and optimizers are fastnet.book_numpy's: the book's classes
# written out from BOOK_API.md.


class BookNet:
    """The book's MultiLayerNet with ReLU and no weight decay (TwoLayerNet is one hidden layer)."""

    def __init__(self, params):
        self.params = params
        n = len(params) // 2
        self.layers = OrderedDict()
        for i in range(1, n + 1):
            self.layers[f"Affine{i}"] = BookAffine(params[f"W{i}"], params[f"b{i}"])
            if i < n:
                self.layers[f"Relu{i}"] = BookRelu()
        self.last_layer = BookSoftmaxWithLoss()

    def gradient(self, x, t):
        for layer in self.layers.values():
            x = layer.forward(x)
        self.last_layer.forward(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        grads = {}
        for i in range(1, len(self.params) // 2 + 1):
            grads[f"W{i}"] = self.layers[f"Affine{i}"].dW
            grads[f"b{i}"] = self.layers[f"Affine{i}"].db
        return grads


# ------------------------------------------------------------- set-up


def book_params(sizes, init, dtype):
    """The book's initialisation from seed 0 (the same draws as fastnet's nets)."""
    np.random.seed(0)
    params = {}
    for i in range(1, len(sizes)):
        scale = np.sqrt(2.0 / sizes[i - 1]) if init == "relu" else init
        params[f"W{i}"] = (scale * np.random.randn(sizes[i - 1], sizes[i])).astype(dtype)
        params[f"b{i}"] = np.zeros(sizes[i], dtype)
    return params


def batch():
    rng = np.random.default_rng(0)
    return rng.random((BATCH, 784), dtype=np.float32), rng.integers(0, 10, BATCH)


def make_numpy_step(impl, spec):
    """(step, grads_fn) for the book's and fastnet's implementations."""
    dtype = np.float32 if impl.endswith("f32") else np.float64
    sizes = spec["sizes"]
    if impl.startswith("book"):
        net = BookNet(book_params(sizes, spec["init"], dtype))
        opt = BookSGD(lr=0.1) if spec["optimizer"] == "sgd" else BookAdam()
    else:
        np.random.seed(0)
        if len(sizes) == 3:
            net = TwoLayerNet(*sizes, weight_init_std=spec["init"], dtype=dtype)
        else:
            net = MultiLayerNet(sizes[0], sizes[1:-1], sizes[-1],
                                weight_init_std=spec["init"], dtype=dtype)
        opt = SGD(lr=0.1) if spec["optimizer"] == "sgd" else Adam()

    def step(x, t):
        opt.update(net.params, net.gradient(x, t))

    return step, net.gradient


def make_torch_step(spec):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    sizes = spec["sizes"]
    params = book_params(sizes, spec["init"], np.float32)
    linears = []
    for i in range(1, len(sizes)):
        lin = torch.nn.Linear(sizes[i - 1], sizes[i])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(params[f"W{i}"].T.copy()))
            lin.bias.zero_()
        linears.append(lin)
    modules = []
    for lin in linears[:-1]:
        modules += [lin, torch.nn.ReLU()]
    model = torch.nn.Sequential(*modules, linears[-1])
    opt = (torch.optim.SGD(model.parameters(), lr=0.1) if spec["optimizer"] == "sgd"
           else torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7))

    def gradients(x, t):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), t).backward()

    def step(x, t):
        gradients(x, t)
        opt.step()

    def grads_as_book(x, t):
        gradients(torch.from_numpy(x), torch.from_numpy(t))
        out = {}
        for i, lin in enumerate(linears, 1):
            out[f"W{i}"] = lin.weight.grad.numpy().T
            out[f"b{i}"] = lin.bias.grad.numpy()
        return out

    return step, grads_as_book, torch


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("group", list(NETS))
def test_step(benchmark, group, impl):
    spec = NETS[group]
    benchmark.group = group
    x, t = batch()
    backend = "cython" if "cython" in impl else "numpy"
    with fastnet.using_backend(backend):
        if impl.startswith("torch"):
            step, grads_fn, torch = make_torch_step(spec)
            args = (torch.from_numpy(x), torch.from_numpy(t))
        else:
            step, grads_fn = make_numpy_step(impl, spec)
            args = (x, t)

        # Correctness, outside the timed call: the first gradient is the book's.
        expected = BookNet(book_params(spec["sizes"], spec["init"], np.float64)).gradient(x, t)
        got = grads_fn(x, t)
        for key, g in expected.items():
            np.testing.assert_allclose(got[key], g, rtol=2e-3, atol=2e-6 * np.abs(g).max(),
                                       err_msg=f"{impl} {group} {key}")

        benchmark(step, *args)

    stats = getattr(benchmark, "stats", None)
    if stats is None:  # --benchmark-disable
        return
    median = stats.stats.median
    if impl == "book-f64":
        _book_median[group] = median
    if group in _book_median:
        benchmark.extra_info["speedup_vs_book_f64"] = _book_median[group] / median
