"""Convolution-era kernels and networks at batch 100, 1 thread.

    pytest benchmarks/bench_conv.py --benchmark-group-by=group
    pytest benchmarks/bench_conv.py --benchmark-disable   # quick check

Groups (impl names: book_f64 is the baseline; torch when installed):
  im2col_simple / im2col_deep     im2col at SimpleConvNet's (100, 1, 28, 28), 5x5 and
                                  DeepConvNet's second layer (100, 16, 28, 28), 3x3, pad 1
  col2im_simple / col2im_deep     their adjoints
  conv1ch_simple / conv1ch_deep   the first, single-channel layer's conv_forward + conv_backward
                                  (relu, no dx): SimpleConvNet's 30 5x5 filters and
                                  DeepConvNet's 16 3x3, pad 1, on (100, 1, 28, 28); GFLOP/s
                                  and the share of this core's FMA peak in extra_info
  simpleconv_step                 SimpleConvNet gradient + Adam update
  deepconv_fwdbwd                 DeepConvNet forward + backward (gradient)

book_f64 is the book's NumPy code (common/util.py im2col/col2im, the
Convolution / Pooling / Dropout / Affine layers, Adam) as fastnet.book_numpy
writes it out from the definitions in BOOK_API.md.
Every implementation starts from the same weights and its first gradient is
checked against the book's before timing. extra_info holds the speed-ups
against book_f64 (and torch_f32) measured earlier in the same session.
"""

import numpy as np
import pytest

import fastnet
from fastnet import gemm as fastnet_gemm
from fastnet.book_numpy.common.layers import Affine as BookAffine
from fastnet.book_numpy.common.layers import Convolution as BookConvolution
from fastnet.book_numpy.common.layers import Dropout as BookDropout
from fastnet.book_numpy.common.layers import Pooling as BookPooling
from fastnet.book_numpy.common.layers import Relu as BookRelu
from fastnet.book_numpy.common.layers import SoftmaxWithLoss as BookSoftmaxWithLoss
from fastnet.book_numpy.common.optimizer import Adam as BookAdam
from fastnet.book_numpy.common.util import col2im as book_col2im
from fastnet.book_numpy.common.util import im2col as book_im2col
from fastnet.nets import DeepConvNet, SimpleConvNet
from fastnet.optimizers import Adam

BATCH = 100
_medians = {}  # (group, impl) -> seconds, this session


# ------------------------------------------------ the book's code, in NumPy


class BookLayerNet:
    """The book's SimpleConvNet / DeepConvNet: a list of layers, weights in params."""

    def __init__(self, params, layers, grad_layers):
        self.params, self.layers, self._grad_layers = params, layers, grad_layers
        self.last_layer = BookSoftmaxWithLoss()

    def gradient(self, x, t):
        for layer in self.layers:
            x = layer.forward(x)
        self.last_layer.forward(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        grads = {}
        for i, layer in enumerate(self._grad_layers, 1):
            grads[f"W{i}"], grads[f"b{i}"] = layer.dW, layer.db
        return grads


def book_simple(params):
    p = params
    layers = [BookConvolution(p["W1"], p["b1"]), BookRelu(), BookPooling(2, 2, 2),
              BookAffine(p["W2"], p["b2"]), BookRelu(), BookAffine(p["W3"], p["b3"])]
    return BookLayerNet(params, layers, [layers[0], layers[3], layers[5]])


DEEP_PADS = (1, 1, 1, 2, 1, 1)


def book_deep(params):
    p = params
    convs = [BookConvolution(p[f"W{i}"], p[f"b{i}"], 1, pad)
             for i, pad in enumerate(DEEP_PADS, 1)]
    layers = []
    for k in range(3):
        layers += [convs[2 * k], BookRelu(), convs[2 * k + 1], BookRelu(), BookPooling(2, 2, 2)]
    affine7, affine8 = BookAffine(p["W7"], p["b7"]), BookAffine(p["W8"], p["b8"])
    layers += [affine7, BookRelu(), BookDropout(), affine8, BookDropout()]
    return BookLayerNet(params, layers, convs + [affine7, affine8])


# ------------------------------------------------------------ PyTorch


def torch_model(net_name, params, dtype):
    torch = pytest.importorskip("torch")
    nn = torch.nn

    def conv(i, pad):
        W = params[f"W{i}"]
        layer = nn.Conv2d(W.shape[1], W.shape[0], W.shape[2], padding=pad)
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(W))
            layer.bias.zero_()
        return layer

    def linear(i):
        W = params[f"W{i}"]
        layer = nn.Linear(*W.shape)
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(W.T.copy()))
            layer.bias.zero_()
        return layer

    if net_name == "simple":
        modules = [conv(1, 0), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), linear(2), nn.ReLU(),
                   linear(3)]
    else:
        modules = []
        for k in range(3):
            modules += [conv(2 * k + 1, DEEP_PADS[2 * k]), nn.ReLU(),
                        conv(2 * k + 2, DEEP_PADS[2 * k + 1]), nn.ReLU(), nn.MaxPool2d(2)]
        modules += [nn.Flatten(), linear(7), nn.ReLU(), nn.Dropout(0.5), linear(8),
                    nn.Dropout(0.5)]
    model = nn.Sequential(*modules)
    return torch, (model.double() if dtype == np.float64 else model.float())


