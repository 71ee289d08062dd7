"""Convolution, im2col / col2im and max pooling for the "cython" backend.

Same names and signatures as `fastnet.backend.numpy.conv`. Outputs are
allocated here with NumPy; `fastnet._conv` fills them from C (csrc/conv/conv.c)
without the GIL. The convolution itself is fused (csrc/conv/conv_gemm_impl.h, or
conv_blas.py where NumPy's GEMM is faster: see CONV_GEMM). Two
layout choices, invisible in the values:

- Images are read through their strides, so a Convolution's output (a
  transposed, channels-last view) is pooled or im2col'ed without a copy.
- conv_backward and max_pool_backward return their (N, C, H, W) gradient in
  channels-last MEMORY order (a transposed view), the order in which the
  Convolution layer before them wants its dout: its reshape is then free.
"""

import numpy as np

from ... import _conv
from ..numpy.conv import conv_output_size
from ..vocabulary import ACTIVATION_CODES as _ACTIVATION_CODES
from . import conv_blas, gemm, layout
from .arrays import readable
from .elementwise import column_sum


def im2col(x, filter_h, filter_w, stride=1, pad=0):
    """col[(n, oh, ow), (c, i, j)] := x_pad[n, c, oh·stride + i, ow·stride + j]."""
    n, c, h, w = x.shape
    oh = conv_output_size(h, filter_h, stride, pad)
    ow = conv_output_size(w, filter_w, stride, pad)
    col = np.empty((n * oh * ow, c * filter_h * filter_w), x.dtype)
    _conv.im2col(readable(x), col, filter_h, filter_w, stride, pad, oh, ow)
    return col


def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    """The adjoint of im2col: patches added back into a new (N, C, H, W) array."""
    n, c, h, w = input_shape
    oh = conv_output_size(h, filter_h, stride, pad)
    ow = conv_output_size(w, filter_w, stride, pad)
    dx = np.empty(input_shape, col.dtype)  # every pixel is written (csrc/conv/im2col_impl.h)
    _conv.col2im(np.ascontiguousarray(col), dx, filter_h, filter_w, stride, pad, oh, ow)
    return dx


# Which GEMM multiplies the chunks of patches: "fastnet" (everything in C,
# csrc/conv/conv_gemm_impl.h), "numpy" (conv_blas.py) or "auto", which picks
# by the GEMM kernel this CPU runs (1 thread):
# - AVX-512: all in C (it beat NumPy's products on DeepConvNet's wide layers);
# - AVX2: NumPy's BLAS for layers of at least BLAS_MIN_FILTERS filters and
#   BLAS_MIN_DEPTH = C·FH·FW patch values, where it gains more than the Python
#   loop over chunks costs (shallow layers such as SimpleConvNet's 5x5 on one
#   channel stay in C);
# - portable: NumPy always.
# The timings behind these thresholds: benchmarks/README.md, "Lab notes".
CONV_GEMM = "auto"
BLAS_MIN_FILTERS = 16
BLAS_MIN_DEPTH = 64

def uses_blas(filters, depth):
    """True when a layer of `filters` filters and `depth` = C·FH·FW patch values
    multiplies its patches with NumPy's GEMM (conv_blas.py) rather than in C."""
    if CONV_GEMM != "auto":
        return CONV_GEMM == "numpy"
    kernel = gemm.get_kernel()
    if kernel == "portable":
        return True
    if kernel == "avx2":  # with threads, fastnet's GEMM: see gemm.threaded
        return (filters >= BLAS_MIN_FILTERS and depth >= BLAS_MIN_DEPTH
                and not gemm.threaded())
    return False


def conv_forward(x, W, b, stride=1, pad=0, activation="identity"):
    """act(x ⊛ W + b), a chunk of images at a time (csrc/conv/conv_gemm_impl.h).

    The (n, oh, ow, fn) rows come back as the (N, FN, OH, OW) transposed
    view, like the reference's.
    """
    fn, _, fh, fw = W.shape
    n, _, h, w = x.shape
    oh = conv_output_size(h, fh, stride, pad)
    ow = conv_output_size(w, fw, stride, pad)
    out = np.empty((n, oh, ow, fn), x.dtype)
    x = readable(x)
    cl = layout.channels_last(x)
    if uses_blas(fn, W[0].size):
        conv_blas.conv_forward(x, layout.filters(W, cl), np.ascontiguousarray(b),
                               _ACTIVATION_CODES[activation], gemm.kernel_code(), out, cl, fh,
                               fw, stride, pad)
        return out.transpose(0, 3, 1, 2)
    if not _conv.conv_forward(x, cl, layout.filters(W, cl), np.ascontiguousarray(b),
                              _ACTIVATION_CODES[activation], gemm.kernel_code(), out,
                              fh, fw, stride, pad):
        raise MemoryError("conv_forward: could not allocate its patch buffer")
    return out.transpose(0, 3, 1, 2)


