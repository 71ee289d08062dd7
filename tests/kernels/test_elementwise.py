"""Broadcasting, bias, column sums and activations: every backend against the reference.

Awkward sizes on purpose (empty, 1, primes, past the parallel threshold of
2^17 elements), both float dtypes, and non-contiguous inputs.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import fastnet

ACTS = ("identity", "relu", "sigmoid", "tanh")

# The compiled exp is accurate to a few ulp; sums may be reordered.
RTOL = {np.float32: 1e-5, np.float64: 1e-12}
ATOL = {np.float32: 1e-6, np.float64: 1e-14}

# (513, 257) has 131,841 elements: past FASTNET_PARALLEL_MIN_WORK (2^17).
SHAPES = [(0, 5), (5, 0), (1, 1), (1, 7), (7, 1), (13, 17), (97, 101), (513, 257)]
LAYOUTS = ("c", "transposed", "strided")


def make(shape, dtype, layout="c", seed=0, scale=3.0):
    """A random array of `shape` in the given memory layout."""
    rng = np.random.default_rng(seed)
    if layout == "c":
        return (scale * rng.standard_normal(shape)).astype(dtype)
    if layout == "transposed":
        return (scale * rng.standard_normal(shape[::-1])).astype(dtype).T
    # every other column of a wider array: rows contiguous-strided, not C-contiguous
    wide = (scale * rng.standard_normal(shape[:-1] + (2 * shape[-1],))).astype(dtype)
    return wide[..., ::2]


def close(actual, expected, dtype, rtol_scale=1.0, atol_scale=1.0):
    assert actual.shape == expected.shape
    assert actual.dtype == expected.dtype
    np.testing.assert_allclose(
        actual, expected, rtol=RTOL[dtype] * rtol_scale, atol=ATOL[dtype] * atol_scale
    )


# ------------------------------------------------------------- activations


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("act", ACTS)
def test_activation_forward(backend, reference, dtype, shape, layout, act):
    x = make(shape, dtype, layout)
    close(backend.activation_forward(x, act), reference.activation_forward(x, act), dtype)


@pytest.mark.parametrize("shape", [(), (1,), (131,), (3, 5, 7), (2, 3, 4, 5)])
@pytest.mark.parametrize("act", ACTS)
def test_activation_forward_any_ndim(backend, reference, dtype, shape, act):
    x = make(shape, dtype)
    close(backend.activation_forward(x, act), reference.activation_forward(x, act), dtype)


@pytest.mark.parametrize("act", ACTS)
def test_activation_forward_special_values(backend, reference, dtype, act):
    big = np.finfo(dtype).max
    x = np.array([-np.inf, -big, -1000, -100, -88, -87.5, -20, -1, -1e-3, -1e-8, -0.0, 0.0,
                  1e-8, 1e-3, 0.5, 1, 20, 88, 100, 1000, big, np.inf, np.nan], dtype)
    # Results below the smallest normal number are flushed to 0 (fast_exp.h):
    # an absolute tolerance of the smallest normal covers that.
    np.testing.assert_allclose(
        backend.activation_forward(x, act), reference.activation_forward(x, act),
        rtol=RTOL[dtype], atol=np.finfo(dtype).tiny, equal_nan=True,
    )


@pytest.mark.parametrize("act", ("sigmoid", "tanh"))
def test_exp_accuracy_dense_range(backend, reference, dtype, act):
    """A dense sweep over the range where the polynomial exp does its work."""
    x = np.linspace(-30, 30, 200_001).astype(dtype)
    close(backend.activation_forward(x, act), reference.activation_forward(x, act), dtype)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("act", ACTS)
def test_activation_backward(backend, reference, dtype, shape, layout, act):
    y = reference.activation_forward(make(shape, dtype, "c", seed=1), act)
    dout = make(shape, dtype, layout, seed=2)
    close(backend.activation_backward(dout, y, act),
          reference.activation_backward(dout, y, act), dtype)


@pytest.mark.parametrize("act", ACTS)
def test_activation_backward_transposed_y(backend, reference, dtype, act):
    y = reference.activation_forward(make((31, 29), dtype, "transposed", seed=3), act)
    dout = make((31, 29), dtype, "c", seed=4)
    close(backend.activation_backward(dout, y, act),
          reference.activation_backward(dout, y, act), dtype)


def test_activation_does_not_modify_input(backend, dtype):
    x = make((17, 19), dtype)
    before = x.copy()
    for act in ACTS:
        y = backend.activation_forward(x, act)
        backend.activation_backward(x, y, act)
    np.testing.assert_array_equal(x, before)


# ------------------------------------------------------------ bias, sums


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_bias_add(backend, reference, dtype, shape, layout):
    x = make(shape, dtype, layout)
    bias = make((2 * shape[1],), dtype, seed=5)[::2]  # a strided bias too
    out = backend.bias_add(x, bias)
    np.testing.assert_array_equal(out, reference.bias_add(x, bias))
    assert out.dtype == dtype


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_column_sum(backend, reference, dtype, shape, layout):
    x = make(shape, dtype, layout)
    expected = reference.column_sum(x)
    # NumPy may sum a column pairwise (transposed input) where the kernel adds
    # rows in order: allow the rounding of n additions of values of size |x|.
    n = max(shape[0], 1)
    atol = n * np.finfo(dtype).eps * 3.0 * 4
    np.testing.assert_allclose(backend.column_sum(x), expected, rtol=RTOL[dtype], atol=atol)


# -------------------------------------------------------------- add


@pytest.mark.parametrize("shape_a, shape_b", [
    ((513, 257), (513, 257)),   # same shape, big: one flat run split between threads
    ((513, 257), (257,)),       # bias-like row broadcast
    ((513, 257), (513, 1)),     # column broadcast
    ((1, 257), (513, 1)),       # outer sum
    ((), (3, 4)),
    ((0, 4), (4,)),
    ((3, 1, 5), (1, 7, 1)),
    ((2, 3, 4, 5), (3, 1, 5)),
])
@pytest.mark.parametrize("layout", ("c", "transposed"))
def test_add_broadcasting(backend, dtype, shape_a, shape_b, layout):
    a = make(shape_a, dtype, "c", seed=6)
    b = make(shape_b, dtype, "c", seed=7)
    if layout == "transposed":  # same values, other memory order
        a = np.asfortranarray(a)
        b = np.asfortranarray(b)
    out = backend.add(a, b)
    np.testing.assert_array_equal(out, a + b)
    assert out.dtype == dtype and out.shape == np.broadcast_shapes(shape_a, shape_b)


def test_add_zero_strided_input(backend, dtype):
    a = np.broadcast_to(make((5,), dtype), (4, 5))  # read-only, stride 0
    b = make((4, 1), dtype, seed=1)
    np.testing.assert_array_equal(backend.add(a, b), a + b)


def _maybe_strided(draw, arr):
    """The same values, possibly as a non-contiguous view (every other element)."""
    if arr.ndim == 0 or not draw(st.booleans()):
        return arr
    wide = np.zeros(tuple(2 * s for s in arr.shape), arr.dtype)
    view = wide[tuple(slice(None, None, 2) for _ in arr.shape)]
    view[...] = arr
    return view


@st.composite
def broadcast_pairs(draw):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4,
                                                    min_side=0, max_side=5))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    a, b = (
        draw(hnp.arrays(dtype, shape, elements=st.floats(-1e3, 1e3, width=32)))
        for shape in shapes.input_shapes
    )
    return _maybe_strided(draw, a), _maybe_strided(draw, b)


@pytest.mark.parametrize("name", ["numpy", "cython"])
def test_add_matches_numpy_broadcasting(name):
    try:
        backend = fastnet.backend.load(name)
    except (ImportError, RuntimeError) as exc:
        pytest.skip(f"backend {name!r} unavailable: {exc}")

    @given(broadcast_pairs())
    @settings(max_examples=300, deadline=None)
    def check(pair):
        a, b = pair
        out = backend.add(a, b)
        expected = a + b
        assert out.shape == expected.shape and out.dtype == expected.dtype
        assert out.flags.c_contiguous
        np.testing.assert_array_equal(out, expected)

    check()


# ------------------------------------------------------------- threads


@pytest.mark.parametrize("act", ACTS)
def test_one_and_two_threads_agree(backend, dtype, act):
    x = make((700, 400), dtype, seed=8)
    results = []
    for threads in (1, 2):
        fastnet.set_num_threads(threads)
        y = backend.activation_forward(x, act)
        results.append((y, backend.activation_backward(x, y, act), backend.add(x, x[0]),
                        backend.column_sum(x)))
    for one, two in zip(*results):
        np.testing.assert_array_equal(one, two)


def test_simd_path_is_reported():
    pytest.importorskip("fastnet._elementwise")
    from fastnet import _elementwise

    assert _elementwise.simd() in ("avx512", "avx2", "portable")


_CAPPED_CHECK = """
import numpy as np
from fastnet import _elementwise
from fastnet.backend import load
import os
assert _elementwise.simd() == os.environ["FASTNET_SIMD"], _elementwise.simd()
cy, ref = load("cython"), load("numpy")
rng = np.random.default_rng(0)
for dtype, rtol in ((np.float32, 1e-5), (np.float64, 1e-12)):
    x = (5 * rng.standard_normal((300, 301))).astype(dtype)
    for act in ("relu", "sigmoid", "tanh"):
        np.testing.assert_allclose(cy.activation_forward(x, act),
                                   ref.activation_forward(x, act), rtol=rtol, atol=rtol / 10)
    t = rng.integers(0, 301, 300)
    loss, dx = cy.softmax_cross_entropy(x, t)
    loss_r, dx_r = ref.softmax_cross_entropy(x, t)
    np.testing.assert_allclose(loss, loss_r, rtol=rtol)
    np.testing.assert_allclose(dx, dx_r, rtol=rtol, atol=rtol / 1000)
