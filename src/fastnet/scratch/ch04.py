"""Chapter 4's two-layer network, on fastnet: `from fastnet.scratch.ch04 import TwoLayerNet`.

The book's ch04/two_layer_net.py builds it from `common.functions`: sigmoid
hidden layer, softmax output, `numerical_gradient` by the book's loop (two
full losses per parameter: hours for a training run), and `gradient` by
the chapter's hand-written backprop. This class has the same constructor,
params (W1, b1, W2, b2, drawn from np.random like the book's) and methods;
its `numerical_gradient` returns the same central differences, computed by
fastnet.numgrad in milliseconds.

A chapter 4 script that does `from two_layer_net import TwoLayerNet` gets
the book's own file from its folder (with `fastnet run` too, where its
`common` imports are fastnet's); changing that one line to

    from fastnet.scratch.ch04 import TwoLayerNet

gives this one.
"""

import numpy as np

from fastnet import nets as _nets
from fastnet.nets import LayeredNet

from .common.functions import softmax

__all__ = ["TwoLayerNet"]


class TwoLayerNet(_nets.TwoLayerNet):
    """x → sigmoid(x·W1 + b1) → softmax(·W2 + b2); the loss is the cross-entropy.

    predict returns the probabilities, as the book's chapter 4 net does
    (fastnet.nets.TwoLayerNet's returns the scores).
    """

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01, *,
                 dtype=np.float64):
        super().__init__(input_size, hidden_size, output_size, weight_init_std,
                         activation="sigmoid", dtype=dtype)

    def predict(self, x):
        """softmax of the scores: each row's class probabilities."""
        return softmax(LayeredNet.predict(self, x))

    def loss(self, x, t):
        """cross_entropy_error(predict(x), t), computed from the scores in one pass."""
        return self.last_layer.forward(LayeredNet.predict(self, x), t)
