"""Chapter 4's TwoLayerNet in plain NumPy (sigmoid, softmax, the book's numerical loop)."""

import numpy as np

from .common.functions import cross_entropy_error, sigmoid, softmax
from .common.gradient import numerical_gradient


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        self.params = {
            "W1": weight_init_std * np.random.randn(input_size, hidden_size),
            "b1": np.zeros(hidden_size),
            "W2": weight_init_std * np.random.randn(hidden_size, output_size),
            "b2": np.zeros(output_size),
        }

    def predict(self, x):
        p = self.params
        return softmax(np.dot(sigmoid(np.dot(x, p["W1"]) + p["b1"]), p["W2"]) + p["b2"])

    def loss(self, x, t):
        return cross_entropy_error(self.predict(x), t)

    def numerical_gradient(self, x, t):
        def loss_w(_):
            return self.loss(x, t)

        return {key: numerical_gradient(loss_w, p) for key, p in self.params.items()}
