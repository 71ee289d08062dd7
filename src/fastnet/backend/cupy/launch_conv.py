"""The "cupy" backend's convolution-era kernels: launches under the reference's names.

A mixin of `launch.DeviceKernels` (which supplies `self.xp` and the kernel
objects `self.k`). Like the rest of the glue it never calls NumPy on an
array; NumPy gives only the exact C scalar types the RawKernels take.
"""

import numpy as np

from .. import composed
from ..numpy import BATCHNORM_EPS, conv_output_size
from .cuda_conv import CONV_BLOCK


def _sizes(*values):
    """Python ints as the `long long` arguments of a RawKernel."""
    return tuple(np.int64(v) for v in values)


class DeviceConvKernels:
    """im2col, col2im, pooling, batch norm and dropout on `xp` arrays."""

    def _launch(self, name, arrays, total, sizes):
        """Run conv kernel `name` as name(*arrays, total, *sizes), one thread per output.

        The kernel's `real` is the dtype of the first array.
        """
        if total == 0:  # CUDA refuses an empty grid
            return
        kernel = getattr(self.k, name)[arrays[0].dtype.char]
        grid = ((total + CONV_BLOCK - 1) // CONV_BLOCK,)
        kernel(grid, (CONV_BLOCK,), (*arrays, *_sizes(total, *sizes)))

    # ------------------------------------------------------- convolution

    def conv_forward(self, x, W, b, stride=1, pad=0, activation="identity"):
        """act(x ⊛ W + b): im2col + cuBLAS GEMM with its fused epilogue (composed)."""
        return composed.conv_forward(self, x, W, b, stride, pad, activation)

    def conv_backward(self, dout, x, W, stride=1, pad=0, need_input_grad=True, y=None,
                      activation="identity"):
        """(dx or None, dW, db) from these kernels (composed)."""
        return composed.conv_backward(self, dout, x, W, stride, pad, need_input_grad, y,
                                           activation)

    def conv_pool_forward(self, x, W, b, stride, pad, activation, pool):
        """(out, arg_max) of maxpool(act(x ⊛ W + b)): these kernels in turn (composed)."""
        return composed.conv_pool_forward(self, x, W, b, stride, pad, activation, pool)

    def conv_pool_backward(self, dout, arg_max, out, x, W, stride, pad, activation, pool,
                           need_input_grad=True):
        """(dx or None, dW, db) of maxpool(act(x ⊛ W + b)) (composed)."""
        return composed.conv_pool_backward(self, dout, arg_max, out, x, W, stride, pad,
                                                activation, pool, need_input_grad)

    # ------------------------------------------------------------ im2col

    def im2col(self, x, filter_h, filter_w, stride=1, pad=0):
        """(N, C, H, W) -> (N·OH·OW, C·FH·FW) patches: one RawKernel."""
        n, c, h, w = x.shape
        oh = conv_output_size(h, filter_h, stride, pad)
        ow = conv_output_size(w, filter_w, stride, pad)
        x = self.xp.ascontiguousarray(x)  # the kernel reads raw pointers
        col = self.xp.empty((n * oh * ow, c * filter_h * filter_w), dtype=x.dtype)
        self._launch("im2col", (x, col), col.size,
                     (c, h, w, filter_h, filter_w, oh, ow, stride, pad))
        return col

    def col2im(self, col, input_shape, filter_h, filter_w, stride=1, pad=0):
        """The adjoint of im2col, -> a new (N, C, H, W): one RawKernel (a gather)."""
        n, c, h, w = input_shape
        oh = conv_output_size(h, filter_h, stride, pad)
        ow = conv_output_size(w, filter_w, stride, pad)
        col = self.xp.ascontiguousarray(col)
        img = self.xp.empty(input_shape, dtype=col.dtype)
        self._launch("col2im", (col, img), img.size,
                     (c, h, w, filter_h, filter_w, oh, ow, stride, pad))
        return img

    # ----------------------------------------------------------- pooling

    def max_pool_forward(self, x, pool_h, pool_w, stride, pad):
        """(out, arg_max int32), both (N, C, OH, OW): one RawKernel."""
        n, c, h, w = x.shape
        oh = conv_output_size(h, pool_h, stride, pad)
        ow = conv_output_size(w, pool_w, stride, pad)
        x = self.xp.ascontiguousarray(x)
        out = self.xp.empty((n, c, oh, ow), dtype=x.dtype)
        arg_max = self.xp.empty((n, c, oh, ow), dtype=self.xp.int32)
        self._launch("max_pool_forward", (x, out, arg_max), out.size,
                     (h, w, pool_h, pool_w, oh, ow, stride, pad))
        return out, arg_max

    def max_pool_backward(self, dout, arg_max, input_shape, pool_h, pool_w, stride, pad):
        """dx of input_shape, each window's dout added at its arg_max: one RawKernel (a gather)."""
        _, _, h, w = input_shape
        _, _, oh, ow = dout.shape
        dout = self.xp.ascontiguousarray(dout)
        arg_max = self.xp.ascontiguousarray(arg_max)
        dx = self.xp.empty(input_shape, dtype=dout.dtype)
        self._launch("max_pool_backward", (dout, arg_max, dx), dx.size,
                     (h, w, pool_h, pool_w, oh, ow, stride, pad))
        return dx

    # ----------------------------------------------- batch normalization
    # Column statistics are CuPy reductions; each pass over the batch that
    # combines them is one fused elementwise kernel.

    def batchnorm_forward_train(self, x, gamma, beta, running_mean, running_var, momentum):
        """(out, xn, std); running_mean and running_var updated in place."""
        mu = x.mean(axis=0)
        xc = x - mu
        var = (xc * xc).mean(axis=0)
        std = self.xp.sqrt(var + BATCHNORM_EPS)
        bn = self.k.batchnorm
        xn, out = bn["forward_train"](x, mu, std, gamma, beta)
        bn["running"](mu, var, momentum, 1 - momentum, running_mean, running_var)
        return out, xn, std

    def batchnorm_forward_infer(self, x, gamma, beta, running_mean, running_var):
        """γ·(x - running_mean) / √(running_var + eps) + β: one kernel."""
        return self.k.batchnorm["forward_infer"](x, running_mean, running_var, gamma, beta,
                                                 BATCHNORM_EPS)

    def batchnorm_backward(self, dout, xn, std, gamma):
        """(dx, dgamma, dbeta): two column sums, then one kernel for dx."""
        dbeta = dout.sum(axis=0)
        dgamma = (dout * xn).sum(axis=0)
        dx = self.k.batchnorm["backward"](dout, xn, std, gamma, dgamma, dbeta, dout.shape[0])
        return dx, dgamma, dbeta

    # ----------------------------------------------------------- dropout

    def dropout_mask(self, shape, dropout_ratio):
        """M := U(0, 1) > ratio, drawn on the GPU by CuPy's generator.

        Unlike the CPU backends this is not NumPy's global generator: drawing
        on the host would copy a mask to the device at every step.
        `cupy.random.seed` makes it reproducible.
        """
        return self.xp.random.rand(*shape) > dropout_ratio

    def dropout_forward(self, x, mask):
        """Y := X·M (one CuPy elementwise kernel)."""
        return x * mask

    def dropout_backward(self, dout, mask):
        """dX := dout·M."""
        return dout * mask

    def dropout_infer(self, x, dropout_ratio):
        """Y := X·(1 - ratio)."""
        return x * (1.0 - dropout_ratio)
