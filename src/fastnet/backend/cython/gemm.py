"""GEMM for the "cython" backend: C := act(op(A)·op(B) + bias).

Two paths compute the product, chosen per call:

- "fastnet": the packed GEMM of csrc/gemm/ (rung 6 of the ladder, AVX-512,
  or rung 5, AVX2+FMA, whichever the CPU has), bias and activation fused
  into the store of each tile; transposed and strided operands are read in
  place.
- "numpy": NumPy's matmul (OpenBLAS) into a fresh array, then bias and
  activation in ONE C pass over it, in place.

"auto" (the default) picks per shape with `path_for`; `fastnet.gemm`
shows and overrides the choice.
"""

import numpy as np

from ... import _gemm, _openmp
from ..vocabulary import ACTIVATION_CODES, SIMD_CODES, SIMD_LEVELS, simd_cap, simd_level

PATHS = ("auto", "fastnet", "numpy")
# The micro-kernels, widest first; a kernel's code is its SIMD level's.
KERNELS = tuple(reversed(SIMD_LEVELS))
_KERNEL_AVAILABLE = {"portable": lambda: True, "avx2": _gemm.have_avx2,
                     "avx512": _gemm.have_avx512}

# The auto rule, 1 thread (the timings behind it: benchmarks/README.md, "Lab
# notes"):
# - OpenBLAS uses the widest vectors the CPU has. A fastnet kernel narrower
#   than that (portable; avx2 on an AVX-512 CPU, by FASTNET_SIMD or
#   set_kernel) falls well behind it: NumPy always.
# - float64 with the CPU's widest kernel: fastnet's packed GEMM matched or
#   beat OpenBLAS's dgemm at every shape measured: fastnet always.
# - float32 with the CPU's widest kernel: fastnet, except where its edge
#   tiles are mostly padding. The micro-kernel computes whole slivers of MR
#   rows and whole vectors of columns (_TILE below), so 100 x 10 computes
#   102 x 16 with AVX2 (63 % waste) and 108 x 16 with AVX-512; waste above
#   AUTO_MAX_TILE_WASTE goes to NumPy. Small products (2mnk <
#   AUTO_SMALL_FLOPS) stay with fastnet whatever the waste: there the call
#   overhead dominates, and fastnet's path has less of it than matmul +
#   epilogue. On AVX-512 CPUs OpenBLAS's sgemm is a little ahead on big
#   products (2mnk >= AUTO_NUMPY_MIN_FLOPS_F32["avx512"]), which go to NumPy.
#   On AVX2 CPUs it is a little ahead in a loop of one product but not inside
#   training steps, where fastnet's path made whole steps faster, so nothing
#   big goes to NumPy there.
AUTO_NUMPY_MIN_FLOPS_F32 = {"avx2": None, "avx512": 2 * 384**3}
AUTO_SMALL_FLOPS = 10**6
AUTO_MAX_TILE_WASTE = {"avx2": 0.15, "avx512": 0.15}
# float32 tile granularity per kernel: (MR rows, values per vector register).
_TILE = {"avx2": (6, 8), "avx512": (12, 16)}


def available_kernels():
    """The kernels this CPU runs, widest first (looked up on each call)."""
    return tuple(kernel for kernel in KERNELS if _KERNEL_AVAILABLE[kernel]())


def widest_kernel(allowed=KERNELS):
    """The widest of `allowed` kernels this CPU runs (looked up on each call)."""
    return next(kernel for kernel in allowed if _KERNEL_AVAILABLE[kernel]())


# With more than one thread, fastnet's own kernels run on an OpenMP team and
# NumPy's matmul on OpenBLAS's threads, which keep spinning for a while after
# each call and take cores from the OpenMP team. So with threads, every
# product the CPU's widest fastnet kernel can do stays with fastnet (its GEMM
# is threaded too).


def threaded():
    """True when the compiled kernels use more than one thread."""
    return _openmp.get_num_threads() > 1


