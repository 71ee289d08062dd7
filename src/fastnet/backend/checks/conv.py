"""The checks of the conv family: im2col / col2im, convolution, max pooling, both fused.

A part of `fastnet.backend.Backend` (a base class); it uses the shared
helpers of checks/arrays.py (`_array`, `_common`, `_activation`,
`_same_shape`) and the backend's kernels `impl`. A backend without a
convolution of its own (COMPOSABLE in kernels.py) gets the one composed from
its own im2col, gemm and col2im (backend/composed.py).
"""

import numpy as np

from .. import composed

# arg_max holds a pooling window's positions as int32 (every backend's contract).
_ARG_MAX_LIMIT = 2**31
# A padded image plane must have fewer pixels than this: the reference pads
# the image itself (a pad of 10**6 asked it for terabytes), and no network
# pads a plane past 2**31 pixels.
_PADDED_PLANE_LIMIT = 2**31


class ConvChecks:
    """im2col / col2im, convolution, max pooling and the fused conv + pool, checked."""

    @staticmethod
    def _window(kernel, shape, filter_h, filter_w, stride, pad, what="filter"):
        """(OH, OW, the stride for the kernels) for a filter_h x filter_w window over
        (N, C, H, W), or a clear error.

        A stride past the padded image is legal (one window position per axis,
        at 0) and may be as large as an int64 holds; kernels get the smallest
        stride with that same one position instead, so that their index
        arithmetic stays within the image's own sizes (2**63 - 1 overflowed it).
        """
        for name, value, low in (("filter_h", filter_h, 1), ("filter_w", filter_w, 1),
                                 ("stride", stride, 1), ("pad", pad, 0)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                raise ValueError(f"{kernel}: {name} must be an integer >= {low}, got {value!r}")
        positions = int(filter_h) * int(filter_w)  # Python ints: a NumPy int32 product wraps
        if what == "pool" and positions >= _ARG_MAX_LIMIT:
            raise ValueError(
                f"{kernel}: pool {filter_h}x{filter_w} has {positions} positions; "
                f"arg_max is int32, so a pooling window must have fewer than 2**31"
            )
        h, w = int(shape[2]) + 2 * int(pad), int(shape[3]) + 2 * int(pad)
        if pad and h * w >= _PADDED_PLANE_LIMIT:
            raise ValueError(
                f"{kernel}: pad {pad} makes each padded plane of the input {shape} "
                f"{h}x{w} = {h * w} pixels; it must stay under 2**31"
            )
        if filter_h > h or filter_w > w:
            raise ValueError(
                f"{kernel}: {what} {filter_h}x{filter_w} is bigger than the input {shape} "
                f"padded by {pad} ({h}x{w})"
            )
        last_start = max(h - int(filter_h), w - int(filter_w))  # where a window can start
        return ((h - filter_h) // stride + 1, (w - filter_w) // stride + 1,
                min(int(stride), last_start + 1))

    def _image(self, x, name, kernel):
        x = self._array(x, name, kernel)
        if x.ndim != 4:
            raise ValueError(
                f"{kernel}: {name} must be 4-D (N, C, H, W), got shape {x.shape} ({x.ndim}-D)"
            )
        return x

    @staticmethod
    def _input_shape(input_shape, kernel):
        message = f"{kernel}: input_shape must be (N, C, H, W), got {input_shape!r}"
        try:
            shape = tuple(int(s) for s in input_shape)
        except TypeError:
            raise ValueError(message) from None
        if len(shape) != 4 or min(shape) < 0:
            raise ValueError(message)
        return shape

    def im2col(self, x, filter_h, filter_w, stride=1, pad=0):
        """(N, C, H, W) -> (N·OH·OW, C·FH·FW) patches. See reference.im2col."""
        x = self._image(x, "x", "im2col")
        _, _, stride = self._window("im2col", x.shape, filter_h, filter_w, stride, pad)
        return self.impl.im2col(x, int(filter_h), int(filter_w), stride, int(pad))

    def col2im(self, col, input_shape, filter_h, filter_w, stride=1, pad=0):
        """The adjoint of im2col, -> (N, C, H, W). See reference.col2im."""
        col = self._array(col, "col", "col2im", ndim=2)
        shape = self._input_shape(input_shape, "col2im")
        oh, ow, kernel_stride = self._window("col2im", shape, filter_h, filter_w, stride, pad)
        n, c = shape[:2]
        expected = (n * oh * ow, c * filter_h * filter_w)
        if col.shape != expected:
            raise ValueError(
                f"col2im: col must have shape {expected} for input_shape {shape}, "
                f"filter {filter_h}x{filter_w}, stride {stride}, pad {pad}; got {col.shape}"
            )
        return self.impl.col2im(col, shape, int(filter_h), int(filter_w), kernel_stride, int(pad))

    def _conv_args(self, x, W, kernel, stride, pad):
        x = self._image(x, "x", kernel)
        W = self._array(W, "W", kernel)
        if W.ndim != 4:
            raise ValueError(f"{kernel}: W must be 4-D (FN, C, FH, FW), got shape {W.shape}")
        if W.shape[0] == 0 or W.shape[1] == 0:
            raise ValueError(f"{kernel}: W {W.shape} must have at least one filter (FN) "
                             f"and one channel (C)")
        if x.shape[1] != W.shape[1]:
            raise ValueError(
                f"{kernel}: x {x.shape} has {x.shape[1]} channels but W {W.shape} "
                f"expects {W.shape[1]}"
            )
        oh, ow, kernel_stride = self._window(kernel, x.shape, W.shape[2], W.shape[3], stride,
                                             pad)
        return x, W, (x.shape[0], W.shape[0], oh, ow), kernel_stride

    def _forward_args(self, x, W, b, activation, kernel, stride, pad):
        """A forward convolution's (x, W, b) checked and cast, its output's shape and the
        stride for the kernels (see _window)."""
        x, W, out_shape, kernel_stride = self._conv_args(x, W, kernel, stride, pad)
        b = self._array(b, "b", kernel, ndim=1)
        if b.shape[0] != W.shape[0]:
            raise ValueError(f"{kernel}: b must have shape ({W.shape[0]},) for W {W.shape}, "
                             f"got {b.shape}")
        self._activation(activation, kernel)
        return (*self._common(x, W, b), out_shape, kernel_stride)

    def conv_forward(self, x, W, b, stride=1, pad=0, activation="identity"):
        """act(x ⊛ W + b) -> (N, FN, OH, OW). See reference.conv_forward."""
        x, W, b, _, stride = self._forward_args(x, W, b, activation, "conv_forward", stride,
                                                pad)
        kernel = getattr(self.impl, "conv_forward", None) or self._composed_conv_forward
        return kernel(x, W, b, stride, int(pad), activation)

    def conv_backward(self, dout, x, W, stride=1, pad=0, need_input_grad=True, y=None,
                      activation="identity"):
        """(dx or None, dW, db) of y = act(x ⊛ W + b). See reference.conv_backward."""
        kernel = "conv_backward"
        x, W, out_shape, kernel_stride = self._conv_args(x, W, kernel, stride, pad)
        dout = self._image(dout, "dout", kernel)
        if dout.shape != out_shape:
            raise ValueError(f"{kernel}: dout must have shape {out_shape} for x {x.shape} "
                             f"and W {W.shape}, got {dout.shape}")
        self._activation(activation, kernel)
        dout, x, W = self._common(dout, x, W)
        if activation != "identity":
            if y is None:
                raise ValueError(f"{kernel}: activation {activation!r} needs y, the forward output")
            y = self._image(y, "y", kernel)
            self._same_shape(dout, y, ("dout", "y"), kernel)
            if y.dtype != dout.dtype:
                y = y.astype(dout.dtype)
        kernel = getattr(self.impl, "conv_backward", None) or self._composed_conv_backward
        return kernel(dout, x, W, kernel_stride, int(pad), bool(need_input_grad), y, activation)

    # A backend without its own conv_forward / conv_backward gets the
    # reference's composition of its own im2col, gemm and col2im kernels.

    def _composed_conv_forward(self, *args):
        return composed.conv_forward(self.impl, *args)

    def _composed_conv_backward(self, *args):
        return composed.conv_backward(self.impl, *args)

    def _pool_args(self, pool, conv_shape, kernel):
        """pool as (pool_h, pool_w, stride, pad) ints, and the pooled (N, FN, POH, POW)."""
        try:
            pool_h, pool_w, stride, pad = pool
        except (TypeError, ValueError):
            raise ValueError(f"{kernel}: pool must be (pool_h, pool_w, stride, pad), "
                             f"got {pool!r}") from None
        oh, ow, stride = self._window(kernel, conv_shape, pool_h, pool_w, stride, pad,
                                      what="pool")
        return (int(pool_h), int(pool_w), stride, int(pad)), (*conv_shape[:2], oh, ow)

    def conv_pool_forward(self, x, W, b, stride, pad, activation, pool):
        """(out, arg_max) of maxpool(act(x ⊛ W + b)). See reference.conv_pool_forward."""
        kernel = "conv_pool_forward"
        x, W, b, conv_shape, stride = self._forward_args(x, W, b, activation, kernel, stride,
                                                         pad)
        pool, _ = self._pool_args(pool, conv_shape, kernel)
        kernel = getattr(self.impl, kernel, None) or self._composed_conv_pool_forward
        return kernel(x, W, b, stride, int(pad), activation, pool)

    def conv_pool_backward(self, dout, arg_max, out, x, W, stride, pad, activation, pool,
                           need_input_grad=True):
        """(dx or None, dW, db) of maxpool(act(x ⊛ W + b)). See reference.conv_pool_backward."""
        kernel = "conv_pool_backward"
        x, W, conv_shape, kernel_stride = self._conv_args(x, W, kernel, stride, pad)
        pool, pooled = self._pool_args(pool, conv_shape, kernel)
        self._activation(activation, kernel)
        dout = self._image(dout, "dout", kernel)
        out = self._image(out, "out", kernel)
        for name, a in (("dout", dout), ("out", out)):
            if a.shape != pooled:
                raise ValueError(f"{kernel}: {name} must have shape {pooled} (pool {pool} over "
                                 f"the convolution's {conv_shape}), got {a.shape}")
        self._pool_winners(arg_max, pooled, pool, kernel, "conv_pool_forward")
        dout, x, W = self._common(dout, x, W)
        if out.dtype != dout.dtype:
            out = out.astype(dout.dtype)
        kernel = getattr(self.impl, kernel, None) or self._composed_conv_pool_backward
        return kernel(dout, arg_max, out, x, W, kernel_stride, int(pad), activation, pool,
                      bool(need_input_grad))

    def _composed_conv_pool_forward(self, *args):
        return composed.conv_pool_forward(self.impl, *args)

    def _composed_conv_pool_backward(self, *args):
        return composed.conv_pool_backward(self.impl, *args)

    def _pool_winners(self, arg_max, shape, pool, kernel, forward):
        """arg_max must be the int32 winners `forward` returned: a kernel writes at them."""
        if not isinstance(arg_max, self._ndarray) or arg_max.shape != shape \
                or arg_max.dtype != np.int32:
            raise ValueError(
                f"{kernel}: arg_max must be the int32 array of shape {shape} that "
                f"{forward} returned, got {getattr(arg_max, 'shape', type(arg_max))} "
                f"{getattr(arg_max, 'dtype', '')}"
            )
        # One reduction proves every index in range.
        if arg_max.size and int(arg_max.view(np.uint32).max()) >= pool[0] * pool[1]:
            raise ValueError(f"{kernel}: arg_max values must lie in [0, {pool[0] * pool[1]})")

    def max_pool_forward(self, x, pool_h, pool_w, stride, pad):
        """(out, arg_max) of max pooling. See reference.max_pool_forward."""
        x = self._image(x, "x", "max_pool_forward")
        _, _, stride = self._window("max_pool_forward", x.shape, pool_h, pool_w, stride, pad,
                                    what="pool")
        return self.impl.max_pool_forward(x, int(pool_h), int(pool_w), stride, int(pad))

    def max_pool_backward(self, dout, arg_max, input_shape, pool_h, pool_w, stride, pad):
        """dx routing dout to each window's arg_max. See reference.max_pool_backward."""
        kernel = "max_pool_backward"
        dout = self._image(dout, "dout", kernel)
        shape = self._input_shape(input_shape, kernel)
        oh, ow, kernel_stride = self._window(kernel, shape, pool_h, pool_w, stride, pad,
                                             what="pool")
        expected = (shape[0], shape[1], oh, ow)
        if dout.shape != expected:
            raise ValueError(
                f"{kernel}: dout must have shape {expected} for input_shape {shape}, "
                f"pool {pool_h}x{pool_w}, stride {stride}, pad {pad}; got {dout.shape}"
            )
        self._pool_winners(arg_max, expected, (pool_h, pool_w), kernel, "max_pool_forward")
        return self.impl.max_pool_backward(dout, arg_max, shape, int(pool_h), int(pool_w),
                                           kernel_stride, int(pad))
