"""GEMM benchmarks: GFLOP/s of fastnet's GEMM against NumPy (and PyTorch).

    pytest benchmarks/bench_gemm.py                         # full run
    pytest benchmarks/bench_gemm.py --benchmark-disable     # quick check (< 30 s)
    pytest benchmarks/bench_gemm.py -k "book or 1024" --benchmark-group-by=group

Groups:
- one per shape (the book's three layer products, 256³, 512³, 1024³), both
  dtypes, impl = numpy (np.matmul) / fastnet (own packed GEMM) / auto (what
  the cython backend does) / torch (when installed);
- "ladder": every rung at 256³ (naive only there), GFLOP/s and max error
  (the SIMD rungs where the CPU has their instructions);
- "threads": fastnet's own GEMM at 1024³ on 1 and 2 threads;
- "epilogue": C = relu(A·B + bias) fused vs np.matmul, + bias, np.maximum.

Every result records extra_info gflops and pct_of_peak computed from the
median time. The peak is measured in the same run (`fastnet.gemm.peak_gflops`:
register-only FMAs with the widest vectors the CPU has, one core), so the
percentage means the same on every CPU: on AMD Zen 3 (AVX2) about 100
GFLOP/s float32 and 50 float64, on Zen 5 (AVX-512) about 290 and 145. Run
with 1 thread (the default of benchmarks/conftest.py) and OPENBLAS_CORETYPE /
OPENBLAS_L2_SIZE unset, so NumPy runs its own default kernels.
"""

import importlib

import numpy as np
import pytest

import fastnet

G = pytest.importorskip("fastnet.gemm", reason="fastnet's compiled GEMM is not built")
from fastnet import _openmp  # noqa: E402

# The module, not the gemm function its package exports under the same name.
compiled_gemm = importlib.import_module("fastnet.backend.cython.gemm")

_peak = {}  # dtype -> this core's measured FMA peak, GFLOP/s


def _peak_gflops(dtype):
    if dtype not in _peak:  # the CPU's roof, whatever kernel FASTNET_GEMM_SIMD picked
        _peak[dtype] = G.peak_gflops(dtype, compiled_gemm.widest_kernel())
    return _peak[dtype]

# name: (m, k, n, trans_a, trans_b) — op(A) is (m, k), op(B) is (k, n).
SHAPES = {
    # TwoLayerNet on MNIST, batch 100: forward X·W1, backward X.T·dY, dY·W.T
    "book_forward_100x784x50": (100, 784, 50, False, False),
    "book_dW_784x100x50": (784, 100, 50, True, False),
    "book_dX_100x50x784": (100, 50, 784, False, True),
    "square_256": (256, 256, 256, False, False),
    "square_512": (512, 512, 512, False, False),
    "square_1024": (1024, 1024, 1024, False, False),
}
DTYPES = {"f32": np.float32, "f64": np.float64}
IMPLS = ["numpy", "fastnet", "auto", "torch"]


