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

from . import conv_composed

ACTIVATIONS = ("identity", "relu", "sigmoid", "tanh")
_FLOAT_CHARS = "fd"  # float32, float64


class Backend:
    """One backend: a name, an array module `xp` and a kernel module `impl`.

    `impl` holds the raw kernels, named and shaped like
    `fastnet.backend.reference` (the specification).
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

    # -------------------------------------------------------- convolution

    @staticmethod
    def _window(kernel, shape, filter_h, filter_w, stride, pad, what="filter"):
        """(OH, OW) for a filter_h x filter_w window over (N, C, H, W), or a clear error."""
        for name, value, low in (("filter_h", filter_h, 1), ("filter_w", filter_w, 1),
                                 ("stride", stride, 1), ("pad", pad, 0)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                raise ValueError(f"{kernel}: {name} must be an integer >= {low}, got {value!r}")
        h, w = shape[2] + 2 * pad, shape[3] + 2 * pad
        if filter_h > h or filter_w > w:
            raise ValueError(
                f"{kernel}: {what} {filter_h}x{filter_w} is bigger than the input {shape} "
                f"padded by {pad} ({h}x{w})"
            )
        return (h - filter_h) // stride + 1, (w - filter_w) // stride + 1

    def _image(self, x, name, kernel):
        x = self._array(x, name, kernel)
        if x.ndim != 4:
            raise ValueError(
                f"{kernel}: {name} must be 4-D (N, C, H, W), got shape {x.shape} ({x.ndim}-D)"
            )
        return x

    @staticmethod
    def _input_shape(input_shape, kernel):
        message = f"{kernel}: input_shape must be (N, C, H, W), got {input_shape!r}"
        try:
            shape = tuple(int(s) for s in input_shape)
        except TypeError:
            raise ValueError(message) from None
        if len(shape) != 4 or min(shape) < 0:
            raise ValueError(message)
        return shape

    def im2col(self, x, filter_h, filter_w, stride=1, pad=0):
        """(N, C, H, W) -> (N·OH·OW, C·FH·FW) patches. See reference.im2col."""
        x = self._image(x, "x", "im2col")
        self._window("im2col", x.shape, filter_h, filter_w, stride, pad)
        return self.impl.im2col(x, int(filter_h), int(filter_w), int(stride), int(pad))

    def col2im(self, col, input_shape, filter_h, filter_w, stride=1, pad=0):
        """The adjoint of im2col, -> (N, C, H, W). See reference.col2im."""
        col = self._array(col, "col", "col2im", ndim=2)
        shape = self._input_shape(input_shape, "col2im")
        oh, ow = self._window("col2im", shape, filter_h, filter_w, stride, pad)
        n, c = shape[:2]
        expected = (n * oh * ow, c * filter_h * filter_w)
        if col.shape != expected:
            raise ValueError(
                f"col2im: col must have shape {expected} for input_shape {shape}, "
                f"filter {filter_h}x{filter_w}, stride {stride}, pad {pad}; got {col.shape}"
            )
        return self.impl.col2im(col, shape, int(filter_h), int(filter_w), int(stride), int(pad))

    def _conv_args(self, x, W, kernel, stride, pad):
        x = self._image(x, "x", kernel)
        W = self._array(W, "W", kernel)
        if W.ndim != 4:
            raise ValueError(f"{kernel}: W must be 4-D (FN, C, FH, FW), got shape {W.shape}")
        if x.shape[1] != W.shape[1]:
            raise ValueError(
                f"{kernel}: x {x.shape} has {x.shape[1]} channels but W {W.shape} "
                f"expects {W.shape[1]}"
            )
        oh, ow = self._window(kernel, x.shape, W.shape[2], W.shape[3], stride, pad)
        return x, W, (x.shape[0], W.shape[0], oh, ow)

    def conv_forward(self, x, W, b, stride=1, pad=0, activation="identity"):
        """act(x ⊛ W + b) -> (N, FN, OH, OW). See reference.conv_forward."""
        x, W, _ = self._conv_args(x, W, "conv_forward", stride, pad)
        b = self._array(b, "b", "conv_forward", ndim=1)
        if b.shape[0] != W.shape[0]:
            raise ValueError(f"conv_forward: b must have shape ({W.shape[0]},) for W {W.shape}, "
                             f"got {b.shape}")
        self._activation(activation, "conv_forward")
        x, W, b = self._common(x, W, b)
        kernel = getattr(self.impl, "conv_forward", None) or self._composed_conv_forward
        return kernel(x, W, b, int(stride), int(pad), activation)

    def conv_backward(self, dout, x, W, stride=1, pad=0, need_input_grad=True, y=None,
                      activation="identity"):
        """(dx or None, dW, db) of y = act(x ⊛ W + b). See reference.conv_backward."""
        kernel = "conv_backward"
        x, W, out_shape = self._conv_args(x, W, kernel, stride, pad)
        dout = self._image(dout, "dout", kernel)
        if dout.shape != out_shape:
            raise ValueError(f"{kernel}: dout must have shape {out_shape} for x {x.shape} "
                             f"and W {W.shape}, got {dout.shape}")
        self._activation(activation, kernel)
        dout, x, W = self._common(dout, x, W)
        if activation != "identity":
            if y is None:
                raise ValueError(f"{kernel}: activation {activation!r} needs y, the forward output")
            y = self._image(y, "y", kernel)
            self._same_shape(dout, y, ("dout", "y"), kernel)
            if y.dtype != dout.dtype:
                y = y.astype(dout.dtype)
        kernel = getattr(self.impl, "conv_backward", None) or self._composed_conv_backward
        return kernel(dout, x, W, int(stride), int(pad), bool(need_input_grad), y, activation)

    # A backend without its own conv_forward / conv_backward gets the
    # reference's composition of its own im2col, gemm and col2im kernels.

    def _composed_conv_forward(self, *args):
        return conv_composed.conv_forward(self.impl, *args)

    def _composed_conv_backward(self, *args):
        return conv_composed.conv_backward(self.impl, *args)

    def _pool_args(self, pool, conv_shape, kernel):
        """pool as (pool_h, pool_w, stride, pad) ints, and the pooled (N, FN, POH, POW)."""
        try:
            pool_h, pool_w, stride, pad = pool
        except (TypeError, ValueError):
            raise ValueError(f"{kernel}: pool must be (pool_h, pool_w, stride, pad), "
                             f"got {pool!r}") from None
        oh, ow = self._window(kernel, conv_shape, pool_h, pool_w, stride, pad, what="pool")
        return (int(pool_h), int(pool_w), int(stride), int(pad)), (*conv_shape[:2], oh, ow)

    def conv_pool_forward(self, x, W, b, stride, pad, activation, pool):
        """(out, arg_max) of maxpool(act(x ⊛ W + b)). See reference.conv_pool_forward."""
        kernel = "conv_pool_forward"
        x, W, conv_shape = self._conv_args(x, W, kernel, stride, pad)
        pool, _ = self._pool_args(pool, conv_shape, kernel)
        b = self._array(b, "b", kernel, ndim=1)
        if b.shape[0] != W.shape[0]:
            raise ValueError(f"{kernel}: b must have shape ({W.shape[0]},) for W {W.shape}, "
                             f"got {b.shape}")
        self._activation(activation, kernel)
        x, W, b = self._common(x, W, b)
        fused = getattr(self.impl, kernel, None)
        if fused is None:  # composed from this backend's own kernels
            return conv_composed.conv_pool_forward(self.impl, x, W, b, int(stride), int(pad),
                                                   activation, pool)
        return fused(x, W, b, int(stride), int(pad), activation, pool)

    def conv_pool_backward(self, dout, arg_max, out, x, W, stride, pad, activation, pool,
                           need_input_grad=True):
        """(dx or None, dW, db) of maxpool(act(x ⊛ W + b)). See reference.conv_pool_backward."""
        kernel = "conv_pool_backward"
        x, W, conv_shape = self._conv_args(x, W, kernel, stride, pad)
        pool, pooled = self._pool_args(pool, conv_shape, kernel)
        self._activation(activation, kernel)
        dout = self._image(dout, "dout", kernel)
        out = self._image(out, "out", kernel)
        for name, a in (("dout", dout), ("out", out)):
            if a.shape != pooled:
                raise ValueError(f"{kernel}: {name} must have shape {pooled} (pool {pool} over "
                                 f"the convolution's {conv_shape}), got "
                                 f"{getattr(a, 'shape', type(a))}")
        self._pool_winners(arg_max, pooled, pool, kernel, "conv_pool_forward")
        dout, x, W = self._common(dout, x, W)
        if out.dtype != dout.dtype:
            out = out.astype(dout.dtype)
        fused = getattr(self.impl, kernel, None) or self._composed_conv_pool_backward
        return fused(dout, arg_max, out, x, W, int(stride), int(pad), activation, pool,
                     bool(need_input_grad))

    def _composed_conv_pool_backward(self, *args):
        return conv_composed.conv_pool_backward(self.impl, *args)

    def _pool_winners(self, arg_max, shape, pool, kernel, forward):
        """arg_max must be the int32 winners `forward` returned: a kernel writes at them."""
        if not isinstance(arg_max, self._ndarray) or arg_max.shape != shape \
                or arg_max.dtype != np.int32:
            raise ValueError(
                f"{kernel}: arg_max must be the int32 array of shape {shape} that "
                f"{forward} returned, got {getattr(arg_max, 'shape', type(arg_max))} "
                f"{getattr(arg_max, 'dtype', '')}"
            )
        # One reduction proves every index in range.
        if arg_max.size and int(arg_max.view(np.uint32).max()) >= pool[0] * pool[1]:
            raise ValueError(f"{kernel}: arg_max values must lie in [0, {pool[0] * pool[1]})")

    def max_pool_forward(self, x, pool_h, pool_w, stride, pad):
        """(out, arg_max) of max pooling. See reference.max_pool_forward."""
        x = self._image(x, "x", "max_pool_forward")
        self._window("max_pool_forward", x.shape, pool_h, pool_w, stride, pad, what="pool")
        return self.impl.max_pool_forward(x, int(pool_h), int(pool_w), int(stride), int(pad))

    def max_pool_backward(self, dout, arg_max, input_shape, pool_h, pool_w, stride, pad):
        """dx routing dout to each window's arg_max. See reference.max_pool_backward."""
        kernel = "max_pool_backward"
        dout = self._image(dout, "dout", kernel)
        shape = self._input_shape(input_shape, kernel)
        oh, ow = self._window(kernel, shape, pool_h, pool_w, stride, pad, what="pool")
        expected = (shape[0], shape[1], oh, ow)
        if dout.shape != expected:
            raise ValueError(
                f"{kernel}: dout must have shape {expected} for input_shape {shape}, "
                f"pool {pool_h}x{pool_w}, stride {stride}, pad {pad}; got {dout.shape}"
            )
        self._pool_winners(arg_max, expected, (pool_h, pool_w), kernel, "max_pool_forward")
        return self.impl.max_pool_backward(dout, arg_max, shape, int(pool_h), int(pool_w),
                                           int(stride), int(pad))

    # ------------------------------------------------ batch normalization

    def _features(self, arrays, names, d, kernel):
        out = []
        for a, name in zip(arrays, names):
            a = self._array(a, name, kernel, ndim=1)
            if a.shape[0] != d:
                raise ValueError(f"{kernel}: {name} must have shape ({d},), got {a.shape}")
            out.append(a)
        return out

    def _running(self, running_mean, running_var, x, kernel):
        for name, r in (("running_mean", running_mean), ("running_var", running_var)):
            if not isinstance(r, self._ndarray) or r.shape != (x.shape[1],) \
                    or r.dtype != x.dtype:
                raise ValueError(
                    f"{kernel}: {name} must be a {x.dtype} array of shape ({x.shape[1]},) "
                    f"for x {x.shape}, got {getattr(r, 'dtype', type(r))} "
                    f"{getattr(r, 'shape', '')}"
                )

    def batchnorm_forward_train(self, x, gamma, beta, running_mean, running_var, momentum):
        """(out, xn, std) of batch norm on a (N, D) batch; running stats updated in place."""
        kernel = "batchnorm_forward_train"
        x = self._array(x, "x", kernel, ndim=2)
        if x.shape[0] == 0:
            raise ValueError(f"{kernel}: a batch of x {x.shape} has no sample to average")
        gamma, beta = self._features((gamma, beta), ("gamma", "beta"), x.shape[1], kernel)
        x, gamma, beta = self._common(x, gamma, beta)
        self._running(running_mean, running_var, x, kernel)
        for r in (running_mean, running_var):
            if not self._writeable(r):
                raise ValueError(f"{kernel}: running statistics are updated in place; "
                                 "they must be writable")
        return self.impl.batchnorm_forward_train(x, gamma, beta, running_mean, running_var,
                                                 float(momentum))

    def batchnorm_forward_infer(self, x, gamma, beta, running_mean, running_var):
        """Batch norm with the running statistics, x (N, D)."""
        kernel = "batchnorm_forward_infer"
        x = self._array(x, "x", kernel, ndim=2)
        gamma, beta = self._features((gamma, beta), ("gamma", "beta"), x.shape[1], kernel)
        x, gamma, beta = self._common(x, gamma, beta)
        self._running(running_mean, running_var, x, kernel)
        return self.impl.batchnorm_forward_infer(x, gamma, beta, running_mean, running_var)

    def batchnorm_backward(self, dout, xn, std, gamma):
        """(dx, dgamma, dbeta) of batch norm from forward_train's xn and std."""
        kernel = "batchnorm_backward"
        dout = self._array(dout, "dout", kernel, ndim=2)
        xn = self._array(xn, "xn", kernel, ndim=2)
        self._same_shape(xn, dout, ("xn", "dout"), kernel)
        std, gamma = self._features((std, gamma), ("std", "gamma"), dout.shape[1], kernel)
        dout, xn, std = self._common(dout, xn, std)
        if gamma.dtype != dout.dtype:
            gamma = gamma.astype(dout.dtype)
        return self.impl.batchnorm_backward(dout, xn, std, gamma)

    # ------------------------------------------------------------ dropout

    def _ratio(self, dropout_ratio, kernel):
        ratio = float(dropout_ratio)
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
        return self.impl.dropout_mask(tuple(int(s) for s in shape),
                                      self._ratio(dropout_ratio, "dropout_mask"))

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
