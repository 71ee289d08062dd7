# Chapter 6 style: the same five-layer net trained by four optimizers on MNIST.
# ITERS (default 2000) shortens the run; PLOT=1 draws the smoothed loss curves.
import os
import sys

sys.path.append(os.pardir)
import numpy as np
from common.multi_layer_net import MultiLayerNet
from common.optimizer import SGD, AdaGrad, Adam, Momentum
from common.util import smooth_curve
from dataset.mnist import load_mnist

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True)
train_size = x_train.shape[0]
batch_size = 128
max_iterations = int(os.environ.get("ITERS", 2000))

optimizers = {"SGD": SGD(), "Momentum": Momentum(), "AdaGrad": AdaGrad(), "Adam": Adam()}
networks = {}
train_loss = {}
for key in optimizers:
    networks[key] = MultiLayerNet(input_size=784, hidden_size_list=[100, 100, 100, 100],
                                  output_size=10)
    train_loss[key] = []

for i in range(max_iterations):
    batch_mask = np.random.choice(train_size, batch_size)
    x_batch = x_train[batch_mask]
    t_batch = t_train[batch_mask]
    for key in optimizers:
        grads = networks[key].gradient(x_batch, t_batch)
        optimizers[key].update(networks[key].params, grads)
        train_loss[key].append(networks[key].loss(x_batch, t_batch))

    if i % 100 == 0:
        print("===========" + "iteration:" + str(i) + "===========")
        for key in optimizers:
            print(key + ":" + str(networks[key].loss(x_batch, t_batch)))

for key in optimizers:
    print(key + " smoothed final loss:" + str(smooth_curve(train_loss[key])[-1]))

if os.environ.get("PLOT"):
    import matplotlib.pyplot as plt

    x = np.arange(max_iterations)
    for key in optimizers:
        plt.plot(x, smooth_curve(train_loss[key]), label=key)
    plt.xlabel("iterations")
    plt.ylabel("loss")
    plt.legend()
    plt.show()
