"""Image layouts the conv kernels of the "cython" backend read and write.

Shared by conv.py and conv_pool.py: which memory order an image has, the
filters as the matrix the fused kernels multiply, the buffers a backward
pass fills, and the way back to the book's (FN, C, FH, FW) order.
"""

import numpy as np

from .arrays import readable

# conv_backward computes dx by the flipped filters only from this many input
# channels: with fewer, that product is too narrow to pay for itself
# (benchmarks/README.md, "Lab notes from the code").
FLIP_MIN_CHANNELS = 8


def channels_last(x):
    # Channels adjacent in memory (a Convolution's own output): the kernel then
    # copies each pixel's channels as one run (csrc/conv/im2col_impl.h).
    return x.shape[1] > 1 and x.strides[1] == x.itemsize


def channels_last_new(shape, dtype, zeroed):
    """A new (N, C, H, W) array whose channels are adjacent in memory, zeroed or not."""
    n, c, h, w = shape
    return (np.zeros if zeroed else np.empty)((n, h, w, c), dtype).transpose(0, 3, 1, 2)


def filters(W, channels_last):
    """W as the (FN, C·FH·FW) matrix the fused kernel multiplies, columns in its patch order."""
    fn = W.shape[0]
    if channels_last:
        return np.ascontiguousarray(W.transpose(0, 2, 3, 1)).reshape(fn, -1)  # (i, j, c)
    return np.ascontiguousarray(W).reshape(fn, -1)  # (c, i, j), the book's


def rows(a):
    """a (N, F, OH, OW) whose (oh, ow) flatten to one stride, as the kernels read it."""
    a = readable(a)
    if a.strides[2] != a.shape[3] * a.strides[3]:
        a = np.array(a, order="C", copy=True)
    return a


def flipped_filters(W, stride, pad, need_input_grad, d_adjacent):
    """W flipped for dx as a convolution of the output gradient with them
    (csrc/conv/conv_gemm_impl.h), or None where that is not used: it needs stride 1,
    square filters, pad <= fh - 1, an output gradient whose channels are
    adjacent (d_adjacent), channels enough (that product has C columns) and
    finite filters: the product also multiplies the zeros around dout by
    every tap, and 0·inf or 0·NaN there is NaN where col2im adds nothing."""
    fn, c, fh, fw = W.shape
    if not (need_input_grad and d_adjacent and stride == 1 and fh == fw and pad <= fh - 1
            and c >= FLIP_MIN_CHANNELS and np.isfinite(W).all()):
        return None
    return np.ascontiguousarray(W[:, :, ::-1, ::-1].transpose(1, 2, 3, 0)).reshape(c, -1)


def gradient_buffers(x, W, need_input_grad):
    """(dW, db, dx) to be filled: dW in the kernel's (FN, C·FH·FW), dx zeroed and
    channels-last (or None)."""
    fn, c, fh, fw = W.shape
    dx = channels_last_new(x.shape, x.dtype, zeroed=True) if need_input_grad else None
    return np.empty((fn, c * fh * fw), x.dtype), np.empty(fn, x.dtype), dx


def w_order(dW, W_shape, channels_last):
    """dW from the kernel's column order back to W's (FN, C, FH, FW)."""
    fn, c, fh, fw = W_shape
    if channels_last:  # (i, j, c) columns -> (c, i, j)
        return np.ascontiguousarray(dW.reshape(fn, fh, fw, c).transpose(0, 3, 1, 2))
    return dW.reshape(W_shape)
