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
1 %: see its comment in _gpu_steps.py); GEMM results against a float64
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

The steps, each checked before it is timed, are built in _gpu_steps.py;
CuPy's and PyTorch's availability and synchronisation are in _gpu_runtime.py.
"""

import json
import sys

import numpy as np
import pytest
from _gpu_runtime import cupy, fastnet_sync, gpu_only, torch_cuda
from _gpu_steps import NETS, fastnet_step, torch_step

import fastnet
from fastnet.backend import load

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

BATCHES = (100, 1000)
STEP_GROUPS = {f"gpu_{net}_step_{batch}": (net, batch) for net in NETS for batch in BATCHES}
# torch-cuda first, fastnet-cupy last, so that fastnet-cupy's ratios to the
# others are known when it is recorded.
STEP_CASES = [(group, impl) for group in STEP_GROUPS
              for impl in ("torch-cuda", "fastnet-cython", "fastnet-cupy")
              if impl != "fastnet-cython" or group == "gpu_simpleconv_adam_step_1000"]


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
