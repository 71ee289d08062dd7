/* The GEMM's entry points (see gemm.h): the dtype, and for the FMA roof the
 * instruction set, chosen here. */
#include "common/simd.h"
#include "gemm.h"

#ifdef FASTNET_X86
double fn_gemm_fma_roof_f32_avx2(long steps);
double fn_gemm_fma_roof_f64_avx2(long steps);
double fn_gemm_fma_roof_f32_avx512(long steps);
double fn_gemm_fma_roof_f64_avx512(long steps);
#endif

void fn_gemm_rung(enum fn_dtype dtype, int rung, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                  const void *a, ptrdiff_t rs_a, ptrdiff_t cs_a, const void *b, ptrdiff_t rs_b,
                  ptrdiff_t cs_b, void *c, ptrdiff_t ldc) {
    if (rung == FN_GEMM_NAIVE)
        FN_BY_DTYPE(dtype, fn_gemm_naive, (m, n, k, a, rs_a, cs_a, b, rs_b, cs_b, c, ldc));
    else if (rung == FN_GEMM_REORDERED)
        FN_BY_DTYPE(dtype, fn_gemm_reordered, (m, n, k, a, rs_a, cs_a, b, rs_b, cs_b, c, ldc));
    else
        FN_BY_DTYPE(dtype, fn_gemm_blocked, (m, n, k, a, rs_a, cs_a, b, rs_b, cs_b, c, ldc));
}

int fn_gemm_packed(enum fn_dtype dtype, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const void *a,
                   ptrdiff_t rs_a, ptrdiff_t cs_a, const void *b, ptrdiff_t rs_b, ptrdiff_t cs_b,
                   void *c, ptrdiff_t ldc, const void *bias, int activation, int kernel) {
    return FN_BY_DTYPE(dtype, fn_gemm_packed, (m, n, k, a, rs_a, cs_a, b, rs_b, cs_b, c, ldc,
                                               bias, activation, kernel));
}

int fn_gemm_packed_a32(enum fn_dtype dtype, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                       const float *a, ptrdiff_t rs_a, ptrdiff_t cs_a, const void *b,
                       ptrdiff_t rs_b, ptrdiff_t cs_b, void *c, ptrdiff_t ldc, const void *bias,
                       int activation, int kernel) {
    return FN_BY_DTYPE(dtype, fn_gemm_packed_a32, (m, n, k, a, rs_a, cs_a, b, rs_b, cs_b, c,
                                                   ldc, bias, activation, kernel));
}

void fn_gemm_epilogue(enum fn_dtype dtype, ptrdiff_t m, ptrdiff_t n, void *c, ptrdiff_t ldc,
                      const void *bias, int activation, int kernel) {
    FN_BY_DTYPE(dtype, fn_gemm_epilogue, (m, n, c, ldc, bias, activation, kernel));
}

double fn_gemm_fma_roof(enum fn_dtype dtype, int kernel, long steps) {
    const int f64 = dtype == FN_F64;
#ifdef FASTNET_X86
    if (kernel == FN_AVX512 && fn_cpu_simd() >= FN_AVX512)
        return f64 ? fn_gemm_fma_roof_f64_avx512(steps) : fn_gemm_fma_roof_f32_avx512(steps);
    if (kernel == FN_AVX2 && fn_cpu_simd() >= FN_AVX2)
        return f64 ? fn_gemm_fma_roof_f64_avx2(steps) : fn_gemm_fma_roof_f32_avx2(steps);
#endif
    (void)f64, (void)kernel, (void)steps;
    return 0; /* no SIMD roof for the portable kernel */
}
