"""The book's networks, on fastnet's layers, with the book's names and contracts.

    from fastnet.nets import TwoLayerNet
    net = TwoLayerNet(784, 50, 10, dtype=np.float32)

mlp.py holds the fully connected networks (TwoLayerNet, MultiLayerNet,
MultiLayerNetExtend), conv.py the convolutional ones (SimpleConvNet,
DeepConvNet), base.py what they share (LayeredNet: predict, loss, accuracy,
gradients, save_params / load_params, save), init.py the book's weight
initialisation, files.py the parameter files and model.py whole-network
files (`net.save`, `fastnet.load`; shapes.py checks them before building).
"""

from .base import LayeredNet
from .conv import DeepConvNet, SimpleConvNet
from .files import ParamsFileWarning
from .mlp import HIDDEN_ACTIVATIONS as HIDDEN_ACTIVATIONS  # was fastnet.nets' own constant
from .mlp import MultiLayerNet, MultiLayerNetExtend, TwoLayerNet

__all__ = ["TwoLayerNet", "MultiLayerNet", "MultiLayerNetExtend", "SimpleConvNet",
           "DeepConvNet", "LayeredNet", "ParamsFileWarning"]
