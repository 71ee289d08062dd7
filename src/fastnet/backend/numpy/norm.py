"""The reference batch normalization, in NumPy (see __init__.py).

x is (N, D): statistics are per feature (column), over the batch (rows).
"""

import numpy as np

# Added to the variance inside the square root of batch normalization (the
# book's value, written 10e-7 there): keeps 1/std finite for a constant feature.
BATCHNORM_EPS = 10e-7


def batchnorm_forward_train(x, gamma, beta, running_mean, running_var, momentum):
    """out := γ·x̂ + β, x̂ := (x - μ) / √(σ² + eps), μ, σ² the batch mean and variance.

    x: (N, D), N >= 1; gamma, beta, running_mean, running_var: (D,).
    running_mean := momentum·running_mean + (1 - momentum)·μ, and the same
    for running_var with σ², IN PLACE (the book's rule). Returns
    (out, xn, std): x̂ and std = √(σ² + eps) are what backward needs.
    """
    mu = x.mean(axis=0)
    xc = x - mu
    var = np.mean(xc * xc, axis=0)
    std = np.sqrt(var + BATCHNORM_EPS)
    xn = xc / std
    running_mean[...] = momentum * running_mean + (1 - momentum) * mu
    running_var[...] = momentum * running_var + (1 - momentum) * var
    return gamma * xn + beta, xn, std


def batchnorm_forward_infer(x, gamma, beta, running_mean, running_var):
    """out := γ·(x - running_mean) / √(running_var + eps) + β, x (N, D)."""
    return gamma * ((x - running_mean) / np.sqrt(running_var + BATCHNORM_EPS)) + beta


def batchnorm_backward(dout, xn, std, gamma):
    """(dx, dγ, dβ) := (γ/std·(dout - dβ/N - x̂·dγ/N), Σ_n dout·x̂, Σ_n dout).

    dout, xn: (N, D); std, gamma: (D,). The book's chain through x̂, σ² and μ,
    simplified (Σ_n x̂ = 0), so one pass over the batch gives all three.
    """
    n = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xn).sum(axis=0)
    dx = (gamma / std) * (dout - dbeta / n - xn * (dgamma / n))
    return dx, dgamma, dbeta
