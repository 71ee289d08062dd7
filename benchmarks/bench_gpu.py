"""The "cupy" backend against PyTorch CUDA eager, float32 (needs CuPy and a GPU).

    bash benchmarks/gpu_verify.sh                        # issue 4's whole check, on a GPU
    pytest benchmarks/bench_gpu.py --benchmark-group-by=group
    python benchmarks/bench_gpu.py gpu.json              # issue 4's targets, from the JSON

Groups (impl names; the first one is the group's baseline in report.py):
  gpu_gemm_4096                 C := relu(A·B + bias), 4096³ float32:
                                  cupy-matmul        cupy.matmul(A, B) alone (the baseline)
                                  fastnet-bias-relu  fastnet's gemm with its fused epilogue
                                  fastnet-plain      fastnet's gemm, no bias, no activation
                                  torch-matmul       torch.matmul on CUDA
                                  torch-addmm-relu   torch.relu(torch.addmm(bias, A, B))
  gpu_twolayer_sgd_step_<N>     TwoLayerNet(784, 100, 10) + SGD(lr=0.1), batch N
  gpu_multilayer_adam_step_<N>  MultiLayerNet(784, [100]*5, 10) + Adam
  gpu_simpleconv_adam_step_<N>  SimpleConvNet (30 5x5 filters, 100 hidden) + Adam
                                for N = 100 (the book's batch) and 1000; impls:
                                  torch-cuda         the same layers in PyTorch eager, on CUDA
                                  fastnet-cupy       fastnet on the "cupy" backend
                                  fastnet-cython     the compiled CPU backend, 1 thread
                                                     (SimpleConvNet at batch 1000 only)

Every implementation of a step starts from the same weights (the book's
draws from np.random.seed(0)) and its first gradient is checked against the
cython backend's float64 one before timing (normwise, within GRAD_RTOL =
1 %: see its comment); GEMM results against a float64
product on the host. Then a few untimed steps warm up (CUDA kernels compile,
Adam allocates its state). Every GPU timing ends by waiting for the whole
device (CuPy's Device.synchronize, torch.cuda.synchronize), so it covers the
work, not just the launches. PyTorch runs with TF32 off, so both sides
compute plain float32 (CuPy uses TF32 only if CUPY_TF32=1).

A fastnet step also reads two scalars back (the loss as a Python float, as
in the book, and the labels' largest value, the range check); the PyTorch
step reads nothing back until its final synchronisation.

extra_info: "gpu", "cupy" and "torch" (names and versions), "flops" (GEMM;
report.py turns it into GFLOP/s), "grad_rel_err" (the check's worst
relative error), and time ratios against implementations
timed earlier in the same group: "time_vs_cupy_matmul", "time_vs_torch_cuda",
"speedup_vs_cython". Skipped where the "cupy" backend does not load.
"""

import json
import sys

import numpy as np
import pytest

import fastnet
from fastnet.backend import load
from fastnet.nets import MultiLayerNet, SimpleConvNet, TwoLayerNet
from fastnet.optimizers import SGD, Adam


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

_medians = {}  # (group, impl) -> seconds, this session
WARM_STEPS = 3


def _gpu_info():
    """Which GPU and libraries the numbers are from, for every benchmark's extra_info."""
    info = {"gpu": cupy.cuda.runtime.getDeviceProperties(0)["name"].decode(),
            "cupy": cupy.__version__}
    torch = sys.modules.get("torch")  # imported by benchmarks/conftest.py where installed
    if torch is not None:
        info["torch"] = torch.__version__
    return info


