"""Small products, where the call costs more than the arithmetic (issue 13).

A row's result must not depend on the batch it is computed in: the compiled
backend keeps single rows on its own GEMM, whose lone-row kernel (B read in
place, no packing) sums every element in the packed GEMM's order, because
scikit-learn's estimator checks and fastnet serve's micro-batching compare a
row computed alone with the same row computed in a batch.
"""

import importlib

import numpy as np
import pytest

from fastnet.backend import ACTIVATIONS, load

G = pytest.importorskip("fastnet.gemm", reason="fastnet's compiled GEMM is not built")
# The cython backend's gemm module: the kernels this CPU runs.
compiled_gemm = importlib.import_module("fastnet.backend.cython.gemm")


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("w_dtype", [np.float32, np.float64])
@pytest.mark.parametrize("k", [7, 784])
def test_a_row_alone_equals_the_row_in_a_batch(k, w_dtype, activation):
    rng = np.random.default_rng(k)
    x = rng.uniform(-1, 1, (20, k)).astype(np.float32)
    w = rng.uniform(-1, 1, (k, 50)).astype(w_dtype)
    bias = rng.uniform(-1, 1, 50).astype(w_dtype)
    cython = load("cython")
    batch = cython.gemm(x, w, bias, activation)
    for i in (0, 7, 19):
        np.testing.assert_array_equal(cython.gemm(x[i:i + 1], w, bias, activation),
                                      batch[i:i + 1])


@pytest.fixture(params=compiled_gemm.available_kernels())
def each_kernel(request):
    """Every SIMD kernel this CPU runs on fastnet's own path (auto would hand a
    kernel narrower than the CPU's widest to NumPy), restored after the test."""
    before = G.simd_kernel(), G.get_gemm_path()
    G.set_simd_kernel(request.param)
    G.set_gemm_path("fastnet")
    yield request.param
    G.set_simd_kernel(before[0])
    G.set_gemm_path(before[1])


@pytest.mark.parametrize("w_dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [1, 3, 10, 17, 50, 100, 257])
@pytest.mark.parametrize("k", [1, 5, 256, 257, 784, 1000])
def test_a_lone_row_sums_as_the_batch_does_at_awkward_sizes(each_kernel, k, n, w_dtype):
    """Up to 4 rows take the lone-row kernel (B read in place, no packing):
    their results must still equal those rows of a batch, bit for bit,
    whatever the edge widths (n), k-blocks (k over 256) and micro-kernel."""
    rng = np.random.default_rng(1000 * k + n)
    x = rng.uniform(-1, 1, (13, k)).astype(w_dtype)
    w = rng.uniform(-1, 1, (k, n)).astype(w_dtype)
    bias = rng.uniform(-1, 1, n).astype(w_dtype)
    cython = load("cython")
    for activation in ("identity", "sigmoid"):
        batch = cython.gemm(x, w, bias, activation)
        # 1-4 rows take the lone-row kernel (one by one), 5 and 7 the packed GEMM.
        for rows in (slice(0, 1), slice(12, 13), slice(3, 5), slice(9, 12), slice(0, 4),
                     slice(2, 7), slice(6, 13)):
            np.testing.assert_array_equal(cython.gemm(x[rows], w, bias, activation),
                                          batch[rows])


@pytest.mark.parametrize("w_dtype", [np.float32, np.float64])
def test_a_lone_row_from_strided_views_sums_as_the_batch_does(each_kernel, w_dtype):
    """A column-strided row of A, a float32 row against float64 weights (widened
    on the way) and B a slice of a wider matrix (rows contiguous, row stride
    larger than n) all take the lone-row kernel."""
    rng = np.random.default_rng(7)
    x = rng.uniform(-1, 1, (9, 2 * 300)).astype(np.float32)[:, ::2]
    w = rng.uniform(-1, 1, (300, 90)).astype(w_dtype)[:, 5:75]
    cython = load("cython")
    batch = cython.gemm(x, w, None, "relu")
    for i in (0, 4, 8):
        np.testing.assert_array_equal(cython.gemm(x[i:i + 1], w, None, "relu"), batch[i:i + 1])
    np.testing.assert_allclose(batch, np.maximum(x.astype(w_dtype) @ w, 0),
                               rtol=1e-5 if w_dtype == np.float32 else 1e-12, atol=1e-4)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("b_dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(1, 50, 784), (100, 1, 50), (1, 1, 7)], ids=str)
def test_vector_products_match_reference(reference, shape, b_dtype, activation):
    m, n, k = shape
    rng = np.random.default_rng(m * n * k)
    a = rng.uniform(-1, 1, (m, k)).astype(np.float32)
    b = rng.uniform(-1, 1, (k, n)).astype(b_dtype)
    bias = rng.uniform(-1, 1, n).astype(b_dtype)
    expected = reference.gemm(a, b, bias, activation)
    got = load("cython").gemm(a, b, bias, activation)
    assert got.dtype == expected.dtype
    rtol = 1e-5 if b_dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol * k)


def test_gemm_checks_refuse_an_unhashable_activation():
    with pytest.raises(ValueError, match="activation must be one of"):
        load("cython").gemm(np.ones((2, 2)), np.ones((2, 2)), None, ["relu"])
