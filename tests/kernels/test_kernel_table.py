"""The kernel table (fastnet/backend/kernels.py) against the code: every backend
provides every kernel of it, and nothing else is a kernel.

A kernel missing from a backend, a kernel the checks forward that the table
does not name, or a name left in the table after its kernel went, fails here
with the names.
"""

import importlib
import inspect

import pytest
from _fake_device import FAKE_GPU_NAME, make_fake_gpu_backend

from fastnet.backend import Backend, load, reference
from fastnet.backend import numpy as reference_package
from fastnet.backend.checks.arrays import ArrayChecks
from fastnet.backend.kernels import COMPOSABLE, FAMILIES, HELPERS, KERNELS


def _impl(name):
    if name == FAKE_GPU_NAME:
        return make_fake_gpu_backend().impl
    try:
        return load(name).impl
    except (ImportError, RuntimeError) as exc:
        pytest.skip(f"backend {name!r} unavailable: {exc}")


def _public_functions(module, defined_there=False):
    return {name for name, value in vars(module).items()
            if inspect.isfunction(value) and not name.startswith("_")
            and (not defined_there or value.__module__ == module.__name__)}


def _public_methods(cls):
    return {name for name, value in vars(cls).items()
            if inspect.isfunction(value) and not name.startswith("_")}


def _classes_of(module):
    return [value for value in vars(module).values()
            if inspect.isclass(value) and value.__module__ == module.__name__]


def test_every_kernel_has_one_family():
    assert len(KERNELS) == len(set(KERNELS)), "a kernel is listed twice"
    assert COMPOSABLE <= set(KERNELS)
    assert set(FAMILIES) == {"gemm", "elementwise", "losses", "optimizers", "conv", "norm",
                             "embedding"}


@pytest.mark.parametrize("name", ["numpy", "cython", "cupy", FAKE_GPU_NAME])
def test_every_backend_provides_every_kernel(name):
    impl = _impl(name)
    missing = [kernel for kernel in KERNELS
               if kernel not in COMPOSABLE and not callable(getattr(impl, kernel, None))]
    assert not missing, f"backend {name!r} lacks kernels: {missing}"


def test_the_reference_has_exactly_the_tables_names():
    assert _public_functions(reference_package) == set(KERNELS) | set(HELPERS)
    # the older name, an alias module, offers the same
    assert _public_functions(reference) == set(KERNELS) | set(HELPERS)
    assert set(reference.__all__) == set(reference_package.__all__)


@pytest.mark.parametrize("family", FAMILIES)
def test_each_familys_reference_is_the_module_of_its_name(family):
    module = importlib.import_module(f"fastnet.backend.numpy.{family}")
    helpers = set(HELPERS) if family == "conv" else set()
    assert _public_functions(module, defined_there=True) == set(FAMILIES[family]) | helpers


def test_the_checked_backends_kernels_are_the_table():
    methods = {name for name, value in inspect.getmembers(Backend, inspect.isfunction)
               if not name.startswith("_")}
    # ArrayChecks' public methods convert arrays: they are not kernels.
    assert methods - _public_methods(ArrayChecks) == set(KERNELS)


@pytest.mark.parametrize("family", FAMILIES)
def test_each_familys_checks_live_in_the_module_of_its_name(family):
    module = importlib.import_module(f"fastnet.backend.checks.{family}")
    methods = set().union(*(_public_methods(cls) for cls in _classes_of(module)))
    assert methods == set(FAMILIES[family])


# The cython backend's conv family is cut in two modules (conv.py would pass
# ~400 lines): the fused convolution with pooling is conv_pool.py. (conv_blas.py
# and layout.py hold helpers of conv.py, not kernels.)
_CYTHON_FAMILY_MODULES = {"conv": ("conv", "conv_pool")}


@pytest.mark.parametrize("family", FAMILIES)
def test_each_familys_compiled_kernels_live_in_the_module_of_its_name(family):
    pytest.importorskip("fastnet._gemm", reason="the cython backend is not built")
    kernels = set()
    for name in _CYTHON_FAMILY_MODULES.get(family, (family,)):
        module = importlib.import_module(f"fastnet.backend.cython.{name}")
        kernels |= _public_functions(module, defined_there=True) & set(KERNELS)
    # dropout_mask is the reference's draw (np.random, as in the book), re-exported
    kernels |= {"dropout_mask"} & set(FAMILIES[family])
    assert kernels == set(FAMILIES[family])
