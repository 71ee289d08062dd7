"""conv_pool_forward / conv_pool_backward (convolution, activation and max pooling
in one kernel): the reference against the separate layers' chain, then every
backend against the reference, both GEMM paths of the compiled one, bad input."""

import numpy as np
import pytest
from _conv_cases import ATOL, GEOMETRIES, LAYOUTS, RTOL, SINGLE_CHANNEL, image, out_size
from _gradcheck import check_layer

import fastnet
from fastnet.layers import PooledConvolution

# (pool_h, pool_w, stride, pad): the book's 2x2, overlapping, non-square,
# padded (windows over the edge), a window as big as the image.
POOLS = [(2, 2, 2, 0), (3, 3, 2, 1), (2, 3, 1, 0), (1, 1, 1, 0), (2, 2, 2, 1)]
ACTIVATIONS = ("identity", "relu", "sigmoid", "tanh")


def cases():
    """(conv geometry, pool) pairs whose pool fits the convolution's output."""
    out = []
    for geom in GEOMETRIES:
        n, c, h, w, fh, fw, stride, pad = geom
        oh, ow = out_size(h, fh, stride, pad), out_size(w, fw, stride, pad)
        for pool in POOLS:
            if pool[0] <= oh + 2 * pool[3] and pool[1] <= ow + 2 * pool[3]:
                out.append((geom, pool))
    return out[::2]  # every other pair: each geometry and pool still appears


CASES = cases()


def operands(geom, dtype, layout, filters=5, seed=0):
    n, c, h, w, fh, fw, stride, pad = geom
    x = image((n, c, h, w), dtype, layout, seed=seed)
    # small weights: tanh and sigmoid stay off their flat tails, where float32
    # rounding could change which input wins a window
    W = (0.3 * image((filters, c, fh, fw), np.float64, seed=seed + 1)).astype(dtype)
    b = (0.1 * np.arange(filters) - 0.2).astype(dtype)
    return x, W, b, stride, pad


def tolerance(dtype, terms):
    return {"rtol": RTOL[dtype] * np.sqrt(terms), "atol": ATOL[dtype] * np.sqrt(terms)}


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("geom, pool", CASES[:8])
def test_reference_is_the_layers_chain(reference, geom, pool, activation):
    """Convolution -> activation -> Pooling, forward and backward, one layer at a time."""
    x, W, b, stride, pad = operands(geom, np.float64, "c", seed=1)
    y = reference.conv_forward(x, W, b, stride, pad, activation)
    want_out, want_arg = reference.max_pool_forward(y, *pool)
    out, arg_max = reference.conv_pool_forward(x, W, b, stride, pad, activation, pool)
    np.testing.assert_array_equal(out, want_out)
    np.testing.assert_array_equal(arg_max, want_arg)
    dout = image(out.shape, np.float64, seed=2)
    dy = reference.max_pool_backward(dout, arg_max, y.shape, *pool)
    want = reference.conv_backward(dy, x, W, stride, pad, True, y, activation)
    got = reference.conv_pool_backward(dout, arg_max, out, x, W, stride, pad, activation, pool)
    for name, a, e in zip(("dx", "dW", "db"), got, want):
        np.testing.assert_allclose(a, e, rtol=1e-12, atol=1e-13, err_msg=name)


def check_backend(backend, reference, dtype, geom, pool, layout, activation, need_input_grad):
    x, W, b, stride, pad = operands(geom, dtype, layout, seed=3)
    out, arg_max = backend.conv_pool_forward(x, W, b, stride, pad, activation, pool)
    want_out, want_arg = reference.conv_pool_forward(x, W, b, stride, pad, activation, pool)
    terms = W[0].size
    assert out.shape == want_out.shape and out.dtype == dtype and arg_max.dtype == np.int32
    np.testing.assert_allclose(out, want_out, **tolerance(dtype, terms))
    np.testing.assert_array_equal(arg_max, want_arg)
    dout = image(out.shape, dtype, layout, seed=4)
    got = backend.conv_pool_backward(dout, arg_max, out, x, W, stride, pad, activation, pool,
                                     need_input_grad)
    want = reference.conv_pool_backward(dout, want_arg, want_out, x, W, stride, pad,
                                        activation, pool, need_input_grad)
    for name, a, e in zip(("dx", "dW", "db"), got, want):
        if e is None:
            assert a is None, name
            continue
        assert a.shape == e.shape and a.dtype == dtype, name
        np.testing.assert_allclose(a, e, err_msg=name, **tolerance(dtype, max(out.size, 1)))


@pytest.mark.parametrize("activation, need_input_grad",
                         [("relu", True), ("relu", False), ("identity", True),
                          ("sigmoid", True), ("tanh", False)])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("geom, pool", CASES)
def test_conv_pool(backend, reference, dtype, geom, pool, layout, activation, need_input_grad):
    check_backend(backend, reference, dtype, geom, pool, layout, activation, need_input_grad)


