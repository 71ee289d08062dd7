"""The book's fully connected networks: TwoLayerNet and MultiLayerNet.

Same constructor arguments, `params` names (W1, b1, W2, b2, ...), weight
initialisation (NumPy's global `np.random.randn`, so `np.random.seed`
reproduces the book's numbers) and methods (predict, loss, accuracy,
numerical_gradient, gradient) as the book. Two differences, both for speed:

- Each hidden activation is FUSED into the Affine layer before it:
  `layers` is Affine1, Affine2, ... where Affine1 = Affine(W1, b1,
  activation="relu") computes relu(x·W1 + b1) in one GEMM call. The book's
  separate Relu1 / Activation_function1 layers do not appear here (the
  book-compatible namespace keeps the book's exact layer list).
- The first Affine skips its input gradient (`need_input_grad = False`):
  nothing uses the gradient with respect to the data.

`dtype=np.float32` gives float32 parameters, the fast path; float32 input
with float64 parameters computes in float64 (NumPy's rule).
"""

from collections import OrderedDict

import numpy as np

from .backend import current
from .gradient import numerical_gradient as _numerical_gradient
from .layers import Affine, SoftmaxWithLoss

__all__ = ["TwoLayerNet", "MultiLayerNet"]

HIDDEN_ACTIVATIONS = ("relu", "sigmoid", "tanh")


def _init_weight(scale, fan_in, fan_out, dtype):
    # Drawn in float64 from NumPy's global generator, like the book, then
    # cast: a float32 net starts from the book's weights rounded to float32.
    W = (scale * np.random.randn(fan_in, fan_out)).astype(dtype)
    return current().xp.asarray(W)


def _zeros(size, dtype):
    return current().xp.zeros(size, dtype=dtype)


class _AffineNet:
    """What both networks share: a chain of Affine layers and a loss layer.

    Subclasses fill `params`, `layers` (Affine1 ... AffineL) and
    `weight_decay_lambda`; the methods below follow the book's.
    """

    weight_decay_lambda = 0

    def _build_layers(self, n_affine, activation):
        self.layers = OrderedDict()
        for i in range(1, n_affine + 1):
            act = activation if i < n_affine else "identity"
            self.layers[f"Affine{i}"] = Affine(self.params[f"W{i}"], self.params[f"b{i}"], act)
        self.layers["Affine1"].need_input_grad = False
        self.last_layer = SoftmaxWithLoss()
        # (param name, layer, gradient attribute), built once so that
        # gradient() formats no names per call.
        self._grad_sources = []
        for i in range(1, n_affine + 1):
            layer = self.layers[f"Affine{i}"]
            self._grad_sources += [(f"W{i}", layer, "dW"), (f"b{i}", layer, "db")]

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        """Cross-entropy of softmax(predict(x)) against t, plus 0.5·λ·ΣW²."""
        y = self.predict(x)
        loss = self.last_layer.forward(y, t)
        lam = self.weight_decay_lambda
        if lam:
            xp = current().xp
            # Summed where the weights live, then read once: on a GPU every
            # float() waits for the device.
            squares = sum(xp.vdot(layer.W, layer.W) for layer in self.layers.values())
            loss += 0.5 * lam * float(squares)
        return loss

    def accuracy(self, x, t):
        """Fraction of rows whose largest score is the label (t one-hot or labels)."""
        y = self.predict(x).argmax(axis=1)
        t = current().asarray(t, "t", "accuracy")  # a host t on the GPU: a clear TypeError
        if t.ndim != 1:
            t = t.argmax(axis=1)
        return float((y == t).sum()) / float(x.shape[0])

    def numerical_gradient(self, x, t):
        """Gradients by central differences (slow; for checking `gradient`)."""

        def loss_w(_):
            return self.loss(x, t)

        return {key: _numerical_gradient(loss_w, param) for key, param in self.params.items()}

    def gradient(self, x, t):
        """Gradients of `loss(x, t)` by backpropagation, keyed like params."""
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)

        grads = {key: getattr(layer, attr) for key, layer, attr in self._grad_sources}
        lam = self.weight_decay_lambda
        if lam:
            # d/dW of 0.5·λ·ΣW² is λ·W; a new array, so layer.dW stays the
            # gradient of the data loss alone.
            for key, layer, attr in self._grad_sources:
                if attr == "dW":
                    grads[key] = layer.dW + lam * layer.W
        return grads


class TwoLayerNet(_AffineNet):
    """Affine1 (fused ReLU) - Affine2 - SoftmaxWithLoss (the book's chapter 5).

    Weights: weight_init_std · randn; biases zero.
    """

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01,
                 *, dtype=np.float64):
        self.params = {}
        self.params["W1"] = _init_weight(weight_init_std, input_size, hidden_size, dtype)
        self.params["b1"] = _zeros(hidden_size, dtype)
        self.params["W2"] = _init_weight(weight_init_std, hidden_size, output_size, dtype)
        self.params["b2"] = _zeros(output_size, dtype)
        self._build_layers(2, "relu")


class MultiLayerNet(_AffineNet):
    """Fully connected net: (Affine + activation) × len(hidden_size_list), Affine, softmax.

    activation: 'relu' or 'sigmoid' (or 'tanh'), fused into each hidden Affine.
    weight_init_std: a number, or 'relu'/'he' → √(2/fan_in),
    'sigmoid'/'tanh'/'xavier' → √(1/fan_in). weight_decay_lambda: λ of the L2
    penalty 0.5·λ·ΣW² added to the loss (and λ·W to each dW).
    """

    def __init__(self, input_size, hidden_size_list, output_size, activation="relu",
                 weight_init_std="relu", weight_decay_lambda=0, *, dtype=np.float64):
        if activation not in HIDDEN_ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {HIDDEN_ACTIVATIONS}, got {activation!r}"
            )
        self.input_size = input_size
        self.output_size = output_size
        self.hidden_size_list = list(hidden_size_list)
        self.hidden_layer_num = len(self.hidden_size_list)
        self.weight_decay_lambda = weight_decay_lambda
        self.params = {}
        sizes = [input_size] + self.hidden_size_list + [output_size]
        for i in range(1, len(sizes)):
            scale = _weight_scale(weight_init_std, sizes[i - 1])
            self.params[f"W{i}"] = _init_weight(scale, sizes[i - 1], sizes[i], dtype)
            self.params[f"b{i}"] = _zeros(sizes[i], dtype)
        self._build_layers(len(sizes) - 1, activation)


def _weight_scale(weight_init_std, fan_in):
    name = str(weight_init_std).lower()
    if name in ("relu", "he"):
        return np.sqrt(2.0 / fan_in)  # He et al.: keeps ReLU activations' variance
    if name in ("sigmoid", "tanh", "xavier"):
        return np.sqrt(1.0 / fan_in)  # Xavier Glorot: for sigmoid / tanh
    if isinstance(weight_init_std, str):
        raise ValueError(
            "weight_init_std must be a number or one of 'relu', 'he', 'sigmoid', "
            f"'tanh', 'xavier', got {weight_init_std!r}"
        )
    return weight_init_std
