"""Small products, where the call costs more than the arithmetic (issue 13).

A row's result must not depend on the batch it is computed in: the compiled
backend keeps single rows on its own packed GEMM (the same summation order
as in a batch) even where NumPy's gemv would be faster, because scikit-learn's
estimator checks and fastnet serve's micro-batching compare a row computed
alone with the same row computed in a batch.
"""

import numpy as np
import pytest

from fastnet.backend import ACTIVATIONS, load

G = pytest.importorskip("fastnet.gemm", reason="fastnet's compiled GEMM is not built")


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
