"""The embedding gradient for the "cupy" backend: a sort, then one RawKernel.

A scatter with atomic additions would add a row's look-ups in whatever order
the threads arrive, so its rounding would change from run to run. Here the
look-ups are sorted by table row instead (CuPy's sort is stable: each row's
look-ups stay in look-up order), and the kernel runs one thread per element
of the table, which sums its row's look-ups in that order: the reference's
sums, on every run. A row looked up very often (padding's id 0) gives its
threads a long loop; that is the price of the fixed order.

`EmbeddingKernels` is a part of `DeviceKernels` (fastnet.backend.cupy), which
supplies the array module `self.xp` (CuPy) and the kernel objects `self.k`
(`build(cupy)`). Same name and signature as `fastnet.backend.numpy.embedding`.
"""

import numpy as np

from .launch import launch, raw_kernels

EMBEDDING_KERNELS = r"""
// grad[r, j] := Σ dout[order[k] / steps, j] for k from first[r] to first[r + 1] - 1, in order
extern "C" __global__ void embedding_backward(const real* dout, const long long* order,
                                              const long long* first, real* grad,
                                              long long total, long long d, long long steps) {
    long long t = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= total) return;
    long long r = t / d, j = t % d;
    real sum = 0;
    for (long long k = first[r]; k < first[r + 1]; ++k) sum += dout[(order[k] / steps) * d + j];
    grad[t] = sum;
}
"""

# Threads per block (one thread per element of the table).
EMBEDDING_BLOCK = 256


def build(cupy):
    """This family's CuPy kernel objects, by their names in `self.k`."""
    return {"embedding_backward": raw_kernels(cupy, EMBEDDING_KERNELS, "embedding_backward")}


class EmbeddingKernels:
    """The embedding gradient on `xp` arrays."""

    def embedding_backward(self, dout, ids, input_dim):
        """dW[r, :] := Σ dout[n, :] over the look-ups (n, s) with ids[n, s] = r."""
        xp = self.xp
        flat = ids.reshape(-1)
        order = xp.argsort(flat, kind="stable").astype(xp.int64, copy=False)
        # first[r]: where row r's look-ups begin in `order` (first[input_dim]: the end)
        first = xp.searchsorted(flat[order], xp.arange(input_dim + 1)).astype(xp.int64,
                                                                               copy=False)
        dout = xp.ascontiguousarray(dout)  # the kernel reads raw pointers
        grad = xp.empty((input_dim, dout.shape[1]), dtype=dout.dtype)
        launch(self.k.embedding_backward, grad.size, EMBEDDING_BLOCK,
               (dout, order, first, grad, *(np.int64(v) for v in (grad.size, dout.shape[1],
                                                                 ids.shape[1]))))
        return grad
