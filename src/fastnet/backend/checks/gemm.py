"""The checks of gemm: operands that multiply, a bias that fits, a known activation.

A part of `fastnet.backend.Backend` (a base class), like every family's
checks; it uses the shared helpers of checks/arrays.py (`_array`, `_common`,
`_activation`) and the backend's kernels `impl`.
"""

import numpy as np

from ..vocabulary import ACTIVATIONS

_FLOAT32 = np.dtype(np.float32)
_FLOAT64 = np.dtype(np.float64)


class GemmChecks:
    """C := act(op(A)·op(B) + bias), checked."""

    def gemm(self, a, b, bias=None, activation="identity", trans_a=False, trans_b=False):
        """C := act(op(A)·op(B) + bias). See reference.gemm."""
        # Runs before every product: the usual arguments pass identity tests
        # inline, the rest get the shared checks and their messages.
        if trans_a is not False and trans_a is not True:
            trans_a = self._flag(trans_a, "trans_a", "gemm")
        if trans_b is not False and trans_b is not True:
            trans_b = self._flag(trans_b, "trans_b", "gemm")
        a = self._array(a, "a", "gemm", ndim=2)
        b = self._array(b, "b", "gemm", ndim=2)
        m, k = (a.shape[1], a.shape[0]) if trans_a else a.shape
        k_b, n = (b.shape[1], b.shape[0]) if trans_b else b.shape
        if k != k_b:
            raise ValueError(
                f"gemm: cannot multiply op(a) {(m, k)} by op(b) {(k_b, n)} "
                f"(a.shape={a.shape}, trans_a={trans_a}, b.shape={b.shape}, trans_b={trans_b})"
            )
        if bias is not None:
            bias = self._array(bias, "bias", "gemm", ndim=1)
            if bias.shape[0] != n:
                raise ValueError(f"gemm: bias must have shape ({n},), got {bias.shape}")
        if activation not in ACTIVATIONS:  # a tuple: anything, even unhashable, compares
            self._activation(activation, "gemm")
        a_dtype, b_dtype = a.dtype, b.dtype
        if a_dtype is b_dtype and (bias is None or bias.dtype is a_dtype):
            pass  # the usual call: one dtype
        elif a_dtype == _FLOAT32 and b_dtype == _FLOAT64:
            # The book's float32 images against its float64 weights: every
            # backend's gemm takes this mix as it is and returns float64, as
            # NumPy's promotion does (the compiled one widens a while packing
            # it, so no converted copy of a is made per call).
            if bias is not None and bias.dtype != _FLOAT64:
                bias = bias.astype(_FLOAT64)
        else:
            a, b, bias = self._common(a, b, bias)
        return self.impl.gemm(a, b, bias, activation, trans_a, trans_b)
