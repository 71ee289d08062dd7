"""Keras layers on fastnet's kernels: Dense, Activation, Dropout, Flatten, Conv2D, ...

Each layer has Keras' constructor and, underneath, the book's contract:
`forward(x, training)` and `backward(dout)`, with its weights in `weights`
(Keras' order: kernel, then bias) and their gradients in `grads` after
backward. Shapes follow Keras: a batch axis first, channels last for images.

The fast paths:
- Dense(units, activation="relu" | "sigmoid" | "tanh") is ONE GEMM call whose
  epilogue adds the bias and applies the activation (fastnet.layers.Affine).
- The model sets `need_input_grad = False` on the first layer with weights:
  nobody needs the gradient with respect to the data. A layer whose input
  has no gradient (`passes_gradient = False`: Embedding's integer ids) gets
  it too; as in Keras, the layers before it get no gradient and fit warns.
- When the last layer's softmax / sigmoid meets a cross-entropy loss, the
  model asks that layer for its logits (`forward(x, logits=True)`) and the
  loss kernel applies the activation and its gradient in one pass.
"""

from .. import arguments
from .base import Input, InputLayer, Layer
from .convolutional import Conv2D, MaxPooling2D
from .core import Activation, Dense, Dropout, Flatten, Softmax
from .embedding import Embedding
from .merging import Add, Concatenate
from .normalization import BatchNormalization
from .pooling import AveragePooling2D, AvgPool2D
from .reshaping import GlobalAveragePooling1D, GlobalAveragePooling2D, Rescaling, Reshape
from .tensors import KerasTensor

__all__ = [
    "Activation", "Add", "AveragePooling2D", "AvgPool2D", "BatchNormalization", "Concatenate",
    "Conv2D", "Dense", "Dropout", "Embedding", "Flatten", "GlobalAveragePooling1D",
    "GlobalAveragePooling2D", "Input", "InputLayer", "KerasTensor", "Layer", "MaxPooling2D",
    "Rescaling", "Reshape", "Softmax",
]

_BY_NAME = {cls.__name__: cls for cls in (
    InputLayer, Dense, Activation, Softmax, Dropout, Flatten, Conv2D, MaxPooling2D,
    Reshape, Rescaling, GlobalAveragePooling1D, GlobalAveragePooling2D, AveragePooling2D,
    BatchNormalization, Embedding, Add, Concatenate)}


def from_config(class_name, config):
    """Rebuild a layer from `get_config()` (used by load_model; never unpickles).

    Only the classes above can be named; each constructor checks its arguments
    (regularizer configs, dicts, go through regularizers.get there).
    """
    return arguments.registered(_BY_NAME, class_name, config, "layer")
