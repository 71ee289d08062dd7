"""Benchmarks live outside the default test run: `pytest benchmarks`.

Every run records which BLAS NumPy used (threadpoolctl) and fastnet's thread
count and SIMD kernel in the JSON's machine_info, and prints them, so a
ratio against NumPy always says what it was measured against.
"""

import importlib.util
import os

import pytest

import fastnet


def _blas_info():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return [{"note": "threadpoolctl not installed"}]
    keep = ("internal_api", "version", "architecture", "num_threads", "user_api")
    return [{k: lib.get(k) for k in keep} for lib in threadpool_info()]


def _fastnet_info():
    info = {"backend": fastnet.get_backend(), "threads": fastnet.get_num_threads()}
    try:
        from fastnet import gemm

        info["gemm_simd_kernel"] = gemm.simd_kernel()
    except (ImportError, AttributeError):
        pass
    overrides = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                             "OMP_NUM_THREADS") if k in os.environ}
    info["environment"] = overrides
    return info


def pytest_benchmark_update_machine_info(config, machine_info):
    machine_info["blas"] = _blas_info()
    machine_info["fastnet"] = _fastnet_info()


def pytest_report_header(config):
    lines = [f"fastnet: {_fastnet_info()}"]
    for lib in _blas_info():
        lines.append(f"blas: {lib}")
    if any(k in os.environ for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")):
        lines.append("WARNING: OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE are set, "
                     "so NumPy's BLAS is not running its default kernel")
    return lines


# PyTorch CPU, when installed, is compared on the same thread count; it is
# imported here so that its count is set before any benchmark uses it.
torch = importlib.import_module("torch") if importlib.util.find_spec("torch") else None


@pytest.fixture(autouse=True)
def _one_thread_unless_asked():
    """Benchmarks run on 1 thread (fastnet and PyTorch) unless a test sets its own."""
    before = fastnet.get_num_threads()
    fastnet.set_num_threads(1)
    if torch is not None:
        torch.set_num_threads(1)
    yield
    fastnet.set_num_threads(before)
