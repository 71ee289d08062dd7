"""Regressions of issue 10: the compiled convolution-era kernels' memory errors and wrong answers.

Each test names one defect and compares the "cython" backend with the
reference. A write or read past an array does not always change a result in
a release build, so the kernels' own bounds are checked too: outputs are
followed by canary values a stray write would change, and inputs end where
an unreadable page begins, so a stray read faults. (The sanitizer build
catches the same defects; these catch them without it.)
"""

import ctypes
import mmap
import sys

import numpy as np
import pytest

import fastnet
from fastnet.backend import load

CANARY = 12345.0

try:
    COMPILED, _WHY = load("cython"), ""
except (ImportError, RuntimeError) as exc:
    COMPILED, _WHY = None, str(exc)
needs_compiled = pytest.mark.skipif(COMPILED is None, reason=f"no compiled backend: {_WHY}")


def _im2col_with_canaries(x, fh, fw, stride, pad):
    """im2col by the compiled kernel into an output followed by canary values:
    (col, the canaries after it)."""
    from fastnet import _conv

    n, c, h, w = x.shape
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    size = n * oh * ow * c * fh * fw
    buf = np.full(size + 256, CANARY, x.dtype)
    col = buf[:size].reshape(n * oh * ow, c * fh * fw)
    _conv.im2col(x, col, fh, fw, stride, pad, oh, ow)
    return col, buf[size:]


def _before_unreadable_page(a):
    """A copy of a that ends where an unreadable page begins (Linux): a kernel
    reading past its end then faults instead of reading a neighbour's memory."""
    if not sys.platform.startswith("linux"):
        pytest.skip("needs mprotect (Linux)")
    page = mmap.PAGESIZE
    region = np.frombuffer(mmap.mmap(-1, 2 * page), np.uint8)  # keeps the mapping alive
    mprotect = ctypes.CDLL(None, use_errno=True).mprotect
    mprotect.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    if mprotect(region.ctypes.data + page, page, 0) != 0:  # PROT_NONE
        pytest.skip("mprotect failed")
    out = region[page - a.nbytes:page].view(a.dtype).reshape(a.shape)
    out[...] = a
    return out


# (N, C, H, W, FH, FW, stride, pad) with windows wholly in the padding: pad larger
# than the filter (rows of windows above and below the image), and strides that
# jump past the image; filter widths 1, 2, 3, 5, 7 and others take different
# row builders in csrc/conv/im2col_impl.h.
PADDING_WINDOWS = [
    (1, 1, 1, 1, 1, 1, 5000, 1000),
    (2, 7, 3, 14, 1, 1, 4, 5),
    (2, 3, 2, 9, 1, 3, 4, 5),
    (1, 2, 3, 4, 5, 5, 7, 6),
    (2, 2, 4, 6, 2, 2, 3, 4),
    (1, 3, 2, 8, 3, 7, 2, 5),
    (2, 1, 5, 5, 4, 5, 9, 6),
    (1, 2, 3, 3, 2, 4, 1, 3),
]


@pytest.mark.parametrize("geometry", PADDING_WINDOWS)
@needs_compiled
def test_im2col_window_wholly_in_padding_stays_in_bounds(dtype, geometry):
    n, c, h, w, fh, fw, stride, pad = geometry
    x = np.random.default_rng(0).standard_normal((n, c, h, w)).astype(dtype)
    col, canaries = _im2col_with_canaries(x, fh, fw, stride, pad)
    np.testing.assert_array_equal(col, load("numpy").im2col(x, fh, fw, stride, pad))
    assert np.all(canaries == CANARY), "im2col wrote past its output"


@needs_compiled
def test_im2col_of_one_pixel_with_a_huge_stride_matches_reference():
    # The reproducer, through the book's own im2col.
    from fastnet.scratch.common.util import im2col

    x = np.ones((1, 1, 1, 1), np.float32)
    np.testing.assert_array_equal(im2col(x, 1, 1, stride=5000, pad=1000),
                                  load("numpy").im2col(x, 1, 1, 5000, 1000))


@needs_compiled
def test_im2col_left_edge_run_overhang_stays_in_bounds():
    # 1x5 windows in float32 (moved 8 values at a time with AVX2) over the left
    # edge, one channel: the widened move's overhang was longer than the next
    # row of col and ran past the output after the last window.
    x = np.random.default_rng(1).standard_normal((2, 1, 9, 8)).astype(np.float32)
    col, canaries = _im2col_with_canaries(x, 1, 5, 6, 4)
    np.testing.assert_array_equal(col, load("numpy").im2col(x, 1, 5, 6, 4))
    assert np.all(canaries == CANARY), "im2col wrote past its output"


