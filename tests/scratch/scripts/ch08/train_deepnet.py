# Chapter 8 style: train DeepConvNet with Adam and save its parameters.
# EPOCHS (default 20), TRAIN / TEST sample counts and PARAMS (the file,
# default deep_convnet_params.pkl) shorten or redirect the run.
import os
import sys

sys.path.append(os.pardir)
import numpy as np
from common.trainer import Trainer
from dataset.mnist import load_mnist
from deep_convnet import DeepConvNet

(x_train, t_train), (x_test, t_test) = load_mnist(flatten=False)
if "TRAIN" in os.environ:
    x_train, t_train = x_train[:int(os.environ["TRAIN"])], t_train[:int(os.environ["TRAIN"])]
if "TEST" in os.environ:
    x_test, t_test = x_test[:int(os.environ["TEST"])], t_test[:int(os.environ["TEST"])]

np.random.seed(int(os.environ.get("SEED", 0)))
network = DeepConvNet()
trainer = Trainer(network, x_train, t_train, x_test, t_test,
                  epochs=int(os.environ.get("EPOCHS", 20)), mini_batch_size=100,
                  optimizer="Adam", optimizer_param={"lr": 0.001},
                  evaluate_sample_num_per_epoch=1000)
trainer.train()

network.save_params(os.environ.get("PARAMS", "deep_convnet_params.pkl"))
print("Saved Network Parameters!")