@pytest.mark.parametrize("gemm", ["fastnet", "numpy"])
@pytest.mark.parametrize("flip_min_channels", [1, 10**9], ids=["dx-by-flip", "dx-by-col2im"])
@pytest.mark.parametrize("geom, pool", CASES)
def test_compiled_conv_pool_paths(monkeypatch, reference, dtype, gemm, flip_min_channels,
                                  geom, pool):
    """The cython backend's fused C kernel (fastnet's GEMM) and its composition of
    the separate kernels (NumPy's GEMM), each way of computing dx."""
    try:
        from fastnet.backend.cython import conv as compiled_conv
        from fastnet.backend.cython import layout
    except ImportError as exc:
        pytest.skip(f"compiled backend unavailable: {exc}")
    monkeypatch.setattr(compiled_conv, "CONV_GEMM", gemm)
    monkeypatch.setattr(layout, "FLIP_MIN_CHANNELS", flip_min_channels)
    check_backend(fastnet.backend.load("cython"), reference, dtype, geom, pool,
                  "channels_last", "relu", True)


def test_arg_max_in_any_layout(backend, reference, dtype):
    """The reference's C-order arg_max and out work as well as the backend's own."""
    geom, pool = (2, 3, 9, 8, 3, 3, 1, 1), (2, 2, 2, 0)
    x, W, b, stride, pad = operands(geom, dtype, "c", seed=5)
    out, arg_max = reference.conv_pool_forward(x, W, b, stride, pad, "relu", pool)
    dout = image(out.shape, dtype, "channels_last", seed=6)
    got = backend.conv_pool_backward(dout, arg_max, out, x, W, stride, pad, "relu", pool)
    want = reference.conv_pool_backward(dout, arg_max, out, x, W, stride, pad, "relu", pool)
    for a, e in zip(got, want):
        np.testing.assert_allclose(a, e, **tolerance(dtype, out.size))


def test_pooled_convolution_gradients(backend):
    """The layer's backward against central differences (float64)."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 2, 7, 6))
    W = rng.standard_normal((3, 2, 3, 3))
    b = rng.standard_normal(3)
    with fastnet.using_backend(backend.name):
        layer = PooledConvolution(W, b, 1, 1, "relu", 2, 2, 2, 0)
        dx = check_layer(layer, x, params={"W": "dW", "b": "db"},
                         name=f"PooledConvolution on {backend.name}")
    assert dx.shape == x.shape and layer.dW.shape == W.shape


BAD = [
    ((2, 2, 2), ValueError, r"pool must be \(pool_h, pool_w, stride, pad\), got \(2, 2, 2\)"),
    ((4, 4, 2, 0), ValueError, r"pool 4x4 is bigger than the input \(2, 4, 3, 3\)"),
    ((2, 2, 0, 0), ValueError, r"stride must be an integer >= 1, got 0"),
]


@pytest.mark.parametrize("pool, error, message", BAD)
def test_bad_pool_is_rejected(backend, pool, error, message):
    x = np.ones((2, 3, 5, 5))
    W = np.ones((4, 3, 3, 3))
    with pytest.raises(error, match=message):
        backend.conv_pool_forward(x, W, np.zeros(4), 1, 0, "relu", pool)


def test_bad_backward_input_is_rejected(backend, reference):
    x, W, b, stride, pad = operands((2, 3, 8, 8, 3, 3, 1, 0), np.float64, "c")
    pool = (2, 2, 2, 0)
    out, arg_max = reference.conv_pool_forward(x, W, b, stride, pad, "relu", pool)
    args = (x, W, stride, pad, "relu", pool)
    with pytest.raises(ValueError, match=r"arg_max values must lie in \[0, 4\)"):
        backend.conv_pool_backward(out, arg_max + 4, out, *args)
    with pytest.raises(ValueError, match=r"arg_max must be the int32 array of shape"):
        backend.conv_pool_backward(out, arg_max.astype(np.int64), out, *args)
    with pytest.raises(ValueError, match=r"dout must have shape \(2, 5, 3, 3\)"):
        backend.conv_pool_backward(out[:, :, :2], arg_max, out, *args)
    with pytest.raises(ValueError, match=r"activation must be one of"):
        backend.conv_pool_backward(out, arg_max, out, x, W, stride, pad, "gelu", pool)


@pytest.mark.parametrize("geom", [g for g in SINGLE_CHANNEL if g[0] > 0][:5])
def test_single_channel_conv_pool_every_simd_build(simd_kernel, reference, dtype, geom):
    """PooledConvolution's chunks go through the direct single-channel kernels
    (csrc/conv/conv_direct.h) too, in each instruction set's build."""
    n, h, w, _, fh, fw, stride, pad = geom
    check_backend(fastnet.backend.load("cython"), reference, dtype,
                  (n, 1, h, w, fh, fw, stride, pad), (2, 2, 2, 0), "c", "relu", False)
