"""Shared fixtures: every backend that loads here (the tolerance table is tests/_tolerances.py)."""

import numpy as np
import pytest
from _fake_device import FAKE_GPU_NAME, make_fake_gpu_backend
from _host_bridge import HostBridge

import fastnet
import fastnet.backend
from fastnet.backend import load

# Backends tested against the reference; one that cannot load on this machine
# is skipped with its reason, never silently dropped. "cupy-fake" is the GPU
# backend's Python code on a strict CPU stand-in for CuPy (tests/_fake_device.py):
# it runs everywhere, so CI checks the GPU glue even without a GPU.
BACKEND_NAMES = ("numpy", "cython", "cupy", FAKE_GPU_NAME)



def _load_or_skip(name):
    try:
        return load(name)
    except (ImportError, RuntimeError) as exc:
        pytest.skip(f"backend {name!r} unavailable: {exc}")


@pytest.fixture(params=BACKEND_NAMES)
def backend(request, monkeypatch):
    """Each backend in turn (skipped with the reason when it cannot load).

    A GPU backend comes wrapped in a HostBridge, which moves the tests' NumPy
    arrays to the device and back around each kernel call, and stands in for
    it under its name for the test (so `using_backend(backend.name)` works).
    """
    name = request.param
    if name == "cupy":
        gpu = _load_or_skip(name)
    elif name == FAKE_GPU_NAME:
        gpu = make_fake_gpu_backend()
        monkeypatch.setitem(fastnet.backend._IMPL_MODULES, name, "<tests/_fake_device.py>")
    else:
        return _load_or_skip(name)
    bridge = HostBridge(gpu)
    monkeypatch.setitem(fastnet.backend._loaded, name, bridge)
    return bridge


@pytest.fixture
def reference():
    """The NumPy reference backend: the specification."""
    return load("numpy")


@pytest.fixture(params=[np.float32, np.float64], ids=["f32", "f64"])
def dtype(request):
    return request.param


@pytest.fixture(autouse=True)
def _restore_global_state():
    """Tests may switch backend or threads; give the next test the defaults."""
    backend = fastnet.get_backend()
    threads = fastnet.get_num_threads()
    yield
    fastnet.set_backend(backend)
    fastnet.set_num_threads(threads)


def _compiled_kernels():
    try:
        from fastnet.backend.cython.gemm import available_kernels
    except ImportError:
        return []
    return list(available_kernels())


@pytest.fixture(params=_compiled_kernels() or [None])
def simd_kernel(request, monkeypatch):
    """Each GEMM kernel this CPU runs (the direct convolution's build follows it),
    with the patches multiplied in C (CONV_GEMM = "fastnet") whatever the kernel."""
    if request.param is None:
        pytest.skip("compiled backend unavailable")
    from fastnet.backend.cython import conv
    from fastnet.backend.cython.gemm import get_kernel, set_kernel
    before = get_kernel()
    set_kernel(request.param)
    monkeypatch.setattr(conv, "CONV_GEMM", "fastnet")
    yield request.param
    set_kernel(before)
