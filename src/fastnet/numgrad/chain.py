"""Which parameters of a network the fast numerical gradient covers, and its forward pass.

The fast path needs the end of the network to be a chain of Affine layers,
each followed by nothing, by an activation fused into it, or by separate
Relu / Sigmoid / Tanh layers, ending in SoftmaxWithLoss. Everything before
that chain (SimpleConvNet's convolution, say) is the PREFIX: perturbing a
parameter of the chain leaves the prefix's output unchanged, so it is
computed once. Parameters of the prefix are left to the book's loop.

Not covered, and left entirely to the book's loop: nets with Dropout or
BatchNormalization layers (in training mode a dropout mask is drawn anew
for every loss the loop evaluates, and batch statistics couple the rows),
nets whose arrays are not NumPy arrays (a GPU backend), and non-finite
parameters or input.
"""

from dataclasses import dataclass

import numpy as np

from ..backend import current
from ..layers import Affine, BatchNormalization, Dropout, Relu, Sigmoid, SoftmaxWithLoss, Tanh

__all__ = ["Stage", "fast_chain", "forward", "matmul"]

_ACTIVATION_LAYERS = ((Relu, "relu"), (Sigmoid, "sigmoid"), (Tanh, "tanh"))


@dataclass
class Stage:
    """One Affine of the chain: a = x·W + b, then z = act(a)."""

    w_key: str
    b_key: str
    W: np.ndarray  # the net's own arrays (perturbed by nobody here)
    b: np.ndarray
    activation: str


def _activation_of(layer):
    for cls, name in _ACTIVATION_LAYERS:
        if isinstance(layer, cls):
            return name
    return None


def fast_chain(net):
    """(prefix layers, [Stage, ...]) for `net`, or None when the fast path does not apply."""
    layers = net._layer_list()
    if not isinstance(getattr(net, "last_layer", None), SoftmaxWithLoss):
        return None
    if any(isinstance(layer, (Dropout, BatchNormalization)) for layer in layers):
        return None
    keys = {(id(layer), attr): key for key, layer, attr in net._grad_sources}
    stages = []
    end = len(layers)
    while end > 0:
        acts = []
        start = end
        while start > 0 and _activation_of(layers[start - 1]) is not None:
            start -= 1
            acts.insert(0, _activation_of(layers[start]))
        if start == 0 or not isinstance(layers[start - 1], Affine):
            break
        affine = layers[start - 1]
        chain_acts = ([affine.activation] if affine.activation != "identity" else []) + acts
        w_key, b_key = keys.get((id(affine), "dW")), keys.get((id(affine), "db"))
        if len(chain_acts) > 1 or w_key is None or b_key is None:
            break
        W, b = net.params[w_key], net.params[b_key]
        if not (isinstance(W, np.ndarray) and isinstance(b, np.ndarray) and W.ndim == 2
                and b.shape == (W.shape[1],) and affine.W is W and affine.b is b):
            break
        act = chain_acts[0] if chain_acts else "identity"
        if not stages and act != "identity":
            return None  # scores must go straight to the loss
        stages.insert(0, Stage(w_key, b_key, W, b, act))
        end = start - 1
    if not stages:
        return None
    return layers[:end], stages


def forward(prefix, stages, x):
    """(inputs X_s, pre-activations A_s) of every stage, float64; x through the prefix first."""
    for layer in prefix:
        x = layer.forward(x)
    X = np.asarray(x, dtype=np.float64).reshape(x.shape[0], int(np.prod(x.shape[1:])))
    inputs, pre = [], []
    for stage in stages:
        inputs.append(X)
        A = matmul(X, stage.W.astype(np.float64)) + stage.b.astype(np.float64)
        pre.append(A)
        X = _act(stage.activation, A)
    return inputs, pre


def matmul(a, b, trans_a=False):
    """op(a)·b in float64 through the current backend's GEMM (fastnet's compiled one)."""
    return current().gemm(a, b, trans_a=trans_a)


def _act(name, a):
    if name == "relu":
        return np.maximum(a, 0)
    if name == "sigmoid":
        e = np.exp(-np.abs(a))
        return np.where(a >= 0, 1 / (1 + e), e / (1 + e))
    if name == "tanh":
        return np.tanh(a)
    return a
