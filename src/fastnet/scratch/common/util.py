"""The book's common/util.py: im2col / col2im, conv_output_size, shuffle_dataset, smooth_curve.

im2col and col2im are fastnet's compiled kernels (the current backend's);
the other three are small NumPy helpers for scripts, not kernels.
"""

import numpy as np

from fastnet.backend import current

__all__ = ["np", "smooth_curve", "shuffle_dataset", "conv_output_size", "im2col", "col2im"]

# Half-width of smooth_curve's window (the book's window of 11 samples).
_SMOOTH_HALF = 5


def smooth_curve(x):
    """x smoothed by a normalised Kaiser window (length 11, beta 2), same length as x.

    Used to plot noisy loss curves. Beyond the ends the curve is mirrored
    (left end without repeating x[0], right end repeating x[-1], as the
    book does), so the output keeps the input's length.
    """
    x = np.asarray(x, dtype=float)
    width = 2 * _SMOOTH_HALF
    left = x[width:0:-1]  # x[10], ..., x[1]
    right = x[-1:-width - 1:-1]  # x[-1], ..., x[-10]
    padded = np.concatenate([left, x, right])
    window = np.kaiser(width + 1, 2)
    smoothed = np.convolve(window / window.sum(), padded, mode="valid")
    return smoothed[_SMOOTH_HALF:len(smoothed) - _SMOOTH_HALF]


def shuffle_dataset(x, t):
    """(x, t) reordered by one permutation from NumPy's global generator."""
    permutation = np.random.permutation(x.shape[0])
    return x[permutation], t[permutation]


def conv_output_size(input_size, filter_size, stride=1, pad=0):
    """(input + 2·pad - filter) / stride + 1 (true division, as in the book)."""
    return (input_size + 2 * pad - filter_size) / stride + 1


def _float(x):
    # The book's im2col writes into np.zeros, so integer images give floats.
    x = current().xp.asarray(x)
    return x if x.dtype.char in "fd" else x.astype(np.float64)


def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    """(N, C, H, W) -> (N·OH·OW, C·FH·FW): one row per output pixel, zero padding.

    Rows are ordered by (n, oh, ow), columns by (c, fh, fw).
    """
    return current().im2col(_float(input_data), filter_h, filter_w, stride, pad)


def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    """The adjoint of im2col: sums overlapping columns back into (N, C, H, W)."""
    return current().col2im(_float(col), tuple(input_shape), filter_h, filter_w, stride, pad)
