"""How many threads the compiled kernels use.

OpenMP's own setting is the one source of truth, so `OMP_NUM_THREADS`,
`set_num_threads` and threadpoolctl's `threadpool_limits(n, "openmp")` all
act on every kernel. The default is OpenMP's (all cores, or OMP_NUM_THREADS).
"""

from . import _build_check


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


def get_num_threads():
    """Threads the compiled kernels use now (1 for a serial or missing build)."""
    module = _openmp()
    return module.get_num_threads() if module is not None else 1
