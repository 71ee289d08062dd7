"""The book's fully connected networks: TwoLayerNet, MultiLayerNet, MultiLayerNetExtend.

Same constructor arguments, `params` names (W1, b1, W2, b2, ...), weight
initialisation (NumPy's global `np.random.randn`, so `np.random.seed`
reproduces the book's numbers) and methods (predict, loss, accuracy,
numerical_gradient, gradient) as the book. Two differences, both for speed:

- Each hidden activation is FUSED into the Affine layer before it:
  `layers` is Affine1, Affine2, ... where Affine1 = Affine(W1, b1,
  activation="relu") computes relu(x·W1 + b1) in one GEMM call. The book's
  separate Relu1 / Activation_function1 layers do not appear here (the
  book-compatible namespace keeps the book's exact layer list).
- The first Affine skips its input gradient (`need_input_grad = False`):
  nothing uses the gradient with respect to the data.

`dtype=np.float32` gives float32 parameters, the fast path; float32 input
with float64 parameters computes in float64 (NumPy's rule).

`save_params()` writes params.npz (arrays + JSON, no pickle); a .pkl name
writes the book's pickle. `load_params` reads both, and the book's
params.pkl, admitting nothing but NumPy arrays from a pickle (files.py).
"""

from collections import OrderedDict

import numpy as np

from ..backend import current
from ..layers import Affine, BatchNormalization, Dropout, Relu, Sigmoid, SoftmaxWithLoss, Tanh
from . import args
from .base import LayeredNet
from .init import init_weight, mlp_params, ones, zeros

__all__ = ["TwoLayerNet", "MultiLayerNet", "MultiLayerNetExtend"]

HIDDEN_ACTIVATIONS = ("relu", "sigmoid", "tanh")


class _AffineNet(LayeredNet):
    """What both networks share: a chain of Affine layers and a loss layer.

    Subclasses fill `params` and `weight_decay_lambda` and call
    `_build_layers`; predict, gradient and numerical_gradient come from
    LayeredNet and follow the book's.
    """

    def _build_layers(self, n_affine, activation):
        self.layers = OrderedDict()
        for i in range(1, n_affine + 1):
            act = activation if i < n_affine else "identity"
            self.layers[f"Affine{i}"] = Affine(self.params[f"W{i}"], self.params[f"b{i}"], act)
        self.layers["Affine1"].need_input_grad = False
        self.last_layer = SoftmaxWithLoss()
        # (param name, layer, gradient attribute), built once so that
        # gradient() formats no names per call.
        self._grad_sources = self._sources(
            [(i, self.layers[f"Affine{i}"]) for i in range(1, n_affine + 1)])

    def loss(self, x, t):
        """Cross-entropy of softmax(predict(x)) against t, plus 0.5·λ·ΣW²."""
        return super().loss(x, t, train_flg=False)

    def _training_loss(self, x, t):
        return self.loss(x, t)

    def accuracy(self, x, t):
        """Fraction of rows whose largest score is the label (t one-hot or labels)."""
        t = args.accuracy_inputs(current(), x, t)
        y = self.predict(x).argmax(axis=1)
        return float((y == t).sum()) / float(x.shape[0])


class TwoLayerNet(_AffineNet):
    """Affine1 (fused ReLU) - Affine2 - SoftmaxWithLoss (the book's chapter 5).

    Weights: weight_init_std · randn; biases zero. activation="sigmoid" gives
    chapter 4's network (same params, same draws; its hand-written backprop
    is what `gradient` computes; fastnet.scratch.ch04 has its predict, which
    returns probabilities).
    """

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01,
                 *, activation="relu", dtype=np.float64):
        args.sizes("TwoLayerNet", input_size=input_size, hidden_size=hidden_size,
                   output_size=output_size)
        args.weight_std(weight_init_std, "TwoLayerNet")
        if activation not in HIDDEN_ACTIVATIONS:
            raise ValueError(
                f"TwoLayerNet: activation must be one of {HIDDEN_ACTIVATIONS}, got {activation!r}"
            )
        self.params = {}
        self.params["W1"] = init_weight(weight_init_std, (input_size, hidden_size), dtype)
        self.params["b1"] = zeros(hidden_size, dtype)
        self.params["W2"] = init_weight(weight_init_std, (hidden_size, output_size), dtype)
        self.params["b2"] = zeros(output_size, dtype)
        self._build_layers(2, activation)


