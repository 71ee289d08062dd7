"""The `device` fixture: the tests of tests/gpu that run on a GPU backend."""

import pytest
from _fake_device import FAKE_GPU_NAME, make_fake_gpu_backend

import fastnet
import fastnet.backend
from fastnet.backend import load


@pytest.fixture(params=[FAKE_GPU_NAME, "cupy"])
def device(request, monkeypatch):
    """Switch to a GPU backend; returns its transfer counter (None on a real GPU)."""
    name = request.param
    if name == "cupy":
        try:
            load("cupy")
        except (ImportError, RuntimeError) as exc:
            pytest.skip(f"backend 'cupy' unavailable: {exc}")
        counter = None
    else:
        B = make_fake_gpu_backend()
        monkeypatch.setitem(fastnet.backend._IMPL_MODULES, name, "<tests/_fake_device.py>")
        monkeypatch.setitem(fastnet.backend._loaded, name, B)
        counter = B.xp.transfers
    fastnet.set_backend(name)
    return counter
