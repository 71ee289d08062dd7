"""Convolution-era kernels and networks at batch 100, 1 thread.

    pytest benchmarks/bench_conv.py --benchmark-group-by=group
    pytest benchmarks/bench_conv.py --benchmark-disable   # quick check

Groups (impl names: book_f64 is the baseline; torch when installed):
  im2col_simple / im2col_deep     im2col at SimpleConvNet's (100, 1, 28, 28), 5x5 and
                                  DeepConvNet's second layer (100, 16, 28, 28), 3x3, pad 1
  col2im_simple / col2im_deep     their adjoints
  simpleconv_step                 SimpleConvNet gradient + Adam update
  deepconv_fwdbwd                 DeepConvNet forward + backward (gradient)

book_f64 is the book's NumPy code (common/util.py im2col/col2im, the
Convolution / Pooling / Dropout layers), written out below from the
definitions in the book; the MLP layers and Adam come from bench_nets.py.
Every implementation starts from the same weights and its first gradient is
checked against the book's before timing. extra_info holds the speed-ups
against book_f64 (and torch_f32) measured earlier in the same session.
"""

import numpy as np
import pytest
from bench_nets import BookAdam, BookAffine, BookRelu, BookSoftmaxWithLoss

import fastnet
from fastnet.nets import DeepConvNet, SimpleConvNet
from fastnet.optimizers import Adam

BATCH = 100
_medians = {}  # (group, impl) -> seconds, this session


# ------------------------------------------------ the book's code, in NumPy


def book_im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    n, c, h, w = input_data.shape
    out_h = (h + 2 * pad - filter_h) // stride + 1
    out_w = (w + 2 * pad - filter_w) // stride + 1
    img = np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)], "constant")
    col = np.zeros((n, c, filter_h, filter_w, out_h, out_w))
    for y in range(filter_h):
        for x in range(filter_w):
            col[:, :, y, x, :, :] = img[:, :, y:y + stride * out_h:stride,
                                        x:x + stride * out_w:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * out_h * out_w, -1)


def book_col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    n, c, h, w = input_shape
    out_h = (h + 2 * pad - filter_h) // stride + 1
    out_w = (w + 2 * pad - filter_w) // stride + 1
    col = col.reshape(n, out_h, out_w, c, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, h + 2 * pad + stride - 1, w + 2 * pad + stride - 1))
    for y in range(filter_h):
        for x in range(filter_w):
            img[:, :, y:y + stride * out_h:stride, x:x + stride * out_w:stride] += \
                col[:, :, y, x, :, :]
    return img[:, :, pad:h + pad, pad:w + pad]


class BookConvolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W, self.b, self.stride, self.pad = W, b, stride, pad

    def forward(self, x):
        fn, _, fh, fw = self.W.shape
        n, _, h, w = x.shape
        out_h = 1 + (h + 2 * self.pad - fh) // self.stride
        out_w = 1 + (w + 2 * self.pad - fw) // self.stride
        self.x = x
        self.col = book_im2col(x, fh, fw, self.stride, self.pad)
        self.col_W = self.W.reshape(fn, -1).T
        out = np.dot(self.col, self.col_W) + self.b
        return out.reshape(n, out_h, out_w, -1).transpose(0, 3, 1, 2)

    def backward(self, dout):
        fn, c, fh, fw = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, fn)
        self.db = np.sum(dout, axis=0)
        self.dW = np.dot(self.col.T, dout).transpose(1, 0).reshape(fn, c, fh, fw)
        dcol = np.dot(dout, self.col_W.T)
        return book_col2im(dcol, self.x.shape, fh, fw, self.stride, self.pad)


class BookPooling:
    def __init__(self, pool_h, pool_w, stride=2, pad=0):
        self.pool_h, self.pool_w, self.stride, self.pad = pool_h, pool_w, stride, pad

    def forward(self, x):
        n, c, h, w = x.shape
        out_h = 1 + (h - self.pool_h) // self.stride
        out_w = 1 + (w - self.pool_w) // self.stride
        col = book_im2col(x, self.pool_h, self.pool_w, self.stride, self.pad)
        col = col.reshape(-1, self.pool_h * self.pool_w)
        self.x = x
        self.arg_max = np.argmax(col, axis=1)
        out = np.max(col, axis=1)
        return out.reshape(n, out_h, out_w, c).transpose(0, 3, 1, 2)

    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)
        pool_size = self.pool_h * self.pool_w
        dmax = np.zeros((dout.size, pool_size))
        dmax[np.arange(self.arg_max.size), self.arg_max.flatten()] = dout.flatten()
        dmax = dmax.reshape(dout.shape + (pool_size,))
        dcol = dmax.reshape(dmax.shape[0] * dmax.shape[1] * dmax.shape[2], -1)
        return book_col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)


class BookDropout:
    def __init__(self, ratio=0.5):
        self.ratio = ratio

    def forward(self, x, train_flg=True):
        self.mask = np.random.rand(*x.shape) > self.ratio
        return x * self.mask

    def backward(self, dout):
        return dout * self.mask


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
    for base in ("book_f64", "torch_f32"):
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
