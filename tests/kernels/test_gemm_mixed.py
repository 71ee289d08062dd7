"""GEMM of mixed dtypes: float32 a against float64 b (the book's images
against its weights) gives NumPy's promotion, float64, on every backend.

The compiled GEMM widens a while packing it (csrc/gemm/pack_impl.h,
pack_a32_sliver) instead of converting all of a first; these tests hold it
to the reference over the awkward shapes of test_gemm.py, every layout and
every micro-kernel this CPU runs. The other mix (float64 a, float32 b) is
converted by the checks and must give the same float64 result.
"""

import importlib
import tracemalloc

import numpy as np
import pytest
from _gemm_cases import SHAPE_IDS, SHAPES, TRANS_IDS, TRANSPOSES, seeded_rng
from _odd_layouts import misaligned

from fastnet.backend import ACTIVATIONS, load

G = pytest.importorskip("fastnet.gemm", reason="fastnet's compiled GEMM is not built")
compiled_gemm = importlib.import_module("fastnet.backend.cython.gemm")
EPS64 = float(np.finfo(np.float64).eps)
# The product is float64 whatever the mix, so float64's tolerance applies;
# the float32 operand's values are exact in float64.
MIXES = {"a32_b64": (np.float32, np.float64), "a64_b32": (np.float64, np.float32)}


def _operands(m, n, k, mix, trans_a, trans_b, layout="contiguous", seed=0):
    a_dtype, b_dtype = MIXES[mix]
    rng = seeded_rng("mixed", m, n, k, mix, trans_a, trans_b, layout, seed)
    a_shape = (k, m) if trans_a else (m, k)
    b_shape = (n, k) if trans_b else (k, n)
    if layout == "strided":  # every other column of a wider array: not contiguous
        a = rng.uniform(-1, 1, (a_shape[0], 2 * a_shape[1])).astype(a_dtype)[:, ::2]
        b = rng.uniform(-1, 1, (b_shape[0], 2 * b_shape[1])).astype(b_dtype)[:, ::2]
    else:
        a = rng.uniform(-1, 1, a_shape).astype(a_dtype)
        b = rng.uniform(-1, 1, b_shape).astype(b_dtype)
    bias = rng.uniform(-1, 1, n)  # float64
    return a, b, bias


def _assert_close(actual, expected, k):
    assert actual.dtype == np.float64 == expected.dtype
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=4 * EPS64, atol=4 * EPS64 * max(k, 1))


@pytest.mark.parametrize("layout", ["contiguous", "strided"])
@pytest.mark.parametrize("mix", MIXES)
@pytest.mark.parametrize("trans", TRANSPOSES, ids=TRANS_IDS)
@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_mixed_gemm_matches_numpy_promotion(backend, reference, shape, trans, mix, layout):
    m, n, k = shape
    a, b, bias = _operands(m, n, k, mix, *trans, layout=layout)
    expected = reference.gemm(a, b, bias, "identity", *trans)
    np.testing.assert_array_equal(
        expected, (a.T if trans[0] else a) @ (b.T if trans[1] else b) + bias)
    _assert_close(backend.gemm(a, b, bias, "identity", *trans), expected, k)


@pytest.mark.parametrize("bias_dtype", [None, np.float32, np.float64], ids=str)
def test_mixed_gemm_bias_of_either_dtype(backend, reference, bias_dtype):
    a, b, bias = _operands(9, 11, 13, "a32_b64", False, False)
    bias = None if bias_dtype is None else bias.astype(bias_dtype)
    expected = reference.gemm(a, b, bias, "relu")
    _assert_close(backend.gemm(a, b, bias, "relu"), expected, 13)


@pytest.mark.parametrize("kernel", compiled_gemm.available_kernels())
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("trans", TRANSPOSES, ids=TRANS_IDS)
@pytest.mark.parametrize("shape", [(100, 50, 784), (7, 17, 257), (145, 40, 20), (3, 300, 5)],
                         ids=str)
def test_every_micro_kernel_widens_a(reference, kernel, activation, trans, shape):
    """The packed GEMM itself (path "fastnet"), each kernel this CPU runs."""
    cython = load("cython")
    path, before = G.get_gemm_path(), G.simd_kernel()
    G.set_gemm_path("fastnet")
    G.set_simd_kernel(kernel)
    try:
        m, n, k = shape
        a, b, bias = _operands(m, n, k, "a32_b64", *trans, seed=1)
        expected = reference.gemm(a, b, bias, activation, *trans)
        _assert_close(cython.gemm(a, b, bias, activation, *trans), expected, k)
    finally:
        G.set_gemm_path(path)
        G.set_simd_kernel(before)


def test_mixed_gemm_reads_misaligned_float32(backend, reference):
    a = misaligned(np.linspace(-1, 1, 35, dtype=np.float32).reshape(5, 7))
    b = np.linspace(1, 2, 21).reshape(7, 3)
    _assert_close(backend.gemm(a, b), reference.gemm(a, b), 7)


def test_compiled_gemm_makes_no_float64_copy_of_a():
    """A float32 batch against float64 weights is widened while packed: the
    call allocates its output, not a float64 copy of the batch (issue 13)."""
    cython = load("cython")
    path = G.get_gemm_path()
    G.set_gemm_path("fastnet")
    try:
        a = np.ones((2000, 784), np.float32)
        w = np.full((784, 50), 0.5)
        cython.gemm(a, w)  # warm: first-call allocations are not the point
        tracemalloc.start()
        c = cython.gemm(a, w)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        G.set_gemm_path(path)
    np.testing.assert_array_equal(c, np.full((2000, 50), 392.0))
    assert peak < a.nbytes, f"gemm allocated {peak} bytes: a float64 copy of a is {2 * a.nbytes}"


def test_packed_entry_point_refuses_other_mixes():
    """The Cython wrapper computes only float32 a x float64 b; the checks convert
    every other mix before it, and the wrapper refuses one that slipped past."""
    from fastnet import _gemm

    a, b = np.ones((2, 3)), np.ones((3, 4), np.float32)
    c = np.empty((2, 4), np.float32)
    with pytest.raises(TypeError, match="float32 a with float64 b"):
        _gemm.packed(a, b, None, 0, False, False, c, 0)
