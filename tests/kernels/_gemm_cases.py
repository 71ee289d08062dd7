"""What the GEMM tests share (test_gemm*.py): the compiled ladder, the awkward
sizes, seeded operands and the tolerance a sum of K products earns.

Importing this module skips the importing test module when fastnet's compiled
GEMM is not built.
"""

import zlib

import numpy as np
import pytest

G = pytest.importorskip("fastnet.gemm", reason="fastnet's compiled GEMM is not built")
from fastnet import _gemm  # noqa: E402  (built, since fastnet.gemm imported)

# A float32 sum of K products of values in [-1, 1) is off by at most about
# K·eps from the exact sum, whatever order the kernel adds in.
EPS = {np.float32: float(np.finfo(np.float32).eps), np.float64: float(np.finfo(np.float64).eps)}

# (m, n, k): 1, primes, 0, one past MR/NR/KC/MC, needle's 72x73x74.
SHAPES = [
    (1, 1, 1),
    (7, 13, 97),
    (97, 7, 13),
    (7, 17, 257),  # MR+1, NR+1 (float32), KC+1
    (6, 16, 256),  # exactly one float32 micro-tile, one k-block
    (145, 9, 5),  # MC+1 (float32), NR+1 (float64)
    (73, 33, 50),  # MC+1 (float64)
    (72, 73, 74),
    (100, 50, 60),  # n = 50: the book's narrow layers (A read in place)
    (13, 300, 37),  # n > 256: A packed (4x4 transposes for float32)
    (0, 5, 3),
    (5, 0, 3),
    (5, 3, 0),
    (0, 0, 0),
]
SHAPE_IDS = [f"{m}x{n}x{k}" for m, n, k in SHAPES]
TRANSPOSES = [(False, False), (True, False), (False, True), (True, True)]
TRANS_IDS = ["NN", "TN", "NT", "TT"]

HAVE_AVX2 = _gemm.have_avx2()
HAVE_AVX512 = _gemm.have_avx512()


def seeded_rng(*key):
    # crc32, not hash(): str hashes change between runs, the data must not.
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def uniform(rng, shape, dtype):
    return rng.uniform(-1, 1, size=shape).astype(dtype)


def operands(m, n, k, dtype, trans_a=False, trans_b=False, bias=False, seed=0):
    """a, b, bias stored so that op(a) is (m, k) and op(b) is (k, n)."""
    rng = seeded_rng(m, n, k, np.dtype(dtype).char, trans_a, trans_b, seed)
    a = uniform(rng, (k, m) if trans_a else (m, k), dtype)
    b = uniform(rng, (n, k) if trans_b else (k, n), dtype)
    c_bias = uniform(rng, (n,), dtype) if bias else None
    return a, b, c_bias


def assert_close(actual, expected, k, dtype):
    dtype = np.dtype(dtype).type
    assert actual.dtype == expected.dtype
    assert actual.shape == expected.shape
    atol = 4 * EPS[dtype] * max(k, 1)
    np.testing.assert_allclose(actual, expected, rtol=4 * EPS[dtype], atol=atol)


def views(dtype):
    """(name, a, b): op(a) (m, k) and op(b) (k, n) as non-contiguous views."""
    rng = seeded_rng("views", np.dtype(dtype).char)
    big_a = uniform(rng, (60, 90), dtype)
    big_b = uniform(rng, (90, 70), dtype)
    return [
        ("step_slices", big_a[::2, ::3], big_b[::3, ::2]),
        ("column_slices", big_a[:, 5:35], big_b[10:40, 3:60]),
        ("negative_strides", big_a[::-1, ::-3], big_b[::-3, ::-1]),
        ("fortran", np.asfortranarray(big_a[:, :30]), np.asfortranarray(big_b[:30])),
        ("transposed_views", big_b.T[:, :40], big_a.T[:40, :17]),
    ]
