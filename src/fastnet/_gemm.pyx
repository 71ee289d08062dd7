"""GEMM kernels (csrc/gemm/): thin entry points that read each array's
pointer, shape and strides once through the buffer protocol, release the
GIL and call C. Validation happened before, in fastnet.backend.checks;
fastnet.backend.cython.gemm and fastnet.gemm are the Python faces.

The float32/float64 choice is made in C (csrc/gemm/dispatch.c) from the
arrays' item size. `is_f64` names the dtype only where no array is passed
(fma_roof).
"""

from cpython.buffer cimport Py_buffer

from ._buffers cimport Buffers, aligned, dtype_of
from ._c_gemm cimport (
    FN_GEMM_BLOCKED,
    FN_GEMM_NAIVE,
    FN_GEMM_REORDERED,
    fn_gemm_epilogue,
    fn_gemm_fma_roof,
    fn_gemm_packed,
    fn_gemm_packed_a32,
    fn_gemm_rung,
)
from ._c_simd cimport fn_cpu_simd
from ._c_vocabulary cimport FN_AVX2, FN_AVX512, FN_F32, FN_F64, fn_dtype

# The ladder's rungs 1-3, by number (rungs 4-5 are `packed`).
NAIVE, REORDERED, BLOCKED = FN_GEMM_NAIVE, FN_GEMM_REORDERED, FN_GEMM_BLOCKED


cdef struct Matrix:
    # A 2-D view: element (i, j) at data[i*rs + j*cs], strides in elements.
    void *data
    Py_ssize_t rows, cols, rs, cs


cdef Matrix _matrix(Py_buffer *v, bint transpose) noexcept:
    """The 2-D view v (aligned to its item size), as v.T when `transpose`."""
    cdef Matrix mat
    cdef Py_ssize_t item = v.itemsize
    mat.data = v.buf
    if transpose:
        mat.rows, mat.cols = v.shape[1], v.shape[0]
        mat.rs, mat.cs = v.strides[1] // item, v.strides[0] // item
    else:
        mat.rows, mat.cols = v.shape[0], v.shape[1]
        mat.rs, mat.cs = v.strides[0] // item, v.strides[1] // item
    return mat


cdef inline const void *_bias_data(Buffers b, object bias) except? NULL:
    return b.read(bias).buf if bias is not None else NULL


def have_avx2():
    """True when the AVX2+FMA micro-kernel was compiled in and this CPU runs it."""
    return fn_cpu_simd() >= FN_AVX2


def have_avx512():
    """True when the AVX-512 build (rung 6) was compiled in and this CPU runs it."""
    return fn_cpu_simd() >= FN_AVX512


def fma_roof(bint is_f64, int kernel, long steps):
    """Flops done by `steps` rounds of register-only FMAs of `kernel` (1 AVX2,
    2 AVX-512; 0 when it cannot run here): time it for the core's peak."""
    cdef double flops
    with nogil:
        flops = fn_gemm_fma_roof(FN_F64 if is_f64 else FN_F32, kernel, steps)
    return flops


def packed(a, b, bias, int activation, bint trans_a, bint trans_b, c, int kernel):
    """c[...] = act(op(a) @ op(b) + bias) with the packed GEMM (rungs 4-6).

    a, b: 2-D float arrays of c's dtype, any strides, except that a may be
    float32 when c is float64 (it is widened while packed); bias: contiguous,
    aligned (n,) of c's dtype or None; c: C-contiguous (m, n), written; kernel: 0
    portable, 1 AVX2, 2 AVX-512. Returns False (c untouched) when a or b is
    misaligned (a view into raw bytes can be: strides in elements would be wrong).
    """
    cdef Buffers buffers = Buffers()
    cdef Py_buffer *va = buffers.read(a)
    cdef Py_buffer *vb = buffers.read(b)
    if not (aligned(va) and aligned(vb)):
        return False
    cdef Matrix ma = _matrix(va, trans_a), mb = _matrix(vb, trans_b)
    cdef Matrix mc = _matrix(buffers.write(c), False)
    cdef const void *bias_data = _bias_data(buffers, bias)
    cdef int status
    cdef fn_dtype dtype = dtype_of(vb)
    if dtype_of(va) != dtype and dtype != FN_F64:
        raise TypeError("gemm: of mixed operands only float32 a with float64 b is computed here")
    with nogil:
        if dtype_of(va) == dtype:
            status = fn_gemm_packed(dtype, mc.rows, mc.cols, ma.cols, ma.data, ma.rs, ma.cs,
                                    mb.data, mb.rs, mb.cs, mc.data, mc.rs, bias_data,
                                    activation, kernel)
        else:  # a float32, the rest float64
            status = fn_gemm_packed_a32(dtype, mc.rows, mc.cols, ma.cols, <const float *>ma.data,
                                        ma.rs, ma.cs, mb.data, mb.rs, mb.cs, mc.data, mc.rs,
                                        bias_data, activation, kernel)
    if status != 0:
        raise MemoryError(f"gemm: cannot allocate packing buffers for {c.shape}")
    return True


def rung(int which, a, b, c):
    """c[...] = a @ b with ladder rung `which` (NAIVE, REORDERED or BLOCKED)."""
    cdef Buffers buffers = Buffers()
    cdef Py_buffer *va = buffers.read(a)
    cdef Py_buffer *vb = buffers.read(b)
    if not (aligned(va) and aligned(vb)):
        raise ValueError("the GEMM ladder needs arrays aligned to their item size")
    cdef Matrix ma = _matrix(va, False), mb = _matrix(vb, False)
    cdef Matrix mc = _matrix(buffers.write(c), False)
    with nogil:
        fn_gemm_rung(dtype_of(va), which, mc.rows, mc.cols, ma.cols, ma.data, ma.rs, ma.cs,
                     mb.data, mb.rs, mb.cs, mc.data, mc.rs)


def epilogue(c, bias, int activation, int kernel):
    """c[...] = act(c + bias) in place, one pass; c C-contiguous (m, n), bias (n,) or
    None; kernel: 0 portable, 1 AVX2, 2 AVX-512 (the instruction set of its exp loops)."""
    cdef Buffers buffers = Buffers()
    cdef Py_buffer *vc = buffers.write(c)
    cdef Matrix mc = _matrix(vc, False)
    cdef const void *bias_data = _bias_data(buffers, bias)
    with nogil:
        fn_gemm_epilogue(dtype_of(vc), mc.rows, mc.cols, mc.data, mc.rs, bias_data, activation,
                         kernel)
