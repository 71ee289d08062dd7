"""Optimizer updates for the "cython" backend.

Same names and signatures as `fastnet.backend.numpy.optimizers`: each call updates
`param` and its state arrays in place, in one pass over memory
(`fastnet._optimizers`, csrc/optimizers/), rounding exactly like the
reference. When an array is not C-contiguous (rare: a view of a bigger
array) the compiled kernel declines and the reference rule runs instead, so
the caller's own arrays are always the ones updated, never a copy.
"""

from ... import _optimizers
from ..numpy import optimizers as reference


def sgd_update(param, grad, lr):
    """p -= lr·g"""
    if not _optimizers.sgd(param, grad, lr):
        reference.sgd_update(param, grad, lr)


def momentum_update(param, grad, velocity, lr, momentum):
    """v = momentum·v - lr·g; p += v"""
    if not _optimizers.momentum(param, grad, velocity, lr, momentum):
        reference.momentum_update(param, grad, velocity, lr, momentum)


def nesterov_update(param, grad, velocity, lr, momentum):
    """p += momentum²·v; p -= (1 + momentum)·lr·g; v = momentum·v - lr·g"""
    if not _optimizers.nesterov(param, grad, velocity, lr, momentum):
        reference.nesterov_update(param, grad, velocity, lr, momentum)


def adagrad_update(param, grad, h, lr):
    """h += g²; p -= lr·g / (√h + 1e-7)"""
    if not _optimizers.adagrad(param, grad, h, lr):
        reference.adagrad_update(param, grad, h, lr)


def rmsprop_update(param, grad, h, lr, decay_rate):
    """h = decay·h + (1 - decay)·g²; p -= lr·g / (√h + 1e-7)"""
    if not _optimizers.rmsprop(param, grad, h, lr, decay_rate):
        reference.rmsprop_update(param, grad, h, lr, decay_rate)


def adam_update(param, grad, m, v, lr_t, beta1, beta2):
    """m += (1-β1)(g - m); v += (1-β2)(g² - v); p -= lr_t·m / (√v + 1e-7)"""
    if not _optimizers.adam(param, grad, m, v, lr_t, beta1, beta2):
        reference.adam_update(param, grad, m, v, lr_t, beta1, beta2)


def rms_update(param, grad, h, lr, decay, gain, eps, eps_inside_sqrt=True):
    """h = decay·h + gain·g²; p -= lr·g / √(h + eps), or lr·g / (√h + eps)"""
    # The compiled kernel computes the eps-inside form (Keras'); nothing calls
    # the other with a compiled speed to keep, so the reference computes it.
    if not (eps_inside_sqrt and _optimizers.rms(param, grad, h, lr, decay, gain, eps)):
        reference.rms_update(param, grad, h, lr, decay, gain, eps, eps_inside_sqrt)
