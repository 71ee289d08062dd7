"""The numerical-gradient kernels, compiled vs their NumPy reference, at chapter 4's shapes.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 \
        pytest benchmarks/bench_numgrad_kernels.py --benchmark-group-by=group

Groups (batch 100 of the bundled digits; TwoLayerNet(784, 50, 10)):
  affine_jet sigmoid 100x50->10   the hidden layer's loss series (degree 7)
  affine_jet identity 100x10      the score layer's
  series_sum 784x50 [1, 3]        W1's central differences from the series, the
                                  digits' zero pixels skipped by the kernel
The whole numerical gradient against the book's loop: benchmarks/bench_numgrad.py.
"""

import numpy as np
import pytest

from fastnet import datasets, using_backend
from fastnet.numgrad import kernels

DEGREE = 7


def _softmax(a):
    e = np.exp(a - a.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _chapter4(units, classes):
    rng = np.random.default_rng(0)
    (x, t), _ = datasets.load_mnist(source="bundled")
    rows = rng.choice(len(x), 100, replace=False)
    W1 = rng.standard_normal((784, units)) * 0.01
    W2 = rng.standard_normal((units, classes)) * 0.01
    X = x[rows].astype(np.float64)
    A = X @ W1
    y = _softmax((1 / (1 + np.exp(-A))) @ W2)
    return X, A, W2, y, t[rows].astype(np.int64)


def _run(benchmark, impl, group, function, *args):
    benchmark.group = group
    with using_backend(impl):  # "numpy": the reference; "cython": the compiled kernel
        got = benchmark(function, *args)
    with using_backend("numpy"):
        want = function(*args)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-14 * np.abs(want).max())


@pytest.mark.parametrize("impl", ["numpy", "cython"])
def test_affine_jet_sigmoid(benchmark, impl):
    X, A, W2, y, t = _chapter4(50, 10)
    _run(benchmark, impl, "affine_jet sigmoid 100x50->10", kernels.affine_jet, y, t, A,
         "sigmoid", W2, DEGREE)


@pytest.mark.parametrize("impl", ["numpy", "cython"])
def test_affine_jet_identity(benchmark, impl):
    X, A, W2, y, t = _chapter4(50, 10)
    scores = A[:, :10]
    _run(benchmark, impl, "affine_jet identity 100x10", kernels.affine_jet, y, t, scores,
         "identity", np.eye(10), DEGREE)


@pytest.mark.parametrize("impl", ["numpy", "cython"])
def test_series_sum(benchmark, impl):
    X, A, W2, y, t = _chapter4(50, 10)
    rng = np.random.default_rng(1)
    g = rng.standard_normal((100, 50, DEGREE)) * 1e-3
    valid = np.ones((100, 50), bool)
    w = rng.standard_normal((784, 50)) * 0.01
    up, down = (w + 1e-4) - w, (w - 1e-4) - w
    _run(benchmark, impl, "series_sum 784x50 [1, 3]", kernels.series_sum, X, g, valid, up,
         down, [1, 3], 1e-4)
