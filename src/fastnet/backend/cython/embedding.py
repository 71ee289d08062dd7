"""The embedding gradient for the "cython" backend.

Same name and signature as `fastnet.backend.numpy.embedding`. The output is
allocated here with NumPy; `fastnet._embedding` fills it from C
(csrc/embedding/embedding_impl.h) without the GIL, adding whole rows where
np.add.at adds one element at a time.
"""

import numpy as np

from ... import _embedding


def embedding_backward(dout, ids, input_dim):
    """dW[r, :] := Σ dout[n, :] over the look-ups (n, s) with ids[n, s] = r."""
    grad = np.empty((input_dim, dout.shape[1]), dtype=dout.dtype)
    _embedding.embedding_backward(dout, ids, grad)
    return grad
