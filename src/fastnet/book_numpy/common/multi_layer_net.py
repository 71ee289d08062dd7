"""The book's MultiLayerNet in NumPy (float64), from its contract in BOOK_API.md.

Affine → activation blocks, then Affine and SoftmaxWithLoss; the loss adds
0.5·λ·ΣW² and each dW gets λ·W (weight decay).
"""

from collections import OrderedDict

import numpy as np

from .layers import Affine, Relu, Sigmoid, SoftmaxWithLoss

ACTIVATIONS = {"relu": Relu, "sigmoid": Sigmoid}


class MultiLayerNet:
    def __init__(self, input_size, hidden_size_list, output_size, activation="relu",
                 weight_init_std="relu", weight_decay_lambda=0):
        self.hidden_layer_num = len(hidden_size_list)
        self.weight_decay_lambda = weight_decay_lambda
        self.params = {}
        sizes = [input_size, *hidden_size_list, output_size]
        for idx in range(1, len(sizes)):
            scale = weight_init_std
            if str(weight_init_std).lower() in ("relu", "he"):
                scale = np.sqrt(2.0 / sizes[idx - 1])
            elif str(weight_init_std).lower() in ("sigmoid", "xavier"):
                scale = np.sqrt(1.0 / sizes[idx - 1])
            self.params[f"W{idx}"] = scale * np.random.randn(sizes[idx - 1], sizes[idx])
            self.params[f"b{idx}"] = np.zeros(sizes[idx])
        self.layers = OrderedDict()
        for idx in range(1, self.hidden_layer_num + 1):
            self.layers[f"Affine{idx}"] = Affine(self.params[f"W{idx}"], self.params[f"b{idx}"])
            self.layers[f"Activation_function{idx}"] = ACTIVATIONS[activation]()
        idx = self.hidden_layer_num + 1
        self.layers[f"Affine{idx}"] = Affine(self.params[f"W{idx}"], self.params[f"b{idx}"])
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        weight_decay = 0
        for idx in range(1, self.hidden_layer_num + 2):
            weight_decay += 0.5 * self.weight_decay_lambda * np.sum(self.params[f"W{idx}"] ** 2)
        return self.last_layer.forward(self.predict(x), t) + weight_decay

    def accuracy(self, x, t):
        y = np.argmax(self.predict(x), axis=1)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        return np.sum(y == t) / float(x.shape[0])

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        grads = {}
        for idx in range(1, self.hidden_layer_num + 2):
            affine = self.layers[f"Affine{idx}"]
            grads[f"W{idx}"] = affine.dW + self.weight_decay_lambda * affine.W
            grads[f"b{idx}"] = affine.db
        return grads
