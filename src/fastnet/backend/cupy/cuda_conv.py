"""CUDA for the convolution-era kernels of the "cupy" backend.

im2col, col2im and max pooling are RawKernels with one thread per OUTPUT
element: each thread computes its own value from the input and writes it
once. col2im and the pooling backward are written as gathers (each pixel
adds up the patch entries that came from it, in the reference's order)
rather than scatters, so they need no atomic additions and give the same
sums on every run. Images are C-contiguous (N, C, H, W) arrays of `real`
(float or double); every size is a `long long`.

Batch normalization is CuPy's column reductions (mean, sums) plus one fused
ElementwiseKernel per pass over the batch; dropout needs no kernel of its
own (`x * mask` is one CuPy elementwise kernel already).

Each kernel's math is its first comment line; they match the functions of
the same names in fastnet.backend.numpy.
"""

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
                                            long long ph, long long pw,
                                            long long oh, long long ow,
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
                                             long long ph, long long pw,
                                             long long oh, long long ow,
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

# Batch normalization, elementwise over (N, D) with (D,) vectors broadcast.
BATCHNORM = {
    # xn := (x - μ) / std;  out := γ·xn + β   (std is spelled stdev: `std` is C++'s namespace)
    "forward_train": (
        "T x, T mu, T stdev, T gamma, T beta",
        "T xn, T out",
        "xn = (x - mu) / stdev; out = gamma * xn + beta",
    ),
    # r_μ := m·r_μ + (1 - m)·μ;  r_σ² := m·r_σ² + (1 - m)·σ²  (in place)
    "running": (
        "T mu, T var, T momentum, T one_minus_momentum",
        "T running_mean, T running_var",
        "running_mean = momentum * running_mean + one_minus_momentum * mu;"
        " running_var = momentum * running_var + one_minus_momentum * var",
    ),
    # out := γ·(x - r_μ) / √(r_σ² + eps) + β
    "forward_infer": (
        "T x, T running_mean, T running_var, T gamma, T beta, T eps",
        "T out",
        "out = gamma * ((x - running_mean) / sqrt(running_var + eps)) + beta",
    ),
    # dx := γ/std·(dout - dβ/N - xn·dγ/N)
    "backward": (
        "T dout, T xn, T stdev, T gamma, T dgamma, T dbeta, T count",
        "T dx",
        "dx = (gamma / stdev) * (dout - dbeta / count - xn * (dgamma / count))",
    ),
}
