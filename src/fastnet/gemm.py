"""fastnet's GEMM, C := act(op(A)·op(B) + bias): how it is computed, and
the ladder of C implementations it was built from.

The "cython" backend's `gemm` takes one of two paths per call:

- "fastnet": the packed GEMM of csrc/gemm/ (the ladder's last rung), with
  bias and activation fused into the store of each tile;
- "numpy": NumPy's matmul (OpenBLAS), then bias and activation in one C pass.

"auto" (the default) takes the faster one for the shape, by a rule measured
on 1 thread and documented in fastnet/backend/cython/gemm.py;
`gemm_path_for(m, n, k, dtype)` tells what it picks for op(A) (m, k) times
op(B) (k, n):

    >>> import fastnet.gemm as G
    >>> G.gemm_path_for(100, 784, 50, "float32")  # the book's dY·W.T
    'fastnet'
    >>> G.set_gemm_path("numpy")   # force one path (for comparisons)

The ladder, for reading and benchmarking in order (each is C := A·B on 2-D
float32/float64 arrays, checked like every kernel call):

    gemm_naive, gemm_reordered, gemm_blocked, gemm_packed_portable,
    gemm_packed_simd, gemm_packed_avx512

`simd_kernel()` says which micro-kernel the packed GEMM runs: "avx512" on
CPUs with AVX-512F, "avx2" on CPUs with AVX2 and FMA, else "portable";
FASTNET_SIMD=avx2 or =portable in the environment (read at import; its old
name FASTNET_GEMM_SIMD, and the old spelling "avx2_fma", still work) or
`set_simd_kernel(...)` caps it.
"""

from . import _build_check

_build_check.require_compiled()

import numpy as np  # noqa: E402

from . import _gemm  # noqa: E402
from .backend import Backend  # noqa: E402
from .backend.cython.gemm import get_kernel, get_path, path_for, set_kernel, set_path  # noqa: E402
from .backend.vocabulary import SIMD_CODES, SIMD_LEVELS, simd_level  # noqa: E402

__all__ = [
    "gemm_blocked",
    "gemm_naive",
    "gemm_packed_avx512",
    "gemm_packed_portable",
    "gemm_packed_simd",
    "gemm_path_for",
    "gemm_reordered",
    "get_gemm_path",
    "peak_gflops",
    "set_gemm_path",
    "set_simd_kernel",
    "simd_kernel",
]


def set_gemm_path(path):
    """Use `path` ("auto", "fastnet" or "numpy") for every gemm from now on."""
    set_path(path)


def get_gemm_path():
    """The path setting: "auto", "fastnet" or "numpy"."""
    return get_path()


def gemm_path_for(m, n, k, dtype):
    """The path ("fastnet" or "numpy") "auto" takes for op(A) (m, k) · op(B) (k, n)."""
    return path_for(m, n, k, dtype)


def simd_kernel():
    """The packed GEMM's micro-kernel: "avx512", "avx2" or "portable"."""
    return get_kernel()


def peak_gflops(dtype, kernel=None, seconds=0.05):
    """This core's measured FMA peak in GFLOP/s for `dtype` with `kernel`.

    Times register-only multiply-adds of the kernel's instruction set (the
    current SIMD kernel by default): the roof that "% of peak" in the
    benchmarks refers to. None for the portable kernel.
    """
    import time

    kernel = kernel or simd_kernel()
    if simd_level(kernel) is None:
        raise ValueError(f"kernel must be one of {SIMD_LEVELS}, got {kernel!r}")
    code = SIMD_CODES[simd_level(kernel)]
    is_f64 = np.dtype(dtype).char == "d"
    if not _gemm.fma_roof(is_f64, code, 1):
        return None
    steps, best = 1 << 16, 0.0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        flops = _gemm.fma_roof(is_f64, code, steps)
        best = max(best, flops / (time.perf_counter() - start) / 1e9)
    return best


def set_simd_kernel(kernel):
    """Use micro-kernel "avx512" (AVX-512F CPUs), "avx2" (AVX2+FMA) or "portable"."""
    set_kernel(kernel)


# ------------------------------------------------------------------ ladder


class _Rung:
    """A kernel module with one `gemm`, so `Backend` validates its calls."""

    xp = np

    def __init__(self, compute):
        self._compute = compute

    def gemm(self, a, b, bias, activation, trans_a, trans_b):
        c = np.empty((a.shape[0], b.shape[1]), a.dtype)
        self._compute(a, b, c)
        return c


def _rung(which):
    return _Rung(lambda a, b, c: _gemm.rung(which, a, b, c))


def _packed(kernel):
    def compute(a, b, c):
        if not _gemm.packed(a, b, None, 0, False, False, c, kernel):
            raise ValueError("the GEMM ladder needs arrays aligned to their item size")

    return _Rung(compute)


_RUNGS = {
    "naive": Backend("gemm_naive", _rung(_gemm.NAIVE)),
    "reordered": Backend("gemm_reordered", _rung(_gemm.REORDERED)),
    "blocked": Backend("gemm_blocked", _rung(_gemm.BLOCKED)),
    "packed_portable": Backend("gemm_packed_portable", _packed(SIMD_CODES["portable"])),
    "packed_simd": Backend("gemm_packed_simd", _packed(SIMD_CODES["avx2"])),
    "packed_avx512": Backend("gemm_packed_avx512", _packed(SIMD_CODES["avx512"])),
}


def gemm_naive(a, b):
    """Rung 1, C := A·B by the i-j-k triple loop (csrc/gemm/naive_impl.h)."""
    return _RUNGS["naive"].gemm(a, b)


def gemm_reordered(a, b):
    """Rung 2, C := A·B in i-k-j order (csrc/gemm/reordered_impl.h)."""
    return _RUNGS["reordered"].gemm(a, b)


def gemm_blocked(a, b):
    """Rung 3, C := A·B over cache-sized tiles (csrc/gemm/blocked_impl.h)."""
    return _RUNGS["blocked"].gemm(a, b)


def gemm_packed_portable(a, b):
    """Rung 4, packed GEMM with the portable C micro-kernel (packed_impl.h)."""
    return _RUNGS["packed_portable"].gemm(a, b)


def gemm_packed_simd(a, b):
    """Rung 5, packed GEMM with the AVX2+FMA micro-kernel (kernel_avx2.c).

    Raises RuntimeError on a CPU without AVX2 and FMA.
    """
    if not _gemm.have_avx2():
        raise RuntimeError("gemm_packed_simd needs a CPU with AVX2 and FMA")
    return _RUNGS["packed_simd"].gemm(a, b)


def gemm_packed_avx512(a, b):
    """Rung 6, the packed GEMM rebuilt for AVX-512: 12 x 32 float tiles (kernel_avx512.c).

    Raises RuntimeError on a CPU without AVX-512F.
    """
    if not _gemm.have_avx512():
        raise RuntimeError("gemm_packed_avx512 needs a CPU with AVX-512F")
    return _RUNGS["packed_avx512"].gemm(a, b)
