"""The book's chapter 7 layers: Convolution and Pooling, and PooledConvolution.

Same constructors, forward signatures and stored attributes as the book
(`dW`, `db`, `col`, `col_W`, `arg_max`), computed through the current
backend. Parameters are the caller's arrays, read by reference on every
call. As in the dense layers:

- `Convolution(..., activation="relu")` fuses the ReLU after it into its
  GEMM's epilogue, and `need_input_grad = False` skips dx (the first layer).
- No backward writes into the `dout` it receives.
"""

from ..backend import current
from ._args import forward_done

__all__ = ["Convolution", "Pooling", "PooledConvolution"]


class Convolution:
    """out = act(x ⊛ W + b): x (N, C, H, W), W (FN, C, FH, FW), b (FN,) -> (N, FN, OH, OW).

    The book computes it as im2col (every patch a row) times the filters in
    one GEMM; the backend's conv_forward does that (the compiled one a chunk
    of images at a time, so the patch matrix never leaves the cache). The
    result is the book's transposed (N, FN, OH, OW) view of (n, oh, ow, fn)
    rows. `col` and `col_W` (the book's stored patches and filters) are
    rebuilt when read, not stored.
    """

    def __init__(self, W, b, stride=1, pad=0, activation="identity"):
        self.W = W
        self.b = b
        self.stride = stride
        self.pad = pad
        self.activation = activation
        self.need_input_grad = True
        self.x = None
        self.dW = None
        self.db = None
        self._out = None  # act(...), kept when act is not identity

    def forward(self, x):
        out = current().conv_forward(x, self.W, self.b, self.stride, self.pad, self.activation)
        self.x = x
        self._out = None if self.activation == "identity" else out
        return out

    def backward(self, dout):
        forward_done(self.x, self)
        # The activation's derivative is applied inside conv_backward, from the
        # stored output, a chunk at a time.
        dx, self.dW, self.db = current().conv_backward(
            dout, self.x, self.W, self.stride, self.pad, self.need_input_grad, self._out,
            self.activation)
        return dx

    @property
    def col(self):
        """im2col of the last input: (N·OH·OW, C·FH·FW)."""
        if self.x is None:
            return None
        _, _, FH, FW = self.W.shape
        return current().im2col(self.x, FH, FW, self.stride, self.pad)

    @property
    def col_W(self):
        """The filters as the book's (C·FH·FW, FN) matrix (a view of W)."""
        return self.W.reshape(self.W.shape[0], -1).T


class Pooling:
    """Max pooling: out[n, c] = the max of each pool_h x pool_w window, moved by stride.

    backward sends each output's gradient to the input that won its window
    (the first maximum on ties, like np.argmax).
    """

    def __init__(self, pool_h, pool_w, stride=2, pad=0):
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.pad = pad
        self.x = None
        self._arg_max = None  # (N, C, OH, OW) int32: position i·pool_w + j in the window

    def forward(self, x):
        out, self._arg_max = current().max_pool_forward(
            x, self.pool_h, self.pool_w, self.stride, self.pad)
        self.x = x
        return out

    def backward(self, dout):
        forward_done(self.x, self)
        return current().max_pool_backward(dout, self._arg_max, self.x.shape, self.pool_h,
                                           self.pool_w, self.stride, self.pad)

    @property
    def arg_max(self):
        """The book's layout: one entry per window, windows in (n, oh, ow, c) order."""
        if self._arg_max is None:
            return None
        return self._arg_max.transpose(0, 2, 3, 1).reshape(-1)


class PooledConvolution:
    """out = maxpool(act(x ⊛ W + b)): Convolution, its activation and a max Pooling as one layer.

    Same results as Convolution(W, b, stride, pad, activation) followed by
    Pooling(pool_h, pool_w, pool_stride, pool_pad), without the full-size
    convolution output between them: the backend's conv_pool_forward pools
    each chunk of images while it is in cache, and backward needs only the
    pooled output (a window's max is its winner's value, so act' there is
    act' of the output). fastnet's own SimpleConvNet and DeepConvNet use it;
    the book's separate layers stay available for scripts that want them.
    """

    def __init__(self, W, b, stride=1, pad=0, activation="relu", pool_h=2, pool_w=2,
                 pool_stride=2, pool_pad=0):
        self.W = W
        self.b = b
        self.stride = stride
        self.pad = pad
        self.activation = activation
        self.pool = (pool_h, pool_w, pool_stride, pool_pad)
        self.need_input_grad = True
        self.x = None
        self.out = None
        self.dW = None
        self.db = None
        self._arg_max = None

    def forward(self, x):
        self.out, self._arg_max = current().conv_pool_forward(
            x, self.W, self.b, self.stride, self.pad, self.activation, self.pool)
        self.x = x
        return self.out

    def backward(self, dout):
        forward_done(self.x, self)
        dx, self.dW, self.db = current().conv_pool_backward(
            dout, self._arg_max, self.out, self.x, self.W, self.stride, self.pad,
            self.activation, self.pool, self.need_input_grad)
        return dx

