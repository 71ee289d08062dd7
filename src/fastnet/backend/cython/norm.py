"""Batch normalization for the "cython" backend.

Same names and signatures as `fastnet.backend.numpy.norm`. Outputs are
allocated here with NumPy; `fastnet._norm` fills them from C
(csrc/norm/batchnorm_impl.h) without the GIL, in two or three passes where NumPy
makes about ten.
"""

import numpy as np

from ... import _norm
from ..numpy import norm as reference
from .arrays import contiguous


def batchnorm_forward_train(x, gamma, beta, running_mean, running_var, momentum):
    """(out, xn, std) of batch norm; running statistics updated in place."""
    if not contiguous(running_mean, running_var):
        # strided running statistics: the reference updates them themselves, never a copy
        return reference.batchnorm_forward_train(x, gamma, beta, running_mean, running_var,
                                                 momentum)
    x = np.ascontiguousarray(x)
    out = np.empty_like(x)
    xn = np.empty_like(x)
    std = np.empty(x.shape[1], x.dtype)
    _norm.batchnorm_forward_train(x, np.ascontiguousarray(gamma), np.ascontiguousarray(beta),
                                  running_mean, running_var, momentum, out, xn, std)
    return out, xn, std


def batchnorm_forward_infer(x, gamma, beta, running_mean, running_var):
    """γ·(x - running_mean)/√(running_var + eps) + β."""
    x = np.ascontiguousarray(x)
    out = np.empty_like(x)
    _norm.batchnorm_forward_infer(x, *(np.ascontiguousarray(a) for a in
                                      (gamma, beta, running_mean, running_var)), out)
    return out


def batchnorm_backward(dout, xn, std, gamma):
    """(dx, dgamma, dbeta) in two passes over the batch."""
    dout = np.ascontiguousarray(dout)
    dx = np.empty_like(dout)
    dgamma = np.empty(dout.shape[1], dout.dtype)
    dbeta = np.empty(dout.shape[1], dout.dtype)
    _norm.batchnorm_backward(dout, np.ascontiguousarray(xn), np.ascontiguousarray(std),
                             np.ascontiguousarray(gamma), dx, dgamma, dbeta)
    return dx, dgamma, dbeta
