"""fastnet.scratch against docs/BOOK_API.md (the book's contract), name by name.

Signatures and defaults, attribute names, results against the book's
formulas written here in NumPy, in-place parameter sharing, train_flg
paths, the Trainer's prints. Layer gradients are in test_scratch_gradients.py,
the runner and the scripts in test_scratch_runner.py.
"""

import inspect
from collections import OrderedDict

import numpy as np
import pytest
from _gradcheck import central_difference, check_close, check_net

from fastnet.datasets import BundledDataWarning
from fastnet.scratch.common import (
    functions,
    gradient,
    layers,
    multi_layer_net,
    multi_layer_net_extend,
    optimizer,
    trainer,
    util,
)
from fastnet.scratch.dataset import mnist

EMPTY = inspect.Parameter.empty

# (module, name, [(parameter, default or EMPTY), ...]): BOOK_API.md's table.
# Extra parameters after these must be keyword-only (fastnet's additions).
SIGNATURES = [
    (functions, "identity_function", [("x", EMPTY)]),
    (functions, "step_function", [("x", EMPTY)]),
    (functions, "sigmoid", [("x", EMPTY)]),
    (functions, "sigmoid_grad", [("x", EMPTY)]),
    (functions, "relu", [("x", EMPTY)]),
    (functions, "relu_grad", [("x", EMPTY)]),
    (functions, "softmax", [("x", EMPTY)]),
    (functions, "sum_squared_error", [("y", EMPTY), ("t", EMPTY)]),
    (functions, "cross_entropy_error", [("y", EMPTY), ("t", EMPTY)]),
    (functions, "softmax_loss", [("X", EMPTY), ("t", EMPTY)]),
    (gradient, "numerical_gradient", [("f", EMPTY), ("x", EMPTY)]),
    (gradient, "numerical_gradient_2d", [("f", EMPTY), ("X", EMPTY)]),
    (gradient, "_numerical_gradient_1d", [("f", EMPTY), ("x", EMPTY)]),
    (layers, "Relu", []),
    (layers, "Sigmoid", []),
    (layers, "Affine", [("W", EMPTY), ("b", EMPTY)]),
    (layers, "SoftmaxWithLoss", []),
    (layers, "Dropout", [("dropout_ratio", 0.5)]),
    (layers, "BatchNormalization", [("gamma", EMPTY), ("beta", EMPTY), ("momentum", 0.9),
                                    ("running_mean", None), ("running_var", None)]),
    (layers, "Convolution", [("W", EMPTY), ("b", EMPTY), ("stride", 1), ("pad", 0)]),
    (layers, "Pooling", [("pool_h", EMPTY), ("pool_w", EMPTY), ("stride", 2), ("pad", 0)]),
    (optimizer, "SGD", [("lr", 0.01)]),
    (optimizer, "Momentum", [("lr", 0.01), ("momentum", 0.9)]),
    (optimizer, "Nesterov", [("lr", 0.01), ("momentum", 0.9)]),
    (optimizer, "AdaGrad", [("lr", 0.01)]),
    (optimizer, "RMSprop", [("lr", 0.01), ("decay_rate", 0.99)]),
    (optimizer, "Adam", [("lr", 0.001), ("beta1", 0.9), ("beta2", 0.999)]),
    (util, "im2col", [("input_data", EMPTY), ("filter_h", EMPTY), ("filter_w", EMPTY),
                      ("stride", 1), ("pad", 0)]),
    (util, "col2im", [("col", EMPTY), ("input_shape", EMPTY), ("filter_h", EMPTY),
                      ("filter_w", EMPTY), ("stride", 1), ("pad", 0)]),
    (util, "conv_output_size", [("input_size", EMPTY), ("filter_size", EMPTY), ("stride", 1),
                                ("pad", 0)]),
    (util, "shuffle_dataset", [("x", EMPTY), ("t", EMPTY)]),
    (util, "smooth_curve", [("x", EMPTY)]),
    (multi_layer_net, "MultiLayerNet", [
        ("input_size", EMPTY), ("hidden_size_list", EMPTY), ("output_size", EMPTY),
        ("activation", "relu"), ("weight_init_std", "relu"), ("weight_decay_lambda", 0)]),
    (multi_layer_net_extend, "MultiLayerNetExtend", [
        ("input_size", EMPTY), ("hidden_size_list", EMPTY), ("output_size", EMPTY),
        ("activation", "relu"), ("weight_init_std", "relu"), ("weight_decay_lambda", 0),
        ("use_dropout", False), ("dropout_ration", 0.5), ("use_batchnorm", False)]),
    (trainer, "Trainer", [
        ("network", EMPTY), ("x_train", EMPTY), ("t_train", EMPTY), ("x_test", EMPTY),
        ("t_test", EMPTY), ("epochs", 20), ("mini_batch_size", 100), ("optimizer", "SGD"),
        ("optimizer_param", {"lr": 0.01}), ("evaluate_sample_num_per_epoch", None),
        ("verbose", True)]),
    (mnist, "load_mnist", [("normalize", True), ("flatten", True), ("one_hot_label", False)]),
]

