"""im2col / col2im in NumPy: one strided slice per filter offset (fh, fw)."""

import numpy as np


def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    n, c, h, w = input_data.shape
    out_h = (h + 2 * pad - filter_h) // stride + 1
    out_w = (w + 2 * pad - filter_w) // stride + 1
    img = np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)], "constant")
    col = np.zeros((n, c, filter_h, filter_w, out_h, out_w))  # float64, as the book's
    for fh in range(filter_h):
        rows = slice(fh, fh + stride * out_h, stride)
        for fw in range(filter_w):
            col[:, :, fh, fw] = img[:, :, rows, fw:fw + stride * out_w:stride]
    # rows (n, oh, ow), columns (c, fh, fw)
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * out_h * out_w, -1)


def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    n, c, h, w = input_shape
    out_h = (h + 2 * pad - filter_h) // stride + 1
    out_w = (w + 2 * pad - filter_w) // stride + 1
    col = col.reshape(n, out_h, out_w, c, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, h + 2 * pad + stride - 1, w + 2 * pad + stride - 1))
    for fh in range(filter_h):
        rows = slice(fh, fh + stride * out_h, stride)
        for fw in range(filter_w):
            img[:, :, rows, fw:fw + stride * out_w:stride] += col[:, :, fh, fw]
    return img[:, :, pad:h + pad, pad:w + pad]
