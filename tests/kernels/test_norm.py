"""Batch normalization (the norm family): every backend against the reference,
and the reference against the book's step-by-step backward."""

import numpy as np
import pytest

RTOL = {np.float32: 1e-5, np.float64: 1e-12}
ATOL = {np.float32: 1e-5, np.float64: 1e-12}


def close(actual, expected, dtype):
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    np.testing.assert_allclose(actual, expected, rtol=RTOL[dtype], atol=ATOL[dtype])


BN_SHAPES = [(1, 1), (2, 3), (7, 13), (100, 30), (64, 257)]


def bn_args(shape, dtype, layout):
    rng = np.random.default_rng(7)
    x = (3 * rng.standard_normal(shape) + 1).astype(dtype)
    if layout == "transposed":
        x = np.asfortranarray(x)
    gamma = rng.standard_normal(shape[1]).astype(dtype)
    beta = rng.standard_normal(shape[1]).astype(dtype)
    return x, gamma, beta


@pytest.mark.parametrize("shape", BN_SHAPES)
@pytest.mark.parametrize("layout", ("c", "transposed"))
def test_batchnorm_forward_train(backend, reference, dtype, shape, layout):
    x, gamma, beta = bn_args(shape, dtype, layout)
    stats = [np.full(shape[1], 0.5, dtype), np.full(shape[1], 2.0, dtype)]
    ref_stats = [s.copy() for s in stats]
    got = backend.batchnorm_forward_train(x, gamma, beta, *stats, 0.9)
    want = reference.batchnorm_forward_train(x, gamma, beta, *ref_stats, 0.9)
    for a, b in zip(got, want):
        close(a, b, dtype)
    for a, b in zip(stats, ref_stats):  # updated in place, like the reference
        close(a, b, dtype)
    assert not np.array_equal(stats[0], np.full(shape[1], 0.5, dtype))


def test_batchnorm_running_stats_follow_the_book(backend):
    x = np.array([[1.0, 2.0], [3.0, 6.0]])
    rm, rv = np.zeros(2), np.ones(2)
    backend.batchnorm_forward_train(x, np.ones(2), np.zeros(2), rm, rv, 0.9)
    np.testing.assert_allclose(rm, 0.1 * x.mean(axis=0), rtol=1e-15)
    np.testing.assert_allclose(rv, 0.9 + 0.1 * x.var(axis=0), rtol=1e-15)


@pytest.mark.parametrize("bad", ["inf", "-inf", "nan", "overflow"])
def test_batchnorm_forward_train_refuses_nan_and_inf(backend, dtype, bad):
    # One such batch used to make running_mean inf or NaN for good, so every
    # later inference gave NaN in that column, without an error anywhere.
    x = np.array([[0.0, 1.0, 2.0], [1.0, 3.0, 5.0]], dtype)
    if bad == "overflow":
        big = np.finfo(dtype).max
        x[:, 1] = [big, -big]  # finite, but the variance overflows
    else:
        x[0, 1] = float(bad)
    rm, rv = np.full(3, 0.5, dtype), np.full(3, 2.0, dtype)
    with pytest.raises(ValueError, match=r"x contains NaN or inf.*\(column 1\).*unchanged"):
        backend.batchnorm_forward_train(x, np.ones(3, dtype), np.zeros(3, dtype), rm, rv, 0.9)
    np.testing.assert_array_equal(rm, np.full(3, 0.5, dtype))
    np.testing.assert_array_equal(rv, np.full(3, 2.0, dtype))


@pytest.mark.parametrize("shape", BN_SHAPES + [(0, 4)])
def test_batchnorm_forward_infer(backend, reference, dtype, shape):
    x, gamma, beta = bn_args(shape, dtype, "c")
    rm = np.linspace(-1, 1, shape[1]).astype(dtype)
    rv = np.linspace(0.5, 2, shape[1]).astype(dtype)
    close(backend.batchnorm_forward_infer(x, gamma, beta, rm, rv),
          reference.batchnorm_forward_infer(x, gamma, beta, rm, rv), dtype)


@pytest.mark.parametrize("shape", BN_SHAPES)
@pytest.mark.parametrize("layout", ("c", "transposed"))
def test_batchnorm_backward(backend, reference, dtype, shape, layout):
    x, gamma, beta = bn_args(shape, dtype, "c")
    _, xn, std = reference.batchnorm_forward_train(
        x, gamma, beta, np.zeros(shape[1], dtype), np.zeros(shape[1], dtype), 0.9)
    dout = np.random.default_rng(8).standard_normal(shape).astype(dtype)
    if layout == "transposed":
        dout = np.asfortranarray(dout)
    got = backend.batchnorm_backward(dout, xn, std, gamma)
    want = reference.batchnorm_backward(dout, xn, std, gamma)
    # dx subtracts means of size ~|dout|: allow their rounding, not a relative one
    scale = {np.float32: 10.0, np.float64: 1.0}[dtype]
    for a, b in zip(got, want):
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=RTOL[dtype] * scale,
                                   atol=ATOL[dtype] * scale * np.sqrt(shape[0]))


def test_batchnorm_backward_matches_the_books_chain(reference):
    """The fused formula equals the book's step-by-step backward."""
    x, gamma, beta = bn_args((9, 5), np.float64, "c")
    _, xn, std = reference.batchnorm_forward_train(x, gamma, beta, np.zeros(5), np.zeros(5), .9)
    dout = np.random.default_rng(9).standard_normal((9, 5))
    xc = x - x.mean(axis=0)
    dxn = gamma * dout
    dxc = dxn / std
    dstd = -np.sum((dxn * xc) / (std * std), axis=0)
    dvar = 0.5 * dstd / std
    dxc += (2.0 / 9) * xc * dvar
    dx_book = dxc - np.sum(dxc, axis=0) / 9
    dx, dgamma, dbeta = reference.batchnorm_backward(dout, xn, std, gamma)
    np.testing.assert_allclose(dx, dx_book, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dgamma, np.sum(xn * dout, axis=0), rtol=1e-12)
    np.testing.assert_allclose(dbeta, dout.sum(axis=0), rtol=1e-12)
