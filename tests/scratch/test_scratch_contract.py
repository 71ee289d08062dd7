"""fastnet.scratch against docs/BOOK_API.md (the book's contract), name by name.

Signatures and defaults, and what `from ... import *` gives a book script.
What the names do, against the book's formulas written in NumPy:
test_scratch_functions.py (functions, gradient, util), test_scratch_layers.py,
test_scratch_nets.py (MultiLayerNet, MultiLayerNetExtend),
test_scratch_training.py (optimizers, Trainer, load_mnist). Layer gradients are
in test_scratch_gradients.py, the runner and the scripts in test_scratch_runner.py.
"""

import inspect

import numpy as np
import pytest

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
