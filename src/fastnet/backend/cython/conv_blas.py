"""The fused convolution with NumPy's matmul (OpenBLAS) for the products.

Same structure as csrc/conv/conv_gemm_impl.h: the batch is cut into chunks of
images whose patch matrix stays in cache, and each chunk's patches (built in
C, `fastnet._conv.im2col`) are multiplied at once. Only the product moves
to NumPy: OpenBLAS (its Haswell/SkylakeX kernels in NumPy's wheel) ran these
shapes 1.15-1.6x faster than fastnet's packed AVX2 GEMM, which pays for the
Python loop over chunks once a layer is wide and deep enough (conv.py
chooses).
"""

import numpy as np

from ... import _conv, _gemm

# A chunk's patch matrix: big enough that the per-chunk Python calls are a
# small share, small enough to stay in L2/L3.
CHUNK_BYTES = 2 * 1024 * 1024


def _chunk(rows_per_image, k, itemsize, n):
    return max(1, min(n, CHUNK_BYTES // max(1, rows_per_image * k * itemsize)))


def conv_forward(x, wmat, b, act, kernel, out, channels_last, fh, fw, stride, pad):
    """out (N, OH, OW, FN) := act(patches(x) · wmatᵀ + b), a chunk at a time."""
    n, oh, ow, fn = out.shape
    k = wmat.shape[1]
    out2 = out.reshape(-1, fn)
    rpi = oh * ow
    chunk = _chunk(rpi, k, x.itemsize, n)
    col = np.empty((chunk * rpi, k), x.dtype)
    for n0 in range(0, n, chunk):
        n1 = min(n, n0 + chunk)
        rows = slice(n0 * rpi, n1 * rpi)
        c = col[: (n1 - n0) * rpi]
        _conv.im2col(x[n0:n1], c, fh, fw, stride, pad, oh, ow, channels_last)
        np.matmul(c, wmat.T, out=out2[rows])
        _gemm.epilogue(out2[rows], b, act, kernel)


def conv_backward(d, x, wmat, w_flip, dx, channels_last, fh, fw, stride, pad):
    """(dW in wmat's column order, db) and dx (zeroed, or written whole when
    w_flip is given) from d, the (N·OH·OW, FN) gradient before the activation."""
    n = x.shape[0]
    fn, k = wmat.shape
    oh_ow = d.shape[0] // max(n, 1)
    oh, ow = _out_hw(x.shape, fh, fw, stride, pad)
    dW = np.zeros((fn, k), x.dtype)
    part = np.empty((fn, k), x.dtype)
    chunk = _chunk(oh_ow, k, x.itemsize, n)
    col = np.empty((chunk * oh_ow, k), x.dtype)
    if dx is not None and w_flip is not None:
        h, w, c = x.shape[2], x.shape[3], x.shape[1]
        d_img = d.reshape(n, oh, ow, fn).transpose(0, 3, 1, 2)  # channels-last view
        dpatch = np.empty((chunk * h * w, w_flip.shape[1]), x.dtype)
        dx2 = dx.transpose(0, 2, 3, 1).reshape(-1, c)  # dx is channels-last contiguous
    elif dx is not None:
        dcol = np.empty((chunk * oh_ow, k), x.dtype)
    for n0 in range(0, n, chunk):
        n1 = min(n, n0 + chunk)
        dn = d[n0 * oh_ow:n1 * oh_ow]
        cn = col[: (n1 - n0) * oh_ow]
        _conv.im2col(x[n0:n1], cn, fh, fw, stride, pad, oh, ow, channels_last)
        np.matmul(dn.T, cn, out=part)
        dW += part
        if dx is None:
            continue
        if w_flip is not None:
            pn = dpatch[: (n1 - n0) * h * w]
            _conv.im2col(d_img[n0:n1], pn, fh, fw, 1, fh - 1 - pad, h, w, True)
            np.matmul(pn, w_flip.T, out=dx2[n0 * h * w:n1 * h * w])
        else:
            dc = dcol[: (n1 - n0) * oh_ow]
            np.matmul(dn, wmat, out=dc)
            _conv.col2im(dc, dx[n0:n1], fh, fw, stride, pad, oh, ow, channels_last)
    return dW


def _out_hw(shape, fh, fw, stride, pad):
    return (shape[2] + 2 * pad - fh) // stride + 1, (shape[3] + 2 * pad - fw) // stride + 1