# Method signatures the scripts call (class, method, parameters after self).
METHODS = [
    (layers.Relu, "forward", [("x", EMPTY)]),
    (layers.Affine, "forward", [("x", EMPTY)]),
    (layers.Affine, "backward", [("dout", EMPTY)]),
    (layers.SoftmaxWithLoss, "forward", [("x", EMPTY), ("t", EMPTY)]),
    (layers.SoftmaxWithLoss, "backward", [("dout", 1)]),
    (layers.Dropout, "forward", [("x", EMPTY), ("train_flg", True)]),
    (layers.BatchNormalization, "forward", [("x", EMPTY), ("train_flg", True)]),
    (multi_layer_net.MultiLayerNet, "predict", [("x", EMPTY)]),
    (multi_layer_net.MultiLayerNet, "loss", [("x", EMPTY), ("t", EMPTY)]),
    (multi_layer_net.MultiLayerNet, "gradient", [("x", EMPTY), ("t", EMPTY)]),
    (multi_layer_net_extend.MultiLayerNetExtend, "predict",
     [("x", EMPTY), ("train_flg", False)]),
    (multi_layer_net_extend.MultiLayerNetExtend, "loss",
     [("x", EMPTY), ("t", EMPTY), ("train_flg", False)]),
    (trainer.Trainer, "train_step", []),
    (trainer.Trainer, "train", []),
]


def _check_parameters(what, signature, expected):
    params = list(signature.parameters.values())
    if params and params[0].name == "self":
        params = params[1:]
    got = [(p.name, p.default) for p in params[:len(expected)]]
    assert got == expected, f"{what}: parameters {got}, the book has {expected}"
    for extra in params[len(expected):]:
        assert extra.kind in (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.VAR_KEYWORD), (
            f"{what}: extra parameter {extra.name!r} must be keyword-only")


@pytest.mark.parametrize("module, name, expected", SIGNATURES,
                         ids=[f"{m.__name__.rsplit('.', 1)[1]}.{n}" for m, n, _ in SIGNATURES])
def test_signature(module, name, expected):
    obj = getattr(module, name)
    target = obj.__init__ if inspect.isclass(obj) else obj
    _check_parameters(f"{module.__name__}.{name}", inspect.signature(target), expected)


@pytest.mark.parametrize("cls, method, expected", METHODS,
                         ids=[f"{c.__name__}.{m}" for c, m, _ in METHODS])
def test_method_signature(cls, method, expected):
    _check_parameters(f"{cls.__name__}.{method}", inspect.signature(getattr(cls, method)),
                      expected)


@pytest.mark.parametrize("module", [functions, gradient, layers, optimizer, util,
                                    multi_layer_net, multi_layer_net_extend, trainer, mnist])
def test_star_import_gives_the_books_names(module):
    names = {}
    exec(f"from {module.__name__} import *", names)  # what a book script does
    assert "np" in names and names["np"] is np
    public = [name for mod, name, _ in SIGNATURES if mod is module and not name.startswith("_")]
    missing = [n for n in public if n not in names]
    assert not missing, f"`from {module.__name__} import *` lacks {missing}"


# ------------------------------------------------------------------ functions


