"""Regressions of issue 10 found at the checked-backend layer, one test per defect.

Each test failed before its fix: the loss kernels read past row-strided
views, big-endian arrays were read as native, misaligned arrays reached the
C loads, a NaN in a one-hot target gave a finite loss, and bad arguments to
layers, optimizers and numerical_gradient raised AttributeError, IndexError
or ZeroDivisionError, or silently did nothing.
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
from fastnet import gradient as G
from fastnet import layers as L
from fastnet import optimizers as O
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


# ------------------------------------------------- 11. unclear errors: clear now

IMG = np.random.default_rng(0).standard_normal((2, 3, 5, 5))
NONE = r"(must be an array of numbers, got|is a) NoneType"  # CPU | GPU wording


@pytest.mark.parametrize("W", [np.ones((0, 3, 3, 3)), np.ones((4, 0, 3, 3))],
                         ids=["no filters", "no channels"])
def test_convolution_without_filters_raises_the_same_value_error(backend, W):
    # cython raised IndexError, numpy a reshape ValueError.
    message = r"W \(\d, \d, 3, 3\) must have at least one filter \(FN\) and one channel"
    x = IMG[:, :W.shape[1]]
    b = np.zeros(W.shape[0])
    with pytest.raises(ValueError, match="conv_forward: " + message):
        backend.conv_forward(x, W, b)
    with pytest.raises(ValueError, match="conv_backward: " + message):
        backend.conv_backward(np.ones((2, W.shape[0], 3, 3)), x, W)
    with fastnet.using_backend(backend.name), pytest.raises(ValueError, match=message):
        L.PooledConvolution(W, b).forward(x)


def _forwarded(layer, *args):
    layer.forward(*args)
    return layer


LAYER_INPUTS = {
    "Affine.forward": lambda v: L.Affine(np.ones((3, 2)), np.zeros(2)).forward(v),
    "BatchNormalization.forward": lambda v: L.BatchNormalization(np.ones(3),
                                                                 np.zeros(3)).forward(v),
    "BatchNormalization.backward": lambda v: _forwarded(
        L.BatchNormalization(np.ones(3), np.zeros(3)), np.ones((2, 3))).backward(v),
    "Dropout.forward": lambda v: L.Dropout().forward(v),
}


@pytest.mark.parametrize("call", LAYER_INPUTS)
def test_layers_refuse_none_naming_the_argument(backend, call):
    # These read x.shape or x.ndim first: AttributeError on None.
    name = call.split(".")[0]
    with fastnet.using_backend(backend.name), \
            pytest.raises(TypeError, match=rf"{name}\.\w+: (x|dout) " + NONE):
        LAYER_INPUTS[call](None)


@pytest.mark.parametrize("call", LAYER_INPUTS)
def test_layers_refuse_a_scalar_naming_the_argument(backend, call):
    with fastnet.using_backend(backend.name), \
            pytest.raises(ValueError, match=r"(x|dout) must be an array with the batch axis"):
        LAYER_INPUTS[call](3.0)


@pytest.mark.parametrize("layer", [
    lambda: L.Affine(np.ones((3, 2)), np.zeros(2)), L.Relu, L.Sigmoid, L.Tanh,
    L.SoftmaxWithLoss, lambda: L.Convolution(np.ones((2, 3, 3, 3)), np.zeros(2)),
    lambda: L.Pooling(2, 2), lambda: L.PooledConvolution(np.ones((2, 3, 3, 3)), np.zeros(2)),
    lambda: L.BatchNormalization(np.ones(3), np.zeros(3)), L.Dropout,
], ids=lambda f: getattr(f, "__name__", "layer"))
def test_backward_before_forward_is_explained(backend, layer):
    # AttributeError on None, or a kernel complaining about an object array.
    layer = layer()
    with fastnet.using_backend(backend.name), \
            pytest.raises(ValueError, match=rf"{type(layer).__name__}\.backward: call forward"):
        layer.backward(np.ones((2, 2)))


def test_softmax_with_loss_backward_checks_dout(backend):
    layer = _forwarded(L.SoftmaxWithLoss(), np.zeros((2, 3)), np.array([0, 1]))
    with fastnet.using_backend(backend.name):
        with pytest.raises(TypeError, match=r"SoftmaxWithLoss\.backward: dout must be a real"):
            layer.backward(np.array(["a"]))
        with pytest.raises(ValueError, match=r"dout \(4,\) does not broadcast to the "
                                             r"gradient's shape \(2, 3\)"):
            layer.backward(np.ones(4))


@pytest.mark.parametrize("call, message", [
    (lambda: F.sum_squared_error(None, [1.0]), r"sum_squared_error: y must be an array"),
    (lambda: F.sum_squared_error([1.0], None), r"sum_squared_error: t must be an array"),
    (lambda: F.cross_entropy_error(None, [0]), r"cross_entropy_error: y must be an array"),
    (lambda: F.cross_entropy_error([[1.0]], None), r"cross_entropy_error: t must be an array"),
])
def test_functions_name_the_wrong_argument(backend, call, message):
    # Every argument was called x, and None became an array of objects.
    with fastnet.using_backend(backend.name), pytest.raises(TypeError, match=message):
        call()


def test_step_function_refuses_text(backend):
    with fastnet.using_backend(backend.name), \
            pytest.raises(TypeError, match=r"step_function: x must be an array of numbers, "
                                           r"got str"):
        F.step_function("abc")


@pytest.mark.parametrize("params, grads, error, message", [
    ([np.ones(2)], [np.ones(2)], TypeError, r"params must be a dict of arrays .*got list"),
    ({"W": np.ones(2)}, None, TypeError, r"grads must be a dict .*got NoneType"),
    ({"W": np.ones(2)}, {"b": np.ones(2)}, ValueError, r"grads has no entry for \['W'\]"),
])
@pytest.mark.parametrize("optimizer", ["SGD", "Momentum", "Adam"])
def test_optimizers_take_dicts_of_arrays(backend, optimizer, params, grads, error, message):
    with fastnet.using_backend(backend.name), \
            pytest.raises(error, match=rf"{optimizer}\.update: {message}"):
        getattr(O, optimizer)().update(params, grads)


@pytest.mark.parametrize("make, error, message", [
    (lambda: O.SGD(lr=None), TypeError, r"sgd_update: lr must be a number, got None"),
    (lambda: O.SGD(lr="0.1"), TypeError, r"sgd_update: lr must be a number, got '0.1'"),
    (lambda: O.Momentum(lr=float("nan")), ValueError, r"momentum_update: lr must be finite"),
    (lambda: O.RMSprop(decay_rate=float("inf")), ValueError, r"decay_rate must be finite"),
    (lambda: O.Adam(lr=None), TypeError, r"Adam\.update: lr must be a number"),
    (lambda: O.Adam(beta1=1.0), ValueError, r"Adam\.update: beta1 and beta2 must lie in"),
])
def test_optimizer_hyperparameters_are_finite_numbers(backend, make, error, message):
    # NaN wrote NaN into every parameter; beta1 = 1 divided by zero.
    param = np.ones(3)
    with fastnet.using_backend(backend.name), pytest.raises(error, match=message):
        make().update({"W": param}, {"W": np.ones(3)})
    np.testing.assert_array_equal(param, np.ones(3))


@pytest.mark.parametrize("x, error, message", [
    (np.array([1, 2, 3]), TypeError, r"x must be a float32 or float64 array .*got dtype int64"),
    ([1.0, 2.0], TypeError, r"x must be a float32 or float64 array .*got list"),
    (np.ones(3, np.float16), TypeError, r"x must be a float32 .*got dtype float16"),
])
def test_numerical_gradient_refuses_what_it_cannot_perturb(backend, x, error, message):
    # An integer x cannot hold x + 1e-4: the gradient came back all zeros.
    with fastnet.using_backend(backend.name):
        with pytest.raises(error, match="numerical_gradient: " + message):
            G.numerical_gradient(lambda z: float((z * z).sum()), x)
        with pytest.raises(TypeError, match=r"numerical_gradient: f must be a function"):
            G.numerical_gradient(None, np.ones(3))
