"""The checks of the elementwise kernels: broadcasting, bias, activations, dropout.

A part of `fastnet.backend.Backend` (a base class); it uses the shared
helpers of checks/arrays.py (`_array`, `_common`, `_activation`,
`_same_shape`) and the backend's kernels `impl`.
"""

import operator

import numpy as np

from .arrays import too_big_for_an_array


class ElementwiseChecks:
    """add, bias_add, column_sum, the activations and dropout, checked."""

    def add(self, a, b):
        """C := A + B with NumPy broadcasting. See reference.add."""
        a = self._array(a, "a", "add")
        b = self._array(b, "b", "add")
        try:
            np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            raise ValueError(
                f"add: shapes {a.shape} and {b.shape} do not broadcast"
            ) from None
        a, b, _ = self._common(a, b)
        return self.impl.add(a, b)

    def bias_add(self, x, bias):
        """Y := X + bias on every row. See reference.bias_add."""
        x = self._array(x, "x", "bias_add", ndim=2)
        bias = self._array(bias, "bias", "bias_add", ndim=1)
        if bias.shape[0] != x.shape[1]:
            raise ValueError(
                f"bias_add: bias must have shape ({x.shape[1]},) for x {x.shape}, got {bias.shape}"
            )
        x, bias, _ = self._common(x, bias)
        return self.impl.bias_add(x, bias)

    def column_sum(self, x):
        """s := Σ_i X[i, :]. See reference.column_sum."""
        return self.impl.column_sum(self._array(x, "x", "column_sum", ndim=2))

    # -------------------------------------------------------- activations

    def activation_forward(self, x, activation):
        """Y := act(X). See reference.activation_forward."""
        x = self._array(x, "x", "activation_forward")
        self._activation(activation, "activation_forward")
        return self.impl.activation_forward(x, activation)

    def activation_backward(self, dout, y, activation):
        """dX := dout·act'(X) from Y = act(X). See reference.activation_backward."""
        dout = self._array(dout, "dout", "activation_backward")
        y = self._array(y, "y", "activation_backward")
        self._same_shape(dout, y, ("dout", "y"), "activation_backward")
        self._activation(activation, "activation_backward")
        dout, y, _ = self._common(dout, y)
        return self.impl.activation_backward(dout, y, activation)

    # ------------------------------------------------------------ dropout

    def _ratio(self, dropout_ratio, kernel):
        # A number, as Dropout() requires: float("0.5") would accept a string.
        ratio = self._number(dropout_ratio, "dropout_ratio", kernel)
        if not 0.0 <= ratio < 1.0:
            raise ValueError(f"{kernel}: dropout_ratio must lie in [0, 1), got {dropout_ratio!r}")
        return ratio

    def _mask(self, x, mask, kernel, name="x"):
        if not isinstance(mask, self._ndarray) or mask.dtype != np.bool_ \
                or mask.shape != x.shape:
            raise ValueError(
                f"{kernel}: mask must be a boolean array of {name}'s shape {x.shape}, got "
                f"{getattr(mask, 'dtype', type(mask))} {getattr(mask, 'shape', '')}"
            )

    def dropout_mask(self, shape, dropout_ratio):
        """Boolean keep-mask from np.random.rand (the book's draw)."""
        return self.impl.dropout_mask(self._shape(shape, "dropout_mask"),
                                      self._ratio(dropout_ratio, "dropout_mask"))

    @staticmethod
    def _shape(shape, kernel):
        """shape as a tuple of sizes ≥ 0, or a clear error."""
        try:
            sizes = tuple(operator.index(s) for s in shape)
        except TypeError:
            raise TypeError(f"{kernel}: shape must be a tuple of integers, got {shape!r}") from None
        if any(s < 0 for s in sizes):
            raise ValueError(f"{kernel}: shape must hold sizes ≥ 0, got {shape!r}")
        if too_big_for_an_array(sizes, 8):  # the mask is drawn as float64 numbers
            raise ValueError(f"{kernel}: shape {sizes} has more elements than an array can hold")
        return sizes

    def dropout_forward(self, x, mask):
        """Y := X·M. See reference.dropout_forward."""
        x = self._array(x, "x", "dropout_forward")
        self._mask(x, mask, "dropout_forward")
        return self.impl.dropout_forward(x, mask)

    def dropout_backward(self, dout, mask):
        """dX := dout·M. See reference.dropout_backward."""
        dout = self._array(dout, "dout", "dropout_backward")
        self._mask(dout, mask, "dropout_backward", name="dout")
        return self.impl.dropout_backward(dout, mask)

    def dropout_infer(self, x, dropout_ratio):
        """Y := X·(1 - ratio). See reference.dropout_infer."""
        x = self._array(x, "x", "dropout_infer")
        return self.impl.dropout_infer(x, self._ratio(dropout_ratio, "dropout_infer"))
