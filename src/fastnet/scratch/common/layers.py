"""The book's common/layers.py on fastnet's layers.

Where fastnet's own layer has the book's contract it is re-exported
(`Pooling` with its `arg_max`, `Dropout` with masks from np.random.rand);
where it differs it is wrapped here so that book scripts see the book's
behaviour:

- `Affine(W, b)` and `Convolution(W, b, stride=1, pad=0)`: the book's
  constructors; dx is always returned (fastnet's can skip it and fuse an
  activation); a number is accepted as the bias; images of any dtype meet
  float64 filters in float64, as the book's im2col makes them (in the
  opt-in float32 mode, precision.py, both compute in float32 instead).
  The first layer's dx costs a product as large as its forward, and the
  book's nets drop it, but it cannot be skipped here without a script
  noticing: a returned NumPy array must hold its values when returned
  (NumPy has no hook to fill a plain ndarray on first read, and a lazy
  subclass would change what type() and C extensions see). fastnet.nets
  skip it instead (Affine.need_input_grad = False).
- `Relu` (with `mask`) and `Sigmoid` (with `out`) keep their input's
  memory layout, as NumPy does (fastnet's return C-contiguous arrays).
- `SoftmaxWithLoss`: also takes integer one-hot labels, and lets NaN or
  inf scores through to a NaN loss (with a RuntimeWarning), as the book does.
  Its backward(dout) scales by dout, where the book's ignores it; every
  book script passes 1, where the two agree.
- `BatchNormalization`: lets a training batch holding NaN or inf through
  (with a RuntimeWarning), NaN reaching its output and running statistics,
  as the book's does; fastnet's refuses such a batch.

Layers keep references to the caller's W, b (and gamma, beta) arrays, so an
optimizer that updates `params` in place is seen at once. No layer writes
into the `dout` it is given (the book's Relu does; no script can rely on
that, since the array it overwrites is the previous layer's output).
"""

import warnings

import numpy as np

from fastnet import layers as _engine
from fastnet.backend import current, load
from fastnet.layers import Dropout, Pooling
from fastnet.layers.norm import NonFiniteBatchError

from ..precision import InFloat32, float32_mode
from .functions import cross_entropy_error, softmax
from .util import col2im, im2col

# What `from common.layers import *` gives in the book: its layers plus the
# names the book's module imports.
__all__ = [
    "np",
    "softmax",
    "cross_entropy_error",
    "im2col",
    "col2im",
    "Relu",
    "Sigmoid",
    "Affine",
    "SoftmaxWithLoss",
    "Dropout",
    "BatchNormalization",
    "Convolution",
    "Pooling",
]


def _memory_order(*arrays):
    """The axis order in which the arrays (one shape, one layout) are C-contiguous.

    None when they already are, or when no order makes them so. A
    Convolution's output is a transposed view of channels-last memory; an
    elementwise kernel run in memory order reads it straight through instead
    of gathering it, and its result keeps that layout for the Pooling after
    it (NumPy's ufuncs keep the input's layout the same way).
    """
    first = arrays[0]
    if first.flags.c_contiguous or any(a.strides != first.strides for a in arrays[1:]):
        return None
    order = sorted(range(first.ndim), key=lambda axis: -first.strides[axis])
    if not first.transpose(order).flags.c_contiguous:
        return None
    return order


def _inverse(order):
    back = [0] * len(order)
    for position, axis in enumerate(order):
        back[axis] = position
    return back


class _LayoutKeeping:
    """An activation layer whose output has its input's memory layout (see _memory_order)."""

    def forward(self, x):
        order = _memory_order(x) if isinstance(x, current().xp.ndarray) else None
        if order is None:
            return super().forward(x)
        super().forward(x.transpose(order))
        self.out = self.out.transpose(_inverse(order))  # x's shape, x's layout
        return self.out

    def backward(self, dout):
        order = _memory_order(dout, self.out)
        if order is None:
            return super().backward(dout)
        kernel = current().activation_backward
        dx = kernel(dout.transpose(order), self.out.transpose(order), self.activation)
        return dx.transpose(_inverse(order))


class Relu(_LayoutKeeping, _engine.Relu):
    """y = max(0, x); `mask` is (x <= 0), as in the book. Keeps x's memory layout."""


class Sigmoid(_LayoutKeeping, _engine.Sigmoid):
    """y = 1 / (1 + exp(-x)); stores `out`, as in the book. Keeps x's memory layout."""


class _ScalarBias:
    """Takes a number as the bias, as NumPy's `+ b` would.

    The book's ch07/apply_filter.py builds Convolution(w, 0); the kernels
    take a bias vector, so a number is spread over one for the call.
    """

    def forward(self, x):
        b = self.b
        if np.ndim(b) != 0:
            return super().forward(x)
        size = self.W.shape[0] if self.W.ndim == 4 else self.W.shape[-1]
        self.b = current().xp.full(size, b, dtype=np.result_type(self.W.dtype, b))
        try:
            return super().forward(x)
        finally:
            self.b = b


