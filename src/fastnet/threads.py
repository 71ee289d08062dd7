"""How many threads the compiled kernels use.

OpenMP's own setting is the one source of truth, so `OMP_NUM_THREADS`,
`set_num_threads` and threadpoolctl's `threadpool_limits(n, "openmp")` all
act on every kernel. The default is OpenMP's (all cores, or OMP_NUM_THREADS).

`set_num_threads(n)` also sets NumPy's BLAS (OpenBLAS) to n threads, through
threadpoolctl: the cython backend hands some products to NumPy's matmul, and
a BLAS left on all cores next to 1-thread kernels is the worst of both: the
two pools wait on each other (measured: benchmarks/README.md).
With more than one thread the cython backend keeps its products off NumPy's
BLAS altogether (fastnet.backend.cython.gemm.threaded): OpenBLAS's workers spin after
each call and take cores from the OpenMP team.

Two limits keep threads from crashing the process:

- At most `max_threads()` threads, THREADS_PER_CPU per CPU. GNU OpenMP puts
  per-thread bookkeeping for a whole team on the caller's stack and gives
  every thread its own stack, so a count like 100000 overflows the stack or
  the address space: a segfault, not an error. `set_num_threads` refuses
  more; an `OMP_NUM_THREADS` above it is lowered to it, with one warning;
  and the kernels themselves never start more, in any thread (OpenMP keeps
  a count per thread, and one that OpenMP read before fastnet was imported
  would otherwise reach threads fastnet never configured).
- A process started by `fork` (multiprocessing's "fork" start method)
  runs the kernels of its forking thread (a worker's main thread) on one
  thread. GNU OpenMP is not fork-safe: in a forked child that thread's pool
  refers to threads that no longer exist, and its first threaded kernel
  waits for them forever. This happens silently; asking for more threads in
  such a child warns once and stays on one. The "spawn" and "forkserver"
  start methods give children that can use threads.
"""

import os
import sys
import warnings

from . import _build_check

# Beyond a few threads per core, threads only wait on each other; the limit
# exists to turn absurd counts into an error instead of a segfault.
THREADS_PER_CPU = 4

_blas = None  # threadpoolctl's controllers of the loaded BLAS libraries, found once
_forked = False  # True in a process forked from one that had loaded OpenMP
_fork_warned = False


def _cpus():
    """The CPUs this process may run on, as OpenMP counts them (omp_get_num_procs):
    read without loading OpenMP, which must not see OMP_NUM_THREADS before
    _bound_omp_num_threads has bounded it."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity masks (macOS, Windows)
        return os.cpu_count() or 1


def max_threads():
    """The most threads `set_num_threads` accepts: THREADS_PER_CPU per CPU (the
    compiled kernels enforce the same bound in every thread: csrc/common/threads.h)."""
    return THREADS_PER_CPU * _cpus()


def _limit_text():
    return f"{THREADS_PER_CPU} per CPU, {_cpus()} CPU(s)"


def _openmp():
    if _build_check.missing_modules():
        return None
    from . import _openmp

    return _openmp


def set_num_threads(n):
    """Use `n` threads in the compiled kernels called from this thread.

    1 <= n <= max_threads(): GNU OpenMP crashes on absurd counts. In a
    process forked from one that had used fastnet's kernels, the kernels
    stay on one thread (GNU OpenMP is not fork-safe), and asking for more
    warns once.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"set_num_threads: n must be an int, got {type(n).__name__}")
    if n < 1:
        raise ValueError(f"set_num_threads: n must be >= 1, got {n}")
    if n > max_threads():
        raise ValueError(
            f"set_num_threads: n must be <= {max_threads()} ({_limit_text()}), got {n}"
        )
    if _forked and n > 1:
        _warn_forked(n)
        n = 1
    module = _openmp()
    if module is not None:
        module.set_num_threads(n)
    for blas in _blas_controllers():
        blas.set_num_threads(n)


def _warn_forked(n):
    global _fork_warned
    if _fork_warned:
        return
    _fork_warned = True
    warnings.warn(
        f"set_num_threads({n}) in a process started by fork: fastnet's kernels stay on "
        "one thread here, because GNU OpenMP hangs in a forked child that starts threads. "
        "Use multiprocessing's 'spawn' or 'forkserver' start method for threaded children.",
        RuntimeWarning,
        stacklevel=3,
    )


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


def _one_thread_after_fork():
    """In a forked child: leave OpenMP's stale thread pool alone (see the module docstring)."""
    global _forked
    module = sys.modules.get(f"{__package__}._openmp")
    if module is None:  # OpenMP never loaded: the child may use threads as usual
        return
    _forked = True
    module.set_num_threads(1)


def _bound_omp_num_threads():
    """Lower an absurd OMP_NUM_THREADS to max_threads() before OpenMP reads it."""
    value = os.environ.get("OMP_NUM_THREADS", "")
    first, sep, nested = value.partition(",")  # "4,2": a count per nesting level
    try:
        requested = int(first)
    except ValueError:
        return  # OpenMP ignores what it cannot parse
    if requested <= max_threads():
        return
    os.environ["OMP_NUM_THREADS"] = f"{max_threads()}{sep}{nested}"
    warnings.warn(
        f"OMP_NUM_THREADS={requested} is more threads than fastnet allows "
        f"({_limit_text()}); using {max_threads()}",
        RuntimeWarning,
        stacklevel=2,
    )
    module = _openmp()
    if module is not None and module.get_num_threads() > max_threads():
        # Another library loaded OpenMP first, so it read the absurd value:
        # bound this thread's count at least.
        module.set_num_threads(max_threads())


_bound_omp_num_threads()
if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_one_thread_after_fork)
