"""Per-call overhead: one Affine + ReLU forward (784 -> 50) against NumPy's.

    pytest benchmarks/bench_overhead.py --benchmark-group-by=group
    python benchmarks/bench_overhead.py          # side by side, 3 alternating rounds

At batch 1 the product is 78,400 multiply-adds, a few µs of arithmetic, so
the time is mostly the Python between a layer and its kernel (checks,
backend lookup, allocation): what issue 13 asks to cut. At batch 100 the
product dominates. Implementations (`impl`):
  numpy            np.maximum(x @ W + b, 0), as the book's Affine + Relu compute it
  fastnet-layer    fastnet.layers.Affine(W, b, activation="relu").forward(x): one fused call
  fastnet-scratch  the book's Affine then Relu from fastnet.scratch (two calls)
x float32 (the book's normalised images) against W, b of `dtype`: float32,
or float64 as the book's weights are (then every implementation computes in
float64, NumPy's promotion). extra_info["overhead_us_vs_numpy"] is this
implementation's median minus NumPy's, in µs.
"""

import statistics
import sys
import timeit

import numpy as np
import pytest

import fastnet
import fastnet.layers
from fastnet.scratch.common import layers as scratch_layers

IMPLS = ("numpy", "fastnet-layer", "fastnet-scratch")
BATCHES = (1, 100)
DTYPES = ("float32", "float64")
_numpy_median = {}


def make_forward(impl, batch, dtype):
    """(forward, x): a function of x computing relu(x·W + b) for `impl`, and its input."""
    rng = np.random.default_rng(0)
    x = rng.random((batch, 784), dtype=np.float32)
    W = (0.01 * rng.standard_normal((784, 50))).astype(dtype)
    b = rng.standard_normal(50).astype(dtype)
    if impl == "numpy":
        return (lambda x: np.maximum(x @ W + b, 0)), x
    if impl == "fastnet-layer":
        return fastnet.layers.Affine(W, b, activation="relu").forward, x
    affine, relu = scratch_layers.Affine(W, b), scratch_layers.Relu()
    return (lambda x: relu.forward(affine.forward(x))), x


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch", BATCHES)
def test_affine_relu_forward(benchmark, batch, dtype, impl):
    benchmark.group = f"affine_relu_forward_b{batch}_{dtype}"
    forward, x = make_forward(impl, batch, dtype)
    expected = make_forward("numpy", batch, dtype)[0](x)
    got = forward(x)
    assert got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    benchmark(forward, x)
    stats = getattr(benchmark, "stats", None)
    if stats is None:  # --benchmark-disable
        return
    median = stats.stats.median
    if impl == "numpy":
        _numpy_median[benchmark.group] = median
    elif benchmark.group in _numpy_median:
        benchmark.extra_info["overhead_us_vs_numpy"] = 1e6 * (median
                                                              - _numpy_median[benchmark.group])


def _median_us(forward, x, repeat=7):
    calls = 2000 if x.shape[0] == 1 else 200
    return 1e6 * statistics.median(timeit.repeat(lambda: forward(x), number=calls,
                                                 repeat=repeat)) / calls


def main(rounds=3):
    """Every implementation side by side in alternating order; medians of the rounds."""
    fastnet.set_num_threads(1)
    from threadpoolctl import threadpool_info

    for lib in threadpool_info():
        print(f"# {lib.get('internal_api')} {lib.get('version')} "
              f"{lib.get('architecture')} threads={lib.get('num_threads')}")
    print(f"# fastnet {fastnet.get_backend()} threads={fastnet.get_num_threads()}")
    print(f"{'batch':>5} {'W dtype':>8} " + " ".join(f"{impl:>16}" for impl in IMPLS)
          + "   ratios to numpy (time)")
    for batch in BATCHES:
        for dtype in DTYPES:
            times = {impl: [] for impl in IMPLS}
            forwards = {impl: make_forward(impl, batch, dtype) for impl in IMPLS}
            for round_ in range(rounds):
                for impl in IMPLS if round_ % 2 == 0 else reversed(IMPLS):
                    times[impl].append(_median_us(*forwards[impl]))
            med = {impl: statistics.median(t) for impl, t in times.items()}
            print(f"{batch:>5} {dtype:>8} " + " ".join(f"{med[i]:>13.1f} µs" for i in IMPLS)
                  + "   " + " ".join(f"{med[i] / med['numpy']:.2f}" for i in IMPLS[1:]))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
