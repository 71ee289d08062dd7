"""Convolution -> ReLU -> 2x2 max pooling, forward + backward, batch 100, 1 thread.

    pytest benchmarks/bench_conv_pool.py --benchmark-group-by=group

Groups:
  convpool_simple   SimpleConvNet's first block: (100, 1, 28, 28), 30 filters 5x5
  convpool_deep2    DeepConvNet's second block: (100, 16, 28, 28), 16 filters 3x3, pad 1

Implementations:
  book_f64             the book's Convolution, Relu and Pooling (fastnet.book_numpy)
  fastnet_layers_f32   fastnet's Convolution (ReLU fused) then Pooling: two layers
  fastnet_f32/_f64     PooledConvolution: convolution, ReLU and pooling in one pass
  torch_f32            conv2d, relu, max_pool2d (PyTorch CPU eager, when installed)

Every implementation gets the same weights and the same output gradient; its
input and weight gradients are checked against the book's before timing.
extra_info: GFLOP/s of the three convolution products (forward, dW, dx).
"""

import numpy as np
import pytest

import fastnet
from fastnet.book_numpy.common.layers import Convolution as BookConvolution
from fastnet.book_numpy.common.layers import Pooling as BookPooling
from fastnet.book_numpy.common.layers import Relu as BookRelu
from fastnet.layers import Convolution, PooledConvolution, Pooling

# (x shape, filters, filter size, pad)
BLOCKS = {"simple": ((100, 1, 28, 28), 30, 5, 0), "deep2": ((100, 16, 28, 28), 16, 3, 1)}
IMPLS = ["book_f64", "fastnet_layers_f32", "fastnet_f32", "fastnet_f64", "torch_f32"]


def operands(block):
    xshape, filters, size, pad = BLOCKS[block]
    rng = np.random.default_rng(0)
    x = rng.standard_normal(xshape)
    if xshape[1] > 1:  # in DeepConvNet this block's input is the previous convolution's
        x = np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)  # channels-last
    W = 0.1 * rng.standard_normal((filters, xshape[1], size, size))
    b = 0.1 * rng.standard_normal(filters)
    oh = (xshape[2] + 2 * pad - size) + 1
    dout = rng.standard_normal((xshape[0], filters, oh // 2, oh // 2))
    return x, W, b, pad, dout


def book_layers(W, b, pad):
    return [BookConvolution(W, b, 1, pad), BookRelu(), BookPooling(2, 2, 2)]


def run_layers(layers, x, dout):
    for layer in layers:
        x = layer.forward(x)
    for layer in reversed(layers):
        dout = layer.backward(dout)
    return dout, layers[0].dW


def torch_block(x, W, b, pad, dout):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    xt = torch.from_numpy(x.astype(np.float32)).requires_grad_()
    Wt = torch.from_numpy(W.astype(np.float32)).requires_grad_()
    bt = torch.from_numpy(b.astype(np.float32)).requires_grad_()
    dt = torch.from_numpy(dout.astype(np.float32))

    def run():
        xt.grad = Wt.grad = bt.grad = None
        F.max_pool2d(F.relu(F.conv2d(xt, Wt, bt, padding=pad)), 2).backward(dt)
        return xt.grad.numpy(), Wt.grad.numpy()

    return run


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("block", list(BLOCKS))
def test_conv_relu_pool(benchmark, block, impl):
    benchmark.group = f"convpool_{block}"
    x, W, b, pad, dout = operands(block)
    want_dx, want_dW = run_layers(book_layers(W, b, pad), x, dout)
    dtype = np.float64 if impl.endswith("f64") else np.float32
    if impl == "book_f64":
        layers = book_layers(W, b, pad)

        def run():
            return run_layers(layers, x, dout)
    elif impl == "torch_f32":
        run = torch_block(x, W, b, pad, dout)
    else:
        Wd, bd, doutd = W.astype(dtype), b.astype(dtype), dout.astype(dtype)
        xd = x.astype(dtype, order="K")  # keeps the channels-last layout
        if impl == "fastnet_layers_f32":
            layers = [Convolution(Wd, bd, 1, pad, activation="relu"), Pooling(2, 2, 2)]
        else:
            layers = [PooledConvolution(Wd, bd, 1, pad, "relu", 2, 2, 2, 0)]

        def run():
            return run_layers(layers, xd, doutd)

    with fastnet.using_backend("cython"):
        dx, dW = run()
        np.testing.assert_allclose(dx, want_dx, rtol=1e-3, atol=1e-4 * np.abs(want_dx).max())
        np.testing.assert_allclose(dW, want_dW, rtol=1e-3, atol=1e-4 * np.abs(want_dW).max())
        benchmark(run)
    stats = getattr(benchmark, "stats", None)
    if stats is not None:  # not under --benchmark-disable
        n, c, h, _ = x.shape
        filters, _, size, _ = W.shape
        oh = h + 2 * pad - size + 1
        flops = 3 * 2 * n * oh * oh * filters * c * size * size
        benchmark.extra_info["gflops"] = flops / stats.stats.median / 1e9