def _uniform(a):
    """a (N, F, OH, OW) whose row (n, oh, ow) lies at (n·OH·OW + oh·OW + ow)·strides[3],
    as the C code reads it; otherwise a channels-last copy."""
    n, f, oh, ow = a.shape
    s = a.strides
    if s[2] == ow * s[3] and s[0] == oh * ow * s[3] and a.flags.aligned:
        return a
    # a fresh array: its size-1 axes have the strides the test above expects
    # (np.ascontiguousarray may keep a view whose size-1 axes have any stride)
    c = np.empty((n, oh, ow, f), a.dtype)
    c[...] = a.transpose(0, 2, 3, 1)
    return c.transpose(0, 3, 1, 2)


def _gradient_rows(dout, y, activation):
    """dout ⊙ act'(y) as a C-order (N·OH·OW, FN) matrix, rows (n, oh, ow)."""
    n, fn, oh, ow = dout.shape
    if activation == "identity":
        return np.ascontiguousarray(dout.transpose(0, 2, 3, 1)).reshape(-1, fn)
    d = np.empty((n * oh * ow, fn), dout.dtype)
    _conv.activation_grad(_uniform(dout), _uniform(y), _ACTIVATION_CODES[activation], d)
    return d


def conv_backward(dout, x, W, stride=1, pad=0, need_input_grad=True, y=None,
                  activation="identity"):
    """(dx, dW, db), the activation's derivative applied and the patches rebuilt
    chunk by chunk; dx in channels-last memory."""
    fn, c, fh, fw = W.shape
    dout = layout.rows(dout)
    y = dout if activation == "identity" else layout.rows(y)
    x = readable(x)
    cl = layout.channels_last(x)
    dW, db, dx = layout.gradient_buffers(x, W, need_input_grad)
    # The kernel multiplies dout itself when there is no activation, so the
    # flipped-filter product then needs dout's channels adjacent.
    w_flip = layout.flipped_filters(W, stride, pad, need_input_grad,
                                    activation != "identity" or dout.strides[1] == dout.itemsize)
    if uses_blas(fn, W[0].size):
        d = _gradient_rows(dout, y, activation)
        db = column_sum(d)
        dW = conv_blas.conv_backward(d, x, layout.filters(W, cl), w_flip, dx, cl, fh, fw,
                                     stride, pad)
    elif not _conv.conv_backward(dout, y, _ACTIVATION_CODES[activation], x, cl,
                                 layout.filters(W, cl), w_flip, gemm.kernel_code(), dW, db, dx,
                                 fh, fw, stride, pad):
        raise MemoryError("conv_backward: could not allocate its patch buffers")
    return dx, layout.w_order(dW, W.shape, cl), db


def max_pool_forward(x, pool_h, pool_w, stride, pad):
    """(out, arg_max): each window's max and the position of its first maximum.

    For channels-last x (a Convolution's output) out and arg_max are
    channels-last too, and the kernel's inner loop runs along the channels.
    """
    n, c, h, w = x.shape
    oh = conv_output_size(h, pool_h, stride, pad)
    ow = conv_output_size(w, pool_w, stride, pad)
    x = readable(x)
    if layout.channels_last(x):
        out = np.empty((n, oh, ow, c), x.dtype).transpose(0, 3, 1, 2)
        arg_max = np.empty((n, oh, ow, c), np.int32).transpose(0, 3, 1, 2)
    else:
        out = np.empty((n, c, oh, ow), x.dtype)
        arg_max = np.empty((n, c, oh, ow), np.int32)
    _conv.max_pool_forward(x, out, arg_max, pool_h, pool_w, stride, pad)
    return out, arg_max


def max_pool_backward(dout, arg_max, input_shape, pool_h, pool_w, stride, pad):
    """dx: each dout routed to its window's arg_max (channels-last memory)."""
    # the kernel writes every element of dx
    dx = layout.channels_last_new(input_shape, dout.dtype, zeroed=False)
    _conv.max_pool_backward(readable(dout), readable(arg_max), dx, pool_h, pool_w, stride,
                            pad)
    return dx
