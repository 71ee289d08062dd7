"""Softmax and the losses: every backend against the reference.

Integer and one-hot labels, soft targets, empty batches, awkward sizes
(past the 2^17-element parallel threshold too), non-contiguous logits, and
NaN/inf logits, which must be reported as a ValueError by the Backend.
"""

import numpy as np
import pytest

import fastnet

# The compiled exp is accurate to a few ulp; losses are summed in double.
RTOL = {np.float32: 1e-5, np.float64: 1e-12}
ATOL = {np.float32: 1e-7, np.float64: 1e-15}

# (131, 1009) has 132,179 elements: past the parallel threshold.
SHAPES = [(0, 10), (1, 1), (1, 10), (7, 3), (100, 10), (13, 257), (131, 1009)]
LAYOUTS = ("c", "transposed", "strided")


def logits(shape, dtype, layout="c", seed=0, scale=4.0):
    rng = np.random.default_rng(seed)
    if layout == "c":
        return (scale * rng.standard_normal(shape)).astype(dtype)
    if layout == "transposed":
        return (scale * rng.standard_normal(shape[::-1])).astype(dtype).T
    wide = (scale * rng.standard_normal((shape[0], 2 * shape[1]))).astype(dtype)
    return wide[:, ::2]


def labels(n, c, seed=1):
    return np.random.default_rng(seed).integers(0, c, n).astype(np.intp)


def one_hot(t, c, dtype):
    out = np.zeros((t.shape[0], c), dtype)
    out[np.arange(t.shape[0]), t] = 1
    return out


def close(actual, expected, dtype):
    assert actual.shape == expected.shape and actual.dtype == expected.dtype
    np.testing.assert_allclose(actual, expected, rtol=RTOL[dtype], atol=ATOL[dtype])


def close_loss(actual, expected, dtype):
    assert isinstance(actual, float)
    np.testing.assert_allclose(actual, expected, rtol=RTOL[dtype], atol=ATOL[dtype])


# ---------------------------------------------------------------- softmax


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_softmax(backend, reference, dtype, shape, layout):
    x = logits(shape, dtype, layout)
    close(backend.softmax(x), reference.softmax(x), dtype)


def test_softmax_large_logits_do_not_overflow(backend, reference, dtype):
    x = np.array([[1000, 999, -1000], [-np.inf, 0, 1], [88, 89, 90]], dtype)
    y = backend.softmax(x)
    assert np.all(np.isfinite(y))
    close(y, reference.softmax(x), dtype)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_softmax_nonfinite_raises(backend, dtype, bad):
    x = logits((4, 5), dtype)
    x[2, 3] = bad
    if bad == -np.inf:  # a single -inf is a valid logit (probability 0)
        y = backend.softmax(x)
        assert y[2, 3] == 0
        return
    with pytest.raises(ValueError):
        backend.softmax(x)


# --------------------------------------------------------- cross-entropy


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("target", ["int", "onehot"])
def test_cross_entropy(backend, reference, dtype, shape, target):
    n, c = shape
    y = reference.softmax(logits(shape, dtype))
    t = labels(n, c)
    if target == "onehot":
        t = one_hot(t, c, dtype)
    close_loss(backend.cross_entropy(y, t), reference.cross_entropy(y, t), dtype)


def test_cross_entropy_strided_inputs(backend, reference, dtype):
    y = reference.softmax(logits((40, 9), dtype))[::2]
    t = labels(40, 9)[::2]
    close_loss(backend.cross_entropy(y, t), reference.cross_entropy(y, t), dtype)
    close_loss(backend.cross_entropy(y.T.copy().T, t), reference.cross_entropy(y, t), dtype)


def test_cross_entropy_of_zero_probability_is_finite(backend, dtype):
    y = np.array([[0.0, 1.0]], dtype)
    loss = backend.cross_entropy(y, np.array([0]))
    assert np.isfinite(loss) and loss > 15  # -log(1e-7)


# ---------------------------------------------- softmax + cross-entropy


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("target", ["int", "onehot", "soft"])
def test_softmax_cross_entropy(backend, reference, dtype, shape, layout, target):
    n, c = shape
    x = logits(shape, dtype, layout)
    t = labels(n, c)
    if target == "onehot":
        t = one_hot(t, c, dtype)
    elif target == "soft":  # any (N, C) target: the loss takes argmax, dX uses T itself
        t = reference.softmax(logits(shape, dtype, seed=9))
    loss, dx = backend.softmax_cross_entropy(x, t)
    loss_r, dx_r = reference.softmax_cross_entropy(x, t)
    close_loss(loss, loss_r, dtype)
    close(dx, dx_r, dtype)


def test_softmax_cross_entropy_int32_labels(backend, reference, dtype):
    x = logits((20, 7), dtype)
    t = labels(20, 7).astype(np.int32)
    loss, dx = backend.softmax_cross_entropy(x, t)
    loss_r, dx_r = reference.softmax_cross_entropy(x, t.astype(np.intp))
    close_loss(loss, loss_r, dtype)
    close(dx, dx_r, dtype)


