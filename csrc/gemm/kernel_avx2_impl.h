/* Rung 5 for one dtype, built with AVX2+FMA (FN_ISA avx2): the SIMD
 * micro-kernel and epilogue under the names code_choice_impl.h calls, and the
 * FMA roof that benchmarks time. */
#include "tile.h"
#include "kernel_simd_impl.h"
#include "epilogue_impl.h"

void FN(fn_gemm_kernel)(ptrdiff_t kc, const real *pa, ptrdiff_t rs_pa, ptrdiff_t cs_pa,
                        const real *pb, real *c, ptrdiff_t ldc, int accumulate, ptrdiff_t nr) {
    FN(kernel_simd)(kc, pa, rs_pa, cs_pa, pb, c, ldc, accumulate, nr);
}

void FN(fn_gemm_row)(ptrdiff_t kc, const real *a, ptrdiff_t cs_a, const real *b, ptrdiff_t rs_b,
                     real *c, ptrdiff_t n, int accumulate) {
    FN(row_simd)(kc, a, cs_a, b, rs_b, c, n, accumulate);
}

void FN(fn_gemm_epilogue_block)(ptrdiff_t m, ptrdiff_t n, real *c, ptrdiff_t ldc,
                                const real *bias, int activation) {
    FN(epilogue_block)(m, n, c, ldc, bias, activation);
}

double FN(fn_gemm_fma_roof)(long steps) { return FN(fma_roof)(steps); }

#include "tile_end.h"
