"""How many threads the compiled kernels use.

OpenMP's own setting is the one source of truth, so `OMP_NUM_THREADS`,
`set_num_threads` and threadpoolctl's `threadpool_limits(n, "openmp")` all
act on every kernel. The default is OpenMP's (all cores, or OMP_NUM_THREADS).

`set_num_threads(n)` also sets NumPy's BLAS (OpenBLAS) to n threads, through
threadpoolctl: the cython backend hands some products to NumPy's matmul, and
a BLAS left on all cores next to 1-thread kernels is the worst of both. (On
a 2-core machine whose other core was busy, OpenBLAS's second thread made
`fastnet train` 7x slower: 5.1 s against 0.7 s with both on one thread.)
With more than one thread the cython backend keeps its products off NumPy's
BLAS altogether (compiled_gemm.threaded): OpenBLAS's workers spin after
each call and take cores from the OpenMP team.
"""

from . import _build_check

_blas = None  # threadpoolctl's controllers of the loaded BLAS libraries, found once


def _openmp():
    if _build_check.missing_modules():
        return None
    from . import _openmp

    return _openmp


def set_num_threads(n):
    """Use `n` threads (>= 1) in the compiled kernels called from this thread."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"set_num_threads: n must be an int, got {type(n).__name__}")
    if n < 1:
        raise ValueError(f"set_num_threads: n must be >= 1, got {n}")
    module = _openmp()
    if module is not None:
        module.set_num_threads(n)
    for blas in _blas_controllers():
        blas.set_num_threads(n)


def _blas_controllers():
    global _blas
    if _blas is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # a runtime dependency, but a broken env should still train
            _blas = []
        else:
            _blas = ThreadpoolController().select(user_api="blas").lib_controllers
    return _blas


def get_num_threads():
    """Threads the compiled kernels use now (1 for a serial or missing build)."""
    module = _openmp()
    return module.get_num_threads() if module is not None else 1
