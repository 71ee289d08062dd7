"""GEMM, C := act(op(A)·op(B) + bias): every rung of the ladder and every
backend's `gemm` against the NumPy reference.

Sizes are awkward on purpose: 1, primes, 0, and one past the micro-tile
(MR = 6, NR = 16 float32 / 8 float64) and block sizes (KC = 256, MC = 144
float32 / 72 float64, NC = 4096) of csrc/gemm/dtype_f*.h, so no edge path
goes untested. Operands are also transposed, sliced with steps, reversed
(negative strides) and Fortran-ordered.
"""

import importlib
import os
import subprocess
import sys
import zlib
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from _odd_layouts import misaligned

import fastnet
from fastnet.backend import ACTIVATIONS, load

G = pytest.importorskip("fastnet.gemm", reason="fastnet's compiled GEMM is not built")
from fastnet import _gemm, _openmp  # noqa: E402  (built, since fastnet.gemm imported)

# The cython backend's gemm module (its package re-exports the kernel `gemm`
# under the same name, so the module is fetched by its full name).
compiled_gemm = importlib.import_module("fastnet.backend.cython.gemm")

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

RUNGS = {
    "naive": G.gemm_naive,
    "reordered": G.gemm_reordered,
    "blocked": G.gemm_blocked,
    "packed_portable": G.gemm_packed_portable,
    "packed_simd": G.gemm_packed_simd,
    "packed_avx512": G.gemm_packed_avx512,
}
HAVE_AVX2 = _gemm.have_avx2()
HAVE_AVX512 = _gemm.have_avx512()
KERNELS = ["portable"] + (["avx2"] if HAVE_AVX2 else []) + (["avx512"] if HAVE_AVX512 else [])
# The SIMD rungs run only where the CPU has their instructions.
RUNG_NEEDS = {"packed_simd": (HAVE_AVX2, "AVX2+FMA"), "packed_avx512": (HAVE_AVX512, "AVX-512F")}


def _skip_unless_cpu_runs(rung):
    have, what = RUNG_NEEDS.get(rung, (True, ""))
    if not have:
        pytest.skip(f"this CPU has no {what}")


def _rng(*key):
    # crc32, not hash(): str hashes change between runs, the data must not.
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def _uniform(rng, shape, dtype):
    return rng.uniform(-1, 1, size=shape).astype(dtype)


def _operands(m, n, k, dtype, trans_a=False, trans_b=False, bias=False, seed=0):
    """a, b, bias stored so that op(a) is (m, k) and op(b) is (k, n)."""
    rng = _rng(m, n, k, np.dtype(dtype).char, trans_a, trans_b, seed)
    a = _uniform(rng, (k, m) if trans_a else (m, k), dtype)
    b = _uniform(rng, (n, k) if trans_b else (k, n), dtype)
    c_bias = _uniform(rng, (n,), dtype) if bias else None
    return a, b, c_bias


def _assert_close(actual, expected, k, dtype):
    dtype = np.dtype(dtype).type
    assert actual.dtype == expected.dtype
    assert actual.shape == expected.shape
    atol = 4 * EPS[dtype] * max(k, 1)
    np.testing.assert_allclose(actual, expected, rtol=4 * EPS[dtype], atol=atol)


@pytest.fixture
def cython():
    try:
        return load("cython")
    except (ImportError, RuntimeError) as exc:
        pytest.skip(f"cython backend unavailable: {exc}")


@pytest.fixture(autouse=True)
def _restore_gemm_settings():
    path, kernel = G.get_gemm_path(), G.simd_kernel()
    yield
    G.set_gemm_path(path)
    G.set_simd_kernel(kernel)


# ------------------------------------------------------------------ ladder


@pytest.mark.parametrize("rung", RUNGS)
@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_rung_matches_reference(rung, shape, dtype, reference):
    _skip_unless_cpu_runs(rung)
    m, n, k = shape
    a, b, _ = _operands(m, n, k, dtype)
    c = RUNGS[rung](a, b)
    assert c.flags.c_contiguous
    _assert_close(c, reference.gemm(a, b), k, dtype)


