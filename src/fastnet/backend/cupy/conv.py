"""Convolution and pooling for the "cupy" backend: CUDA kernels and their launches.

im2col, col2im and max pooling are RawKernels with one thread per OUTPUT
element: each thread computes its own value from the input and writes it
once. col2im and the pooling backward are written as gathers (each pixel
adds up the patch entries that came from it, in the reference's order)
rather than scatters, so they need no atomic additions and give the same
sums on every run. Images are C-contiguous (N, C, H, W) arrays of `real`
(float or double); every size is a `long long`. Each kernel's math is its
first comment line.

`ConvKernels` is a part of `DeviceKernels` (fastnet.backend.cupy), which
supplies the array module `self.xp` (CuPy) and the kernel objects `self.k`
(`build(cupy)`). Same names and signatures as `fastnet.backend.numpy.conv`;
the convolutions themselves are composed from these kernels and gemm
(backend/composed.py).
"""

import numpy as np

from .. import composed
from ..numpy import conv_output_size
from .launch import launch, raw_kernels

CONV_KERNELS = r"""
// Is pixel y tapped by tap i of a window, y = p·stride + i - pad, for a window p in [0, count)?
// If so, *p is that window. (The gathers below ask it for every tap.)
__device__ bool window_of(long long y, long long i, long long stride, long long pad,
                          long long count, long long* p) {
    long long py = y + pad - i;
    if (py < 0 || py % stride != 0 || py / stride >= count) return false;
    *p = py / stride;
    return true;
}

// col[(b, p, q), (ch, i, j)] := img_pad[b, ch, p·stride + i, q·stride + j], 0 in the padding
extern "C" __global__ void im2col(const real* img, real* col, long long total,
                                  long long c, long long h, long long w,
                                  long long fh, long long fw, long long oh, long long ow,
                                  long long stride, long long pad) {
    long long k = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (k >= total) return;  // total = N·OH·OW · C·FH·FW
    long long cols = c * fh * fw;
    long long row = k / cols, column = k % cols;
    long long j = column % fw, i = (column / fw) % fh, ch = column / (fw * fh);
    long long q = row % ow, p = (row / ow) % oh, b = row / (ow * oh);
    long long y = p * stride + i - pad, x = q * stride + j - pad;  // unpadded coordinates
    bool inside = y >= 0 && y < h && x >= 0 && x < w;
    col[k] = inside ? img[((b * c + ch) * h + y) * w + x] : (real)0;
}

// img[b, ch, y, x] := Σ col[(b, p, q), (ch, i, j)] over p·s + i - pad = y, q·s + j - pad = x
extern "C" __global__ void col2im(const real* col, real* img, long long total,
                                  long long c, long long h, long long w,
                                  long long fh, long long fw, long long oh, long long ow,
                                  long long stride, long long pad) {
    long long k = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (k >= total) return;  // total = N·C·H·W
    long long x = k % w, y = (k / w) % h, ch = (k / (w * h)) % c, b = k / (w * h * c);
    long long cols = c * fh * fw, p, q;
    real sum = 0;
    for (long long i = 0; i < fh; ++i) {
        if (!window_of(y, i, stride, pad, oh, &p)) continue;
        for (long long j = 0; j < fw; ++j) {
            if (!window_of(x, j, stride, pad, ow, &q)) continue;
            sum += col[((b * oh + p) * ow + q) * cols + (ch * fh + i) * fw + j];
        }
    }
    img[k] = sum;
}

// out[b, ch, p, q] := max of the window (padding counts as 0); arg_max := i·pw + j of its first max
extern "C" __global__ void max_pool_forward(const real* img, real* out, int* arg_max,
                                            long long total, long long h, long long w,
                                            long long ph, long long pw, long long oh, long long ow,
                                            long long stride, long long pad) {
    long long k = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (k >= total) return;  // total = N·C·OH·OW
    long long q = k % ow, p = (k / ow) % oh, plane = k / (ow * oh);  // plane = b·C + ch
    const real* src = img + plane * h * w;
    real best = 0;
    int best_at = -1;
    for (long long i = 0; i < ph; ++i) {
        for (long long j = 0; j < pw; ++j) {
            long long y = p * stride + i - pad, x = q * stride + j - pad;
            real v = (y >= 0 && y < h && x >= 0 && x < w) ? src[y * w + x] : (real)0;
            // Strictly greater keeps the first maximum; a NaN wins once, as in np.argmax.
            if (best_at < 0 || v > best || (v != v && best == best)) {
                best = v;
                best_at = (int)(i * pw + j);
            }
        }
    }
    out[k] = best;
    arg_max[k] = best_at;
}

// dx[b, ch, y, x] := Σ dout[b, ch, p, q] over the windows (p, q) whose arg_max is (y, x)
extern "C" __global__ void max_pool_backward(const real* dout, const int* arg_max, real* dx,
                                             long long total, long long h, long long w,
                                             long long ph, long long pw, long long oh, long long ow,
                                             long long stride, long long pad) {
    long long k = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (k >= total) return;  // total = N·C·H·W
    long long x = k % w, y = (k / w) % h, plane = k / (w * h);
    long long p, q;
    real sum = 0;
    for (long long i = 0; i < ph; ++i) {
        if (!window_of(y, i, stride, pad, oh, &p)) continue;
        for (long long j = 0; j < pw; ++j) {
            if (!window_of(x, j, stride, pad, ow, &q)) continue;
            long long o = (plane * oh + p) * ow + q;
            if (arg_max[o] == i * pw + j) sum += dout[o];
        }
    }
    dx[k] = sum;
}
"""

CONV_KERNEL_NAMES = ("im2col", "col2im", "max_pool_forward", "max_pool_backward")

# Threads per block for the conv kernels (one thread per output element).
CONV_BLOCK = 256


def build(cupy):
    """This family's CuPy kernel objects, by their names in `self.k`."""
    return {name: raw_kernels(cupy, CONV_KERNELS, name) for name in CONV_KERNEL_NAMES}


def _sizes(*values):
    """Python ints as the `long long` arguments of a RawKernel."""
    return tuple(np.int64(v) for v in values)


class ConvKernels:
    """im2col, col2im, convolution and max pooling on `xp` arrays."""

    def _launch(self, name, arrays, total, sizes):
        """Run conv kernel `name` as name(*arrays, total, *sizes), one thread per output.

        The kernel's `real` is the dtype of the first array.
        """
        launch(getattr(self.k, name), total, CONV_BLOCK, (*arrays, *_sizes(total, *sizes)))

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
