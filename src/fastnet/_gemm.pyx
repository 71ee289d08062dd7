"""GEMM kernels (csrc/gemm/): thin entry points that read each array's
pointer, shape and strides once through the buffer protocol, release the
GIL and call C. Validation happened before, in fastnet.backend.checks;
fastnet.backend.cython.gemm and fastnet.gemm are the Python faces.

Every entry point takes `is_f64` (False: float32) instead of fused types,
whose Python-level dispatch costs microseconds per call.
"""

from cpython.buffer cimport (
    PyBUF_STRIDES,
    PyBUF_WRITABLE,
    PyBuffer_Release,
    PyObject_GetBuffer,
)


from ._c_simd cimport fn_cpu_simd
from ._c_vocabulary cimport FN_AVX2, FN_AVX512


cdef extern from "gemm/gemm.h" nogil:
    double fn_gemm_fma_roof(int is_f64, int kernel, long steps)
    void fn_gemm_naive_f32(Py_ssize_t m, Py_ssize_t n, Py_ssize_t k,
                           const float *a, Py_ssize_t rs_a, Py_ssize_t cs_a,
                           const float *b, Py_ssize_t rs_b, Py_ssize_t cs_b,
                           float *c, Py_ssize_t ldc)
    void fn_gemm_naive_f64(Py_ssize_t m, Py_ssize_t n, Py_ssize_t k,
                           const double *a, Py_ssize_t rs_a, Py_ssize_t cs_a,
                           const double *b, Py_ssize_t rs_b, Py_ssize_t cs_b,
                           double *c, Py_ssize_t ldc)
    void fn_gemm_reordered_f32(Py_ssize_t m, Py_ssize_t n, Py_ssize_t k,
                               const float *a, Py_ssize_t rs_a, Py_ssize_t cs_a,
                               const float *b, Py_ssize_t rs_b, Py_ssize_t cs_b,
                               float *c, Py_ssize_t ldc)
    void fn_gemm_reordered_f64(Py_ssize_t m, Py_ssize_t n, Py_ssize_t k,
                               const double *a, Py_ssize_t rs_a, Py_ssize_t cs_a,
                               const double *b, Py_ssize_t rs_b, Py_ssize_t cs_b,
                               double *c, Py_ssize_t ldc)
    void fn_gemm_blocked_f32(Py_ssize_t m, Py_ssize_t n, Py_ssize_t k,
                             const float *a, Py_ssize_t rs_a, Py_ssize_t cs_a,
                             const float *b, Py_ssize_t rs_b, Py_ssize_t cs_b,
                             float *c, Py_ssize_t ldc)
    void fn_gemm_blocked_f64(Py_ssize_t m, Py_ssize_t n, Py_ssize_t k,
                             const double *a, Py_ssize_t rs_a, Py_ssize_t cs_a,
                             const double *b, Py_ssize_t rs_b, Py_ssize_t cs_b,
                             double *c, Py_ssize_t ldc)
    int fn_gemm_packed_f32(Py_ssize_t m, Py_ssize_t n, Py_ssize_t k,
                           const float *a, Py_ssize_t rs_a, Py_ssize_t cs_a,
                           const float *b, Py_ssize_t rs_b, Py_ssize_t cs_b,
                           float *c, Py_ssize_t ldc, const float *bias,
                           int activation, int kernel)
    int fn_gemm_packed_f64(Py_ssize_t m, Py_ssize_t n, Py_ssize_t k,
                           const double *a, Py_ssize_t rs_a, Py_ssize_t cs_a,
                           const double *b, Py_ssize_t rs_b, Py_ssize_t cs_b,
                           double *c, Py_ssize_t ldc, const double *bias,
                           int activation, int kernel)
    void fn_gemm_epilogue_f32(Py_ssize_t m, Py_ssize_t n, float *c, Py_ssize_t ldc,
                              const float *bias, int activation, int kernel)
    void fn_gemm_epilogue_f64(Py_ssize_t m, Py_ssize_t n, double *c, Py_ssize_t ldc,
                              const double *bias, int activation, int kernel)


# The ladder's rungs 1-3, by number (rungs 4-5 are `packed`).
cdef enum:
    RUNG_NAIVE = 1
    RUNG_REORDERED = 2
    RUNG_BLOCKED = 3

NAIVE, REORDERED, BLOCKED = RUNG_NAIVE, RUNG_REORDERED, RUNG_BLOCKED


cdef struct Matrix:
    # A 2-D view: element (i, j) at data[i*rs + j*cs], strides in elements.
    char *data
    Py_ssize_t rows, cols, rs, cs


cdef int _open(object x, Py_buffer *buf, Matrix *mat, bint transpose, bint writable) except -1:
    """Fill `mat` from array x (2-D), as x.T when `transpose`.

    Returns 1, or 0 (buffer released) when x is not aligned to its item size
    (a view into raw bytes can be): strides in elements would be wrong.
    """
    PyObject_GetBuffer(x, buf, PyBUF_STRIDES | (PyBUF_WRITABLE if writable else 0))
    cdef Py_ssize_t item = buf.itemsize
    if (<size_t>buf.buf) % item or buf.strides[0] % item or buf.strides[1] % item:
        PyBuffer_Release(buf)
        return 0
    mat.data = <char *>buf.buf
    if transpose:
        mat.rows, mat.cols = buf.shape[1], buf.shape[0]
        mat.rs, mat.cs = buf.strides[1] // item, buf.strides[0] // item
    else:
        mat.rows, mat.cols = buf.shape[0], buf.shape[1]
        mat.rs, mat.cs = buf.strides[0] // item, buf.strides[1] // item
    return 1


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
        flops = fn_gemm_fma_roof(is_f64, kernel, steps)
    return flops


