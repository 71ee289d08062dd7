"""The convolution composed from a backend's own im2col, gemm and col2im.

The reference's conv_forward / conv_backward, written against any kernel
module `impl` (NumPy, CuPy): a backend without a fused convolution of its
own (the GPU one) computes the book's way with these, on its own arrays.
"""


def conv_forward(impl, x, W, b, stride, pad, activation):
    """act(im2col(x) · W.reshape(FN, -1)ᵀ + b) as the (N, FN, OH, OW) view."""
    fn, _, fh, fw = W.shape
    n, _, h, w = x.shape
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
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
