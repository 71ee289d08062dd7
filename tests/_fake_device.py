"""A strict CPU stand-in for CuPy, to test the GPU backend's Python code without a GPU.

Two parts, each in its own module:

- _fake_cupy.py: `FakeCupy`, the array module, whose arrays (`DeviceArray`)
  refuse NumPy and count every copy between host and device;
- _fake_kernels.py: `fake_kernels(xp)`, the kernel objects the GPU backend
  builds from its CUDA sources, computed by the reference and strict about
  their arguments and launches.

`make_fake_gpu_backend()` puts them under the GPU backend's own classes;
tests import all of these names from here.
"""

from _fake_cupy import DeviceArray, FakeCupy
from _fake_kernels import fake_kernels

from fastnet.backend import cupy as gpu

__all__ = ["FAKE_GPU_NAME", "DeviceArray", "FakeCupy", "fake_kernels", "make_fake_gpu_backend"]

FAKE_GPU_NAME = "cupy-fake"


def make_fake_gpu_backend(name=FAKE_GPU_NAME):
    """The GPU backend's own classes (GpuBackend, DeviceKernels) on FakeCupy."""
    xp = FakeCupy()
    return gpu.GpuBackend(name, gpu.DeviceKernels(xp, fake_kernels(xp)))
