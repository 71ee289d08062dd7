"""The GEMM ladder, rung by rung (fastnet.gemm: naive → reordered → blocked →
packed → AVX2 → AVX-512), against the NumPy reference.

Sizes are awkward on purpose (see _gemm_cases.SHAPES); operands are also
sliced with steps, reversed (negative strides), Fortran-ordered and misaligned.
"""

import numpy as np
import pytest
from _gemm_cases import (
    HAVE_AVX2,
    HAVE_AVX512,
    SHAPE_IDS,
    SHAPES,
    G,
    assert_close,
    operands,
    seeded_rng,
    uniform,
)
from _odd_layouts import misaligned

RUNGS = {
    "naive": G.gemm_naive,
    "reordered": G.gemm_reordered,
    "blocked": G.gemm_blocked,
    "packed_portable": G.gemm_packed_portable,
    "packed_simd": G.gemm_packed_simd,
    "packed_avx512": G.gemm_packed_avx512,
}
# The SIMD rungs run only where the CPU has their instructions.
RUNG_NEEDS = {"packed_simd": (HAVE_AVX2, "AVX2+FMA"), "packed_avx512": (HAVE_AVX512, "AVX-512F")}


def _skip_unless_cpu_runs(rung):
    have, what = RUNG_NEEDS.get(rung, (True, ""))
    if not have:
        pytest.skip(f"this CPU has no {what}")


@pytest.mark.parametrize("rung", RUNGS)
@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_rung_matches_reference(rung, shape, dtype, reference):
    _skip_unless_cpu_runs(rung)
    m, n, k = shape
    a, b, _ = operands(m, n, k, dtype)
    c = RUNGS[rung](a, b)
    assert c.flags.c_contiguous
    assert_close(c, reference.gemm(a, b), k, dtype)


@pytest.mark.parametrize("rung", RUNGS)
def test_rung_reads_strided_views(rung, dtype, reference):
    _skip_unless_cpu_runs(rung)
    rng = seeded_rng("rung-views", rung)
    a = uniform(rng, (40, 60), dtype)[::-2, 1::3]  # (20, 20), negative row stride
    b = np.asfortranarray(uniform(rng, (20, 19), dtype))
    assert_close(RUNGS[rung](a, b), reference.gemm(a, b), 20, dtype)


def test_simd_rung_is_refused_without_avx2(monkeypatch):
    monkeypatch.setattr(G._gemm, "have_avx2", lambda: False)
    with pytest.raises(RuntimeError, match="AVX2"):
        G.gemm_packed_simd(np.ones((2, 2)), np.ones((2, 2)))


def test_avx512_rung_is_refused_without_avx512(monkeypatch):
    monkeypatch.setattr(G._gemm, "have_avx512", lambda: False)
    with pytest.raises(RuntimeError, match="AVX-512"):
        G.gemm_packed_avx512(np.ones((2, 2)), np.ones((2, 2)))


def test_rungs_validate_their_input():
    with pytest.raises(ValueError, match=r"cannot multiply op\(a\) \(2, 3\) by op\(b\) \(2, 3\)"):
        G.gemm_naive(np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(TypeError, match="int64"):
        G.gemm_blocked(np.ones((2, 2), dtype=np.int64), np.ones((2, 2)))


def test_ladder_reads_misaligned_arrays():
    # The checks copy a misaligned input before any rung reads it.
    a = misaligned(np.ones((3, 3)))
    for rung in (G.gemm_naive, G.gemm_blocked, G.gemm_packed_portable):
        np.testing.assert_array_equal(rung(a, a), np.full((3, 3), 3.0))
