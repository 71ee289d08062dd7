"""Arrays on a GPU backend: to_device / to_numpy, host arrays refused with the
way to move them, functions and the numerical gradient on device arrays,
strided device views into the row kernels (on "cupy-fake", and "cupy" where
it loads: the `device` fixture in conftest.py)."""

import numpy as np
import pytest

import fastnet
import fastnet.backend
from fastnet import functions
from fastnet.backend import load
from fastnet.gradient import numerical_gradient
from fastnet.nets import TwoLayerNet
from fastnet.optimizers import SGD

HINT = r"fastnet\.to_device"


def test_host_arrays_are_refused_with_the_way_to_move_them(device):
    B = fastnet.backend.current()
    net = TwoLayerNet(4, 3, 2)
    x, t = np.ones((2, 4)), np.array([0, 1])
    xd, td = fastnet.to_device(x), fastnet.to_device(t)
    with pytest.raises(TypeError, match=r"gemm: a is a numpy\.ndarray in host memory.*" + HINT):
        net.gradient(x, td)
    with pytest.raises(TypeError, match=r"t is a numpy\.ndarray.*" + HINT):
        net.loss(xd, t)
    with pytest.raises(TypeError, match=HINT):
        net.accuracy(xd, t)
    with pytest.raises(TypeError, match=HINT):
        SGD().update(net.params, {k: fastnet.to_numpy(v) for k, v in net.params.items()})
    with pytest.raises(TypeError, match=HINT):
        functions.sigmoid(x)
    with pytest.raises(TypeError, match=HINT):
        B.gemm(xd, np.ones((4, 3)))
    with pytest.raises(TypeError, match=r"gemm: bias is a list in host memory"):
        B.gemm(xd, fastnet.to_device(np.ones((4, 3))), [0.0, 1.0, 2.0])


def test_functions_and_numerical_gradient_on_the_device(device):
    xp = fastnet.backend.current().xp
    x = np.random.default_rng(0).standard_normal((3, 4))
    xd = fastnet.to_device(x)
    with fastnet.using_backend("numpy"):
        expected = {f: getattr(functions, f)(x) for f in ("sigmoid", "relu", "softmax")}
        expected_loss = functions.softmax_loss(x, np.array([0, 3, 1]))
    for name, want in expected.items():
        got = getattr(functions, name)(xd)
        assert isinstance(got, xp.ndarray)
        np.testing.assert_allclose(fastnet.to_numpy(got), want, rtol=1e-12)
    t = fastnet.to_device(np.array([0, 3, 1]))
    loss = functions.cross_entropy_error(functions.softmax(xd), t)
    assert loss == pytest.approx(expected_loss)

    def f(w):
        return float((w * w).sum())

    np.testing.assert_allclose(fastnet.to_numpy(numerical_gradient(f, xd)), 2 * x, rtol=1e-6)


def test_to_device_and_to_numpy(device):
    xp = fastnet.backend.current().xp
    x = np.arange(6.0).reshape(2, 3)
    d = fastnet.to_device(x)
    assert isinstance(d, xp.ndarray) and not isinstance(d, np.ndarray)
    back = fastnet.to_numpy(d)
    assert isinstance(back, np.ndarray)
    np.testing.assert_array_equal(back, x)
    params = fastnet.to_device({"W": x, "b": x[0]})
    assert all(isinstance(v, xp.ndarray) for v in params.values())
    host = fastnet.to_numpy(params)
    np.testing.assert_array_equal(host["b"], x[0])


def test_to_device_on_a_cpu_backend_copies_nothing():
    x = np.ones(3)
    with fastnet.using_backend("numpy"):
        assert fastnet.to_device(x) is x
    assert fastnet.to_numpy(x) is x
    assert isinstance(fastnet.to_numpy([1.0, 2.0]), np.ndarray)


@pytest.mark.parametrize("target", ["labels", "one-hot"])
def test_row_kernels_take_any_layout(device, target):
    """The row kernels read raw pointers: strided input must be made contiguous first."""
    B = fastnet.backend.current()
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 9, 14)
    x = rng.standard_normal((9, 7))
    t = labels if target == "labels" else np.eye(9)[labels].T  # (9, 14)
    # Strided views made on the device (to_device itself gives contiguous copies).
    xd, td = fastnet.to_device(x).T, fastnet.to_device(t)
    td = td[::2] if target == "labels" else td[:, ::2].T
    x, t = x.T, (t[::2] if target == "labels" else t[:, ::2].T)
    assert not xd.flags.c_contiguous and not td.flags.c_contiguous
    ref = load("numpy")
    loss, dx = B.softmax_cross_entropy(xd, td)
    ref_loss, ref_dx = ref.softmax_cross_entropy(x, t)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    np.testing.assert_allclose(fastnet.to_numpy(dx), ref_dx, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(fastnet.to_numpy(B.softmax(xd)), ref.softmax(x), rtol=1e-12)
