"""Regressions of issue 10 found at the checked-backend layer, one test per defect.

Each test failed before its fix: the loss kernels read past row-strided
views, big-endian arrays were read as native, misaligned arrays reached the
C loads, and a NaN in a one-hot target gave a finite loss. (Bad arguments
to layers, optimizers and numerical_gradient: tests/engine/test_regressions_engine.py.)
"""

import numpy as np
import pytest
from _odd_layouts import (
    IN_PLACE,
    KERNEL_CALLS,
    big_endian,
    kernel_name,
    misaligned,
    odd_layout,
)

import fastnet
from fastnet import functions as F
from fastnet import layers as L
from fastnet.backend import Backend

RTOL = {np.float32: 1e-4, np.float64: 1e-10}
ATOL = {np.float32: 1e-5, np.float64: 1e-12}
HOST_ONLY = "a host array's byte order and alignment do not survive the copy to a device"


def _assert_same(actual, expected, dtype):
    if isinstance(expected, tuple):
        assert isinstance(actual, tuple) and len(actual) == len(expected)
        for a, e in zip(actual, expected):
            _assert_same(a, e, dtype)
    elif expected is None:
        assert actual is None
    else:
        np.testing.assert_allclose(actual, expected, rtol=RTOL[dtype], atol=ATOL[dtype])


# ------------------------------------------- 2. losses over row-strided views

VIEWS = {
    "column slice": lambda a: a[:, :2],
    "every other row": lambda a: a[::2],
    "reversed rows": lambda a: a[::-1],
}


def test_sum_squared_error_of_a_column_slice(backend):
    # The reproducer: the compiled kernel summed the first 6 numbers
    # of the buffer (27.5) instead of the slice's.
    y = np.arange(12.0).reshape(3, 4)
    t = np.zeros((3, 4))
    with fastnet.using_backend(backend.name):
        assert F.sum_squared_error(y[:, :2], t[:, :2]) == 93.5


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("loss", ["mean_squared_error", "sigmoid_binary_cross_entropy"])
def test_elementwise_losses_read_row_strided_views(backend, reference, dtype, loss, view):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 4)).astype(dtype)
    t = rng.random((5, 4)).astype(dtype)
    x_view, t_view = VIEWS[view](x), VIEWS[view](t)
    expected = getattr(reference, loss)(x_view.copy(), t_view.copy())
    _assert_same(getattr(backend, loss)(x_view, t_view), expected, dtype)


def test_finite_slice_is_not_reported_as_nan(backend):
    # The over-read reached a NaN outside the slice and blamed the input.
    y = np.zeros((3, 4))
    y[0, 3] = np.nan
    loss, dy = backend.mean_squared_error(y[:, :2], np.ones((3, 2)))
    assert loss == 1.0
    assert np.isfinite(dy).all()


# ------------------------------- 4 and 5. byte order and alignment of inputs


@pytest.mark.parametrize("dtype_str", [">f8", ">f4"])
def test_big_endian_gemm_and_relu_match_the_reference(backend, reference, dtype_str):
    # The reproducer: the compiled kernels read the swapped bytes as numbers.
    a = np.arange(-6.0, 6.0).reshape(3, 4).astype(dtype_str)
    dtype = np.dtype(dtype_str).type
    _assert_same(backend.gemm(a, a, trans_b=True), reference.gemm(a, a, trans_b=True), dtype)
    relu = backend.activation_forward(a, "relu")
    _assert_same(relu, reference.activation_forward(a, "relu"), dtype)
    assert relu.dtype.isnative


@pytest.mark.parametrize("kind", ["big-endian", "misaligned"])
@pytest.mark.parametrize("kernel", KERNEL_CALLS)
def test_odd_layout_inputs_match_the_reference(backend, reference, dtype, kernel, kind):
    args = KERNEL_CALLS[kernel](np.random.default_rng(5), dtype)
    in_place = IN_PLACE.get(kernel, ())
    expected_args = [a.copy() if i in in_place else a for i, a in enumerate(args)]
    expected = getattr(reference, kernel_name(kernel))(*expected_args)
    odd_args = [a.copy() if i in in_place else odd_layout(a, kind) for i, a in enumerate(args)]
    _assert_same(getattr(backend, kernel_name(kernel))(*odd_args), expected, dtype)
    for i in in_place:
        _assert_same(odd_args[i], expected_args[i], dtype)


class _Inspector:
    """A kernel module that checks every array it is handed, then runs the real kernel."""

    def __init__(self, impl):
        self._impl = impl
        self.xp = impl.xp
        self.seen = 0

    def __getattr__(self, name):
        kernel = getattr(self._impl, name)

        def inspected(*args):
            for a in args:
                if isinstance(a, np.ndarray):
                    self.seen += 1
                    assert a.dtype.isnative and a.flags.aligned, (
                        f"{name} got a {a.dtype.str} array, aligned={a.flags.aligned}")
            return kernel(*args)

        return inspected


@pytest.mark.parametrize("kind", ["big-endian", "misaligned"])
@pytest.mark.parametrize("kernel", KERNEL_CALLS)
def test_kernels_only_see_native_aligned_arrays(backend, kernel, kind):
    # C loads whole native floats: a misaligned load is undefined behaviour
    # (UBSan reported it in GEMM packing, batch norm, im2col, direct conv).
    if backend.name.startswith("cupy"):
        pytest.skip(HOST_ONLY)
    inspector = _Inspector(backend.impl)
    checked = Backend(backend.name, inspector)
    args = KERNEL_CALLS[kernel](np.random.default_rng(5), np.float64)
    in_place = IN_PLACE.get(kernel, ())
    getattr(checked, kernel_name(kernel))(*[a if i in in_place else odd_layout(a, kind)
                                            for i, a in enumerate(args)])
    assert inspector.seen


