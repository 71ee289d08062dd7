"""GEMM, C := act(op(A)·op(B) + bias): every backend's `gemm` against the
NumPy reference (the ladder of compiled rungs is test_gemm_ladder.py, the
cython backend's own kernels, paths and threads test_gemm_cython.py).

Sizes are awkward on purpose: 1, primes, 0, and one past the micro-tile
(MR = 6, NR = 16 float32 / 8 float64) and block sizes (KC = 256, MC = 144
float32 / 72 float64, NC = 4096) of csrc/gemm/dtype_f*.h, so no edge path
goes untested. Operands are also transposed, sliced with steps, reversed
(negative strides) and Fortran-ordered.
"""

import numpy as np
import pytest
from _gemm_cases import (
    EPS,
    SHAPE_IDS,
    SHAPES,
    TRANS_IDS,
    TRANSPOSES,
    assert_close,
    operands,
    seeded_rng,
    uniform,
    views,
)
from _odd_layouts import misaligned

from fastnet.backend import ACTIVATIONS


@pytest.mark.parametrize("trans", TRANSPOSES, ids=TRANS_IDS)
@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_gemm_matches_reference(backend, reference, shape, trans, dtype):
    m, n, k = shape
    trans_a, trans_b = trans
    a, b, bias = operands(m, n, k, dtype, trans_a, trans_b, bias=True)
    expected = reference.gemm(a, b, bias, "identity", trans_a, trans_b)
    c = backend.gemm(a, b, bias, "identity", trans_a, trans_b)
    assert c.flags.c_contiguous
    assert_close(c, expected, k, dtype)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("with_bias", [False, True], ids=["no_bias", "bias"])
@pytest.mark.parametrize("shape", [(13, 50, 97), (7, 17, 257), (5, 3, 0)], ids=str)
def test_gemm_epilogue(backend, reference, shape, with_bias, activation, dtype):
    m, n, k = shape
    a, b, bias = operands(m, n, k, dtype, bias=with_bias, seed=1)
    a *= 3  # reach the saturated parts of sigmoid and tanh
    expected = reference.gemm(a, b, bias, activation)
    assert_close(backend.gemm(a, b, bias, activation), expected, 3 * k, dtype)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_epilogue_extreme_values(backend, reference, activation, dtype):
    """Saturation, underflow and tiny |x| (where tanh's 1 - e^-2x would cancel)."""
    x = np.array([-1e4, -200, -50, -10, -1, -1e-4, -1e-30, 0, 1e-30, 1e-4, 1, 10, 50, 200, 1e4])
    a = x.astype(dtype)[:, None]  # (15, 1) · (1, 1): C is x itself
    b = np.ones((1, 1), dtype)
    expected = reference.gemm(a, b, None, activation)
    actual = backend.gemm(a, b, None, activation)
    tiny = float(np.finfo(dtype).tiny)
    np.testing.assert_allclose(actual, expected, rtol=4 * EPS[dtype], atol=tiny)


def test_gemm_leaves_inputs_alone(backend, dtype):
    a, b, bias = operands(9, 20, 11, dtype, bias=True)
    copies = [a.copy(), b.copy(), bias.copy()]
    backend.gemm(a, b, bias, "relu")
    for before, after in zip(copies, [a, b, bias]):
        np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize(
    "case",
    range(5),
    ids=["step_slices", "column_slices", "negative_strides", "fortran", "transposed_views"],
)
@pytest.mark.parametrize("trans_b", [False, True], ids=["N", "T"])
def test_gemm_reads_non_contiguous_views(backend, reference, case, trans_b, dtype):
    _, a, b = views(dtype)[case]
    b_arg = b.T if trans_b else b  # op(b_arg) is b either way
    bias = uniform(seeded_rng("bias", case), (2 * b.shape[1],), dtype)[::-2]  # strided bias too
    expected = reference.gemm(a, b_arg, bias, "tanh", False, trans_b)
    actual = backend.gemm(a, b_arg, bias, "tanh", False, trans_b)
    assert_close(actual, expected, a.shape[1], dtype)


def test_gemm_reads_misaligned_arrays(backend, reference, dtype):
    a, b, bias = operands(13, 21, 17, dtype, bias=True, seed=6)
    a_, b_, bias_ = misaligned(a), misaligned(b), misaligned(bias)
    expected = reference.gemm(a, b, bias, "tanh")
    assert_close(backend.gemm(a_, b_, bias_, "tanh"), expected, 17, dtype)
    assert_close(backend.gemm(a, b, bias_, "tanh"), expected, 17, dtype)


def test_mixed_dtypes_give_float64(backend):
    a = np.ones((3, 4), np.float32)
    b = np.ones((4, 5), np.float64)
    bias = np.ones(5, np.float32)
    c = backend.gemm(a, b, bias)
    assert c.dtype == np.float64
    np.testing.assert_array_equal(c, np.full((3, 5), 5.0))
