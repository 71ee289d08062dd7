"""Central differences (h = 1e-4), perturbing x in place."""

import numpy as np


def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        keep = float(x[idx])
        x[idx] = keep + h
        up = f(x)
        x[idx] = keep - h
        down = f(x)
        x[idx] = keep
        grad[idx] = (up - down) / (2 * h)
    return grad
