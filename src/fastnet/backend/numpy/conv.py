"""The reference conv family: im2col / col2im, convolution, max pooling, both fused.

In NumPy, the specification of the other backends (see __init__.py).
Images are (N, C, H, W). A filter of FH x FW moved by `stride` over the
image zero-padded by `pad` on every side gives OH x OW positions:
  OH = (H + 2·pad - FH) // stride + 1,  OW = (W + 2·pad - FW) // stride + 1.
"""

import numpy as np

from .elementwise import activation_backward, column_sum
from .gemm import gemm


def conv_output_size(size, filter_size, stride, pad):
    """(size + 2·pad - filter_size) // stride + 1: positions along one axis."""
    return (size + 2 * pad - filter_size) // stride + 1


def im2col(x, filter_h, filter_w, stride=1, pad=0):
    """col[(n, oh, ow), (c, i, j)] := x_pad[n, c, oh·stride + i, ow·stride + j].

    x: (N, C, H, W) -> col (N·OH·OW, C·FH·FW): one row per output position,
    holding the patch the filter sees there (zeros where it hangs over the
    edge). A convolution is then one matrix product col · W.reshape(FN, -1).T.
    """
    n, c, h, w = x.shape
    oh = conv_output_size(h, filter_h, stride, pad)
    ow = conv_output_size(w, filter_w, stride, pad)
    img = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    col = np.empty((n, c, filter_h, filter_w, oh, ow), x.dtype)
    # One strided slice per filter offset (i, j) copies that offset for every
    # output position at once: FH·FW slices instead of OH·OW patches.
    for i in range(filter_h):
        for j in range(filter_w):
            col[:, :, i, j] = img[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, c * filter_h * filter_w)


def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    """dx[n, c, y, x] := Σ col[(n, oh, ow), (c, i, j)] over oh·s + i - pad = y, ow·s + j - pad = x.

    The adjoint of im2col: every patch entry is added back to the pixel it
    was copied from (overlapping patches add up; padding is dropped).
    col: (N·OH·OW, C·FH·FW) -> a new (N, C, H, W) array, input_shape = (N, C, H, W).
    """
    n, c, h, w = input_shape
    oh = conv_output_size(h, filter_h, stride, pad)
    ow = conv_output_size(w, filter_w, stride, pad)
    patches = col.reshape(n, oh, ow, c, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)
    # The last window ends inside the padded image, (OH-1)·s + FH <= H + 2·pad, so
    # no margin is needed past it (the book's stride - 1 made a stride of 10**6
    # allocate terabytes).
    img = np.zeros((n, c, h + 2 * pad, w + 2 * pad), col.dtype)
    for i in range(filter_h):
        for j in range(filter_w):
            img[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride] += patches[:, :, i, j]
    return np.ascontiguousarray(img[:, :, pad:pad + h, pad:pad + w])


def conv_forward(x, W, b, stride=1, pad=0, activation="identity"):
    """out[n, f] := act(Σ_c x_pad[n, c] ⋆ W[f, c] + b[f]), the book's Convolution.forward.

    x: (N, C, H, W), W: (FN, C, FH, FW), b: (FN,) -> (N, FN, OH, OW), computed
    as im2col(x) · W.reshape(FN, -1).T, whose rows are in (n, oh, ow) order:
    the result is the book's transposed view of that product, not a copy.
    """
    fn, _, fh, fw = W.shape
    n, _, h, w = x.shape
    oh = conv_output_size(h, fh, stride, pad)
    ow = conv_output_size(w, fw, stride, pad)
    out = gemm(im2col(x, fh, fw, stride, pad), W.reshape(fn, -1), b, activation, trans_b=True)
    return out.reshape(n, oh, ow, fn).transpose(0, 3, 1, 2)


