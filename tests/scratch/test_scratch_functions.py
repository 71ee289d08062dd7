"""fastnet.scratch's common/functions.py, gradient.py and util.py against the
book's formulas (docs/BOOK_API.md), written here in NumPy."""

import numpy as np
import pytest
from _gradcheck import check_close

from fastnet.scratch.common import functions, gradient, util

# ------------------------------------------------------------------ functions


def book_sigmoid(x):
    return 1 / (1 + np.exp(-x))


@pytest.mark.parametrize("x", [
    np.array([-1.0, 0.0, 2.0]),
    np.array([-1, 0, 2]),  # integers, as chapter 3 starts with
    [-1.5, 0.5],  # a list
    np.arange(-3.0, 3.0, 0.5).reshape(3, 4),
    np.array([1, -2], dtype=np.int8),
    np.array([0.5, -0.25], dtype=np.float32),
    2.0,
])
def test_elementwise_functions_follow_numpy(x):
    a = np.asarray(x)
    cases = [
        (functions.step_function(x), np.array(a > 0, dtype=int)),
        (functions.sigmoid(x), book_sigmoid(a)),
        (functions.sigmoid_grad(x), (1.0 - book_sigmoid(a)) * book_sigmoid(a)),
        (functions.relu(x), np.maximum(0, a)),
        (functions.relu_grad(x), np.where(a >= 0, 1, 0).astype(a.dtype)),
    ]
    for name, (got, want) in zip(["step", "sigmoid", "sigmoid_grad", "relu", "relu_grad"],
                                 cases):
        assert np.asarray(got).dtype == np.asarray(want).dtype, (
            f"{name}({x!r}): dtype {np.asarray(got).dtype}, NumPy gives {np.asarray(want).dtype}")
        rtol = 1e-3 if np.asarray(want).dtype == np.float16 else 1e-6
        check_close(got, want, f"{name}({x!r})", rtol, 1e-7)
    assert functions.identity_function(x) is x


def test_relu_grad_counts_zero_as_active():
    np.testing.assert_array_equal(functions.relu_grad(np.array([-1.0, 0.0, 1.0])), [0, 1, 1])


@pytest.mark.parametrize("shape", [(3,), (2, 5), (2, 3, 4)])
def test_softmax_along_last_axis(shape):
    x = np.random.default_rng(0).standard_normal(shape) * 10
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    check_close(functions.softmax(x), e / e.sum(axis=-1, keepdims=True), "softmax", 1e-12, 1e-15)


def test_losses():
    rng = np.random.default_rng(1)
    y = functions.softmax(rng.standard_normal((4, 5)))
    labels = np.array([0, 3, 4, 1])
    onehot = np.eye(5)[labels]
    want = -np.sum(np.log(y[np.arange(4), labels] + 1e-7)) / 4
    for t in (labels, onehot, onehot.astype(int)):
        check_close(functions.cross_entropy_error(y, t), want, "cross_entropy_error", 1e-12, 0)
    # 1-D y is a batch of one, with a one-hot t or a single label.
    want1 = -np.log(y[0, 0] + 1e-7)
    check_close(functions.cross_entropy_error(y[0], onehot[0]), want1, "CEE 1-D", 1e-12, 0)
    check_close(functions.cross_entropy_error(y[0], np.int64(0)), want1, "CEE label", 1e-12, 0)
    check_close(functions.sum_squared_error(y, onehot), 0.5 * np.sum((y - onehot) ** 2), "SSE",
                1e-12, 1e-15)
    x = rng.standard_normal((4, 5))
    check_close(functions.softmax_loss(x, labels),
                functions.cross_entropy_error(functions.softmax(x), labels), "softmax_loss",
                1e-12, 0)


# ------------------------------------------------------------------- gradient


def test_numerical_gradient_any_ndim_restores_x():
    x = np.random.default_rng(2).standard_normal((2, 3, 2))
    before = x.copy()
    seen = []

    def f(arg):
        seen.append(arg is x)
        return np.sum(arg**3)

    grad = gradient.numerical_gradient(f, x)
    assert all(seen), "f must be called with x itself"
    np.testing.assert_array_equal(x, before)
    check_close(grad, 3 * x**2, "numerical_gradient", 1e-6, 1e-7)


