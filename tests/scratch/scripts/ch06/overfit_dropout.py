# Chapter 6 style: dropout against overfitting, trained by common.trainer.Trainer.
# EPOCHS (default 301) and TRAIN (default 300 samples) shorten the run.
import os
import sys

sys.path.append(os.pardir)
import numpy as np
from common.multi_layer_net_extend import MultiLayerNetExtend
from common.trainer import Trainer
from dataset.mnist import load_mnist

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True)
x_train = x_train[:int(os.environ.get("TRAIN", 300))]
t_train = t_train[:int(os.environ.get("TRAIN", 300))]

use_dropout = True
dropout_ratio = 0.2
network = MultiLayerNetExtend(input_size=784, hidden_size_list=[100, 100, 100, 100, 100, 100],
                              output_size=10, use_dropout=use_dropout,
                              dropout_ration=dropout_ratio)
trainer = Trainer(network, x_train, t_train, x_test, t_test,
                  epochs=int(os.environ.get("EPOCHS", 301)), mini_batch_size=100,
                  optimizer="sgd", optimizer_param={"lr": 0.01}, verbose=True)
trainer.train()

print("train acc list", np.round(trainer.train_acc_list, 3))
print("test acc list", np.round(trainer.test_acc_list, 3))
