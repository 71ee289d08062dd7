"""Thread-count control: set/get, OMP_NUM_THREADS, threadpoolctl, bad values."""

import os
import subprocess
import sys

import pytest

import fastnet
from fastnet import _openmp


def test_set_and_get_round_trip():
    fastnet.set_num_threads(1)
    assert fastnet.get_num_threads() == 1
    if _openmp.have_openmp():
        fastnet.set_num_threads(2)
        assert fastnet.get_num_threads() == 2


@pytest.mark.parametrize("bad, error", [(0, ValueError), (-3, ValueError),
                                        (1.5, TypeError), ("2", TypeError), (True, TypeError)])
def test_bad_thread_counts_are_refused(bad, error):
    with pytest.raises(error, match="set_num_threads"):
        fastnet.set_num_threads(bad)


@pytest.mark.skipif(not _openmp.have_openmp(), reason="serial build: always 1 thread")
def test_omp_num_threads_is_honoured():
    code = "import fastnet; print(fastnet.get_num_threads())"
    env = dict(os.environ, OMP_NUM_THREADS="3")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "3"


@pytest.mark.skipif(not _openmp.have_openmp(), reason="serial build: always 1 thread")
def test_threadpoolctl_limits_the_kernels():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    fastnet.set_num_threads(2)
    with threadpoolctl.threadpool_limits(1, user_api="openmp"):
        assert fastnet.get_num_threads() == 1
    assert fastnet.get_num_threads() == 2


def test_numpys_blas_follows():
    """set_num_threads(n) sets NumPy's BLAS to n threads too (it runs some of fastnet's GEMMs)."""
    from threadpoolctl import threadpool_info

    def blas_threads():
        return {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}

    if not blas_threads():
        pytest.skip("NumPy here has no BLAS that threadpoolctl can see")
    fastnet.set_num_threads(1)
    assert blas_threads() == {1}
    fastnet.set_num_threads(2)
    assert blas_threads() == {2}


def _wait_policy_after_import(env):
    code = "import os, fastnet; fastnet.get_num_threads(); print(os.environ['OMP_WAIT_POLICY'])"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def test_openmp_threads_sleep_instead_of_spinning_by_default():
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    assert _wait_policy_after_import(env) == "PASSIVE"


def test_users_wait_policy_wins():
    assert _wait_policy_after_import(dict(os.environ, OMP_WAIT_POLICY="ACTIVE")) == "ACTIVE"


def _usable_cpus():
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def test_the_bound_is_threads_per_cpu():
    assert fastnet.threads.max_threads() == fastnet.threads.THREADS_PER_CPU * _usable_cpus()
    fastnet.set_num_threads(fastnet.threads.max_threads())  # the bound itself is allowed
    if _openmp.have_openmp():
        assert fastnet.get_num_threads() == fastnet.threads.max_threads()


@pytest.mark.skipif(not _openmp.have_openmp(), reason="serial build: no threads")
def test_the_kernels_enforce_the_same_bound():
    assert _openmp.THREADS_PER_CPU == fastnet.threads.THREADS_PER_CPU
    assert _openmp.thread_cap() == fastnet.threads.max_threads()


def test_absurd_omp_num_threads_keeps_its_nested_levels():
    code = "import os, fastnet; print(os.environ['OMP_NUM_THREADS'])"
    env = dict(os.environ, OMP_NUM_THREADS="100000,3")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True)
    assert out.stdout.split() == [f"{fastnet.threads.max_threads()},3"]
    assert out.stderr.count("RuntimeWarning") == 1


def _system_libgomp():
    try:
        out = subprocess.run(["gcc", "-print-file-name=libgomp.so.1"], capture_output=True,
                             text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return out if os.path.isabs(out) and os.path.exists(out) else None


def _run_with_openmp_loaded_first(code):
    """stdout of `code` in a Python with OMP_NUM_THREADS=100000 and libgomp preloaded,
    so OpenMP reads the absurd value before fastnet can bound it."""
    # A sanitizer run preloads its runtime, which must stay first in the list.
    preload = " ".join(filter(None, [os.environ.get("LD_PRELOAD"), _system_libgomp()]))
    env = dict(os.environ, OMP_NUM_THREADS="100000", LD_PRELOAD=preload)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.mark.skipif(not _openmp.have_openmp(), reason="serial build: no threads")
@pytest.mark.skipif(_system_libgomp() is None, reason="no libgomp found to preload")
def test_absurd_omp_num_threads_read_before_fastnet_is_bounded_too():
    """OpenMP loaded (here: preloaded) before fastnet has already read the absurd
    value; the importing thread's count is bounded all the same."""
    code = ("import numpy as np, fastnet; from fastnet.layers import Relu; "
            "print(float(Relu().forward(np.ones((1000, 1000))).sum()), "
            "fastnet.get_num_threads())")
    out = _run_with_openmp_loaded_first(code)
    assert out.split() == ["1000000.0", str(fastnet.threads.max_threads())]


@pytest.mark.skipif(not _openmp.have_openmp(), reason="serial build: no threads")
@pytest.mark.skipif(_system_libgomp() is None, reason="no libgomp found to preload")
def test_absurd_omp_num_threads_read_before_fastnet_is_bounded_in_other_threads():
    """OpenMP keeps its count per thread: a Python thread fastnet never
    configured starts from the absurd value OpenMP read, and a threaded kernel
    called there started a team of 100000 threads (a segfault) before the
    kernels bounded their teams themselves."""
    code = ("import threading, numpy as np, fastnet; a = np.ones((300, 300)); out = []; "
            "work = lambda: out.append((fastnet.get_num_threads(), "
            "float(fastnet.backend.load('cython').gemm(a, a).sum()))); "
            "t = threading.Thread(target=work); t.start(); t.join(); print(*out[0])")
    out = _run_with_openmp_loaded_first(code)
    assert out.split() == [str(fastnet.threads.max_threads()), "27000000.0"]
