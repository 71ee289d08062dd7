"""The "cupy" backend is cut by kernel family, like the reference: no GPU needed.

A family has one name at every level (fastnet/backend/kernels.py): the GPU
twin of `fastnet.backend.numpy.losses.softmax` is a method of the class in
`fastnet.backend.cupy.losses`, and its CUDA kernel objects are built there.
"""

import importlib
import inspect

import pytest
from _fake_device import FakeCupy, fake_kernels

from fastnet.backend import cupy as gpu
from fastnet.backend.kernels import FAMILIES


def _family_module(family):
    return importlib.import_module(f"fastnet.backend.cupy.{family}")


def _family_classes(module):
    return [value for value in vars(module).values()
            if inspect.isclass(value) and value.__module__ == module.__name__]


@pytest.mark.parametrize("family", FAMILIES)
def test_each_familys_gpu_kernels_live_in_the_module_of_its_name(family):
    (cls,) = _family_classes(_family_module(family))
    methods = {name for name, value in vars(cls).items()
               if inspect.isfunction(value) and not name.startswith("_")}
    assert methods == set(FAMILIES[family])


def test_device_kernels_is_the_families_and_nothing_more():
    families = {cls for family in FAMILIES for cls in _family_classes(_family_module(family))}
    assert set(gpu.DeviceKernels.__bases__) == families
    # The only method of its own is __init__: every kernel comes from a family.
    own = {name for name, value in vars(gpu.DeviceKernels).items() if inspect.isfunction(value)}
    assert own == {"__init__"}


class _Recorder:
    """Just enough of CuPy to build kernel objects: records what each is built from."""

    class ElementwiseKernel:
        def __init__(self, in_params, out_params, operation, name, preamble):
            self.name = name

    class RawKernel:
        def __init__(self, source, name):
            self.name = name


def test_each_family_builds_its_own_kernel_objects():
    """The families' build(cupy) parts are disjoint, and together are what the fake gives."""
    seen = {}
    for family in FAMILIES:
        for key in _family_module(family).build(_Recorder):
            assert key not in seen, f"{family} and {seen.get(key)} both build {key!r}"
            seen[key] = family
    assert seen.keys() == vars(gpu.build(_Recorder)).keys()
    assert seen.keys() == vars(fake_kernels(FakeCupy())).keys()
