"""Shared fixtures: every backend that loads here, and per-dtype tolerances."""

import numpy as np
import pytest

import fastnet
from fastnet.backend import load

# Backends tested against the reference; one that cannot load on this machine
# is skipped with its reason, never silently dropped.
BACKEND_NAMES = ("numpy", "cython", "cupy")

# Tolerances per dtype: float32 kernels reorder sums (blocking, SIMD, threads),
# so they agree with the reference to a few ulps of the accumulated size.
RTOL = {np.float32: 2e-5, np.float64: 1e-12}
ATOL = {np.float32: 2e-6, np.float64: 1e-13}


def _load_or_skip(name):
    try:
        return load(name)
    except (ImportError, RuntimeError) as exc:
        pytest.skip(f"backend {name!r} unavailable: {exc}")


@pytest.fixture(params=BACKEND_NAMES)
def backend(request):
    """Each backend in turn (skipped with the reason when it cannot load)."""
    return _load_or_skip(request.param)


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
