"""The book's common/multi_layer_net.py: MultiLayerNet with the book's layer list.

fastnet.nets.MultiLayerNet fuses each activation into the Affine before it;
this one keeps the book's separate layers, because scripts index them by
name: `layers` is Affine1, Activation_function1, ..., Affine{L+1}, and
`last_layer` is SoftmaxWithLoss. Initialisation (NumPy's global randn),
params names, predict / loss / accuracy / numerical_gradient / gradient
(with weight decay) are fastnet's; only the layer list is built here.
"""

from collections import OrderedDict

import numpy as np

from fastnet import nets as _nets
from fastnet.layers import Tanh

from .gradient import numerical_gradient
from .layers import Affine, Relu, Sigmoid, SoftmaxWithLoss

__all__ = ["np", "OrderedDict", "numerical_gradient", "MultiLayerNet"]

# The book offers 'relu' and 'sigmoid'; fastnet's Tanh comes along.
ACTIVATION_LAYERS = {"relu": Relu, "sigmoid": Sigmoid, "tanh": Tanh}


class MultiLayerNet(_nets.MultiLayerNet):
    """Fully connected net: (Affine, activation) × len(hidden_size_list), Affine, softmax.

    MultiLayerNet(input_size, hidden_size_list, output_size, activation='relu',
    weight_init_std='relu', weight_decay_lambda=0): params W1, b1, ...,
    W{L+1}, b{L+1}; weight_init_std a number, or 'relu'/'he' → √(2/fan_in),
    'sigmoid'/'xavier' → √(1/fan_in). loss adds 0.5·λ·ΣW², gradient λ·W.
    """

    def __init__(self, input_size, hidden_size_list, output_size, activation="relu",
                 weight_init_std="relu", weight_decay_lambda=0, **engine_options):
        super().__init__(input_size, hidden_size_list, output_size, activation,
                         weight_init_std, weight_decay_lambda, **engine_options)

    def _build_layers(self, n_affine, activation):
        # Called by fastnet's constructor once params exist: the book's list.
        self.layers = OrderedDict()
        numbered = []  # (i, layer holding W{i}/b{i} or gamma{i}/beta{i})
        for i in range(1, n_affine + 1):
            affine = Affine(self.params[f"W{i}"], self.params[f"b{i}"])
            self.layers[f"Affine{i}"] = affine
            numbered.append((i, affine))
            if i < n_affine:
                numbered += self._add_hidden_layers(i, activation)
        self.last_layer = SoftmaxWithLoss()
        self._grad_sources = self._sources(numbered)  # fastnet's gradient() reads these

    def _add_hidden_layers(self, i, activation):
        """Add the layers after Affine{i}; returns the (i, layer) with parameters among them."""
        self.layers[f"Activation_function{i}"] = ACTIVATION_LAYERS[activation]()
        return []

    # The book's signatures: no train_flg here (MultiLayerNetExtend has one).
    def predict(self, x):
        """The scores for x, through every layer in order."""
        return super().predict(x)

    def loss(self, x, t):
        """Cross-entropy of softmax(predict(x)) against t, plus 0.5·λ·ΣW²."""
        return self.last_layer.forward(self.predict(x), t) + self._decay()

    # The book's file name and format (pickle); fastnet.nets defaults to .npz.
    def save_params(self, file_name="params.pkl"):
        """Pickle the params dict, as the book does (an .npz for a name that is not .pkl)."""
        super().save_params(file_name)

    def load_params(self, file_name="params.pkl"):
        """Load the book's params.pkl (or fastnet's .npz) in place; pickles admit arrays only.

        A crafted pickle cannot run code here: anything but NumPy arrays is
        refused with a ValueError (fastnet/readers/safe_pickle.py).
        """
        super().load_params(file_name)
