"""fastnet.functions and fastnet.gradient against the book's definitions."""

import numpy as np
import pytest
from _gradcheck import check_close

import fastnet
from fastnet import functions as F
from fastnet import gradient as G

RTOL = {np.float32: 1e-5, np.float64: 1e-12}
ATOL = {np.float32: 1e-6, np.float64: 1e-14}


# ---- the book's common/functions.py, written out as the oracle

def book_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def book_softmax(x):
    x = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def book_cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    if t.size == y.size:
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


def book_relu_grad(x):
    grad = np.zeros_like(x)
    grad[x >= 0] = 1
    return grad


SHAPES = [(1,), (7,), (1, 1), (3, 5), (4, 1)]


def data(shape, dtype, seed=0):
    x = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    x.flat[0] = 0.0  # the boundary case of step, relu and relu_grad
    return x


@pytest.mark.parametrize("shape", SHAPES)
def test_elementwise_functions(backend, dtype, shape):
    x = data(shape, dtype) * 4
    tol = dict(rtol=RTOL[dtype], atol=ATOL[dtype])
    with fastnet.using_backend(backend.name):
        assert F.identity_function(x) is x
        step = F.step_function(x)
        s, sg = F.sigmoid(x), F.sigmoid_grad(x)
        r, rg = F.relu(x), F.relu_grad(x)
    assert step.dtype.kind == "i"
    np.testing.assert_array_equal(step, np.array(x > 0, dtype=int))
    check_close(s, book_sigmoid(x.astype(np.float64)), "sigmoid", **tol)
    bs = book_sigmoid(x.astype(np.float64))
    check_close(sg, (1 - bs) * bs, "sigmoid_grad", **tol)
    check_close(r, np.maximum(0, x), "relu", 0, 0)
    check_close(rg, book_relu_grad(x), "relu_grad", 0, 0)
    assert s.dtype == sg.dtype == r.dtype == rg.dtype == dtype


@pytest.mark.parametrize("shape", SHAPES + [(2, 3, 4)])
def test_softmax_last_axis(backend, dtype, shape):
    x = data(shape, dtype, 1) * 5
    with fastnet.using_backend(backend.name):
        y = F.softmax(x)
    assert y.shape == x.shape and y.dtype == dtype
    check_close(y, book_softmax(x.astype(np.float64)), "softmax", RTOL[dtype], ATOL[dtype])


def test_softmax_does_not_overflow(backend):
    with fastnet.using_backend(backend.name):
        y = F.softmax(np.array([1010.0, 1000.0, 990.0]))
    check_close(y, book_softmax(np.array([1010.0, 1000.0, 990.0])), "softmax", 1e-12, 1e-14)


def test_scalars_and_integers_like_numpy():
    assert F.sigmoid(0.5) == pytest.approx(book_sigmoid(0.5), rel=1e-15)
    assert np.ndim(F.sigmoid(0.5)) == 0
    out = F.sigmoid(np.array([-1, 0, 2]))
    assert out.dtype == np.float64
    check_close(out, book_sigmoid(np.array([-1.0, 0.0, 2.0])), "sigmoid(int)", 1e-15, 0)
    check_close(F.relu([-1, 3]), np.array([0.0, 3.0]), "relu(list)", 0, 0)
    with pytest.raises(TypeError, match="complex"):
        F.sigmoid(np.array([1 + 2j]))
    with pytest.raises(TypeError, match="complex"):
        F.softmax(np.array([[1 + 2j, 0]]))


def test_sum_squared_error(backend):
    # The book's chapter 4 example, and a 2-D one.
    y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
    t = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 0], dtype=float)
    y2 = np.random.default_rng(2).random((3, 4))
    t2 = np.eye(4)[[0, 3, 1]]
    with fastnet.using_backend(backend.name):
        assert F.sum_squared_error(y, t) == pytest.approx(0.5 * np.sum((y - t) ** 2), rel=1e-12)
        assert F.sum_squared_error(y2, t2) == pytest.approx(0.5 * np.sum((y2 - t2) ** 2),
                                                            rel=1e-12)


@pytest.mark.parametrize("label_form", ["one-hot float", "one-hot int", "labels"])
@pytest.mark.parametrize("shape", [(10,), (1, 10), (4, 3), (5, 1)])
def test_cross_entropy_error(backend, shape, label_form):
    if label_form == "labels" and shape == (5, 1):
        pytest.skip("with one class the book reads N labels as one-hot (t.size == y.size)")
    rng = np.random.default_rng(3)
    y = book_softmax(rng.standard_normal(shape))
    c = shape[-1]
    labels = rng.integers(0, c, 1 if len(shape) == 1 else shape[0])
    if label_form == "labels":
        t = labels[0] if len(shape) == 1 else labels
    else:
        t = np.eye(c, dtype=float if "float" in label_form else int)[labels].reshape(shape)
    expected = book_cross_entropy_error(y, np.asarray(t))
    with fastnet.using_backend(backend.name):
        got = F.cross_entropy_error(y, t)
        loss = F.softmax_loss(np.log(y), t)
    assert got == pytest.approx(expected, rel=1e-12), label_form
    assert loss == pytest.approx(expected, rel=1e-9), "softmax_loss"


# ---- fastnet.gradient

def test_numerical_gradient_any_ndim():
    x = np.random.default_rng(4).standard_normal((2, 3, 2))
    before = x.copy()
    grad = G.numerical_gradient(lambda z: float(np.sum(z ** 3)), x)
    check_close(grad, 3 * before ** 2, "numerical_gradient of Σx³", 1e-7, 1e-7)
    np.testing.assert_array_equal(x, before)  # restored exactly


def test_numerical_gradient_sees_the_array_it_perturbs():
    # f ignores its argument and reads x through a closure, as a net's loss does.
    x = np.array([1.0, 2.0])
    grad = G.numerical_gradient(lambda _: float(x[0] * x[1]), x)
    check_close(grad, np.array([2.0, 1.0]), "numerical_gradient via closure", 1e-8, 1e-8)


def test_numerical_gradient_2d_is_row_by_row():
    X = np.array([[1.0, -2.0, 3.0], [0.5, 0.0, -1.0]])
    calls = []

    def f(x):
        calls.append(x.shape)
        return float(np.sum(x ** 2))

    grad = G.numerical_gradient_2d(f, X)
    check_close(grad, 2 * X, "numerical_gradient_2d", 1e-7, 1e-8)
    assert set(calls) == {(3,)}, "f must be called with one row at a time"
    check_close(G.numerical_gradient_2d(f, X[0].copy()), 2 * X[0], "1-D input", 1e-7, 1e-8)
    check_close(G.numerical_gradient_1d(f, X[1].copy()), 2 * X[1], "_1d", 1e-7, 1e-8)


def test_numerical_gradient_uses_the_books_step():
    # For f = x³ the central difference is 3x² + h² exactly: h must be 1e-4.
    x = np.array([0.0])
    grad = G.numerical_gradient(lambda z: float(z[0] ** 3), x)
    assert grad[0] == pytest.approx(1e-8, rel=1e-6)
