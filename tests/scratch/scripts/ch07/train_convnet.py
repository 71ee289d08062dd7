# Chapter 7 style: train SimpleConvNet with Adam through common.trainer.Trainer.
# EPOCHS (default 20), TRAIN / TEST (sample counts, default all) and
# PARAMS (where to save, default params.pkl) shorten or redirect the run.
import os
import sys

sys.path.append(os.pardir)
import numpy as np
from common.trainer import Trainer
from dataset.mnist import load_mnist
from simple_convnet import SimpleConvNet

(x_train, t_train), (x_test, t_test) = load_mnist(flatten=False)
if "TRAIN" in os.environ:
    x_train, t_train = x_train[:int(os.environ["TRAIN"])], t_train[:int(os.environ["TRAIN"])]
if "TEST" in os.environ:
    x_test, t_test = x_test[:int(os.environ["TEST"])], t_test[:int(os.environ["TEST"])]

np.random.seed(int(os.environ.get("SEED", 0)))
max_epochs = int(os.environ.get("EPOCHS", 20))

network = SimpleConvNet(input_dim=(1, 28, 28),
                        conv_param={"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1},
                        hidden_size=100, output_size=10, weight_init_std=0.01)
trainer = Trainer(network, x_train, t_train, x_test, t_test,
                  epochs=max_epochs, mini_batch_size=100,
                  optimizer="Adam", optimizer_param={"lr": 0.001},
                  evaluate_sample_num_per_epoch=1000)
trainer.train()

network.save_params(os.environ.get("PARAMS", "params.pkl"))
print("Saved Network Parameters!")
