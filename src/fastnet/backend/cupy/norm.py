"""Batch normalization for the "cupy" backend.

Column statistics (mean, sums) are CuPy's reductions; each pass over the
batch that combines them is one fused ElementwiseKernel.

`NormKernels` is a part of `DeviceKernels` (fastnet.backend.cupy), which
supplies the array module `self.xp` (CuPy) and the kernel objects `self.k`
(`build(cupy)`). Same names and signatures as `fastnet.backend.numpy.norm`.
"""

from ..numpy import BATCHNORM_EPS
from .launch import elementwise_kernels

# Batch normalization, elementwise over (N, D) with (D,) vectors broadcast.
BATCHNORM = {
    # xn := (x - μ) / std;  out := γ·xn + β   (std is spelled stdev: `std` is C++'s namespace)
    "forward_train": (
        "T x, T mu, T stdev, T gamma, T beta",
        "T xn, T out",
        "xn = (x - mu) / stdev; out = gamma * xn + beta",
    ),
    # r_μ := m·r_μ + (1 - m)·μ;  r_σ² := m·r_σ² + (1 - m)·σ²  (in place)
    "running": (
        "T mu, T var, T momentum, T one_minus_momentum",
        "T running_mean, T running_var",
        "running_mean = momentum * running_mean + one_minus_momentum * mu;"
        " running_var = momentum * running_var + one_minus_momentum * var",
    ),
    # out := γ·(x - r_μ) / √(r_σ² + eps) + β
    "forward_infer": (
        "T x, T running_mean, T running_var, T gamma, T beta, T eps",
        "T out",
        "out = gamma * ((x - running_mean) / sqrt(running_var + eps)) + beta",
    ),
    # dx := γ/std·(dout - dβ/N - xn·dγ/N)
    "backward": (
        "T dout, T xn, T stdev, T gamma, T dgamma, T dbeta, T count",
        "T dx",
        "dx = (gamma / stdev) * (dout - dbeta / count - xn * (dgamma / count))",
    ),
}


def build(cupy):
    """This family's CuPy kernel objects, by their names in `self.k`."""
    return {"batchnorm": elementwise_kernels(cupy, BATCHNORM, "batchnorm_{}")}


class NormKernels:
    """Batch normalization on `xp` arrays."""

    def batchnorm_forward_train(self, x, gamma, beta, running_mean, running_var, momentum):
        """(out, xn, std); running_mean and running_var updated in place."""
        mu = x.mean(axis=0)
        xc = x - mu
        var = (xc * xc).mean(axis=0)
        std = self.xp.sqrt(var + BATCHNORM_EPS)
        bn = self.k.batchnorm
        xn, out = bn["forward_train"](x, mu, std, gamma, beta)
        bn["running"](mu, var, momentum, 1 - momentum, running_mean, running_var)
        return out, xn, std

    def batchnorm_forward_infer(self, x, gamma, beta, running_mean, running_var):
        """γ·(x - running_mean) / √(running_var + eps) + β: one kernel."""
        return self.k.batchnorm["forward_infer"](x, running_mean, running_var, gamma, beta,
                                                 BATCHNORM_EPS)

    def batchnorm_backward(self, dout, xn, std, gamma):
        """(dx, dgamma, dbeta): two column sums, then one kernel for dx."""
        dbeta = dout.sum(axis=0)
        dgamma = (dout * xn).sum(axis=0)
        dx = self.k.batchnorm["backward"](dout, xn, std, gamma, dgamma, dbeta, dout.shape[0])
        return dx, dgamma, dbeta
