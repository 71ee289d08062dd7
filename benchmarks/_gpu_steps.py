"""The training steps bench_gpu.py times, fastnet's and their PyTorch twins.

Every step starts from the same weights (the book's draws from
np.random.seed(0)) and its first gradient is checked against the cython
backend's float64 one before it is returned (normwise, within GRAD_RTOL).
"""

import numpy as np
from _gpu_runtime import fastnet_sync, torch_sync

import fastnet
from fastnet.nets import MultiLayerNet, SimpleConvNet, TwoLayerNet
from fastnet.optimizers import SGD, Adam

NETS = {
    "twolayer_sgd": dict(input_shape=(784,), optimizer="sgd",
                         build=lambda dtype: TwoLayerNet(784, 100, 10, dtype=dtype)),
    "multilayer_adam": dict(input_shape=(784,), optimizer="adam",
                            build=lambda dtype: MultiLayerNet(784, [100] * 5, 10, dtype=dtype)),
    "simpleconv_adam": dict(input_shape=(1, 28, 28), optimizer="adam",
                            build=lambda dtype: SimpleConvNet(dtype=dtype)),
}
# A normwise check: reordered float32 sums can move a pre-activation across
# ReLU's kink for a sample or two, which changes a few gradient entries by a
# few percent (legitimately); a wrong layer or layout is off by O(1).
GRAD_RTOL = 1e-2


def step_batch(net_name, batch):
    """Inputs in [0, 1) like normalised MNIST and integer labels, float32, on the host."""
    rng = np.random.default_rng(0)
    shape = (batch, *NETS[net_name]["input_shape"])
    return rng.random(shape, dtype=np.float32), rng.integers(0, 10, batch)


def build_net(net_name, dtype):
    """The net on the current backend, from the book's draws (the same weights everywhere)."""
    np.random.seed(0)
    return NETS[net_name]["build"](dtype)


def make_optimizer(net_name):
    return SGD(lr=0.1) if NETS[net_name]["optimizer"] == "sgd" else Adam()


_reference_cache = {}


def reference_gradient(net_name, batch):
    """The first gradient on the cython backend in float64: what every implementation must give."""
    key = (net_name, batch)
    if key not in _reference_cache:
        x, t = step_batch(net_name, batch)
        with fastnet.using_backend("cython"):
            grads = build_net(net_name, np.float64).gradient(x.astype(np.float64), t)
        _reference_cache[key] = {k: np.asarray(g) for k, g in grads.items()}
    return _reference_cache[key]


def check_gradient(got, expected, what):
    """Every parameter's gradient within GRAD_RTOL of the reference, normwise; the worst error."""
    worst = 0.0
    for key, g in expected.items():
        assert got[key].shape == g.shape, f"{what} {key}: shape {got[key].shape} != {g.shape}"
        err = np.linalg.norm(got[key].astype(np.float64) - g) / max(np.linalg.norm(g), 1e-30)
        assert err <= GRAD_RTOL, f"{what} {key}: relative error {err:.3g} > {GRAD_RTOL}"
        worst = max(worst, err)
    return worst


def fastnet_step(net_name, batch, backend_name):
    """(step, params, grad_rel_err): a float32 training step on `backend_name`, checked first.

    The net, optimizer and batch are made under that backend, so they live on
    its device; the caller runs `step` under the same backend.
    """
    x, t = step_batch(net_name, batch)
    sync = fastnet_sync(backend_name)
    with fastnet.using_backend(backend_name):
        net, optimizer = build_net(net_name, np.float32), make_optimizer(net_name)
        xs, ts = fastnet.to_device(x), fastnet.to_device(t)  # moved once, before timing
        got = fastnet.to_numpy(net.gradient(xs, ts))
        err = check_gradient(got, reference_gradient(net_name, batch),
                             f"fastnet on {backend_name}, {net_name}, batch {batch}")

    def step():
        optimizer.update(net.params, net.gradient(xs, ts))
        sync()

    return step, net.params, err


def torch_layers(torch, params):
    """fastnet's layers in PyTorch, from its weights (NumPy arrays W1, b1, W2, ...).

    Covers TwoLayerNet, MultiLayerNet (ReLU) and SimpleConvNet (stride 1,
    pad 0): a 4-D W is a convolution followed by ReLU and 2x2 max pooling, a
    2-D W an affine layer, followed by ReLU unless it is the last.
    """
    nn = torch.nn
    count = len(params) // 2
    modules = []
    for i in range(1, count + 1):
        W, b = params[f"W{i}"], params[f"b{i}"]
        if W.ndim == 4:
            layer, weight = nn.Conv2d(W.shape[1], W.shape[0], W.shape[2:]), W
            after = [nn.ReLU(), nn.MaxPool2d(2), nn.Flatten()]  # Affine flattens (N, C, H, W)
        else:
            # fastnet's W is (in, out); PyTorch's weight is (out, in)
            layer, weight = nn.Linear(*W.shape), W.T
            after = [nn.ReLU()] if i < count else []
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(np.ascontiguousarray(weight)))
            layer.bias.copy_(torch.from_numpy(b))
        modules += [layer, *after]
    return modules


def torch_step(torch, net_name, batch, device):
    """(step, params, grad_rel_err): the same step in PyTorch eager on `device`, checked first."""
    x, t = step_batch(net_name, batch)
    with fastnet.using_backend("numpy"):  # the same weights, as NumPy arrays
        params = build_net(net_name, np.float32).params
    layers = torch_layers(torch, params)
    model = torch.nn.Sequential(*layers).to(device)
    if NETS[net_name]["optimizer"] == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    else:  # the book's settings: lr 0.001, betas (0.9, 0.999), eps 1e-7
        optimizer = torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7)
    xs, ts = torch.from_numpy(x).to(device), torch.from_numpy(t).to(device)
    loss_fn = torch.nn.functional.cross_entropy  # the mean over the batch, like the book's

    def gradient():
        optimizer.zero_grad()
        loss_fn(model(xs), ts).backward()

    gradient()
    weighted = [m for m in layers if hasattr(m, "weight")]
    got = {}
    for i, layer in enumerate(weighted, 1):
        dW = layer.weight.grad.cpu().numpy()
        got[f"W{i}"] = dW.T if dW.ndim == 2 else dW
        got[f"b{i}"] = layer.bias.grad.cpu().numpy()
    err = check_gradient(got, reference_gradient(net_name, batch),
                         f"PyTorch on {device}, {net_name}, batch {batch}")
    sync = torch_sync(torch, device)

    def step():
        gradient()
        optimizer.step()
        sync()

    return step, dict(model.named_parameters()), err
