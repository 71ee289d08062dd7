"""Small products, where the call costs more than the arithmetic (issue 13).

A single row (a batch-1 forward) or column is a vector product: the compiled
backend's "auto" path hands it to NumPy's matmul (OpenBLAS's gemv reads the
matrix in place; the packed GEMM would copy all of it first), and the result
must be the reference's whatever the path.
"""

import importlib

import numpy as np
import pytest

from fastnet.backend import ACTIVATIONS, load

G = pytest.importorskip("fastnet.gemm", reason="fastnet's compiled GEMM is not built")
compiled_gemm = importlib.import_module("fastnet.backend.cython.gemm")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(1, 50, 784), (100, 1, 50), (1, 1, 7)], ids=str)
def test_vector_products_take_numpys_path(shape, dtype):
    assert G.gemm_path_for(*shape, dtype) == "numpy"


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
