"""fastnet._numgrad.xent_jet against its NumPy reference, and the reference against
finite differences of the loss it expands (awkward sizes, both dtypes of input)."""

import numpy as np
import pytest

from fastnet import _numgrad
from fastnet.numgrad import kernels, reference


def softmax(a):
    e = np.exp(a - a.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def case(n, units, given, classes, seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((n, classes)) * 3
    da = rng.standard_normal((n, units, given, classes))
    labels = rng.integers(0, classes, n) if classes else np.zeros(n, np.int64)
    return softmax(a) if n and classes else np.zeros((n, classes)), labels, da, a


@pytest.mark.parametrize("n, units, given, classes", [
    (1, 1, 1, 1), (3, 5, 2, 7), (7, 13, 7, 10), (2, 3, 1, 17), (0, 4, 3, 5), (5, 0, 2, 3)])
@pytest.mark.parametrize("degree", [1, 7, 8])
def test_compiled_matches_reference(n, units, given, classes, degree):
    y, labels, da, _ = case(n, units, min(given, degree), classes, 1)
    want = reference.xent_jet(y, labels, da, degree)
    got = _numgrad.xent_jet(y, labels.astype(np.int64), np.ascontiguousarray(da), degree)
    assert got.shape == (n, units, degree)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_reference_is_the_taylor_series_of_the_loss():
    # ℓ(δ) - ℓ(0) from the series against the loss evaluated at δ, for small δ.
    y, labels, da, a = case(4, 3, 2, 6, 2)
    g = reference.xent_jet(y, labels, da, 8)
    for delta in (1e-2, -3e-3):
        move = da[:, :, 0, :] * delta + da[:, :, 1, :] * delta ** 2  # (n, units, C)
        rows = np.arange(4)
        for u in range(3):
            new = softmax(a + move[:, u])[rows, labels]
            want = -np.log(new + 1e-7) + np.log(y[rows, labels] + 1e-7)
            got = sum(g[:, u, m - 1] * delta ** m for m in range(1, 9))
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-15)


def test_checked_wrapper_takes_strided_input_and_other_label_types():
    y, labels, da, _ = case(5, 4, 3, 6, 3)
    want = reference.xent_jet(y, labels, da, 7)
    wide = np.zeros((5, 4, 3, 12))
    wide[..., ::2] = da
    got = kernels.xent_jet(np.asfortranarray(y), labels.astype(np.int32), wide[..., ::2], 7)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("bad, message", [
    (dict(degree=9), "degree"), (dict(degree=2), "coefficients"),
    (dict(labels=np.array([0, 1, 2, 9, 0])), "labels"), (dict(y=np.zeros((4, 6))), "match")])
def test_bad_input_is_a_value_error(bad, message):
    y, labels, da, _ = case(5, 4, 3, 6, 4)
    args = dict(y=y, labels=labels, da=da, degree=7) | bad
    with pytest.raises(ValueError, match=message):
        kernels.xent_jet(**args)