def _record(benchmark, group, impl):
    """Keep this median; write its ratios to the ones timed before it in the group."""
    benchmark.extra_info.update(_gpu_info())
    stats = getattr(benchmark, "stats", None)
    if stats is None:  # --benchmark-disable
        return
    median = stats.stats.median
    _medians[(group, impl)] = median
    if (group, "cupy-matmul") in _medians and impl != "cupy-matmul":
        benchmark.extra_info["time_vs_cupy_matmul"] = median / _medians[(group, "cupy-matmul")]
    if (group, "torch-cuda") in _medians and impl != "torch-cuda":
        benchmark.extra_info["time_vs_torch_cuda"] = median / _medians[(group, "torch-cuda")]
    if (group, "fastnet-cython") in _medians and impl == "fastnet-cupy":
        benchmark.extra_info["speedup_vs_cython"] = _medians[(group, "fastnet-cython")] / median


# ------------------------------------------------------------ synchronising


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


# -------------------------------------------------------------------- GEMM

GEMM_SIZE = 4096
GEMM_CHECK_ROWS = 64  # checked against float64 on the host: enough rows, cheap
GEMM_IMPLS = ["cupy-matmul", "fastnet-bias-relu", "fastnet-plain", "torch-matmul",
              "torch-addmm-relu"]


def gemm_inputs(size):
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((size, size), dtype=np.float32) for _ in range(2))
    return a, b, rng.standard_normal(size, dtype=np.float32)


def gemm_run(impl, a, b, bias):
    """(run, fused): impl's product on the GPU as a function, and whether it adds bias + ReLU."""
    if impl.startswith("torch"):
        torch = torch_cuda()
        ta, tb, tbias = (torch.from_numpy(x).cuda() for x in (a, b, bias))

        def run():
            if impl == "torch-matmul":
                out = torch.matmul(ta, tb)
            else:
                out = torch.relu(torch.addmm(tbias, ta, tb))
            torch.cuda.synchronize()
            return out

        return run, impl == "torch-addmm-relu"
    da, db, dbias = cupy.asarray(a), cupy.asarray(b), cupy.asarray(bias)
    gemm, sync = load("cupy").gemm, fastnet_sync("cupy")

    def run():
        if impl == "cupy-matmul":
            out = cupy.matmul(da, db)
        elif impl == "fastnet-plain":
            out = gemm(da, db)
        else:
            out = gemm(da, db, dbias, "relu")
        sync()
        return out

    return run, impl == "fastnet-bias-relu"


def _rows_on_host(out, rows):
    part = out[:rows]
    return part.cpu().numpy() if hasattr(part, "cpu") else fastnet.to_numpy(part)


@gpu_only
@pytest.mark.parametrize("impl", GEMM_IMPLS)
def test_gemm(benchmark, impl):
    group = f"gpu_gemm_{GEMM_SIZE}"
    benchmark.group = group
    a, b, bias = gemm_inputs(GEMM_SIZE)
    run, fused = gemm_run(impl, a, b, bias)
    rows = GEMM_CHECK_ROWS
    expected = a[:rows].astype(np.float64) @ b.astype(np.float64)
    if fused:
        expected = np.maximum(expected + bias, 0)
    got = _rows_on_host(run(), rows)
    # Sums of 4096 products of N(0, 1) numbers: about 64 in size, float32
    # rounding leaves ~1e-4 of error; a wrong product is off by O(64).
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-2, err_msg=impl)
    for _ in range(WARM_STEPS):
        run()
    benchmark.extra_info["flops"] = 2 * GEMM_SIZE**3
    benchmark(run)
    _record(benchmark, group, impl)


# -------------------------------------------------------------- train steps

NETS = {
    "twolayer_sgd": dict(input_shape=(784,), optimizer="sgd",
                         build=lambda dtype: TwoLayerNet(784, 100, 10, dtype=dtype)),
    "multilayer_adam": dict(input_shape=(784,), optimizer="adam",
                            build=lambda dtype: MultiLayerNet(784, [100] * 5, 10, dtype=dtype)),
    "simpleconv_adam": dict(input_shape=(1, 28, 28), optimizer="adam",
                            build=lambda dtype: SimpleConvNet(dtype=dtype)),
}
BATCHES = (100, 1000)
STEP_GROUPS = {f"gpu_{net}_step_{batch}": (net, batch) for net in NETS for batch in BATCHES}
# torch-cuda first, fastnet-cupy last, so that fastnet-cupy's ratios to the
# others are known when it is recorded.
STEP_CASES = [(group, impl) for group in STEP_GROUPS
              for impl in ("torch-cuda", "fastnet-cython", "fastnet-cupy")
              if impl != "fastnet-cython" or group == "gpu_simpleconv_adam_step_1000"]
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