def book_sigmoid(x):
    return 1 / (1 + np.exp(-x))


@pytest.mark.parametrize("x", [
    np.array([-1.0, 0.0, 2.0]),
    np.array([-1, 0, 2]),  # integers, as chapter 3 starts with
    [-1.5, 0.5],  # a list
    np.arange(-3.0, 3.0, 0.5).reshape(3, 4),
    np.array([1, -2], dtype=np.int8),
    np.array([0.5, -0.25], dtype=np.float32),
    2.0,
])
def test_elementwise_functions_follow_numpy(x):
    a = np.asarray(x)
    cases = [
        (functions.step_function(x), np.array(a > 0, dtype=int)),
        (functions.sigmoid(x), book_sigmoid(a)),
        (functions.sigmoid_grad(x), (1.0 - book_sigmoid(a)) * book_sigmoid(a)),
        (functions.relu(x), np.maximum(0, a)),
        (functions.relu_grad(x), np.where(a >= 0, 1, 0).astype(a.dtype)),
    ]
    for name, (got, want) in zip(["step", "sigmoid", "sigmoid_grad", "relu", "relu_grad"],
                                 cases):
        assert np.asarray(got).dtype == np.asarray(want).dtype, (
            f"{name}({x!r}): dtype {np.asarray(got).dtype}, NumPy gives {np.asarray(want).dtype}")
        rtol = 1e-3 if np.asarray(want).dtype == np.float16 else 1e-6
        check_close(got, want, f"{name}({x!r})", rtol, 1e-7)
    assert functions.identity_function(x) is x


def test_relu_grad_counts_zero_as_active():
    np.testing.assert_array_equal(functions.relu_grad(np.array([-1.0, 0.0, 1.0])), [0, 1, 1])


@pytest.mark.parametrize("shape", [(3,), (2, 5), (2, 3, 4)])
def test_softmax_along_last_axis(shape):
    x = np.random.default_rng(0).standard_normal(shape) * 10
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    check_close(functions.softmax(x), e / e.sum(axis=-1, keepdims=True), "softmax", 1e-12, 1e-15)


def test_losses():
    rng = np.random.default_rng(1)
    y = functions.softmax(rng.standard_normal((4, 5)))
    labels = np.array([0, 3, 4, 1])
    onehot = np.eye(5)[labels]
    want = -np.sum(np.log(y[np.arange(4), labels] + 1e-7)) / 4
    for t in (labels, onehot, onehot.astype(int)):
        check_close(functions.cross_entropy_error(y, t), want, "cross_entropy_error", 1e-12, 0)
    # 1-D y is a batch of one, with a one-hot t or a single label.
    want1 = -np.log(y[0, 0] + 1e-7)
    check_close(functions.cross_entropy_error(y[0], onehot[0]), want1, "CEE 1-D", 1e-12, 0)
    check_close(functions.cross_entropy_error(y[0], np.int64(0)), want1, "CEE label", 1e-12, 0)
    check_close(functions.sum_squared_error(y, onehot), 0.5 * np.sum((y - onehot) ** 2), "SSE",
                1e-12, 1e-15)
    x = rng.standard_normal((4, 5))
    check_close(functions.softmax_loss(x, labels),
                functions.cross_entropy_error(functions.softmax(x), labels), "softmax_loss",
                1e-12, 0)


# ------------------------------------------------------------------- gradient


def test_numerical_gradient_any_ndim_restores_x():
    x = np.random.default_rng(2).standard_normal((2, 3, 2))
    before = x.copy()
    seen = []

    def f(arg):
        seen.append(arg is x)
        return np.sum(arg**3)

    grad = gradient.numerical_gradient(f, x)
    assert all(seen), "f must be called with x itself"
    np.testing.assert_array_equal(x, before)
    check_close(grad, 3 * x**2, "numerical_gradient", 1e-6, 1e-7)


