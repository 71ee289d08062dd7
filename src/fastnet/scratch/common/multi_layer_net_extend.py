"""The book's common/multi_layer_net_extend.py: MultiLayerNet with Dropout and batch norm.

Each hidden block is Affine{i}, [BatchNorm{i}], Activation_function{i},
[Dropout{i}], with params gamma{i} (ones) and beta{i} (zeros) for batch
norm. `predict(x, train_flg=False)` and `loss(x, t, train_flg=False)` pass
train_flg to the Dropout and BatchNorm layers; `gradient` and
`numerical_gradient` run the loss with train_flg=True, as the book does.
"""

from collections import OrderedDict

import numpy as np

from fastnet.nets import LayeredNet
from fastnet.nets.init import ones, zeros

from .gradient import numerical_gradient
from .layers import BatchNormalization, Dropout
from .multi_layer_net import MultiLayerNet

__all__ = ["np", "OrderedDict", "numerical_gradient", "MultiLayerNetExtend"]


class MultiLayerNetExtend(MultiLayerNet):
    """MultiLayerNetExtend(input_size, hidden_size_list, output_size, activation='relu',
    weight_init_std='relu', weight_decay_lambda=0, use_dropout=False,
    dropout_ration=0.5, use_batchnorm=False).

    `dropout_ration` (sic) is the book's keyword.
    """

    def __init__(self, input_size, hidden_size_list, output_size, activation="relu",
                 weight_init_std="relu", weight_decay_lambda=0, use_dropout=False,
                 dropout_ration=0.5, use_batchnorm=False, **engine_options):
        # Read by _add_hidden_layers while the parent constructor builds layers.
        self.use_dropout = use_dropout
        self.dropout_ration = dropout_ration
        self.use_batchnorm = use_batchnorm
        super().__init__(input_size, hidden_size_list, output_size, activation,
                         weight_init_std, weight_decay_lambda, **engine_options)

    def _add_hidden_layers(self, i, activation):
        numbered = []
        if self.use_batchnorm:
            size = self.hidden_size_list[i - 1]
            dtype = self.params[f"W{i}"].dtype
            self.params[f"gamma{i}"] = ones(size, dtype)
            self.params[f"beta{i}"] = zeros(size, dtype)
            norm = BatchNormalization(self.params[f"gamma{i}"], self.params[f"beta{i}"])
            self.layers[f"BatchNorm{i}"] = norm
            numbered.append((i, norm))
        super()._add_hidden_layers(i, activation)
        if self.use_dropout:
            self.layers[f"Dropout{i}"] = Dropout(self.dropout_ration)
        return numbered

    def predict(self, x, train_flg=False):
        """The scores for x; train_flg goes to the Dropout and BatchNorm layers."""
        return LayeredNet.predict(self, x, train_flg)

    def loss(self, x, t, train_flg=False):
        """Cross-entropy of softmax(predict(x, train_flg)) against t, plus 0.5·λ·ΣW²."""
        return LayeredNet.loss(self, x, t, train_flg)

    def _training_loss(self, x, t):
        # What gradient() and numerical_gradient() differentiate, as in the book.
        return self.loss(x, t, train_flg=True)
