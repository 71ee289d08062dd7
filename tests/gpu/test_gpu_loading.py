"""Loading the GPU backend: never imported by accident, a clear error without
CuPy or without a GPU, and every kernel the checked Backend forwards present."""

import os
import re
import subprocess
import sys
import types

import pytest

import fastnet
import fastnet.backend
from fastnet.backend import cupy as gpu
from fastnet.backend import load


def test_importing_fastnet_never_imports_cupy():
    code = ("import sys, numpy as np, fastnet\n"
            "from fastnet.nets import TwoLayerNet\n"
            "TwoLayerNet(4, 3, 2).gradient(np.ones((2, 4)), np.array([0, 1]))\n"
            "print(fastnet.available_backends() is not None, 'cupy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    # available_backends() tries every backend, cupy included: check before it.
    code_before = code.replace("fastnet.available_backends() is not None", "True")
    before = subprocess.run([sys.executable, "-c", code_before], capture_output=True,
                            text=True, check=True).stdout
    assert before.split()[-1] == "False", before
    assert out.split()[0] == "True"


def test_asking_for_cupy_without_cupy_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", None)  # import cupy now raises ImportError
    monkeypatch.delitem(fastnet.backend._loaded, "cupy", raising=False)
    with pytest.raises(ImportError, match=r'needs CuPy.*pip install "fastnet\[gpu\]"'):
        fastnet.set_backend("cupy")
    assert "cupy" not in fastnet.available_backends()


def test_asking_for_cupy_without_a_gpu_says_so(monkeypatch):
    def no_device():
        raise RuntimeError("cudaErrorNoDevice: no CUDA-capable device is detected")

    fake = types.SimpleNamespace(
        is_available=lambda: False,
        cuda=types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=no_device)),
    )
    monkeypatch.setitem(sys.modules, "cupy", fake)
    monkeypatch.delitem(fastnet.backend._loaded, "cupy", raising=False)
    with pytest.raises(RuntimeError, match=r"needs an NVIDIA GPU.*cudaErrorNoDevice"):
        gpu.make_backend()
    with pytest.raises(RuntimeError, match="needs an NVIDIA GPU"):
        fastnet.set_backend("cupy")


def test_the_gpu_backend_has_every_kernel():
    """Every kernel the Backend checks and forwards has a GPU implementation."""
    from fastnet.backend import Backend

    helpers = {"asarray", "to_device"}  # Backend's own, not kernels
    kernels = [name for name in dir(Backend) if not name.startswith("_")
               and callable(getattr(Backend, name)) and name not in helpers]
    assert {"gemm", "adam_update", "conv_pool_forward", "dropout_mask"} <= set(kernels)
    missing = [name for name in kernels if not callable(getattr(gpu.DeviceKernels, name, None))]
    assert not missing, f"the GPU backend lacks kernels: {missing}"


def test_fastnet_backend_cupy_without_a_gpu_is_a_clear_error():
    try:
        load("cupy")
        pytest.skip("this machine has a working GPU backend")
    except (ImportError, RuntimeError):
        pass
    code = "import fastnet; fastnet.get_backend()"
    env = dict(os.environ, FASTNET_BACKEND="cupy")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    assert re.match(r"(ImportError|RuntimeError): the 'cupy' backend needs", last), last