@pytest.mark.parametrize("rung", RUNGS)
def test_rung_reads_strided_views(rung, dtype, reference):
    _skip_unless_cpu_runs(rung)
    rng = _rng("rung-views", rung)
    a = _uniform(rng, (40, 60), dtype)[::-2, 1::3]  # (20, 20), negative row stride
    b = np.asfortranarray(_uniform(rng, (20, 19), dtype))
    _assert_close(RUNGS[rung](a, b), reference.gemm(a, b), 20, dtype)


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


# ---------------------------------------------------------------- backends


@pytest.mark.parametrize("trans", TRANSPOSES, ids=TRANS_IDS)
@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_gemm_matches_reference(backend, reference, shape, trans, dtype):
    m, n, k = shape
    trans_a, trans_b = trans
    a, b, bias = _operands(m, n, k, dtype, trans_a, trans_b, bias=True)
    expected = reference.gemm(a, b, bias, "identity", trans_a, trans_b)
    c = backend.gemm(a, b, bias, "identity", trans_a, trans_b)
    assert c.flags.c_contiguous
    _assert_close(c, expected, k, dtype)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("with_bias", [False, True], ids=["no_bias", "bias"])
@pytest.mark.parametrize("shape", [(13, 50, 97), (7, 17, 257), (5, 3, 0)], ids=str)
def test_gemm_epilogue(backend, reference, shape, with_bias, activation, dtype):
    m, n, k = shape
    a, b, bias = _operands(m, n, k, dtype, bias=with_bias, seed=1)
    a *= 3  # reach the saturated parts of sigmoid and tanh
    expected = reference.gemm(a, b, bias, activation)
    _assert_close(backend.gemm(a, b, bias, activation), expected, 3 * k, dtype)


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
    a, b, bias = _operands(9, 20, 11, dtype, bias=True)
    copies = [a.copy(), b.copy(), bias.copy()]
    backend.gemm(a, b, bias, "relu")
    for before, after in zip(copies, [a, b, bias]):
        np.testing.assert_array_equal(before, after)


def _views(dtype):
    """(name, a, b): op(a) (m, k) and op(b) (k, n) as non-contiguous views."""
    rng = _rng("views", np.dtype(dtype).char)
    big_a = _uniform(rng, (60, 90), dtype)
    big_b = _uniform(rng, (90, 70), dtype)
    return [
        ("step_slices", big_a[::2, ::3], big_b[::3, ::2]),
        ("column_slices", big_a[:, 5:35], big_b[10:40, 3:60]),
        ("negative_strides", big_a[::-1, ::-3], big_b[::-3, ::-1]),
        ("fortran", np.asfortranarray(big_a[:, :30]), np.asfortranarray(big_b[:30])),
        ("transposed_views", big_b.T[:, :40], big_a.T[:40, :17]),
    ]


@pytest.mark.parametrize(
    "case",
    range(5),
    ids=["step_slices", "column_slices", "negative_strides", "fortran", "transposed_views"],
)
@pytest.mark.parametrize("trans_b", [False, True], ids=["N", "T"])
def test_gemm_reads_non_contiguous_views(backend, reference, case, trans_b, dtype):
    _, a, b = _views(dtype)[case]
    b_arg = b.T if trans_b else b  # op(b_arg) is b either way
    bias = _uniform(_rng("bias", case), (2 * b.shape[1],), dtype)[::-2]  # strided bias too
    expected = reference.gemm(a, b_arg, bias, "tanh", False, trans_b)
    actual = backend.gemm(a, b_arg, bias, "tanh", False, trans_b)
    _assert_close(actual, expected, a.shape[1], dtype)


