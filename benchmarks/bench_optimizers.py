"""The book's optimizer updates, NumPy (one pass per operator) vs the fused kernels.

    OMP_NUM_THREADS=1 pytest benchmarks/bench_optimizers.py --benchmark-group-by=group
"""

import numpy as np
import pytest

from fastnet.backend import load

SIZES = {"784x50": (784, 50), "4M": (4 * 1024 * 1024,)}

# name -> (state arrays, hyper-parameters, arrays read + arrays written per element)
UPDATES = {
    "sgd_update": (0, (0.01,), 3),
    "momentum_update": (1, (0.01, 0.9), 5),
    "nesterov_update": (1, (0.01, 0.9), 5),
    "adagrad_update": (1, (0.01,), 5),
    "rmsprop_update": (1, (0.01, 0.99), 5),
    "adam_update": (2, (0.001, 0.9, 0.999), 7),
}


@pytest.mark.parametrize("impl", ["numpy", "cython"])
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", UPDATES)
def test_update(benchmark, impl, size, name):
    try:
        backend = load(impl)
    except (ImportError, RuntimeError) as exc:
        pytest.skip(f"{impl} unavailable: {exc}")
    n_state, hyper, traffic = UPDATES[name]
    shape, dtype = SIZES[size], np.float32
    rng = np.random.default_rng(0)
    param = rng.standard_normal(shape, dtype=dtype)
    grad = (0.01 * rng.standard_normal(shape)).astype(dtype)
    states = [np.zeros(shape, dtype) for _ in range(n_state)]

    # correctness first, on copies: one step equals the reference's
    p1, s1 = param.copy(), [s.copy() for s in states]
    p2, s2 = param.copy(), [s.copy() for s in states]
    getattr(backend, name)(p1, grad, *s1, *hyper)
    getattr(load("numpy"), name)(p2, grad, *s2, *hyper)
    np.testing.assert_array_equal(p1, p2)

    benchmark.group = f"{name} {size} float32"
    benchmark(getattr(backend, name), param, grad, *states, *hyper)
    stats = getattr(benchmark, "stats", None)
    if stats:
        nbytes = traffic * param.size * param.itemsize
        benchmark.extra_info["gbytes_per_s"] = round(nbytes / stats.stats.median / 1e9, 2)
