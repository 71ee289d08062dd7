"""Convolution, activation and max pooling in one kernel, for the "cython" backend.

Same names and signatures as `fastnet.backend.numpy.conv`. The C code
(csrc/conv/conv_pool_impl.h) convolves a chunk of images into a buffer that
stays in cache and pools it there, so the convolution's full-size output
never reaches memory; backward rebuilds its gradient chunk by chunk from the
pooled one. Where the convolution's products go to NumPy's GEMM instead
(conv.CONV_GEMM), the same results come from the separate kernels.
"""

from types import SimpleNamespace

import numpy as np

from ... import _conv
from .. import composed
from ..numpy.conv import conv_output_size
from ..vocabulary import ACTIVATION_CODES as _ACTIVATION_CODES
from . import conv, elementwise, gemm, layout
from .arrays import readable

# The separate compiled kernels, which composed chains where the
# convolution's products go to NumPy (conv.uses_blas).
_separate = SimpleNamespace(
    conv_forward=conv.conv_forward,
    conv_backward=conv.conv_backward,
    max_pool_forward=conv.max_pool_forward,
    max_pool_backward=conv.max_pool_backward,
    activation_backward=elementwise.activation_backward,
)


def _sizes(x, W, stride, pad, pool):
    """(OH, OW) of the convolution and (POH, POW) of the pooling after it."""
    _, _, fh, fw = W.shape
    oh = conv_output_size(x.shape[2], fh, stride, pad)
    ow = conv_output_size(x.shape[3], fw, stride, pad)
    pool_h, pool_w, pool_stride, pool_pad = pool
    return (oh, ow), (conv_output_size(oh, pool_h, pool_stride, pool_pad),
                      conv_output_size(ow, pool_w, pool_stride, pool_pad))


def conv_pool_forward(x, W, b, stride, pad, activation, pool):
    """(out, arg_max) := max_pool_forward(conv_forward(x, W, b, ...), *pool), as
    channels-last (N, FN, POH, POW) views."""
    fn, _, fh, fw = W.shape
    if conv.uses_blas(fn, W[0].size):
        return composed.conv_pool_forward(_separate, x, W, b, stride, pad, activation, pool)
    (oh, ow), (poh, pow_) = _sizes(x, W, stride, pad, pool)
    n = x.shape[0]
    out = np.empty((n, poh, pow_, fn), x.dtype)
    arg_max = np.empty((n, poh, pow_, fn), np.int32)
    x = readable(x)
    cl = layout.channels_last(x)
    if not _conv.conv_pool_forward(x, cl, layout.filters(W, cl), np.ascontiguousarray(b),
                                   _ACTIVATION_CODES[activation], gemm.kernel_code(),
                                   out, arg_max, fh, fw, stride, pad, oh, ow, tuple(pool)):
        raise MemoryError("conv_pool_forward: could not allocate its buffers")
    return out.transpose(0, 3, 1, 2), arg_max.transpose(0, 3, 1, 2)


def _channels_adjacent(arg_max):
    # The kernel reads each pooled pixel's winners as one run along the channels.
    if arg_max.shape[1] <= 1 or arg_max.strides[1] == arg_max.itemsize:
        return readable(arg_max)
    return np.ascontiguousarray(arg_max.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)


def conv_pool_backward(dout, arg_max, out, x, W, stride, pad, activation, pool,
                       need_input_grad=True):
    """(dx, dW, db) of out = maxpool(act(x ⊛ W + b)); dx in channels-last memory."""
    fn, c, fh, fw = W.shape
    if conv.uses_blas(fn, W[0].size):
        return composed.conv_pool_backward(_separate, dout, arg_max, out, x, W, stride, pad,
                                                activation, pool, need_input_grad)
    (oh, ow), _ = _sizes(x, W, stride, pad, pool)
    x = readable(x)
    cl = layout.channels_last(x)
    dW, db, dx = layout.gradient_buffers(x, W, need_input_grad)
    w_flip = layout.flipped_filters(W, stride, pad, need_input_grad, True)
    # dout and out are read with their pooled pixels as one flat run (layout.rows)
    if not _conv.conv_pool_backward(layout.rows(dout), _channels_adjacent(arg_max),
                                    layout.rows(out), _ACTIVATION_CODES[activation], x, cl,
                                    layout.filters(W, cl),
                                    w_flip, gemm.kernel_code(), dW, db, dx, fh, fw,
                                    stride, pad, oh, ow, tuple(pool)):
        raise MemoryError("conv_pool_backward: could not allocate its buffers")
    return dx, layout.w_order(dW, W.shape, cl), db
