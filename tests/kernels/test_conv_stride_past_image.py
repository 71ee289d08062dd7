"""Strides past the padded image, up to the largest an int64 holds.

Such a stride is legal: one window position per axis, at 0. A stride of
2**61 once overflowed the direct convolution's buffer size (a segfault), and
2**63 - 1 the index arithmetic of im2col and the pooled backward (wrong
values, a corrupted heap). Every conv-family kernel of every backend must
give what the NumPy reference computes with the stride as given.
"""

import numpy as np
import pytest
from _conv_cases import ATOL, RTOL, image

STRIDES = [9, 100_000, 2**31, 2**61, 2**63 - 1]


@pytest.fixture
def raw_reference(reference):
    """The reference's own functions, unchecked: they take the stride as given."""
    return reference.impl


@pytest.mark.parametrize("stride", STRIDES)
@pytest.mark.parametrize("channels", [1, 3], ids=["direct", "patches"])
def test_convolution(backend, raw_reference, dtype, stride, channels):
    x = image((3, channels, 6, 7), dtype, seed=41)
    W = image((9, channels, 3, 2), dtype, seed=42)  # 9 filters: a partial vector
    b = np.linspace(-1, 1, 9).astype(dtype)
    tol = dict(rtol=RTOL[dtype] * 8, atol=ATOL[dtype] * 8)
    for activation in ("identity", "relu"):
        got = backend.conv_forward(x, W, b, stride, 1, activation)
        want = raw_reference.conv_forward(x, W, b, stride, 1, activation)
        assert got.shape == want.shape == (3, 9, 1, 1)
        np.testing.assert_allclose(got, want, **tol)
    dout = image(want.shape, dtype, seed=43)
    got = backend.conv_backward(dout, x, W, stride, 1, True, want, "relu")
    want = raw_reference.conv_backward(dout, x, W, stride, 1, True, want, "relu")
    for name, a, e in zip(("dx", "dW", "db"), got, want):
        np.testing.assert_allclose(a, e, err_msg=name, **tol)


@pytest.mark.parametrize("stride", STRIDES)
def test_patches_and_their_adjoint(backend, raw_reference, dtype, stride):
    x = image((2, 2, 9, 6), dtype, seed=44)
    # pad 3 and a 7x2 window: the window's first columns lie wholly in the padding
    got = backend.im2col(x, 7, 2, stride, 3)
    want = raw_reference.im2col(x, 7, 2, stride, 3)
    np.testing.assert_array_equal(got, want)
    col = np.random.default_rng(45).standard_normal(want.shape).astype(dtype)
    np.testing.assert_allclose(backend.col2im(col, x.shape, 7, 2, stride, 3),
                               raw_reference.col2im(col, x.shape, 7, 2, stride, 3),
                               rtol=RTOL[dtype], atol=ATOL[dtype])


@pytest.mark.parametrize("stride", STRIDES)
def test_pooling_alone_and_fused(backend, raw_reference, dtype, stride):
    x = image((2, 3, 6, 5), dtype, seed=46)
    out, arg_max = backend.max_pool_forward(x, 2, 3, stride, 1)
    want_out, want_arg = raw_reference.max_pool_forward(x, 2, 3, stride, 1)
    np.testing.assert_array_equal(out, want_out)
    np.testing.assert_array_equal(arg_max, want_arg)
    dout = image(out.shape, dtype, seed=47)
    np.testing.assert_array_equal(
        backend.max_pool_backward(dout, arg_max, x.shape, 2, 3, stride, 1),
        raw_reference.max_pool_backward(dout, want_arg, x.shape, 2, 3, stride, 1))

    x1 = image((2, 1, 12, 5), dtype, seed=48)
    W = image((3, 1, 9, 10), dtype, seed=49)
    b = np.zeros(3, dtype)
    pool = (1, 1, stride, 0)  # the pool's stride past the convolution's output too
    out, arg_max = backend.conv_pool_forward(x1, W, b, stride, 3, "identity", pool)
    want_out, want_arg = raw_reference.conv_pool_forward(x1, W, b, stride, 3, "identity", pool)
    tol = dict(rtol=RTOL[dtype] * 10, atol=ATOL[dtype] * 10)
    np.testing.assert_allclose(out, want_out, **tol)
    dout = image(out.shape, dtype, seed=50)
    got = backend.conv_pool_backward(dout, arg_max, out, x1, W, stride, 3, "identity", pool,
                                     True)
    want = raw_reference.conv_pool_backward(dout, want_arg, want_out, x1, W, stride, 3,
                                            "identity", pool, True)
    for name, a, e in zip(("dx", "dW", "db"), got, want):
        np.testing.assert_allclose(a, e, err_msg=name, **tol)