# ------------------------------------------------------------- set-up


def batch():
    rng = np.random.default_rng(0)
    return rng.random((BATCH, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, BATCH)


def fastnet_net(net_name, dtype):
    np.random.seed(0)
    return SimpleConvNet(dtype=dtype) if net_name == "simple" else DeepConvNet(dtype=dtype)


def book_net(net_name):
    params = {k: v.astype(np.float64) for k, v in fastnet_net(net_name, np.float64).params.items()}
    return book_simple(params) if net_name == "simple" else book_deep(params)


def _record(benchmark, group, impl):
    stats = getattr(benchmark, "stats", None)
    if stats is None:  # --benchmark-disable
        return
    median = stats.stats.median
    _medians[(group, impl)] = median
    for base in ("book_f64", "numpy_f64", "torch_f32"):
        if (group, base) in _medians and impl != base:
            benchmark.extra_info[f"speedup_vs_{base}"] = _medians[(group, base)] / median


# ------------------------------------------------------------- kernels

KERNEL_SHAPES = {"simple": ((BATCH, 1, 28, 28), 5, 0), "deep": ((BATCH, 16, 28, 28), 3, 1)}
KERNEL_IMPLS = ["book_f64", "fastnet_f64", "fastnet_f32"]


@pytest.mark.parametrize("impl", KERNEL_IMPLS)
@pytest.mark.parametrize("shape", list(KERNEL_SHAPES))
@pytest.mark.parametrize("kernel", ["im2col", "col2im"])
def test_kernel(benchmark, kernel, shape, impl):
    group = f"{kernel}_{shape}"
    benchmark.group = group
    xshape, f, pad = KERNEL_SHAPES[shape]
    dtype = np.float32 if impl.endswith("f32") else np.float64
    x = np.random.default_rng(1).standard_normal(xshape).astype(dtype)
    B = fastnet.backend.load("cython")
    col = book_im2col(x, f, f, 1, pad).astype(dtype)
    if kernel == "im2col":
        fn = (lambda: book_im2col(x, f, f, 1, pad)) if impl == "book_f64" else \
             (lambda: B.im2col(x, f, f, 1, pad))
        np.testing.assert_array_equal(fn(), col)
    else:
        fn = (lambda: book_col2im(col, xshape, f, f, 1, pad)) if impl == "book_f64" else \
             (lambda: B.col2im(col, xshape, f, f, 1, pad))
        np.testing.assert_allclose(fn(), book_col2im(col, xshape, f, f, 1, pad),
                                   rtol=1e-5, atol=1e-5)
    benchmark(fn)
    benchmark.extra_info["GB/s (col)"] = col.nbytes / 1e9 / (
        benchmark.stats.stats.median if getattr(benchmark, "stats", None) else 1)
    _record(benchmark, group, impl)


# ------------------------------------------- the first, single-channel layer

FIRST_LAYERS = {"simple": (30, 5, 0), "deep": (16, 3, 1)}  # filters, window, pad
FIRST_IMPLS = ["numpy_f64", "torch_f32", "fastnet_f64", "fastnet_f32"]
_peak = {}  # dtype -> this core's FMA peak, GFLOP/s


@pytest.mark.parametrize("impl", FIRST_IMPLS)
@pytest.mark.parametrize("net", list(FIRST_LAYERS))
def test_first_layer(benchmark, net, impl):
    """act(x ⊛ W + b) and its dW, db on one input channel (csrc/conv/conv_direct.h in fastnet;
    numpy_f64 is the reference backend's im2col + matmul)."""
    group = f"conv1ch_{net}"
    benchmark.group = group
    fn, f, pad = FIRST_LAYERS[net]
    dtype = np.float32 if impl.endswith("f32") else np.float64
    rng = np.random.default_rng(2)
    x = rng.random((BATCH, 1, 28, 28)).astype(dtype)
    W = (0.1 * rng.standard_normal((fn, 1, f, f))).astype(dtype)
    b = np.zeros(fn, dtype)
    oh = 28 + 2 * pad - f + 1
    # channels-last, as the Pooling layer after it hands it back
    dout = rng.standard_normal((BATCH, oh, oh, fn)).astype(dtype).transpose(0, 3, 1, 2)
    if impl.startswith("torch"):
        torch = pytest.importorskip("torch")
        xt, dt = torch.from_numpy(x), torch.from_numpy(np.ascontiguousarray(dout))
        Wt, bt = torch.from_numpy(W).requires_grad_(), torch.from_numpy(b).requires_grad_()

        def run():
            Wt.grad = bt.grad = None
            torch.relu(torch.nn.functional.conv2d(xt, Wt, bt, padding=pad)).backward(dt)
    else:
        B = fastnet.backend.load("numpy" if impl.startswith("numpy") else "cython")

        def run():
            y = B.conv_forward(x, W, b, 1, pad, "relu")
            return y, *B.conv_backward(dout, x, W, 1, pad, False, y, "relu")

        ref = fastnet.backend.load("numpy")
        want_y = ref.conv_forward(x, W, b, 1, pad, "relu")
        want = (want_y, *ref.conv_backward(dout, x, W, 1, pad, False, want_y, "relu"))
        for got, expected in zip(run(), want):
            if expected is not None:
                np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-3)
    benchmark(run)
    _record(benchmark, group, impl)
    if getattr(benchmark, "stats", None) is not None:
        if dtype not in _peak:
            _peak[dtype] = fastnet_gemm.peak_gflops(dtype)
        gflops = 2 * 2 * BATCH * oh * oh * fn * f * f / benchmark.stats.stats.median / 1e9
        benchmark.extra_info["GFLOP/s"] = round(gflops, 1)
        benchmark.extra_info["share_of_peak"] = round(gflops / _peak[dtype], 3)


