"""The GPU backend's wiring: data stays on the device, host arrays are refused.

Runs in CI without a GPU: "cupy-fake" is the GPU backend's own Python code
(GpuBackend, DeviceKernels, and the layers, nets and optimizers on top) on a
strict stand-in for CuPy whose arrays refuse NumPy and count every copy
between host and device (tests/_fake_device.py). With a GPU and CuPy, the
same tests also run on the real "cupy" backend.
"""

import os
import re
import subprocess
import sys
import types

import numpy as np
import pytest
from _fake_device import FAKE_GPU_NAME, DeviceArray, FakeCupy, fake_kernels, make_fake_gpu_backend

import fastnet
import fastnet.backend
from fastnet import functions
from fastnet.backend import cupy as gpu
from fastnet.backend import load
from fastnet.gradient import numerical_gradient
from fastnet.nets import MultiLayerNet, MultiLayerNetExtend, SimpleConvNet, TwoLayerNet
from fastnet.optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop

HINT = r"fastnet\.to_device"


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


def blobs(n=96, d=6, c=3, seed=0):
    rng = np.random.default_rng(seed)
    t = rng.integers(0, c, n)
    return rng.standard_normal((c, d))[t] * 3 + rng.standard_normal((n, d)), t


def train(net, optimizer, x, t, order, steps, batch=16):
    """Mini-batch steps over the rows in `order` (an index array on x's device)."""
    for step in range(steps):
        rows = order[(step * batch) % len(order):][:batch]
        optimizer.update(net.params, net.gradient(x[rows], t[rows]))


# The stand-in computes exactly what the CPU does; a GPU sums in another order,
# and a few optimizer steps (Adam normalises each step) can amplify that.
TOL = {np.float32: dict(rtol=2e-4, atol=2e-5), np.float64: dict(rtol=1e-9, atol=1e-11)}
GPU_TOL = {np.float32: dict(rtol=2e-3, atol=2e-4), np.float64: dict(rtol=1e-7, atol=1e-9)}


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("opt", [SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam])
def test_training_stays_on_the_device_and_matches_numpy(device, opt, dtype):
    x, t = blobs()
    x = x.astype(dtype)
    order = np.random.default_rng(1).permutation(len(x))

    def run(make_net):
        np.random.seed(0)
        net, optimizer = make_net(), opt(lr=0.05)
        xs, ts, orders = (fastnet.to_device(a) for a in (x, t, order))  # moved once
        before = None if device is None else dict(device)
        train(net, optimizer, xs, ts, orders, steps=12)
        acc = net.accuracy(xs, ts)
        during = None if device is None else {k: device[k] - before.get(k, 0) for k in device}
        return net, acc, during

    def make_net():
        return MultiLayerNet(6, [8, 5], 3, activation="tanh", weight_decay_lambda=0.01,
                             dtype=dtype)

    net, acc, during = run(make_net)
    with fastnet.using_backend("numpy"):
        host_net, host_acc, _ = run(make_net)

    for key, param in net.params.items():
        assert isinstance(param, fastnet.backend.current().xp.ndarray), key
        np.testing.assert_allclose(fastnet.to_numpy(param), host_net.params[key],
                                   err_msg=f"params[{key!r}] after training",
                                   **(TOL if device is not None else GPU_TOL)[dtype])
    assert acc == pytest.approx(host_acc)
    if device is not None:  # the fake counts every crossing
        assert during.get("to_device", 0) == 0, f"arrays copied to the device: {during}"
        assert during.get("to_host", 0) == 0, f"arrays copied to the host: {during}"
        # Per step: the loss (the book returns a float), the label-range
        # check and the weight-decay penalty; accuracy reads its count once.
        assert during.get("scalar_reads", 0) <= 3 * 12 + 1, during