print("ok")
"""


@pytest.mark.parametrize("cap", ["portable", "avx2"])
def test_narrower_path_when_capped(cap):
    """FASTNET_SIMD=portable / =avx2 runs those builds of the loops
    (new process: the choice is made once per process)."""
    import os
    import subprocess
    import sys

    elementwise = pytest.importorskip("fastnet._elementwise")
    widths = ("portable", "avx2", "avx512")
    if widths.index(cap) > widths.index(elementwise.simd()):
        pytest.skip(f"this CPU has no {cap}")
    env = dict(os.environ, FASTNET_SIMD=cap)
    proc = subprocess.run([sys.executable, "-c", _CAPPED_CHECK], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "ok"


# ----------------------------------------------------------- dropout


@pytest.mark.parametrize("shape", [(0, 3), (1,), (7, 13), (2, 3, 5, 4)])
@pytest.mark.parametrize("layout", ("c", "transposed"))
def test_dropout(backend, reference, dtype, shape, layout):
    x = np.random.default_rng(10).standard_normal(shape).astype(dtype)
    if layout == "transposed":
        x = np.asfortranarray(x)
    np.random.seed(3)
    mask = backend.dropout_mask(x.shape, 0.3)
    np.random.seed(3)
    np.testing.assert_array_equal(mask, np.random.rand(*shape) > 0.3)  # the book's draw
    for kernel in ("dropout_forward", "dropout_backward"):
        got = getattr(backend, kernel)(x, mask)
        np.testing.assert_array_equal(got, getattr(reference, kernel)(x, mask))
        assert got.dtype == dtype
    close(backend.dropout_infer(x, 0.3), reference.dropout_infer(x, 0.3), dtype)
