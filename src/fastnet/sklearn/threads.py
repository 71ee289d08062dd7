"""One thread per worker: how many threads an estimator's kernels use.

Searches and cross-validation run many fits at once through joblib
(`n_jobs=2`, or joblib's "dask" / "ray" backends). Each of those fits
running fastnet's kernels on every core would put n_jobs × cores threads on
the cores, and they would wait on each other (oversubscription). So a fit
that runs inside a parallel worker uses one thread, and a fit called
directly keeps the count the user chose with `fastnet.set_num_threads`.

A worker is recognised by what the engines themselves record, nothing
guessed from process names:

- joblib runs each batch of tasks of a parallel call (threads, loky
  processes) under a "nested" backend whose nesting_level is at least 1;
  a sequential call (n_jobs=1) stays at level 0 and keeps the user's threads.
- a Dask worker answers `distributed.get_worker()` (joblib's dask backend
  does not raise the nesting level there).
- Ray starts its workers with OMP_NUM_THREADS=1 (one per CPU it assigns),
  which OpenMP already honours; nothing to do here.
"""

import sys
from contextlib import contextmanager

import fastnet

__all__ = ["in_parallel_worker", "threads_for_fit", "worker_threads"]


def _in_joblib_worker():
    try:
        from joblib.parallel import get_active_backend
    except ImportError:
        return False
    backend, _ = get_active_backend()
    return (getattr(backend, "nesting_level", 0) or 0) >= 1


def _in_dask_worker():
    # Only when distributed is already loaded: a plain fit must not import it.
    distributed = sys.modules.get("distributed")
    if distributed is None:
        return False
    try:
        distributed.get_worker()
    except ValueError:  # "No worker found": not inside a Dask task
        return False
    return True


def in_parallel_worker():
    """Whether this code runs as one task of a joblib (or Dask) parallel call."""
    return _in_joblib_worker() or _in_dask_worker()


def threads_for_fit(n_threads):
    """The thread count a fit uses: n_threads, or (None) 1 in a worker, else the current."""
    if n_threads is not None:
        return n_threads
    return 1 if in_parallel_worker() else fastnet.get_num_threads()


@contextmanager
def worker_threads(n_threads):
    """Run the body with threads_for_fit(n_threads) threads, then restore the count."""
    before = fastnet.get_num_threads()
    wanted = threads_for_fit(n_threads)
    if wanted != before:
        fastnet.set_num_threads(wanted)
    try:
        yield fastnet.get_num_threads()
    finally:
        if wanted != before:
            fastnet.set_num_threads(before)
