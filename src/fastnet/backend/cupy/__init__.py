"""The "cupy" backend: fastnet's kernels on an NVIDIA GPU, through CuPy.

    fastnet.set_backend("cupy")       # or FASTNET_BACKEND=cupy
    x = fastnet.to_device(x_train)    # move the data once
    ...                               # nets and optimizers created now live on the GPU

One module per kernel family, named as in fastnet.backend.numpy (gemm,
elementwise, losses, optimizers, conv, norm, embedding): each holds its
family's CUDA code (each kernel's math in one line), the `build(cupy)` that
makes CuPy kernel objects of it, and the glue that launches them under the
reference's names. Nothing here is NumPy's math: each kernel's one-line
statement matches the function of the same name in fastnet.backend.numpy,
the specification. Read launch.py first (what the families share: the
activations' device functions, building and launching), then the
families, then checks.py (the checks, and the refusal of host arrays).

This module is imported only when the "cupy" backend is asked for, so
importing fastnet never imports CuPy.
"""

import types

from . import conv, elementwise, embedding, gemm, losses, norm, optimizers
from .checks import GpuBackend

_INSTALL_HINT = (
    'pip install "fastnet[gpu]" (CuPy for CUDA 12), or pip install cupy-cuda13x for CUDA 13'
)

_FAMILY_MODULES = (gemm, elementwise, losses, optimizers, conv, norm, embedding)


def build(cupy):
    """Every family's CuPy kernel objects in one namespace: the `k` of DeviceKernels.

    Constructing them needs no GPU; CuPy compiles each on its first call.
    """
    kernels = {}
    for family in _FAMILY_MODULES:
        kernels.update(family.build(cupy))
    return types.SimpleNamespace(**kernels)


class DeviceKernels(
    gemm.GemmKernels,
    elementwise.ElementwiseKernels,
    losses.LossKernels,
    optimizers.OptimizerKernels,
    conv.ConvKernels,
    norm.NormKernels,
    embedding.EmbeddingKernels,
):
    """Every kernel of the reference on `xp` arrays, computed by the kernels in `k`.

    `xp` is the array module (CuPy) and `k` the kernel objects (`build(cupy)`).
    The glue allocates outputs with `xp`, picks the kernel for the activation
    and dtype, and launches it. It never calls NumPy on an array: NumPy
    appears only for scalar types (`np.int64(n)`), because a RawKernel passes
    its scalar arguments by their exact C type.

    The glue is written against `xp` and `k` rather than importing CuPy, so
    the tests run it on a machine without a GPU, with a strict stand-in
    array module and the reference math in place of the CUDA kernels
    (tests/_fake_device.py).
    """

    def __init__(self, xp, k):
        self.xp = xp
        self.k = k


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
    return GpuBackend("cupy", DeviceKernels(cupy, build(cupy)))


def _why_no_gpu(cupy):
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # CUDARuntimeError, or a missing CUDA library
        return f"{type(exc).__name__}: {exc}"
    return f"{count} CUDA devices"