def test_numerical_gradient_2d_is_row_by_row():
    X = np.array([[1.0, 2.0], [3.0, -1.0]])
    rows = []

    def f(row):
        rows.append(row.shape)
        return np.sum(row**2)

    check_close(gradient.numerical_gradient_2d(f, X), 2 * X, "numerical_gradient_2d", 1e-6, 1e-7)
    assert set(rows) == {(2,)}
    check_close(gradient.numerical_gradient_2d(f, X[0].copy()), 2 * X[0], "1-D", 1e-6, 1e-7)


# ------------------------------------------------------------------ optimizer


def book_rules(name, p, g, state, t):
    """The update rules of BOOK_API.md, one step, on copies."""
    if name == "SGD":
        return p - 0.01 * g
    if name == "Momentum":
        state["v"] = 0.9 * state.get("v", 0) - 0.01 * g
        return p + state["v"]
    if name == "Nesterov":
        v = state.get("v", 0)
        p = p + 0.81 * v - 1.9 * 0.01 * g
        state["v"] = 0.9 * v - 0.01 * g
        return p
    if name == "AdaGrad":
        state["h"] = state.get("h", 0) + g * g
        return p - 0.01 * g / (np.sqrt(state["h"]) + 1e-7)
    if name == "RMSprop":
        state["h"] = 0.99 * state.get("h", 0) + 0.01 * g * g
        return p - 0.01 * g / (np.sqrt(state["h"]) + 1e-7)
    lr_t = 0.001 * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
    state["m"] = state.get("m", 0) + 0.1 * (g - state.get("m", 0))
    state["v"] = state.get("v", 0) + 0.001 * (g * g - state.get("v", 0))
    return p - lr_t * state["m"] / (np.sqrt(state["v"]) + 1e-7)


