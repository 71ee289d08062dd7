"""Keras optimizers follow Keras 3's update rules, written out here in NumPy.

The expected values are computed from the rules as Keras 3 documents and
implements them (keras/src/optimizers/*.py, update_step), independently of
fastnet's kernels, over several steps and on every backend.
"""

import math

import numpy as np
import pytest

import fastnet
from fastnet.keras import optimizers


def _keras_sgd(p, g, state, t, lr=0.01, momentum=0.0, nesterov=False):
    if not momentum:
        return p - lr * g
    m = state.setdefault("m", np.zeros_like(p))
    m[...] = m * momentum - lr * g
    return p + (m * momentum - lr * g if nesterov else m)


def _keras_rmsprop(p, g, state, t, lr=0.001, rho=0.9, epsilon=1e-7, momentum=0.0,
                   centered=False):
    v = state.setdefault("v", np.zeros_like(p))
    v[...] = rho * v + (1 - rho) * g * g
    denominator = v + epsilon
    if centered:
        a = state.setdefault("a", np.zeros_like(p))
        a[...] = rho * a + (1 - rho) * g
        denominator = v - a * a + epsilon
    increment = lr * g / np.sqrt(denominator)
    if momentum:
        m = state.setdefault("m", np.zeros_like(p))
        m[...] = momentum * m + increment
        increment = m
    return p - increment


def _keras_adagrad(p, g, state, t, lr=0.001, initial=0.1, epsilon=1e-7):
    a = state.setdefault("a", np.full_like(p, initial))
    a += g * g
    return p - lr * g / np.sqrt(a + epsilon)


def _keras_adam(p, g, state, t, lr=0.001, b1=0.9, b2=0.999, epsilon=1e-7, amsgrad=False):
    m = state.setdefault("m", np.zeros_like(p))
    v = state.setdefault("v", np.zeros_like(p))
    alpha = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
    m += (g - m) * (1 - b1)
    v += (g * g - v) * (1 - b2)
    if amsgrad:
        v_hat = state.setdefault("v_hat", np.zeros_like(p))
        v_hat[...] = np.maximum(v_hat, v)
        return p - m * alpha / (np.sqrt(v_hat) + epsilon)
    return p - m * alpha / (np.sqrt(v) + epsilon)


def _keras2(make):
    """An optimizer made with Keras 2's lr=: accepted, with its DeprecationWarning."""
    with pytest.warns(DeprecationWarning, match="learning_rate="):
        return make()


CASES = [
    ("sgd", lambda: optimizers.SGD(), _keras_sgd, {}),
    ("sgd-lr", lambda: optimizers.SGD(learning_rate=0.1), _keras_sgd, {"lr": 0.1}),
    ("momentum", lambda: optimizers.SGD(0.05, momentum=0.9), _keras_sgd,
     {"lr": 0.05, "momentum": 0.9}),
    ("nesterov", lambda: optimizers.SGD(0.05, momentum=0.8, nesterov=True), _keras_sgd,
     {"lr": 0.05, "momentum": 0.8, "nesterov": True}),
    ("rmsprop", lambda: optimizers.RMSprop(), _keras_rmsprop, {}),
    ("rmsprop-legacy-lr", lambda: _keras2(lambda: optimizers.RMSprop(lr=0.01, rho=0.8)),
     _keras_rmsprop,
     {"lr": 0.01, "rho": 0.8}),
    ("rmsprop-momentum", lambda: optimizers.RMSprop(0.01, momentum=0.9), _keras_rmsprop,
     {"lr": 0.01, "momentum": 0.9}),
    ("rmsprop-centered", lambda: optimizers.RMSprop(0.01, centered=True), _keras_rmsprop,
     {"lr": 0.01, "centered": True}),
    ("rmsprop-both", lambda: optimizers.RMSprop(0.01, rho=0.8, momentum=0.5, centered=True),
     _keras_rmsprop, {"lr": 0.01, "rho": 0.8, "momentum": 0.5, "centered": True}),
    ("adagrad", lambda: optimizers.Adagrad(), _keras_adagrad, {}),
    ("adagrad-args", lambda: optimizers.Adagrad(0.1, initial_accumulator_value=0.5),
     _keras_adagrad, {"lr": 0.1, "initial": 0.5}),
    ("adam", lambda: optimizers.Adam(), _keras_adam, {}),
    ("adam-args", lambda: optimizers.Adam(learning_rate=0.01, beta_1=0.8, beta_2=0.99),
     _keras_adam, {"lr": 0.01, "b1": 0.8, "b2": 0.99}),
    ("adam-amsgrad", lambda: optimizers.Adam(0.01, amsgrad=True), _keras_adam,
     {"lr": 0.01, "amsgrad": True}),
]