def packed(a, b, bias, int activation, bint trans_a, bint trans_b, c, int kernel, bint is_f64):
    """c[...] = act(op(a) @ op(b) + bias) with the packed GEMM (rungs 4-6).

    a, b: 2-D float arrays of c's dtype, any strides; bias: contiguous,
    aligned (n,) or None; c: C-contiguous (m, n), written; kernel: 0
    portable, 1 AVX2, 2 AVX-512. Returns False (c untouched) when a or b is
    misaligned.
    """
    cdef Py_buffer ba, bb, bc, bbias
    cdef Matrix ma, mb, mc
    cdef void *bias_ptr = NULL
    cdef int status = 0
    if not _open(a, &ba, &ma, trans_a, False):
        return False
    try:
        if not _open(b, &bb, &mb, trans_b, False):
            return False
        try:
            _open(c, &bc, &mc, False, True)
            try:
                if bias is not None:
                    PyObject_GetBuffer(bias, &bbias, PyBUF_STRIDES)
                    bias_ptr = bbias.buf
                with nogil:
                    if is_f64:
                        status = fn_gemm_packed_f64(
                            mc.rows, mc.cols, ma.cols,
                            <const double *>ma.data, ma.rs, ma.cs,
                            <const double *>mb.data, mb.rs, mb.cs,
                            <double *>mc.data, mc.rs, <const double *>bias_ptr,
                            activation, kernel)
                    else:
                        status = fn_gemm_packed_f32(
                            mc.rows, mc.cols, ma.cols,
                            <const float *>ma.data, ma.rs, ma.cs,
                            <const float *>mb.data, mb.rs, mb.cs,
                            <float *>mc.data, mc.rs, <const float *>bias_ptr,
                            activation, kernel)
                if bias is not None:
                    PyBuffer_Release(&bbias)
            finally:
                PyBuffer_Release(&bc)
        finally:
            PyBuffer_Release(&bb)
    finally:
        PyBuffer_Release(&ba)
    if status != 0:
        raise MemoryError(f"gemm: cannot allocate packing buffers for {c.shape}")
    return True


def rung(int which, a, b, c, bint is_f64):
    """c[...] = a @ b with ladder rung `which` (NAIVE, REORDERED or BLOCKED)."""
    cdef Py_buffer ba, bb, bc
    cdef Matrix ma, mb, mc
    if not _open(a, &ba, &ma, False, False):
        raise ValueError("the GEMM ladder needs arrays aligned to their item size")
    try:
        if not _open(b, &bb, &mb, False, False):
            raise ValueError("the GEMM ladder needs arrays aligned to their item size")
        try:
            _open(c, &bc, &mc, False, True)
            try:
                with nogil:
                    if is_f64:
                        if which == RUNG_NAIVE:
                            fn_gemm_naive_f64(mc.rows, mc.cols, ma.cols,
                                              <const double *>ma.data, ma.rs, ma.cs,
                                              <const double *>mb.data, mb.rs, mb.cs,
                                              <double *>mc.data, mc.rs)
                        elif which == RUNG_REORDERED:
                            fn_gemm_reordered_f64(mc.rows, mc.cols, ma.cols,
                                                  <const double *>ma.data, ma.rs, ma.cs,
                                                  <const double *>mb.data, mb.rs, mb.cs,
                                                  <double *>mc.data, mc.rs)
                        else:
                            fn_gemm_blocked_f64(mc.rows, mc.cols, ma.cols,
                                                <const double *>ma.data, ma.rs, ma.cs,
                                                <const double *>mb.data, mb.rs, mb.cs,
                                                <double *>mc.data, mc.rs)
                    else:
                        if which == RUNG_NAIVE:
                            fn_gemm_naive_f32(mc.rows, mc.cols, ma.cols,
                                              <const float *>ma.data, ma.rs, ma.cs,
                                              <const float *>mb.data, mb.rs, mb.cs,
                                              <float *>mc.data, mc.rs)
                        elif which == RUNG_REORDERED:
                            fn_gemm_reordered_f32(mc.rows, mc.cols, ma.cols,
                                                  <const float *>ma.data, ma.rs, ma.cs,
                                                  <const float *>mb.data, mb.rs, mb.cs,
                                                  <float *>mc.data, mc.rs)
                        else:
                            fn_gemm_blocked_f32(mc.rows, mc.cols, ma.cols,
                                                <const float *>ma.data, ma.rs, ma.cs,
                                                <const float *>mb.data, mb.rs, mb.cs,
                                                <float *>mc.data, mc.rs)
            finally:
                PyBuffer_Release(&bc)
        finally:
            PyBuffer_Release(&bb)
    finally:
        PyBuffer_Release(&ba)


def epilogue(c, bias, int activation, int kernel, bint is_f64):
    """c[...] = act(c + bias) in place, one pass; c C-contiguous (m, n), bias (n,) or
    None; kernel: 0 portable, 1 AVX2, 2 AVX-512 (the instruction set of its exp loops)."""
    cdef Py_buffer bc, bbias
    cdef Matrix mc
    cdef void *bias_ptr = NULL
    _open(c, &bc, &mc, False, True)
    try:
        if bias is not None:
            PyObject_GetBuffer(bias, &bbias, PyBUF_STRIDES)
            bias_ptr = bbias.buf
        with nogil:
            if is_f64:
                fn_gemm_epilogue_f64(mc.rows, mc.cols, <double *>mc.data, mc.rs,
                                     <const double *>bias_ptr, activation, kernel)
            else:
                fn_gemm_epilogue_f32(mc.rows, mc.cols, <float *>mc.data, mc.rs,
                                     <const float *>bias_ptr, activation, kernel)
        if bias is not None:
            PyBuffer_Release(&bbias)
    finally:
        PyBuffer_Release(&bc)