@pytest.mark.parametrize("name", ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"])
def test_optimizer_updates_in_place_by_the_books_rule(name):
    rng = np.random.default_rng(3)
    params = {"W": rng.standard_normal((3, 4)), "b": rng.standard_normal(4)}
    ids = {k: id(v) for k, v in params.items()}
    expected = {k: v.copy() for k, v in params.items()}
    states = {k: {} for k in params}
    opt = getattr(optimizer, name)()
    for t in range(1, 4):
        grads = {k: rng.standard_normal(v.shape) for k, v in params.items()}
        opt.update(params, grads)
        for k in params:
            expected[k] = book_rules(name, expected[k], grads[k], states[k], t)
    for k in params:
        assert id(params[k]) == ids[k], f"{name} replaced params[{k!r}] instead of updating it"
        check_close(params[k], expected[k], f"{name} params[{k!r}]", 1e-12, 1e-14)


# ----------------------------------------------------------------------- util


def test_conv_output_size_is_true_division():
    assert util.conv_output_size(28, 5) == 24
    assert util.conv_output_size(7, 2, stride=2) == 3.5
    assert util.conv_output_size(28, 3, 1, 1) == 28


def test_shuffle_dataset_uses_numpys_global_generator():
    x = np.arange(24.0).reshape(6, 4)
    t = np.arange(6)
    np.random.seed(5)
    xs, ts = util.shuffle_dataset(x, t)
    np.random.seed(5)
    perm = np.random.permutation(6)
    np.testing.assert_array_equal(ts, perm)
    np.testing.assert_array_equal(xs, x[perm])
    x4 = np.arange(6 * 2 * 3 * 3.0).reshape(6, 2, 3, 3)
    np.random.seed(5)
    x4s, _ = util.shuffle_dataset(x4, t)
    np.testing.assert_array_equal(x4s, x4[perm])


@pytest.mark.parametrize("n", [11, 12, 40])
def test_smooth_curve(n):
    x = np.random.default_rng(4).standard_normal(n)
    w = np.kaiser(11, 2)
    w /= w.sum()
    # Mirror images beyond the ends: x[10..1] on the left, x[-1..-10] on the right.
    ext = {-i: x[i] for i in range(1, 11)}  # left: position -i holds x[i]
    ext.update({n - 1 + i: x[n - i] for i in range(1, 11)})  # right: n-1+i holds x[n-i]

    def at(i):
        return x[i] if 0 <= i < n else ext[i]

    want = [sum(w[k] * at(i - 5 + k) for k in range(11)) for i in range(n)]
    check_close(util.smooth_curve(list(x)), np.array(want), "smooth_curve", 1e-12, 1e-14)


def book_im2col(x, fh, fw, stride, pad):
    """im2col by its definition: one row per (n, oh, ow), columns (c, fh, fw)."""
    n, c, h, w = x.shape
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    rows = [xp[i, :, a * stride:a * stride + fh, b * stride:b * stride + fw].ravel()
            for i in range(n) for a in range(oh) for b in range(ow)]
    return np.array(rows).reshape(n * oh * ow, c * fh * fw)


@pytest.mark.parametrize("shape, fh, fw, stride, pad", [
    ((1, 1, 3, 3), 2, 2, 1, 0), ((2, 3, 5, 4), 3, 2, 1, 1), ((2, 2, 7, 7), 3, 3, 2, 2)])
def test_im2col_col2im(shape, fh, fw, stride, pad):
    rng = np.random.default_rng(20)
    x = rng.standard_normal(shape)
    col = util.im2col(x, fh, fw, stride, pad)
    check_close(col, book_im2col(x, fh, fw, stride, pad), "im2col", 0, 0)
    # col2im is im2col's adjoint: <im2col(x), C> == <x, col2im(C)>.
    C = rng.standard_normal(col.shape)
    back = util.col2im(C, shape, fh, fw, stride, pad)
    assert back.shape == shape
    check_close(np.vdot(x, back), np.vdot(col, C), "<x, col2im(C)>", 1e-12, 1e-12)
    # The book's im2col fills float64 zeros: integer images come back as floats.
    ints = util.im2col(np.arange(np.prod(shape)).reshape(shape), fh, fw, stride, pad)
    assert ints.dtype == np.float64


# --------------------------------------------------------------------- layers


def test_relu_mask_and_backward():
    x = np.array([[1.0, -2.0], [0.0, 3.0]])
    relu = layers.Relu()
    out = relu.forward(x)
    np.testing.assert_array_equal(relu.mask, x <= 0)
    np.testing.assert_array_equal(out, np.maximum(x, 0))
    np.testing.assert_array_equal(relu.backward(np.ones_like(x)), [[1, 0], [0, 1]])


def test_sigmoid_stores_out():
    s = layers.Sigmoid()
    out = s.forward(np.array([0.0, 1.0]))
    assert s.out is out
    check_close(s.backward(np.ones(2)), out * (1 - out), "Sigmoid.backward", 1e-12, 1e-15)


def test_affine_nd_input_attributes_and_references():
    rng = np.random.default_rng(5)
    W, b = rng.standard_normal((12, 3)), rng.standard_normal(3)
    x = rng.standard_normal((2, 3, 2, 2))
    layer = layers.Affine(W, b)
    assert layer.W is W and layer.b is b
    out = layer.forward(x)
    check_close(out, x.reshape(2, -1) @ W + b, "Affine.forward", 1e-12, 1e-14)
    assert layer.x.shape == (2, 12) and layer.original_x_shape == x.shape
    dx = layer.backward(np.ones((2, 3)))
    assert dx.shape == x.shape
    check_close(layer.dW, layer.x.T @ np.ones((2, 3)), "Affine.dW", 1e-12, 1e-14)
    check_close(layer.db, np.full(3, 2.0), "Affine.db", 1e-12, 1e-14)
    W *= 2  # an optimizer's in-place update is seen without rebuilding the layer
    check_close(layer.forward(x), x.reshape(2, -1) @ W + b, "Affine after W*=2", 1e-12, 1e-14)


def test_affine_takes_a_number_as_bias():
    W = np.arange(6.0).reshape(3, 2)
    x = np.ones((4, 3))
    layer = layers.Affine(W, 0)
    check_close(layer.forward(x), x @ W, "Affine(W, 0).forward", 0, 0)
    assert layer.b == 0
    layer.backward(np.ones((4, 2)))
    check_close(layer.db, np.full(2, 4.0), "Affine(W, 0).db", 0, 0)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.uint8])