# ------------------------------------------------------------ networks

NET_IMPLS = ["book_f64", "torch_f32", "torch_f64", "fastnet_f32", "fastnet_f64"]


def _check(got, expected, impl, group):
    for key, g in expected.items():
        np.testing.assert_allclose(np.asarray(got[key], np.float64), g, rtol=2e-3,
                                   atol=2e-5 * np.abs(g).max(), err_msg=f"{impl} {group} {key}")


def _torch_grads(torch, model, x, t):
    model.zero_grad()
    torch.nn.functional.cross_entropy(model(x), t).backward()


@pytest.mark.parametrize("impl", NET_IMPLS)
@pytest.mark.parametrize("group", ["simpleconv_step", "deepconv_fwdbwd"])
def test_net(benchmark, group, impl):
    benchmark.group = group
    net_name = "simple" if group.startswith("simple") else "deep"
    x, t = batch()
    reference = book_net(net_name)
    np.random.seed(1)  # the same dropout masks for the book and fastnet
    expected = reference.gradient(x.astype(np.float64), t)
    dtype = np.float32 if impl.endswith("f32") else np.float64
    if impl.startswith("torch"):
        torch, model = torch_model(net_name, {k: v.astype(dtype) for k, v in
                                              book_net(net_name).params.items()}, dtype)
        opt = torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7)
        args = (torch.from_numpy(x.astype(dtype)), torch.from_numpy(t))

        def fwdbwd(x, t):
            _torch_grads(torch, model, x, t)

        def step(x, t):
            fwdbwd(x, t)
            opt.step()
    else:
        if impl == "book_f64":
            net, opt = book_net(net_name), BookAdam()
            args = (x.astype(np.float64), t)
        else:
            net, opt = fastnet_net(net_name, dtype), Adam()
            args = (x.astype(dtype), t)
            np.random.seed(1)
            _check(net.gradient(*args), expected, impl, group)

        def fwdbwd(x, t):
            return net.gradient(x, t)

        def step(x, t):
            opt.update(net.params, net.gradient(x, t))

    with fastnet.using_backend("cython"):
        benchmark(step if group == "simpleconv_step" else fwdbwd, *args)
    _record(benchmark, group, impl)
