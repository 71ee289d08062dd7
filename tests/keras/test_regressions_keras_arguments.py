"""Regressions from issue 10 (items 9, 11, 14) and the audit of fastnet.keras:
the arguments of layers, optimizers, regularizers, initializers, callbacks,
utils and compile.

Each test failed on the code before its fix: arguments accepted unchecked or
silently ignored, updates lost on variables that were copies.
"""

import numpy as np
import pytest
from _keras_cases import small_model

from fastnet.keras import (
    Input,
    callbacks,
    initializers,
    layers,
    models,
    optimizers,
    regularizers,
    utils,
)


@pytest.fixture(autouse=True)
def _seed():
    utils.set_random_seed(0)


@pytest.mark.parametrize("make, error, match", [
    (lambda: layers.Conv2D(0, 3), ValueError, "filters must be a positive integer, got 0"),
    (lambda: layers.Conv2D(2, 0), ValueError, "kernel_size must be a positive integer"),
    (lambda: layers.Conv2D(2, 3, strides=0), ValueError, "strides must be a positive integer"),
    (lambda: layers.MaxPooling2D(0), ValueError, "pool_size must be a positive integer"),
    (lambda: layers.MaxPooling2D(2, strides=0), ValueError, "strides must be a positive"),
    (lambda: layers.Dense(2.5), TypeError, "units must be an integer, got 2.5"),
    (lambda: layers.Dense(True), TypeError, "units must be an integer, got True"),
    (lambda: layers.Dropout("a"), TypeError, "rate must be a number"),
    (lambda: layers.Dense(2, input_shape=4), TypeError, "input_shape must be a tuple"),
    (lambda: layers.Dense(2, input_shape=(0,)), ValueError, "must be a positive integer, got 0"),
    (lambda: layers.Dense(2, input_shape=(-1,)), ValueError, "positive integer, got -1"),
    (lambda: Input(shape=(None, 3)), ValueError, "None"),
    (lambda: layers.Dense(2, trainable="no"), TypeError, "trainable must be True or False"),
])
def test_layer_arguments_are_checked_in_the_constructor(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_a_pool_larger_than_the_image_is_refused_when_the_model_is_built():
    with pytest.raises(ValueError, match=r"pool_size \(16, 16\) is larger than the input"):
        models.Sequential([layers.MaxPooling2D(16, input_shape=(8, 8, 1))])


@pytest.mark.parametrize("make, match", [
    (lambda: optimizers.SGD(float("nan")), "learning_rate must be a finite number"),
    (lambda: optimizers.Adam(learning_rate=float("inf")), "learning_rate must be a finite"),
    (lambda: optimizers.RMSprop(-0.1), "learning_rate must be a finite number >= 0"),
    (lambda: optimizers.RMSprop(rho=2), r"rho must be in \[0.0, 1.0\]"),
    (lambda: optimizers.RMSprop(epsilon=0), "epsilon must be a finite number > 0"),
    (lambda: optimizers.Adam(beta_1=1.0), r"beta_1 must be in \[0.0, 1.0\)"),
    (lambda: optimizers.Adagrad(initial_accumulator_value=-1), "initial_accumulator_value"),
])
def test_optimizer_hyperparameters_are_checked(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_learning_rate_set_later_is_checked_too():
    opt = optimizers.SGD()
    with pytest.raises(ValueError, match="learning_rate"):
        opt.learning_rate = float("nan")


def test_apply_takes_keras_argument_order_gradients_first():
    w, g = np.ones(3), np.full(3, 2.0)
    optimizers.SGD(0.5).apply([g], [w])
    np.testing.assert_array_equal(w, 0.0)
    np.testing.assert_array_equal(g, 2.0)


@pytest.mark.parametrize("grads, variables", [
    ([[1.0, 1.0]], [[1.0, 2.0]]),              # a list is copied: the update would be lost
    (np.ones(2), np.ones(2)),                  # iterated number by number
])
def test_optimizer_refuses_variables_it_cannot_update_in_place(grads, variables):
    with pytest.raises(TypeError, match="must be a list of arrays|float array"):
        optimizers.SGD(0.1).apply(grads, variables)


def test_optimizer_refuses_other_variables_than_its_state_was_made_for():
    opt = optimizers.RMSprop()
    w1, w2 = np.ones(3), np.ones((2, 2))
    opt.apply([np.ones(3), np.ones((2, 2))], [w1, w2])
    with pytest.raises(ValueError, match="first applied to variables of shapes"):
        opt.apply([np.ones(3)], [w1])


@pytest.mark.parametrize("make, error, match", [
    (lambda: regularizers.l2(-0.1), ValueError, "l2 must be a finite number >= 0"),
    (lambda: regularizers.get({"l3": 1}), ValueError, "'l1' and 'l2' only"),
    (lambda: initializers.RandomNormal(stddev=-1), ValueError, "stddev"),
    (lambda: initializers.VarianceScaling(scale=0), ValueError, "scale"),
    (lambda: callbacks.EarlyStopping(patience=-1), ValueError, "patience"),
    (lambda: utils.to_categorical([], num_classes=-1), ValueError, "num_classes must be"),
    (lambda: utils.to_categorical([0, 1], num_classes=2.5), TypeError, "num_classes"),
    (lambda: utils.to_categorical([0, 1], num_classes=True), TypeError, "num_classes"),
    (lambda: utils.to_categorical([0.0, 1e30]), ValueError, "too large"),
])
def test_other_keras_arguments_are_checked(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_compile_refuses_what_it_would_silently_ignore():
    model = small_model()
    with pytest.raises(NotImplementedError, match="weighted_metrics"):
        model.compile("sgd", "mse", weighted_metrics=["mae"])
    with pytest.raises(TypeError, match="metrics must be a list"):
        model.compile("sgd", "mse", metrics=3)
