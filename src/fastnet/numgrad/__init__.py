"""Numerical gradients at practical speed: the book's central differences, not its loop.

    grads = fastnet.numgrad.numerical_gradient(net, x, t)   # what net.numerical_gradient calls
    report = fastnet.gradient_check(net, x, t)              # vs backprop, per parameter

The result is the book's: for every parameter p, (L(p + h) - L(p - h)) / 2h
with h = 1e-4 and each loss at the perturbed parameters (weight decay
included), equal to the book's loop within its own rounding (~1e-12).
How it gets there without 2 forward passes per parameter: fast.py (series
of the loss per perturbed unit, summed into each parameter's difference),
direct.py (single perturbations through the rest of the net), chain.py
(which parameters this covers: the Affine chain at the end of a net; the
rest, and nets with Dropout or BatchNormalization, go through the book's
loop, fastnet.gradient). series.py is the power-series arithmetic,
kernels.py the checked entry points of the compiled kernels (csrc/numgrad/:
xent_jet, affine_jet, series_sum), reference.py their NumPy specification.
"""

import numpy as np

from ..gradient import numerical_gradient as _loop
from .chain import fast_chain, forward
from .check import GradientReport, gradient_check
from .fast import stage_gradients

__all__ = ["numerical_gradient", "gradient_check", "GradientReport"]


def numerical_gradient(net, x, t, method="auto"):
    """{param name: central differences of net's training loss}, like the book's.

    method "auto" takes the fast path for the parameters it covers and the
    book's loop for the others; "loop" runs the book's loop for all (slow:
    two full losses per parameter).
    """
    if method not in ("auto", "loop"):
        raise ValueError(f"numerical_gradient: method must be 'auto' or 'loop', got {method!r}")
    loss = net._training_loss(x, t)  # checks x and t as the book's first loss would
    plan = fast_chain(net) if method == "auto" else None
    grads = {}
    if plan is not None and np.isfinite(loss):
        grads = _fast(net, plan, x, t)

    def loss_w(_):
        return net._training_loss(x, t)

    for key, param in net.params.items():
        if key not in grads:
            grads[key] = _loop(loss_w, param)
    return {key: grads[key] for key in net.params}


def _fast(net, plan, x, t):
    prefix, stages = plan
    if not all(np.isfinite(s.W).all() and np.isfinite(s.b).all() for s in stages):
        return {}
    inputs, pre = forward(prefix, stages, x)
    if not np.isfinite(inputs[0]).all():
        return {}
    labels = np.asarray(t)
    labels = labels.argmax(axis=1) if labels.ndim == 2 else labels
    labels = labels.astype(np.int64)
    scores = pre[-1]
    e = np.exp(scores - scores.max(axis=1, keepdims=True, initial=-np.inf))
    y = e / e.sum(axis=1, keepdims=True)
    grads = {}
    for s, stage in enumerate(stages):
        dW, db = stage_gradients(stages, inputs, pre, y, labels, s, net.weight_decay_lambda)
        grads[stage.w_key] = dW.astype(stage.W.dtype)
        grads[stage.b_key] = db.astype(stage.b.dtype)
    return grads
