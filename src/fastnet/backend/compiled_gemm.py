"""GEMM for the "cython" backend: C := act(op(A)·op(B) + bias).

Two paths compute the product, chosen per call:

- "fastnet": the packed GEMM of csrc/gemm/ (rung 5 of the ladder, AVX2+FMA
  micro-kernel when the CPU has it), bias and activation fused into the store
  of each tile; transposed and strided operands are read in place.
- "numpy": NumPy's matmul (OpenBLAS) into a fresh array, then bias and
  activation in ONE C pass over it, in place.

"auto" (the default) picks per shape with `path_for`; `fastnet.gemm`
shows and overrides the choice.
"""

import os

import numpy as np

from .. import _gemm

PATHS = ("auto", "fastnet", "numpy")
KERNELS = ("avx2_fma", "portable")
_ACTIVATION_CODES = {"identity": 0, "relu": 1, "sigmoid": 2, "tanh": 3}
_KERNEL_CODES = {"portable": 0, "avx2_fma": 1}

# The auto rule, from measurements on 1 thread (AMD Zen 3, OpenBLAS 0.3.31;
# numbers in benchmarks/bench_gemm.py):
# - portable micro-kernel (no AVX2, or FASTNET_GEMM_SIMD=portable): it runs
#   at ~25 % of OpenBLAS, so NumPy always.
# - float64: fastnet's packed GEMM ran at 0.97-1.12x OpenBLAS's dgemm at every
#   measured shape (64³ to 1000³ and the book's layers): fastnet always.
# - float32: OpenBLAS's sgemm wins by 2-3 % on big products, so those
#   (2mnk >= AUTO_NUMPY_MIN_FLOPS_F32) go to NumPy. Below that fastnet ties or
#   wins unless its edge tiles are mostly padding: the micro-kernel computes
#   whole 6-row slivers and 8-column vectors, so 100 x 50 computes 102 x 56
#   (14 % waste) and ran at 0.85x sgemm; waste > AUTO_MAX_TILE_WASTE goes to
#   NumPy. Small products (2mnk < AUTO_SMALL_FLOPS) stay with fastnet
#   whatever the waste: there the call overhead dominates, and fastnet's path
#   measured 0.3-2 µs faster than matmul + epilogue.
AUTO_NUMPY_MIN_FLOPS_F32 = 2 * 384**3
AUTO_SMALL_FLOPS = 10**6
AUTO_MAX_TILE_WASTE = 0.05
_TILE_ROWS, _TILE_COLUMNS = 6, 8  # float32: MR, and the values per AVX2 register


def _auto(m, n, k, is_f64):
    if _kernel_code == _KERNEL_CODES["portable"]:
        return "numpy"
    if is_f64:
        return "fastnet"
    flops = 2 * m * n * k
    if flops < AUTO_SMALL_FLOPS:
        return "fastnet"
    if flops >= AUTO_NUMPY_MIN_FLOPS_F32:
        return "numpy"
    computed = -(-m // _TILE_ROWS) * _TILE_ROWS * -(-n // _TILE_COLUMNS) * _TILE_COLUMNS
    return "numpy" if computed > (1 + AUTO_MAX_TILE_WASTE) * m * n else "fastnet"


_path = "auto"
_kernel = (
    "avx2_fma"
    if _gemm.have_avx2() and os.environ.get("FASTNET_GEMM_SIMD", "").lower() != "portable"
    else "portable"
)
_kernel_code = _KERNEL_CODES[_kernel]
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
    if kernel not in KERNELS:
        raise ValueError(f"gemm kernel must be one of {KERNELS}, got {kernel!r}")
    if kernel == "avx2_fma" and not _gemm.have_avx2():
        raise RuntimeError("the avx2_fma GEMM kernel needs a CPU with AVX2 and FMA")
    _kernel = kernel
    _kernel_code = _KERNEL_CODES[kernel]
    _auto_choices.clear()  # the rule depends on the kernel


def get_kernel():
    return _kernel


def path_for(m, n, k, dtype):
    """The path "auto" takes for an (m, k)·(k, n) product of `dtype`."""
    return _auto(m, n, k, np.dtype(dtype).char == "d")


def _auto_cached(m, n, k, is_f64):
    # Training repeats a handful of shapes: remembering the choice saves
    # ~0.3 µs per call. Bounded, for programs that vary every shape.
    key = (m, n, k, is_f64)
    path = _auto_choices.get(key)
    if path is None:
        if len(_auto_choices) >= 4096:
            _auto_choices.clear()
        path = _auto_choices[key] = _auto(m, n, k, is_f64)
    return path


def gemm(a, b, bias=None, activation="identity", trans_a=False, trans_b=False):
    """C := act(op(A)·op(B) + bias); see fastnet.backend.reference.gemm."""
    # Runs on every layer call: kept to a few attribute reads (~1 µs).
    m, k = (a.shape[1], a.shape[0]) if trans_a else a.shape
    n = b.shape[0] if trans_b else b.shape[1]
    is_f64 = a.dtype.char == "d"
    path = _path if _path != "auto" else _auto_cached(m, n, k, is_f64)
    act = _ACTIVATION_CODES[activation]
    if bias is not None:
        flags = bias.flags
        if not (flags.c_contiguous and flags.aligned):
            bias = bias.copy()  # the kernels read bias as a plain C array
    if path == "fastnet":
        c = np.empty((m, n), a.dtype)
        if _gemm.packed(a, b, bias, act, trans_a, trans_b, c, _kernel_code, is_f64):
            return c
        # a or b is misaligned (a view into raw bytes): NumPy copes
    c = np.matmul(a.T if trans_a else a, b.T if trans_b else b)  # always C-contiguous
    if bias is not None or act:
        _gemm.epilogue(c, bias, act, _kernel_code, is_f64)
    return c
