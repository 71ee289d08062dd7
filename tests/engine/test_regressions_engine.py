"""Regressions of issue 10 (item 11) in the engine API, one test per defect.

Each test failed before its fix: bad arguments to layers, optimizers,
functions and numerical_gradient raised AttributeError, IndexError or
ZeroDivisionError, or silently did nothing. (The defects found in the
checked backend's kernels are in tests/kernels/test_regressions_checks.py.)
"""

import numpy as np
import pytest

import fastnet
from fastnet import functions as F
from fastnet import gradient as G
from fastnet import layers as L
from fastnet import optimizers as O

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
    (lambda: O.SGD(lr=None), TypeError, r"SGD\.update: lr must be a number, got None"),
    (lambda: O.SGD(lr="0.1"), TypeError, r"SGD\.update: lr must be a number, got '0.1'"),
    (lambda: O.Momentum(lr=float("nan")), ValueError, r"Momentum\.update: lr must be finite"),
    # A negative rate or a momentum outside [0, 1] trained without an error, away from
    # the minimum or with velocities that grow every step.
    (lambda: O.SGD(lr=-0.1), ValueError, r"SGD\.update: lr must be >= 0, got -0\.1"),
    (lambda: O.AdaGrad(lr=-1), ValueError, r"AdaGrad\.update: lr must be >= 0"),
    (lambda: O.Adam(lr=-1e-3), ValueError, r"Adam\.update: lr must be >= 0"),
    (lambda: O.Momentum(momentum=-3), ValueError,
     r"Momentum\.update: momentum must lie in \[0, 1\], got -3"),
    (lambda: O.Nesterov(momentum=1.5), ValueError, r"Nesterov\.update: momentum must lie in"),
    (lambda: O.RMSprop(lr=-1), ValueError, r"RMSprop\.update: lr must be >= 0"),
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
