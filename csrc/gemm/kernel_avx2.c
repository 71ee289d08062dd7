/* Rung 5: the AVX2+FMA micro-kernels (kernel_simd_impl.h) and epilogues
 * (epilogue_impl.h) for float32 and float64. Only this file is compiled with
 * -mavx2 -mfma; gemm_*.c call into it only when fn_cpu_simd() (common/simd.h) says the
 * CPU has both, so the extension still runs on CPUs without AVX2. Empty off
 * x86-64. */
#ifdef FASTNET_X86
#include <math.h>
#include <stddef.h>

#include "common/fast_exp.h"
#include "gemm.h"

#define VBYTES 32 /* one ymm register */

#include "dtype_f32.h"
#include "kernel_simd_impl.h"
#include "epilogue_impl.h"
void FN(fn_gemm_kernel_avx2)(ptrdiff_t kc, const real *pa, ptrdiff_t rs_pa, ptrdiff_t cs_pa,
                             const real *pb, real *c, ptrdiff_t ldc, int accumulate,
                             ptrdiff_t nr) {
    FN(kernel_simd)(kc, pa, rs_pa, cs_pa, pb, c, ldc, accumulate, nr);
}
void FN(fn_gemm_epilogue_block_avx2)(ptrdiff_t m, ptrdiff_t n, real *c, ptrdiff_t ldc,
                                     const real *bias, int activation) {
    FN(epilogue_block)(m, n, c, ldc, bias, activation);
}
double FN(fn_gemm_fma_roof_avx2)(long steps) { return FN(fma_roof)(steps); }
#include "dtype_end.h"

#include "dtype_f64.h"
#include "kernel_simd_impl.h"
#include "epilogue_impl.h"
void FN(fn_gemm_kernel_avx2)(ptrdiff_t kc, const real *pa, ptrdiff_t rs_pa, ptrdiff_t cs_pa,
                             const real *pb, real *c, ptrdiff_t ldc, int accumulate,
                             ptrdiff_t nr) {
    FN(kernel_simd)(kc, pa, rs_pa, cs_pa, pb, c, ldc, accumulate, nr);
}
void FN(fn_gemm_epilogue_block_avx2)(ptrdiff_t m, ptrdiff_t n, real *c, ptrdiff_t ldc,
                                     const real *bias, int activation) {
    FN(epilogue_block)(m, n, c, ldc, bias, activation);
}
double FN(fn_gemm_fma_roof_avx2)(long steps) { return FN(fma_roof)(steps); }
#include "dtype_end.h"
#endif
