"""Softmax and losses for the "cupy" backend: CUDA kernels and their launches.

`LossKernels` is a part of `DeviceKernels` (fastnet.backend.cupy), which
supplies the array module `self.xp` (CuPy) and the kernel objects `self.k`
(`build(cupy)`). Same names and signatures as `fastnet.backend.numpy.losses`.
"""

import numpy as np

from ..numpy import CROSS_ENTROPY_EPS
from .launch import elementwise_kernel, launch, raw_kernels

# term := softplus(x) - t·x;  dx := (sigmoid(x) - t) / count (count = x.size)
# softplus(x) = max(x, 0) + log1p(exp(-|x|)) never overflows.
SIGMOID_BCE = (
    "T x, T t, T count",
    "T term, T dx",
    "term = act_relu(x) + log1p(exp(-fabs(x))) - t * x;"
    " dx = (act_sigmoid(x) - t) / count",
)

# ------------------------------------------------------------- row kernels
# One thread per row i of a C-contiguous (n, c) array. A row of a learner's
# network has 10 to 1,000 classes, so a sequential loop per row is short, and
# every thread reads its row in a few cache lines. `real` is float or double.

ROW_KERNELS = r"""
// Y[i] := exp(X[i] - max X[i]) / Σ exp(X[i] - max X[i]), written into y.
// Subtracting the max keeps exp from overflowing. An inf or NaN in the row
// makes the sum, hence the whole row, NaN, which the Backend reports.
// The caller guarantees c >= 1.
__device__ void softmax_row(const real* x, real* y, long long c) {
    real m = x[0];
    for (long long j = 1; j < c; ++j) m = x[j] > m ? x[j] : m;
    // The sum is kept in double: 1,000 float terms added one by one would
    // lose about three digits, where NumPy's pairwise sum loses one.
    double s = 0;
    for (long long j = 0; j < c; ++j) { y[j] = exp(x[j] - m); s += y[j]; }
    for (long long j = 0; j < c; ++j) y[j] = (real)(y[j] / s);
}

// The first index of the largest value, like argmax.
__device__ long long argmax_row(const real* t, long long c) {
    long long best = 0;
    for (long long j = 1; j < c; ++j) if (t[j] > t[best]) best = j;
    return best;
}

extern "C" __global__ void softmax_rows(const real* x, real* y, long long n, long long c) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) softmax_row(x + i * c, y + i * c, c);
}

// logp[i] := log(softmax(X)[i, t_i] + eps);  dX[i] := (softmax(X)[i] - onehot(t_i)) / n
// One launch gives the loss terms and the gradient: y is computed into dx
// and turned into the gradient in place.
extern "C" __global__ void softmax_xent_labels(const real* x, const long long* t, real* dx,
                                               real* logp, long long n, long long c,
                                               real eps) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    real* d = dx + i * c;
    softmax_row(x + i * c, d, c);
    logp[i] = log(d[t[i]] + eps);
    d[t[i]] -= 1;
    for (long long j = 0; j < c; ++j) d[j] /= (real)n;
}

// The same for a one-hot (or soft) float target T: the loss takes the label
// argmax(T[i]) (as the book does), the gradient is (softmax(X)[i] - T[i]) / n.
extern "C" __global__ void softmax_xent_onehot(const real* x, const real* t, real* dx,
                                               real* logp, long long n, long long c,
                                               real eps) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    real* d = dx + i * c;
    const real* ti = t + i * c;
    softmax_row(x + i * c, d, c);
    logp[i] = log(d[argmax_row(ti, c)] + eps);
    for (long long j = 0; j < c; ++j) d[j] = (d[j] - ti[j]) / (real)n;
}
"""

ROW_KERNEL_NAMES = ("softmax_rows", "softmax_xent_labels", "softmax_xent_onehot")

# Threads per block for the row kernels.
ROW_BLOCK = 128


def build(cupy):
    """This family's CuPy kernel objects, by their names in `self.k`."""
    return {
        "sigmoid_bce": elementwise_kernel(cupy, SIGMOID_BCE, "sigmoid_bce"),
        **{name: raw_kernels(cupy, ROW_KERNELS, name) for name in ROW_KERNEL_NAMES},
    }


class LossKernels:
    """Softmax and the losses on `xp` arrays."""

    def _launch_rows(self, name, *args):
        """Run row kernel `name` as name(*args), one thread per row of args[0]."""
        launch(getattr(self.k, name), args[0].shape[0], ROW_BLOCK, args)

    def softmax(self, x):
        """Row-wise stable softmax of (N, C): one row kernel."""
        if x.size == 0:
            return self._empty_rows(x)
        x = self.xp.ascontiguousarray(x)  # the row kernel reads raw pointers
        y = self.xp.empty_like(x)
        self._launch_rows("softmax_rows", x, y, np.int64(x.shape[0]), np.int64(x.shape[1]))
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
        self._launch_rows(name, x, t, dx, logp, np.int64(n), np.int64(x.shape[1]), eps)
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
