"""The fully connected layers: Affine, the activations, SoftmaxWithLoss (chapter 5).

`Affine(W, b, activation=...)` can carry an activation FUSED into its
product: act(x·W + b) is one GEMM call whose epilogue applies the bias and
the activation while the tile is still in cache. `Affine.need_input_grad =
False` skips dx, which only the first layer of a network does not need (one
of the three large products of a TwoLayerNet step).
"""

from ..backend import current
from ._args import batch, forward_done

__all__ = ["Affine", "Relu", "Sigmoid", "Tanh", "SoftmaxWithLoss"]


class Affine:
    """out = act(x·W + b), x of any ndim reshaped to (N, -1).

    W (D, M) and b (M,) are the caller's arrays, kept by reference, never
    copied: an optimizer that updates them in place is seen at once.
    After backward: dW (D, M), db (M,), and dx in x's original shape (or
    None when need_input_grad is False).
    """

    def __init__(self, W, b, activation="identity"):
        self.W = W
        self.b = b
        self.activation = activation
        self.need_input_grad = True
        self.x = None
        self.original_x_shape = None
        self.out = None  # act(x·W + b), kept only when act is not identity
        self.dW = None
        self.db = None

    def forward(self, x):
        B = current()
        x = batch(B, x, "x", "Affine.forward")
        self.original_x_shape = x.shape
        if x.ndim != 2:
            x = x.reshape(x.shape[0], -1)
        self.x = x
        if getattr(self.W, "ndim", None) is None:  # else gemm would name it as its operand b
            raise TypeError(f"Affine.forward: W must be an array (the layer keeps the caller's "
                            f"array by reference), got {type(self.W).__name__}")
        out = B.gemm(x, self.W, self.b, self.activation)
        # The activation's derivative is computed from its output, so the
        # pre-activation never has to be stored.
        self.out = None if self.activation == "identity" else out
        return out

    def backward(self, dout):
        forward_done(self.x, self)
        B = current()
        if self.out is not None:
            dout = B.activation_backward(dout, self.out, self.activation)
        self.dW = B.gemm(self.x, dout, trans_a=True)
        self.db = B.column_sum(dout)
        if not self.need_input_grad:
            return None
        dx = B.gemm(dout, self.W, trans_b=True)
        return dx.reshape(self.original_x_shape)


class _Activation:
    """y = act(x) elementwise; backward uses the stored output y."""

    activation = "identity"

    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = current().activation_forward(x, self.activation)
        return self.out

    def backward(self, dout):
        forward_done(self.out, self)
        return current().activation_backward(dout, self.out, self.activation)


class Relu(_Activation):
    """y = max(0, x). The book stores `mask` (x <= 0); here it is derived from y."""

    activation = "relu"

    @property
    def mask(self):
        # y = max(0, x) is 0 exactly where x <= 0.
        return None if self.out is None else self.out <= 0


class Sigmoid(_Activation):
    """y = 1 / (1 + exp(-x)); stores `out` like the book."""

    activation = "sigmoid"


class Tanh(_Activation):
    """y = tanh(x); stores `out`."""

    activation = "tanh"


class SoftmaxWithLoss:
    """loss = cross_entropy_error(softmax(x), t) for x (N, C).

    t: one-hot (N, C) or integer labels (N,). forward computes the loss and
    its gradient (y - t) / N together in one fused pass over x;
    backward(dout=1) hands that gradient over (scaled by dout), so the
    returned array is owned by this layer until the next forward.
    `y` (the probabilities) is computed only if someone reads it.
    """

    def __init__(self):
        self.loss = None
        self.t = None
        self._x = None
        self._y = None
        self._dx = None

    def forward(self, x, t):
        self.t = t
        self._x = x
        self._y = None
        self.loss, self._dx = current().softmax_cross_entropy(x, t)
        return self.loss

    def backward(self, dout=1):
        forward_done(self._dx, self)
        # dout is 1 when this is the last layer, which is nearly always.
        if isinstance(dout, (int, float)) and dout == 1:
            return self._dx
        dout = current().asarray(dout, "dout", "SoftmaxWithLoss.backward")
        if dout.dtype.kind not in "biuf":
            raise TypeError(f"SoftmaxWithLoss.backward: dout must be a real number (the "
                            f"loss's gradient), got dtype {dout.dtype}")
        try:
            return self._dx * dout
        except ValueError:
            raise ValueError(f"SoftmaxWithLoss.backward: dout {dout.shape} does not broadcast "
                             f"to the gradient's shape {self._dx.shape}") from None

    @property
    def y(self):
        if self._y is None and self._x is not None:
            self._y = current().softmax(self._x)
        return self._y