def test_softmax_cross_entropy_empty_batch(backend, dtype):
    loss, dx = backend.softmax_cross_entropy(np.zeros((0, 10), dtype), np.zeros(0, np.intp))
    assert loss == 0.0 and dx.shape == (0, 10) and dx.dtype == dtype


def test_softmax_cross_entropy_does_not_modify_input(backend, dtype):
    x = logits((9, 5), dtype)
    before = x.copy()
    backend.softmax_cross_entropy(x, labels(9, 5))
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", [0, 3])  # first element of the row (max start) and later
@pytest.mark.parametrize("target", ["int", "onehot"])
def test_softmax_cross_entropy_nonfinite_raises(backend, dtype, bad, where, target):
    x = logits((6, 5), dtype)
    t = labels(6, 5)
    if bad == -np.inf:  # make the whole row -inf: no finite max, NaN loss
        x[2, :] = bad
    else:
        x[2, where] = bad
    if target == "onehot":
        t = one_hot(t, 5, dtype)
    with pytest.raises(ValueError, match="NaN or inf"):
        backend.softmax_cross_entropy(x, t)


def test_softmax_cross_entropy_nan_in_big_batch_raises(backend, dtype):
    x = logits((131, 1009), dtype)
    x[100, 500] = np.nan
    with pytest.raises(ValueError):
        backend.softmax_cross_entropy(x, labels(131, 1009))


# ------------------------------------------------------------ BCE, MSE


BCE_SHAPES = [(0,), (1,), (7,), (13, 17), (3, 5, 7), (4099,), (200, 700)]


@pytest.mark.parametrize("shape", BCE_SHAPES)
def test_sigmoid_binary_cross_entropy(backend, reference, dtype, shape):
    rng = np.random.default_rng(3)
    x = (4 * rng.standard_normal(shape)).astype(dtype)
    t = rng.random(shape).astype(dtype)
    loss, dx = backend.sigmoid_binary_cross_entropy(x, t)
    loss_r, dx_r = reference.sigmoid_binary_cross_entropy(x, t)
    close_loss(loss, loss_r, dtype)
    close(dx, dx_r, dtype)


def test_sigmoid_binary_cross_entropy_extreme_logits(backend, reference, dtype):
    x = np.array([-1000, -100, -30, 0, 30, 100, 1000], dtype)
    t = np.array([0, 1, 0, 1, 1, 0, 1], dtype)
    loss, dx = backend.sigmoid_binary_cross_entropy(x, t)
    loss_r, dx_r = reference.sigmoid_binary_cross_entropy(x, t)
    close_loss(loss, loss_r, dtype)
    close(dx, dx_r, dtype)


def test_sigmoid_binary_cross_entropy_strided(backend, reference, dtype):
    rng = np.random.default_rng(4)
    x = (3 * rng.standard_normal((20, 30))).astype(dtype)[:, ::3]
    t = rng.random((10, 20)).astype(dtype).T
    loss, dx = backend.sigmoid_binary_cross_entropy(x, t)
    loss_r, dx_r = reference.sigmoid_binary_cross_entropy(x, t)
    close_loss(loss, loss_r, dtype)
    close(dx, dx_r, dtype)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_sigmoid_binary_cross_entropy_nonfinite_raises(backend, dtype, bad):
    x = np.zeros((3, 4), dtype)
    x[1, 2] = bad
    with pytest.raises(ValueError):
        backend.sigmoid_binary_cross_entropy(x, np.full((3, 4), 0.5, dtype))


@pytest.mark.parametrize("shape", BCE_SHAPES)
def test_mean_squared_error(backend, reference, dtype, shape):
    rng = np.random.default_rng(5)
    y = rng.standard_normal(shape).astype(dtype)
    t = rng.standard_normal(shape).astype(dtype)
    loss, dy = backend.mean_squared_error(y, t)
    loss_r, dy_r = reference.mean_squared_error(y, t)
    close_loss(loss, loss_r, dtype)
    close(dy, dy_r, dtype)


def test_mean_squared_error_strided(backend, reference, dtype):
    rng = np.random.default_rng(6)
    y = rng.standard_normal((10, 40)).astype(dtype)[:, 1::2]
    t = rng.standard_normal((20, 10)).astype(dtype).T
    loss, dy = backend.mean_squared_error(y, t)
    loss_r, dy_r = reference.mean_squared_error(y, t)
    close_loss(loss, loss_r, dtype)
    close(dy, dy_r, dtype)


# ------------------------------------------------------------- threads


def test_one_and_two_threads_agree(backend, dtype):
    x = logits((300, 1000), dtype)
    t = labels(300, 1000)
    rng = np.random.default_rng(7)
    z = rng.standard_normal((600, 500)).astype(dtype)
    p = rng.random((600, 500)).astype(dtype)
    results = []
    for threads in (1, 2):
        fastnet.set_num_threads(threads)
        loss, dx = backend.softmax_cross_entropy(x, t)
        bce, dz = backend.sigmoid_binary_cross_entropy(z, p)
        mse, dm = backend.mean_squared_error(z, p)
        results.append((loss, dx, backend.softmax(x), bce, dz, mse, dm))
    for one, two in zip(*results):
        np.testing.assert_array_equal(one, two)
