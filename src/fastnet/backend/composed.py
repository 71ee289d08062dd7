"""The convolution composed from a backend's own im2col, gemm and col2im.

The reference's conv_forward / conv_backward (and conv_pool_*, the same
followed by max pooling), written against any kernel
module `impl` (NumPy, CuPy): a backend without a fused convolution of its
own (the GPU one) computes the book's way with these, on its own arrays.
"""

from .numpy import conv_output_size


def conv_forward(impl, x, W, b, stride, pad, activation):
    """act(im2col(x) · W.reshape(FN, -1)ᵀ + b) as the (N, FN, OH, OW) view."""
    fn, _, fh, fw = W.shape
    n, _, h, w = x.shape
    oh, ow = conv_output_size(h, fh, stride, pad), conv_output_size(w, fw, stride, pad)
    col = impl.im2col(x, fh, fw, stride, pad)
    out = impl.gemm(col, W.reshape(fn, -1), b, activation, False, True)
    return out.reshape(n, oh, ow, fn).transpose(0, 3, 1, 2)


def conv_backward(impl, dout, x, W, stride, pad, need_input_grad, y, activation):
    """(dx or None, dW, db) with d := dout·act'(y): dW = dᵀ·col, db = Σ d, dx = col2im(d·W)."""
    fn, c, fh, fw = W.shape
    if activation != "identity":
        dout = impl.activation_backward(dout, y, activation)
    d = dout.transpose(0, 2, 3, 1).reshape(-1, fn)
    col = impl.im2col(x, fh, fw, stride, pad)
    dW = impl.gemm(d, col, None, "identity", True, False).reshape(fn, c, fh, fw)
    db = impl.column_sum(d)
    if not need_input_grad:
        return None, dW, db
    dcol = impl.gemm(d, W.reshape(fn, -1), None, "identity", False, False)
    return impl.col2im(dcol, x.shape, fh, fw, stride, pad), dW, db


def _own(impl, name):
    """impl's kernel `name`, or this module's composition of it."""
    kernel = getattr(impl, name, None)
    if kernel is not None:
        return kernel
    composed = globals()[name]
    return lambda *args: composed(impl, *args)


def conv_pool_forward(impl, x, W, b, stride, pad, activation, pool):
    """(out, arg_max) := impl's max pooling of its convolution's output."""
    y = _own(impl, "conv_forward")(x, W, b, stride, pad, activation)
    return impl.max_pool_forward(y, *pool)


def conv_pool_backward(impl, dout, arg_max, out, x, W, stride, pad, activation, pool,
                       need_input_grad):
    """(dx or None, dW, db), as reference.conv_pool_backward computes them."""
    fn, _, fh, fw = W.shape
    conv_shape = (x.shape[0], fn, conv_output_size(x.shape[2], fh, stride, pad),
                  conv_output_size(x.shape[3], fw, stride, pad))
    d = impl.max_pool_backward(impl.activation_backward(dout, out, activation), arg_max,
                               conv_shape, *pool)
    return _own(impl, "conv_backward")(d, x, W, stride, pad, need_input_grad, None, "identity")
