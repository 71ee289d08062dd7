"""The opt-in float32 mode of the book's layers: `fastnet run --float32 SCRIPT`.

The book's scripts make float64 weights (`np.random.randn`) and NumPy then
computes every layer in float64. In float32 mode, `Affine` and
`Convolution` of fastnet.scratch compute in float32 instead, with float32
copies of the float64 parameters the script owns, taken on each call (the
script's arrays stay float64 and are still updated in place by its
optimizer), and the gradients `dW`, `db` and outputs they return are
float32. The script's code is unchanged, but its numbers are not: sums are
rounded to float32's 7 digits instead of float64's 16. What a network
learns stays the same for the book's training scripts (tests/scratch checks
the final accuracy); a numerical gradient check (chapter 5's
gradient_check.py) needs float64 and should not use this mode.

    fastnet run --float32 ch05/train_neuralnet.py
    fastnet.scratch.install(dtype="float32")   # in a notebook
"""

import contextlib

import numpy as np

__all__ = ["DTYPES", "InFloat32", "as_float32", "float32_mode", "get_dtype", "set_dtype"]

DTYPES = ("float64", "float32")
_FLOAT32 = np.dtype(np.float32)
_float32 = False


def set_dtype(dtype):
    """"float64" (the book's own arithmetic, the default) or "float32" (the fast mode)."""
    global _float32
    if dtype not in DTYPES:
        raise ValueError(f"fastnet.scratch: dtype must be one of {DTYPES}, got {dtype!r}")
    _float32 = dtype == "float32"


def get_dtype():
    """The dtype the book's layers compute in: "float64" or "float32"."""
    return "float32" if _float32 else "float64"


def float32_mode():
    """True when the book's layers compute in float32."""
    return _float32


def as_float32(x):
    """x as float32, when it is a float64 array (other things pass unchanged)."""
    dtype = getattr(x, "dtype", None)
    if dtype is None or dtype == _FLOAT32 or dtype.kind != "f":
        return x
    return x.astype(np.float32)


class InFloat32:
    """A layer base (before the layer's class in the MRO) that, in float32 mode,
    runs forward and backward on float32 copies of its W and b and input."""

    def forward(self, x):
        if not _float32:
            return super().forward(x)
        with self._float32_params():
            return super().forward(as_float32(x))

    def backward(self, dout):
        if not _float32:
            return super().backward(dout)
        with self._float32_params():
            return super().backward(as_float32(dout))

    @contextlib.contextmanager
    def _float32_params(self):
        # The caller's float64 arrays go back in place afterwards: they are
        # what the script's optimizer updates, and what its code reads.
        W, b = self.W, self.b
        self.W, self.b = as_float32(W), as_float32(b)
        try:
            yield
        finally:
            self.W, self.b = W, b