@gpu_only
@pytest.mark.parametrize(("group", "impl"), STEP_CASES, ids=[f"{g}-{i}" for g, i in STEP_CASES])
def test_step(benchmark, group, impl):
    benchmark.group = group
    net_name, batch = STEP_GROUPS[group]
    if impl == "torch-cuda":
        step, _, err = torch_step(torch_cuda(), net_name, batch, "cuda")
        backend_name = fastnet.get_backend()  # not used by PyTorch
    else:
        backend_name = impl.removeprefix("fastnet-")
        step, _, err = fastnet_step(net_name, batch, backend_name)
    benchmark.extra_info["grad_rel_err"] = err
    with fastnet.using_backend(backend_name):
        for _ in range(WARM_STEPS):
            step()
        benchmark(step)
    _record(benchmark, group, impl)


# ------------------------------------------------------- issue 4's targets


def _median(benchmarks, group, impl):
    for bench in benchmarks:
        if bench.get("group") == group and (bench.get("params") or {}).get("impl") == impl:
            return bench["stats"]["median"]
    return None


def targets(data):
    """Rows (what, measured, target, verdict) of issue 4's targets in a pytest-benchmark JSON."""
    benchmarks = data.get("benchmarks", [])
    rows = []

    def ratio(what, group, num, den, limit=None, at_least=False):
        """The ratio of two medians against `limit` (None: reported, no target)."""
        a, b = _median(benchmarks, group, num), _median(benchmarks, group, den)
        target = "-" if limit is None else f"{'>=' if at_least else '<='} {limit}x"
        if a is None or b is None:
            rows.append((what, "not measured", target, "MISSING"))
            return
        value = a / b
        if limit is None:
            verdict = "info"
        else:
            verdict = "PASS" if (value >= limit if at_least else value <= limit) else "FAIL"
        rows.append((what, f"{value:.2f}x", target, verdict))

    ratio("SimpleConvNet+Adam, batch 1000: fastnet-cython (1 thread, the GPU machine's CPU) "
          "time / fastnet-cupy time", "gpu_simpleconv_adam_step_1000",
          "fastnet-cython", "fastnet-cupy", 20, at_least=True)
    names = {"twolayer_sgd": "TwoLayerNet+SGD", "multilayer_adam": "MultiLayerNet+Adam",
             "simpleconv_adam": "SimpleConvNet+Adam"}
    for group, (net, batch) in STEP_GROUPS.items():
        ratio(f"{names[net]}, batch {batch}: fastnet-cupy time / torch-cuda time", group,
              "fastnet-cupy", "torch-cuda", None if net == "multilayer_adam" else 1.5)
    gemm_group = f"gpu_gemm_{GEMM_SIZE}"
    ratio(f"GEMM {GEMM_SIZE}^3 f32: fastnet-bias-relu time / cupy-matmul time", gemm_group,
          "fastnet-bias-relu", "cupy-matmul", 1.10)
    for impl in GEMM_IMPLS:
        median = _median(benchmarks, gemm_group, impl)
        if median is not None:
            rows.append((f"GEMM {GEMM_SIZE}^3 f32, {impl}",
                         f"{2 * GEMM_SIZE**3 / median / 1e9:.0f} GFLOP/s", "-", "info"))
    return rows


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python benchmarks/bench_gpu.py GPU_JSON", file=sys.stderr)
        return 2
    with open(args[0]) as f:
        data = json.load(f)
    print("### issue 4's targets (ratios of medians; see benchmarks/bench_gpu.py)\n")
    print("| what | measured | target | verdict |")
    print("|---|---|---|---|")
    for row in targets(data):
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
