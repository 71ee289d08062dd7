"""The "cupy" backend against the compiled CPU backend (needs CuPy and a GPU).

    pytest benchmarks/bench_gpu.py --benchmark-group-by=group

Groups:
  gpu_gemm_relu_2048      relu(A·B + bias), 2048³ float32: fastnet's cuBLAS GEMM
                          plus one fused epilogue kernel, against CuPy written
                          plainly (matmul, add, maximum: three kernels) and the
                          cython backend on the CPU
  gpu_twolayer_step_<N>   TwoLayerNet(784, 100, 10) + SGD step, batch N
                          (100: the book's; 1000: where a GPU starts to pay)

Every GPU timing ends with a device synchronisation, so it covers the work,
not just the launches. Data are moved to the device before timing; the
results are checked against the CPU backend first. Skipped where the "cupy"
backend does not load. (Written on machines without a GPU: not yet run.)
"""

import numpy as np
import pytest

import fastnet
from fastnet.backend import load
from fastnet.nets import TwoLayerNet
from fastnet.optimizers import SGD

try:
    load("cupy")
    import cupy
except (ImportError, RuntimeError) as exc:
    pytest.skip(f"the cupy backend is unavailable: {exc}", allow_module_level=True)


def synchronize():
    cupy.cuda.get_current_stream().synchronize()


# ------------------------------------------------------------------- GEMM

GEMM_IMPLS = ["cython", "cupy-fastnet", "cupy-plain"]


@pytest.mark.parametrize("impl", GEMM_IMPLS)
def test_gemm_relu(benchmark, impl):
    size = 2048
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((size, size), dtype=np.float32) for _ in range(2))
    bias = rng.standard_normal(size, dtype=np.float32)
    expected = load("cython").gemm(a, b, bias, "relu")
    if impl == "cython":
        B = load("cython")

        def run():
            return B.gemm(a, b, bias, "relu")
    else:
        ad, bd, biasd = cupy.asarray(a), cupy.asarray(b), cupy.asarray(bias)
        gemm = load("cupy").gemm

        def run():
            if impl == "cupy-fastnet":
                out = gemm(ad, bd, biasd, "relu")
            else:
                out = cupy.maximum(ad @ bd + biasd, 0)
            synchronize()
            return out

    out = run()
    np.testing.assert_allclose(fastnet.to_numpy(out), expected, rtol=1e-3, atol=1e-2)
    benchmark.group = f"gpu_gemm_relu_{size}"
    benchmark(run)
    benchmark.extra_info["gflops"] = 2 * size**3 / benchmark.stats.stats.median / 1e9


# ------------------------------------------------------------ a train step


@pytest.mark.parametrize("batch", [100, 1000])
@pytest.mark.parametrize("impl", ["cython", "cupy"])
def test_twolayer_step(benchmark, impl, batch):
    rng = np.random.default_rng(0)
    x = rng.random((batch, 784), dtype=np.float32)
    t = rng.integers(0, 10, batch)
    with fastnet.using_backend(impl):
        np.random.seed(0)
        net = TwoLayerNet(784, 100, 10, dtype=np.float32)
        optimizer = SGD(lr=0.1)
        xs, ts = fastnet.to_device(x), fastnet.to_device(t)
        grads = net.gradient(xs, ts)
        with fastnet.using_backend("cython"):
            np.random.seed(0)
            cpu_grads = TwoLayerNet(784, 100, 10, dtype=np.float32).gradient(x, t)
        for key, grad in grads.items():
            np.testing.assert_allclose(fastnet.to_numpy(grad), cpu_grads[key],
                                       rtol=1e-3, atol=1e-5, err_msg=key)

        def step():
            optimizer.update(net.params, net.gradient(xs, ts))
            if impl == "cupy":
                synchronize()

        benchmark.group = f"gpu_twolayer_step_{batch}"
        benchmark(step)
