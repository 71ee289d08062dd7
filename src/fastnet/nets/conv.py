"""The book's convolutional networks: SimpleConvNet (chapter 7) and DeepConvNet (chapter 8).

Same constructor arguments, `params` names (W1, b1, ...), initialisation
(`np.random.randn` from NumPy's global generator, in the book's order) and
methods (predict, loss, accuracy(x, t, batch_size=100), gradient,
save_params / load_params) as the book, plus `dtype=` (np.float32 is the
fast path). save_params writes fastnet's .npz by default and the book's
pickle for a .pkl name; load_params reads both, the book's params.pkl too,
without unpickling anything but arrays. Differences, all for speed:

- Every ReLU is FUSED into the Convolution or Affine before it (its GEMM's
  epilogue applies it), so `layers` has no separate Relu entries.
- Each convolution followed by a pooling is one PooledConvolution layer
  (conv - ReLU - max pool in one pass, fastnet/layers/conv.py), so `layers` has no
  separate Pooling entries either: SimpleConvNet's are Conv1, Affine1,
  Affine2.
- The first layer skips its input gradient (`need_input_grad = False`).
"""

from collections import OrderedDict

import numpy as np

from ..layers import Affine, Convolution, Dropout, PooledConvolution, SoftmaxWithLoss
from . import args
from .base import LayeredNet
from .init import init_weight, zeros

__all__ = ["SimpleConvNet", "DeepConvNet"]


class SimpleConvNet(LayeredNet):
    """Conv1 (ReLU and the 2x2 max pool fused) - Affine1 (fused ReLU) - Affine2 - softmax.

    conv_param: filter_num, filter_size, pad, stride. Weights:
    weight_init_std · randn, biases zero.
    """

    def __init__(self, input_dim=(1, 28, 28),
                 conv_param=None, hidden_size=100, output_size=10, weight_init_std=0.01,
                 *, dtype=np.float64):
        conv_param = conv_param or {"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1}
        args.conv_param(conv_param, "SimpleConvNet")
        args.sizes("SimpleConvNet", hidden_size=hidden_size, output_size=output_size)
        args.weight_std(weight_init_std, "SimpleConvNet")
        filter_num = conv_param["filter_num"]
        filter_size = conv_param["filter_size"]
        pad, stride = conv_param["pad"], conv_param["stride"]
        conv_output_size = (input_dim[1] - filter_size + 2 * pad) // stride + 1
        if conv_output_size < 2:
            raise ValueError(
                f"SimpleConvNet: input_dim {tuple(input_dim)} with filter_size {filter_size}, "
                f"pad {pad}, stride {stride} gives a {conv_output_size}-pixel convolution "
                f"output, too small for the 2x2 pooling")
        pool_output_size = filter_num * (conv_output_size // 2) ** 2

        s = weight_init_std
        self.params = {
            "W1": init_weight(s, (filter_num, input_dim[0], filter_size, filter_size), dtype),
            "b1": zeros(filter_num, dtype),
            "W2": init_weight(s, (pool_output_size, hidden_size), dtype),
            "b2": zeros(hidden_size, dtype),
            "W3": init_weight(s, (hidden_size, output_size), dtype),
            "b3": zeros(output_size, dtype),
        }
        p = self.params
        self.layers = OrderedDict()
        self.layers["Conv1"] = PooledConvolution(p["W1"], p["b1"], stride, pad, activation="relu")
        self.layers["Affine1"] = Affine(p["W2"], p["b2"], activation="relu")
        self.layers["Affine2"] = Affine(p["W3"], p["b3"])
        self.layers["Conv1"].need_input_grad = False
        self.last_layer = SoftmaxWithLoss()
        self._grad_sources = self._sources(
            [(1, self.layers["Conv1"]), (2, self.layers["Affine1"]), (3, self.layers["Affine2"])])


_DEEP_CONV_DEFAULTS = [
    {"filter_num": 16, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 16, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 32, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 32, "filter_size": 3, "pad": 2, "stride": 1},
    {"filter_num": 64, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 64, "filter_size": 3, "pad": 1, "stride": 1},
]


class DeepConvNet(LayeredNet):
    """(conv-relu-conv-relu-pool) × 3 - affine-relu-dropout - affine-dropout - softmax.

    The book's chapter 8 network: 3x3 convolutions with 16, 16, 32, 32, 64, 64
    filters, He initialisation √(2/fan_in) (the book's fan-ins, first one
    1·3·3), W7 (64·4·4, hidden_size), W8 (hidden_size, output_size).
    `layers` is a plain list; predict(x, train_flg=False).
    """

    def __init__(self, input_dim=(1, 28, 28),
                 conv_param_1=None, conv_param_2=None, conv_param_3=None,
                 conv_param_4=None, conv_param_5=None, conv_param_6=None,
                 hidden_size=50, output_size=10, *, dtype=np.float64):
        given = (conv_param_1, conv_param_2, conv_param_3, conv_param_4, conv_param_5,
                 conv_param_6)
        conv_params = [dict(args.conv_param(c, "DeepConvNet", f"conv_param_{i}") if c else d)
                       for i, (c, d) in enumerate(zip(given, _DEEP_CONV_DEFAULTS), start=1)]
        args.sizes("DeepConvNet", hidden_size=hidden_size, output_size=output_size)
        pre_node_nums = np.array([1 * 3 * 3, 16 * 3 * 3, 16 * 3 * 3, 32 * 3 * 3, 32 * 3 * 3,
                                  64 * 3 * 3, 64 * 4 * 4, hidden_size])
        scales = np.sqrt(2.0 / pre_node_nums)  # He: ReLU follows every weight layer

        self.params = {}
        channels = input_dim[0]
        for i, cp in enumerate(conv_params, start=1):
            shape = (cp["filter_num"], channels, cp["filter_size"], cp["filter_size"])
            self.params[f"W{i}"] = init_weight(scales[i - 1], shape, dtype)
            self.params[f"b{i}"] = zeros(cp["filter_num"], dtype)
            channels = cp["filter_num"]
        self.params["W7"] = init_weight(scales[6], (64 * 4 * 4, hidden_size), dtype)
        self.params["b7"] = zeros(hidden_size, dtype)
        self.params["W8"] = init_weight(scales[7], (hidden_size, output_size), dtype)
        self.params["b8"] = zeros(output_size, dtype)

        p = self.params
        # every second convolution is followed by a 2x2 pooling: fused with it
        convs = [(PooledConvolution if i % 2 == 0 else Convolution)(
                     p[f"W{i}"], p[f"b{i}"], cp["stride"], cp["pad"], activation="relu")
                 for i, cp in enumerate(conv_params, start=1)]
        affine7 = Affine(p["W7"], p["b7"], activation="relu")
        affine8 = Affine(p["W8"], p["b8"])
        self.layers = [*convs, affine7, Dropout(0.5), affine8, Dropout(0.5)]
        convs[0].need_input_grad = False
        self.last_layer = SoftmaxWithLoss()
        self._grad_sources = self._sources(
            list(enumerate(convs, start=1)) + [(7, affine7), (8, affine8)])