def test_gemm_reads_misaligned_arrays(backend, reference, dtype):
    a, b, bias = _operands(13, 21, 17, dtype, bias=True, seed=6)
    a_, b_, bias_ = misaligned(a), misaligned(b), misaligned(bias)
    expected = reference.gemm(a, b, bias, "tanh")
    _assert_close(backend.gemm(a_, b_, bias_, "tanh"), expected, 17, dtype)
    _assert_close(backend.gemm(a, b, bias_, "tanh"), expected, 17, dtype)


def test_ladder_reads_misaligned_arrays():
    # The checks copy a misaligned input before any rung reads it.
    a = misaligned(np.ones((3, 3)))
    for rung in (G.gemm_naive, G.gemm_blocked, G.gemm_packed_portable):
        np.testing.assert_array_equal(rung(a, a), np.full((3, 3), 3.0))


def test_mixed_dtypes_give_float64(backend):
    a = np.ones((3, 4), np.float32)
    b = np.ones((4, 5), np.float64)
    bias = np.ones(5, np.float32)
    c = backend.gemm(a, b, bias)
    assert c.dtype == np.float64
    np.testing.assert_array_equal(c, np.full((3, 5), 5.0))


# ------------------------------------------------- the cython backend's paths


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("trans", TRANSPOSES, ids=TRANS_IDS)
@pytest.mark.parametrize(
    "shape", [(7, 17, 257), (100, 50, 60), (145, 40, 20), (3, 4100, 5)], ids=str
)
def test_both_micro_kernels(cython, reference, kernel, activation, trans, shape, dtype):
    """The portable, AVX2 and AVX-512 builds of the micro-kernel and of the epilogue."""
    G.set_gemm_path("fastnet")
    G.set_simd_kernel(kernel)
    assert G.simd_kernel() == kernel
    m, n, k = shape
    a, b, bias = _operands(m, n, k, dtype, *trans, bias=True, seed=2)
    expected = reference.gemm(a, b, bias, activation, *trans)
    _assert_close(cython.gemm(a, b, bias, activation, *trans), expected, k, dtype)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_numpy_path_epilogue_builds(cython, reference, kernel, activation, dtype):
    G.set_gemm_path("numpy")
    G.set_simd_kernel(kernel)
    a, b, bias = _operands(300, 70, 90, dtype, bias=True, seed=5)
    a *= 4  # reach the saturated parts of sigmoid and tanh
    expected = reference.gemm(a, b, bias, activation)
    _assert_close(cython.gemm(a, b, bias, activation), expected, 4 * 90, dtype)


@pytest.mark.skipif(not HAVE_AVX2, reason="this CPU has no AVX2+FMA")
def test_environment_caps_the_kernel():
    code = (
        "import numpy as np, fastnet.gemm as G; a = np.arange(12.0).reshape(3, 4);"
        "print(G.simd_kernel(), G.gemm_packed_portable(a, a.T)[2, 2])"
    )
    expected = str(float(np.arange(8.0, 12.0) @ np.arange(8.0, 12.0)))
    # FASTNET_SIMD, and its old name with the old spelling of avx2
    caps = [("FASTNET_SIMD", "portable", "portable"), ("FASTNET_GEMM_SIMD", "portable", "portable")]
    if HAVE_AVX512:
        caps += [("FASTNET_SIMD", "avx2", "avx2"), ("FASTNET_GEMM_SIMD", "avx2_fma", "avx2")]
    for variable, forced, level in caps:
        env = {k: v for k, v in os.environ.items() if k not in [name for name, _, _ in caps]}
        env[variable] = forced
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout
        # the last line: an editable install may print its rebuild first
        assert out.splitlines()[-1].split() == [level, expected], (variable, forced)


def test_unknown_settings_are_refused():
    with pytest.raises(ValueError, match="auto"):
        G.set_gemm_path("blas")
    with pytest.raises(ValueError, match="portable"):
        G.set_simd_kernel("neon")