@pytest.mark.parametrize("kind", ["big-endian", "misaligned"])
def test_odd_layout_labels_are_read_as_labels(backend, reference, kind):
    x = np.random.default_rng(2).standard_normal((5, 4))
    labels = np.array([0, 3, 1, 2, 0], np.intp)
    odd = big_endian(labels) if kind == "big-endian" else misaligned(labels)
    expected = reference.softmax_cross_entropy(x, labels)
    _assert_same(backend.softmax_cross_entropy(x, odd), expected, np.float64)


@pytest.mark.parametrize("rung", ["gemm_naive", "gemm_blocked", "gemm_packed_portable"])
def test_gemm_ladder_reads_big_endian_arrays(rung):
    G_ = pytest.importorskip("fastnet.gemm")
    a = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(getattr(G_, rung)(big_endian(a), big_endian(a.T)), a @ a.T)


# ------------------------------------ 4 and 5. arrays updated in place: refused


@pytest.mark.parametrize("kind, message", [
    ("big-endian", r"sgd_update: param has non-native byte order \(dtype '>f8'\) and is "
                   r"updated in place"),
    ("misaligned", r"sgd_update: param's data is not aligned to its 8-byte items and it is "
                   r"updated in place"),
])
def test_odd_layout_param_is_refused(backend, kind, message):
    if backend.name.startswith("cupy"):
        pytest.skip(HOST_ONLY)
    param = odd_layout(np.ones(3), kind)
    with pytest.raises(TypeError, match=message):
        backend.sgd_update(param, np.ones(3), 0.1)
    np.testing.assert_array_equal(param, np.ones(3))


@pytest.mark.parametrize("which", ["velocity", "m", "v", "h"])
def test_odd_layout_optimizer_state_is_refused(backend, which):
    if backend.name.startswith("cupy"):
        pytest.skip(HOST_ONLY)
    state = {"velocity": np.zeros(3), "m": np.zeros(3), "v": np.zeros(3), "h": np.zeros(3)}
    state[which] = misaligned(state[which])
    p, g = np.ones(3), np.ones(3)
    call = {"velocity": lambda: backend.momentum_update(p, g, state["velocity"], 0.1, 0.9),
            "m": lambda: backend.adam_update(p, g, state["m"], state["v"], 0.1, 0.9, 0.99),
            "v": lambda: backend.adam_update(p, g, state["m"], state["v"], 0.1, 0.9, 0.99),
            "h": lambda: backend.adagrad_update(p, g, state["h"], 0.1)}[which]
    with pytest.raises(TypeError, match=rf"{which}'s data is not aligned .* updated in place"):
        call()


@pytest.mark.parametrize("kind", ["big-endian", "misaligned"])
def test_odd_layout_running_statistics_are_refused(backend, kind):
    if backend.name.startswith("cupy"):
        pytest.skip(HOST_ONLY)
    bn = L.BatchNormalization(np.ones(4), np.zeros(4),
                              running_mean=odd_layout(np.zeros(4), kind),
                              running_var=np.ones(4))
    with fastnet.using_backend(backend.name), \
            pytest.raises(TypeError, match=r"batchnorm_forward_train: running_mean.*updated "
                                           r"in place"):
        bn.forward(np.ones((3, 4)))


def test_in_place_arguments_must_be_arrays(backend):
    # A list was converted, updated and thrown away: the update was lost silently.
    with pytest.raises(TypeError, match=r"sgd_update: param is updated in place, so it must "
                                        r"be a \S+, got list"):
        backend.sgd_update([1.0, 2.0], np.ones(2), 0.1)


# ------------------------------------------------ 8. NaN in one-hot targets


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_one_hot_target_is_refused(backend, bad):
    x = np.random.default_rng(0).standard_normal((3, 4))
    t = np.eye(4)[[0, 1, 2]]
    t[1, 3] = bad
    with fastnet.using_backend(backend.name):
        with pytest.raises(ValueError, match=r"softmax_cross_entropy: the target t contains "
                                             r"NaN or inf"):
            L.SoftmaxWithLoss().forward(x, t)
        with pytest.raises(ValueError, match=r"cross_entropy: the target t contains NaN"):
            F.cross_entropy_error(F.softmax(x), t)


def test_huge_finite_one_hot_target_is_accepted(backend, reference):
    # Σt², the quick test, overflows to inf here: the exact test must clear it.
    x = np.zeros((2, 3))
    t = np.array([[1e300, 9e299, 0.0], [0.0, 1.0, 0.0]])
    expected = reference.softmax_cross_entropy(x, t)
    _assert_same(backend.softmax_cross_entropy(x, t), expected, np.float64)


@pytest.mark.parametrize("loss, names", [("mean_squared_error", "y or t"),
                                         ("sigmoid_binary_cross_entropy", "x or t")])
def test_nan_target_of_elementwise_losses_is_named(backend, loss, names):
    t = np.array([0.0, np.nan, 1.0])
    with pytest.raises(ValueError, match=rf"{loss}: {names} contains NaN or inf"):
        getattr(backend, loss)(np.zeros(3), t)
