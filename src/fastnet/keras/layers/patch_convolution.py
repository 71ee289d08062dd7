"""A channels-last convolution from strided views, for what the engine's kernels cannot take.

The engine's convolution takes one stride and one symmetric pad for both
axes. Conv2D layers with strides (1, 2), or Keras' 'same' padding split
unevenly (the odd row at the bottom) or differently per axis, run here:
the input is padded as Keras pads it, each kernel offset's strided view
(windows.py) fills one slot of a (batch·oh·ow, kh·kw·channels) patch
matrix, and the backend's gemm multiplies it by the kernel, bias and
activation fused. Backward multiplies back and adds each offset's slot of
the patch gradient into the padded input through the same view.
"""

from ...backend import current
from . import windows


class PatchConvolution:
    """act(patches(x) · kernel + bias) for (batch, height, width, channels) images.

    kernel (kh, kw, in, out) and bias (out,) are the Keras layer's own arrays,
    read on every forward, so the optimizer's in-place updates are seen.
    After backward, dW (Keras' layout) and db hold the weights' gradients.
    """

    def __init__(self, kernel, bias, strides, pads, activation):
        self.kernel, self.bias = kernel, bias
        self.strides, self.pads, self.activation = strides, pads, activation
        self.need_input_grad = True
        self.dW = self.db = None
        self._patches = self._out = self._padded_shape = None

    def forward(self, x):
        B = current()
        kh, kw, channels, filters = self.kernel.shape
        x = windows.padded(x, self.pads)
        out_hw = windows.output_size(x.shape[1:3], (kh, kw), self.strides, "valid")
        n = x.shape[0]
        patches = B.xp.empty((n, *out_hw, kh * kw, channels), dtype=x.dtype)
        for slot, view in enumerate(windows.views(x, (kh, kw), self.strides, out_hw)):
            patches[:, :, :, slot, :] = view
        self._patches = patches.reshape(-1, kh * kw * channels)
        self._padded_shape = x.shape
        self._out = B.gemm(self._patches, self.kernel.reshape(-1, filters), self.bias,
                           self.activation)
        return self._out.reshape(n, *out_hw, filters)

    def backward(self, dout):
        B = current()
        kh, kw, channels, filters = self.kernel.shape
        dz = dout.reshape(-1, filters)
        if self.activation != "identity":
            dz = B.activation_backward(dz, self._out, self.activation)
        self.dW = B.gemm(self._patches, dz, trans_a=True).reshape(self.kernel.shape)
        self.db = B.column_sum(dz)
        if not self.need_input_grad:
            return None
        dpatches = B.gemm(dz, self.kernel.reshape(-1, filters), trans_b=True)
        dpatches = dpatches.reshape(*dout.shape[:3], kh * kw, channels)
        dx = B.xp.zeros(self._padded_shape, dtype=dout.dtype)
        for slot, view in enumerate(windows.views(dx, (kh, kw), self.strides, dout.shape[1:3])):
            view += dpatches[:, :, :, slot, :]  # overlapping windows add up
        return windows.cropped(dx, self.pads)
