"""Layers with the book's names and contracts: forward(...) and backward(dout).

Every layer computes through the current backend (`fastnet.backend.current()`),
looked up once per call, so the same code runs on every backend and never
branches on the device. Differences from the book, on purpose:

- `Affine(W, b, activation=...)` and `Convolution(..., activation=...)` can
  carry the activation after them FUSED into their product (one GEMM call
  whose epilogue applies the bias and the activation).
- `need_input_grad = False` skips dx, which only the first layer of a
  network does not need.
- No layer writes into the `dout` it receives (the book's Relu.backward
  does); every backward returns a new array.

dense.py holds the chapter 5 layers, conv.py the convolution and pooling
(chapter 7), norm.py batch norm and dropout (chapter 6).
"""

from .conv import Convolution, PooledConvolution, Pooling
from .dense import Affine, Relu, Sigmoid, SoftmaxWithLoss, Tanh
from .norm import BatchNormalization, Dropout

__all__ = ["Affine", "Relu", "Sigmoid", "Tanh", "SoftmaxWithLoss",
           "Convolution", "Pooling", "PooledConvolution", "BatchNormalization", "Dropout"]
