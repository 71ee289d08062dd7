"""The CUDA side of the "cupy" backend: the dense kernels' sources, and `build`.

Two kinds of kernel, both compiled by CuPy (NVRTC) on first use:

- `ElementwiseKernel`: one CUDA statement run once per element, with NumPy
  broadcasting and any strides; `T` is the array dtype (float or double).
  Output parameters may be read as well as written, which is how the
  optimizer updates change `param` in place.
- `RawKernel`: a whole `__global__` function, for work that is not
  elementwise (softmax, cross-entropy: one thread per row here; im2col,
  col2im and pooling in cuda_conv.py). RawKernels see raw pointers,
  so the caller (`launch.py`) passes C-contiguous arrays of exactly the
  kernel's dtype; `real` is float or double.

Nothing here is NumPy's math: each kernel's one-line statement matches the
function of the same name in `fastnet.backend.numpy`, the specification.
The sources are plain strings so that they can be read (and compiled by
NVRTC in the tests) without a GPU; `build(cupy)` turns them into CuPy kernel
objects, which CuPy compiles on their first call.
"""

import types

from ..vocabulary import ACTIVATIONS
from . import cuda_conv

# Device functions shared by the elementwise kernels, two per activation of
# the vocabulary: act_<name>(v) is the activation, as in
# reference.activation_forward; grad_<name>(dout, y) is dout·act'(x) from the
# forward output y = act(x), as in reference.activation_backward.
PREAMBLE = r"""
template <typename T> __device__ T act_identity(T v) { return v; }
template <typename T> __device__ T grad_identity(T dout, T) { return dout; }

// max(v, 0); written as a comparison so that NaN propagates like np.maximum.
template <typename T> __device__ T act_relu(T v) { return v < (T)0 ? (T)0 : v; }
template <typename T> __device__ T grad_relu(T dout, T y) { return y > (T)0 ? dout : (T)0; }

// exp(-|v|) never overflows; the two branches are the same function.
template <typename T> __device__ T act_sigmoid(T v) {
    T e = exp(-fabs(v));
    return v >= (T)0 ? (T)1 / ((T)1 + e) : e / ((T)1 + e);
}
template <typename T> __device__ T grad_sigmoid(T dout, T y) { return dout * y * ((T)1 - y); }

template <typename T> __device__ T act_tanh(T v) { return tanh(v); }
template <typename T> __device__ T grad_tanh(T dout, T y) { return dout * ((T)1 - y * y); }
"""

# ------------------------------------------------------- elementwise kernels
# name: (input params, output params, the statement run for each element)

# Y := act(X)
ACTIVATION_FORWARD = {
    act: ("T x", "T y", f"y = act_{act}(x)") for act in ACTIVATIONS
}

# dX := dout·act'(X), from the forward output Y = act(X)
ACTIVATION_BACKWARD = {
    act: ("T dout, T y", "T dx", f"dx = grad_{act}(dout, y)") for act in ACTIVATIONS
}

# C := act(C + bias), in place on the product cuBLAS wrote: the GEMM epilogue.
# bias (N,) broadcasts over the rows of C (M, N).
BIAS_ACTIVATION = {
    act: ("T bias", "T c", f"c = act_{act}(c + bias)") for act in ACTIVATIONS
}

# term := softplus(x) - t·x;  dx := (sigmoid(x) - t) / count (count = x.size)
# softplus(x) = max(x, 0) + log1p(exp(-|x|)) never overflows.
SIGMOID_BCE = (
    "T x, T t, T count",
    "T term, T dx",
    "term = act_relu(x) + log1p(exp(-fabs(x))) - t * x;"
    " dx = (act_sigmoid(x) - t) / count",
)

# Optimizer updates, in place (param and state are output parameters).
# Scalars whose value the caller computes in double precision (1 - beta1,
# momentum², ...) are passed in ready-made, as reference.py computes them.
OPTIMIZERS = {
    # p -= lr·g
    "sgd": ("T grad, T lr", "T param", "param -= lr * grad"),
    # v = momentum·v - lr·g; p += v
    "momentum": (
        "T grad, T lr, T momentum",
        "T param, T velocity",
        "velocity = velocity * momentum - lr * grad; param += velocity",
    ),
    # p += momentum²·v; p -= (1 + momentum)·lr·g; v = momentum·v - lr·g
    "nesterov": (
        "T grad, T lr, T momentum, T momentum_sq, T one_plus_momentum_lr",
        "T param, T velocity",
        "param += momentum_sq * velocity; param -= one_plus_momentum_lr * grad;"
        " velocity = velocity * momentum - lr * grad",
    ),
    # h += g²; p -= lr·g / (√h + eps)
    "adagrad": (
        "T grad, T lr, T eps",
        "T param, T h",
        "h += grad * grad; param -= lr * grad / (sqrt(h) + eps)",
    ),
    # h = decay·h + (1 - decay)·g²; p -= lr·g / (√h + eps)
    "rmsprop": (
        "T grad, T lr, T decay, T one_minus_decay, T eps",
        "T param, T h",
        "h = h * decay + one_minus_decay * grad * grad;"
        " param -= lr * grad / (sqrt(h) + eps)",
    ),
    # h = decay·h + gain·g²; p -= lr·g / √(h + eps) (Keras' RMSprop and Adagrad)
    "rms": (
        "T grad, T lr, T decay, T gain, T eps",
        "T param, T h",
        "h = h * decay + gain * grad * grad; param -= lr * grad / sqrt(h + eps)",
    ),
    # m += (1-β1)(g - m); v += (1-β2)(g² - v); p -= lr_t·m / (√v + eps)
    "adam": (
        "T grad, T lr_t, T one_minus_beta1, T one_minus_beta2, T eps",
        "T param, T m, T v",
        "m += one_minus_beta1 * (grad - m); v += one_minus_beta2 * (grad * grad - v);"
        " param -= lr_t * m / (sqrt(v) + eps)",
    ),
}

