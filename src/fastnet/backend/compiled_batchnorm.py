"""Batch normalization and dropout for the "cython" backend.

Same names and signatures as `fastnet.backend.reference`. Outputs are
allocated here with NumPy; `fastnet._conv` fills them from C
(csrc/batchnorm_impl.h) without the GIL, in two or three passes where NumPy
makes about ten. The dropout mask itself is drawn by the reference
(np.random.rand), so np.random.seed reproduces the book.
"""

import numpy as np

from .. import _conv
from . import numpy as reference
from .numpy import dropout_mask  # noqa: F401  (NumPy's generator, as in the book)


def _readable(x):
    # The kernels index whole elements: a (rare) misaligned view is copied first.
    return x if x.flags.aligned else x.copy()


def _contiguous(*arrays):
    return all(a.flags.c_contiguous for a in arrays)


def batchnorm_forward_train(x, gamma, beta, running_mean, running_var, momentum):
    """(out, xn, std) of batch norm; running statistics updated in place."""
    if not _contiguous(running_mean, running_var):
        # strided running statistics: the reference updates them themselves, never a copy
        return reference.batchnorm_forward_train(x, gamma, beta, running_mean, running_var,
                                                 momentum)
    x = np.ascontiguousarray(x)
    out = np.empty_like(x)
    xn = np.empty_like(x)
    std = np.empty(x.shape[1], x.dtype)
    _conv.batchnorm_forward_train(x, np.ascontiguousarray(gamma), np.ascontiguousarray(beta),
                                  running_mean, running_var, momentum, out, xn, std)
    return out, xn, std


def batchnorm_forward_infer(x, gamma, beta, running_mean, running_var):
    """γ·(x - running_mean)/√(running_var + eps) + β."""
    x = np.ascontiguousarray(x)
    out = np.empty_like(x)
    _conv.batchnorm_forward_infer(x, *(np.ascontiguousarray(a) for a in
                                       (gamma, beta, running_mean, running_var)), out)
    return out


def batchnorm_backward(dout, xn, std, gamma):
    """(dx, dgamma, dbeta) in two passes over the batch."""
    dout = np.ascontiguousarray(dout)
    dx = np.empty_like(dout)
    dgamma = np.empty(dout.shape[1], dout.dtype)
    dbeta = np.empty(dout.shape[1], dout.dtype)
    _conv.batchnorm_backward(dout, np.ascontiguousarray(xn), np.ascontiguousarray(std),
                             np.ascontiguousarray(gamma), dx, dgamma, dbeta)
    return dx, dgamma, dbeta


def dropout_forward(x, mask):
    """Y := X·M in one pass (NumPy would first cast the mask to floats)."""
    if not _contiguous(x, mask):
        return reference.dropout_forward(x, mask)
    y = np.empty_like(x)
    _conv.mask_multiply(_readable(x), mask, y)
    return y


def dropout_backward(dout, mask):
    """dX := dout·M."""
    return dropout_forward(dout, mask)


def dropout_infer(x, dropout_ratio):
    """Y := X·(1 - ratio): one NumPy pass already."""
    return reference.dropout_infer(x, dropout_ratio)
