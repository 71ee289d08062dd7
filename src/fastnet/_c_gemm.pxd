# The GEMM's entry points (csrc/gemm/gemm.h).

from ._c_vocabulary cimport fn_dtype


cdef extern from "gemm/gemm.h" nogil:
    enum:
        FN_GEMM_NAIVE
        FN_GEMM_REORDERED
        FN_GEMM_BLOCKED
    void fn_gemm_rung(fn_dtype dtype, int rung, Py_ssize_t m, Py_ssize_t n, Py_ssize_t k,
                      const void *a, Py_ssize_t rs_a, Py_ssize_t cs_a, const void *b,
                      Py_ssize_t rs_b, Py_ssize_t cs_b, void *c, Py_ssize_t ldc)
    int fn_gemm_packed(fn_dtype dtype, Py_ssize_t m, Py_ssize_t n, Py_ssize_t k, const void *a,
                       Py_ssize_t rs_a, Py_ssize_t cs_a, const void *b, Py_ssize_t rs_b,
                       Py_ssize_t cs_b, void *c, Py_ssize_t ldc, const void *bias,
                       int activation, int kernel)
    int fn_gemm_packed_a32(fn_dtype dtype, Py_ssize_t m, Py_ssize_t n, Py_ssize_t k,
                           const float *a, Py_ssize_t rs_a, Py_ssize_t cs_a, const void *b,
                           Py_ssize_t rs_b, Py_ssize_t cs_b, void *c, Py_ssize_t ldc,
                           const void *bias, int activation, int kernel)
    void fn_gemm_epilogue(fn_dtype dtype, Py_ssize_t m, Py_ssize_t n, void *c, Py_ssize_t ldc,
                          const void *bias, int activation, int kernel)
    double fn_gemm_fma_roof(fn_dtype dtype, int kernel, long steps)