def _auto(m, n, k, is_f64, threads=False):
    # Single rows stay here too: fastnet's lone-row kernel reads B in place and
    # sums each element as the packed GEMM does, so a row's result does not
    # depend on the batch it came in (scikit-learn's subset-invariance check,
    # fastnet serve's batching); OpenBLAS's gemv sums in another order.
    if _kernel != widest_kernel():
        return "numpy"
    if is_f64 or threads:
        return "fastnet"
    flops = 2 * m * n * k
    if flops < AUTO_SMALL_FLOPS:
        return "fastnet"
    big = AUTO_NUMPY_MIN_FLOPS_F32[_kernel]
    if big is not None and flops >= big:
        return "numpy"
    rows, columns = _TILE[_kernel]
    computed = -(-m // rows) * rows * -(-n // columns) * columns
    return "numpy" if computed > (1 + AUTO_MAX_TILE_WASTE[_kernel]) * m * n else "fastnet"


def _default_kernel():
    """The widest kernel this CPU runs; FASTNET_SIMD=avx2/portable caps it."""
    cap = simd_cap()
    return widest_kernel(KERNELS[KERNELS.index(cap):] if cap else KERNELS)


_path = "auto"
_kernel = _default_kernel()
_kernel_code = SIMD_CODES[_kernel]
_auto_choices = {}  # (m, n, k, is_f64) -> path, see _auto_cached


def set_path(path):
    global _path
    if path not in PATHS:
        raise ValueError(f"gemm path must be one of {PATHS}, got {path!r}")
    _path = path


def get_path():
    return _path


def set_kernel(kernel):
    global _kernel, _kernel_code
    level = simd_level(kernel) if isinstance(kernel, str) else None
    if level is None:
        raise ValueError(f"gemm kernel must be one of {KERNELS}, got {kernel!r}")
    if not _KERNEL_AVAILABLE[level]():
        raise RuntimeError(f"the {level} GEMM kernel cannot run on this CPU")
    _kernel = level
    _kernel_code = SIMD_CODES[level]
    _auto_choices.clear()  # the rule depends on the kernel


def get_kernel():
    return _kernel


def kernel_code():
    """The code (index in SIMD_LEVELS) of the kernel in use, as the C entry points take it."""
    return _kernel_code


def path_for(m, n, k, dtype):
    """The path "auto" takes for an (m, k)·(k, n) product of `dtype` (at the
    current thread count)."""
    return _auto(m, n, k, np.dtype(dtype).char == "d", threaded())


def _auto_cached(m, n, k, is_f64):
    # Training repeats a handful of shapes: remembering the choice saves the
    # rule's arithmetic on every call. Bounded, for programs that vary every shape.
    key = (m, n, k, is_f64, threaded())
    path = _auto_choices.get(key)
    if path is None:
        if len(_auto_choices) >= 4096:
            _auto_choices.clear()
        path = _auto_choices[key] = _auto(*key)
    return path


def gemm(a, b, bias=None, activation="identity", trans_a=False, trans_b=False):
    """C := act(op(A)·op(B) + bias); see fastnet.backend.numpy.gemm."""
    # Runs on every layer call: kept to a few attribute reads.
    m, k = (a.shape[1], a.shape[0]) if trans_a else a.shape
    n = b.shape[0] if trans_b else b.shape[1]
    # The result's dtype is b's: a float32 a meets a float64 b (the only mix
    # the checks let through) in float64, widened as the packed GEMM reads it.
    dtype = b.dtype
    is_f64 = dtype.char == "d"
    path = _path if _path != "auto" else _auto_cached(m, n, k, is_f64)
    act = ACTIVATION_CODES[activation]
    if bias is not None:
        flags = bias.flags
        if not (flags.c_contiguous and flags.aligned):
            bias = bias.copy()  # the kernels read bias as a plain C array
    if path == "fastnet":
        c = np.empty((m, n), dtype)
        if _gemm.packed(a, b, bias, act, trans_a, trans_b, c, _kernel_code):
            return c
        # a or b is misaligned (a view into raw bytes): NumPy copes
    c = np.matmul(a.T if trans_a else a, b.T if trans_b else b)  # always C-contiguous
    if bias is not None or act:
        _gemm.epilogue(c, bias, act, _kernel_code)
    return c
