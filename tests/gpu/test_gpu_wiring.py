"""The GPU backend's wiring: training keeps the data on the device.

Runs in CI without a GPU: "cupy-fake" is the GPU backend's own Python code
(GpuBackend, DeviceKernels, and the layers, nets, optimizers, `fastnet train`
and fastnet.keras on top) on a strict stand-in for CuPy whose arrays refuse
NumPy and count every copy between host and device (tests/_fake_device.py).
With a GPU and CuPy, the same tests also run on the real "cupy" backend
(the `device` fixture, tests/gpu/conftest.py). Moving arrays and refusing
host ones: test_gpu_arrays.py; loading the backend: test_gpu_loading.py; the
stand-in itself: test_gpu_stand_in.py.
"""

import numpy as np
import pytest
from _fake_device import make_fake_gpu_backend

import fastnet
import fastnet.backend
from fastnet.nets import MultiLayerNet, MultiLayerNetExtend, SimpleConvNet, TwoLayerNet
from fastnet.optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop


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
    elif kind == "embedding":  # the IMDB tutorial's model: word ids, padding 0 at the front
        x = np.random.default_rng(0).integers(0, 20, (96, 7)).astype(np.float32)
        x[::3, :3] = 0
        stack = [layers.Embedding(20, 4, input_shape=(7,)), layers.GlobalAveragePooling1D(),
                 layers.Dense(1, activation="sigmoid")]
        loss, t = "binary_crossentropy", (t == 0).astype(np.float32)
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
    ("binary", "rmsprop"), ("regression", "adam"), ("conv", "adam"), ("embedding", "rmsprop"),
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
