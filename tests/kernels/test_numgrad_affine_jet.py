"""fastnet._numgrad.affine_jet against its NumPy reference, and the reference against
the loss it expands: a unit of the last hidden layer moved by δ, through its activation
and the weights to the logits (awkward sizes: the kernel takes 8 units at a time)."""

import numpy as np
import pytest

import fastnet
from fastnet import _numgrad
from fastnet.numgrad import kernels, reference

ACTIVATIONS = ("identity", "relu", "sigmoid", "tanh")
ACT = {"identity": lambda a: a, "relu": lambda a: np.maximum(a, 0),
       "sigmoid": lambda a: 1 / (1 + np.exp(-a)), "tanh": np.tanh}


def softmax(a):
    e = np.exp(a - a.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def case(n, units, classes, seed):
    rng = np.random.default_rng(seed)
    y = softmax(rng.standard_normal((n, classes)) * 3) if n and classes else np.zeros((n, classes))
    labels = rng.integers(0, classes, n) if classes else np.zeros(n, np.int64)
    pre = rng.standard_normal((n, units)) * 2
    w = rng.standard_normal((units, classes))
    return y, labels, pre, w


@pytest.mark.parametrize("n, units, classes", [
    (1, 1, 1), (3, 7, 10), (2, 8, 2), (5, 9, 17), (1, 17, 3), (0, 4, 5), (4, 0, 3), (7, 13, 10)])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("degree", [1, 7, 8])
def test_compiled_matches_reference(n, units, classes, activation, degree):
    y, labels, pre, w = case(n, units, classes, 1)
    want = reference.affine_jet(y, labels, pre, activation, w, degree)
    got = _numgrad.affine_jet(y, labels, pre, activation, w, degree)
    assert got.shape == (n, units, degree)
    top = np.abs(want).max(initial=1.0)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14 * top)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_reference_is_the_taylor_series_of_the_loss(activation):
    # The logits a = act(pre)·w + c; moving pre[n, j] by δ moves them by
    # (act(pre + δ) - act(pre))·w[j]. Compare Σ_m g_m δ^m with the loss change.
    y_unused, labels, pre, w = case(4, 3, 6, 2)
    rng = np.random.default_rng(3)
    c = rng.standard_normal((4, 6))
    logits = ACT[activation](pre) @ w + c
    g = reference.affine_jet(softmax(logits), labels, pre, activation, w, 8)
    rows = np.arange(4)
    for delta in (1e-2, -3e-3):
        for j in range(3):
            moved = pre.copy()
            moved[:, j] += delta
            if activation == "relu" and np.any(np.sign(moved[:, j]) != np.sign(pre[:, j])):
                continue  # a kink inside the step: the caller evaluates those directly
            new = softmax(ACT[activation](moved) @ w + c)[rows, labels]
            old = softmax(logits)[rows, labels]
            want = -np.log(new + 1e-7) + np.log(old + 1e-7)
            got = sum(g[:, j, m - 1] * delta ** m for m in range(1, 9))
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-15)


def test_same_bits_on_one_and_two_threads():
    y, labels, pre, w = case(300, 50, 10, 4)  # past the size that starts a second thread
    results = []
    for threads in (1, 2):  # conftest restores the count after the test
        fastnet.set_num_threads(threads)
        results.append(_numgrad.affine_jet(y, labels, pre, "sigmoid", w, 7))
    np.testing.assert_array_equal(*results)


def test_checked_wrapper_takes_strided_float32_input_and_lists():
    y, labels, pre, w = case(5, 9, 6, 5)
    want = reference.affine_jet(y, labels, pre.astype(np.float32).astype(np.float64), "tanh",
                                w, 7)
    wide = np.zeros((9, 12))
    wide[:, ::2] = w
    got = kernels.affine_jet(np.asfortranarray(y), labels.astype(np.int32).tolist(),
                             pre.astype(np.float32), "tanh", wide[:, ::2], 7)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("bad, error, message", [
    (dict(degree=9), ValueError, "degree"), (dict(activation="softplus"), ValueError, "one of"),
    (dict(degree=True), ValueError, "degree"),  # the fuzz's find: True ran as degree 1
    (dict(activation=None), ValueError, "one of"),
    (dict(labels=np.array([0, 1, 2, 9, 0])), ValueError, "labels"),
    (dict(labels=np.zeros(5)), TypeError, "integers"),
    (dict(y=np.zeros((4, 6))), ValueError, "match"), (dict(w=np.zeros((3, 6))), ValueError, "w"),
    (dict(pre=np.zeros((5, 9), complex)), TypeError, "real")])
def test_bad_input_is_a_clear_error(bad, error, message):
    y, labels, pre, w = case(5, 9, 6, 6)
    args = dict(y=y, labels=labels, pre=pre, activation="sigmoid", w=w, degree=7) | bad
    with pytest.raises(error, match=message):
        kernels.affine_jet(**args)


@pytest.mark.parametrize("kind", ["misaligned", "big-endian"])
def test_odd_layouts_are_read_as_their_values(kind):
    # np.ascontiguousarray leaves a misaligned array as it is: the kernels must
    # not load its doubles unaligned (UBSan's find in the sanitized fuzz).
    from _odd_layouts import odd_layout

    y, labels, pre, w = case(5, 9, 6, 7)
    want = reference.affine_jet(y, labels, pre, "sigmoid", w, 7)
    odd_y, odd_pre, odd_w = (odd_layout(a, kind) for a in (y, pre, w))
    got = kernels.affine_jet(odd_y, labels, odd_pre, "sigmoid", odd_w, 7)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
    da = np.random.default_rng(8).standard_normal((5, 9, 3, 6))
    want = reference.xent_jet(y, labels, da, 7)
    got = kernels.xent_jet(odd_y, labels, odd_layout(da, kind), 7)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
    if kind == "misaligned":  # the compiled module itself, past the Python checks
        got = _numgrad.affine_jet(odd_y, labels, odd_pre, "sigmoid", odd_w, 7)
        np.testing.assert_allclose(got, reference.affine_jet(y, labels, pre, "sigmoid", w, 7),
                                   rtol=1e-12, atol=1e-14)
