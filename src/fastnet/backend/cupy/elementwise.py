"""Elementwise kernels for the "cupy" backend: broadcasting, activations, dropout.

`ElementwiseKernels` is a part of `DeviceKernels` (fastnet.backend.cupy),
which supplies the array module `self.xp` (CuPy) and the kernel objects
`self.k` (`build(cupy)`). Same names and signatures as
`fastnet.backend.numpy.elementwise`. CuPy's own operators are one fused
kernel each already; the activations are one ElementwiseKernel each, on the
device functions of launch.PREAMBLE.
"""

from ..vocabulary import ACTIVATIONS
from .launch import elementwise_kernels

# name: (input params, output params, the statement run for each element)

# Y := act(X)
ACTIVATION_FORWARD = {
    act: ("T x", "T y", f"y = act_{act}(x)") for act in ACTIVATIONS
}

# dX := dout·act'(X), from the forward output Y = act(X)
ACTIVATION_BACKWARD = {
    act: ("T dout, T y", "T dx", f"dx = grad_{act}(dout, y)") for act in ACTIVATIONS
}


def build(cupy):
    """This family's CuPy kernel objects, by their names in `self.k`."""
    return {
        "activation_forward": elementwise_kernels(cupy, ACTIVATION_FORWARD, "{}_forward"),
        "activation_backward": elementwise_kernels(cupy, ACTIVATION_BACKWARD, "{}_backward"),
    }


class ElementwiseKernels:
    """Broadcasting, activations and dropout on `xp` arrays."""

    # ------------------------------------------------------ broadcasting

    def add(self, a, b):
        """C := A + B with NumPy's broadcasting rules."""
        return a + b

    def bias_add(self, x, bias):
        """Y := X + bias on every row."""
        return x + bias

    def column_sum(self, x):
        """s := Σ_i X[i, :] (a CUB reduction)."""
        return x.sum(axis=0)

    # ------------------------------------------------------- activations

    def activation_forward(self, x, activation):
        """Y := act(X): one elementwise kernel, a new array."""
        return self.k.activation_forward[activation](x)

    def activation_backward(self, dout, y, activation):
        """dX := dout·act'(X) from Y = act(X): one elementwise kernel."""
        return self.k.activation_backward[activation](dout, y)

    # ----------------------------------------------------------- dropout

    def dropout_mask(self, shape, dropout_ratio):
        """M := U(0, 1) > ratio, drawn on the GPU by CuPy's generator.

        Unlike the CPU backends this is not NumPy's global generator: drawing
        on the host would copy a mask to the device at every step.
        `cupy.random.seed` makes it reproducible.
        """
        return self.xp.random.rand(*shape) > dropout_ratio

    def dropout_forward(self, x, mask):
        """Y := X·M (one CuPy elementwise kernel)."""
        return x * mask

    def dropout_backward(self, dout, mask):
        """dX := dout·M."""
        return dout * mask

    def dropout_infer(self, x, dropout_ratio):
        """Y := X·(1 - ratio)."""
        return x * (1.0 - dropout_ratio)
