"""Elementwise kernels vs NumPy, and vs the machine's copy bandwidth.

Fused elementwise work is memory-bound on big arrays, so its yardstick is a
plain copy: `copy` (np.copyto into a preallocated array) is measured in the
same run, and every kernel records gbytes_per_s and pct_of_copy_bw (its
bandwidth over the copy's, same size). The kernels return new arrays, so at
16M elements the page faults of a fresh output are part of their cost; the
`copy_alloc` row (x.copy()) shows what that costs a plain copy.

    OMP_NUM_THREADS=1 pytest benchmarks/bench_elementwise.py --benchmark-group-by=group
"""

import numpy as np
import pytest

from fastnet.backend import load

SIZES = {"100x50": (100, 50), "100x784": (100, 784), "16M": (4096, 4096)}
IMPLS = ("numpy", "cython")

# Bytes moved per element, in units of the itemsize: reads + writes.
TRAFFIC = {"forward": 2, "backward": 3, "bias_add": 2, "add_col": 2, "copy": 2, "copy_alloc": 2}

# Copy bandwidth (GB/s) per (size, dtype), filled by the copy benchmarks of this run.
_COPY_BW = {}


def _backend(impl):
    try:
        return load(impl)
    except (ImportError, RuntimeError) as exc:
        pytest.skip(f"{impl} unavailable: {exc}")


def _record(benchmark, kind, shape, dtype, size_name):
    stats = getattr(benchmark, "stats", None)
    if not stats:  # --benchmark-disable: nothing was timed
        return
    n = shape[0] * shape[1]
    gbs = TRAFFIC[kind] * n * np.dtype(dtype).itemsize / stats.stats.median / 1e9
    benchmark.extra_info["gbytes_per_s"] = round(gbs, 2)
    if kind == "copy":
        _COPY_BW[(size_name, dtype)] = gbs
    elif (size_name, dtype) in _COPY_BW:
        benchmark.extra_info["pct_of_copy_bw"] = round(100 * gbs / _COPY_BW[(size_name, dtype)], 1)


def _data(shape, dtype, seed=0):
    return np.random.default_rng(seed).standard_normal(shape, dtype=dtype)


def _sample(a):
    """Every 97th element: enough to check a result without a second full pass."""
    return np.asarray(a).reshape(-1)[::97]


DTYPES = pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])


# The copies run first (file order), so the kernels below find their baseline.
@pytest.mark.parametrize("size", SIZES)
@DTYPES
def test_copy(benchmark, size, dtype):
    shape = SIZES[size]
    src, dst = _data(shape, dtype), np.empty(shape, dtype)
    benchmark.group = f"copy {size} {np.dtype(dtype).name}"
    benchmark(np.copyto, dst, src)
    np.testing.assert_array_equal(dst, src)
    _record(benchmark, "copy", shape, dtype, size)


@pytest.mark.parametrize("size", SIZES)
@DTYPES
def test_copy_alloc(benchmark, size, dtype):
    shape = SIZES[size]
    src = _data(shape, dtype)
    benchmark.group = f"copy {size} {np.dtype(dtype).name}"
    out = benchmark(src.copy)
    np.testing.assert_array_equal(out, src)
    _record(benchmark, "copy_alloc", shape, dtype, size)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("act", ["relu", "sigmoid", "tanh"])
@DTYPES
def test_activation_forward(benchmark, impl, size, act, dtype):
    backend, shape = _backend(impl), SIZES[size]
    x = _data(shape, dtype)
    benchmark.group = f"{act} forward {size} {np.dtype(dtype).name}"
    y = benchmark(backend.activation_forward, x, act)
    np.testing.assert_allclose(_sample(y), load("numpy").activation_forward(_sample(x), act),
                               rtol=1e-5, atol=1e-6)
    _record(benchmark, "forward", shape, dtype, size)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("act", ["relu", "sigmoid", "tanh"])
@DTYPES
def test_activation_backward(benchmark, impl, size, act, dtype):
    backend, shape = _backend(impl), SIZES[size]
    dout = _data(shape, dtype)
    y = load("numpy").activation_forward(_data(shape, dtype, seed=1), act)
    benchmark.group = f"{act} backward {size} {np.dtype(dtype).name}"
    dx = benchmark(backend.activation_backward, dout, y, act)
    expected = load("numpy").activation_backward(_sample(dout), _sample(y), act)
    np.testing.assert_allclose(_sample(dx), expected, rtol=1e-5, atol=1e-6)
    _record(benchmark, "backward", shape, dtype, size)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("size", SIZES)
def test_bias_add(benchmark, impl, size):
    backend, shape, dtype = _backend(impl), SIZES[size], np.float32
    x, bias = _data(shape, dtype), _data(shape[1:], dtype, seed=1)
    benchmark.group = f"bias_add {size} float32"
    out = benchmark(backend.bias_add, x, bias)
    np.testing.assert_array_equal(out[::7], x[::7] + bias)
    _record(benchmark, "bias_add", shape, dtype, size)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("size", SIZES)
def test_add_broadcast_column(benchmark, impl, size):
    backend, shape, dtype = _backend(impl), SIZES[size], np.float32
    x, col = _data(shape, dtype), _data((shape[0], 1), dtype, seed=1)
    benchmark.group = f"add (N,M)+(N,1) {size} float32"
    out = benchmark(backend.add, x, col)
    np.testing.assert_array_equal(out[::7], x[::7] + col[::7])
    _record(benchmark, "add_col", shape, dtype, size)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("act", ["relu", "sigmoid", "tanh"])
def test_activation_forward_torch(benchmark, size, act):
    torch = pytest.importorskip("torch")
    shape, dtype = SIZES[size], np.float32
    x = torch.from_numpy(_data(shape, dtype))
    fn = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}[act]
    benchmark.group = f"{act} forward {size} float32"
    benchmark.extra_info["impl"] = "torch"
    y = benchmark(fn, x)
    np.testing.assert_allclose(_sample(y.numpy()),
                               load("numpy").activation_forward(_sample(x.numpy()), act),
                               rtol=1e-5, atol=1e-6)
    _record(benchmark, "forward", shape, dtype, size)
