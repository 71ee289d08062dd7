# Chapter 6 style: the same deep net with and without batch normalization.
# ITERS (default 1000) shortens the run.
import os
import sys

sys.path.append(os.pardir)
import numpy as np
from common.multi_layer_net_extend import MultiLayerNetExtend
from common.optimizer import SGD
from dataset.mnist import load_mnist

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True)
x_train = x_train[:1000]
t_train = t_train[:1000]

max_iterations = int(os.environ.get("ITERS", 1000))
train_size = x_train.shape[0]
batch_size = 100
learning_rate = 0.01


def train(weight_init_std):
    bn_network = MultiLayerNetExtend(input_size=784, hidden_size_list=[100, 100, 100, 100, 100],
                                     output_size=10, weight_init_std=weight_init_std,
                                     use_batchnorm=True)
    network = MultiLayerNetExtend(input_size=784, hidden_size_list=[100, 100, 100, 100, 100],
                                  output_size=10, weight_init_std=weight_init_std)
    optimizer = SGD(lr=learning_rate)
    train_acc_list = []
    bn_train_acc_list = []
    iter_per_epoch = max(train_size / batch_size, 1)
    for i in range(max_iterations):
        batch_mask = np.random.choice(train_size, batch_size)
        x_batch = x_train[batch_mask]
        t_batch = t_train[batch_mask]
        for _network in (bn_network, network):
            grads = _network.gradient(x_batch, t_batch)
            optimizer.update(_network.params, grads)
        if i % iter_per_epoch == 0:
            train_acc = network.accuracy(x_train, t_train)
            bn_train_acc = bn_network.accuracy(x_train, t_train)
            train_acc_list.append(train_acc)
            bn_train_acc_list.append(bn_train_acc)
            print("epoch:" + str(len(train_acc_list)) + " | " + str(train_acc)
                  + " - " + str(bn_train_acc))
    return train_acc_list, bn_train_acc_list


weight_scale_list = np.logspace(0, -4, num=int(os.environ.get("SCALES", 4)))
for i, w in enumerate(weight_scale_list):
    print("============== " + str(i + 1) + "/" + str(len(weight_scale_list)) + " ==============")
    train_acc_list, bn_train_acc_list = train(w)