def test_convolution_images_meet_float64_filters_in_float64(dtype):
    # ch08/half_float_network.py feeds float16 images; ch07/apply_filter.py
    # builds Convolution(w, 0) with a number as the bias.
    rng = np.random.default_rng(23)
    W = rng.standard_normal((2, 1, 3, 3))
    x = (rng.random((2, 1, 5, 5)) * 10).astype(dtype)
    out = layers.Convolution(W, 0).forward(x)
    assert out.dtype == np.float64 and out.shape == (2, 2, 3, 3)
    col = util.im2col(x.astype(np.float64), 3, 3)
    want = (col @ W.reshape(2, -1).T).reshape(2, 3, 3, 2).transpose(0, 3, 1, 2)
    check_close(out, want, f"Convolution on {np.dtype(dtype).name} images", 1e-12, 1e-12)


@pytest.mark.parametrize("labels", ["int", "onehot", "onehot-int", "uint8"])
def test_softmax_with_loss(labels):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((4, 3))
    lab = np.array([2, 0, 1, 1])
    t = {"int": lab, "uint8": lab.astype(np.uint8), "onehot": np.eye(3)[lab],
         "onehot-int": np.eye(3, dtype=int)[lab]}[labels]
    layer = layers.SoftmaxWithLoss()
    loss = layer.forward(x, t)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    y = e / e.sum(axis=1, keepdims=True)
    check_close(loss, -np.mean(np.log(y[np.arange(4), lab] + 1e-7)), "loss", 1e-12, 0)
    assert layer.loss == loss and layer.t is t
    check_close(layer.y, y, "SoftmaxWithLoss.y", 1e-12, 1e-15)
    check_close(layer.backward(), (y - np.eye(3)[lab]) / 4, "backward", 1e-12, 1e-15)


def test_softmax_with_loss_lets_a_diverged_network_go_on_like_the_book():
    x = np.array([[np.inf, 1.0], [0.0, 1.0]])
    layer = layers.SoftmaxWithLoss()
    with pytest.warns(RuntimeWarning, match="NaN or inf"):
        loss = layer.forward(x, np.array([0, 1]))
    assert np.isnan(loss) and np.isnan(layer.loss)
    dx = layer.backward()
    assert np.isnan(dx[0]).all() and np.isfinite(dx[1]).all() and np.isnan(layer.y[0]).all()
    with pytest.raises(ValueError, match="labels must lie in"):
        layer.forward(x, np.array([0, 5]))  # bad labels are still caught


# ------------------------------------------------------------ MultiLayerNet