def test_numerical_gradient_2d_is_row_by_row():
    X = np.array([[1.0, 2.0], [3.0, -1.0]])
    rows = []

    def f(row):
        rows.append(row.shape)
        return np.sum(row**2)

    check_close(gradient.numerical_gradient_2d(f, X), 2 * X, "numerical_gradient_2d", 1e-6, 1e-7)
    assert set(rows) == {(2,)}
    check_close(gradient.numerical_gradient_2d(f, X[0].copy()), 2 * X[0], "1-D", 1e-6, 1e-7)


# ----------------------------------------------------------------------- util


def test_conv_output_size_is_true_division():
    assert util.conv_output_size(28, 5) == 24
    assert util.conv_output_size(7, 2, stride=2) == 3.5
    assert util.conv_output_size(28, 3, 1, 1) == 28


def test_shuffle_dataset_uses_numpys_global_generator():
    x = np.arange(24.0).reshape(6, 4)
    t = np.arange(6)
    np.random.seed(5)
    xs, ts = util.shuffle_dataset(x, t)
    np.random.seed(5)
    perm = np.random.permutation(6)
    np.testing.assert_array_equal(ts, perm)
    np.testing.assert_array_equal(xs, x[perm])
    x4 = np.arange(6 * 2 * 3 * 3.0).reshape(6, 2, 3, 3)
    np.random.seed(5)
    x4s, _ = util.shuffle_dataset(x4, t)
    np.testing.assert_array_equal(x4s, x4[perm])


@pytest.mark.parametrize("n", [11, 12, 40])
def test_smooth_curve(n):
    x = np.random.default_rng(4).standard_normal(n)
    w = np.kaiser(11, 2)
    w /= w.sum()
    # Mirror images beyond the ends: x[10..1] on the left, x[-1..-10] on the right.
    ext = {-i: x[i] for i in range(1, 11)}  # left: position -i holds x[i]
    ext.update({n - 1 + i: x[n - i] for i in range(1, 11)})  # right: n-1+i holds x[n-i]

    def at(i):
        return x[i] if 0 <= i < n else ext[i]

    want = [sum(w[k] * at(i - 5 + k) for k in range(11)) for i in range(n)]
    check_close(util.smooth_curve(list(x)), np.array(want), "smooth_curve", 1e-12, 1e-14)


def book_im2col(x, fh, fw, stride, pad):
    """im2col by its definition: one row per (n, oh, ow), columns (c, fh, fw)."""
    n, c, h, w = x.shape
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    rows = [xp[i, :, a * stride:a * stride + fh, b * stride:b * stride + fw].ravel()
            for i in range(n) for a in range(oh) for b in range(ow)]
    return np.array(rows).reshape(n * oh * ow, c * fh * fw)


@pytest.mark.parametrize("shape, fh, fw, stride, pad", [
    ((1, 1, 3, 3), 2, 2, 1, 0), ((2, 3, 5, 4), 3, 2, 1, 1), ((2, 2, 7, 7), 3, 3, 2, 2)])
def test_im2col_col2im(shape, fh, fw, stride, pad):
    rng = np.random.default_rng(20)
    x = rng.standard_normal(shape)
    col = util.im2col(x, fh, fw, stride, pad)
    check_close(col, book_im2col(x, fh, fw, stride, pad), "im2col", 0, 0)
    # col2im is im2col's adjoint: <im2col(x), C> == <x, col2im(C)>.
    C = rng.standard_normal(col.shape)
    back = util.col2im(C, shape, fh, fw, stride, pad)
    assert back.shape == shape
    check_close(np.vdot(x, back), np.vdot(col, C), "<x, col2im(C)>", 1e-12, 1e-12)
    # The book's im2col fills float64 zeros: integer images come back as floats.
    ints = util.im2col(np.arange(np.prod(shape)).reshape(shape), fh, fw, stride, pad)
    assert ints.dtype == np.float64
