"""The book's common/multi_layer_net_extend.py: MultiLayerNet with Dropout and batch norm.

Each hidden block is Affine{i}, [BatchNorm{i}], Activation_function{i},
[Dropout{i}], with params gamma{i} (ones) and beta{i} (zeros) for batch
norm. `predict(x, train_flg=False)` and `loss(x, t, train_flg=False)` pass
train_flg to the Dropout and BatchNorm layers; `gradient` and
`numerical_gradient` run the loss with train_flg=True, as the book does.
"""

from collections import OrderedDict

import numpy as np

from fastnet.backend import current

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
        # The layers whose forward takes train_flg (the book tests the key).
        self._train_flg_layers = {
            name for name in self.layers if "Dropout" in name or "BatchNorm" in name
        }

    def _add_hidden_layers(self, i, activation):
        if self.use_batchnorm:
            xp = current().xp
            size = self.hidden_size_list[i - 1]
            dtype = self.params[f"W{i}"].dtype
            self.params[f"gamma{i}"] = xp.ones(size, dtype=dtype)
            self.params[f"beta{i}"] = xp.zeros(size, dtype=dtype)
            norm = BatchNormalization(self.params[f"gamma{i}"], self.params[f"beta{i}"])
            self.layers[f"BatchNorm{i}"] = norm
            self._grad_sources += [(f"gamma{i}", norm, "dgamma"), (f"beta{i}", norm, "dbeta")]
        super()._add_hidden_layers(i, activation)
        if self.use_dropout:
            self.layers[f"Dropout{i}"] = Dropout(self.dropout_ration)

    def predict(self, x, train_flg=False):
        for name, layer in self.layers.items():
            if name in self._train_flg_layers:
                x = layer.forward(x, train_flg)
            else:
                x = layer.forward(x)
        return x

    def loss(self, x, t, train_flg=False):
        """Cross-entropy of softmax(predict(x, train_flg)) against t, plus 0.5·λ·ΣW²."""
        y = self.predict(x, train_flg)
        return self.last_layer.forward(y, t) + self._weight_decay()

    def numerical_gradient(self, X, T):
        """Central differences of loss(X, T, train_flg=True), keyed like params."""

        def loss_w(_):
            return self.loss(X, T, train_flg=True)

        return {key: numerical_gradient(loss_w, param) for key, param in self.params.items()}

    def gradient(self, x, t):
        """Backpropagation through loss(x, t, train_flg=True): W, b, gamma, beta."""
        self.loss(x, t, train_flg=True)
        dout = self.last_layer.backward(1)
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)
        lam = self.weight_decay_lambda
        grads = {}
        for key, layer, attr in self._grad_sources:
            grads[key] = getattr(layer, attr)
            if attr == "dW" and lam:
                grads[key] = grads[key] + lam * self.params[key]
        return grads