# ----------------------------------------------------------------- raw kernels
# One thread per row i of a C-contiguous (n, c) array. A row of a learner's
# network has 10 to 1,000 classes, so a sequential loop per row is short, and
# every thread reads its row in a few cache lines. `real` is float or double.

ROW_KERNELS = r"""
// Y[i] := exp(X[i] - max X[i]) / Σ exp(X[i] - max X[i]), written into y.
// Subtracting the max keeps exp from overflowing. An inf or NaN in the row
// makes the sum, hence the whole row, NaN, which the Backend reports.
// The caller guarantees c >= 1.
__device__ void softmax_row(const real* x, real* y, long long c) {
    real m = x[0];
    for (long long j = 1; j < c; ++j) m = x[j] > m ? x[j] : m;
    // The sum is kept in double: 1,000 float terms added one by one would
    // lose about three digits, where NumPy's pairwise sum loses one.
    double s = 0;
    for (long long j = 0; j < c; ++j) { y[j] = exp(x[j] - m); s += y[j]; }
    for (long long j = 0; j < c; ++j) y[j] = (real)(y[j] / s);
}

// The first index of the largest value, like argmax.
__device__ long long argmax_row(const real* t, long long c) {
    long long best = 0;
    for (long long j = 1; j < c; ++j) if (t[j] > t[best]) best = j;
    return best;
}

extern "C" __global__ void softmax_rows(const real* x, real* y, long long n, long long c) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) softmax_row(x + i * c, y + i * c, c);
}

// logp[i] := log(softmax(X)[i, t_i] + eps);  dX[i] := (softmax(X)[i] - onehot(t_i)) / n
// One launch gives the loss terms and the gradient: y is computed into dx
// and turned into the gradient in place.
extern "C" __global__ void softmax_xent_labels(const real* x, const long long* t, real* dx,
                                               real* logp, long long n, long long c,
                                               real eps) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    real* d = dx + i * c;
    softmax_row(x + i * c, d, c);
    logp[i] = log(d[t[i]] + eps);
    d[t[i]] -= 1;
    for (long long j = 0; j < c; ++j) d[j] /= (real)n;
}

// The same for a one-hot (or soft) float target T: the loss takes the label
// argmax(T[i]) (as the book does), the gradient is (softmax(X)[i] - T[i]) / n.
extern "C" __global__ void softmax_xent_onehot(const real* x, const real* t, real* dx,
                                               real* logp, long long n, long long c,
                                               real eps) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    real* d = dx + i * c;
    const real* ti = t + i * c;
    softmax_row(x + i * c, d, c);
    logp[i] = log(d[argmax_row(ti, c)] + eps);
    for (long long j = 0; j < c; ++j) d[j] = (d[j] - ti[j]) / (real)n;
}
"""

ROW_KERNEL_NAMES = ("softmax_rows", "softmax_xent_labels", "softmax_xent_onehot")

# The C type that `real` stands for, per NumPy dtype character.
REAL_TYPES = {"f": "float", "d": "double"}

# Threads per block for the row kernels.
ROW_BLOCK = 128


def raw_source(source, real):
    """A RawKernel source for one element type: `real` is "float" or "double"."""
    return f"typedef {real} real;\n" + source


def build(cupy):
    """The CuPy kernel objects, grouped like this module's tables.

    Constructing them needs no GPU; CuPy compiles each on its first call.
    """

    def elementwise(spec, name):
        in_params, out_params, operation = spec
        return cupy.ElementwiseKernel(
            in_params, out_params, operation, f"fastnet_{name}", preamble=PREAMBLE
        )

    def raw(source, name):
        # One compiled kernel per element type: RawKernels are not generic.
        return {
            char: cupy.RawKernel(raw_source(source, real), name)
            for char, real in REAL_TYPES.items()
        }

    return types.SimpleNamespace(
        activation_forward={
            act: elementwise(spec, f"{act}_forward") for act, spec in ACTIVATION_FORWARD.items()
        },
        activation_backward={
            act: elementwise(spec, f"{act}_backward") for act, spec in ACTIVATION_BACKWARD.items()
        },
        bias_activation={
            act: elementwise(spec, f"bias_{act}") for act, spec in BIAS_ACTIVATION.items()
        },
        sigmoid_bce=elementwise(SIGMOID_BCE, "sigmoid_bce"),
        optimizers={name: elementwise(spec, f"{name}_update") for name, spec in OPTIMIZERS.items()},
        batchnorm={
            name: elementwise(spec, f"batchnorm_{name}")
            for name, spec in cuda_conv.BATCHNORM.items()
        },
        **{name: raw(ROW_KERNELS, name) for name in ROW_KERNEL_NAMES},
        **{name: raw(cuda_conv.CONV_KERNELS, name)
           for name in cuda_conv.CONV_KERNEL_NAMES},
    )
