# Chapter 5 style: backpropagation against numerical gradients on a few images.
import os
import sys

sys.path.append(os.pardir)
import numpy as np
from dataset.mnist import load_mnist
from two_layer_net import TwoLayerNet

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)
# A fixed draw: with an unlucky one, a ReLU input within h = 1e-4 of its kink
# makes the central difference itself wrong by ~1e-5 (seen once in CI).
np.random.seed(0)
network = TwoLayerNet(input_size=784, hidden_size=10, output_size=10)

x_batch = x_train[:3]
t_batch = t_train[:3]
grad_numerical = network.numerical_gradient(x_batch, t_batch)
grad_backprop = network.gradient(x_batch, t_batch)

for key in grad_numerical:
    diff = np.average(np.abs(grad_backprop[key] - grad_numerical[key]))
    print(key + ":" + str(diff))