class MultiLayerNet(_AffineNet):
    """Fully connected net: (Affine + activation) × len(hidden_size_list), Affine, softmax.

    activation: 'relu' or 'sigmoid' (or 'tanh'), fused into each hidden Affine.
    weight_init_std: a number, or 'relu'/'he' → √(2/fan_in),
    'sigmoid'/'tanh'/'xavier' → √(1/fan_in). weight_decay_lambda: λ of the L2
    penalty 0.5·λ·ΣW² added to the loss (and λ·W to each dW).
    """

    def __init__(self, input_size, hidden_size_list, output_size, activation="relu",
                 weight_init_std="relu", weight_decay_lambda=0, *, dtype=np.float64):
        where = "MultiLayerNet"
        if activation not in HIDDEN_ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {HIDDEN_ACTIVATIONS}, got {activation!r}"
            )
        args.sizes(where, input_size=input_size, output_size=output_size)
        self.input_size = input_size
        self.output_size = output_size
        self.hidden_size_list = args.hidden_sizes(hidden_size_list, where)
        self.hidden_layer_num = len(self.hidden_size_list)
        self.weight_decay_lambda = args.decay(weight_decay_lambda, where)
        sizes = [input_size] + self.hidden_size_list + [output_size]
        self.params = mlp_params(sizes, weight_init_std, dtype)
        self._build_layers(len(sizes) - 1, activation)



_ACTIVATION_LAYERS = {"relu": Relu, "sigmoid": Sigmoid, "tanh": Tanh}


class MultiLayerNetExtend(LayeredNet):
    """The book's chapter 6 MLP with optional batch norm and dropout.

    Same signature as the book, including its keyword spelling
    `dropout_ration`, plus `dtype=`. Each hidden block is Affine{i},
    BatchNorm{i} (params gamma{i}, beta{i}), Activation_function{i},
    Dropout{i} (the last two only when used). Without batch norm the
    activation is FUSED into Affine{i} (one GEMM call) and there is no
    Activation_function{i} entry. predict(x, train_flg=False) and loss(x, t,
    train_flg=False) as in the book; gradient(x, t) runs in training mode and
    returns W, b (and gamma, beta) grads.
    """

    def __init__(self, input_size, hidden_size_list, output_size, activation="relu",
                 weight_init_std="relu", weight_decay_lambda=0, use_dropout=False,
                 dropout_ration=0.5, use_batchnorm=False, *, dtype=np.float64):
        where = "MultiLayerNetExtend"
        if activation not in _ACTIVATION_LAYERS:
            raise ValueError(
                f"activation must be one of {tuple(_ACTIVATION_LAYERS)}, got {activation!r}")
        args.sizes(where, input_size=input_size, output_size=output_size)
        self.input_size = input_size
        self.output_size = output_size
        self.hidden_size_list = args.hidden_sizes(hidden_size_list, where)
        self.hidden_layer_num = len(self.hidden_size_list)
        self.use_dropout = use_dropout
        self.weight_decay_lambda = args.decay(weight_decay_lambda, where)
        self.use_batchnorm = use_batchnorm
        sizes = [input_size] + self.hidden_size_list + [output_size]
        self.params = mlp_params(sizes, weight_init_std, dtype)

        self.layers = OrderedDict()
        numbered = []
        for i in range(1, self.hidden_layer_num + 1):
            fused = "identity" if use_batchnorm else activation
            affine = Affine(self.params[f"W{i}"], self.params[f"b{i}"], fused)
            self.layers[f"Affine{i}"] = affine
            numbered.append((i, affine))
            if use_batchnorm:
                self.params[f"gamma{i}"] = ones(sizes[i], dtype)
                self.params[f"beta{i}"] = zeros(sizes[i], dtype)
                bn = BatchNormalization(self.params[f"gamma{i}"], self.params[f"beta{i}"])
                self.layers[f"BatchNorm{i}"] = bn
                numbered.append((i, bn))
                self.layers[f"Activation_function{i}"] = _ACTIVATION_LAYERS[activation]()
            if use_dropout:
                self.layers[f"Dropout{i}"] = Dropout(dropout_ration)
        last = self.hidden_layer_num + 1
        affine = Affine(self.params[f"W{last}"], self.params[f"b{last}"])
        self.layers[f"Affine{last}"] = affine
        numbered.append((last, affine))
        self.layers["Affine1"].need_input_grad = False
        self.last_layer = SoftmaxWithLoss()
        self._grad_sources = self._sources(numbered)

    def loss(self, x, t, train_flg=False):
        """Cross-entropy of softmax(predict(x, train_flg)) against t, plus 0.5·λ·ΣW²."""
        return super().loss(x, t, train_flg)

    def accuracy(self, x, t):
        """Fraction of rows whose top score is the label (t one-hot or labels), in one batch."""
        return super().accuracy(x, t, batch_size=max(getattr(x, "shape", (1,))[0], 1))