@pytest.mark.parametrize("make, rule, hyper", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_steps_follow_keras_rule(backend, make, rule, hyper):
    fastnet.set_backend(backend.name)
    rng = np.random.default_rng(0)
    opt = make()
    params = [rng.standard_normal((7, 5)), rng.standard_normal(5)]
    expected = [p.copy() for p in params]
    states = [{}, {}]
    for t in range(1, 5):
        grads = [rng.standard_normal(p.shape) for p in params]
        opt.apply(grads, params)  # Keras 3 order: gradients first
        expected = [rule(e, g, s, t, **hyper) for e, g, s in zip(expected, grads, states)]
        for got, want in zip(params, expected):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
    assert opt.iterations == 4


def test_float32_weights_are_updated_in_place():
    w = np.ones((3, 2), np.float32)
    alias = w
    optimizers.get("rmsprop").apply([np.full((3, 2), 0.5, np.float32)], [w])
    assert alias is w and w.dtype == np.float32 and np.all(w < 1)


@pytest.mark.parametrize("name, cls", [("sgd", optimizers.SGD), ("RMSprop", optimizers.RMSprop),
                                       ("adam", optimizers.Adam), ("adagrad", optimizers.Adagrad)])
def test_string_names_give_keras_defaults(name, cls):
    opt = optimizers.get(name)
    assert type(opt) is cls
    assert opt.learning_rate == (0.01 if cls is optimizers.SGD else 0.001)


def test_keras_defaults():
    assert optimizers.RMSprop().rho == 0.9 and optimizers.RMSprop().epsilon == 1e-7
    assert optimizers.Adagrad().initial_accumulator_value == 0.1
    adam = optimizers.Adam()
    assert (adam.beta_1, adam.beta_2, adam.epsilon) == (0.9, 0.999, 1e-7)


def test_unknown_and_unsupported_options_are_refused():
    with pytest.raises(ValueError, match="unknown optimizer"):
        optimizers.get("adadelta")
    with pytest.raises(TypeError, match="centered"):
        optimizers.RMSprop(centered="yes")
    with pytest.raises(ValueError, match="momentum"):
        optimizers.RMSprop(momentum=-0.1)
    with pytest.raises(NotImplementedError, match="epsilon"):
        optimizers.Adam(epsilon=1e-3)
    with pytest.raises(TypeError, match="bogus"):
        optimizers.SGD(bogus=1)
    with pytest.raises(ValueError, match="momentum"):
        optimizers.SGD(momentum=2.0)


def _two_steps(opt, grads):
    w = np.array([1.0])
    for g in grads:
        opt.apply([np.array([g])], [w])
    return float(w[0])


def test_rmsprop_centered_momentum_by_hand():
    # lr 0.1, rho 0.5, momentum 0.5, g = 2 twice:
    # step 1: h = 2, a = 1, step = 0.1·2/√(2 - 1) = 0.2, m = 0.2, p = 0.8
    # step 2: h = 3, a = 1.5, step = 0.2/√0.75, m = 0.1 + step, p = 0.8 - m
    opt = optimizers.RMSprop(0.1, rho=0.5, momentum=0.5, centered=True, epsilon=1e-12)
    assert _two_steps(opt, [2.0, 2.0]) == pytest.approx(0.8 - (0.1 + 0.2 / math.sqrt(0.75)))


def test_adam_amsgrad_by_hand():
    # lr 0.1, β1 = β2 = 0.5, g = 2 then 0. Step 1: m = 1, v = 2, α = 0.1·√0.5/0.5,
    # p = 1 - α/√2 = 0.9. Step 2: m = 0.5, v = 1 but v_max stays 2,
    # α = 0.1·√0.75/0.75: p = 0.9 - α·0.5/√2 (plain Adam would divide by √1).
    alpha = 0.1 * math.sqrt(0.75) / 0.75
    amsgrad = optimizers.Adam(0.1, beta_1=0.5, beta_2=0.5, amsgrad=True)
    plain = optimizers.Adam(0.1, beta_1=0.5, beta_2=0.5)
    assert _two_steps(amsgrad, [2.0, 0.0]) == pytest.approx(0.9 - alpha * 0.5 / math.sqrt(2))
    assert _two_steps(plain, [2.0, 0.0]) == pytest.approx(0.9 - alpha * 0.5)