@pytest.mark.parametrize("geometry", PADDING_WINDOWS)
@needs_compiled
def test_conv_window_wholly_in_padding_matches_reference(simd_kernel, dtype, geometry):
    n, c, h, w, fh, fw, stride, pad = geometry
    rng = np.random.default_rng(2)
    x = rng.standard_normal((n, c, h, w)).astype(dtype)
    W = rng.standard_normal((3, c, fh, fw)).astype(dtype)
    b = rng.standard_normal(3).astype(dtype)
    ref = load("numpy")
    y = COMPILED.conv_forward(x, W, b, stride, pad)
    np.testing.assert_allclose(y, ref.conv_forward(x, W, b, stride, pad), rtol=1e-5, atol=1e-5)
    dout = rng.standard_normal(y.shape).astype(dtype)
    for got, expected in zip(COMPILED.conv_backward(dout, x, W, stride, pad, True),
                             ref.conv_backward(dout, x, W, stride, pad, True)):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


@needs_compiled
def test_direct_conv_dw_with_few_filters_reads_only_dout(simd_kernel, dtype):
    # Convolution(W(3, 1, 1, 6), stride=2) on x(5, 1, 2, 7): one-channel images take
    # the direct kernel, whose dW loaded whole vectors of filters from dout's rows
    # and ran past the end of dout with 3 filters and one output pixel per image.
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 1, 2, 7)).astype(dtype)
    W = rng.standard_normal((3, 1, 1, 6)).astype(dtype)
    dout = _before_unreadable_page(rng.standard_normal((5, 3, 1, 1)).astype(dtype))
    for got, expected in zip(COMPILED.conv_backward(dout, x, W, 2, 0, True),
                             load("numpy").conv_backward(dout, x, W, 2, 0, True)):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


@needs_compiled
def test_max_pool_nan_not_first_in_window_propagates():
    x = np.array([[[[1, np.nan], [0.5, 0.2]]]])
    out, arg_max = COMPILED.max_pool_forward(x, 2, 2, 2, 0)
    assert np.isnan(out[0, 0, 0, 0]) and arg_max[0, 0, 0, 0] == 1


def _channels_last(x):
    return np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)


# 2x2 tiles (the book's), 3x3 overlapping windows, windows over the padded edge:
# each takes its own loop in csrc/conv/pool_impl.h, in C order and channels-last.
@pytest.mark.parametrize("pool", [(2, 2, 2, 0), (3, 3, 1, 0), (2, 3, 1, 1)])
@pytest.mark.parametrize("layout", ["c", "channels_last"])
@needs_compiled
def test_max_pool_nan_anywhere_in_window_matches_reference(dtype, pool, layout):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 5, 6, 7)).astype(dtype)
    x[rng.random(x.shape) < 0.1] = np.nan
    x[0, :, 0, 1] = np.nan  # second in the first window of every channel
    if layout == "channels_last":
        x = _channels_last(x)
    out, arg_max = COMPILED.max_pool_forward(x, *pool)
    ref_out, ref_arg = load("numpy").max_pool_forward(x, *pool)
    np.testing.assert_array_equal(out, ref_out)  # NaNs compare equal here
    np.testing.assert_array_equal(arg_max, ref_arg)


@pytest.mark.parametrize("pool", [(2, 2, 2, 0), (3, 3, 1, 0), (2, 2, 1, 1)])
@needs_compiled
def test_conv_pool_nan_anywhere_in_window_matches_reference(simd_kernel, dtype, pool):
    # The fused kernel pools its convolution's output in cache: a NaN that the
    # convolution passes through must win its windows there too.
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 1, 6, 6)).astype(dtype)
    x[0, 0, 0, 1] = x[1, 0, 4, 4] = np.nan
    W = np.ones((4, 1, 1, 1), dtype)
    b = np.zeros(4, dtype)
    out, arg_max = COMPILED.conv_pool_forward(x, W, b, 1, 0, "identity", pool)
    ref_out, ref_arg = load("numpy").conv_pool_forward(x, W, b, 1, 0, "identity", pool)
    np.testing.assert_array_equal(out, ref_out)
    np.testing.assert_array_equal(arg_max, ref_arg)


# 46341² > 2³¹: a window whose positions do not fit arg_max's int32. The image
# is a broadcast view of one value, so nothing that size is allocated.
BIG = 46341