def test_multi_layer_net_layout_init_and_sharing():
    np.random.seed(7)
    net = multi_layer_net.MultiLayerNet(6, [5, 4], 3, activation="sigmoid",
                                        weight_init_std="xavier")
    np.random.seed(7)
    W1 = np.sqrt(1.0 / 6) * np.random.randn(6, 5)
    check_close(net.params["W1"], W1, "W1 (Xavier, NumPy's global generator)", 0, 0)
    assert list(net.layers) == ["Affine1", "Activation_function1", "Affine2",
                                "Activation_function2", "Affine3"]
    assert isinstance(net.layers, OrderedDict)
    assert isinstance(net.layers["Activation_function1"], layers.Sigmoid)
    assert isinstance(net.layers["Affine1"], layers.Affine)
    assert isinstance(net.last_layer, layers.SoftmaxWithLoss)
    assert list(net.params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    for i in (1, 2, 3):
        assert net.layers[f"Affine{i}"].W is net.params[f"W{i}"]
        assert net.layers[f"Affine{i}"].b is net.params[f"b{i}"]
        assert not net.params[f"b{i}"].any()
    np.random.seed(8)
    relu_net = multi_layer_net.MultiLayerNet(6, [5], 3)
    assert isinstance(relu_net.layers["Activation_function1"], layers.Relu)
    np.random.seed(8)
    check_close(relu_net.params["W1"], np.sqrt(2.0 / 6) * np.random.randn(6, 5), "He init", 0, 0)


def test_multi_layer_net_gradient_and_weight_decay():
    rng = np.random.default_rng(9)
    np.random.seed(9)
    # Small weights: no probability near 0, where the 1e-7 inside the loss's
    # log (the book's) makes the loss differ from what backprop differentiates.
    net = multi_layer_net.MultiLayerNet(5, [4, 3], 3, weight_init_std=0.3,
                                        weight_decay_lambda=0.3)
    x = rng.standard_normal((4, 5))
    t = np.array([0, 2, 1, 2])
    y = net.predict(x)
    e = np.exp(y - y.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    decay = sum(0.5 * 0.3 * np.sum(net.params[f"W{i}"] ** 2) for i in (1, 2, 3))
    want = -np.mean(np.log(p[np.arange(4), t] + 1e-7)) + decay
    check_close(net.loss(x, t), want, "loss with 0.5·λ·ΣW²", 1e-12, 0)
    # The 1e-7 in the log shifts the loss's slope by ~1e-7 relative: hence the tolerance.
    check_net(net, x, t, name="scratch MultiLayerNet(λ=0.3)", rtol=1e-5, atol=1e-7)
    assert net.accuracy(x, t) == np.mean(y.argmax(axis=1) == t)
    assert net.accuracy(x, np.eye(3)[t]) == net.accuracy(x, t)
    num = net.numerical_gradient(x, t)
    grads = net.gradient(x, t)
    for key in net.params:
        check_close(grads[key], num[key], f"numerical_gradient[{key}]", 1e-5, 1e-7)


def test_multi_layer_net_extend_layout():
    np.random.seed(10)
    net = multi_layer_net_extend.MultiLayerNetExtend(
        6, [5, 4], 3, use_dropout=True, dropout_ration=0.3, use_batchnorm=True)
    assert list(net.layers) == [
        "Affine1", "BatchNorm1", "Activation_function1", "Dropout1",
        "Affine2", "BatchNorm2", "Activation_function2", "Dropout2", "Affine3"]
    assert set(net.params) == {"W1", "b1", "W2", "b2", "W3", "b3",
                               "gamma1", "beta1", "gamma2", "beta2"}
    np.testing.assert_array_equal(net.params["gamma1"], np.ones(5))
    np.testing.assert_array_equal(net.params["beta2"], np.zeros(4))
    assert net.layers["BatchNorm1"].gamma is net.params["gamma1"]
    assert net.layers["Dropout1"].dropout_ratio == 0.3
    plain = multi_layer_net_extend.MultiLayerNetExtend(6, [5], 3)
    assert list(plain.layers) == ["Affine1", "Activation_function1", "Affine2"]


def test_multi_layer_net_extend_train_flg_paths():
    rng = np.random.default_rng(11)
    np.random.seed(11)
    net = multi_layer_net_extend.MultiLayerNetExtend(6, [8], 3, use_dropout=True,
                                                     dropout_ration=0.5)
    x = rng.standard_normal((5, 6))
    # Inference is deterministic; training draws a new Dropout mask each call.
    np.testing.assert_array_equal(net.predict(x), net.predict(x, train_flg=False))
    np.random.seed(0)
    a = net.predict(x, train_flg=True)
    np.random.seed(0)
    b = net.predict(x, train_flg=True)
    np.testing.assert_array_equal(a, b)  # np.random.seed reproduces the masks
    assert not np.allclose(a, net.predict(x))
    t = np.array([0, 1, 2, 0, 1])
    assert net.loss(x, t) == net.loss(x, t, train_flg=False)


def test_multi_layer_net_extend_gradient_with_batchnorm():
    rng = np.random.default_rng(12)
    np.random.seed(12)
    net = multi_layer_net_extend.MultiLayerNetExtend(5, [4, 4], 3, use_batchnorm=True,
                                                     weight_decay_lambda=0.1)
    x = rng.standard_normal((6, 5))
    t = np.array([0, 1, 2, 0, 1, 2])
    grads = net.gradient(x, t)
    assert set(grads) == set(net.params)
    for key, param in net.params.items():
        num = central_difference(lambda: net.loss(x, t, train_flg=True), param)
        check_close(grads[key], num, f"MultiLayerNetExtend(batchnorm).gradient[{key}]",
                    1e-5, 1e-7)


# -------------------------------------------------------------------- Trainer


class RecordingNet:
    """The smallest network Trainer accepts; records the batches it sees."""

    def __init__(self):
        self.params = {"W": np.zeros(3)}
        self.batches = []
        self.accuracy_calls = []

    def gradient(self, x, t):
        self.batches.append(t.copy())
        return {"W": np.ones(3)}

    def loss(self, x, t):
        return float(len(self.batches))

    def accuracy(self, x, t):
        self.accuracy_calls.append(len(t))
        return len(t) / 1000


def test_trainer_prints_and_records_like_the_book(capsys):
    x_train, t_train = np.zeros((250, 2)), np.arange(250)
    x_test, t_test = np.zeros((40, 2)), np.arange(40)
    net = RecordingNet()
    np.random.seed(13)
    tr = trainer.Trainer(net, x_train, t_train, x_test, t_test, epochs=2, mini_batch_size=100,
                         optimizer="sGd", optimizer_param={"lr": 0.5},
                         evaluate_sample_num_per_epoch=30)
    tr.train()
    # 2.5 iterations per epoch (a float, as in the book): epochs are counted
    # only where current_iter % 2.5 == 0, i.e. at steps 0 (and 5, not reached).
    assert tr.max_iter == 5 and tr.iter_per_epoch == 2.5
    np.random.seed(13)
    for seen in net.batches:
        np.testing.assert_array_equal(seen, np.random.choice(250, 100))
    np.testing.assert_array_equal(net.params["W"], np.full(3, -0.5 * 5))
    assert tr.train_loss_list == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert net.accuracy_calls == [30, 30, 40]
    assert tr.train_acc_list == [0.03] and tr.test_acc_list == [0.03]
    out = capsys.readouterr().out
    assert out == (
        "train loss:1.0\n=== epoch:1, train acc:0.03, test acc:0.03 ===\n"
        "train loss:2.0\ntrain loss:3.0\ntrain loss:4.0\ntrain loss:5.0\n"
        "=============== Final Test Accuracy ===============\ntest acc:0.04\n")


@pytest.mark.parametrize("name", ["sgd", "Momentum", "NESTEROV", "adagrad", "rmsprop", "Adam"])
def test_trainer_optimizer_names(name):
    tr = trainer.Trainer(RecordingNet(), np.zeros((10, 2)), np.arange(10), np.zeros((2, 2)),
                         np.arange(2), optimizer=name, optimizer_param={"lr": 0.1},
                         verbose=False)
    assert type(tr.optimizer).__name__.lower() == name.lower()
    assert tr.optimizer.lr == 0.1


def test_trainer_rejects_unknown_optimizer():
    with pytest.raises(ValueError, match="adamw"):
        trainer.Trainer(RecordingNet(), np.zeros((1, 1)), np.arange(1), np.zeros((1, 1)),
                        np.arange(1), optimizer="adamw")


def test_trainer_epoch_boundaries_with_whole_epochs(capsys):
    net = RecordingNet()
    tr = trainer.Trainer(net, np.zeros((200, 2)), np.arange(200), np.zeros((5, 2)), np.arange(5),
                         epochs=3, mini_batch_size=100, verbose=False)
    tr.train()
    assert tr.max_iter == 6 and len(tr.train_acc_list) == 3 and tr.current_epoch == 3
    assert capsys.readouterr().out == ""


# ---------------------------------------------------------------- load_mnist


def test_load_mnist_like_the_book_offline(monkeypatch, tmp_path):
    monkeypatch.setenv("FASTNET_OFFLINE", "1")
    monkeypatch.setenv("FASTNET_DATA", str(tmp_path))
    with pytest.warns(BundledDataWarning) as record:
        (x, t), (xt, tt) = mnist.load_mnist()
    assert len(record) == 1 and "\n" not in str(record[0].message)
    assert x.shape == (4000, 784) and x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1
    assert t.dtype == np.uint8 and t.shape == (4000,) and xt.shape == (1000, 784)
    (x, t), _ = mnist.load_mnist(normalize=False, flatten=False, one_hot_label=True,
                                 source="bundled")
    assert x.shape == (4000, 1, 28, 28) and x.dtype == np.uint8
    assert t.shape == (4000, 10) and t.dtype == np.float64 and (t.sum(axis=1) == 1).all()
