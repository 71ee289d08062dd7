# Chapter 4 style: the gradient of a one-layer net's loss by central differences.
import os
import sys

sys.path.append(os.pardir)
import numpy as np
from common.functions import cross_entropy_error, softmax
from common.gradient import numerical_gradient


class simpleNet:
    def __init__(self):
        self.W = np.random.randn(2, 3)

    def predict(self, x):
        return np.dot(x, self.W)

    def loss(self, x, t):
        z = self.predict(x)
        y = softmax(z)
        return cross_entropy_error(y, t)


np.random.seed(int(os.environ.get("SEED", 0)))
x = np.array([0.6, 0.9])
t = np.array([0, 0, 1])  # an integer one-hot label, for a 1-D prediction

net = simpleNet()
f = lambda w: net.loss(x, t)  # noqa: E731 (the book's style)
dW = numerical_gradient(f, net.W)
print(net.W)
print(dW)
