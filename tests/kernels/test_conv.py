"""Convolution (forward and backward): the reference against the direct sum,
then every backend against the reference over odd sizes, stride 1-3, pad
0-2, non-square windows, both dtypes, empty batches and non-contiguous
inputs; the compiled backend's GEMM and dx paths; threads; composition.

im2col / col2im are in test_conv_im2col.py, max pooling in
test_conv_max_pool.py, the one-channel direct kernels in
test_conv_single_channel.py, the fused convolution + pooling in
test_conv_pool.py.
"""

import itertools

import numpy as np
import pytest
from _conv_cases import ATOL, GEOMETRIES, LAYOUTS, RTOL, image

import fastnet


@pytest.mark.parametrize("geom", GEOMETRIES)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("activation", ("identity", "relu"))
def test_conv_forward(backend, reference, dtype, geom, layout, activation):
    n, c, h, w, fh, fw, stride, pad = geom
    x = image((n, c, h, w), dtype, layout, seed=11)
    W = image((3, c, fh, fw), dtype, seed=12)
    b = np.random.default_rng(13).standard_normal(3).astype(dtype)
    got = backend.conv_forward(x, W, b, stride, pad, activation)
    want = reference.conv_forward(x, W, b, stride, pad, activation)
    tol = np.sqrt(c * fh * fw)  # sums of c·fh·fw products, in any order
    np.testing.assert_allclose(got, want, rtol=RTOL[dtype] * tol, atol=ATOL[dtype] * tol)
    assert got.dtype == dtype and got.shape == want.shape


def test_conv_forward_is_the_direct_sum(reference):
    x = image((2, 3, 6, 5), np.float64, seed=14)
    W = image((4, 3, 3, 2), np.float64, seed=15)
    b = np.arange(4.0)
    xp = np.pad(x, [(0, 0), (0, 0), (1, 1), (1, 1)])
    want = np.zeros((2, 4, 3, 3))
    for y, z in itertools.product(range(3), range(3)):
        patch = xp[:, :, 2 * y:2 * y + 3, 2 * z:2 * z + 2]
        want[:, :, y, z] = np.einsum("ncij,fcij->nf", patch, W) + b
    np.testing.assert_allclose(reference.conv_forward(x, W, b, 2, 1), want, rtol=1e-12)


@pytest.mark.parametrize("geom", GEOMETRIES)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("need_input_grad, activation",
                         [(True, "identity"), (False, "identity"), (True, "relu"),
                          (False, "sigmoid"), (True, "tanh")])
def test_conv_backward(backend, reference, dtype, geom, layout, need_input_grad, activation):
    n, c, h, w, fh, fw, stride, pad = geom
    x = image((n, c, h, w), dtype, layout, seed=16)
    W = image((3, c, fh, fw), dtype, seed=17)
    b = np.zeros(3, dtype)
    y = reference.conv_forward(x, W, b, stride, pad, activation)  # channels-last view
    dout = image(y.shape, dtype, layout, seed=18)
    args = (stride, pad, need_input_grad, y, activation)
    got = backend.conv_backward(dout, x, W, *args)
    want = reference.conv_backward(dout, x, W, *args)
    tol = np.sqrt(max(y.size, 1))  # dW and db sum over every output position
    for name, a, e in zip(("dx", "dW", "db"), got, want):
        if e is None:
            assert a is None, name
            continue
        assert a.shape == e.shape and a.dtype == dtype, name
        np.testing.assert_allclose(a, e, rtol=RTOL[dtype] * tol, atol=ATOL[dtype] * tol,
                                   err_msg=name)


