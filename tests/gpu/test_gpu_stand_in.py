"""The strict CuPy stand-in (tests/_fake_device.py) is strict, and offers
nothing CuPy lacks (the last two where CuPy is installed; no GPU needed)."""

import numpy as np
import pytest
from _fake_device import DeviceArray, FakeCupy, fake_kernels

import fastnet
import fastnet.backend
from fastnet.backend import cupy as gpu


def test_the_stand_in_is_strict():
    """A test that cannot fail is a defect: the fake must catch what it claims to."""
    xp = FakeCupy()
    d = xp.asarray(np.ones(3))
    for misuse in (lambda: np.asarray(d), lambda: np.exp(d), lambda: np.sum(d),
                   lambda: d + np.ones(3), lambda: np.ones(3) * d, lambda: xp.exp(np.ones(3)),
                   lambda: d[np.array([0, 1])]):
        with pytest.raises(TypeError):
            misuse()
    assert xp.transfers["to_device"] == 1
    fastnet.to_numpy(d)
    float(d.sum())
    assert xp.transfers["to_host"] == 1 and xp.transfers["scalar_reads"] == 1
    k = fake_kernels(xp)
    with pytest.raises(TypeError, match="C-contiguous"):  # a raw kernel reads raw pointers
        k.softmax_rows["d"]((1,), (128,), (xp.asarray(np.ones((2, 3))).T, xp.empty((3, 2)),
                                            np.int64(3), np.int64(2)))
    with pytest.raises(TypeError, match="float64"):  # exact C types, no casting
        k.softmax_rows["d"]((1,), (128,), (xp.empty((2, 3), dtype=np.float32), xp.empty((2, 3)),
                                            np.int64(2), np.int64(3)))
    with pytest.raises(TypeError, match="mismatched"):
        k.activation_backward["relu"](xp.empty(3), xp.empty(3, dtype=np.float32))


cupy = None
try:  # only to compare the stand-in with the real thing; no GPU needed
    import cupy
except ImportError:
    pass


@pytest.mark.skipif(cupy is None, reason="CuPy is not installed")
def test_the_stand_in_offers_nothing_cupy_lacks():
    public = [a for a in vars(DeviceArray) if not a.startswith("_")]
    missing = [a for a in public if not hasattr(cupy.ndarray, a)]
    assert not missing, f"DeviceArray has attributes cupy.ndarray lacks: {missing}"
    xp = FakeCupy()
    names = [n for n in vars(xp) if not n.startswith("_") and n != "transfers"]
    names += [n for n in vars(FakeCupy) if not n.startswith("_")]
    missing = [n for n in names if not hasattr(cupy, n)]
    assert not missing, f"FakeCupy has names CuPy lacks: {missing}"
    assert not hasattr(cupy._core.flags.Flags, "writeable")


@pytest.mark.skipif(cupy is None, reason="CuPy is not installed")
def test_cupy_kernel_objects_build_without_a_gpu():
    """CuPy constructs every kernel object here; it compiles them (NVRTC) on
    first call, which needs a GPU: tests/gpu/test_gpu_sources.py compiles the
    sources where NVRTC is installed."""
    real = gpu.build(cupy)
    fake = fake_kernels(FakeCupy())
    assert vars(real).keys() == vars(fake).keys()
    for key, value in vars(real).items():
        if isinstance(value, dict):
            assert value.keys() == vars(fake)[key].keys(), key
            assert all(isinstance(k, (cupy.ElementwiseKernel, cupy.RawKernel))
                       for k in value.values())
        else:
            assert isinstance(value, cupy.ElementwiseKernel), key