@pytest.mark.skipif(not HAVE_AVX2, reason="this CPU has no AVX2+FMA")
def test_the_old_spelling_avx2_fma_still_sets_avx2():
    G.set_simd_kernel("avx2_fma")
    assert G.simd_kernel() == "avx2"


@pytest.mark.parametrize("path", ["auto", "fastnet", "numpy"])
@pytest.mark.parametrize("trans", TRANSPOSES, ids=TRANS_IDS)
@pytest.mark.parametrize("shape", [(7, 13, 97), (72, 73, 74), (5, 3, 0), (0, 4, 2)], ids=str)
def test_each_path_matches_reference(cython, reference, path, trans, shape, dtype):
    G.set_gemm_path(path)
    assert G.get_gemm_path() == path
    m, n, k = shape
    a, b, bias = _operands(m, n, k, dtype, *trans, bias=True, seed=3)
    expected = reference.gemm(a, b, bias, "sigmoid", *trans)
    _assert_close(cython.gemm(a, b, bias, "sigmoid", *trans), expected, k, dtype)


@pytest.mark.parametrize("path", ["fastnet", "numpy"])
def test_each_path_reads_non_contiguous_views(cython, reference, path, dtype):
    G.set_gemm_path(path)
    for name, a, b in _views(dtype):
        bias = np.linspace(-1, 1, 2 * b.shape[1]).astype(dtype)[::2]
        expected = reference.gemm(a, b, bias, "relu")
        actual = cython.gemm(a, b, bias, "relu")
        assert actual.flags.c_contiguous, name
        _assert_close(actual, expected, a.shape[1], dtype)


def test_auto_rule_is_inspectable():
    for m, n, k in [(1, 1, 1), (100, 50, 784), (1024, 1024, 1024), (4096, 4096, 8), (0, 3, 2)]:
        for dtype in (np.float32, np.float64, "float32"):
            assert G.gemm_path_for(m, n, k, dtype) in ("fastnet", "numpy")


@pytest.mark.skipif(not HAVE_AVX2, reason="this CPU has no AVX2+FMA")
def test_auto_rule_follows_its_documented_measurements(monkeypatch):
    # As on an AVX2 CPU without AVX-512 (AMD Zen 3), where the rule was measured (1 thread).
    fastnet.set_num_threads(1)
    monkeypatch.setitem(compiled_gemm._KERNEL_AVAILABLE, "avx512", lambda: False)
    G.set_simd_kernel("avx2")
    assert G.gemm_path_for(1024, 1024, 1024, np.float64) == "fastnet"
    assert G.gemm_path_for(1024, 1024, 1024, np.float32) == "numpy"  # big: OpenBLAS
    assert G.gemm_path_for(100, 784, 50, np.float32) == "fastnet"  # dY·W.T: no padding
    assert G.gemm_path_for(100, 50, 784, np.float32) == "numpy"  # n = 50: 14 % padding
    assert G.gemm_path_for(100, 10, 50, np.float32) == "fastnet"  # small: call overhead
    G.set_simd_kernel("portable")
    assert G.gemm_path_for(100, 784, 50, np.float64) == "numpy"


@pytest.mark.skipif(not HAVE_AVX512, reason="this CPU has no AVX-512F")
def test_auto_rule_on_an_avx512_cpu():
    fastnet.set_num_threads(1)
    G.set_simd_kernel("avx512")
    assert G.gemm_path_for(1024, 1024, 1024, np.float64) == "fastnet"
    assert G.gemm_path_for(100, 784, 50, np.float32) == "fastnet"  # 8 % padding
    assert G.gemm_path_for(100, 50, 784, np.float32) == "numpy"  # n = 50: 38 % padding
    # A narrower kernel than the CPU's widest loses to OpenBLAS, which uses it.
    G.set_simd_kernel("avx2")
    assert G.gemm_path_for(1024, 1024, 1024, np.float64) == "numpy"
    assert G.gemm_path_for(100, 784, 50, np.float32) == "numpy"


