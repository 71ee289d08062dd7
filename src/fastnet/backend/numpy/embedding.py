"""The reference embedding kernel: the gradient of a table look-up.

In NumPy, the specification of the other backends (see __init__.py).
"""

import numpy as np


def embedding_backward(dout, ids, input_dim):
    """dW[r, :] := Σ dout[n, :] over every look-up (n, s) with ids[n, s] = r.

    dout (N, D) holds gradient rows; ids (N, S) integers in [0, input_dim)
    the S table rows that row n of dout goes to (S = 1: one look-up per row;
    S > 1: one row shared by S look-ups, as GlobalAveragePooling1D's gradient
    is shared by every step of a sample). Returns a new (input_dim, D) array
    of dout's dtype; rows no id names are 0.

    Each row's sum runs in dout's dtype in look-up order (n, then s), as
    np.add.at adds: every backend adds in this order, so the result is the
    same on every run, on any number of threads.
    """
    grad = np.zeros((input_dim, dout.shape[1]), dtype=dout.dtype)
    np.add.at(grad, ids.reshape(-1), np.repeat(dout, ids.shape[1], axis=0))
    return grad
