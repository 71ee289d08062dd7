"""`Backend`: the checked entry point to one backend's kernels.

Every kernel call goes through a method here. The method validates the
input once, in Python (ndim, dtype, shapes, label range, NaN where it
matters), casts mixed float32/float64 input to the common dtype like NumPy
does, and only then calls the backend's kernel, which trusts its input.
All backends therefore reject bad input with the same message, and a
compiled kernel never sees an array it could crash on.

Arrays a kernel only reads are made fit for C when they are not: a
non-native byte order (`'>f8'`) is converted and data not aligned to its
item size (a view into raw bytes) is copied, so every kernel reads plain
native numbers. Arrays a kernel updates in place (parameters, optimizer
state, running statistics) cannot be replaced by a copy without losing the
update, so those are refused instead, with a TypeError that says why.
"""

import math

import numpy as np

from .validated_conv import ConvolutionChecks
from .validated_optimizers import OptimizerChecks
from .vocabulary import ACTIVATIONS

_FLOAT_CHARS = "fd"  # float32, float64
# The native float dtypes, compared by identity on every call: the cheapest
# test there is. An equal dtype that is a different object (an unpickled
# array's) takes the slower full check and passes it.
_FLOAT32 = np.dtype(np.float32)
_FLOAT64 = np.dtype(np.float64)


def finite_number(value, name, where):
    """A finite hyperparameter (learning rate, decay...) as a Python float, or a clear error."""
    # The usual value is a finite float already; NaN and ±inf fail this test.
    if type(value) is float and -math.inf < value < math.inf:
        return value
    try:
        if isinstance(value, (str, bytes)):
            raise TypeError
        number = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: {name} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{where}: {name} must be finite, got {value!r}")
    return number