@pytest.mark.skipif(not _openmp.have_openmp(), reason="serial build: always 1 thread")
def test_auto_rule_keeps_products_off_openblas_when_threaded():
    """With threads, OpenBLAS's spinning workers would take cores from fastnet's
    OpenMP team: every product the widest kernel can do stays with fastnet."""
    G.set_simd_kernel(compiled_gemm.widest_kernel())
    shapes = [(1024, 1024, 1024), (100, 50, 784)]
    fastnet.set_num_threads(1)
    one = [G.gemm_path_for(*shape, np.float32) for shape in shapes]
    fastnet.set_num_threads(2)
    assert [G.gemm_path_for(*shape, np.float32) for shape in shapes] == ["fastnet"] * 2
    if G.simd_kernel() != "portable":  # else NumPy always: nothing to show
        assert "numpy" in one
    G.set_simd_kernel("portable")  # a kernel narrower than OpenBLAS's: NumPy still
    assert G.gemm_path_for(1024, 1024, 1024, np.float32) == "numpy"


@pytest.mark.skipif(not _openmp.have_openmp(), reason="serial build: always 1 thread")
@pytest.mark.parametrize("trans", TRANSPOSES, ids=TRANS_IDS)
# 2mnk >= 2^24 (FN_GEMM_PARALLEL_MIN_FLOPS), so 2 threads really run: the
# first splits C's rows between them, the second its columns.
@pytest.mark.parametrize("shape", [(101, 150, 600), (64, 300, 500)], ids=str)
def test_one_and_two_threads_agree(cython, reference, shape, trans, dtype):
    G.set_gemm_path("fastnet")
    m, n, k = shape
    a, b, bias = _operands(m, n, k, dtype, *trans, bias=True, seed=4)
    fastnet.set_num_threads(1)
    one = cython.gemm(a, b, bias, "relu", *trans)
    fastnet.set_num_threads(2)
    two = cython.gemm(a, b, bias, "relu", *trans)
    _assert_close(two, one, k, dtype)
    _assert_close(two, reference.gemm(a, b, bias, "relu", *trans), k, dtype)


def test_concurrent_calls_from_python_threads(cython, reference, dtype):
    """Packing buffers belong to one call: calls in parallel must not mix."""
    G.set_gemm_path("fastnet")
    cases = [_operands(60 + i, 40 + 3 * i, 200, dtype, bias=True, seed=i) for i in range(8)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda args: cython.gemm(*args, "relu"), cases * 3))
    for (a, b, bias), c in zip(cases * 3, results):
        _assert_close(c, reference.gemm(a, b, bias, "relu"), 200, dtype)


# -------------------------------------------------------------- bad inputs

X = np.ones((4, 3))
W = np.ones((3, 5))
BAD = [
    ((X.ravel(), W), ValueError, r"a must be 2-D, got shape \(12,\)"),
    ((X, np.ones((3, 5, 1))), ValueError, r"b must be 2-D"),
    ((X, W.T), ValueError, r"cannot multiply op\(a\) \(4, 3\) by op\(b\) \(5, 3\)"),
    ((X, W, None, "identity", True), ValueError, r"op\(a\) \(3, 4\)"),
    ((X, W, np.zeros(4)), ValueError, r"bias must have shape \(5,\), got \(4,\)"),
    ((X, W, np.zeros((1, 5))), ValueError, r"bias must be 1-D"),
    ((X.astype(np.int32), W), TypeError, r"a must be float32 or float64, got dtype int32"),
    ((X, W.astype(np.complex64)), TypeError, r"b must be float32 or float64.*complex64"),
    ((X, W, None, "swish"), ValueError, r"activation must be one of"),
]


@pytest.mark.parametrize("args, error, message", BAD, ids=[m for _, _, m in BAD])
def test_bad_input_is_refused(cython, args, error, message):
    with pytest.raises(error, match=message):
        cython.gemm(*args)
