"""What every kernel family of the "cupy" backend shares: building and launching.

Two kinds of kernel, both compiled by CuPy (NVRTC) on first use:

- `ElementwiseKernel`: one CUDA statement run once per element, with NumPy
  broadcasting and any strides; `T` is the array dtype (float or double).
  Output parameters may be read as well as written, which is how the
  optimizer updates change `param` in place.
- `RawKernel`: a whole `__global__` function, for work that is not
  elementwise (softmax, cross-entropy: one thread per row, losses.py;
  im2col, col2im and pooling: one thread per output element, conv.py).
  RawKernels see raw pointers, so the caller passes C-contiguous arrays of
  exactly the kernel's dtype; `real` is float or double.

A family's module holds its CUDA sources (plain strings, so that they can
be read, and compiled by NVRTC in the tests, without a GPU) and a
`build(cupy)` that turns them into CuPy kernel objects with the helpers
here; constructing those needs no GPU, CuPy compiles each on its first call.
"""

# Device functions shared by the elementwise kernels, two per activation of
# the vocabulary (backend/vocabulary.py): act_<name>(v) is the activation, as
# in reference.activation_forward; grad_<name>(dout, y) is dout·act'(x) from
# the forward output y = act(x), as in reference.activation_backward.
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

# The C type that `real` stands for, per NumPy dtype character.
REAL_TYPES = {"f": "float", "d": "double"}


def raw_source(source, real):
    """A RawKernel source for one element type: `real` is "float" or "double"."""
    return f"typedef {real} real;\n" + source


def elementwise_kernel(cupy, spec, name):
    """The ElementwiseKernel of `spec` = (input params, output params, statement)."""
    in_params, out_params, operation = spec
    return cupy.ElementwiseKernel(
        in_params, out_params, operation, f"fastnet_{name}", preamble=PREAMBLE
    )


def elementwise_kernels(cupy, table, name_format):
    """The ElementwiseKernel of every spec in `table`, by key, named name_format.format(key)."""
    return {
        key: elementwise_kernel(cupy, spec, name_format.format(key))
        for key, spec in table.items()
    }


def raw_kernels(cupy, source, name):
    """RawKernel `name` of `source`, by dtype character: RawKernels are not generic."""
    return {
        char: cupy.RawKernel(raw_source(source, real), name)
        for char, real in REAL_TYPES.items()
    }


def launch(kernels, threads, block, args):
    """Run a RawKernel with `threads` threads, `block` to a block, as kernel(*args).

    `kernels` is one RawKernel per dtype character (raw_kernels); the first
    array of `args` chooses it.
    """
    if threads == 0:  # CUDA refuses an empty grid
        return
    kernel = kernels[args[0].dtype.char]
    grid = ((threads + block - 1) // block,)
    kernel(grid, (block,), args)
