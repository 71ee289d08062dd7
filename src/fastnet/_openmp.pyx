"""Thread-count control for the compiled kernels (csrc/common/threads.c)."""

from ._c_threads cimport (
    FN_THREADS_PER_CPU,
    fn_get_num_threads,
    fn_get_thread_cap,
    fn_have_openmp,
    fn_set_num_threads,
)

THREADS_PER_CPU = FN_THREADS_PER_CPU


def have_openmp():
    """True when the kernels were built with OpenMP."""
    return bool(fn_have_openmp())


def set_num_threads(int n):
    """Set OpenMP's thread count for kernels called from this thread."""
    fn_set_num_threads(n)


def get_num_threads():
    """OpenMP's current thread count (1 for a serial build)."""
    return fn_get_num_threads()


def thread_cap():
    """The most threads any kernel starts, whatever the calling thread's OpenMP
    count: THREADS_PER_CPU per processor OpenMP may use (1 for a serial build)."""
    return fn_get_thread_cap()
