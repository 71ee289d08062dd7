"""GEMM for the "cupy" backend: cuBLAS for the product, one CUDA kernel for the rest.

`GemmKernels` is a part of `DeviceKernels` (fastnet.backend.cupy), which
supplies the array module `self.xp` (CuPy) and the kernel objects `self.k`
(`build(cupy)`). Same name and signature as `fastnet.backend.numpy.gemm`.
"""

from ..vocabulary import ACTIVATIONS
from .launch import elementwise_kernels

# C := act(C + bias), in place on the product cuBLAS wrote: the GEMM epilogue.
# bias (N,) broadcasts over the rows of C (M, N).
BIAS_ACTIVATION = {
    act: ("T bias", "T c", f"c = act_{act}(c + bias)") for act in ACTIVATIONS
}


def build(cupy):
    """This family's CuPy kernel objects, by their names in `self.k`."""
    return {"bias_activation": elementwise_kernels(cupy, BIAS_ACTIVATION, "bias_{}")}


class GemmKernels:
    """gemm on `xp` arrays."""

    def gemm(self, a, b, bias=None, activation="identity", trans_a=False, trans_b=False):
        """C := act(op(A)·op(B) + bias): cuBLAS, then one fused epilogue kernel."""
        a = a.T if trans_a else a
        b = b.T if trans_b else b
        # matmul hands the product to cuBLAS; CuPy can pass a transposed view
        # as cuBLAS's transpose flag instead of copying it.
        c = self.xp.matmul(a, b)
        if bias is not None:
            self.k.bias_activation[activation](bias, c)  # c := act(c + bias), in place
        elif activation != "identity":
            self.k.activation_forward[activation](c, c)  # c := act(c), in place
        return c
