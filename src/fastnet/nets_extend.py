"""The book's MultiLayerNetExtend (chapter 6): an MLP with optional batch norm and dropout.

Same signature as the book, including its keyword spelling `dropout_ration`,
plus `dtype=`. Each hidden block is Affine{i}, BatchNorm{i} (params gamma{i},
beta{i}), Activation_function{i}, Dropout{i} (the last two only when used).
Without batch norm the activation is FUSED into Affine{i} (one GEMM call)
and there is no Activation_function{i} entry.
"""

from collections import OrderedDict

import numpy as np

from ._net_init import mlp_params, ones, zeros
from ._netbase import LayeredNet
from .layers import Affine, BatchNormalization, Dropout, Relu, Sigmoid, SoftmaxWithLoss, Tanh

__all__ = ["MultiLayerNetExtend"]

_ACTIVATION_LAYERS = {"relu": Relu, "sigmoid": Sigmoid, "tanh": Tanh}


class MultiLayerNetExtend(LayeredNet):
    """predict(x, train_flg=False) and loss(x, t, train_flg=False) as in the book;
    gradient(x, t) runs in training mode and returns W, b (and gamma, beta) grads."""

    def __init__(self, input_size, hidden_size_list, output_size, activation="relu",
                 weight_init_std="relu", weight_decay_lambda=0, use_dropout=False,
                 dropout_ration=0.5, use_batchnorm=False, *, dtype=np.float64):
        if activation not in _ACTIVATION_LAYERS:
            raise ValueError(
                f"activation must be one of {tuple(_ACTIVATION_LAYERS)}, got {activation!r}")
        self.input_size = input_size
        self.output_size = output_size
        self.hidden_size_list = list(hidden_size_list)
        self.hidden_layer_num = len(self.hidden_size_list)
        self.use_dropout = use_dropout
        self.weight_decay_lambda = weight_decay_lambda
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
        return super().accuracy(x, t, batch_size=max(x.shape[0], 1))
