/* fn_gemm_fma_roof: see gemm.h. */
#include "common/simd.h"
#include "gemm.h"

#ifdef FASTNET_X86
double fn_gemm_fma_roof_avx2_f32(long steps);
double fn_gemm_fma_roof_avx2_f64(long steps);
double fn_gemm_fma_roof_f32_avx512(long steps);
double fn_gemm_fma_roof_f64_avx512(long steps);
#endif

double fn_gemm_fma_roof(int is_f64, int kernel, long steps) {
#ifdef FASTNET_X86
    if (kernel == FN_AVX512 && fn_cpu_simd() >= FN_AVX512) {
        return is_f64 ? fn_gemm_fma_roof_f64_avx512(steps) : fn_gemm_fma_roof_f32_avx512(steps);
    }
    if (kernel == FN_AVX2 && fn_cpu_simd() >= FN_AVX2) {
        return is_f64 ? fn_gemm_fma_roof_avx2_f64(steps) : fn_gemm_fma_roof_avx2_f32(steps);
    }
#endif
    (void)is_f64, (void)kernel, (void)steps;
    return 0; /* no SIMD roof for the portable kernel */
}
