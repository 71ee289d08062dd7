"""im2col / col2im, convolution and max pooling: every backend against the reference.

The reference itself is checked first against definitions written as plain
loops (and col2im as the adjoint of im2col), then every backend against it
over odd sizes, stride 1-3, pad 0-2, non-square windows, both dtypes, empty
batches and non-contiguous inputs.
"""

import itertools

import numpy as np
import pytest

import fastnet

RTOL = {np.float32: 1e-5, np.float64: 1e-12}
ATOL = {np.float32: 1e-5, np.float64: 1e-12}

# (N, C, H, W, FH, FW, stride, pad): odd, prime, non-square, windows that do not
# tile the input (stride not dividing H + 2·pad - FH), a window as big as the
# padded image, an empty batch.
GEOMETRIES = [
    (2, 3, 7, 5, 3, 3, 1, 0),
    (1, 1, 5, 5, 5, 5, 1, 0),
    (3, 2, 9, 8, 2, 3, 2, 1),
    (2, 5, 11, 7, 3, 2, 3, 2),
    (1, 2, 6, 13, 4, 1, 2, 2),
    (2, 1, 4, 4, 8, 8, 1, 2),
    (0, 3, 6, 6, 3, 3, 1, 1),
    (4, 7, 13, 11, 5, 3, 3, 0),
    (2, 3, 28, 28, 5, 5, 1, 0),
    (2, 9, 6, 7, 3, 3, 1, 1),  # 8+ channels: dx by the flipped filters (cython/layout.py)
    (2, 17, 9, 8, 2, 2, 2, 0),  # the book's 2x2 pooling (compiled 2x2 kernels), odd h
    (2, 3, 6, 7, 2, 2, 2, 1),  # 2x2 windows over the edge
    # one image whose output is one column wide: NumPy may export any stride
    # for the length-1 axes, and a channels-last view of it is F-contiguous
    (1, 3, 8, 5, 3, 5, 1, 0),
]
LAYOUTS = ("c", "channels_last", "strided")

# im2col / col2im specialise the usual filter sizes (csrc/conv/im2col_impl.h): these
# add each special case (3x3 and 5x5 with padding, 1, 7 and other widths,
# fh != fw) next to the general code, at stride 1 (col2im's gather) and 2.
IM2COL_GEOMETRIES = GEOMETRIES + [
    (3, 4, 10, 12, 7, 7, 1, 3),
    (2, 3, 9, 11, 3, 3, 2, 1),
    (2, 2, 8, 9, 5, 5, 1, 2),
    (2, 3, 7, 9, 1, 1, 1, 0),
    (1, 2, 8, 10, 4, 6, 1, 1),
    (2, 3, 5, 6, 3, 5, 1, 0),
    (2, 2, 9, 5, 5, 3, 1, 2),
    (1, 3, 7, 8, 3, 7, 2, 1),
    (1, 2, 9, 10, 2, 3, 1, 3),  # windows wholly in the padding
    (2, 3, 6, 12, 3, 3, 1, 2),
]


def image(shape, dtype, layout="c", seed=0):
    """Random (N, C, H, W) values in the given memory layout."""
    rng = np.random.default_rng(seed)
    n, c, h, w = shape
    if layout == "c":
        return rng.standard_normal(shape).astype(dtype)
    if layout == "channels_last":  # a transposed view, like Convolution's output
        return rng.standard_normal((n, h, w, c)).astype(dtype).transpose(0, 3, 1, 2)
    return rng.standard_normal((n, c, h, 2 * w)).astype(dtype)[..., ::2]


def out_size(size, f, stride, pad):
    return (size + 2 * pad - f) // stride + 1


def close(actual, expected, dtype):
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    np.testing.assert_allclose(actual, expected, rtol=RTOL[dtype], atol=ATOL[dtype])


# ------------------------------------------------------ the definitions


