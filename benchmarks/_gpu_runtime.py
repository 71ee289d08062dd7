"""CuPy and PyTorch CUDA as bench_gpu.py and _gpu_steps.py need them: whether
the "cupy" backend loads, waiting for the device, PyTorch in plain FP32."""

import pytest

from fastnet.backend import load


def _cupy_or_reason():
    """(cupy, "") where the "cupy" backend loads, else (None, why not)."""
    try:
        load("cupy")
    except (ImportError, RuntimeError) as exc:
        return None, f"the cupy backend is unavailable: {exc}"
    import cupy

    return cupy, ""


cupy, _NO_CUPY = _cupy_or_reason()
gpu_only = pytest.mark.skipif(cupy is None, reason=_NO_CUPY)


def fastnet_sync(backend_name):
    """A function that waits for the backend's queued work (nothing to wait for on a CPU)."""
    if backend_name == "cupy":
        # The whole device, like torch.cuda.synchronize: every stream's work.
        return cupy.cuda.Device().synchronize
    return lambda: None


def torch_sync(torch, device):
    if torch.device(device).type == "cuda":
        return torch.cuda.synchronize
    return lambda: None


def torch_cuda():
    """PyTorch with a CUDA device and TF32 off, or skip."""
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("PyTorch sees no CUDA device")
    plain_fp32(torch)
    return torch


def plain_fp32(torch):
    """Float32 products and convolutions in plain FP32, not TF32 (PyTorch allows it for cuDNN)."""
    # PyTorch >= 2.9 warns when the old allow_tf32 flags are set (and this
    # project turns warnings into errors), so set the new ones where they exist.
    matmul, cudnn = torch.backends.cuda.matmul, torch.backends.cudnn
    if hasattr(matmul, "fp32_precision"):
        matmul.fp32_precision = "ieee"
        cudnn.conv.fp32_precision = "ieee"
    else:
        matmul.allow_tf32 = False
        cudnn.allow_tf32 = False