def test_kernels_on_two_threads_match_one(backend, dtype):
    """Work big enough to cross the parallel threshold gives the same values on 2 threads."""
    x = image((24, 16, 20, 20), dtype, "channels_last", seed=20)  # past 2^17 work units
    W = image((8, 16, 3, 3), dtype, seed=21)
    b = np.zeros(8, dtype)

    def run():
        col = backend.im2col(x, 3, 3, 1, 1)
        out, arg = backend.max_pool_forward(x, 2, 2, 2, 0)
        y = backend.conv_forward(x, W, b, 1, 1, "relu")
        grads = backend.conv_backward(y, x, W, 1, 1, True, y, "relu")
        # the chunks of the fused kernels are shared between the threads
        pooled, winners = backend.conv_pool_forward(x, W, b, 1, 1, "relu", (2, 2, 2, 0))
        pool_grads = backend.conv_pool_backward(pooled, winners, pooled, x, W, 1, 1, "relu",
                                                (2, 2, 2, 0))
        return [col, backend.col2im(col, x.shape, 3, 3, 1, 1), out, arg,
                backend.max_pool_backward(out, arg, x.shape, 2, 2, 2, 0), y, *grads,
                pooled, winners, *pool_grads]

    fastnet.set_num_threads(1)
    one = run()
    fastnet.set_num_threads(2)
    for a, b_ in zip(run(), one):
        np.testing.assert_allclose(a, b_, rtol=RTOL[dtype], atol=ATOL[dtype] * 10)


@pytest.mark.parametrize("gemm", ["fastnet", "numpy"])
@pytest.mark.parametrize("geom", GEOMETRIES)
@pytest.mark.parametrize("activation", ["identity", "relu"])
@pytest.mark.parametrize("flip_min_channels", [1, 10**9], ids=["dx-by-flip", "dx-by-col2im"])
def test_compiled_conv_both_gemm_paths(monkeypatch, reference, dtype, gemm, geom, activation,
                                       flip_min_channels):
    """The cython backend's two ways to multiply the patches, and its two ways
    to compute dx, agree with the reference."""
    try:
        from fastnet.backend.cython import conv as compiled_conv
        from fastnet.backend.cython import layout
    except ImportError as exc:
        pytest.skip(f"compiled backend unavailable: {exc}")
    backend = fastnet.backend.load("cython")
    monkeypatch.setattr(compiled_conv, "CONV_GEMM", gemm)
    monkeypatch.setattr(layout, "FLIP_MIN_CHANNELS", flip_min_channels)
    n, c, h, w, fh, fw, stride, pad = geom
    x = image((n, c, h, w), dtype, "channels_last", seed=22)
    W = image((5, c, fh, fw), dtype, seed=23)
    b = np.arange(5, dtype=dtype)
    y = backend.conv_forward(x, W, b, stride, pad, activation)
    want_y = reference.conv_forward(x, W, b, stride, pad, activation)
    tol = np.sqrt(c * fh * fw)
    np.testing.assert_allclose(y, want_y, rtol=RTOL[dtype] * tol, atol=ATOL[dtype] * tol)
    dout = image(y.shape, dtype, "c", seed=24)
    got = backend.conv_backward(dout, x, W, stride, pad, True, want_y, activation)
    want = reference.conv_backward(dout, x, W, stride, pad, True, want_y, activation)
    tol = np.sqrt(max(y.size, 1))
    for name, a, e in zip(("dx", "dW", "db"), got, want):
        np.testing.assert_allclose(a, e, rtol=RTOL[dtype] * tol, atol=ATOL[dtype] * tol,
                                   err_msg=f"{gemm} {name}")


def test_backend_without_conv_kernels_composes_them(reference, dtype):
    """A backend that has only im2col, gemm and col2im (a GPU backend written
    before conv_forward existed) gets the reference's composition of them."""
    import types

    from fastnet.backend import Backend
    from fastnet.backend import reference as ref_module

    names = [n for n in dir(ref_module) if n not in ("conv_forward", "conv_backward")]
    partial = Backend("partial", types.SimpleNamespace(**{n: getattr(ref_module, n)
                                                           for n in names}))
    x = image((2, 3, 7, 6), dtype, "channels_last", seed=25)
    W = image((4, 3, 3, 2), dtype, seed=26)
    b = np.arange(4, dtype=dtype)
    y = partial.conv_forward(x, W, b, 2, 1, "relu")
    np.testing.assert_array_equal(y, reference.conv_forward(x, W, b, 2, 1, "relu"))
    dout = image(y.shape, dtype, seed=27)
    for a, e in zip(partial.conv_backward(dout, x, W, 2, 1, True, y, "relu"),
                    reference.conv_backward(dout, x, W, 2, 1, True, y, "relu")):
        np.testing.assert_array_equal(a, e)