def loop_im2col(x, fh, fw, stride, pad):
    n, c, h, w = x.shape
    oh, ow = out_size(h, fh, stride, pad), out_size(w, fw, stride, pad)
    col = np.zeros((n * oh * ow, c * fh * fw), x.dtype)
    for b, y, z, ch, i, j in itertools.product(range(n), range(oh), range(ow), range(c),
                                               range(fh), range(fw)):
        r, s = y * stride + i - pad, z * stride + j - pad
        if 0 <= r < h and 0 <= s < w:
            col[(b * oh + y) * ow + z, (ch * fh + i) * fw + j] = x[b, ch, r, s]
    return col


@pytest.mark.parametrize("geom", GEOMETRIES[:6])
def test_reference_im2col_is_the_loop_definition(reference, geom):
    n, c, h, w, fh, fw, stride, pad = geom
    x = image((n, c, h, w), np.float64)
    np.testing.assert_array_equal(reference.im2col(x, fh, fw, stride, pad),
                                  loop_im2col(x, fh, fw, stride, pad))


@pytest.mark.parametrize("geom", GEOMETRIES[:6])
def test_reference_col2im_is_the_loop_adjoint(reference, geom):
    n, c, h, w, fh, fw, stride, pad = geom
    oh, ow = out_size(h, fh, stride, pad), out_size(w, fw, stride, pad)
    col = np.random.default_rng(1).standard_normal((n * oh * ow, c * fh * fw))
    expected = np.zeros((n, c, h, w))
    for b, y, z, ch, i, j in itertools.product(range(n), range(oh), range(ow), range(c),
                                               range(fh), range(fw)):
        r, s = y * stride + i - pad, z * stride + j - pad
        if 0 <= r < h and 0 <= s < w:
            expected[b, ch, r, s] += col[(b * oh + y) * ow + z, (ch * fh + i) * fw + j]
    np.testing.assert_allclose(reference.col2im(col, (n, c, h, w), fh, fw, stride, pad),
                               expected, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("geom", IM2COL_GEOMETRIES)
def test_col2im_is_the_adjoint_of_im2col(backend, geom):
    """<im2col(x), c> == <x, col2im(c)> for random x and c."""
    n, c, h, w, fh, fw, stride, pad = geom
    rng = np.random.default_rng(2)
    x = rng.standard_normal((n, c, h, w))
    oh, ow = out_size(h, fh, stride, pad), out_size(w, fw, stride, pad)
    col = rng.standard_normal((n * oh * ow, c * fh * fw))
    lhs = np.vdot(backend.im2col(x, fh, fw, stride, pad), col)
    rhs = np.vdot(x, backend.col2im(col, (n, c, h, w), fh, fw, stride, pad))
    assert abs(lhs - rhs) <= 1e-10 * max(1.0, abs(lhs)), (lhs, rhs)


# ----------------------------------------------- every backend vs the reference


@pytest.mark.parametrize("geom", IM2COL_GEOMETRIES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_im2col(backend, reference, dtype, geom, layout):
    n, c, h, w, fh, fw, stride, pad = geom
    x = image((n, c, h, w), dtype, layout)
    col = backend.im2col(x, fh, fw, stride, pad)
    # a copy of values: exact on every backend
    np.testing.assert_array_equal(col, reference.im2col(x, fh, fw, stride, pad))
    assert col.dtype == dtype


@pytest.mark.parametrize("geom", IM2COL_GEOMETRIES)
@pytest.mark.parametrize("layout", ("c", "transposed"))
def test_col2im(backend, reference, dtype, geom, layout):
    n, c, h, w, fh, fw, stride, pad = geom
    rows = n * out_size(h, fh, stride, pad) * out_size(w, fw, stride, pad)
    col = np.random.default_rng(3).standard_normal((rows, c * fh * fw)).astype(dtype)
    if layout == "transposed":
        col = np.asfortranarray(col)
    close(backend.col2im(col, (n, c, h, w), fh, fw, stride, pad),
          reference.col2im(col, (n, c, h, w), fh, fw, stride, pad), dtype)


@pytest.mark.parametrize("geom", IM2COL_GEOMETRIES)
@pytest.mark.parametrize("channels_last", [False, True])
def test_compiled_col2im_overwrites_dx(dtype, geom, channels_last):
    """The C col2im sets every pixel of dx (gather at stride 1, zeroing before the
    scatter otherwise), so its caller may hand it uninitialised memory."""
    from fastnet import _conv

    n, c, h, w, fh, fw, stride, pad = geom
    oh, ow = out_size(h, fh, stride, pad), out_size(w, fw, stride, pad)
    col = np.random.default_rng(4).standard_normal((n * oh * ow, c * fh * fw)).astype(dtype)
    expected = fastnet.backend.load("numpy").col2im(col, (n, c, h, w), fh, fw, stride, pad)
    if channels_last:  # col's columns in (i, j, c) order, dx a channels-last view
        col = np.ascontiguousarray(col.reshape(-1, c, fh, fw).transpose(0, 2, 3, 1)
                                   .reshape(col.shape))
        dx = np.full((n, h, w, c), np.nan, dtype).transpose(0, 3, 1, 2)
    else:
        dx = np.full((n, c, h, w), np.nan, dtype)
    _conv.col2im(col, dx, fh, fw, stride, pad, oh, ow, channels_last)
    close(dx, expected, dtype)


@pytest.mark.parametrize("geom", GEOMETRIES)
@pytest.mark.parametrize("channels_last", [False, True])
def test_compiled_max_pool_backward_overwrites_dx(dtype, geom, channels_last):
    """The C max_pool_backward sets every pixel of dx (the tiled windows' pixels
    once, the rest to zero), so its caller may hand it uninitialised memory."""
    from fastnet import _conv

    n, c, h, w, ph, pw, stride, pad = geom
    reference = fastnet.backend.load("numpy")
    layout = "channels_last" if channels_last else "c"
    _, arg_max = reference.max_pool_forward(image((n, c, h, w), dtype, layout, seed=7),
                                            ph, pw, stride, pad)
    dout = image(arg_max.shape, dtype, seed=8)
    if channels_last:  # the route along the channels, and 2x2 windows set, not added
        arg_max = np.ascontiguousarray(arg_max.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
        dx = np.full((n, h, w, c), np.nan, dtype).transpose(0, 3, 1, 2)
    else:
        dx = np.full((n, c, h, w), np.nan, dtype)
    _conv.max_pool_backward(dout, arg_max, dx, ph, pw, stride, pad)
    close(dx, reference.max_pool_backward(dout, arg_max, (n, c, h, w), ph, pw, stride, pad),
          dtype)


@pytest.mark.parametrize("geom", GEOMETRIES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_max_pool_forward(backend, reference, dtype, geom, layout):
    n, c, h, w, ph, pw, stride, pad = geom
    x = image((n, c, h, w), dtype, layout, seed=4)
    out, arg_max = backend.max_pool_forward(x, ph, pw, stride, pad)
    ref_out, ref_arg = reference.max_pool_forward(x, ph, pw, stride, pad)
    np.testing.assert_array_equal(out, ref_out)
    np.testing.assert_array_equal(arg_max, ref_arg)
    assert out.dtype == dtype and arg_max.dtype == np.int32


def test_max_pool_ties_pick_the_first_maximum(backend, dtype):
    """The book's np.argmax rule: equal values -> the first in the window (row-major)."""
    x = np.zeros((1, 2, 4, 4), dtype)
    x[0, 1, 1, 0] = x[0, 1, 1, 1] = 5  # second row of the first window, twice
    out, arg_max = backend.max_pool_forward(x, 2, 2, 2, 0)
    assert arg_max[0, 0].tolist() == [[0, 0], [0, 0]]  # all zeros: first element
    assert arg_max[0, 1, 0, 0] == 2 and out[0, 1, 0, 0] == 5
    # padding is zeros that take part (the book pools zero-padded patches)
    neg = -np.ones((1, 1, 2, 2), dtype)
    out, arg_max = backend.max_pool_forward(neg, 2, 2, 2, 1)
    assert out[0, 0, 0, 0] == 0 and arg_max[0, 0, 0, 0] == 0


@pytest.mark.parametrize("geom", GEOMETRIES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_max_pool_backward(backend, reference, dtype, geom, layout):
    n, c, h, w, ph, pw, stride, pad = geom
    x = image((n, c, h, w), dtype, seed=5)
    _, arg_max = reference.max_pool_forward(x, ph, pw, stride, pad)
    dout = image(arg_max.shape, dtype, layout, seed=6)
    close(backend.max_pool_backward(dout, arg_max, x.shape, ph, pw, stride, pad),
          reference.max_pool_backward(dout, arg_max, x.shape, ph, pw, stride, pad), dtype)


# ------------------------------------------------------- convolution


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


@pytest.mark.parametrize("geom", GEOMETRIES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_max_pool_backward_channels_last(backend, reference, dtype, geom, layout):
    """x channels-last, as between a Convolution and its Pooling (the arg_max
    the backend's own forward made), dout in any layout: fastnet.backend.cython.conv's
    vectorized route."""
    n, c, h, w, ph, pw, stride, pad = geom
    x = image((n, c, h, w), dtype, "channels_last", seed=5)
    _, arg_max = backend.max_pool_forward(x, ph, pw, stride, pad)
    dout = image(arg_max.shape, dtype, layout, seed=6)
    close(backend.max_pool_backward(dout, arg_max, x.shape, ph, pw, stride, pad),
          reference.max_pool_backward(dout, np.ascontiguousarray(arg_max), x.shape, ph, pw,
                                      stride, pad), dtype)


_PORTABLE_IM2COL_CHECK = """
import numpy as np
from fastnet import _elementwise
from fastnet.backend import load
assert _elementwise.simd() == "portable", _elementwise.simd()
cy, ref = load("cython"), load("numpy")
rng = np.random.default_rng(0)
# the last two: windows wholly in the padding, strides past the image
for fh, fw, stride, pad in ((3, 3, 1, 1), (5, 5, 1, 2), (4, 3, 2, 1), (2, 5, 1, 0), (3, 7, 1, 3),
                            (1, 3, 4, 5), (5, 5, 7, 6)):
    for dtype in (np.float32, np.float64):
        x = rng.standard_normal((2, 3, 11, 13)).astype(dtype)
        np.testing.assert_array_equal(cy.im2col(x, fh, fw, stride, pad),
                                      ref.im2col(x, fh, fw, stride, pad))
        col = ref.im2col(x, fh, fw, stride, pad)
        np.testing.assert_allclose(cy.col2im(col, x.shape, fh, fw, stride, pad),
                                   ref.col2im(col, x.shape, fh, fw, stride, pad), rtol=1e-5,
                                   atol=1e-5)
# max pooling's NaN rule (a NaN anywhere wins its window), C order and channels-last
for pool in ((2, 2, 2, 0), (3, 3, 1, 0)):
    for dtype in (np.float32, np.float64):
        x = rng.standard_normal((2, 5, 6, 7)).astype(dtype)
        x[rng.random(x.shape) < 0.1] = np.nan
        for x in (x, np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)):
            for got, expected in zip(cy.max_pool_forward(x, *pool), ref.max_pool_forward(x, *pool)):
                np.testing.assert_array_equal(got, expected)
print("ok")
"""


def test_im2col_col2im_pool_portable():
    """FASTNET_ELEMENTWISE_SIMD=portable: im2col's copies without AVX2 (the
    16-byte overlapping runs), col2im's scalar gather instead of its 5x5
    vectors and max pooling's loops without AVX2 give the reference's values
    (new process: the choice is made once per process)."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, FASTNET_ELEMENTWISE_SIMD="portable")
    proc = subprocess.run([sys.executable, "-c", _PORTABLE_IM2COL_CHECK], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "ok"


# (N, H, W, FN, FH, FW, stride, pad) on one input channel: csrc/conv/conv_direct.h's
# kernels, whose lanes are the filters (1, 7, 16, 30, 33: partial vectors
# and several groups of vectors at every width) and whose blocks of pixels or
# taps run past a row's end or the filter's last tap.
SINGLE_CHANNEL = [
    (3, 9, 8, 1, 3, 3, 1, 1),
    (1, 7, 11, 7, 1, 1, 1, 0),
    (3, 12, 10, 16, 5, 5, 1, 2),
    (1, 28, 28, 30, 5, 5, 1, 0),
    (3, 10, 13, 33, 3, 5, 2, 1),
    (0, 6, 6, 7, 3, 3, 1, 0),
    (1, 8, 9, 30, 5, 3, 2, 0),
    (3, 5, 6, 33, 1, 3, 2, 2),
    (2, 28, 28, 16, 3, 3, 1, 1),
]


@pytest.mark.parametrize("geom", SINGLE_CHANNEL)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_single_channel_conv_every_simd_build(simd_kernel, reference, dtype, geom, layout):
    """The direct convolution of one channel (forward; dW with and without an
    activation, dout channels-last as pooling gives it or in C order) in each
    instruction set's build, against the reference."""
    n, h, w, fn, fh, fw, stride, pad = geom
    backend = fastnet.backend.load("cython")
    x = image((n, 1, h, w), dtype, layout, seed=28)
    W = image((fn, 1, fh, fw), dtype, seed=29)
    b = np.random.default_rng(30).standard_normal(fn).astype(dtype)
    tol = np.sqrt(fh * fw)
    for activation in ("relu", "identity", "tanh"):
        y = backend.conv_forward(x, W, b, stride, pad, activation)
        want_y = reference.conv_forward(x, W, b, stride, pad, activation)
        np.testing.assert_allclose(y, want_y, rtol=RTOL[dtype] * tol, atol=ATOL[dtype] * tol,
                                   err_msg=f"{simd_kernel} {activation}")
    grad_tol = np.sqrt(max(want_y.size, 1))
    for activation, dout_layout, need_input_grad in [("relu", "channels_last", False),
                                                     ("identity", "channels_last", False),
                                                     ("identity", "c", True)]:
        want_y = reference.conv_forward(x, W, b, stride, pad, activation)
        dout = image(want_y.shape, dtype, dout_layout, seed=31)
        args = (stride, pad, need_input_grad, want_y, activation)
        got = backend.conv_backward(dout, x, W, *args)
        want = reference.conv_backward(dout, x, W, *args)
        for name, a, e in zip(("dx", "dW", "db"), got, want):
            if e is None:
                assert a is None, name
                continue
            np.testing.assert_allclose(a, e, rtol=RTOL[dtype] * grad_tol,
                                       atol=ATOL[dtype] * grad_tol,
                                       err_msg=f"{simd_kernel} {activation} {name}")


def test_single_channel_conv_on_two_threads_matches_one(backend, dtype):
    """The direct convolution splits images over threads (each its own dW sum)."""
    x = image((24, 1, 20, 20), dtype, seed=32)  # past 2^17 multiply-adds
    W = image((30, 1, 3, 3), dtype, seed=33)
    b = np.arange(30, dtype=dtype)

    def run():
        y = backend.conv_forward(x, W, b, 1, 1, "relu")
        return [y, *backend.conv_backward(y, x, W, 1, 1, False, y, "relu")[1:]]

    fastnet.set_num_threads(1)
    one = run()
    fastnet.set_num_threads(2)
    for a, b_ in zip(run(), one):
        np.testing.assert_allclose(a, b_, rtol=RTOL[dtype] * 10, atol=ATOL[dtype] * 100)