def images(n=24, c=3, seed=0):
    """(n, 1, 8, 8) images whose class is the brightest quarter of the image."""
    rng = np.random.default_rng(seed)
    t = rng.integers(0, c, n)
    x = rng.standard_normal((n, 1, 8, 8))
    for k in range(c):
        x[t == k, :, (k // 2) * 4:(k // 2) * 4 + 4, (k % 2) * 4:(k % 2) * 4 + 4] += 2.0
    return x, t


def make_conv_net(dtype):
    return SimpleConvNet(input_dim=(1, 8, 8), hidden_size=10, output_size=3, weight_init_std=0.1,
                         conv_param={"filter_num": 4, "filter_size": 3, "pad": 1, "stride": 1},
                         dtype=dtype)


def make_extend_net(dtype, dropout):
    return MultiLayerNetExtend(64, [12, 8], 3, use_batchnorm=True, use_dropout=dropout,
                               dropout_ration=0.2, dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("kind", ["conv", "batchnorm", "batchnorm+dropout"])
def test_convolution_era_nets_train_on_the_device(device, kind, dtype):
    """Convolution, pooling, batch norm and dropout layers on device arrays."""
    if kind == "batchnorm+dropout" and device is None:
        pytest.skip("CuPy draws dropout masks with its own generator: no NumPy run to match")
    x, t = images()
    x = x.astype(dtype) if kind == "conv" else x.reshape(len(x), -1).astype(dtype)
    order = np.random.default_rng(1).permutation(len(x))

    def run():
        np.random.seed(0)
        if kind == "conv":
            net = make_conv_net(dtype)
        else:
            net = make_extend_net(dtype, dropout=kind.endswith("dropout"))
        xs, ts, orders = (fastnet.to_device(a) for a in (x, t, order))
        before = None if device is None else dict(device)
        train(net, Adam(lr=0.01), xs, ts, orders, steps=6, batch=8)
        acc = net.accuracy(xs, ts)
        during = None if device is None else {k: device[k] - before.get(k, 0) for k in device}
        return net, acc, during

    net, acc, during = run()
    with fastnet.using_backend("numpy"):
        host_net, host_acc, _ = run()
    for key, param in net.params.items():
        np.testing.assert_allclose(fastnet.to_numpy(param), host_net.params[key],
                                   err_msg=f"{kind} params[{key!r}]",
                                   **(TOL if device is not None else GPU_TOL)[dtype])
    assert acc == pytest.approx(host_acc)
    if device is not None:
        assert during.get("to_device", 0) == 0 and during.get("to_host", 0) == 0, during


def test_nets_and_optimizers_allocate_on_the_device(device):
    xp = fastnet.backend.current().xp
    net = TwoLayerNet(4, 3, 2)
    assert all(isinstance(p, xp.ndarray) for p in net.params.values())
    opt = Adam()
    x = fastnet.to_device(np.ones((2, 4)))
    opt.update(net.params, net.gradient(x, fastnet.to_device(np.array([0, 1]))))
    assert all(isinstance(s, xp.ndarray) for s in (*opt.m.values(), *opt.v.values()))


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


# ------------------------------------------------------------- the stand-in


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


# ------------------------------------------------- loading and its errors


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


def test_the_gpu_backend_has_every_kernel():
    """Every kernel the Backend checks and forwards has a GPU implementation."""
    from fastnet.backend import Backend

    helpers = {"asarray", "to_device"}  # Backend's own, not kernels
    kernels = [name for name in dir(Backend) if not name.startswith("_")
               and callable(getattr(Backend, name)) and name not in helpers]
    assert {"gemm", "adam_update", "conv_pool_forward", "dropout_mask"} <= set(kernels)
    missing = [name for name in kernels if not callable(getattr(gpu.DeviceKernels, name, None))]
    assert not missing, f"the GPU backend lacks kernels: {missing}"


def test_fastnet_train_on_the_stand_in_copies_only_before_the_loop(monkeypatch, capsys, tmp_path):
    """`fastnet train --backend cupy` through the GPU backend's code, on the stand-in."""
    from fastnet import cli

    monkeypatch.setenv("FASTNET_OFFLINE", "1")
    monkeypatch.setenv("FASTNET_DATA", str(tmp_path))
    B = make_fake_gpu_backend("cupy")
    monkeypatch.setitem(fastnet.backend._loaded, "cupy", B)
    status = cli.main(["train", "--backend", "cupy", "--epochs", "2", "--hidden", "20",
                       "--no-compare", "--threads", "1"])
    out = capsys.readouterr().out
    assert status == 0 and "backend cupy" in out
    assert float(out.rsplit("test acc ", 1)[1].split()[0]) > 0.8, out
    # The data (4 arrays) and the weights (2) once, one batch order per epoch.
    assert B.xp.transfers["to_device"] == 4 + 2 + 2, B.xp.transfers
    assert B.xp.transfers["to_host"] == 0, B.xp.transfers


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


def keras_model(kind, optimizer):
    """A small model of each kind a Keras tutorial builds, and its data."""
    from fastnet.keras import layers, models

    x, t = blobs(n=96, d=16, c=3)
    x = x.astype(np.float32)
    if kind == "dense-sparse":
        stack = [layers.Dense(16, activation="relu", input_shape=(16,)),
                 layers.Dense(3, activation="softmax")]
        loss = "sparse_categorical_crossentropy"
    elif kind == "dense-onehot-dropout":
        stack = [layers.Dense(16, activation="tanh", input_shape=(16,)), layers.Dropout(0.2),
                 layers.Dense(3, activation="softmax")]
        loss, t = "categorical_crossentropy", np.eye(3, dtype=np.float32)[t]
    elif kind == "binary":
        stack = [layers.Dense(8, activation="relu", input_shape=(16,)),
                 layers.Dense(1, activation="sigmoid")]
        loss, t = "binary_crossentropy", (t == 0).astype(np.float32)
    elif kind == "regression":
        stack = [layers.Dense(8, activation="relu", input_shape=(16,)), layers.Dense(1)]
        loss, t = "mse", x[:, :1] * 0.5
    else:  # "conv": channels-last images, Keras' layout
        x = x.reshape(-1, 4, 4, 1)
        stack = [layers.Conv2D(4, (3, 3), activation="relu", padding="same",
                               input_shape=(4, 4, 1)),
                 layers.MaxPooling2D((2, 2)), layers.Flatten(),
                 layers.Dense(3, activation="softmax")]
        loss = "sparse_categorical_crossentropy"
    model = models.Sequential(stack)
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"] if loss != "mse" else [])
    return model, x, t


@pytest.mark.parametrize("kind, optimizer", [
    ("dense-sparse", "rmsprop"), ("dense-sparse", "sgd"), ("dense-onehot-dropout", "adam"),
    ("binary", "rmsprop"), ("regression", "adam"), ("conv", "adam"),
])
def test_keras_models_train_on_the_device(device, kind, optimizer):
    """fastnet.keras under the same switch: fit copies its data once per call, not per step."""
    from fastnet.keras import utils

    if kind.endswith("dropout") and device is None:
        pytest.skip("CuPy draws dropout masks with its own generator: no NumPy run to match")

    def run():
        utils.set_random_seed(0)
        np.random.seed(0)
        model, x, t = keras_model(kind, optimizer)
        before = None if device is None else dict(device)
        history = model.fit(x, t, epochs=3, batch_size=16, verbose=0)
        during = None if device is None else {k: device[k] - before.get(k, 0) for k in device}
        return model, history, during

    model, history, during = run()
    assert all(isinstance(w, fastnet.backend.current().xp.ndarray) for w in model.weights)
    with fastnet.using_backend("numpy"):
        host_model, host_history, _ = run()
    for w, host_w in zip(model.get_weights(), host_model.get_weights()):
        np.testing.assert_allclose(w, host_w, **(TOL if device is not None else GPU_TOL)[
            np.float32])
    np.testing.assert_allclose(history.history["loss"], host_history.history["loss"],
                               rtol=1e-4 if device is not None else 1e-3)
    if device is not None:
        # x and y once per fit call, one batch order per epoch (the weights were
        # made when the model was): the 3·96/16 = 18 steps copy nothing.
        assert during["to_device"] == 2 + 3, during
        assert during.get("to_host", 0) == 0, during