class Backend(ConvolutionChecks, OptimizerChecks):
    """One backend: a name, an array module `xp` and a kernel module `impl`.

    `impl` holds the raw kernels, named and shaped like
    `fastnet.backend.reference` (the specification). The checks of the
    chapter 6-7 kernels (convolution, pooling, batch norm, dropout) live in
    validated_conv.py, those of the optimizer updates in
    validated_optimizers.py; the helpers they share are here.
    """

    def __init__(self, name, impl):
        self.name = name
        self.impl = impl
        self.xp = impl.xp
        self._ndarray = impl.xp.ndarray  # looked up on every call: keep it at hand
        # Host memory can be misaligned (np.frombuffer at an odd offset); CuPy
        # allocates aligned device memory and its arrays have no such flag.
        self._host_memory = impl.xp is np

    def __repr__(self):
        return f"<fastnet backend {self.name!r}>"

    # ------------------------------------------------------------ helpers

    def _array(self, x, name, kernel, ndim=None):
        """x as a native, aligned float32/float64 array of this backend, or a clear error."""
        if not isinstance(x, self._ndarray):
            x = self._from_foreign(x, name, kernel)
        dtype = x.dtype
        # The usual array passes two identity tests and one flag read.
        if (dtype is not _FLOAT64 and dtype is not _FLOAT32) or (
                self._host_memory and not x.flags.aligned):
            x = self._fit_for_c(x, name, kernel)
        if ndim is not None and x.ndim != ndim:
            raise ValueError(
                f"{kernel}: {name} must be {ndim}-D, got shape {x.shape} ({x.ndim}-D)"
            )
        return x

    def _float_dtype(self, x, name, kernel):
        """Refuse anything but float32/float64 (of either byte order)."""
        if x.dtype.char not in _FLOAT_CHARS:
            raise TypeError(
                f"{kernel}: {name} must be float32 or float64, got dtype {x.dtype}"
                + (" (cast it with .astype(np.float32))" if x.dtype.kind in "biu" else "")
            )

    def _fit_for_c(self, x, name, kernel):
        """A float array the kernel only reads, as native numbers at aligned addresses.

        The C kernels load whole native floats: bytes in the other order would
        be read as garbage, and a misaligned load is undefined behaviour.
        """
        self._float_dtype(x, name, kernel)
        if not x.dtype.isnative:
            return x.astype(x.dtype.newbyteorder("="))
        if self._host_memory and not x.flags.aligned:
            return x.copy()
        return x

    def _in_place(self, x, name, kernel):
        """x, which the kernel updates in place, checked but never converted.

        A converted copy would take the update and the caller's array would
        never see it, so what `_array` repairs is refused here.
        """
        # The usual parameter passes an isinstance, two identity tests and two flags.
        if isinstance(x, self._ndarray):
            dtype = x.dtype
            if dtype is _FLOAT64 or dtype is _FLOAT32:
                if not self._host_memory:
                    return x
                flags = x.flags
                if flags.writeable and flags.aligned:
                    return x
        return self._in_place_slow(x, name, kernel)

    def _in_place_slow(self, x, name, kernel):
        """`_in_place`'s full check, with the message for each way to fail it."""
        if not isinstance(x, self._ndarray):
            kind = self._ndarray
            raise TypeError(
                f"{kernel}: {name} is updated in place, so it must be a "
                f"{kind.__module__}.{kind.__name__}, got {type(x).__name__}"
            )
        self._float_dtype(x, name, kernel)
        if not self._writeable(x):
            raise ValueError(f"{kernel}: {name} is read-only and is updated in place")
        if not x.dtype.isnative:
            raise TypeError(
                f"{kernel}: {name} has non-native byte order (dtype {x.dtype.str!r}) and is "
                f"updated in place, so it cannot be converted for the kernel; convert it "
                f"once, before training: {name} = {name}.astype({name}.dtype.newbyteorder('='))"
            )
        if self._host_memory and not x.flags.aligned:
            raise TypeError(
                f"{kernel}: {name}'s data is not aligned to its {x.dtype.itemsize}-byte items "
                f"and it is updated in place, so it cannot be copied for the kernel; copy it "
                f"once, before training: {name} = {name}.copy()"
            )
        return x

    _number = staticmethod(finite_number)

    def _from_foreign(self, x, name, kernel):
        # A CPU backend accepts lists and other array-likes like NumPy does.
        # A GPU backend overrides this to refuse host arrays (no hidden copies).
        try:
            array = self.xp.asarray(x)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{kernel}: {name} is not an array: {type(x).__name__}") from exc
        if array.dtype.kind in "OSUV":  # None, text, objects: no numbers at all
            raise TypeError(
                f"{kernel}: {name} must be an array of numbers, got {type(x).__name__}"
            )
        return array

    @staticmethod
    def _writeable(x):
        # NumPy arrays can be read-only views; CuPy arrays have no such flag.
        return x.flags.writeable

    def asarray(self, x, name="x", where="fastnet"):
        """x as an array of this backend, converted the way kernel arguments are.

        On a CPU backend a list or scalar becomes a NumPy array; on the GPU
        backend a host array is refused with a TypeError (see `_from_foreign`).
        """
        return x if isinstance(x, self._ndarray) else self._from_foreign(x, name, where)

    def to_device(self, x):
        """x copied to this backend's memory (NumPy's for a CPU backend: no copy)."""
        return self.xp.asarray(x)

    @staticmethod
    def _common(a, b, c=None):
        """Cast to the common dtype (float32 with float64 gives float64)."""
        # The usual case, same dtypes, returns at once: np.result_type costs
        # ~1 µs, a real share of a small kernel call.
        if a.dtype == b.dtype and (c is None or c.dtype == a.dtype):
            return a, b, c
        dtype = np.result_type(*(x.dtype for x in (a, b, c) if x is not None))
        return tuple(x if x is None or x.dtype == dtype else x.astype(dtype) for x in (a, b, c))

    @staticmethod
    def _activation(activation, kernel):
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"{kernel}: activation must be one of {ACTIVATIONS}, got {activation!r}"
            )

    def _labels(self, t, x, kernel):
        """t as integer labels (N,) in [0, C) or a float target shaped like x."""
        if not isinstance(t, self.xp.ndarray):
            t = self._from_foreign(t, "t", kernel)
        n, c = x.shape
        if t.ndim == 1 and t.dtype.kind in "iu":
            if t.shape[0] != n:
                raise ValueError(
                    f"{kernel}: {n} rows in x {x.shape} but {t.shape[0]} labels in t {t.shape}"
                )
            if t.dtype != np.intp or (self._host_memory and not t.flags.aligned):
                t = t.astype(np.intp)  # native and aligned, as the C code indexes it
            # Viewed as unsigned, a negative label becomes huge, so one max
            # finds labels below 0 and labels >= c alike (one reduction, not two).
            if n and int(t.view(np.uintp).max()) >= c:
                raise ValueError(
                    f"{kernel}: labels must lie in [0, {c}) for x of shape {x.shape}, "
                    f"got values from {int(t.min())} to {int(t.max())}"
                )
            return t
        if t.dtype.kind in "biuc" or t.dtype.char not in _FLOAT_CHARS:
            raise TypeError(
                f"{kernel}: t must be integer labels of shape ({n},) or a float32/float64 "
                f"one-hot array of shape {x.shape}, got dtype {t.dtype} and shape {t.shape}"
            )
        t = self._array(t, "t", kernel)
        if t.shape != x.shape:
            raise ValueError(
                f"{kernel}: one-hot t must have the shape of x {x.shape}, got {t.shape}"
            )
        self._finite_target(t, kernel)
        return t if t.dtype == x.dtype else t.astype(x.dtype)

    def _finite_target(self, t, kernel):
        """Refuse NaN or inf in a one-hot t.

        The loss reads only argmax(t), so a NaN there would give a finite loss
        and a NaN gradient. One BLAS dot product, Σt², is NaN or inf whenever
        an element is (and, without a warning, when huge finite values
        overflow: the exact test then clears those).
        """
        xp = self.xp
        if t.size and not math.isfinite(float(xp.vdot(t, t))) \
                and not bool(xp.isfinite(t).min()):
            raise ValueError(f"{kernel}: the target t contains NaN or inf")

    @staticmethod
    def _finite_loss(loss, kernel, inputs="the input"):
        # A NaN or inf anywhere in the logits makes the loss NaN: checking the
        # scalar costs nothing, scanning the input would cost a pass.
        if not math.isfinite(loss):
            raise ValueError(f"{kernel}: {inputs} contains NaN or inf (loss is {loss})")
        return loss

    @staticmethod
    def _same_shape(a, b, names, kernel):
        if a.shape != b.shape:
            raise ValueError(
                f"{kernel}: {names[1]} has shape {b.shape} but {names[0]} has shape {a.shape}"
            )

    # --------------------------------------------------------------- GEMM

    def gemm(self, a, b, bias=None, activation="identity", trans_a=False, trans_b=False):
        """C := act(op(A)·op(B) + bias). See reference.gemm."""
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
        self._activation(activation, "gemm")
        a, b, bias = self._common(a, b, bias)
        return self.impl.gemm(a, b, bias, activation, bool(trans_a), bool(trans_b))

    # ------------------------------------------------------- broadcasting

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

    # ------------------------------------------------------------- losses

    def softmax(self, x):
        """Row-wise stable softmax of a (N, C) array. See reference.softmax."""
        x = self._array(x, "x", "softmax", ndim=2)
        y = self.impl.softmax(x)
        # Every finite row gives finite probabilities, so one reduction over
        # the output finds NaN/inf input without a separate pass over x.
        if y.size and not bool(self.xp.isfinite(y.sum())):
            raise ValueError("softmax: the input contains NaN or inf")
        return y

    def cross_entropy(self, y, t):
        """The book's cross_entropy_error on (N, C) probabilities."""
        y = self._array(y, "y", "cross_entropy", ndim=2)
        t = self._labels(t, y, "cross_entropy")
        return self._finite_loss(self.impl.cross_entropy(y, t), "cross_entropy")

    def softmax_cross_entropy(self, x, t):
        """(loss, dX) of softmax + cross-entropy in one pass."""
        x = self._array(x, "x", "softmax_cross_entropy", ndim=2)
        t = self._labels(t, x, "softmax_cross_entropy")
        loss, dx = self.impl.softmax_cross_entropy(x, t)
        return self._finite_loss(loss, "softmax_cross_entropy"), dx

    def sigmoid_binary_cross_entropy(self, x, t):
        """(loss, dX) of sigmoid + binary cross-entropy, mean over elements."""
        x = self._array(x, "x", "sigmoid_binary_cross_entropy")
        t = self._array(t, "t", "sigmoid_binary_cross_entropy")
        self._same_shape(x, t, ("x", "t"), "sigmoid_binary_cross_entropy")
        x, t, _ = self._common(x, t)
        loss, dx = self.impl.sigmoid_binary_cross_entropy(x, t)
        # NaN or inf in x or t always makes the mean non-finite: no extra pass.
        return self._finite_loss(loss, "sigmoid_binary_cross_entropy", "x or t"), dx

    def mean_squared_error(self, y, t):
        """(loss, dY) of the mean squared error."""
        y = self._array(y, "y", "mean_squared_error")
        t = self._array(t, "t", "mean_squared_error")
        self._same_shape(y, t, ("y", "t"), "mean_squared_error")
        y, t, _ = self._common(y, t)
        loss, dy = self.impl.mean_squared_error(y, t)
        # NaN or inf in y or t always makes the mean non-finite: no extra pass.
        return self._finite_loss(loss, "mean_squared_error", "y or t"), dy
