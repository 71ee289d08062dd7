"""softmax + cross-entropy (loss and gradient) vs NumPy and PyTorch.

    OMP_NUM_THREADS=1 pytest benchmarks/bench_losses.py --benchmark-group-by=group
"""

import numpy as np
import pytest

from fastnet.backend import load

SHAPES = {"100x10": (100, 10), "1000x10": (1000, 10), "128x1000": (128, 1000)}


def _inputs(shape, dtype=np.float32):
    rng = np.random.default_rng(0)
    x = (3 * rng.standard_normal(shape)).astype(dtype)
    t = rng.integers(0, shape[1], shape[0]).astype(np.intp)
    return x, t


def _record(benchmark, shape, dtype):
    stats = getattr(benchmark, "stats", None)
    if stats:  # logits read once, dx written once
        nbytes = 2 * shape[0] * shape[1] * np.dtype(dtype).itemsize
        benchmark.extra_info["gbytes_per_s"] = round(nbytes / stats.stats.median / 1e9, 2)


@pytest.mark.parametrize("impl", ["numpy", "cython"])
@pytest.mark.parametrize("size", SHAPES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
def test_softmax_cross_entropy(benchmark, impl, size, dtype):
    try:
        backend = load(impl)
    except (ImportError, RuntimeError) as exc:
        pytest.skip(f"{impl} unavailable: {exc}")
    x, t = _inputs(SHAPES[size], dtype)
    benchmark.group = f"softmax_cross_entropy {size} {np.dtype(dtype).name}"
    loss, dx = benchmark(backend.softmax_cross_entropy, x, t)
    loss_r, dx_r = load("numpy").softmax_cross_entropy(x, t)
    np.testing.assert_allclose(loss, loss_r, rtol=1e-5)
    np.testing.assert_allclose(dx, dx_r, rtol=1e-5, atol=1e-7)
    _record(benchmark, SHAPES[size], dtype)


@pytest.mark.parametrize("size", SHAPES)
def test_softmax_cross_entropy_torch(benchmark, size):
    """torch.nn.functional.cross_entropy + backward: the same loss and dX (no 1e-7)."""
    torch = pytest.importorskip("torch")
    x_np, t_np = _inputs(SHAPES[size])
    t = torch.from_numpy(t_np.astype(np.int64))

    def step():
        x = torch.from_numpy(x_np).requires_grad_(True)
        loss = torch.nn.functional.cross_entropy(x, t)
        loss.backward()
        return float(loss.detach()), x.grad

    benchmark.group = f"softmax_cross_entropy {size} float32"
    benchmark.extra_info["impl"] = "torch"
    loss, dx = benchmark(step)
    _, dx_r = load("numpy").softmax_cross_entropy(x_np, t_np)
    # PyTorch's loss has no 1e-7 inside the log, so it is checked against
    # the exact -mean(log softmax) instead of the book's loss.
    x64 = x_np.astype(np.float64)
    log_softmax = x64 - x64.max(axis=1, keepdims=True)
    log_softmax -= np.log(np.exp(log_softmax).sum(axis=1, keepdims=True))
    exact = -log_softmax[np.arange(len(t_np)), t_np].mean()
    np.testing.assert_allclose(loss, exact, rtol=1e-4)
    np.testing.assert_allclose(dx.numpy(), dx_r, rtol=1e-4, atol=1e-7)
    _record(benchmark, SHAPES[size], np.float32)