def conv_backward(dout, x, W, stride=1, pad=0, need_input_grad=True, y=None,
                  activation="identity"):
    """(dx, dW, db) of y = act(x ⊛ W + b): with d := dout·act'(y) (see activation_backward),
    dW := dᵀ·col, db := Σ d, dx := col2im(d·W).

    dout: (N, FN, OH, OW), the gradient of y; y: conv_forward's output (read
    unless activation is "identity"); x and W as in conv_forward. dx is None
    when need_input_grad is False. The patches col = im2col(x) are rebuilt
    here rather than kept from forward.
    """
    fn, c, fh, fw = W.shape
    if activation != "identity":
        dout = activation_backward(dout, y, activation)
    d = dout.transpose(0, 2, 3, 1).reshape(-1, fn)  # rows (n, oh, ow), like col's
    col = im2col(x, fh, fw, stride, pad)
    dW = gemm(d, col, trans_a=True).reshape(fn, c, fh, fw)
    db = column_sum(d)
    if not need_input_grad:
        return None, dW, db
    dx = col2im(gemm(d, W.reshape(fn, -1)), x.shape, fh, fw, stride, pad)
    return dx, dW, db


def max_pool_forward(x, pool_h, pool_w, stride, pad):
    """out[n, c, oh, ow] := max over the window of x_pad; arg_max := its first position.

    x: (N, C, H, W) -> (out (N, C, OH, OW), arg_max (N, C, OH, OW) int32),
    arg_max holding i·pool_w + j of the window's first maximum (the book's
    np.argmax tie rule). A NaN anywhere in a window wins it: out is NaN and
    arg_max the first NaN's position (np.argmax's rule too). Padding is zeros
    that take part in the max, as in the book, whose pooling runs on im2col's
    zero-padded patches.
    """
    n, c, h, w = x.shape
    oh = conv_output_size(h, pool_h, stride, pad)
    ow = conv_output_size(w, pool_w, stride, pad)
    windows = im2col(x, pool_h, pool_w, stride, pad).reshape(n, oh, ow, c, pool_h * pool_w)
    arg_max = windows.argmax(axis=4)
    out = np.take_along_axis(windows, arg_max[..., None], axis=4)[..., 0]
    return (np.ascontiguousarray(out.transpose(0, 3, 1, 2)),
            np.ascontiguousarray(arg_max.transpose(0, 3, 1, 2), dtype=np.int32))


def max_pool_backward(dout, arg_max, input_shape, pool_h, pool_w, stride, pad):
    """dx[n, c, y, x] := Σ dout[n, c, oh, ow] over windows whose arg_max is (y, x).

    dout, arg_max: (N, C, OH, OW) -> a new dx of input_shape (N, C, H, W).
    Each output's gradient goes to the one input that won its window;
    overlapping windows add up, gradients routed into the padding vanish.
    """
    n, c, oh, ow = dout.shape
    dwin = np.zeros((n, oh, ow, c, pool_h * pool_w), dout.dtype)
    np.put_along_axis(dwin, arg_max.transpose(0, 2, 3, 1)[..., None].astype(np.intp),
                      dout.transpose(0, 2, 3, 1)[..., None], axis=4)
    return col2im(dwin.reshape(n * oh * ow, c * pool_h * pool_w), input_shape,
                  pool_h, pool_w, stride, pad)


def conv_pool_forward(x, W, b, stride, pad, activation, pool):
    """(out, arg_max) := max_pool_forward(conv_forward(x, W, b, stride, pad, activation), *pool).

    The layers Convolution, activation and Pooling as one kernel; pool is
    (pool_h, pool_w, stride, pad) of the pooling. Only the pooled output and
    its arg_max are returned: backward does not need the convolution's.
    """
    return max_pool_forward(conv_forward(x, W, b, stride, pad, activation), *pool)


def conv_pool_backward(dout, arg_max, out, x, W, stride, pad, activation, pool,
                       need_input_grad=True):
    """(dx, dW, db) of out = maxpool(act(x ⊛ W + b)), from conv_pool_forward's out and arg_max.

    A window's max is the value of the input that won it, so act' at that
    input equals act' at out: d := max_pool_backward(dout·act'(out)) is the
    gradient before the activation, and conv_backward does the rest.
    """
    fn, _, fh, fw = W.shape
    conv_shape = (x.shape[0], fn, conv_output_size(x.shape[2], fh, stride, pad),
                  conv_output_size(x.shape[3], fw, stride, pad))
    d = max_pool_backward(activation_backward(dout, out, activation), arg_max, conv_shape,
                          *pool)
    return conv_backward(d, x, W, stride, pad, need_input_grad)
