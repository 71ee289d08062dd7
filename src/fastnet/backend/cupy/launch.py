"""The "cupy" backend's kernels: the reference's names, run on device arrays.

`DeviceKernels(xp, k)` holds the array module `xp` (CuPy) and the compiled
kernel objects `k` (`cuda.build(cupy)`), and offers every kernel of
`fastnet.backend.numpy` under the same name and signature. This file is
only glue: it allocates outputs with `xp`, picks the kernel for the
activation and dtype, and launches it. It never calls NumPy on an array:
NumPy appears only for scalar types (`np.int64(n)`), because a RawKernel
passes its scalar arguments by their exact C type.

The glue is written against `xp` and `k` rather than importing CuPy, so the
tests run it on a machine without a GPU, with a strict stand-in array module
and the reference math in place of the CUDA kernels (tests/_fake_device.py).
"""

import numpy as np

from ..numpy import CROSS_ENTROPY_EPS, OPTIMIZER_EPS
from .cuda import ROW_BLOCK
from .launch_conv import DeviceConvKernels


class DeviceKernels(DeviceConvKernels):
    """Every kernel of reference.py on `xp` arrays, computed by the kernels in `k`.

    The convolution-era kernels come from DeviceConvKernels (launch_conv.py).
    """

    def __init__(self, xp, k):
        self.xp = xp
        self.k = k

    # ------------------------------------------------------------- GEMM

    def gemm(self, a, b, bias=None, activation="identity", trans_a=False, trans_b=False):
        """C := act(op(A)·op(B) + bias): cuBLAS, then one fused epilogue kernel."""
        a = a.T if trans_a else a
        b = b.T if trans_b else b
        # matmul hands the product to cuBLAS; CuPy can pass a transposed view
        # as cuBLAS's transpose flag instead of copying it.
        c = self.xp.matmul(a, b)
        if bias is not None:
            self.k.bias_activation[activation](bias, c)  # c := act(c + bias), in place
        elif activation != "identity":
            self.k.activation_forward[activation](c, c)  # c := act(c), in place
        return c

    # ------------------------------------------------------ broadcasting
    # CuPy's own elementwise operators are one fused kernel each already.

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

    # ------------------------------------------------------------ losses

    def _launch_rows(self, name, x, *args):
        """Run row kernel `name` for x's dtype with one thread per row of x."""
        n = x.shape[0]
        kernel = getattr(self.k, name)[x.dtype.char]
        grid = ((n + ROW_BLOCK - 1) // ROW_BLOCK,)
        kernel(grid, (ROW_BLOCK,), args)

    def softmax(self, x):
        """Row-wise stable softmax of (N, C): one row kernel."""
        if x.size == 0:
            return self._empty_rows(x)
        x = self.xp.ascontiguousarray(x)  # the row kernel reads raw pointers
        y = self.xp.empty_like(x)
        self._launch_rows("softmax_rows", x, x, y, np.int64(x.shape[0]), np.int64(x.shape[1]))
        return y

    def cross_entropy(self, y, t):
        """-Σ_i log(Y[i, t_i] + 1e-7) / N, as a Python float."""
        xp = self.xp
        n = y.shape[0]
        if n == 0:
            return 0.0
        labels = t.argmax(axis=1) if t.ndim == 2 else t
        picked = y[xp.arange(n), labels]
        return -float(xp.sum(xp.log(picked + CROSS_ENTROPY_EPS))) / n

    def softmax_cross_entropy(self, x, t):
        """(loss, dX) of softmax + cross-entropy: one row kernel, then one sum."""
        xp = self.xp
        n = x.shape[0]
        if x.size == 0:
            return 0.0, self._empty_rows(x)
        x = xp.ascontiguousarray(x)
        if t.ndim == 2:  # one-hot (or soft) targets, x's dtype
            name, t = "softmax_xent_onehot", xp.ascontiguousarray(t)
        else:  # labels: `const long long*` in the kernel
            name, t = "softmax_xent_labels", xp.ascontiguousarray(t, dtype=xp.int64)
        dx = xp.empty_like(x)
        logp = xp.empty(n, dtype=x.dtype)  # log(Y[i, t_i] + eps) per row
        eps = x.dtype.type(CROSS_ENTROPY_EPS)  # `real eps` in the kernel
        self._launch_rows(name, x, x, t, dx, logp, np.int64(n), np.int64(x.shape[1]), eps)
        # One scalar comes back to the host per step: the loss the book returns.
        return -float(xp.sum(logp)) / n, dx

    def _empty_rows(self, x):
        # An empty batch has nothing to compute; rows without classes have no
        # softmax (NumPy's max raises the same way).
        if x.shape[0] and not x.shape[1]:
            raise ValueError(f"softmax of rows with no classes: x has shape {x.shape}")
        return self.xp.empty_like(x)

    def sigmoid_binary_cross_entropy(self, x, t):
        """(mean(softplus(X) - T·X), (sigmoid(X) - T) / X.size): one kernel, one mean."""
        if x.size == 0:
            return 0.0, x.copy()
        term, dx = self.k.sigmoid_bce(x, t, x.size)
        return float(term.mean()), dx

    def mean_squared_error(self, y, t):
        """(mean((Y - T)²), 2·(Y - T) / Y.size)."""
        if y.size == 0:
            return 0.0, y.copy()
        diff = y - t
        return float((diff * diff).mean()), (2 / y.size) * diff

    # -------------------------------------------------------- optimizers
    # One in-place elementwise kernel each; scalars are combined here in
    # double precision, exactly where reference.py combines them.

    def sgd_update(self, param, grad, lr):
        """p -= lr·g"""
        self.k.optimizers["sgd"](grad, lr, param)

    def momentum_update(self, param, grad, velocity, lr, momentum):
        """v = momentum·v - lr·g; p += v"""
        self.k.optimizers["momentum"](grad, lr, momentum, param, velocity)

    def nesterov_update(self, param, grad, velocity, lr, momentum):
        """p += momentum²·v; p -= (1 + momentum)·lr·g; v = momentum·v - lr·g"""
        self.k.optimizers["nesterov"](
            grad, lr, momentum, momentum * momentum, (1 + momentum) * lr, param, velocity
        )

    def adagrad_update(self, param, grad, h, lr):
        """h += g²; p -= lr·g / (√h + 1e-7)"""
        self.k.optimizers["adagrad"](grad, lr, OPTIMIZER_EPS, param, h)

    def rmsprop_update(self, param, grad, h, lr, decay_rate):
        """h = decay·h + (1 - decay)·g²; p -= lr·g / (√h + 1e-7)"""
        self.k.optimizers["rmsprop"](grad, lr, decay_rate, 1 - decay_rate, OPTIMIZER_EPS, param, h)

    def rms_update(self, param, grad, h, lr, decay, gain, eps, eps_inside_sqrt=True):
        """h = decay·h + gain·g²; p -= lr·g / √(h + eps), or lr·g / (√h + eps)"""
        # eps outside the root is the rmsprop kernel's rule, with gain for 1 - decay.
        rule = "rms" if eps_inside_sqrt else "rmsprop"
        self.k.optimizers[rule](grad, lr, decay, gain, eps, param, h)

    def adam_update(self, param, grad, m, v, lr_t, beta1, beta2):
        """m += (1-β1)(g - m); v += (1-β2)(g² - v); p -= lr_t·m / (√v + 1e-7)"""
        self.k.optimizers["adam"](grad, lr_t, 1 - beta1, 1 - beta2, OPTIMIZER_EPS, param, m, v)