def _operands(m, k, n, trans_a, trans_b, dtype, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.uniform(-1, 1, (k, m) if trans_a else (m, k)).astype(dtype)
    b = rng.uniform(-1, 1, (n, k) if trans_b else (k, n)).astype(dtype)
    return a, b


def _record(benchmark, flops, dtype, threads=1):
    """gflops and pct_of_peak (of `threads` cores) from the median (absent with
    --benchmark-disable)."""
    stats = getattr(benchmark, "stats", None)
    if stats is None:
        return
    median = stats.stats.median
    gflops = flops / median / 1e9
    benchmark.extra_info["gflops"] = round(gflops, 2)
    peak = _peak_gflops(dtype)
    if peak:
        peak *= threads
        benchmark.extra_info["peak_gflops"] = round(peak, 1)
        benchmark.extra_info["pct_of_peak"] = round(100 * gflops / peak, 1)


def _gemm_call(impl, a, b, trans_a, trans_b):
    """A zero-argument call computing op(a)·op(b) with `impl`."""
    if impl == "numpy":
        a_op, b_op = (a.T if trans_a else a), (b.T if trans_b else b)
        return lambda: np.matmul(a_op, b_op)
    if impl == "torch":
        torch = pytest.importorskip("torch")
        torch.set_num_threads(fastnet.get_num_threads())
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        ta, tb = (ta.T if trans_a else ta), (tb.T if trans_b else tb)
        return lambda: torch.matmul(ta, tb).numpy()
    backend = fastnet.backend.load("cython")
    G.set_gemm_path("fastnet" if impl == "fastnet" else "auto")
    return lambda: backend.gemm(a, b, None, "identity", trans_a, trans_b)


@pytest.fixture(autouse=True)
def _restore_gemm_path():
    path = G.get_gemm_path()
    yield
    G.set_gemm_path(path)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("dtype_name", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_gemm_shapes(benchmark, shape, dtype_name, impl):
    dtype = DTYPES[dtype_name]
    m, k, n, trans_a, trans_b = SHAPES[shape]
    a, b = _operands(m, k, n, trans_a, trans_b, dtype)
    call = _gemm_call(impl, a, b, trans_a, trans_b)
    benchmark.group = f"gemm {shape} {dtype_name}"
    c = benchmark(call)
    expected = (a.T if trans_a else a).astype(np.float64) @ (b.T if trans_b else b)
    np.testing.assert_allclose(
        c,
        expected,
        rtol=1e-3 if dtype == np.float32 else 1e-10,
        atol=1e-3 if dtype == np.float32 else 1e-10,
    )
    _record(benchmark, 2 * m * n * k, dtype)


LADDER = {
    "1_naive": G.gemm_naive,
    "2_reordered": G.gemm_reordered,
    "3_blocked": G.gemm_blocked,
    "4_packed_portable": G.gemm_packed_portable,
    "5_packed_simd": G.gemm_packed_simd,
    "6_packed_avx512": G.gemm_packed_avx512,
}
RUNG_NEEDS = {"5_packed_simd": (G._gemm.have_avx2, "AVX2+FMA"),
              "6_packed_avx512": (G._gemm.have_avx512, "AVX-512F")}


@pytest.mark.parametrize("dtype_name", DTYPES)
@pytest.mark.parametrize("rung", LADDER)
def test_gemm_ladder(benchmark, rung, dtype_name):
    have, what = RUNG_NEEDS.get(rung, (lambda: True, ""))
    if not have():
        pytest.skip(f"this CPU has no {what}")
    dtype = DTYPES[dtype_name]
    n = 256  # naive is only run up to 256
    a, b = _operands(n, n, n, False, False, dtype)
    benchmark.group = f"gemm ladder 256^3 {dtype_name}"
    c = benchmark.pedantic(
        LADDER[rung], args=(a, b), rounds=3 if rung == "1_naive" else 10, warmup_rounds=1
    )
    error = float(np.max(np.abs(c - a.astype(np.float64) @ b)))
    benchmark.extra_info["max_abs_diff"] = error
    assert error < (1e-3 if dtype == np.float32 else 1e-10)
    _record(benchmark, 2 * n**3, dtype)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype_name", DTYPES)
def test_gemm_threads(benchmark, threads, dtype_name):
    if threads > 1 and not _openmp.have_openmp():
        pytest.skip("serial build")
    dtype = DTYPES[dtype_name]
    a, b = _operands(1024, 1024, 1024, False, False, dtype)
    fastnet.set_num_threads(threads)
    benchmark.group = f"gemm threads 1024^3 {dtype_name}"
    call = _gemm_call("fastnet", a, b, False, False)
    # Several warm-up calls: the first ~60 ms of a new OpenMP team ran at one
    # thread's speed here (the second thread had not yet left the first core).
    c = benchmark.pedantic(call, rounds=5, warmup_rounds=10)
    np.testing.assert_allclose(c[:8], a[:8].astype(np.float64) @ b, rtol=1e-3, atol=1e-3)
    _record(benchmark, 2 * 1024**3, dtype, threads)


@pytest.mark.parametrize("impl", ["fused", "separate"])
@pytest.mark.parametrize("dtype_name", DTYPES)
@pytest.mark.parametrize("shape", ["book_forward_100x784x50", "square_512"])
def test_gemm_epilogue(benchmark, shape, dtype_name, impl):
    """relu(A·B + bias): fastnet's fused epilogue vs NumPy's three passes."""
    dtype = DTYPES[dtype_name]
    m, k, n, _, _ = SHAPES[shape]
    a, b = _operands(m, k, n, False, False, dtype)
    bias = np.linspace(-1, 1, n).astype(dtype)
    if impl == "fused":
        backend = fastnet.backend.load("cython")
        call = lambda: backend.gemm(a, b, bias, "relu")  # noqa: E731
    else:
        call = lambda: np.maximum(np.matmul(a, b) + bias, 0)  # noqa: E731
    benchmark.group = f"gemm epilogue relu(A·B + bias) {shape} {dtype_name}"
    c = benchmark(call)
    expected = np.maximum(a.astype(np.float64) @ b + bias, 0)
    np.testing.assert_allclose(
        c,
        expected,
        rtol=1e-3 if dtype == np.float32 else 1e-10,
        atol=1e-3 if dtype == np.float32 else 1e-10,
    )
    _record(benchmark, 2 * m * n * k, dtype)