class Affine(InFloat32, _ScalarBias, _engine.Affine):
    """out = x·W + b for x of any ndim (reshaped to (N, -1)); backward returns dx in x's shape.

    Stores `x` (2-D), `original_x_shape`, and after backward `dW`, `db`.
    """

    def __init__(self, W, b):
        super().__init__(W, b)


class SoftmaxWithLoss(_engine.SoftmaxWithLoss):
    """loss = cross_entropy_error(softmax(x), t); backward(dout=1) = (y - t) / N.

    t: integer labels (N,) or one-hot (N, C), float or integer. Stores
    `loss`, `y` (the probabilities) and `t` (as given).
    """

    def forward(self, x, t):
        t_kernel = t
        if getattr(t, "size", None) == getattr(x, "size", None) and t.dtype.kind in "biu":
            # An integer one-hot array: the kernel takes one-hot targets as floats.
            t_kernel = t.astype(x.dtype)
        xp = current().xp
        if isinstance(x, xp.ndarray) and not bool(xp.isfinite(x).all()):
            loss = self._forward_diverged(x, t_kernel)
        else:
            loss = super().forward(x, t_kernel)
        self.t = t
        return loss

    def _forward_diverged(self, x, t):
        """NaN or inf scores: a NaN loss and gradient, as the book's NumPy code gives.

        A diverging network (chapter 6's batch-norm comparison trains one on
        purpose) goes on training with NaN in the book, at chance accuracy;
        fastnet's checked kernels refuse NaN, so once the checks have run on
        finite stand-ins, the "numpy" backend's kernels themselves (its `impl`,
        the reference, unchecked) compute this step, as the book's NumPy code does.
        """
        super().forward(current().xp.nan_to_num(x), t)  # shapes and labels still checked
        warnings.warn(RuntimeWarning(
            "SoftmaxWithLoss: the scores contain NaN or inf (the network diverged); "
            "the loss is NaN, as with the book's NumPy code"), stacklevel=3)
        reference = load("numpy").impl
        with np.errstate(all="ignore"):
            self.loss, self._dx = reference.softmax_cross_entropy(x, t)
            self._x, self._y = x, reference.softmax(x)
        return self.loss


class BatchNormalization(_engine.BatchNormalization):
    """fastnet's BatchNormalization (the book's constructor, attributes and
    in-place running statistics), with the book's way with NaN."""

    def _forward_train(self, B, x, running_mean, running_var):
        """A batch holding NaN or inf: NaN flows on, as the book's NumPy code gives.

        Chapter 6's batch-norm comparison trains diverging networks on purpose,
        and the book's go on with NaN outputs and running statistics.
        fastnet's checked kernel refuses such a batch once x's shapes and
        dtypes have passed its checks; the "numpy" backend's kernel itself
        (its `impl`, the reference, unchecked) then computes this step.
        """
        try:
            return super()._forward_train(B, x, running_mean, running_var)
        except NonFiniteBatchError:
            pass  # computed below, outside the handler: no chained traceback on a later error
        warnings.warn(RuntimeWarning(
            "BatchNormalization: the batch contains NaN or inf (the network diverged); "
            "the output and running statistics get NaN, as with the book's NumPy code"),
            stacklevel=3)
        reference = load("numpy").impl
        with np.errstate(all="ignore"):
            return reference.batchnorm_forward_train(x, self.gamma, self.beta, running_mean,
                                                     running_var, self.momentum)


class Convolution(InFloat32, _ScalarBias, _engine.Convolution):
    """out = x ⊛ W + b: x (N, C, H, W), W (FN, C, FH, FW), b (FN,) -> (N, FN, OH, OW).

    The book's four-argument constructor (fastnet's Convolution can also fuse
    the ReLU after it and skip dx). Stores `x`, `col`, `col_W`, and after
    backward `dW` (FN, C, FH, FW) and `db` (FN,).
    """

    def __init__(self, W, b, stride=1, pad=0):
        super().__init__(W, b, stride, pad)

    def forward(self, x):
        # The book's im2col writes into float64 zeros, so float32 (or integer)
        # images meet float64 filters in float64. Casting the image, not its
        # FH·FW times larger column matrix, does that in one small pass.
        # (In float32 mode, InFloat32 makes both float32 instead.)
        if float32_mode():
            return super().forward(x)
        dtype = np.result_type(x.dtype, self.W.dtype)
        return super().forward(x if x.dtype == dtype else x.astype(dtype))
