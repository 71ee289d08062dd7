"""The reference optimizer updates, in NumPy (see __init__.py).

Every update changes `param` (and the state arrays) in place and returns
None: the book's layers hold references to the parameter arrays.
"""

import numpy as np

# Added to the denominator of AdaGrad, RMSprop and Adam (the book's value).
OPTIMIZER_EPS = 1e-7


def sgd_update(param, grad, lr):
    """p -= lr·g"""
    param -= lr * grad


def momentum_update(param, grad, velocity, lr, momentum):
    """v = momentum·v - lr·g; p += v"""
    velocity *= momentum
    velocity -= lr * grad
    param += velocity


def nesterov_update(param, grad, velocity, lr, momentum):
    """p += momentum²·v; p -= (1 + momentum)·lr·g; v = momentum·v - lr·g"""
    param += momentum * momentum * velocity
    param -= (1 + momentum) * lr * grad
    velocity *= momentum
    velocity -= lr * grad


def adagrad_update(param, grad, h, lr):
    """h += g²; p -= lr·g / (√h + 1e-7)"""
    h += grad * grad
    param -= lr * grad / (np.sqrt(h) + OPTIMIZER_EPS)


def rmsprop_update(param, grad, h, lr, decay_rate):
    """h = decay·h + (1 - decay)·g²; p -= lr·g / (√h + 1e-7)"""
    h *= decay_rate
    h += (1 - decay_rate) * grad * grad
    param -= lr * grad / (np.sqrt(h) + OPTIMIZER_EPS)


def adam_update(param, grad, m, v, lr_t, beta1, beta2):
    """m += (1-β1)(g - m); v += (1-β2)(g² - v); p -= lr_t·m / (√v + 1e-7)

    lr_t is the bias-corrected rate lr·√(1-β2^t)/(1-β1^t) the caller computed.
    """
    m += (1 - beta1) * (grad - m)
    v += (1 - beta2) * (grad * grad - v)
    param -= lr_t * m / (np.sqrt(v) + OPTIMIZER_EPS)


def rms_update(param, grad, h, lr, decay, gain, eps, eps_inside_sqrt=True):
    """h = decay·h + gain·g²; p -= lr·g / √(h + eps), or lr·g / (√h + eps)

    The running mean of squared gradients behind RMSprop and AdaGrad, with
    every constant a parameter. Keras puts eps INSIDE the square root
    (eps_inside_sqrt=True): its RMSprop is decay=rho, gain=1-rho, its Adagrad
    decay=1, gain=1 with h starting at initial_accumulator_value. The book
    adds it outside (rmsprop_update, adagrad_update).
    """
    h *= decay
    h += gain * grad * grad
    if eps_inside_sqrt:
        param -= lr * grad / np.sqrt(h + eps)
    else:
        param -= lr * grad / (np.sqrt(h) + eps)
