"""The cython backend's own GEMM choices against the NumPy reference: each
micro-kernel build (portable, AVX2, AVX-512), each path (fastnet, numpy, auto)
and the rule that picks one, one thread against two, calls from many Python
threads, and the input its checks refuse.
"""

import importlib
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from _gemm_cases import (
    HAVE_AVX2,
    HAVE_AVX512,
    TRANS_IDS,
    TRANSPOSES,
    G,
    assert_close,
    operands,
    views,
)

import fastnet
from fastnet import _openmp
from fastnet.backend import ACTIVATIONS, load

# The cython backend's gemm module (its package re-exports the kernel `gemm`
# under the same name, so the module is fetched by its full name).
compiled_gemm = importlib.import_module("fastnet.backend.cython.gemm")

KERNELS = ["portable"] + (["avx2"] if HAVE_AVX2 else []) + (["avx512"] if HAVE_AVX512 else [])


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
    a, b, bias = operands(m, n, k, dtype, *trans, bias=True, seed=2)
    expected = reference.gemm(a, b, bias, activation, *trans)
    assert_close(cython.gemm(a, b, bias, activation, *trans), expected, k, dtype)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_numpy_path_epilogue_builds(cython, reference, kernel, activation, dtype):
    G.set_gemm_path("numpy")
    G.set_simd_kernel(kernel)
    a, b, bias = operands(300, 70, 90, dtype, bias=True, seed=5)
    a *= 4  # reach the saturated parts of sigmoid and tanh
    expected = reference.gemm(a, b, bias, activation)
    assert_close(cython.gemm(a, b, bias, activation), expected, 4 * 90, dtype)


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
    a, b, bias = operands(m, n, k, dtype, *trans, bias=True, seed=3)
    expected = reference.gemm(a, b, bias, "sigmoid", *trans)
    assert_close(cython.gemm(a, b, bias, "sigmoid", *trans), expected, k, dtype)


@pytest.mark.parametrize("path", ["fastnet", "numpy"])
def test_each_path_reads_non_contiguous_views(cython, reference, path, dtype):
    G.set_gemm_path(path)
    for name, a, b in views(dtype):
        bias = np.linspace(-1, 1, 2 * b.shape[1]).astype(dtype)[::2]
        expected = reference.gemm(a, b, bias, "relu")
        actual = cython.gemm(a, b, bias, "relu")
        assert actual.flags.c_contiguous, name
        assert_close(actual, expected, a.shape[1], dtype)


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
    assert G.gemm_path_for(1024, 1024, 1024, np.float32) == "fastnet"  # big: sgemm no faster
    assert G.gemm_path_for(100, 784, 50, np.float32) == "fastnet"  # dY·W.T: no padding
    assert G.gemm_path_for(100, 50, 784, np.float32) == "fastnet"  # n = 50: 14 % padding
    assert G.gemm_path_for(100, 20, 784, np.float32) == "numpy"  # n = 20: 22 % padding
    assert G.gemm_path_for(100, 10, 784, np.float32) == "numpy"  # n = 10: 63 % padding
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
    shapes = [(1024, 1024, 1024), (100, 10, 784)]
    fastnet.set_num_threads(1)
    one = [G.gemm_path_for(*shape, np.float32) for shape in shapes]
    fastnet.set_num_threads(2)
    assert [G.gemm_path_for(*shape, np.float32) for shape in shapes] == ["fastnet"] * 2
    if G.simd_kernel() != "portable":  # else NumPy always: nothing to show
        assert "numpy" in one
    G.set_simd_kernel("portable")  # a kernel narrower than OpenBLAS's: NumPy still
    assert G.gemm_path_for(1024, 1024, 1024, np.float32) == "numpy"


def _on_one_then_two_threads(cython, a, b, bias, activation, trans):
    """fastnet's own GEMM of the operands on 1 thread, then on 2."""
    G.set_gemm_path("fastnet")
    results = []
    for threads in (1, 2):
        fastnet.set_num_threads(threads)
        results.append(cython.gemm(a, b, bias, activation, *trans))
    return results


@pytest.mark.skipif(not _openmp.have_openmp(), reason="serial build: always 1 thread")
@pytest.mark.parametrize("trans", TRANSPOSES, ids=TRANS_IDS)
# 2mnk >= 2^24 (PARALLEL_MIN_FLOPS of every build), so 2 threads really run: the
# first splits C's rows between them, the second its columns.
@pytest.mark.parametrize("shape", [(101, 150, 600), (64, 300, 500)], ids=str)
def test_one_and_two_threads_agree(cython, reference, shape, trans, dtype):
    m, n, k = shape
    a, b, bias = operands(m, n, k, dtype, *trans, bias=True, seed=4)
    one, two = _on_one_then_two_threads(cython, a, b, bias, "relu", trans)
    assert_close(two, one, k, dtype)
    assert_close(two, reference.gemm(a, b, bias, "relu", *trans), k, dtype)


@pytest.mark.skipif(not _openmp.have_openmp(), reason="serial build: always 1 thread")
@pytest.mark.parametrize("shape, trans", [((100, 50, 784), (False, False)),
                                          ((784, 50, 100), (True, False)),
                                          ((100, 784, 50), (False, True))], ids=str)
def test_the_book_products_are_the_same_bits_on_one_and_two_threads(cython, shape, trans,
                                                                     dtype):
    """The book's layer products (forward, dW = X.T·dY, dX = dY·W.T) are split
    between threads on AVX2 builds: each element is still summed in one order."""
    m, n, k = shape
    a, b, bias = operands(m, n, k, dtype, *trans, bias=True, seed=5)
    one, two = _on_one_then_two_threads(cython, a, b, bias, "sigmoid", trans)
    np.testing.assert_array_equal(two, one)


def test_concurrent_calls_from_python_threads(cython, reference, dtype):
    """Packing buffers belong to one call: calls in parallel must not mix."""
    G.set_gemm_path("fastnet")
    cases = [operands(60 + i, 40 + 3 * i, 200, dtype, bias=True, seed=i) for i in range(8)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda args: cython.gemm(*args, "relu"), cases * 3))
    for (a, b, bias), c in zip(cases * 3, results):
        assert_close(c, reference.gemm(a, b, bias, "relu"), 200, dtype)


# The checks refuse what the kernels cannot take, naming the problem.

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
