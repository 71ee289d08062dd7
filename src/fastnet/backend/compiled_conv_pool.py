"""Convolution, activation and max pooling in one kernel, for the "cython" backend.

Same names and signatures as `fastnet.backend.reference`. The C code
(csrc/conv_pool_impl.h) convolves a chunk of images into a buffer that
stays in cache and pools it there, so the convolution's full-size output
never reaches memory; backward rebuilds its gradient chunk by chunk from the
pooled one. Where the convolution's products go to NumPy's GEMM instead
(compiled_conv.CONV_GEMM), the same results come from the separate kernels.
"""

from types import SimpleNamespace

import numpy as np

from .. import _conv
from . import compiled_conv, compiled_elementwise, compiled_gemm, composed
from .compiled_conv import (
    _ACTIVATION_CODES,
    _blas,
    _channels_last,
    _filters,
    _flipped_filters,
    _gradient_buffers,
    _readable,
    _rows,
    _w_order,
)
from .numpy import conv_output_size

# The separate compiled kernels, which composed chains where the
# convolution's products go to NumPy (compiled_conv._blas).
_separate = SimpleNamespace(
    conv_forward=compiled_conv.conv_forward,
    conv_backward=compiled_conv.conv_backward,
    max_pool_forward=compiled_conv.max_pool_forward,
    max_pool_backward=compiled_conv.max_pool_backward,
    activation_backward=compiled_elementwise.activation_backward,
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
    if _blas(fn, W[0].size):
        return composed.conv_pool_forward(_separate, x, W, b, stride, pad, activation, pool)
    (oh, ow), (poh, pow_) = _sizes(x, W, stride, pad, pool)
    n = x.shape[0]
    out = np.empty((n, poh, pow_, fn), x.dtype)
    arg_max = np.empty((n, poh, pow_, fn), np.int32)
    x = _readable(x)
    cl = _channels_last(x)
    if not _conv.conv_pool_forward(x, cl, _filters(W, cl), np.ascontiguousarray(b),
                                   _ACTIVATION_CODES[activation], compiled_gemm._kernel_code,
                                   out, arg_max, fh, fw, stride, pad, oh, ow, tuple(pool)):
        raise MemoryError("conv_pool_forward: could not allocate its buffers")
    return out.transpose(0, 3, 1, 2), arg_max.transpose(0, 3, 1, 2)


def _channels_adjacent(arg_max):
    # The kernel reads each pooled pixel's winners as one run along the channels.
    if arg_max.shape[1] <= 1 or arg_max.strides[1] == arg_max.itemsize:
        return _readable(arg_max)
    return np.ascontiguousarray(arg_max.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)


def conv_pool_backward(dout, arg_max, out, x, W, stride, pad, activation, pool,
                       need_input_grad=True):
    """(dx, dW, db) of out = maxpool(act(x ⊛ W + b)); dx in channels-last memory."""
    fn, c, fh, fw = W.shape
    if _blas(fn, W[0].size):
        return composed.conv_pool_backward(_separate, dout, arg_max, out, x, W, stride, pad,
                                                activation, pool, need_input_grad)
    (oh, ow), _ = _sizes(x, W, stride, pad, pool)
    x = _readable(x)
    cl = _channels_last(x)
    dW, db, dx = _gradient_buffers(x, W, need_input_grad)
    w_flip = _flipped_filters(W, stride, pad, need_input_grad, True)
    # dout and out are read with their pooled pixels as one flat run (_rows)
    if not _conv.conv_pool_backward(_rows(dout), _channels_adjacent(arg_max), _rows(out),
                                    _ACTIVATION_CODES[activation], x, cl, _filters(W, cl),
                                    w_flip, compiled_gemm._kernel_code, dW, db, dx, fh, fw,
                                    stride, pad, oh, ow, tuple(pool)):
        raise MemoryError("conv_pool_backward: could not allocate its buffers")
    return dx, _w_order(dW, W.shape, cl), db