@pytest.mark.parametrize("name", ["numpy", pytest.param("cython", marks=needs_compiled)])
def test_max_pool_refuses_window_of_2_31_positions(name):
    B = load(name)
    x = np.broadcast_to(np.float32(0), (1, 1, BIG, BIG))
    message = "arg_max is int32, so a pooling window must have fewer than 2\\*\\*31"
    with pytest.raises(ValueError, match=message):
        B.max_pool_forward(x, BIG, BIG, 1, 0)
    with pytest.raises(ValueError, match=message):  # NumPy ints, whose product would wrap
        B.max_pool_forward(x, np.int32(BIG), np.int32(BIG), 1, 0)
    dout = np.zeros((1, 1, 1, 1), np.float32)
    with pytest.raises(ValueError, match=message):
        B.max_pool_backward(dout, np.zeros((1, 1, 1, 1), np.int32), x.shape, BIG, BIG, 1, 0)
    W, b = np.ones((1, 1, 1, 1), np.float32), np.zeros(1, np.float32)
    with pytest.raises(ValueError, match=message):
        B.conv_pool_forward(x, W, b, 1, 0, "identity", (BIG, BIG, 1, 0))


@needs_compiled
def test_pooling_layer_refuses_window_of_2_31_positions():
    from fastnet.layers import Pooling

    x = np.broadcast_to(np.float32(0), (1, 1, BIG, BIG))
    with fastnet.using_backend("cython"), pytest.raises(ValueError, match="2\\*\\*31"):
        Pooling(BIG, BIG).forward(x)


@pytest.mark.parametrize("name", ["numpy", pytest.param("cython", marks=needs_compiled)])
@pytest.mark.parametrize("kernel", ["im2col", "conv_forward", "max_pool_forward"])
def test_a_pad_past_2_31_pixels_per_plane_is_refused(name, kernel):
    """A pad of 10**6 made the reference ask for terabytes (MemoryError) while the
    compiled kernel ran; both refuse it now, naming the pad (fuzz C)."""
    B = load(name)
    x = np.ones((1, 1, 1, 1))
    calls = {"im2col": lambda: B.im2col(x, 1, 1, 1, 10**6),
             "conv_forward": lambda: B.conv_forward(x, np.ones((1, 1, 1, 1)), np.zeros(1), 1,
                                                    10**6),
             "max_pool_forward": lambda: B.max_pool_forward(x, 2, 2, 2, 10**6)}
    with pytest.raises(ValueError, match=r"pad 1000000 .* must stay under 2\*\*31"):
        calls[kernel]()
    B.im2col(x, 1, 1, 5000, 1000)  # a large pad under the limit still runs


@needs_compiled
@pytest.mark.parametrize("bad", [np.inf, np.nan])
def test_conv_backward_with_non_finite_filters_matches_reference(bad):
    """dx by the flipped filters multiplied the zeros around dout by an inf tap:
    NaN where the reference (col2im) adds nothing (fuzz D)."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 8, 4, 5))
    W = rng.standard_normal((2, 8, 3, 3))
    W[1, 4, 0, 2] = bad
    reference, compiled = load("numpy"), COMPILED
    # channels adjacent in memory, as a Convolution's own output: the layout
    # for which the compiled backward computes dx by the flipped filters
    dout = rng.standard_normal((3, 4, 5, 2)).transpose(0, 3, 1, 2)
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf in the reference's products
        expected = reference.conv_backward(dout, x, W, 1, 1, True)
        got = compiled.conv_backward(dout, x, W, 1, 1, True)
    for e, g in zip(expected, got):
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-12, equal_nan=True)


@pytest.mark.parametrize("name", ["numpy", pytest.param("cython", marks=needs_compiled)])
def test_col2im_with_a_huge_stride_allocates_only_the_image(name):
    """The reference's col2im added stride - 1 rows and columns to its padded image,
    so a stride of 10**6 asked for terabytes (fuzz C); the last window ends inside
    the padded image, so no margin is needed."""
    B = load(name)
    col = np.arange(2 * 15, dtype=np.float64).reshape(2, 15)  # N=2, 1x1 output, C=1, 3x5
    dx = B.col2im(col, (2, 1, 6, 4), 3, 5, 10**6, 2)
    expected = np.zeros((2, 1, 6, 4))
    # The one window covers padded rows 0-2 and columns 0-4; image row 0 is
    # padded row 2 (filter row i = 2), image columns 0-2 are padded 2-4.
    expected[:, 0, 0, :3] = col[:, 12:15]
    np.testing.assert_array_equal(dx, expected)
