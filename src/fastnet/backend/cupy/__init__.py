"""The "cupy" backend: fastnet's kernels on an NVIDIA GPU, through CuPy.

    fastnet.set_backend("cupy")       # or FASTNET_BACKEND=cupy
    x = fastnet.to_device(x_train)    # move the data once
    ...                               # nets and optimizers created now live on the GPU

Read in this order: cuda.py and cuda_conv.py (the CUDA code, each kernel's
math in one line), launch.py and launch_conv.py (the glue that launches them
under the reference's names), checks.py (the checks, and the refusal of host
arrays).

This module is imported only when the "cupy" backend is asked for, so
importing fastnet never imports CuPy.
"""

from . import cuda
from .checks import GpuBackend
from .launch import DeviceKernels

_INSTALL_HINT = (
    'pip install "fastnet[gpu]" (CuPy for CUDA 12), or pip install cupy-cuda13x for CUDA 13'
)


def make_backend():
    """The GpuBackend on CuPy, or ImportError / RuntimeError saying what is missing."""
    try:
        import cupy
    except ImportError as exc:
        raise ImportError(
            f"the 'cupy' backend needs CuPy, which is not installed: {_INSTALL_HINT}"
        ) from exc
    # is_available() is False, rather than an exception, when CUDA finds no
    # GPU or no driver; asking for the device count then says why, in CUDA's words.
    if not cupy.is_available():
        raise RuntimeError(
            "the 'cupy' backend needs an NVIDIA GPU with a working driver, and CuPy "
            f"finds none ({_why_no_gpu(cupy)}); use the 'cython' or 'numpy' backend here"
        )
    return GpuBackend("cupy", DeviceKernels(cupy, cuda.build(cupy)))


def _why_no_gpu(cupy):
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # CUDARuntimeError, or a missing CUDA library
        return f"{type(exc).__name__}: {exc}"
    return f"{count} CUDA devices"
