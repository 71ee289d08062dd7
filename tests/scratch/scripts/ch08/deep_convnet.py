# Chapter 8 style: a VGG-like net, six 3x3 convolutions, He initialisation.
#   conv-relu-conv-relu-pool  x3, affine-relu-dropout, affine-dropout, softmax
import os
import pickle
import sys

sys.path.append(os.pardir)
import numpy as np
from common.layers import Affine, Convolution, Dropout, Pooling, Relu, SoftmaxWithLoss

# Index in `layers` of each layer with weights, in W1 ... W8 order.
WEIGHT_LAYERS = (0, 2, 5, 7, 10, 12, 15, 18)


class DeepConvNet:
    def __init__(self, input_dim=(1, 28, 28),
                 conv_param_1={"filter_num": 16, "filter_size": 3, "pad": 1, "stride": 1},
                 conv_param_2={"filter_num": 16, "filter_size": 3, "pad": 1, "stride": 1},
                 conv_param_3={"filter_num": 32, "filter_size": 3, "pad": 1, "stride": 1},
                 conv_param_4={"filter_num": 32, "filter_size": 3, "pad": 2, "stride": 1},
                 conv_param_5={"filter_num": 64, "filter_size": 3, "pad": 1, "stride": 1},
                 conv_param_6={"filter_num": 64, "filter_size": 3, "pad": 1, "stride": 1},
                 hidden_size=50, output_size=10):
        convs = [conv_param_1, conv_param_2, conv_param_3,
                 conv_param_4, conv_param_5, conv_param_6]
        # Inputs feeding each weight layer, for He's sqrt(2 / fan_in).
        fan_in = np.array([1 * 3 * 3, 16 * 3 * 3, 16 * 3 * 3, 32 * 3 * 3, 32 * 3 * 3,
                           64 * 3 * 3, 64 * 4 * 4, hidden_size])
        scales = np.sqrt(2.0 / fan_in)

        self.params = {}
        channels = input_dim[0]
        for i, p in enumerate(convs):
            self.params["W" + str(i + 1)] = scales[i] * np.random.randn(
                p["filter_num"], channels, p["filter_size"], p["filter_size"])
            self.params["b" + str(i + 1)] = np.zeros(p["filter_num"])
            channels = p["filter_num"]
        self.params["W7"] = scales[6] * np.random.randn(64 * 4 * 4, hidden_size)
        self.params["b7"] = np.zeros(hidden_size)
        self.params["W8"] = scales[7] * np.random.randn(hidden_size, output_size)
        self.params["b8"] = np.zeros(output_size)

        self.layers = []
        for i, p in enumerate(convs):
            self.layers.append(Convolution(self.params["W" + str(i + 1)],
                                           self.params["b" + str(i + 1)], p["stride"], p["pad"]))
            self.layers.append(Relu())
            if i % 2 == 1:
                self.layers.append(Pooling(pool_h=2, pool_w=2, stride=2))
        self.layers.append(Affine(self.params["W7"], self.params["b7"]))
        self.layers.append(Relu())
        self.layers.append(Dropout(0.5))
        self.layers.append(Affine(self.params["W8"], self.params["b8"]))
        self.layers.append(Dropout(0.5))
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x, train_flg=False):
        for layer in self.layers:
            if isinstance(layer, Dropout):
                x = layer.forward(x, train_flg)
            else:
                x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.last_layer.forward(self.predict(x, train_flg=True), t)

    def accuracy(self, x, t, batch_size=100):
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        acc = 0.0
        for i in range(int(x.shape[0] / batch_size)):
            tx = x[i * batch_size:(i + 1) * batch_size]
            tt = t[i * batch_size:(i + 1) * batch_size]
            y = np.argmax(self.predict(tx, train_flg=False), axis=1)
            acc += np.sum(y == tt)
        return acc / x.shape[0]

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        grads = {}
        for i, index in enumerate(WEIGHT_LAYERS):
            grads["W" + str(i + 1)] = self.layers[index].dW
            grads["b" + str(i + 1)] = self.layers[index].db
        return grads

    def save_params(self, file_name="params.pkl"):
        with open(file_name, "wb") as f:
            pickle.dump(dict(self.params), f)

    def load_params(self, file_name="params.pkl"):
        with open(file_name, "rb") as f:
            params = pickle.load(f)
        for key, val in params.items():
            self.params[key] = val
        for i, index in enumerate(WEIGHT_LAYERS):
            self.layers[index].W = self.params["W" + str(i + 1)]
            self.layers[index].b = self.params["b" + str(i + 1)]
