"""Regressions of issue 10 found at the checked-backend layer, one test per defect.

Each test failed before its fix: the loss kernels read past row-strided views.
"""

import numpy as np
import pytest

import fastnet
from fastnet import functions as F

RTOL = {np.float32: 1e-4, np.float64: 1e-10}
ATOL = {np.float32: 1e-5, np.float64: 1e-12}


def _assert_same(actual, expected, dtype):
    if isinstance(expected, tuple):
        assert isinstance(actual, tuple) and len(actual) == len(expected)
        for a, e in zip(actual, expected):
            _assert_same(a, e, dtype)
    elif expected is None:
        assert actual is None
    else:
        np.testing.assert_allclose(actual, expected, rtol=RTOL[dtype], atol=ATOL[dtype])


# ------------------------------------------- 2. losses over row-strided views

VIEWS = {
    "column slice": lambda a: a[:, :2],
    "every other row": lambda a: a[::2],
    "reversed rows": lambda a: a[::-1],
}


def test_sum_squared_error_of_a_column_slice(backend):
    # The reproducer: the compiled kernel summed the first 6 numbers
    # of the buffer (27.5) instead of the slice's.
    y = np.arange(12.0).reshape(3, 4)
    t = np.zeros((3, 4))
    with fastnet.using_backend(backend.name):
        assert F.sum_squared_error(y[:, :2], t[:, :2]) == 93.5


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("loss", ["mean_squared_error", "sigmoid_binary_cross_entropy"])
def test_elementwise_losses_read_row_strided_views(backend, reference, dtype, loss, view):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 4)).astype(dtype)
    t = rng.random((5, 4)).astype(dtype)
    x_view, t_view = VIEWS[view](x), VIEWS[view](t)
    expected = getattr(reference, loss)(x_view.copy(), t_view.copy())
    _assert_same(getattr(backend, loss)(x_view, t_view), expected, dtype)


def test_finite_slice_is_not_reported_as_nan(backend):
    # The over-read reached a NaN outside the slice and blamed the input.
    y = np.zeros((3, 4))
    y[0, 3] = np.nan
    loss, dy = backend.mean_squared_error(y[:, :2], np.ones((3, 2)))
    assert loss == 1.0
    assert np.isfinite(dy).all()
