"""fastnet._numgrad.series_sum against its NumPy reference: the central differences of a
layer's weights summed from the loss series (awkward sizes: units go 8 at a time; inputs
that are 0 are skipped, as MNIST's border pixels)."""

import numpy as np
import pytest

import fastnet
from fastnet import _numgrad
from fastnet.numgrad import kernels, reference

H = 1e-4


def case(n, inputs, units, degree, seed, zeros=0.5):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, inputs))
    X[rng.random((n, inputs)) < zeros] = 0.0
    g = rng.standard_normal((n, units, degree))
    valid = rng.random((n, units)) < 0.9
    w = rng.standard_normal((inputs, units)) * 0.1
    up = (w + H) - w
    down = (w - H) - w
    return X, g, valid, up, down


@pytest.mark.parametrize("n, inputs, units", [
    (1, 1, 1), (3, 7, 8), (2, 13, 9), (17, 5, 16), (5, 3, 17), (0, 4, 5), (4, 0, 3),
    (6, 4, 0), (31, 23, 50)])
@pytest.mark.parametrize("powers", [[1], [1, 3], [1, 2, 3, 5, 7], []])
def test_compiled_matches_reference(n, inputs, units, powers):
    X, g, valid, up, down = case(n, inputs, units, 7, 1)
    pw = np.array(powers, np.int64)
    want = reference.series_sum(X, g, valid.astype(np.uint8), up, down, pw, H)
    got = _numgrad.series_sum(X, g, valid.astype(np.uint8), up, down, pw, H)
    assert got.shape == (inputs, units)
    top = np.abs(want).max(initial=1.0)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14 * top * max(n, 1))


def test_a_column_of_zeros_gives_exact_zeros_and_untrusted_pairs_add_nothing():
    X, g, valid, up, down = case(9, 6, 11, 7, 2)
    X[:, 2] = 0.0
    valid[:, 4] = False
    got = kernels.series_sum(X, g, valid, up, down, [1, 3], H)
    assert (got[2] == 0).all() and (got[:, 4] == 0).all()
    g_changed = g.copy()
    g_changed[:, 4] = 1e300  # not read where untrusted
    np.testing.assert_array_equal(kernels.series_sum(X, g_changed, valid, up, down, [1, 3], H),
                                  got)


def test_same_bits_on_one_and_two_threads():
    X, g, valid, up, down = case(100, 300, 50, 7, 3, zeros=0.8)
    pw = np.array([1, 3], np.int64)
    results = []
    for threads in (1, 2):  # conftest restores the count after the test
        fastnet.set_num_threads(threads)
        results.append(_numgrad.series_sum(X, g, valid.astype(np.uint8), up, down, pw, H))
    np.testing.assert_array_equal(*results)


def test_checked_wrapper_takes_strided_float32_input():
    X, g, valid, up, down = case(7, 5, 9, 7, 4)
    X32 = X.astype(np.float32)
    want = reference.series_sum(X32.astype(np.float64), g, valid, up, down, [1, 3], H)
    got = kernels.series_sum(np.asfortranarray(X32), g[:, :, ::1], valid.tolist(),
                             np.asfortranarray(up), down.copy(order="F"), (1, 3), H)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-16)


@pytest.mark.parametrize("bad, error, message", [
    (dict(powers=[0, 1]), ValueError, "powers"), (dict(powers=[8]), ValueError, "powers"),
    (dict(powers=[1.5]), TypeError, "integers"), (dict(h=0.0), ValueError, "h"),
    (dict(h="1e-4"), ValueError, "h"), (dict(valid=np.ones((3, 3), bool)), ValueError, "valid"),
    (dict(up=np.zeros((5, 8))), ValueError, "up"), (dict(X=np.zeros(7)), ValueError, "X"),
    (dict(g=np.zeros((7, 9, 7), complex)), TypeError, "real"),
    (dict(valid=np.ones((7, 9))), TypeError, "mask")])
def test_bad_input_is_a_clear_error(bad, error, message):
    X, g, valid, up, down = case(7, 5, 9, 7, 5)
    args = dict(X=X, g=g, valid=valid, up=up, down=down, powers=[1, 3], h=H) | bad
    with pytest.raises(error, match=message):
        kernels.series_sum(**args)


@pytest.mark.parametrize("kind", ["misaligned", "big-endian"])
def test_odd_layouts_are_read_as_their_values(kind):
    # np.ascontiguousarray leaves a misaligned array as it is: the kernel must
    # not load its doubles unaligned (UBSan's find in the sanitized fuzz).
    from _odd_layouts import odd_layout

    X, g, valid, up, down = case(9, 13, 11, 7, 6)
    want = reference.series_sum(X, g, valid, up, down, [1, 3], H)
    odd = [odd_layout(a, kind) for a in (X, g, up, down)]
    got = kernels.series_sum(odd[0], odd[1], valid, odd[2], odd[3], [1, 3], H)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14 * np.abs(want).max())
    if kind == "misaligned":  # the compiled module itself, past the Python checks
        got = _numgrad.series_sum(odd[0], odd[1], valid.astype(np.uint8), odd[2], odd[3],
                                  np.array([1, 3], np.int64), H)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14 * np.abs(want).max())
