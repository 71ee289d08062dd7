"""`Backend`: the checked entry point to one backend's kernels.

Every kernel call goes through a method here. The method validates the
input once, in Python (ndim, dtype, shapes, label range, NaN where it
matters), casts mixed float32/float64 input to the common dtype like NumPy
does, and only then calls the backend's kernel, which trusts its input.
All backends therefore reject bad input with the same message, and a
compiled kernel never sees an array it could crash on.
"""

import math

import numpy as np

from .validated_conv import ConvolutionChecks

ACTIVATIONS = ("identity", "relu", "sigmoid", "tanh")
_FLOAT_CHARS = "fd"  # float32, float64


class Backend(ConvolutionChecks):
    """One backend: a name, an array module `xp` and a kernel module `impl`.

    `impl` holds the raw kernels, named and shaped like
    `fastnet.backend.reference` (the specification). The checks of the
    chapter 6-7 kernels (convolution, pooling, batch norm, dropout) live in
    validated_conv.py; the helpers they share are here.
    """

    def __init__(self, name, impl):
        self.name = name
        self.impl = impl
        self.xp = impl.xp
        self._ndarray = impl.xp.ndarray  # looked up on every call: keep it at hand

    def __repr__(self):
        return f"<fastnet backend {self.name!r}>"

    # ------------------------------------------------------------ helpers

    def _array(self, x, name, kernel, ndim=None):
        """x as a float32/float64 array of this backend, or a clear error."""
        if not isinstance(x, self._ndarray):
            x = self._from_foreign(x, name, kernel)
        if x.dtype.char not in _FLOAT_CHARS:
            raise TypeError(
                f"{kernel}: {name} must be float32 or float64, got dtype {x.dtype}"
                + (" (cast it with .astype(np.float32))" if x.dtype.kind in "biu" else "")
            )
        if ndim is not None and x.ndim != ndim:
            raise ValueError(
                f"{kernel}: {name} must be {ndim}-D, got shape {x.shape} ({x.ndim}-D)"
            )
        return x

    def _from_foreign(self, x, name, kernel):
        # A CPU backend accepts lists and other array-likes like NumPy does.
        # A GPU backend overrides this to refuse host arrays (no hidden copies).
        try:
            return self.xp.asarray(x)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{kernel}: {name} is not an array: {type(x).__name__}") from exc

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
            t = t if t.dtype == np.intp else t.astype(np.intp)
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
        if t.shape != x.shape:
            raise ValueError(
                f"{kernel}: one-hot t must have the shape of x {x.shape}, got {t.shape}"
            )
        return t if t.dtype == x.dtype else t.astype(x.dtype)

    @staticmethod
    def _finite_loss(loss, kernel):
        # A NaN or inf anywhere in the logits makes the loss NaN: checking the
        # scalar costs nothing, scanning the input would cost a pass.
        if not math.isfinite(loss):
            raise ValueError(f"{kernel}: the input contains NaN or inf (loss is {loss})")
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
        return self._finite_loss(loss, "sigmoid_binary_cross_entropy"), dx

    def mean_squared_error(self, y, t):
        """(loss, dY) of the mean squared error."""
        y = self._array(y, "y", "mean_squared_error")
        t = self._array(t, "t", "mean_squared_error")
        self._same_shape(y, t, ("y", "t"), "mean_squared_error")
        y, t, _ = self._common(y, t)
        loss, dy = self.impl.mean_squared_error(y, t)
        return self._finite_loss(loss, "mean_squared_error"), dy

    # --------------------------------------------------------- optimizers

    def _update_args(self, kernel, param, grad, *state):
        param = self._array(param, "param", kernel)
        grad = self._array(grad, "grad", kernel)
        if grad.shape != param.shape:
            raise ValueError(
                f"{kernel}: grad has shape {grad.shape} but param has shape {param.shape}"
            )
        for s in state:
            s = self._array(s, "optimizer state", kernel)
            if s.shape != param.shape or s.dtype != param.dtype:
                raise ValueError(
                    f"{kernel}: optimizer state {s.shape} {s.dtype} does not match "
                    f"param {param.shape} {param.dtype}"
                )
        if not self._writeable(param):
            raise ValueError(f"{kernel}: param is read-only and is updated in place")
        if grad.dtype != param.dtype:
            grad = grad.astype(param.dtype)
        return param, grad

    def sgd_update(self, param, grad, lr):
        """p -= lr·g, in place."""
        param, grad = self._update_args("sgd_update", param, grad)
        self.impl.sgd_update(param, grad, float(lr))

    def momentum_update(self, param, grad, velocity, lr, momentum):
        """The book's Momentum step, in place."""
        param, grad = self._update_args("momentum_update", param, grad, velocity)
        self.impl.momentum_update(param, grad, velocity, float(lr), float(momentum))

    def nesterov_update(self, param, grad, velocity, lr, momentum):
        """The book's Nesterov step, in place."""
        param, grad = self._update_args("nesterov_update", param, grad, velocity)
        self.impl.nesterov_update(param, grad, velocity, float(lr), float(momentum))

    def adagrad_update(self, param, grad, h, lr):
        """The book's AdaGrad step, in place."""
        param, grad = self._update_args("adagrad_update", param, grad, h)
        self.impl.adagrad_update(param, grad, h, float(lr))

    def rmsprop_update(self, param, grad, h, lr, decay_rate):
        """The book's RMSprop step, in place."""
        param, grad = self._update_args("rmsprop_update", param, grad, h)
        self.impl.rmsprop_update(param, grad, h, float(lr), float(decay_rate))

    def adam_update(self, param, grad, m, v, lr_t, beta1, beta2):
        """The book's Adam step with the bias-corrected rate lr_t, in place."""
        param, grad = self._update_args("adam_update", param, grad, m, v)
        self.impl.adam_update(param, grad, m, v, float(lr_t), float(beta1), float(beta2))

    def keras_rms_update(self, param, grad, h, lr, decay, gain, eps):
        """Keras' RMSprop / Adagrad step (eps inside the sqrt), in place."""
        param, grad = self._update_args("keras_rms_update", param, grad, h)
        self.impl.keras_rms_update(
            param, grad, h, float(lr), float(decay), float(gain), float(eps)
        )
